package store

import (
	"context"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
)

// LoanFilter selects loans for a list, in id order, a page at a time.
type LoanFilter struct {
	Status  servicing.Status     // "" for any
	Class   classification.Class // 0 for any
	Product string
	Branch  string
	MinDPD  int    // 0 for no lower bound
	MaxDPD  int    // 0 for no upper bound
	Bucket  string // "M0" … "M7+"; "" for any
	Officer string
	// Borrowers, when not nil, keeps the loans of these borrowers (a
	// search by personal data, FindBorrowers): an empty list keeps none.
	Borrowers []int64
	After     int64
	Limit     int
}

// LoanRow is one loan in a list: its contract and its state as of the
// business date.
type LoanRow struct {
	ID          int64                `json:"id"`
	Number      string               `json:"number"`
	BorrowerID  int64                `json:"borrower_id"`
	Product     string               `json:"product"`
	Currency    money.Currency       `json:"currency"`
	Principal   money.Amount         `json:"principal"`
	Disbursed   civil.Date           `json:"disbursed"`
	Branch      string               `json:"branch"`
	Officer     string               `json:"officer"`
	Status      servicing.Status     `json:"status"`
	DPD         int                  `json:"dpd"`
	Class       classification.Class `json:"class"`
	Stage       int                  `json:"stage"`
	Outstanding money.Amount         `json:"principal_outstanding"`
	Score       int                  `json:"score"`
}

// ListLoans returns the loans f selects after f.After that the actor in
// ctx may read, at most f.Limit of them in id order, and whether there are
// more.
func (db *DB) ListLoans(ctx context.Context, f LoanFilter) ([]LoanRow, bool, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		return nil, false, daihou.Invalid("limit", "limit: want 1 to 1000, not %d", f.Limit)
	}
	cond, args := scopeWhere(auth.ScopeFor(auth.FromContext(ctx), auth.ReadLoan))
	conds := []string{cond, "l.id > ?"}
	args = append(args, f.After)
	add := func(c string, v any) {
		conds = append(conds, c)
		args = append(args, v)
	}
	if f.Status != "" {
		add("s.status = ?", string(f.Status))
	}
	if f.Class != 0 {
		add("s.class = ?", int64(f.Class))
	}
	if f.Product != "" {
		add("l.product = ?", f.Product)
	}
	if f.Branch != "" {
		add("l.branch = ?", f.Branch)
	}
	if f.MinDPD > 0 {
		add("s.dpd >= ?", int64(f.MinDPD))
	}
	if f.MaxDPD > 0 {
		add("s.dpd <= ?", int64(f.MaxDPD))
	}
	if f.Bucket != "" {
		add("s.bucket = ?", f.Bucket)
	}
	if f.Officer != "" {
		add("l.officer = ?", f.Officer)
	}
	if f.Borrowers != nil {
		if len(f.Borrowers) > 1000 {
			return nil, false, daihou.Invalid("borrowers", "borrowers: at most 1000, not %d", len(f.Borrowers))
		}
		if len(f.Borrowers) == 0 {
			return nil, false, nil
		}
		conds = append(conds, "l.borrower_id IN ("+placeholders(len(f.Borrowers))+")")
		for _, b := range f.Borrowers {
			args = append(args, b)
		}
	}
	args = append(args, int64(f.Limit+1))
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, l.external_id, l.borrower_id, l.product, l.currency, l.principal, l.disbursed, l.branch, l.officer,
		COALESCE(s.status, ''), COALESCE(s.dpd, 0), COALESCE(s.class, 0), COALESCE(s.stage, 0), COALESCE(s.principal_outstanding, 0), COALESCE(s.score, 0)
		FROM loans l LEFT JOIN loan_state s ON s.loan_id = l.id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY l.id LIMIT ?`, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []LoanRow
	for rows.Next() {
		var r LoanRow
		var currency, status string
		var disbursed, class int64
		if err := rows.Scan(&r.ID, &r.Number, &r.BorrowerID, &r.Product, &currency, &r.Principal, &disbursed, &r.Branch, &r.Officer,
			&status, &r.DPD, &class, &r.Stage, &r.Outstanding, &r.Score); err != nil {
			return nil, false, err
		}
		r.Currency, r.Status, r.Disbursed, r.Class = money.Currency(currency), servicing.Status(status), civil.Date(disbursed), classification.Class(class)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}
