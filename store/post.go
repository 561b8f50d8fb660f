package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"daihou"
	"daihou/civil"
	"daihou/classification"
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
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return t, false, err
	}
	defer tx.Rollback()
	// The business date is read inside the transaction: close of business
	// moves it when a run starts, and a posting must derive as of the date
	// it commits on.
	business, err := businessDate(ctx, tx, db.Now)
	if err != nil {
		return t, false, err
	}
	p := &poster{db: db, business: business}
	if err := p.load(ctx, tx, []int64{t.LoanID}); err != nil {
		return t, false, err
	}
	if err := p.loadRefs(ctx, tx, map[int64][]string{t.LoanID: {t.Reference}}); err != nil {
		return t, false, err
	}
	posted, duplicate, err = p.post(t)
	if err != nil || duplicate {
		return posted, duplicate, err
	}
	if err := p.derive(ctx, tx); err != nil {
		return posted, false, err
	}
	if err := p.write(ctx, tx); err != nil {
		return posted, false, err
	}
	return posted, false, tx.Commit()
}

// poster posts transactions for a set of loans in two phases: a plan,
// made in memory from what it loaded (new transactions checked and
// sequenced, snapshots re-derived), and a write of that plan in one
// database transaction. Splitting them lets a bulk import read and derive
// the next chunk while the previous one is being written.
type poster struct {
	db       *DB
	business civil.Date
	products map[string]servicing.Product
	loans    map[int64]servicing.Loan
	txs      map[int64][]servicing.Tx
	lastSeq  map[int64]int64 // each loan's last seq when loaded
	touched  []int64
	pending  []servicing.Tx
	refs     map[int64]map[string]servicing.Tx // stored transactions by the references being posted
	snaps    []loanstate.Snapshot
	prev     map[int64]classification.Class // cached class before, for the history
}

func (p *poster) load(ctx context.Context, q querier, ids []int64) error {
	var err error
	if p.products == nil {
		if p.products, err = products(ctx, q); err != nil {
			return err
		}
	}
	if p.loans, err = loadReplayLoans(ctx, q, ids); err != nil {
		return err
	}
	if p.txs, err = loadReplayTxs(ctx, q, ids); err != nil {
		return err
	}
	p.lastSeq = make(map[int64]int64, len(ids))
	for _, id := range ids {
		if t := p.txs[id]; len(t) > 0 {
			p.lastSeq[id] = t[len(t)-1].Seq
		}
	}
	p.touched, p.pending, p.snaps = nil, nil, nil
	return nil
}

// txColumnsT is txColumns qualified by the alias t.
var txColumnsT = "t." + strings.ReplaceAll(txColumns, ", ", ", t.")

