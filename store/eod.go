package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// EODOptions controls a close-of-business run.
type EODOptions struct {
	// Full re-derives every loan, not only those whose state can change,
	// and rebuilds the aggregates from the per-loan records.
	Full bool
	// ChunkSize is the number of loans re-derived and committed together
	// (default 20,000). Every chunk commits its snapshots, records,
	// aggregate differences and the checkpoint atomically.
	ChunkSize int
	// Progress, when set, is told the loans done and the loans selected
	// of the date being closed after every chunk.
	Progress func(date civil.Date, done, total int64)
	// StopAfterChunks, when positive, stops the run with ErrEODStopped right
	// after that many chunks have committed: a test hook that interrupts
	// close of business at a checkpoint, as a crash would.
	StopAfterChunks int
	// AfterChunk, when set, is called after every committed chunk (tests).
	AfterChunk func(date civil.Date, chunk int64)
	// Partitions, when positive, splits a run's scan (from its start) into
	// that many partitions of loan ids, each worked and checkpointed on its
	// own (see eod_partition.go); the run then merges and finishes once.
	Partitions int
	// Dispatch, when set with Partitions, hands the partitions of a run to
	// workers (a queue) and returns when all are done; without it they are
	// worked in this process, one after the other.
	Dispatch func(ctx context.Context, job EODJob) error
	// Worker names this process in eod_partitions (default host/pid).
	Worker string
}

// ErrEODStopped is returned when EODOptions.StopAfterChunks stops a run.
var ErrEODStopped = errors.New("close of business stopped after the requested number of chunks")

// volatileSQL selects the loans eod.Volatile names, through the partial
// index loan_state_volatile; dueSQL the rest, through loan_state_next_due.
const (
	volatileSQL = `SELECT loan_id FROM loan_state WHERE status = 'written-off' OR dpd > 0 OR overdue_principal > 0 OR overdue_interest > 0 OR (restructured = 1 AND class = 2)`
	dueSQL      = `SELECT loan_id FROM loan_state WHERE next_due_date BETWEEN 1 AND ?`
)

// CloseOfBusiness closes business dates up to and including d (日终批处理):
// it resumes an interrupted run, then closes every date after the last one
// closed, day by day (catch-up), each with its own aggregates. Closing the
// last closed date again re-derives only loans with new events (or every
// loan with Full); with nothing new it changes nothing. A database never
// closed before starts with a full run on its business date.
//
// It returns ECONFLICT if d is before the last closed date, and
// ErrEODStopped when the StopAfterChunks hook fires.
func (db *DB) CloseOfBusiness(ctx context.Context, d civil.Date, opt EODOptions) ([]eod.Summary, error) {
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = 20000
	}
	r := &eodRunner{db: db, opt: opt}
	var out []eod.Summary
	for {
		st, err := db.eodState(ctx)
		if err != nil {
			return out, err
		}
		var date civil.Date
		switch {
		case st.running != 0 && st.running.After(d):
			return out, daihou.Errorf(daihou.ECONFLICT, "close of business for %v was interrupted: close %v (or later) to resume it", st.running, st.running)
		case st.running != 0:
			date = st.running
		case st.last == 0:
			date = st.business
			if d.Before(date) {
				return out, daihou.Errorf(daihou.ECONFLICT, "cannot close %v: the business date is already %v", d, date)
			}
		case d.Before(st.last):
			return out, daihou.Errorf(daihou.ECONFLICT, "cannot close %v: business is closed through %v and close of business never goes back", d, st.last)
		case d == st.last && len(out) == 0:
			date = d // the same date again
		case d == st.last:
			return out, nil
		default:
			date = st.last.AddDays(1)
		}
		if date.After(d) {
			return out, nil
		}
		s, err := r.run(ctx, date, st)
		if s != nil {
			out = append(out, *s)
		}
		if err != nil {
			return out, err
		}
		if date == d {
			return out, nil
		}
	}
}

type eodState struct {
	business civil.Date
	last     civil.Date // last closed date; zero if never
	running  civil.Date // a run left unfinished; zero if none
}

