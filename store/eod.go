package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/signal"
	"daihou/warning"
)

// The SQL of close of business: the eod package runs the batch (the
// runner and its steps) over this implementation of eod.Store.

var _ eod.Store = (*DB)(nil)

// Status implements eod.Store.
func (db *DB) Status(ctx context.Context) (eod.Status, error) {
	var st eod.Status
	var err error
	if st.Business, err = businessDate(ctx, db.read); err != nil {
		return st, err
	}
	var last, running sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(CASE WHEN status = 'done' THEN as_of END), MAX(CASE WHEN status = 'running' THEN as_of END) FROM eod_runs`).
		Scan(&last, &running); err != nil {
		return st, err
	}
	st.Last, st.Running = civil.Date(last.Int64), civil.Date(running.Int64)
	return st, nil
}

// LastClose returns the last business date closed, zero if none.
func (db *DB) LastClose(ctx context.Context) (civil.Date, error) {
	st, err := db.Status(ctx)
	return st.Last, err
}

// Open implements eod.Store.
func (db *DB) Open(ctx context.Context, date civil.Date, full bool) (*eod.Run, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	if err := t.can(auth.RunEOD, auth.Book()); err != nil {
		return nil, err
	}
	if err := db.lockEOD(ctx, t); err != nil {
		return nil, err
	}
	run := &eod.Run{Date: date}
	// A SOP or a strategy put since the last close applies to every loan:
	// the next run opened is a full one, and opening it consumes the mark
	// (a full run interrupted resumes as full).
	res, err := t.ExecContext(ctx, `DELETE FROM settings WHERE key = '`+plansChanged+`'`)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		full = true
	}
	var status, phase, summary string
	err = t.QueryRowContext(ctx, `SELECT attempt, mode, status, phase, last_loan, summary, token FROM eod_runs WHERE as_of = ? ORDER BY attempt DESC LIMIT 1`, date).
		Scan(&run.Attempt, &run.Mode, &status, &phase, &run.Cursor, &summary, &run.Token)
	switch {
	case err == nil && status == "running":
		run.Phase = eod.Phase(phase)
		if err := json.Unmarshal([]byte(summary), &run.Summary); err != nil {
			return nil, fmt.Errorf("close of business %v: summary: %w", date, err)
		}
		run.Summary.Resumed = true
		return run, t.Commit()
	case err == nil: // closed before: the same date again, as a new attempt
		run.Attempt++
		run.Mode, run.Phase, run.Cursor = eod.ModeRerun, eod.PhaseSweep, 0
		if full {
			run.Mode, run.Phase = eod.ModeFull, eod.PhaseScan
		}
	case errors.Is(err, sql.ErrNoRows):
		var closed int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM eod_runs WHERE status = 'done'`).Scan(&closed); err != nil {
			return nil, err
		}
		run.Attempt, run.Mode, run.Phase = 1, eod.ModeIncremental, eod.PhaseScan
		if full || closed == 0 {
			run.Mode = eod.ModeFull
		}
	default:
		return nil, err
	}
	run.Token = fmt.Sprintf("%v/%d/%s", date, run.Attempt, t.stamp())
	run.Summary = eod.Summary{Date: date, Mode: run.Mode}
	var last sql.NullInt64
	if err := t.QueryRowContext(ctx, `SELECT MAX(as_of) FROM eod_runs WHERE status = 'done' AND as_of < ?`, date).Scan(&last); err != nil {
		return nil, err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO eod_runs (as_of, attempt, mode, status, phase, last_loan, prev, summary, token, started_at) VALUES (?, ?, ?, 'running', ?, 0, ?, ?, ?, ?)`,
		date, run.Attempt, run.Mode, string(run.Phase), last.Int64, mustJSON(run.Summary), run.Token, t.stamp()); err != nil {
		return nil, err
	}
	if run.Attempt == 1 {
		// Opening moves the business date, so that payments posted while
		// the run goes are derived as of the date being closed, and carries
		// the previous date's aggregates forward.
		if err := setBusinessDate(ctx, t, date); err != nil {
			return nil, err
		}
		if last.Valid {
			if err := copyAggregates(ctx, t.Tx, civil.Date(last.Int64), date); err != nil {
				return nil, err
			}
		}
	}
	return run, t.Commit()
}

// lockEOD serialises the opening of runs: on SQLite the write
// transaction holds the database's lock already; on PostgreSQL two
// processes opening the same date queue on an advisory lock instead of both
// inserting.
func (db *DB) lockEOD(ctx context.Context, t *wtx) error {
	if db.dialect != Postgres {
		return nil
	}
	_, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261003)`)
	return err
}

