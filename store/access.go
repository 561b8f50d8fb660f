package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"daihou"
	"daihou/auth"
)

// Who may do what (package auth) applied to what the book holds: the
// store describes a loan as an auth.Resource (its branch, its officer's
// user name, the users it is assigned to), and every write checks the
// actor of its transaction with auth.Can before it changes anything. A
// front end asks Authorize before it shows a loan, and lists go through
// the actor's scope as a WHERE clause, so a list and a single loan follow
// one rule.

// loanResource describes loan id for auth.Can; ENOTFOUND when there is no
// such loan. The officer is the user whose officer code the loan carries
// (none when no user has it).
func loanResource(ctx context.Context, q querier, id int64) (auth.Resource, error) {
	res, err := loanResources(ctx, q, []int64{id}, false)
	if err != nil {
		return auth.Resource{}, err
	}
	r, ok := res[id]
	if !ok {
		return auth.Resource{}, notFoundLoan(id)
	}
	return r, nil
}

// loanResources describes the loans ids for auth.Can, by id; a loan that
// does not exist is missing from the map. With lock (PostgreSQL only) the
// loans' rows are locked too, in id order, as lockLoans locks them.
func loanResources(ctx context.Context, q querier, ids []int64, lock bool) (map[int64]auth.Resource, error) {
	query := `SELECT l.id, l.branch, COALESCE(u.name, ''),
		COALESCE((SELECT string_agg(a.assignee, ',' ORDER BY a.assignee) FROM loan_assignments a WHERE a.loan_id = l.id), '')
		FROM loans l LEFT JOIN users u ON u.officer = l.officer AND l.officer <> '' WHERE l.id IN (`
	tail := `)`
	if lock {
		tail += ` ORDER BY l.id FOR UPDATE OF l`
	}
	out := make(map[int64]auth.Resource, len(ids))
	err := inBatches(slices.Sorted(slices.Values(ids)), func(_ []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, query+marks+tail, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var branch, officer, assigned string
			if err := rows.Scan(&id, &branch, &officer, &assigned); err != nil {
				return err
			}
			var assignees []string // user names hold no comma (auth.NormalizeName)
			if assigned != "" {
				assignees = strings.Split(assigned, ",")
			}
			out[id] = auth.Loan(id, branch, officer, assignees...)
		}
		return rows.Err()
	})
	return out, err
}

func notFoundLoan(id int64) error {
	return daihou.Errorf(daihou.ENOTFOUND, "%w: loan %d", ErrLoanNotFound, id)
}

// ErrLoanNotFound is wrapped by the error for a loan that does not exist
// or that the actor may not see.
var ErrLoanNotFound = errors.New("no such loan")

// authorize checks that actor may take action on loan id. An actor who may
// not even read the loan is told it does not exist (ENOTFOUND): a denial
// must not tell a collector which loans exist outside their queue. One
// who may read it but not do this is refused (EUNAUTHORIZED).
func authorize(ctx context.Context, q querier, actor auth.Actor, action auth.Action, id int64) error {
	res, err := loanResource(ctx, q, id)
	if err != nil {
		return err
	}
	return decide(actor, action, res)
}

// decide is authorize's answer for the loan res describes.
func decide(actor auth.Actor, action auth.Action, res auth.Resource) error {
	d := auth.Can(actor, action, res)
	if d.Allowed {
		return nil
	}
	if action != auth.ReadLoan && auth.Can(actor, auth.ReadLoan, res).Allowed {
		return d.Err()
	}
	return notFoundLoan(res.LoanID)
}

// Authorize checks that the actor in ctx may take action on loan id, as
// every write does in its own transaction: nil, ENOTFOUND for a loan the
// actor may not see (or that does not exist), EUNAUTHORIZED for one it
// sees but may not act on. Front ends call it before they show a loan.
func (db *DB) Authorize(ctx context.Context, action auth.Action, id int64) error {
	return authorize(ctx, db.read, auth.FromContext(ctx), action, id)
}

// can checks t's actor against an action on the book or the system.
func (t *wtx) can(action auth.Action, r auth.Resource) error {
	return auth.Can(t.actor, action, r).Err()
}

// canLoan checks t's actor against an action on loan id, in t.
func (t *wtx) canLoan(ctx context.Context, action auth.Action, id int64) error {
	return authorize(ctx, t, t.actor, action, id)
}

// scopeWhere returns the SQL condition on loans l (and its arguments) that
// keeps the loans in s. Officers are the users' officer codes; the zero
// scope keeps none.
func scopeWhere(s auth.Scope) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	if len(s.Branches) > 0 {
		or = append(or, "l.branch IN ("+placeholders(len(s.Branches))+")")
		for _, b := range s.Branches {
			args = append(args, b)
		}
	}
	if s.Officer != "" {
		or = append(or, "l.officer IN (SELECT u.officer FROM users u WHERE u.name = ?)")
		args = append(args, strings.ToLower(s.Officer))
	}
	if s.Assigned != "" {
		or = append(or, "EXISTS (SELECT 1 FROM loan_assignments a WHERE a.assignee = ? AND a.loan_id = l.id)")
		args = append(args, strings.ToLower(s.Assigned))
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}
