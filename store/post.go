package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"daihou"
	"daihou/civil"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
)

// Post appends one transaction to a loan after servicing.Check accepts it
// and re-derives the loan's cached state as of the business date, all in
// one database transaction. A repayment whose reference the loan already
// has is not posted again: Post returns the stored transaction and
// duplicate = true if it is the same payment, ECONFLICT if the reference
// was used for a different one.
func (db *DB) Post(ctx context.Context, t servicing.Tx) (posted servicing.Tx, duplicate bool, err error) {
	business, err := db.BusinessDate(ctx)
	if err != nil {
		return t, false, err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return t, false, err
	}
	defer tx.Rollback()
	p := &poster{db: db, tx: tx, business: business}
	if err := p.load(ctx, []int64{t.LoanID}); err != nil {
		return t, false, err
	}
	posted, duplicate, err = p.post(ctx, t)
	if err != nil || duplicate {
		return posted, duplicate, err
	}
	if err := p.refresh(ctx); err != nil {
		return posted, false, err
	}
	return posted, false, tx.Commit()
}

// poster posts transactions for a set of loans inside one database
// transaction and refreshes their cached state once at the end.
type poster struct {
	db       *DB
	tx       *sql.Tx
	business civil.Date
	products map[string]servicing.Product
	loans    map[int64]servicing.Loan
	txs      map[int64][]servicing.Tx
	touched  map[int64]bool
	insert   *batcher
}

func (p *poster) load(ctx context.Context, ids []int64) error {
	var err error
	if p.products == nil {
		if p.products, err = products(ctx, p.tx); err != nil {
			return err
		}
	}
	if p.loans, err = loadLoans(ctx, p.tx, ids); err != nil {
		return err
	}
	if p.txs, err = loadTxs(ctx, p.tx, ids); err != nil {
		return err
	}
	p.touched = map[int64]bool{}
	if p.insert == nil {
		p.insert = newBatcher(p.tx, `INSERT INTO transactions (`+txColumns+`, posted_at) VALUES`, "", 13)
	}
	return nil
}

// Errors a posting can fail with, beyond servicing's business rules.
var (
	ErrUnknownLoan        = errors.New("unknown loan")
	ErrReferenceConflict  = errors.New("reference already used for a different transaction of this loan")
	ErrReferenceRequired  = errors.New("a repayment or recovery needs a reference (the idempotency key)")
	errNoProductForLoanID = errors.New("loan's product is missing")
)

