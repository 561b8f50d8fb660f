package store

import (
	"context"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/collection"
	"daihou/money"
	"daihou/servicing"
)

// The reads of the console's loan screens that no other front end needed:
// the borrowers of a page of loans, and the contacts of one loan. Each keeps to the loans the actor in ctx may read.

// LoanBorrowers returns the borrower of each of loans that the actor in
// ctx may read, by loan id, personal data opened: the caller masks it by
// role before anyone sees it. Loans outside the actor's scope are left
// out, as if they did not exist.
func (db *DB) LoanBorrowers(ctx context.Context, loans []int64) (map[int64]servicing.Borrower, error) {
	out := map[int64]servicing.Borrower{}
	if len(loans) == 0 {
		return out, nil
	}
	if len(loans) > 1000 {
		return nil, daihou.Invalid("loans", "loans: at most 1000 at a time, not %d", len(loans))
	}
	scope, args := scopeWhere(auth.ScopeFor(auth.FromContext(ctx), auth.ReadLoan))
	for _, id := range loans {
		args = append(args, id)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, b.id, b.external_id, b.name, b.id_number, b.phone, b.address, b.region
		FROM loans l JOIN borrowers b ON b.id = l.borrower_id WHERE `+scope+` AND l.id IN (`+placeholders(len(loans))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var loan int64
		var b servicing.Borrower
		if err := rows.Scan(&loan, &b.ID, &b.ExternalID, &b.Name, &b.IDNumber, &b.Phone, &b.Address, &b.Region); err != nil {
			return nil, err
		}
		if err := openBorrower(db.keys, &b); err != nil {
			return nil, err
		}
		out[loan] = b
	}
	return out, rows.Err()
}

// LoanContact is one contact attempt recorded on a loan (催收记录): who
// tried, by which channel, whom they reached and what came of it. The
// number dialled is kept only as a keyed hash and is not shown.
type LoanContact struct {
	ID        int64
	TaskID    int64
	At        time.Time
	Business  civil.Date
	Channel   string
	Party     string
	By        string
	Agency    string
	Connected bool
	RPC       bool // right-party contact (有效沟通)
	Outcome   collection.Outcome
	Cost      money.Amount
	Note      string
}

// LoanContacts returns the contact attempts on loan id, newest first, at
// most limit (1 to 1000), if the actor in ctx may read the loan (ENOTFOUND
// otherwise, as for a loan that does not exist).
func (db *DB) LoanContacts(ctx context.Context, id int64, limit int) ([]LoanContact, error) {
	if limit <= 0 || limit > 1000 {
		return nil, daihou.Invalid("limit", "limit: want 1 to 1000, not %d", limit)
	}
	if err := db.Authorize(ctx, auth.ReadLoan, id); err != nil {
		return nil, err
	}
	return queryRows(ctx, db.read, func(sc interface{ Scan(...any) error }) (LoanContact, error) {
		var c LoanContact
		var at, business, connected, rpc int64
		var outcome string
		err := sc.Scan(&c.ID, &c.TaskID, &at, &business, &c.Channel, &c.Party, &c.By, &c.Agency, &connected, &rpc, &outcome, &c.Cost, &c.Note)
		c.At, c.Business, c.Connected, c.RPC, c.Outcome = time.Unix(at, 0).UTC(), civil.Date(business), connected != 0, rpc != 0, collection.Outcome(outcome)
		return c, err
	}, `SELECT id, task_id, at, business, channel, party, by_name, agency, connected, rpc, outcome, cost, note
		FROM contacts WHERE loan_id = ? ORDER BY at DESC, id DESC LIMIT ?`, id, int64(limit))
}
