package store

import (
	"context"
	"fmt"

	"daihou/civil"
	"daihou/servicing"
)

// NewLoan is a loan to add with its borrower. Borrowers are matched by
// external id: a borrower already known keeps its id and details.
type NewLoan struct {
	Line     int
	Borrower servicing.Borrower
	Loan     servicing.Loan
}

// AddLoans adds loans in one database transaction per chunk, each with its
// disbursement transaction and its state as of the business date. A loan
// whose number already exists, whose product is unknown, or whose terms
// are invalid is rejected with its line and reason; the rest are added.
// It returns the ids given to the added loans, in input order.
func (db *DB) AddLoans(ctx context.Context, in []NewLoan) (ids []int64, rejects []Reject, err error) {
	defer bulkGC()()
	business, err := db.BusinessDate(ctx)
	if err != nil {
		return nil, nil, err
	}
	const chunk = 20000
	for start := 0; start < len(in); start += chunk {
		part := in[start:min(start+chunk, len(in))]
		got, rej, err := db.addLoanChunk(ctx, part, business)
		if err != nil {
			return ids, rejects, err
		}
		ids = append(ids, got...)
		rejects = append(rejects, rej...)
	}
	return ids, rejects, nil
}

func (db *DB) addLoanChunk(ctx context.Context, in []NewLoan, business civil.Date) ([]int64, []Reject, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	prods, err := products(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	var nextLoan, nextBorrower int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM loans`).Scan(&nextLoan); err != nil {
		return nil, nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM borrowers`).Scan(&nextBorrower); err != nil {
		return nil, nil, err
	}
	existsLoan, err := tx.PrepareContext(ctx, `SELECT COUNT(*) FROM loans WHERE external_id = ?`)
	if err != nil {
		return nil, nil, err
	}
	defer existsLoan.Close()
	findBorrower, err := tx.PrepareContext(ctx, `SELECT id FROM borrowers WHERE external_id = ?`)
	if err != nil {
		return nil, nil, err
	}
	defer findBorrower.Close()
	insBorrower, err := tx.PrepareContext(ctx, `INSERT INTO borrowers (id, external_id, name, id_number, phone, region) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, nil, err
	}
	defer insBorrower.Close()
	insLoan, err := tx.PrepareContext(ctx, `INSERT INTO loans (`+loanColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, nil, err
	}
	defer insLoan.Close()
	insTx, err := tx.PrepareContext(ctx, `INSERT INTO transactions (loan_id, seq, kind, value_date, amount, posted_at) VALUES (?, 1, 'disbursement', ?, ?, ?)`)
	if err != nil {
		return nil, nil, err
	}
	defer insTx.Close()

	borrowers := map[string]int64{}
	loans := map[int64]servicing.Loan{}
	var ids []int64
	var rejects []Reject
	stamp := db.stamp()
	for _, nl := range in {
		l := nl.Loan
		prod, ok := prods[l.Product]
		if !ok {
			rejects = append(rejects, Reject{nl.Line, fmt.Sprintf("product: unknown product %q", l.Product)})
			continue
		}
		if l.Method == "" {
			l.Method = prod.Method
		}
		if l.Currency == "" {
			l.Currency = prod.Currency
		}
		if err := l.Terms().Validate(); err != nil {
			rejects = append(rejects, Reject{nl.Line, err.Error()})
			continue
		}
		var n int
		if err := existsLoan.QueryRowContext(ctx, l.ExternalID).Scan(&n); err != nil {
			return nil, nil, err
		}
		if n > 0 {
			rejects = append(rejects, Reject{nl.Line, fmt.Sprintf("loan_id: loan %q already exists", l.ExternalID)})
			continue
		}
		bid, ok := borrowers[nl.Borrower.ExternalID]
		if !ok {
			err := findBorrower.QueryRowContext(ctx, nl.Borrower.ExternalID).Scan(&bid)
			if err != nil {
				b := nl.Borrower
				bid = nextBorrower
				nextBorrower++
				if _, err := insBorrower.ExecContext(ctx, bid, b.ExternalID, b.Name, b.IDNumber, b.Phone, b.Region); err != nil {
					return nil, nil, err
				}
			}
			borrowers[nl.Borrower.ExternalID] = bid
		}
		l.ID, l.BorrowerID = nextLoan, bid
		nextLoan++
		if _, err := insLoan.ExecContext(ctx, l.ID, l.ExternalID, l.BorrowerID, l.Product, string(l.Currency), l.Principal, l.Rate, l.Term,
			string(l.Method), l.Disbursed, l.Branch, l.Officer, l.Region); err != nil {
			return nil, nil, err
		}
		if _, err := insTx.ExecContext(ctx, l.ID, l.Disbursed, l.Principal, stamp); err != nil {
			return nil, nil, err
		}
		loans[l.ID] = l
		ids = append(ids, l.ID)
	}
	txs := make(map[int64][]servicing.Tx, len(ids))
	for _, id := range ids {
		l := loans[id]
		txs[id] = []servicing.Tx{{LoanID: id, Seq: 1, Kind: servicing.Disbursement, ValueDate: l.Disbursed, Amount: l.Principal}}
	}
	if err := refreshLoans(ctx, tx, ids, prods, loans, txs, business); err != nil {
		return nil, nil, err
	}
	return ids, rejects, tx.Commit()
}