func setBusinessDate(ctx context.Context, q querier, d civil.Date) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('business_date', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, d.String())
	return err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Config implements eod.Store.
func (db *DB) Config(ctx context.Context) (*eod.Config, error) {
	prods, err := db.Products(ctx)
	if err != nil {
		return nil, err
	}
	d, champ, err := db.deriver(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := db.WarningSet(ctx)
	if err != nil {
		return nil, err
	}
	col, err := db.collectionConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &eod.Config{Products: prods, Deriver: d, Champion: champ, Warnings: rules, Collection: col}, nil
}

// EODProgress returns the counters of the latest run of d so far,
// finished or not; ENOTFOUND if no run of d was started.
func (db *DB) EODProgress(ctx context.Context, d civil.Date) (eod.Summary, error) {
	var s eod.Summary
	var text string
	var chunks int64
	err := db.read.QueryRowContext(ctx, `SELECT summary, chunks FROM eod_runs WHERE as_of = ? ORDER BY attempt DESC LIMIT 1`, d).Scan(&text, &chunks)
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

// EODSummary returns the summary of the run that closed d — reruns of the
// date keep it — and the summaries of its reruns; ENOTFOUND if d was never
// closed.
func (db *DB) EODSummary(ctx context.Context, d civil.Date) (eod.Summary, []eod.Summary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT summary, status FROM eod_runs WHERE as_of = ? ORDER BY attempt`, d)
	if err != nil {
		return eod.Summary{}, nil, err
	}
	defer rows.Close()
	var all []eod.Summary
	for rows.Next() {
		var text, status string
		if err := rows.Scan(&text, &status); err != nil {
			return eod.Summary{}, nil, err
		}
		var s eod.Summary
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			return s, nil, err
		}
		if len(all) == 0 && status != "done" {
			return s, nil, daihou.Errorf(daihou.ECONFLICT, "close of business for %v is still running or was interrupted: run 'daihou eod --date %v' to finish it", d, d)
		}
		all = append(all, s)
	}
	if err := rows.Err(); err != nil {
		return eod.Summary{}, nil, err
	}
	if len(all) == 0 {
		return eod.Summary{}, nil, daihou.Errorf(daihou.ENOTFOUND, "business date %v has not been closed", d)
	}
	return all[0], all[1:], nil
}

// Candidates implements eod.Store: the loans whose wake date has come
// (one range of the loan_state_wake index) and the loans with events.
func (db *DB) Candidates(ctx context.Context, date civil.Date, after, hi int64) ([]int64, error) {
	// The unary + keeps the planner on the wake-date index: a partition's
	// id bounds are a filter, not the way in.
	due, err := queryIDs(ctx, db.read, `SELECT loan_id FROM loan_state WHERE wake_date > 0 AND wake_date <= ? AND +loan_id > ? AND +loan_id <= ?`, date, after, hi)
	if err != nil {
		return nil, err
	}
	marked, err := queryIDs(ctx, db.read, `SELECT loan_id FROM eod_dirty WHERE loan_id > ? AND loan_id <= ?`, after, hi)
	if err != nil {
		return nil, err
	}
	all := append(due, marked...)
	slices.Sort(all)
	return slices.Compact(all), nil
}

// Loans implements eod.Store.
func (db *DB) Loans(ctx context.Context, after, hi int64, limit int) ([]int64, error) {
	return queryIDs(ctx, db.read, `SELECT id FROM loans WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`, after, hi, limit)
}

// CountLoans implements eod.Store.
func (db *DB) CountLoans(ctx context.Context, after, hi int64) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans WHERE id > ? AND id <= ?`, after, hi).Scan(&n)
	return n, err
}

// Dirty implements eod.Store.
func (db *DB) Dirty(ctx context.Context) ([]int64, error) {
	return queryIDs(ctx, db.read, `SELECT loan_id FROM eod_dirty ORDER BY loan_id`)
}

func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	return queryColumn[int64](ctx, q, query, args...)
}