func (db *DB) eodState(ctx context.Context) (eodState, error) {
	var st eodState
	var err error
	if st.business, err = db.BusinessDate(ctx); err != nil {
		return st, err
	}
	var last, running sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(CASE WHEN status = 'done' THEN as_of END), MAX(CASE WHEN status = 'running' THEN as_of END) FROM eod_runs`).
		Scan(&last, &running); err != nil {
		return st, err
	}
	st.last, st.running = civil.Date(last.Int64), civil.Date(running.Int64)
	return st, nil
}

// LastClose returns the last business date closed, zero if none.
func (db *DB) LastClose(ctx context.Context) (civil.Date, error) {
	st, err := db.eodState(ctx)
	return st.last, err
}

// EODProgress returns the counters of the run of d so far, finished or
// not; ENOTFOUND if no run of d was started.
func (db *DB) EODProgress(ctx context.Context, d civil.Date) (eod.Summary, error) {
	var s eod.Summary
	var text string
	var chunks int64
	err := db.read.QueryRowContext(ctx, `SELECT summary, chunks FROM eod_runs WHERE as_of = ?`, d).Scan(&text, &chunks)
	if errors.Is(err, sql.ErrNoRows) {
		return s, daihou.Errorf(daihou.ENOTFOUND, "no close of business was started for %v", d)
	}
	if err != nil {
		return s, err
	}
	err = json.Unmarshal([]byte(text), &s)
	s.Chunks = max(s.Chunks, chunks)
	return s, err
}

// EODSummary returns the summary of the run that closed d; ENOTFOUND if d
// was never closed.
func (db *DB) EODSummary(ctx context.Context, d civil.Date) (eod.Summary, error) {
	var s eod.Summary
	var text, status string
	err := db.read.QueryRowContext(ctx, `SELECT summary, status FROM eod_runs WHERE as_of = ?`, d).Scan(&text, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return s, daihou.Errorf(daihou.ENOTFOUND, "business date %v has not been closed", d)
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return s, err
	}
	if status != "done" {
		return s, daihou.Errorf(daihou.ECONFLICT, "close of business for %v is still running or was interrupted", d)
	}
	return s, nil
}

type eodRunner struct {
	db     *DB
	opt    EODOptions
	chunks int // committed in this call, for StopAfterChunks
}

// eodRun is one date being closed.
type eodRun struct {
	date    civil.Date
	mode    string
	phase   string // scan, then dirty
	cursor  int64
	sum     eod.Summary
	began   time.Time
	prods   map[string]servicing.Product
	pending map[int64]bool // loans with events, not yet disbursed on date
	scorer  *eodScorer     // the champion model; nil when there is none
	part    *eodPart       // the partition worked; nil for the whole run
	done    int64
	total   int64
}

// run closes one date, resuming it if it was interrupted.
func (r *eodRunner) run(ctx context.Context, date civil.Date, st eodState) (*eod.Summary, error) {
	run, err := r.start(ctx, date, st)
	if err != nil {
		return nil, err
	}
	if run.prods, err = r.db.Products(ctx); err != nil {
		return nil, err
	}
	if run.scorer, err = r.db.loadEODScorer(ctx); err != nil {
		return nil, err
	}
	if run.phase == "scan" && run.cursor == 0 && r.opt.Partitions > 0 {
		if err := r.partition(ctx, run); err != nil {
			return &run.sum, err
		}
	}
	if run.phase == phasePartitioned {
		if err := r.runPartitions(ctx, run); err != nil {
			return &run.sum, err
		}
	}
	if run.phase == "scan" {
		if err := r.scan(ctx, run); err != nil {
			return &run.sum, err
		}
	}
	if err := r.sweep(ctx, run); err != nil {
		return &run.sum, err
	}
	if err := r.finish(ctx, run); err != nil {
		return &run.sum, err
	}
	return &run.sum, nil
}

// start opens the run of date, or picks up where an interrupted one left
// off. Opening sets the business date, so that payments posted while the
// run goes are derived as of the date being closed, and carries the
// previous date's aggregates forward.
func (r *eodRunner) start(ctx context.Context, date civil.Date, st eodState) (*eodRun, error) {
	db := r.db
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Write first, so the transaction holds the write lock before it reads.
	if _, err := tx.ExecContext(ctx, `UPDATE settings SET value = value WHERE key = 'business_date'`); err != nil {
		return nil, err
	}
	run := &eodRun{date: date, began: time.Now(), pending: map[int64]bool{}}
	var status, summary string
	err = tx.QueryRowContext(ctx, `SELECT mode, status, phase, last_loan, summary FROM eod_runs WHERE as_of = ?`, date).Scan(&run.mode, &status, &run.phase, &run.cursor, &summary)
	switch {
	case err == nil && status == "running":
		if err := json.Unmarshal([]byte(summary), &run.sum); err != nil {
			return nil, err
		}
		run.sum.Resumed = true
		return run, tx.Commit()
	case err == nil: // closed before: the same date again
		run.mode, run.phase = eod.ModeRerun, "dirty"
		if r.opt.Full {
			run.mode, run.phase = eod.ModeFull, "scan"
		}
		run.sum = eod.Summary{Date: date, Mode: run.mode}
		if _, err := tx.ExecContext(ctx, `UPDATE eod_runs SET mode = ?, status = 'running', phase = ?, last_loan = 0, chunks = 0, summary = ?, started_at = ?, finished_at = ''
			WHERE as_of = ?`, run.mode, run.phase, mustJSON(run.sum), db.stamp(), date); err != nil {
			return nil, err
		}
		return run, tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	run.mode, run.phase = eod.ModeIncremental, "scan"
	if r.opt.Full || st.last == 0 {
		run.mode = eod.ModeFull
	}
	run.sum = eod.Summary{Date: date, Mode: run.mode}
	if _, err := tx.ExecContext(ctx, `INSERT INTO eod_runs (as_of, mode, status, phase, last_loan, prev, summary, started_at) VALUES (?, ?, 'running', 'scan', 0, ?, ?, ?)`,
		date, run.mode, st.last, mustJSON(run.sum), db.stamp()); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('business_date', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, date.String()); err != nil {
		return nil, err
	}
	if st.last != 0 {
		if err := copyAggregates(ctx, tx, st.last, date); err != nil {
			return nil, err
		}
	}
	return run, tx.Commit()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// scan re-derives the selected loans in chunks of increasing loan id; the
// cursor makes a resumed run skip what is committed.
func (r *eodRunner) scan(ctx context.Context, run *eodRun) error {
	if run.mode == eod.ModeFull {
		if err := r.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans WHERE id > ?`, run.cursor).Scan(&run.total); err != nil {
			return err
		}
		after := run.cursor
		return r.process(ctx, run, "scan", func() ([]int64, error) {
			ids, err := queryIDs(ctx, r.db.read, `SELECT id FROM loans WHERE id > ? ORDER BY id LIMIT ?`, after, r.opt.ChunkSize)
			if len(ids) > 0 {
				after = ids[len(ids)-1]
			}
			return ids, err
		})
	}
	ids, err := r.candidates(ctx, run)
	if err != nil {
		return err
	}
	run.total = int64(len(ids))
	return r.process(ctx, run, "scan", chunksOf(ids, r.opt.ChunkSize))
}