// loadRefs loads the stored transactions that carry the references about
// to be posted, through the (loan_id, reference) index, so that duplicate
// detection reads a few rows rather than every loan's whole history.
func (p *poster) loadRefs(ctx context.Context, q querier, wanted map[int64][]string) error {
	p.refs = map[int64]map[string]servicing.Tx{}
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		// Each pair is one probe of the (loan_id, reference) index; the
		// VALUES columns are column1, column2 in SQLite and PostgreSQL.
		pair := "(?, ?), "
		if p.db.dialect == Postgres {
			pair = "(CAST(? AS BIGINT), ?), " // untyped parameters would be text; in SQLite a CAST would hide the index
		}
		rows, err := q.QueryContext(ctx, `SELECT `+txColumnsT+` FROM (VALUES `+strings.TrimSuffix(strings.Repeat(pair, len(args)/2), ", ")+
			`) v JOIN transactions t ON t.loan_id = v.column1 AND t.reference = v.column2 WHERE t.reference <> ''`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTx(rows)
			if err != nil {
				return err
			}
			if p.refs[t.LoanID] == nil {
				p.refs[t.LoanID] = map[string]servicing.Tx{}
			}
			p.refs[t.LoanID][t.Reference] = t
		}
		args = args[:0]
		return rows.Err()
	}
	for id, refs := range wanted {
		for _, r := range refs {
			if r == "" {
				continue
			}
			args = append(args, id, r)
			if len(args) >= 2*batchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// Errors a posting can fail with, beyond servicing's business rules.
var (
	ErrUnknownLoan        = errors.New("unknown loan")
	ErrReferenceConflict  = errors.New("reference already used for a different transaction of this loan")
	ErrReferenceRequired  = errors.New("a repayment or recovery needs a reference (the idempotency key)")
	errNoProductForLoanID = errors.New("loan's product is missing")
)

// post checks t against the loan as loaded plus what this poster already
// planned, and plans it.
func (p *poster) post(t servicing.Tx) (servicing.Tx, bool, error) {
	if (t.Kind == servicing.Repayment || t.Kind == servicing.Recovery) && t.Reference == "" {
		return t, false, daihou.Errorf(daihou.EINVALID, "%w", ErrReferenceRequired)
	}
	if t.Reference != "" {
		if old, found := p.refs[t.LoanID][t.Reference]; found {
			if old.Kind == t.Kind && old.ValueDate == t.ValueDate && old.Amount == t.Amount {
				return old, true, nil
			}
			return t, false, daihou.Errorf(daihou.ECONFLICT, "%w: %q is %s %v on %v", ErrReferenceConflict, t.Reference, old.Kind, old.Amount, old.ValueDate)
		}
	}
	l, ok := p.loans[t.LoanID]
	if !ok {
		return t, false, daihou.Errorf(daihou.ENOTFOUND, "%w: %d", ErrUnknownLoan, t.LoanID)
	}
	prod, ok := p.products[l.Product]
	if !ok {
		return t, false, daihou.Errorf(daihou.EINTERNAL, "%w: %s", errNoProductForLoanID, l.Product)
	}
	existing := p.txs[t.LoanID]
	if err := servicing.Check(prod, l, existing, t, p.business); err != nil {
		return t, false, daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	t.Seq = 1
	if n := len(existing); n > 0 {
		t.Seq = existing[n-1].Seq + 1
	}
	if n := len(existing); n == 0 || existing[n-1].Seq == p.lastSeq[t.LoanID] {
		p.touched = append(p.touched, t.LoanID) // first posting to this loan
	}
	p.txs[t.LoanID] = append(existing, t)
	p.pending = append(p.pending, t)
	if t.Reference != "" { // a second row with this reference in the same file is a duplicate
		if p.refs == nil {
			p.refs = map[int64]map[string]servicing.Tx{}
		}
		if p.refs[t.LoanID] == nil {
			p.refs[t.LoanID] = map[string]servicing.Tx{}
		}
		p.refs[t.LoanID][t.Reference] = t
	}
	return t, false, nil
}

// derive re-derives the snapshots of the touched loans as of the business
// date; a chunk whose payments were all duplicates touches nothing.
func (p *poster) derive(ctx context.Context, q querier) error {
	ids := p.touched
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	p.touched = ids
	x, err := extras(ctx, q, ids)
	if err != nil {
		return err
	}
	if p.prev, err = loadClasses(ctx, q, ids); err != nil {
		return err
	}
	snaps := deriveAll(ids, func(id int64) (loanstate.Snapshot, bool) {
		l := p.loans[id]
		if p.business.Before(l.Disbursed) {
			return loanstate.Snapshot{}, false // not yet disbursed on the business date
		}
		snap, _ := loanstate.Derive(p.products[l.Product], l, p.txs[id], p.business, x[id])
		return snap, true
	})
	p.snaps = snaps[:0]
	for _, s := range snaps {
		if s.LoanID != 0 {
			p.snaps = append(p.snaps, s)
		}
	}
	return nil
}

// write inserts the planned transactions and snapshots in tx.
func (p *poster) write(ctx context.Context, tx *sql.Tx) error {
	ins := newBatcher(tx, `INSERT INTO transactions (`+txColumns+`, posted_at) VALUES`, "", 13)
	var stamp string
	if len(p.pending) > 0 {
		stamp = p.db.stamp()
	}
	for _, t := range p.pending {
		if err := ins.add(ctx, t.LoanID, t.Seq, string(t.Kind), int64(t.ValueDate), int64(t.Amount), t.Channel, t.Reference, t.Reverses,
			string(t.Component), int64(t.NewRate), int64(t.NewTerm), string(t.NewMethod), stamp); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	w := newSnapshotWriter(tx, p.prev)
	for i := range p.snaps {
		if err := w.write(ctx, &p.snaps[i]); err != nil {
			return err
		}
	}
	return w.close(ctx)
}

// deriveAll runs derive for every id on all CPUs; replay is pure, so the
// only shared thing is the output slice, written at distinct indexes.
func deriveAll(ids []int64, derive func(int64) (loanstate.Snapshot, bool)) []loanstate.Snapshot {
	out := make([]loanstate.Snapshot, len(ids))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(ids)/64))
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
		if err := db.refreshChunk(ctx, chunk, business); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) refreshChunk(ctx context.Context, ids []int64, business civil.Date) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p := &poster{db: db, business: business}
	if err := p.load(ctx, tx, ids); err != nil {
		return err
	}
	p.touched = ids
	if err := p.derive(ctx, tx); err != nil {
		return err
	}
	if err := p.write(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
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
//
// The chunks never share a loan, so the next chunk is read, checked and
// re-derived from the read pool while the previous one is written; the
// write then verifies that no other posting touched its loans in between
// (and plans again inside the write transaction if one did).
func (db *DB) ImportPayments(ctx context.Context, pays []Payment, progress func(done int)) (ImportResult, error) {
	defer bulkGC()()
	var res ImportResult
	business, err := db.BusinessDate(ctx)
	if err != nil {
		return res, err
	}
	chunks := chunkByLoan(pays, 5000)
	type planned struct {
		pays []Payment
		p    *poster
		ids  map[string]int64
		res  ImportResult
		err  error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	plans := make(chan planned, 1)
	go func() {
		defer close(plans)
		var prods map[string]servicing.Product
		for _, c := range chunks {
			pl := planned{pays: c}
			pl.ids, pl.err = db.resolveLoans(ctx, c)
			if pl.err == nil {
				pl.p = &poster{db: db, business: business, products: prods}
				pl.res, pl.err = pl.p.plan(ctx, db.read, c, pl.ids)
				prods = pl.p.products
			}
			select {
			case plans <- pl:
			case <-ctx.Done():
				return
			}
			if pl.err != nil {
				return
			}
		}
	}()
	done := 0
	for pl := range plans {
		if pl.err != nil {
			return res, pl.err
		}
		got, err := db.writePlan(ctx, pl.p, pl.pays, pl.ids, pl.res)
		if err != nil {
			return res, err
		}
		res.Posted += got.Posted
		res.Duplicates += got.Duplicates
		res.Rejects = append(res.Rejects, got.Rejects...)
		done += len(pl.pays)
		if progress != nil {
			progress(done)
		}
	}
	sort.SliceStable(res.Rejects, func(i, j int) bool { return res.Rejects[i].Line < res.Rejects[j].Line })
	return res, ctx.Err()
}

// plan loads the chunk's loans through q, posts its payments in memory and
// derives the touched loans' snapshots.
func (p *poster) plan(ctx context.Context, q querier, pays []Payment, ids map[string]int64) (ImportResult, error) {
	var res ImportResult
	list := make([]int64, 0, len(ids))
	for _, id := range ids {
		list = append(list, id)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	// References first: a re-delivered file is then answered from the
	// index alone, and only loans with something new are read and replayed.
	wanted := map[int64][]string{}
	for _, pay := range pays {
		if id, ok := ids[pay.LoanRef]; ok {
			wanted[id] = append(wanted[id], pay.Reference)
		}
	}
	if err := p.loadRefs(ctx, q, wanted); err != nil {
		return res, err
	}
	need := list[:0:0]
	for _, id := range list {
		for _, ref := range wanted[id] {
			if _, dup := p.refs[id][ref]; !dup {
				need = append(need, id)
				break
			}
		}
	}
	if err := p.load(ctx, q, need); err != nil {
		return res, err
	}
	for _, pay := range pays {
		id, ok := ids[pay.LoanRef]
		if !ok {
			res.Rejects = append(res.Rejects, Reject{pay.Line, fmt.Sprintf("loan_id: unknown loan %q", pay.LoanRef)})
			continue
		}
		_, dup, err := p.post(servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: pay.ValueDate, Amount: pay.Amount, Channel: pay.Channel, Reference: pay.Reference})
		switch {
		case err != nil && daihou.ErrorCode(err) == daihou.EINTERNAL:
			return res, err
		case err != nil:
			res.Rejects = append(res.Rejects, Reject{pay.Line, daihou.ErrorMessage(err)})
		case dup:
			res.Duplicates++
		default:
			res.Posted++
		}
	}
	return res, p.derive(ctx, q)
}

// writePlan writes a plan made outside the write transaction. Every loan
// the plan touches gets a transaction with the next sequence number after
// the one it read, so a posting that reached one of those loans in between
// makes the insert fail on the primary key (or a reference on the
// idempotency key); the chunk is then planned again inside the write
// transaction, where nothing can move under it.
func (db *DB) writePlan(ctx context.Context, p *poster, pays []Payment, ids map[string]int64, res ImportResult) (ImportResult, error) {
	err := db.inWriteTx(ctx, func(tx *sql.Tx) error { return p.write(ctx, tx) })
	if !isUniqueViolation(err) {
		return res, err
	}
	err = db.inWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if res, err = p.plan(ctx, tx, pays, ids); err != nil {
			return err
		}
		return p.write(ctx, tx)
	})
	return res, err
}

// inWriteTx runs fn in a write transaction and commits if it succeeds.
func (db *DB) inWriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// chunkByLoan splits pays into chunks of about size rows such that all
// payments of one loan fall in the same chunk, keeping input order within
// a loan.
func chunkByLoan(pays []Payment, size int) [][]Payment {
	order := make([]int, len(pays))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return pays[order[a]].LoanRef < pays[order[b]].LoanRef })
	var out [][]Payment
	var cur []Payment
	for i, k := range order {
		cur = append(cur, pays[k])
		last := i == len(order)-1
		if last || (len(cur) >= size && pays[order[i+1]].LoanRef != pays[k].LoanRef) {
			out = append(out, cur)
			cur = nil
		}
	}
	return out
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

// refreshLoans derives the snapshots of ids as of asOf from loans and txs
// already in memory and writes them in tx.
func refreshLoans(ctx context.Context, tx *sql.Tx, ids []int64, prods map[string]servicing.Product, loans map[int64]servicing.Loan, txs map[int64][]servicing.Tx, asOf civil.Date) error {
	if len(ids) == 0 {
		return nil
	}
	p := &poster{business: asOf, products: prods, loans: loans, txs: txs, touched: append([]int64(nil), ids...)}
	if err := p.derive(ctx, tx); err != nil {
		return err
	}
	return p.write(ctx, tx)
}

// bulkGC raises the garbage collector's target while a bulk path runs and
// returns the function that restores it. Bulk paths allocate short-lived
// argument slices by the million (database/sql boxes every value); with
// the default target the collector ran often enough to cost a third of
// the import's throughput. Memory stays bounded by the chunk size.
func bulkGC() func() {
	old := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(old) }
}
