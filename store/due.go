package store

import (
	"context"

	"daihou/auth"
	"daihou/civil"
	"daihou/money"
)

// Due is a current loan's next installment: what core banking's
// withholding run (代扣) collects on or before its due date.
type Due struct {
	LoanID     int64
	LoanRef    string // the lender's loan number
	BorrowerID int64
	Product    string
	Date       civil.Date
	Amount     money.Amount
}

// DueBetween returns the next installment of every active loan that is not
// past due and falls due in [from, to], in loan order, as of the last
// close. It is what a withholding file is built from, so it asks the
// right to import payments.
func (db *DB) DueBetween(ctx context.Context, from, to civil.Date) ([]Due, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ImportPayments, auth.Book()).Err(); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT s.loan_id, l.external_id, l.borrower_id, l.product, s.next_due_date, s.next_due_amount
		FROM loan_state s JOIN loans l ON l.id = s.loan_id
		WHERE s.status = 'active' AND s.dpd = 0 AND s.next_due_date >= ? AND s.next_due_date <= ? AND s.next_due_amount > 0
		ORDER BY s.loan_id`, int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Due
	for rows.Next() {
		var d Due
		var date int64
		if err := rows.Scan(&d.LoanID, &d.LoanRef, &d.BorrowerID, &d.Product, &date, &d.Amount); err != nil {
			return nil, err
		}
		d.Date = civil.Date(date)
		out = append(out, d)
	}
	return out, rows.Err()
}

// PastDue is an active loan in arrears as of the last close.
type PastDue struct {
	LoanID      int64
	LoanRef     string
	BorrowerID  int64
	BorrowerRef string // the borrower's external id
	DPD         int
	Outstanding money.Amount // principal outstanding
}

// PastDueLoans returns every active loan past due, in loan order: what a
// simulator of the world around the book reacts to, as core banking knows
// it — so it asks the right to import payments, as DueBetween does.
func (db *DB) PastDueLoans(ctx context.Context) ([]PastDue, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ImportPayments, auth.Book()).Err(); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT s.loan_id, l.external_id, l.borrower_id, b.external_id, s.dpd, s.principal_outstanding
		FROM loan_state s JOIN loans l ON l.id = s.loan_id JOIN borrowers b ON b.id = l.borrower_id
		WHERE s.status = 'active' AND s.dpd > 0 ORDER BY s.loan_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PastDue
	for rows.Next() {
		var p PastDue
		if err := rows.Scan(&p.LoanID, &p.LoanRef, &p.BorrowerID, &p.BorrowerRef, &p.DPD, &p.Outstanding); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