// chunksOf returns successive chunks of ids, then nil.
func chunksOf(ids []int64, size int) func() ([]int64, error) {
	return func() ([]int64, error) {
		n := min(len(ids), size)
		out := ids[:n]
		ids = ids[n:]
		return out, nil
	}
}

// candidates returns the loans whose state can change on the run's date
// (eod.Volatile) or that have new events, after the cursor, in id order.
func (r *eodRunner) candidates(ctx context.Context, run *eodRun) ([]int64, error) {
	var all []int64
	for _, q := range []struct {
		sql  string
		args []any
	}{{volatileSQL, nil}, {dueSQL, []any{run.date}}, {`SELECT loan_id FROM eod_dirty`, nil}} {
		ids, err := queryIDs(ctx, r.db.read, q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		all = append(all, ids...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	out := all[:0]
	for i, id := range all {
		if id > run.cursor && (i == 0 || id != all[i-1]) {
			out = append(out, id)
		}
	}
	return out, nil
}

func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// sweep re-derives loans with events that arrived while the run went (or,
// for a rerun, since the date was closed), until none are left but loans
// not yet disbursed on the date, in at most a few rounds: a stream of
// postings cannot keep close of business from finishing, and what arrives
// after the last round waits for the next run.
func (r *eodRunner) sweep(ctx context.Context, run *eodRun) error {
	for round := 0; round < 3; round++ {
		all, err := queryIDs(ctx, r.db.read, `SELECT loan_id FROM eod_dirty ORDER BY loan_id`)
		if err != nil {
			return err
		}
		ids := all[:0]
		for _, id := range all {
			if !run.pending[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		run.total += int64(len(ids))
		if err := r.process(ctx, run, "dirty", chunksOf(ids, r.opt.ChunkSize)); err != nil {
			return err
		}
	}
	return nil
}

// eodPlan is a chunk read and re-derived, ready to be written.
type eodPlan struct {
	ids   []int64
	loans map[int64]servicing.Loan
	recs  map[int64]eod.Record
	prev  map[int64]loanstate.Snapshot
	dirty map[int64]int64
	snaps []loanstate.Snapshot
}

// process plans the chunks next yields and commits them in order. The
// next chunk is read from a consistent snapshot of the read pool and
// re-derived while the previous one is written; the write then checks
// that no event reached the chunk's loans in between, and plans again
// inside the write transaction if one did.
func (r *eodRunner) process(ctx context.Context, run *eodRun, phase string, next func() ([]int64, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type planned struct {
		p   *eodPlan
		err error
	}
	plans := make(chan planned, 1)
	go func() {
		defer close(plans)
		for {
			ids, err := next()
			var p *eodPlan
			if err == nil && len(ids) > 0 {
				p, err = r.planRead(ctx, run, ids)
			}
			if err == nil && p == nil {
				return
			}
			select {
			case plans <- planned{p, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for pl := range plans {
		if pl.err != nil {
			return pl.err
		}
		if err := r.commit(ctx, run, pl.p, phase); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// planRead plans ids from the read pool, split in parts read on parallel
// connections (reading rows is what costs most); each part is one read
// transaction, a consistent snapshot of its loans.
func (r *eodRunner) planRead(ctx context.Context, run *eodRun, ids []int64) (*eodPlan, error) {
	parts := max(1, min(runtime.GOMAXPROCS(0), len(ids)/256))
	if parts == 1 {
		return r.planPart(ctx, run, ids)
	}
	plans := make([]*eodPlan, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := k*len(ids)/parts, (k+1)*len(ids)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			plans[k], errs[k] = r.planPart(ctx, run, ids[lo:hi])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p := &eodPlan{ids: ids, loans: map[int64]servicing.Loan{}, recs: map[int64]eod.Record{}, prev: map[int64]loanstate.Snapshot{}, dirty: map[int64]int64{}}
	for _, q := range plans {
		maps.Copy(p.loans, q.loans)
		maps.Copy(p.recs, q.recs)
		maps.Copy(p.prev, q.prev)
		maps.Copy(p.dirty, q.dirty)
		p.snaps = append(p.snaps, q.snaps...)
	}
	return p, nil
}

func (r *eodRunner) planPart(ctx context.Context, run *eodRun, ids []int64) (*eodPlan, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if r.db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := r.db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return r.plan(ctx, tx, run, ids)
}

// plan reads what re-deriving ids needs through q and derives them as of
// the run's date. Event marks are read first: a posting that commits
// later moves its loan's count on, which the write notices.
func (r *eodRunner) plan(ctx context.Context, q querier, run *eodRun, ids []int64) (*eodPlan, error) {
	p := &eodPlan{ids: ids}
	var err error
	if p.dirty, err = dirtyEvents(ctx, q, ids); err != nil {
		return nil, err
	}
	if p.loans, err = loadReplayLoans(ctx, q, ids); err != nil {
		return nil, err
	}
	txs, err := loadReplayTxs(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	x, err := extras(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	if run.scorer != nil {
		if err := addInitialScores(ctx, q, ids, x); err != nil {
			return nil, err
		}
	}
	if p.recs, err = loadRecords(ctx, q, ids); err != nil {
		return nil, err
	}
	if p.prev, err = loadSnapshots(ctx, q, ids); err != nil {
		return nil, err
	}
	date := run.date
	p.snaps = deriveAll(ids, func(id int64) (loanstate.Snapshot, bool) {
		l, ok := p.loans[id]
		if !ok || date.Before(l.Disbursed) {
			return loanstate.Snapshot{}, false
		}
		s := run.scorer.derive(run.prods[l.Product], l, txs[id], date, x[id])
		return s, true
	})
	return p, nil
}

// commit writes a plan in one database transaction: snapshots (with the
// class history), records, the aggregate differences, the cleared event
// marks and the checkpoint, so that a crash loses either the whole chunk
// or nothing.
func (r *eodRunner) commit(ctx context.Context, run *eodRun, p *eodPlan, phase string) error {
	db := r.db
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := p.ids
	cursor := run.cursor
	if phase == "scan" {
		cursor = ids[len(ids)-1]
	}
	// The first statement writes, so the transaction holds the write lock
	// before it reads anything.
	if err := r.checkpoint(ctx, tx, run, phase, cursor); err != nil {
		return err
	}
	dirty, err := dirtyEvents(ctx, tx, ids)
	if err != nil {
		return err
	}
	if !maps.Equal(dirty, p.dirty) {
		if p, err = r.plan(ctx, tx, run, ids); err != nil {
			return err
		}
	}
	classes := make(map[int64]classification.Class, len(p.prev))
	for id, s := range p.prev {
		classes[id] = s.Class
	}
	w := newSnapshotWriter(tx, classes)
	scores := newScoreHistory(tx)
	var sum eod.Summary
	sum.Chunks = 1
	if phase == "scan" {
		sum.Candidates = int64(len(ids))
	}
	deltas := eod.NewAggregates()
	rw := newRecordWriter(tx)
	var cleared []any
	var pending []int64
	month := run.date.MonthIndex()
	for i, id := range ids {
		events, isDirty := p.dirty[id]
		if isDirty {
			sum.NewEvents++
		}
		s := &p.snaps[i]
		if s.LoanID == 0 {
			_, exists := p.loans[id]
			switch {
			case exists && isDirty: // not yet disbursed on the date
				sum.Pending++
				pending = append(pending, id)
			case isDirty: // a mark for no loan: nothing to derive
				cleared = append(cleared, id, events)
			}
			continue
		}
		if isDirty {
			cleared = append(cleared, id, events)
		}
		l := p.loans[id]
		old, had := p.prev[id]
		var oldp *loanstate.Snapshot
		if had {
			oldp = &old
		}
		sum.Count(oldp, s)
		if !had || !sameSnapshot(&old, s) {
			if err := w.write(ctx, s); err != nil {
				return err
			}
			if err := scores.add(ctx, oldp, s); err != nil {
				return err
			}
		}
		prev, hadRec := p.recs[id]
		var prevp *eod.Record
		if hadRec {
			prevp = &prev
		}
		rec := eod.NewRecord(&l, s, run.prods[l.Product].LGD, prevp)
		if hadRec {
			in := prev.InMonth(month)
			if eod.SameCounts(&in, &rec) {
				continue
			}
			deltas.Move(&in, &rec)
		} else {
			deltas.Move(nil, &rec)
		}
		if err := rw.add(ctx, recordArgs(&rec)...); err != nil {
			return err
		}
	}
	if err := w.close(ctx); err != nil {
		return err
	}
	if err := scores.flush(ctx); err != nil {
		return err
	}
	if err := rw.flush(ctx); err != nil {
		return err
	}
	if err := addAggregates(ctx, tx, run.date, deltas); err != nil {
		return err
	}
	// A mark goes only if no event came after the plan read it.
	for len(cleared) > 0 {
		n := min(len(cleared), 2*batchSize)
		_, err := tx.ExecContext(ctx, `DELETE FROM eod_dirty WHERE `+strings.TrimSuffix(strings.Repeat("(loan_id = ? AND events = ?) OR ", n/2), " OR "), cleared[:n]...)
		if err != nil {
			return err
		}
		cleared = cleared[n:]
	}
	total := run.sum
	total.Add(&sum)
	if err := r.saveSummary(ctx, tx, run, total); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	run.sum, run.cursor = total, cursor
	for _, id := range pending {
		run.pending[id] = true
	}
	run.done += int64(len(ids))
	r.chunks++
	if r.opt.Progress != nil {
		r.opt.Progress(run.date, run.done, run.total)
	}
	if r.opt.AfterChunk != nil {
		r.opt.AfterChunk(run.date, run.sum.Chunks)
	}
	if r.opt.StopAfterChunks > 0 && r.chunks >= r.opt.StopAfterChunks {
		return ErrEODStopped
	}
	return nil
}

// loadReplayTxs returns the transactions of ids with what replay needs
// (not the channel, reference or posting time), as loadTxs does but
// cheaper: a dense run of ids is read as one range of the primary key
// instead of an IN list, and kinds are interned rather than allocated.
func loadReplayTxs(ctx context.Context, q querier, ids []int64) (map[int64][]servicing.Tx, error) {
	out := make(map[int64][]servicing.Tx, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	const cols = `SELECT loan_id, seq, kind, value_date, amount, reverses, component, new_rate, new_term, new_method FROM transactions WHERE `
	read := func(query string, args []any, want func(int64) bool) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var kind, component, method sql.RawBytes
		for rows.Next() {
			var t servicing.Tx
			if err := rows.Scan(&t.LoanID, &t.Seq, &kind, &t.ValueDate, &t.Amount, &t.Reverses, &component, &t.NewRate, &t.NewTerm, &method); err != nil {
				return err
			}
			if !want(t.LoanID) {
				continue
			}
			t.Kind, t.Component, t.NewMethod = internKind(kind), servicing.Component(internText(component)), schedule.Method(internText(method))
			out[t.LoanID] = append(out[t.LoanID], t)
		}
		return rows.Err()
	}
	first, last := ids[0], ids[len(ids)-1]
	if sorted := slices.IsSorted(ids); sorted && int64(len(ids))*3 >= last-first+1 {
		set := make(map[int64]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		err := read(cols+`loan_id BETWEEN ? AND ? ORDER BY loan_id, seq`, []any{first, last}, func(id int64) bool { return set[id] })
		return out, err
	}
	err := inBatches(ids, func(_ []int64, args []any, marks string) error {
		return read(cols+`loan_id IN (`+marks+`) ORDER BY loan_id, seq`, args, func(int64) bool { return true })
	})
	return out, err
}

// loadReplayLoans returns the loans of ids with what replay, the
// aggregates and the behaviour features need (the region is a feature):
// not the borrower or officer. Repeated words are interned.
func loadReplayLoans(ctx context.Context, q querier, ids []int64) (map[int64]servicing.Loan, error) {
	out := make(map[int64]servicing.Loan, len(ids))
	strs := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := strs[string(b)]; ok {
			return s
		}
		s := string(b)
		strs[s] = s
		return s
	}
	err := inBatches(ids, func(_ []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT id, external_id, product, currency, principal, rate, term, method, disbursed, branch, region FROM loans WHERE id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var product, currency, method, branch, region sql.RawBytes
		for rows.Next() {
			var l servicing.Loan
			if err := rows.Scan(&l.ID, &l.ExternalID, &product, &currency, &l.Principal, &l.Rate, &l.Term, &method, &l.Disbursed, &branch, &region); err != nil {
				return err
			}
			l.Product, l.Currency, l.Method, l.Branch, l.Region = intern(product), money.Currency(intern(currency)), schedule.Method(intern(method)), intern(branch), intern(region)
			out[l.ID] = l
		}
		return rows.Err()
	})
	return out, err
}

var interned = func() map[string]string {
	m := map[string]string{"": ""}
	for _, k := range []servicing.TxKind{servicing.Disbursement, servicing.Repayment, servicing.Reversal, servicing.Waiver, servicing.WriteOff, servicing.Recovery, servicing.Restructure, servicing.FeeCharge} {
		m[string(k)] = string(k)
	}
	for _, c := range []servicing.Component{servicing.Fee, servicing.Penalty, servicing.Interest, servicing.Principal} {
		m[string(c)] = string(c)
	}
	for _, me := range schedule.Methods {
		m[string(me)] = string(me)
	}
	return m
}()

// internText returns b as a string, without allocating for the words a
// ledger repeats millions of times.
func internText(b []byte) string {
	if s, ok := interned[string(b)]; ok {
		return s
	}
	return string(b)
}

func internKind(b []byte) servicing.TxKind { return servicing.TxKind(internText(b)) }

// sameSnapshot reports whether a and b differ in nothing but AsOf.
func sameSnapshot(a, b *loanstate.Snapshot) bool {
	x := *a
	x.AsOf = b.AsOf
	return x == *b
}

// dirtyEvents returns the event counts of those of ids that are marked.
func dirtyEvents(ctx context.Context, q querier, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := inBatches(ids, func(_ []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT loan_id, events FROM eod_dirty WHERE loan_id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	return out, err
}

// finish closes the run: a full run rebuilds the date's aggregates from
// the records (and counts cells the differences had got wrong), zero cells
// are dropped, and the run is marked done with its summary.
func (r *eodRunner) finish(ctx context.Context, run *eodRun) error {
	tx, err := r.db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Guarded, so that a run is finished once whoever else tries.
	res, err := tx.ExecContext(ctx, `UPDATE eod_runs SET phase = 'finish' WHERE as_of = ? AND status = 'running'`, run.date)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errEODFinished
	}
	if err := pruneAggregates(ctx, tx, run.date); err != nil {
		return err
	}
	if err := run.scorer.monitor(ctx, tx, run.date); err != nil {
		return err
	}
	if run.mode == eod.ModeFull {
		want, err := rebuildAggregates(ctx, tx, run.date)
		if err != nil {
			return err
		}
		got, err := readAggregates(ctx, tx, run.date)
		if err != nil {
			return err
		}
		if n := countDiff(got, want); n > 0 {
			run.sum.CellsHealed = int64(n)
			if err := replaceAggregates(ctx, tx, run.date, want); err != nil {
				return err
			}
		}
	}
	run.sum.Duration += time.Since(run.began)
	if _, err := tx.ExecContext(ctx, `UPDATE eod_runs SET status = 'done', phase = 'done', summary = ?, finished_at = ? WHERE as_of = ?`,
		mustJSON(run.sum), r.db.stamp(), run.date); err != nil {
		return err
	}
	return tx.Commit()
}

// countDiff returns the number of cells in which a and b differ.
func countDiff(a, b *eod.Aggregates) int {
	n := 0
	for k, c := range a.Portfolio {
		if b.Portfolio[k] != c {
			n++
		}
	}
	for k := range b.Portfolio {
		if _, ok := a.Portfolio[k]; !ok {
			n++
		}
	}
	for k, c := range a.Roll {
		if b.Roll[k] != c {
			n++
		}
	}
	for k := range b.Roll {
		if _, ok := a.Roll[k]; !ok {
			n++
		}
	}
	for k, c := range a.Vintage {
		if b.Vintage[k] != c {
			n++
		}
	}
	for k := range b.Vintage {
		if _, ok := a.Vintage[k]; !ok {
			n++
		}
	}
	return n
}