// queryRows returns query's rows, each read by scan.
func queryRows[T any](ctx context.Context, q querier, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryColumn returns the one column of query's rows.
func queryColumn[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Read implements eod.Store. The ids are read in parts on parallel
// connections of the read pool (reading rows is what costs most); each
// part is one read transaction, a consistent view of its loans.
func (db *DB) Read(ctx context.Context, date civil.Date, ids []int64) (*eod.Chunk, error) {
	parts := max(1, min(runtime.GOMAXPROCS(0), len(ids)/256))
	if parts == 1 {
		return db.readPart(ctx, date, ids)
	}
	chunks := make([]*eod.Chunk, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := k*len(ids)/parts, (k+1)*len(ids)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunks[k], errs[k] = db.readPart(ctx, date, ids[lo:hi])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	c := &eod.Chunk{IDs: ids, Events: map[int64]int64{}}
	for _, p := range chunks {
		c.Loans = append(c.Loans, p.Loans...)
		maps.Copy(c.Events, p.Events)
		// A borrower whose loans fall in two parts has its exposures in
		// both: contagion counts each loan once.
		c.Others = append(c.Others, p.Others...)
		if c.Signals == nil {
			c.Signals, c.Warnings, c.Milestones = map[int64][]signal.Signal{}, map[int64][]warning.Warning{}, map[int64]warning.Milestones{}
		}
		maps.Copy(c.Signals, p.Signals)
		maps.Copy(c.Warnings, p.Warnings)
		maps.Copy(c.Milestones, p.Milestones)
		if c.Work == nil {
			c.Work = map[int64]*eod.LoanWork{}
		}
		maps.Copy(c.Work, p.Work)
	}
	return c, nil
}

func (db *DB) readPart(ctx context.Context, date civil.Date, ids []int64) (*eod.Chunk, error) {
	tx, err := db.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return readChunk(ctx, tx, date, ids)
}

// readTx begins a read-only transaction that sees one moment of the book:
// on PostgreSQL at repeatable read (a snapshot); on SQLite every read
// transaction is one.
func (db *DB) readTx(ctx context.Context) (*rtx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &rtx{Tx: tx, stmts: db.read.stmts}, nil
}

// readChunk reads what the steps need for ids through q. Event marks are
// read first: a posting that commits later moves its loan's count on,
// which the commit notices.
func readChunk(ctx context.Context, q querier, date civil.Date, ids []int64) (*eod.Chunk, error) {
	c := &eod.Chunk{IDs: ids, Loans: make([]eod.LoanIn, len(ids))}
	var err error
	if c.Events, err = dirtyEvents(ctx, q, ids); err != nil {
		return nil, err
	}
	loans, err := loadReplayLoans(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	txs, err := loadReplayTxs(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	over, err := overrides(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	snaps, err := loadSnapshots(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	recs, err := loadRecords(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	var shared []int64 // borrowers with other loans
	borrowers := make([]int64, 0, len(ids))
	for i, id := range ids {
		l, ok := loans[id]
		if !ok {
			continue
		}
		li := &c.Loans[i]
		li.Found, li.Loan, li.Txs = true, l.Loan, txs[id]
		borrowers = append(borrowers, l.BorrowerID)
		if o, ok := over[id]; ok {
			li.Override, li.OverrideReason = o.class, o.reason
		}
		if s, ok := snaps[id]; ok {
			rec, counted := recs[id]
			li.Prev = &eod.Row{Snapshot: s.Snapshot, Wake: s.wake, Record: rec, Counted: counted}
		}
		if l.siblings > 0 {
			shared = append(shared, l.BorrowerID)
		}
	}
	if c.Others, err = exposures(ctx, q, shared); err != nil {
		return nil, err
	}
	if c.Signals, err = loadSignals(ctx, q, borrowers, 0); err != nil {
		return nil, err
	}
	if c.Warnings, err = loadWarnings(ctx, q, ids); err != nil {
		return nil, err
	}
	if c.Milestones, err = loadMilestones(ctx, q, ids); err != nil {
		return nil, err
	}
	if c.Work, err = loadWork(ctx, q, ids, date); err != nil {
		return nil, err
	}
	return c, nil
}

// Commit implements eod.Store.
func (db *DB) Commit(ctx context.Context, run *eod.Run, cp eod.Checkpoint, c *eod.Chunk, out *eod.Output, drop func(stale map[int64]bool) *eod.Output) (*eod.Output, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	// The first statement writes, so the transaction holds the write lock
	// (and, with partitions, the date's commit turn) before it reads.
	if err := db.checkpoint(ctx, t, run, cp); err != nil {
		return nil, err
	}
	events, err := dirtyEvents(ctx, t, c.IDs)
	if err != nil {
		return nil, err
	}
	if !maps.Equal(events, c.Events) {
		stale := map[int64]bool{}
		for id, n := range events {
			if c.Events[id] != n {
				stale[id] = true
			}
		}
		for id := range c.Events {
			if _, ok := events[id]; !ok {
				stale[id] = true
			}
		}
		out = drop(stale)
	}
	if err := writeOutput(ctx, t, run.Date, c, out); err != nil {
		return nil, err
	}
	total := run.Summary
	total.Add(&out.Summary)
	if err := db.saveSummary(ctx, t, run, total); err != nil {
		return nil, err
	}
	return out, t.Commit()
}

// writeOutput writes what the steps made of a chunk: rows, history,
// aggregate differences, event marks.
func writeOutput(ctx context.Context, t *wtx, date civil.Date, c *eod.Chunk, out *eod.Output) error {
	w := newSnapshotWriter(t)
	rw := newRecordWriter(t)
	var classes []loanstate.ClassChange
	var scores []loanstate.ScoreChange
	var raised []warning.Warning
	milestones := map[int64]warning.Milestones{}
	for i := range out.Rows {
		r := &out.Rows[i]
		raised = append(raised, r.Raise...)
		if r.Milestones != nil {
			milestones[r.Snapshot.LoanID] = *r.Milestones
		}
		if r.Class != nil {
			classes = append(classes, *r.Class)
		}
		if r.Score != nil {
			scores = append(scores, *r.Score)
		}
		if !r.Write {
			continue
		}
		if err := w.write(ctx, &r.Snapshot, r.Wake); err != nil {
			return err
		}
		if err := rw.add(ctx, recordArgs(&r.Record, r.Snapshot.AsOf)...); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	if err := rw.flush(ctx); err != nil {
		return err
	}
	if err := writeHistory(ctx, t, classes, scores); err != nil {
		return err
	}
	if err := insertWarnings(ctx, t, raised); err != nil {
		return err
	}
	if err := saveMilestones(ctx, t, milestones); err != nil {
		return err
	}
	if err := writeWork(ctx, t, date, c, out); err != nil {
		return err
	}
	if err := addAggregates(ctx, t, date, out.Deltas); err != nil {
		return err
	}
	if err := markDirty(ctx, t, out.Marks); err != nil {
		return err
	}
	return clearDirty(ctx, t, out.Clear)
}

// markDirty adds an event mark to each of ids: they are to be derived
// again.
func markDirty(ctx context.Context, tx batchTx, ids []int64) error {
	b := newBatcher(tx, `INSERT INTO eod_dirty (loan_id, events) VALUES`, `ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1`, 2)
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		if err := b.add(ctx, id, int64(1)); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// clearDirty removes the marks consumed, each only if no event came after
// the read that saw its count.
func clearDirty(ctx context.Context, tx querier, clear map[int64]int64) error {
	args := make([]any, 0, 2*min(len(clear), batchSize))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		// Padded with the last pair, as inBatches pads its lists: a few
		// texts, each parsed once.
		n := len(args) / 2
		for range inListSize(n) - n {
			args = append(args, args[2*n-2], args[2*n-1])
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM eod_dirty WHERE `+strings.TrimSuffix(strings.Repeat("(loan_id = ? AND events = ?) OR ", len(args)/2), " OR "), args...)
		args = args[:0]
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(clear)) {
		args = append(args, id, clear[id])
		if len(args) >= 2*batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// dirtyEvents returns the event counts of those of ids that are marked.
func dirtyEvents(ctx context.Context, q querier, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := selectIDs(ctx, q, ids, `SELECT loan_id, events FROM eod_dirty WHERE `, "loan_id", "", func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			if want(id) {
				out[id] = n
			}
		}
		return nil
	})
	return out, err
}

// Finish implements eod.Store.
func (db *DB) Finish(ctx context.Context, run *eod.Run, fin eod.Final) (int64, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer t.Rollback()
	if err := t.can(auth.RunEOD, auth.Book()); err != nil {
		return 0, err
	}
	// Guarded, so that a run is finished once whoever else tries.
	res, err := t.ExecContext(ctx, `UPDATE eod_runs SET phase = ? WHERE as_of = ? AND attempt = ? AND status = 'running'`, string(eod.PhaseFinish), run.Date, run.Attempt)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, eod.ErrFinished
	}
	if err := pruneAggregates(ctx, t.Tx, run.Date); err != nil {
		return 0, err
	}
	if err := dropEmptyTaskCells(ctx, t); err != nil {
		return 0, err
	}
	// The day's contacts and promises are recorded under the business
	// date, which is the last closed date until the next close: the
	// previous date's figures are complete only now, and are stored again;
	// the date's own so far are what this close made (episodes, promises
	// settled).
	if err := db.saveCollectionDaily(ctx, t, run.Date.AddDays(-1), run.Date); err != nil {
		return 0, err
	}
	if m := fin.Monitoring; m != nil {
		if err := saveMonitoring(ctx, t, m); err != nil {
			return 0, err
		}
	}
	var healed int64
	if fin.Rebuild || fin.Book != nil {
		want := fin.Book
		if want != nil {
			want.Prune()
		} else if want, err = rebuildAggregates(ctx, t.Tx, run.Date); err != nil {
			return 0, err
		}
		got, err := readAggregates(ctx, t.Tx, run.Date)
		if err != nil {
			return 0, err
		}
		if n := eod.CountDiff(got, want); n > 0 {
			healed = int64(n)
			if err := replaceAggregates(ctx, t.Tx, run.Date, want); err != nil {
				return 0, err
			}
		}
	}
	sum := run.Summary
	sum.CellsHealed = healed
	stored := mustJSON(sum)
	if _, err := t.ExecContext(ctx, `UPDATE eod_runs SET status = 'done', phase = ?, summary = ?, finished_at = ? WHERE as_of = ? AND attempt = ?`,
		string(eod.PhaseDone), stored, t.stamp(), run.Date, run.Attempt); err != nil {
		return 0, err
	}
	// One entry per date (and per re-run of it): the digest is that of the
	// summary eod_runs keeps, so an auditor can check one against the other.
	detail := fmt.Sprintf("close of business %v, attempt %d (%s): %d loans derived, %d changed, %d newly overdue, %d cured, class worse %d, better %d, settled %d, written off %d",
		run.Date, run.Attempt, sum.Mode, sum.Touched, sum.Changed, sum.NewlyOverdue, sum.Cured, sum.ClassWorse, sum.ClassBetter, sum.Settled, sum.WrittenOff)
	if fin.StartedBy != "" {
		detail += ", started by " + fin.StartedBy
	}
	if err := t.audit(ctx, string(auth.RunEOD), audit.EODObject(run.Date), audit.Digest([]byte(stored)), detail); err != nil {
		return 0, err
	}
	return healed, t.Commit()
}

// ScoredPopulation implements eod.Store.
func (db *DB) ScoredPopulation(ctx context.Context, model int64) ([]float64, float64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT score, pd FROM loan_state WHERE status = 'active' AND model_id = ?`, model)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var scores []float64
	var sumPD float64
	for rows.Next() {
		var score, pd int64
		if err := rows.Scan(&score, &pd); err != nil {
			return nil, 0, err
		}
		scores = append(scores, float64(score))
		sumPD += float64(pd) / 1e10
	}
	if len(scores) == 0 {
		return nil, 0, rows.Err()
	}
	return scores, sumPD / float64(len(scores)), rows.Err()
}
