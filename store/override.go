package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/classification"
)

// Override is a request to classify a loan above its regulatory floor,
// approved by a second person (maker-checker, 四眼原则).
type Override struct {
	LoanID  int64
	ID      int64
	Class   classification.Class
	Reason  string
	Maker   string
	Checker string
	Status  string // pending, approved, rejected
}

// ProposeOverride records a pending override proposed by the actor in
// ctx (the maker), who must be allowed to propose it on this loan. It must
// raise the loan above its current class — an override can never move a
// loan below its floor.
func (db *DB) ProposeOverride(ctx context.Context, loanID int64, class classification.Class, reason string) (int64, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return 0, daihou.Invalid("reason", "an override needs a reason: regulators ask why")
	}
	if len(reason) > 2000 {
		return 0, daihou.Invalid("reason", "reason: at most 2000 bytes, not %d", len(reason))
	}
	var id int64
	err := db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, auth.ProposeOverride, loanID); err != nil {
			return err
		}
		snaps, err := loadSnapshots(ctx, t, []int64{loanID})
		if err != nil {
			return err
		}
		snap, ok := snaps[loanID]
		if !ok {
			return daihou.Errorf(daihou.ENOTFOUND, "loan %d has no state yet (not disbursed on the business date)", loanID)
		}
		if class <= snap.Class {
			return daihou.Invalid("class", "override to %s %v must be above the loan's current class %s %v", class.Chinese(), class, snap.Class.Chinese(), snap.Class)
		}
		if err := t.QueryRowContext(ctx, `INSERT INTO classification_overrides (loan_id, class, reason, maker, created_at, status)
			VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id`, loanID, int(class), reason, t.actor.Name(), t.stamp()).Scan(&id); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.ProposeOverride), audit.LoanObject(loanID), audit.DigestFields(strconv.FormatInt(id, 10), class.String(), reason),
			fmt.Sprintf("override %d proposed: %v %s (from %v)", id, class, class.Chinese(), snap.Class))
	})
	return id, err
}

// DecideOverride approves or rejects a pending override as the actor in
// ctx (the checker): a user other than the maker who may decide overrides
// on this loan (auth.CheckChecker). An approval derives the loan's state
// again in the same transaction, so the decision and its effect commit
// together or not at all.
func (db *DB) DecideOverride(ctx context.Context, loanID, id int64, approve bool) error {
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, auth.ReadLoan, loanID); err != nil {
			return err
		}
		var maker, status string
		var class int64
		err := t.QueryRowContext(ctx, `SELECT maker, status, class FROM classification_overrides WHERE loan_id = ? AND id = ?`, loanID, id).Scan(&maker, &status, &class)
		if errors.Is(err, sql.ErrNoRows) {
			return daihou.Errorf(daihou.ENOTFOUND, "override %d of loan %d not found", id, loanID)
		}
		if err != nil {
			return err
		}
		res, err := loanResource(ctx, t, loanID)
		if err != nil {
			return err
		}
		if err := auth.CheckChecker(auth.ProposalOverride, maker, t.actor, res); err != nil {
			return err
		}
		if status != "pending" {
			return daihou.Errorf(daihou.ECONFLICT, "override %d is already %s", id, status)
		}
		decision := "rejected"
		if approve {
			decision = "approved"
		}
		upd, err := t.ExecContext(ctx, `UPDATE classification_overrides SET status = ?, checker = ?, decided_at = ? WHERE loan_id = ? AND id = ? AND status = 'pending'`,
			decision, t.actor.Name(), t.stamp(), loanID, id)
		if err != nil {
			return err
		}
		if n, _ := upd.RowsAffected(); n != 1 {
			return daihou.Errorf(daihou.ECONFLICT, "override %d was decided concurrently", id)
		}
		if approve {
			if err := db.refresh(ctx, t, []int64{loanID}); err != nil {
				return err
			}
		}
		return t.audit(ctx, string(auth.DecideOverride), audit.LoanObject(loanID), audit.DigestFields(strconv.FormatInt(id, 10), decision),
			fmt.Sprintf("override %d to %v %s, proposed by %s", id, classification.Class(class), decision, maker))
	})
}
