package store

import (
	"context"
	"fmt"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/inputtext"
)

// The kinds of assignment: collection work (a collector's queue) and a
// legal case.
const (
	AssignCollection = "collection"
	AssignLegal      = "legal"
)

// Assign assigns loan id to the user named assignee, as the actor in ctx
// (who must be allowed to assign collection work on the loan). The
// assignee then sees the loan if their role works assigned loans.
func (db *DB) Assign(ctx context.Context, id int64, assignee, kind string) error {
	if kind != AssignCollection && kind != AssignLegal {
		return daihou.Invalid("kind", "kind: want %s or %s, not %q", AssignCollection, AssignLegal, inputtext.Clip(kind, 32))
	}
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, auth.AssignCollection, id); err != nil {
			return err
		}
		u, err := userByName(ctx, t, assignee)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO loan_assignments (assignee, loan_id, kind, since) VALUES (?, ?, ?, ?) ON CONFLICT (assignee, loan_id) DO UPDATE SET kind = excluded.kind`,
			u.Name, id, kind, int64(t.business)); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.AssignCollection), audit.LoanObject(id), audit.DigestFields(u.Name, kind), fmt.Sprintf("assigned to %s (%s)", u.Name, kind))
	})
}

// Unassign takes loan id away from assignee, as the actor in ctx.
func (db *DB) Unassign(ctx context.Context, id int64, assignee string) error {
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, auth.AssignCollection, id); err != nil {
			return err
		}
		name, err := auth.NormalizeName(assignee)
		if err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `DELETE FROM loan_assignments WHERE assignee = ? AND loan_id = ?`, name, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return daihou.Errorf(daihou.ENOTFOUND, "loan %d is not assigned to %s", id, name)
		}
		return t.audit(ctx, string(auth.AssignCollection), audit.LoanObject(id), audit.DigestFields(name, "unassigned"), "no longer assigned to "+name)
	})
}