func (p *poster) post(ctx context.Context, t servicing.Tx) (servicing.Tx, bool, error) {
	l, ok := p.loans[t.LoanID]
	if !ok {
		return t, false, daihou.Errorf(daihou.ENOTFOUND, "%w: %d", ErrUnknownLoan, t.LoanID)
	}
	prod, ok := p.products[l.Product]
	if !ok {
		return t, false, daihou.Errorf(daihou.EINTERNAL, "%w: %s", errNoProductForLoanID, l.Product)
	}
	existing := p.txs[t.LoanID]
	if (t.Kind == servicing.Repayment || t.Kind == servicing.Recovery) && t.Reference == "" {
		return t, false, daihou.Errorf(daihou.EINVALID, "%w", ErrReferenceRequired)
	}
	if t.Reference != "" {
		for _, old := range existing {
			if old.Reference != t.Reference {
				continue
			}
			if old.Kind == t.Kind && old.ValueDate == t.ValueDate && old.Amount == t.Amount {
				return old, true, nil
			}
			return t, false, daihou.Errorf(daihou.ECONFLICT, "%w: %q is %s %v on %v", ErrReferenceConflict, t.Reference, old.Kind, old.Amount, old.ValueDate)
		}
	}
	if err := servicing.Check(prod, l, existing, t, p.business); err != nil {
		return t, false, daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	t.Seq = 1
	if n := len(existing); n > 0 {
		t.Seq = existing[n-1].Seq + 1
	}
	if err := p.insert.add(ctx, t.LoanID, t.Seq, string(t.Kind), t.ValueDate, t.Amount, t.Channel, t.Reference, t.Reverses,
		string(t.Component), t.NewRate, t.NewTerm, string(t.NewMethod), p.db.stamp()); err != nil {
		return t, false, err
	}
	p.txs[t.LoanID] = append(existing, t)
	p.touched[t.LoanID] = true
	return t, false, nil
}

// refresh writes the queued transactions, then re-derives and stores the
// state of every touched loan.
func (p *poster) refresh(ctx context.Context) error {
	if err := p.insert.flush(ctx); err != nil {
		return err
	}
	ids := make([]int64, 0, len(p.touched))
	for id := range p.touched {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return refreshLoans(ctx, p.tx, ids, p.products, p.loans, p.txs, p.business)
}

// refreshLoans derives the snapshots of ids as of asOf from loans and txs
// and writes them.
func refreshLoans(ctx context.Context, tx *sql.Tx, ids []int64, prods map[string]servicing.Product, loans map[int64]servicing.Loan, txs map[int64][]servicing.Tx, asOf civil.Date) error {
	x, err := extras(ctx, tx, ids)
	if err != nil {
		return err
	}
	w, err := newSnapshotWriter(ctx, tx, ids)
	if err != nil {
		return err
	}
	snaps := deriveAll(ids, func(id int64) (loanstate.Snapshot, bool) {
		l := loans[id]
		if asOf.Before(l.Disbursed) {
			return loanstate.Snapshot{}, false // not yet disbursed on the business date
		}
		snap, _ := loanstate.Derive(prods[l.Product], l, txs[id], asOf, x[id])
		return snap, true
	})
	for i := range snaps {
		if snaps[i].LoanID == 0 {
			continue
		}
		if err := w.write(ctx, &snaps[i]); err != nil {
			return err
		}
	}
	return w.close(ctx)
}

// deriveAll runs derive for every id on all CPUs; replay is pure, so the
// only shared thing is the output slice, written at distinct indexes.
func deriveAll(ids []int64, derive func(int64) (loanstate.Snapshot, bool)) []loanstate.Snapshot {
	out := make([]loanstate.Snapshot, len(ids))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ids); i += workers {
				if s, ok := derive(ids[i]); ok {
					out[i] = s
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// Refresh re-derives the cached state of the given loans (all loans when
// ids is nil) as of the business date.
func (db *DB) Refresh(ctx context.Context, ids []int64) error {
	business, err := db.BusinessDate(ctx)
	if err != nil {
		return err
	}
	if ids == nil {
		rows, err := db.read.QueryContext(ctx, `SELECT id FROM loans ORDER BY id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 5000)
		chunk := ids[:n]
		ids = ids[n:]
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		p := &poster{db: db, tx: tx, business: business}
		if err := p.load(ctx, chunk); err != nil {
			tx.Rollback()
			return err
		}
		if err := refreshLoans(ctx, tx, chunk, p.products, p.loans, p.txs, business); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Payment is one repayment to import.
type Payment struct {
	Line      int
	LoanRef   string // the lender's loan number (loans.external_id)
	ValueDate civil.Date
	Amount    money.Amount
	Channel   string
	Reference string
}

// Reject is an input row that was not applied, with the reason.
type Reject struct {
	Line   int
	Reason string
}

// ImportResult counts what an import did.
type ImportResult struct {
	Posted     int
	Duplicates int // already posted earlier: re-delivery posts nothing twice
	Rejects    []Reject
}

// ImportPayments posts repayments in chunks; each chunk is one database
// transaction that inserts its payments and refreshes the state of the
// loans it touched. A payment that cannot be posted is rejected with its
// line and reason and never stops the others. progress, if not nil, is
// called after each chunk with the number of rows done.
func (db *DB) ImportPayments(ctx context.Context, pays []Payment, progress func(done int)) (ImportResult, error) {
	var res ImportResult
	business, err := db.BusinessDate(ctx)
	if err != nil {
		return res, err
	}
	const chunk = 20000
	for start := 0; start < len(pays); start += chunk {
		part := pays[start:min(start+chunk, len(pays))]
		if err := db.importChunk(ctx, part, business, &res); err != nil {
			return res, err
		}
		if progress != nil {
			progress(start + len(part))
		}
	}
	return res, nil
}

func (db *DB) importChunk(ctx context.Context, pays []Payment, business civil.Date, res *ImportResult) error {
	ids, err := db.resolveLoans(ctx, pays)
	if err != nil {
		return err
	}
	var list []int64
	for _, id := range ids {
		list = append(list, id)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p := &poster{db: db, tx: tx, business: business}
	if err := p.load(ctx, uniq(list)); err != nil {
		return err
	}
	posted, dups := 0, 0
	var rejects []Reject
	for _, pay := range pays {
		id, ok := ids[pay.LoanRef]
		if !ok {
			rejects = append(rejects, Reject{pay.Line, fmt.Sprintf("loan_id: unknown loan %q", pay.LoanRef)})
			continue
		}
		_, dup, err := p.post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: pay.ValueDate, Amount: pay.Amount, Channel: pay.Channel, Reference: pay.Reference})
		switch {
		case err != nil && daihou.ErrorCode(err) == daihou.EINTERNAL:
			return err
		case err != nil:
			rejects = append(rejects, Reject{pay.Line, daihou.ErrorMessage(err)})
		case dup:
			dups++
		default:
			posted++
		}
	}
	if err := p.refresh(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	res.Posted += posted
	res.Duplicates += dups
	res.Rejects = append(res.Rejects, rejects...)
	return nil
}

// resolveLoans maps the loan numbers in pays to loan ids.
func (db *DB) resolveLoans(ctx context.Context, pays []Payment) (map[string]int64, error) {
	refs := map[string]bool{}
	for _, p := range pays {
		refs[p.LoanRef] = true
	}
	list := make([]string, 0, len(refs))
	for r := range refs {
		list = append(list, r)
	}
	out := make(map[string]int64, len(list))
	for len(list) > 0 {
		n := min(len(list), batchSize)
		args := make([]any, n)
		for i, r := range list[:n] {
			args[i] = r
		}
		list = list[n:]
		rows, err := db.read.QueryContext(ctx, `SELECT external_id, id FROM loans WHERE external_id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ext string
			var id int64
			if err := rows.Scan(&ext, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[ext] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func uniq(ids []int64) []int64 {
	out := ids[:0:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
