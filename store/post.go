package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/config"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
)

// Post appends one transaction to a loan after servicing.Check accepts it
// and derives the loan's cached state again as of the business date (with
// its score and its borrower's contagion), all in one database
// transaction. A transaction whose reference (idempotency key) the book
// already has is not posted again: Post returns the stored transaction and
// duplicate = true if it is the same transaction of the same loan,
// ECONFLICT if the reference was used for a different one. A zero value
// date is the business date.
func (db *DB) Post(ctx context.Context, t servicing.Tx) (posted servicing.Tx, duplicate bool, err error) {
	if _, err := postAction(t.Kind); err != nil {
		return posted, false, err
	}
	err = db.inTx(ctx, func(tx *wtx) error {
		p, err := db.posterIn(ctx, tx)
		if err != nil {
			return err
		}
		posted, duplicate, err = db.postIn(ctx, tx, p, t)
		return err
	})
	if err != nil || duplicate {
		return posted, duplicate, err
	}
	return posted, false, nil
}

// postAction is the action a posting of kind takes.
func postAction(kind servicing.TxKind) (auth.Action, error) {
	action, ok := auth.PostAction(string(kind))
	if !ok {
		return "", daihou.Invalid("kind", "kind: %q is not a transaction that can be posted: want repayment, reversal, waiver, write-off, recovery, fee or restructure", kind)
	}
	return action, nil
}

// postIn posts t in tx as tx's actor with the poster p (of tx's business
// date), and appends its audit entry.
func (db *DB) postIn(ctx context.Context, tx *wtx, p *poster, t servicing.Tx) (posted servicing.Tx, duplicate bool, err error) {
	action, err := postAction(t.Kind)
	if err != nil {
		return posted, false, err
	}
	if err := tx.canLoan(ctx, action, t.LoanID); err != nil {
		return posted, false, err
	}
	return db.postAuthorized(ctx, tx, p, t, "")
}

// postAuthorized is postIn for a caller that authorised the posting
// itself, as part of an act of its own: an approved proposal (the checker
// decides, not a Post… grant) or a legal case's recovery. why, when not
// "", is added to the posting's audit entry: who proposed and approved it,
// or which case it recovers for.
func (db *DB) postAuthorized(ctx context.Context, tx *wtx, p *poster, t servicing.Tx, why string) (posted servicing.Tx, duplicate bool, err error) {
	if err := p.lockRefs(ctx, tx, []string{t.Reference}); err != nil {
		return posted, false, err
	}
	if err := p.lockLoans(ctx, tx, []int64{t.LoanID}); err != nil {
		return posted, false, err
	}
	if err := p.loadRefs(ctx, tx, []string{t.Reference}); err != nil {
		return posted, false, err
	}
	if err := p.load(ctx, tx, []int64{t.LoanID}); err != nil {
		return posted, false, err
	}
	if t.ValueDate == 0 {
		t.ValueDate = p.business
	}
	if posted, duplicate, err = p.post(t); err != nil || duplicate {
		return posted, duplicate, err
	}
	if err := p.derive(ctx, tx); err != nil {
		return posted, false, err
	}
	if err := p.write(ctx, tx); err != nil {
		return posted, false, err
	}
	posted = p.pending[len(p.pending)-1] // with what it applied
	return posted, false, tx.auditPostingWhy(ctx, posted, why)
}

// poster posts transactions for a set of loans in two phases: a plan,
// made in memory from what it loaded (new transactions checked and
// sequenced, the loans derived again), and a write of that plan in one
// database transaction. Splitting them lets a bulk import read and derive
// the next chunk while the previous one is being written.
type poster struct {
	db       *DB
	business civil.Date
	products map[string]servicing.Product
	deriver  *loanstate.Deriver
	maxRate  money.Rate
	loans    map[int64]replayLoan
	txs      map[int64][]servicing.Tx
	lastSeq  map[int64]int64 // each loan's last seq when loaded
	touched  []int64
	pending  []servicing.Tx
	refs     map[string]servicing.Tx // stored (and planned) transactions by reference
	rows     []postedRow
	states   map[int64]*servicing.State // each derived loan's replay, for what its new transactions applied
	classes  []loanstate.ClassChange
	scores   []loanstate.ScoreChange
	marks    []int64 // loans derived again for contagion: close of business counts them again
}

