package store

import (
	"context"

	"daihou/servicing"
)

// EachLoan calls fn for every loan, in id order, with its product and
// the transactions replay needs (no channel or posting time), reading the ledger in chunks so that memory stays bounded
// at any portfolio size. Model training and back-testing use it.
func (db *DB) EachLoan(ctx context.Context, fn func(l servicing.Loan, p servicing.Product, txs []servicing.Tx) error) error {
	prods, err := products(ctx, db.read)
	if err != nil {
		return err
	}
	var after int64
	for {
		ids, err := queryIDs(ctx, db.read, `SELECT id FROM loans WHERE id > ? ORDER BY id LIMIT 5000`, after)
		if err != nil || len(ids) == 0 {
			return err
		}
		loans, err := loadReplayLoans(ctx, db.read, ids)
		if err != nil {
			return err
		}
		txs, err := loadReplayTxs(ctx, db.read, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			l := loans[id]
			if err := fn(l.Loan, prods[l.Product], txs[id]); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
}