// postedRow is a loan's new cached row.
type postedRow struct {
	snap loanstate.Snapshot
	wake civil.Date
}

// posterIn returns a poster at the business date of the write
// transaction tx.
func (db *DB) posterIn(ctx context.Context, tx *wtx) (*poster, error) {
	business, err := tx.needBusinessDate()
	if err != nil {
		return nil, err
	}
	return db.newPoster(ctx, tx, business)
}

func (db *DB) newPoster(ctx context.Context, q querier, business civil.Date) (*poster, error) {
	p := &poster{db: db, business: business}
	var err error
	if p.products, err = products(ctx, q); err != nil {
		return nil, err
	}
	if p.deriver, _, err = db.deriverQ(ctx, q); err != nil {
		return nil, err
	}
	p.deriver.KeepState = true
	if p.maxRate, err = maxRate(ctx, q); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *poster) load(ctx context.Context, q querier, ids []int64) error {
	var err error
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
	p.touched, p.pending, p.rows, p.classes, p.scores, p.marks = nil, nil, nil, nil, nil, nil
	return nil
}

// txColumnsT is txColumns qualified by the alias t.
var txColumnsT = "t." + strings.ReplaceAll(txColumns, ", ", ", t.")

// loadRefs loads the stored transactions that carry the references about
// to be posted, through the reference index, so that duplicate detection
// reads a few rows rather than every loan's whole history.
func (p *poster) loadRefs(ctx context.Context, q querier, refs []string) error {
	p.refs = map[string]servicing.Tx{}
	var want []string
	for _, r := range refs {
		if r != "" {
			want = append(want, r)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	for len(want) > 0 {
		n := min(len(want), batchSize)
		args := make([]any, n)
		for i, r := range want[:n] {
			args[i] = r
		}
		want = want[n:]
		if err := func() error {
			rows, err := q.QueryContext(ctx, `SELECT `+txColumnsT+` FROM transactions t WHERE t.reference <> '' AND t.reference IN (`+placeholders(n)+`)`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				t, err := scanTx(rows)
				if err != nil {
					return err
				}
				if _, seen := p.refs[t.Reference]; !seen || t.Kind != servicing.Reversal {
					p.refs[t.Reference] = t
				}
			}
			return rows.Err()
		}(); err != nil {
			return err
		}
	}
	return nil
}

// lockRefs serialises, on PostgreSQL, the transactions that post the same
// references, so that a reference checked free is still free when it is
// written; SQLite has one writer.
func (p *poster) lockRefs(ctx context.Context, q querier, refs []string) error {
	if p.db.dialect != Postgres {
		return nil
	}
	var want []string
	for _, r := range refs {
		if r != "" {
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want) // one order for everyone: no deadlocks
	want = slices.Compact(want)
	_, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(r, 7261004)) FROM unnest(CAST(? AS TEXT[])) AS r ORDER BY r`, want)
	return err
}

// lockLoans serialises, on PostgreSQL, the transactions that post to the
// same loans, so that the sequence number a posting reads is still the
// last when it writes; SQLite has one writer.
func (p *poster) lockLoans(ctx context.Context, q querier, ids []int64) error {
	if p.db.dialect != Postgres || len(ids) == 0 {
		return nil
	}
	return inBatches(slices.Sorted(slices.Values(ids)), func(_ []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT id FROM loans WHERE id IN (`+marks+`) ORDER BY id FOR UPDATE`, args...)
		if err != nil {
			return err
		}
		return rows.Close()
	})
}

// Errors a posting can fail with, beyond servicing's business rules.
var (
	ErrUnknownLoan        = errors.New("unknown loan")
	ErrReferenceConflict  = errors.New("reference already used for a different transaction")
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
		if old, found := p.refs[t.Reference]; found {
			if old.LoanID == t.LoanID && old.Kind == t.Kind && old.ValueDate == t.ValueDate && (old.Amount == t.Amount || t.Amount == 0 && t.Kind != servicing.Repayment) {
				return old, true, nil
			}
			where := "this loan"
			if old.LoanID != t.LoanID {
				where = fmt.Sprintf("loan %d", old.LoanID)
			}
			return t, false, daihou.Errorf(daihou.ECONFLICT, "%w: %q is %s #%d of %s, %v on %v", ErrReferenceConflict, t.Reference, old.Kind, old.Seq, where, old.Amount, old.ValueDate)
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
	if t.Kind == servicing.Restructure {
		if err := config.CheckRate("new rate", t.NewRate, p.maxRate); err != nil {
			return t, false, daihou.Errorf(daihou.EINVALID, "%w", err)
		}
	}
	existing := p.txs[t.LoanID]
	if err := servicing.Check(prod, l.Loan, existing, t, p.business); err != nil {
		return t, false, daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	if t.Kind == servicing.Reversal {
		// What the reversal takes back is what the transaction it reverses
		// does now, before it is reversed.
		before := servicing.Replay(prod, l.Loan, existing, p.business)
		for _, x := range existing {
			if x.Seq == t.Reverses {
				t.Amount = x.Amount
			}
		}
		if parts, ok := before.Applied(t.Reverses); ok {
			t.Applied = negate(parts)
		}
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
		p.refs[t.Reference] = t
	}
	return t, false, nil
}

// derive derives the touched loans again as of the business date, with
// their borrowers' other loans for contagion; a loan whose contagion the
// new state turns on or off is derived with them. A chunk whose payments
// were all duplicates touches nothing.
func (p *poster) derive(ctx context.Context, q querier) error {
	ids := slices.Clone(p.touched)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for round := 0; ; round++ {
		over, err := overrides(ctx, q, ids)
		if err != nil {
			return err
		}
		prev, err := loadSnapshots(ctx, q, ids)
		if err != nil {
			return err
		}
		var shared []int64
		in := make([]loanstate.Input, 0, len(ids))
		for _, id := range ids {
			l := p.loans[id]
			if l.siblings > 0 {
				shared = append(shared, l.BorrowerID)
			}
			x := loanstate.Input{Product: p.products[l.Product], Loan: l.Loan, Txs: p.txs[id], Override: over[id].class, OverrideReason: over[id].reason}
			if s, ok := prev[id]; ok {
				x.InitialScore = s.InitialScore
			}
			in = append(in, x)
		}
		others, err := exposures(ctx, q, shared)
		if err != nil {
			return err
		}
		if err := withFacts(ctx, q, in, p.business); err != nil {
			return err
		}
		got, marks := p.deriver.Derive(p.business, in, others)
		if len(marks) > 0 && round == 0 {
			// Siblings whose contagion moves: load them and derive the
			// whole group again, together.
			if err := p.loadMore(ctx, q, marks); err != nil {
				return err
			}
			p.marks = append(p.marks, marks...)
			ids = append(ids, marks...)
			slices.Sort(ids)
			continue
		}
		p.rows, p.classes, p.scores = p.rows[:0], p.classes[:0], p.scores[:0]
		p.states = make(map[int64]*servicing.State, len(got))
		for _, g := range got {
			if !g.OK {
				continue // not yet disbursed on the business date
			}
			s := g.Snapshot
			p.states[s.LoanID] = g.State
			old, had := prev[s.LoanID]
			p.rows = append(p.rows, postedRow{snap: s, wake: loanstate.Wake(&s)})
			if !had || old.Class != s.Class {
				p.classes = append(p.classes, loanstate.ClassChange{LoanID: s.LoanID, AsOf: p.business, From: old.Class, To: s.Class, Cause: s.ClassCause})
			}
			if s.ModelID != 0 && (!had || old.ModelID != s.ModelID || old.Score != s.Score || old.PD != s.PD || old.Reasons != s.Reasons) {
				p.scores = append(p.scores, loanstate.ScoreChange{LoanID: s.LoanID, AsOf: p.business, ModelID: s.ModelID, Score: s.Score, PD: float64(s.PD) / 1e10, Reasons: s.Reasons})
			}
		}
		return nil
	}
}

// loadMore adds loans to what the poster has loaded.
func (p *poster) loadMore(ctx context.Context, q querier, ids []int64) error {
	loans, err := loadReplayLoans(ctx, q, ids)
	if err != nil {
		return err
	}
	txs, err := loadReplayTxs(ctx, q, ids)
	if err != nil {
		return err
	}
	for id, l := range loans {
		p.loans[id], p.txs[id] = l, txs[id]
	}
	return nil
}

// write inserts the planned transactions, each with what it applied in the
// derivation, and the derived rows in tx.
func (p *poster) write(ctx context.Context, tx *wtx) error {
	ins := newBatcher(tx, `INSERT INTO transactions (`+txColumns+`, posted_at) VALUES`, "", txColumnCount+1)
	stamp := tx.stamp()
	for i := range p.pending {
		t := &p.pending[i]
		if st := p.states[t.LoanID]; st != nil && t.Kind != servicing.Reversal {
			if parts, ok := st.Applied(t.Seq); ok {
				t.Applied = parts
				if t.Amount == 0 { // a write-off or restructuring of whatever is outstanding
					t.Amount = parts.Sum()
				}
			}
		}
		if err := ins.add(ctx, txArgs(t, stamp)...); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	w := newSnapshotWriter(tx)
	for i := range p.rows {
		if err := w.write(ctx, &p.rows[i].snap, p.rows[i].wake); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	if err := writeHistory(ctx, tx, p.classes, p.scores); err != nil {
		return err
	}
	return markDirty(ctx, tx, p.marks)
}

// Refresh derives the cached state of the given loans (all loans when ids
// is nil) again as of the business date.
func (db *DB) Refresh(ctx context.Context, ids []int64) error {
	if ids == nil {
		var err error
		if ids, err = queryIDs(ctx, db.read, `SELECT id FROM loans ORDER BY id`); err != nil {
			return err
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 5000)
		chunk := ids[:n]
		ids = ids[n:]
		if err := db.inTx(ctx, func(tx *wtx) error {
			if err := tx.can(auth.RunEOD, auth.Book()); err != nil {
				return err
			}
			if err := db.refresh(ctx, tx, chunk); err != nil {
				return err
			}
			return tx.audit(ctx, "state.refresh", "book", audit.DigestFields(idList(chunk)...), fmt.Sprintf("%d loans derived again, %d to %d", len(chunk), chunk[0], chunk[len(chunk)-1]))
		}); err != nil {
			return err
		}
	}
	return nil
}

// refresh derives ids again in tx and marks them for close of business,
// which counts them in the aggregates.
func (db *DB) refresh(ctx context.Context, tx *wtx, ids []int64) error {
	p, err := db.posterIn(ctx, tx)
	if err != nil {
		return err
	}
	if err := p.load(ctx, tx, ids); err != nil {
		return err
	}
	p.touched = ids
	p.marks = append(p.marks, ids...)
	if err := p.derive(ctx, tx); err != nil {
		return err
	}
	return p.write(ctx, tx)
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

// ImportPayments posts repayments of the file src in chunks; each chunk is
// one database transaction that inserts its payments, derives the loans it
// touched again and appends its audit entry (see auditImport). A payment
// that cannot be posted is rejected with its line and reason and never
// stops the others. progress, if not nil, is called after each chunk with
// the number of rows done.
//
// The chunks never share a loan, so the next chunk is read, checked and
// derived from the read pool while the previous one is written; the write
// then verifies that no other posting touched its loans or used its
// references in between (and plans again inside the write transaction if
// one did).
func (db *DB) ImportPayments(ctx context.Context, src Source, pays []Payment, progress func(done int)) (ImportResult, error) {
	var res ImportResult
	if err := auth.Can(auth.FromContext(ctx), auth.ImportPayments, auth.Book()).Err(); err != nil {
		return res, err
	}
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
		for _, c := range chunks {
			pl := planned{pays: c}
			pl.ids, pl.err = db.resolveLoans(ctx, c)
			if pl.err == nil {
				pl.p, pl.err = db.newPoster(ctx, db.read, business)
			}
			if pl.err == nil {
				pl.res, pl.err = pl.p.plan(ctx, db.read, c, pl.ids)
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
	done, chunk := 0, 0
	for pl := range plans {
		if pl.err != nil {
			return res, pl.err
		}
		chunk++
		entry := func(ctx context.Context, tx *wtx, got ImportResult) error {
			c := importCounts{got.Posted, got.Duplicates, len(got.Rejects)}
			all := importCounts{res.Posted + c.added, res.Duplicates + c.present, len(res.Rejects) + c.rejected}
			return tx.auditImport(ctx, string(auth.ImportPayments), src, chunk, len(chunks), c, all)
		}
		got, err := db.writePlan(ctx, pl.p, pl.pays, pl.ids, pl.res, entry)
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
	if chunk == 0 && ctx.Err() == nil { // a file of rejected rows only is still recorded
		if err := db.inTx(ctx, func(tx *wtx) error {
			return tx.auditImport(ctx, string(auth.ImportPayments), src, 1, 1, importCounts{}, importCounts{})
		}); err != nil {
			return res, err
		}
	}
	sort.SliceStable(res.Rejects, func(i, j int) bool { return res.Rejects[i].Line < res.Rejects[j].Line })
	return res, ctx.Err()
}

// plan loads the chunk's loans through q, posts its payments in memory and
// derives the touched loans.
func (p *poster) plan(ctx context.Context, q querier, pays []Payment, ids map[string]int64) (ImportResult, error) {
	var res ImportResult
	// References first: a re-delivered file is then answered from the
	// index alone, and only loans with something new are read and derived.
	refs := make([]string, 0, len(pays))
	for _, pay := range pays {
		refs = append(refs, pay.Reference)
	}
	if err := p.loadRefs(ctx, q, refs); err != nil {
		return res, err
	}
	need := map[int64]bool{}
	for _, pay := range pays {
		id, ok := ids[pay.LoanRef]
		if !ok {
			continue
		}
		if old, dup := p.refs[pay.Reference]; !dup || old.LoanID != id {
			need[id] = true
		}
	}
	list := make([]int64, 0, len(need))
	for id := range need {
		list = append(list, id)
	}
	slices.Sort(list)
	if err := p.load(ctx, q, list); err != nil {
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
// makes the insert fail on the primary key; a reference of the plan that
// another posting used meanwhile shows in the index; and close of business
// may have moved the business date. The chunk is then planned again inside
// the write transaction, where nothing can move under it.
func (db *DB) writePlan(ctx context.Context, p *poster, pays []Payment, ids map[string]int64, res ImportResult, entry func(context.Context, *wtx, ImportResult) error) (ImportResult, error) {
	refs := make([]string, 0, len(p.pending))
	for _, t := range p.pending {
		refs = append(refs, t.Reference)
	}
	replan := false
	err := db.inTx(ctx, func(tx *wtx) error {
		if tx.business != p.business {
			replan = true // close of business moved the date since the plan
			return nil
		}
		if err := p.lockRefs(ctx, tx, refs); err != nil {
			return err
		}
		taken, err := refsTaken(ctx, tx, refs)
		if err != nil || taken {
			replan = taken
			return err
		}
		if err := p.write(ctx, tx); err != nil {
			return err
		}
		return entry(ctx, tx, res)
	})
	if err == nil && !replan {
		return res, nil
	}
	if !replan && !isUniqueViolation(err) {
		return res, err
	}
	err = db.inTx(ctx, func(tx *wtx) error {
		var err error
		if p, err = db.newPoster(ctx, tx, tx.business); err != nil {
			return err
		}
		all := make([]string, 0, len(pays))
		for _, pay := range pays {
			all = append(all, pay.Reference)
		}
		if err := p.lockRefs(ctx, tx, all); err != nil {
			return err
		}
		loans := make([]int64, 0, len(ids))
		for _, id := range ids {
			loans = append(loans, id)
		}
		if err := p.lockLoans(ctx, tx, loans); err != nil {
			return err
		}
		if res, err = p.plan(ctx, tx, pays, ids); err != nil {
			return err
		}
		if err := p.write(ctx, tx); err != nil {
			return err
		}
		return entry(ctx, tx, res)
	})
	return res, err
}

// refsTaken reports whether any of refs is on a stored transaction.
func refsTaken(ctx context.Context, q querier, refs []string) (bool, error) {
	for len(refs) > 0 {
		n := min(len(refs), batchSize)
		args := make([]any, n)
		for i, r := range refs[:n] {
			args[i] = r
		}
		refs = refs[n:]
		var found int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM transactions WHERE reference <> '' AND reference IN (`+placeholders(n)+`)`, args...).Scan(&found); err != nil {
			return false, err
		}
		if found > 0 {
			return true, nil
		}
	}
	return false, nil
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

// negate returns the parts with their signs turned.
func negate(p servicing.Parts) servicing.Parts {
	return servicing.Parts{Fee: -p.Fee, Penalty: -p.Penalty, Compound: -p.Compound, Interest: -p.Interest, Principal: -p.Principal,
		Prepaid: -p.Prepaid, Credit: -p.Credit, Recovery: -p.Recovery}
}
