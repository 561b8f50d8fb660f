package eod

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/loanstate"
	"daihou/scoring/artefact"
	"daihou/scoring/metrics"
)

// Runner runs close of business (日终批处理) over a Store: for each date, the
// selected loans are read in chunks and the Steps run on each chunk, whose
// output is committed with the run's checkpoint. Kill it at any point and
// run it again: it resumes from the last committed chunk and ends as an
// uninterrupted run would.
type Runner struct {
	Store Store
	// Steps run in order on every chunk; nil means DefaultSteps.
	Steps []Step
	// ChunkSize is the number of loans derived and committed together
	// (default DefaultChunk).
	ChunkSize int
	// Partitions, when positive, splits a run's scan (from its start) into
	// that many partitions of loan ids, each worked and checkpointed on its
	// own; the run then sweeps and finishes once.
	Partitions int
	// Dispatch, with Partitions, hands the partitions of a run to workers
	// (a queue) and returns when all are done; without it they are worked
	// here, one after the other.
	Dispatch func(ctx context.Context, job Job) error
	// Worker names this process in the partitions it works (default
	// host/pid).
	Worker string
	// Throttle pauses after every committed chunk, leaving the database to
	// other work.
	Throttle time.Duration
	// Progress, when set, is told the loans done and selected of the date
	// being closed after every chunk.
	Progress func(date civil.Date, done, total int64)
}

type startedByKey struct{}

// asEOD returns ctx acting as the system actor of close of business, which
// every write of a run records, and remembering who started the run (for
// the run's audit entry) when it was someone else — who must be allowed to
// run it.
func asEOD(ctx context.Context) (context.Context, error) {
	if by := auth.FromContext(ctx); by.String() != auth.EOD().String() {
		if err := auth.Can(by, auth.RunEOD, auth.Book()).Err(); err != nil {
			return ctx, err
		}
		ctx = context.WithValue(ctx, startedByKey{}, by.String())
	}
	return auth.NewContext(ctx, auth.EOD()), nil
}

func startedBy(ctx context.Context) string {
	s, _ := ctx.Value(startedByKey{}).(string)
	return s
}

// testHookAfterCommit, set by tests, is called after every committed chunk;
// an error stops the run there, as a crash would.
var testHookAfterCommit func(run *Run, chunks int) error

// Close closes business dates up to and including through: it resumes an
// interrupted run, then closes every date after the last one closed, day
// by day (catch-up), each with its own aggregates; full re-derives every
// loan. Closing the last closed date again re-derives only loans with new
// events (or every loan with full); with nothing new it changes nothing. A
// database never closed starts with a full run on its business date.
//
// It returns ECONFLICT if through is before the last closed date.
func (r *Runner) Close(ctx context.Context, through civil.Date, full bool) ([]Summary, error) {
	ctx, err := asEOD(ctx)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for {
		st, err := r.Store.Status(ctx)
		if err != nil {
			return out, err
		}
		var date civil.Date
		switch {
		case st.Running != 0 && st.Running.After(through):
			return out, daihou.Errorf(daihou.ECONFLICT, "close of business for %v was interrupted: close %v (or later) to resume it", st.Running, st.Running)
		case st.Running != 0:
			date = st.Running
		case st.Last == 0:
			date = st.Business
			if date == 0 {
				date = through
			}
			if through.Before(date) {
				return out, daihou.Errorf(daihou.ECONFLICT, "cannot close %v: the business date is already %v", through, date)
			}
		case through.Before(st.Last):
			return out, daihou.Errorf(daihou.ECONFLICT, "cannot close %v: business is closed through %v and close of business never goes back (use 'daihou eod --date %v' to re-run the last date)", through, st.Last, st.Last)
		case through == st.Last && len(out) == 0:
			date = through // the same date again
		case through == st.Last:
			return out, nil
		default:
			date = st.Last.AddDays(1)
		}
		if date.After(through) {
			return out, nil
		}
		s, err := r.closeDate(ctx, date, full)
		if s != nil {
			out = append(out, *s)
		}
		if err != nil {
			return out, err
		}
		if date == through {
			return out, nil
		}
	}
}

// work is one run being worked in this process.
type work struct {
	r       *Runner
	run     *Run
	cfg     *Config
	steps   []Step
	began   time.Time
	pending map[int64]bool // loans with events, not yet disbursed on the date
	done    int64
	total   int64
	chunks  int

	// book, in a full run worked whole in this process, accumulates every
	// loan's new record: the date's aggregates rebuilt on the way, so
	// finishing needs no second read of the book. seen are the loans it
	// holds.
	book *Aggregates
	seen bitset

	mu    sync.Mutex
	times map[string]time.Duration // per step, read and write
}

// bitset is a set of loan ids.
type bitset []uint64

func (b *bitset) add(id int64) {
	for int(id>>6) >= len(*b) {
		*b = append(*b, make([]uint64, len(*b)+1024)...)
	}
	(*b)[id>>6] |= 1 << (id & 63)
}

func (b bitset) has(id int64) bool { return int(id>>6) < len(b) && b[id>>6]&(1<<(id&63)) != 0 }

func (r *Runner) newWork(run *Run, cfg *Config) *work {
	steps := r.Steps
	if steps == nil {
		steps = DefaultSteps()
	}
	return &work{r: r, run: run, cfg: cfg, steps: steps, began: time.Now(), pending: map[int64]bool{}, times: map[string]time.Duration{}}
}

// DefaultChunk is the loans of a chunk unless the Runner says otherwise.
// Smaller chunks keep the pipeline's stages overlapping for more of a
// run and its working set in cache: on a 1,000,000-loan SQLite book a
// night's close took 6.8–7.3 s in chunks of 10,000 against 7.5–8.1 s in
// chunks of 20,000, with 1.0 GB of memory against 1.7 GB; 5,000 and
// 8,000 did no better.
const DefaultChunk = 10000

func (r *Runner) chunkSize() int {
	if r.ChunkSize > 0 {
		return r.ChunkSize
	}
	return DefaultChunk
}

// closeDate closes one date, resuming it if it was interrupted.
func (r *Runner) closeDate(ctx context.Context, date civil.Date, full bool) (*Summary, error) {
	run, err := r.Store.Open(ctx, date, full)
	if err != nil {
		return nil, err
	}
	cfg, err := r.Store.Config(ctx)
	if err != nil {
		return nil, err
	}
	w := r.newWork(run, cfg)
	if run.Mode == ModeFull && run.Phase == PhaseScan && run.Cursor == 0 && !run.Summary.Resumed && r.Partitions == 0 {
		w.book = NewAggregates()
	}
	if run.Phase == PhaseScan && run.Cursor == 0 && r.Partitions > 0 {
		if err := w.partition(ctx); err != nil {
			return &run.Summary, err
		}
	}
	if run.Phase == PhasePartitioned {
		if err := w.runPartitions(ctx); err != nil {
			return &run.Summary, err
		}
	}
	if run.Phase == PhaseScan {
		if err := w.scan(ctx, 0, maxID); err != nil {
			return &run.Summary, err
		}
	}
	if err := w.sweep(ctx); err != nil {
		return &run.Summary, err
	}
	if err := w.finish(ctx); err != nil {
		return &run.Summary, err
	}
	return &run.Summary, nil
}

const maxID = int64(^uint64(0) >> 1)

// scan re-derives the run's loans with lo < id <= hi after its cursor, in
// chunks of increasing id: every loan for a full run, the candidates
// otherwise.
func (w *work) scan(ctx context.Context, lo, hi int64) error {
	st := w.r.Store
	after := max(w.run.Cursor, lo)
	size := w.r.chunkSize()
	if w.run.Mode == ModeFull {
		n, err := st.CountLoans(ctx, after, hi)
		if err != nil {
			return err
		}
		w.total += n
		return w.process(ctx, PhaseScan, func() ([]int64, error) {
			ids, err := st.Loans(ctx, after, hi, size)
			if len(ids) > 0 {
				after = ids[len(ids)-1]
			}
			return ids, err
		})
	}
	ids, err := st.Candidates(ctx, w.run.Date, after, hi)
	if err != nil {
		return err
	}
	w.total += int64(len(ids))
	return w.process(ctx, PhaseScan, chunksOf(ids, size))
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

// sweep re-derives loans with events that arrived while the run went (or,
// for a rerun, since the date was closed) — and the borrowers' loans that
// contagion marked on the way — until none are left but loans not yet
// disbursed on the date. It stops after a few rounds, or a few more while
// the rounds keep shrinking: a stream of postings cannot keep close of
// business from finishing, and what arrives after the last round waits for
// the next run.
func (w *work) sweep(ctx context.Context) error {
	last := -1
	for round := 0; round < 10; round++ {
		all, err := w.r.Store.Dirty(ctx)
		if err != nil {
			return err
		}
		ids := all[:0]
		for _, id := range all {
			if !w.pending[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 || round >= 3 && len(ids) >= last {
			return nil
		}
		last = len(ids)
		w.total += int64(len(ids))
		if err := w.process(ctx, PhaseSweep, chunksOf(ids, w.r.chunkSize())); err != nil {
			return err
		}
	}
	return nil
}

// process reads, plans and commits the chunks next yields, in order, as a
// pipeline of three stages: the next chunk is read while the one before
// it is planned and the one before that written. The commit checks that no
// event reached a chunk's loans since it was read, and leaves out those an
// event did reach (the sweep takes them again).
func (w *work) process(ctx context.Context, phase Phase, next func() ([]int64, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type chunk struct {
		c   *Chunk
		out *Output
		err error
	}
	send := func(ch chan<- chunk, x chunk) bool {
		select {
		case ch <- x:
			return x.err == nil
		case <-ctx.Done():
			return false
		}
	}
	read := make(chan chunk, 1)
	go func() {
		defer close(read)
		for {
			ids, err := next()
			if err == nil && len(ids) == 0 {
				return
			}
			var x chunk
			x.err = err
			if err == nil {
				began := time.Now()
				x.c, x.err = w.r.Store.Read(ctx, w.run.Date, ids)
				w.took("read", began)
			}
			if !send(read, x) {
				return
			}
		}
	}()
	planned := make(chan chunk, 1)
	go func() {
		defer close(planned)
		for x := range read {
			if x.err == nil {
				x.out = w.plan(x.c, phase)
			}
			if !send(planned, x) {
				return
			}
		}
	}()
	for x := range planned {
		if x.err != nil {
			return x.err
		}
		if err := w.commit(ctx, phase, x.c, x.out); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// plan runs the steps on a chunk and totals their output.
func (w *work) plan(c *Chunk, phase Phase) *Output {
	out := &Output{Rows: make([]RowOut, len(c.IDs))}
	for _, s := range w.steps {
		began := time.Now()
		s.Run(w.run.Date, w.cfg, c, out)
		w.took(s.Name(), began)
	}
	w.totals(c, out, phase, nil)
	return out
}

// totals makes a chunk's totals from its rows, leaving out the loans in
// drop: what is written, the aggregate differences, the summary, and the
// event marks consumed. A loan left out keeps its event mark, so the
// sweep takes it again.
func (w *work) totals(c *Chunk, out *Output, phase Phase, drop map[int64]bool) {
	out.Deltas, out.Clear, out.Pending, out.Summary = NewAggregates(), map[int64]int64{}, nil, Summary{Chunks: 1}
	if phase == PhaseScan {
		out.Summary.Candidates = int64(len(c.IDs))
	}
	month := w.run.Date.MonthIndex()
	for i, id := range c.IDs {
		r := &out.Rows[i]
		if drop[id] {
			*r = RowOut{}
			continue
		}
		events, marked := c.Events[id]
		if marked {
			out.Summary.NewEvents++
		}
		li := &c.Loans[i]
		switch {
		case !r.Derived && li.Found && marked: // not yet disbursed on the date
			out.Summary.Pending++
			out.Pending = append(out.Pending, id)
		case marked:
			out.Clear[id] = events
		}
		if !r.Derived {
			continue
		}
		p := li.Prev
		var prevSnap *loanstate.Snapshot
		if p != nil {
			prevSnap = &p.Snapshot
		}
		out.Summary.Count(prevSnap, &r.Snapshot)
		out.Summary.Warnings += int64(len(r.Raise))
		if w := r.Work; w != nil {
			out.Summary.countWork(w)
		}
		if p == nil || !p.Counted {
			out.Deltas.Move(nil, &r.Record)
			r.Write = true
			continue
		}
		in := p.Record.InMonth(month)
		counts := SameCounts(&in, &r.Record)
		if !counts {
			out.Deltas.Move(&in, &r.Record)
		}
		r.Write = !counts || !sameSnapshot(&p.Snapshot, &r.Snapshot) || p.Wake != r.Wake
	}
}

func ptr[T any](v T) *T { return &v }

// sameSnapshot reports whether a and b differ in nothing but AsOf.
func sameSnapshot(a, b *loanstate.Snapshot) bool {
	x := *a
	x.AsOf = b.AsOf
	return x == *b
}

func (w *work) took(name string, began time.Time) {
	d := time.Since(began)
	w.mu.Lock()
	w.times[name] += d
	w.mu.Unlock()
}

// commit writes one planned chunk and moves the run on.
func (w *work) commit(ctx context.Context, phase Phase, c *Chunk, out *Output) error {
	cp := Checkpoint{Phase: phase, Cursor: w.run.Cursor}
	if phase == PhaseScan {
		cp.Cursor = c.IDs[len(c.IDs)-1]
	}
	began := time.Now()
	out, err := w.r.Store.Commit(ctx, w.run, cp, c, out, func(stale map[int64]bool) *Output {
		w.totals(c, out, phase, stale)
		return out
	})
	w.took("write", began)
	if err != nil {
		return err
	}
	w.run.Summary.Add(&out.Summary)
	w.run.Phase, w.run.Cursor = cp.Phase, cp.Cursor
	if w.book != nil {
		month := w.run.Date.MonthIndex()
		for i, id := range c.IDs {
			r := &out.Rows[i]
			if !r.Derived {
				continue
			}
			if p := c.Loans[i].Prev; w.seen.has(id) && p != nil && p.Counted {
				in := p.Record.InMonth(month)
				w.book.Move(&in, &r.Record)
			} else {
				w.book.Add(&r.Record, 1)
			}
			w.seen.add(id)
		}
	}
	for _, id := range out.Pending {
		w.pending[id] = true
	}
	w.done += int64(len(c.IDs))
	w.chunks++
	if w.r.Progress != nil {
		w.r.Progress(w.run.Date, w.done, w.total)
	}
	if testHookAfterCommit != nil {
		if err := testHookAfterCommit(w.run, w.chunks); err != nil {
			return err
		}
	}
	if w.r.Throttle > 0 {
		select {
		case <-time.After(w.r.Throttle):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// finish closes the run: monitoring on month ends, the aggregates rebuilt
// after a full run, and the summary with the time each step took.
func (w *work) finish(ctx context.Context) error {
	run := w.run
	fin := Final{Rebuild: run.Mode == ModeFull && w.book == nil, Book: w.book, StartedBy: startedBy(ctx)}
	if ch := w.cfg.Champion; ch != nil && run.Date.AddDays(1).Day() == 1 && len(ch.Artefact().Training.ScoreEdges) > 0 {
		m, err := w.monitor(ctx, ch.ModelID(), ch.Horizon(), ch.Artefact().Training)
		if err != nil {
			return err
		}
		fin.Monitoring = m
	}
	run.Summary.Duration += time.Since(w.began)
	run.Summary.Steps = w.stepTimes()
	began := time.Now()
	healed, err := w.r.Store.Finish(ctx, run, fin)
	if err != nil {
		return err
	}
	w.took("finish", began)
	run.Summary.CellsHealed = healed
	run.Summary.Duration += time.Since(began)
	run.Summary.Steps = w.stepTimes()
	return nil
}

// monitor measures the champion at a month end: the stability of today's
// scores against training, and how the scores of horizon months back
// ranked and calibrated what became of their loans since. Nil when there
// is nothing to show for either.
func (w *work) monitor(ctx context.Context, model int64, horizon int, t artefact.Training) (*Monitoring, error) {
	date := w.run.Date
	scores, meanPD, err := w.r.Store.ScoredPopulation(ctx, model)
	if err != nil {
		return nil, err
	}
	m := &Monitoring{ModelID: model, Month: date.MonthIndex()}
	if len(scores) > 0 {
		m.Population, m.MeanPD = len(scores), meanPD
		m.PSI = metrics.PSI(t.ScoreShares, metrics.Shares(scores, t.ScoreEdges))
	}
	if horizon > 0 {
		outs, err := w.r.Store.Outcomes(ctx, model, BacktestStart(date, horizon), date)
		if err != nil {
			return nil, err
		}
		Backtest(m, outs, t.ScoreEdges)
		if m.Observed > 0 {
			m.Horizon = horizon
		}
	}
	if m.Population == 0 && m.Observed == 0 {
		return nil, nil
	}
	return m, nil
}

// stepTimes returns the time each step took so far, in pipeline order. The
// read of the next chunk and its steps run while the previous chunk is
// written, so the parts overlap; each share is of their sum.
func (w *work) stepTimes() []StepTime {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := []string{"read"}
	for _, s := range w.steps {
		names = append(names, s.Name())
	}
	names = append(names, "write", "finish")
	var total time.Duration
	for _, d := range w.times {
		total += d
	}
	var out []StepTime
	for _, n := range names {
		d, ok := w.times[n]
		if !ok {
			continue
		}
		st := StepTime{Step: n, Seconds: d.Seconds()}
		if total > 0 {
			st.Share = float64(d) / float64(total)
		}
		out = append(out, st)
	}
	return out
}

// StepTime is the time one step of close of business took over a run.
type StepTime struct {
	Step    string  `json:"step"`
	Seconds float64 `json:"seconds"`
	Share   float64 `json:"share"`
}

// partition splits the scan of the run, not yet begun, into up to
// r.Partitions partitions of about equal work: equal numbers of
// candidates, or of loans for a full run. If another process split it
// first, the run takes its partitions.
func (w *work) partition(ctx context.Context) error {
	n := w.r.Partitions
	st := w.r.Store
	var bounds []int64 // upper bounds of all partitions but the last
	if w.run.Mode == ModeFull {
		count, err := st.CountLoans(ctx, 0, maxID)
		if err != nil {
			return err
		}
		for k := 1; k < n; k++ {
			id, ok, err := st.LoanAt(ctx, int64(k)*count/int64(n))
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			bounds = append(bounds, id)
		}
	} else {
		ids, err := st.Candidates(ctx, w.run.Date, 0, maxID)
		if err != nil {
			return err
		}
		for k := 1; k < n; k++ {
			if i := k * len(ids) / n; i > 0 && i < len(ids) {
				bounds = append(bounds, ids[i-1])
			}
		}
	}
	if _, err := st.Split(ctx, w.run, slices.Compact(bounds)); err != nil {
		return err
	}
	w.run.Phase = PhasePartitioned
	return nil
}

// runPartitions has the partitions of the run worked — by the dispatcher,
// or here, one after the other, when there is none or when it left some
// undone — then merges their counters into the run's and notes the loans
// with events that are not yet disbursed, which the sweep leaves alone.
func (w *work) runPartitions(ctx context.Context) error {
	st := w.r.Store
	run := w.run
	parts, err := st.Partitions(ctx, run.Date)
	if err != nil {
		return err
	}
	job := Job{Date: run.Date, Run: run.Token, Parts: len(parts), ChunkSize: w.r.chunkSize()}
	if w.r.Dispatch != nil {
		if err := w.r.Dispatch(ctx, job); err != nil {
			return err
		}
		if parts, err = st.Partitions(ctx, run.Date); err != nil {
			return err
		}
	}
	for _, p := range parts {
		if !p.Done {
			if err := w.r.RunPartition(ctx, job, p.Part); err != nil {
				return err
			}
		}
	}
	if parts, err = st.Partitions(ctx, run.Date); err != nil {
		return err
	}
	for _, p := range parts {
		if !p.Done {
			return fmt.Errorf("close of business for %v: partition %d is not done", run.Date, p.Part)
		}
		run.Summary.Add(&p.Summary)
		w.done += p.Summary.Candidates
		w.total += p.Summary.Candidates
	}
	pending, err := st.Pending(ctx, run.Date)
	if err != nil {
		return err
	}
	for _, id := range pending {
		w.pending[id] = true
	}
	return nil
}

// RunPartition works partition part of the run job names, from its cursor
// to its end, and marks it done. It does nothing if the run is no longer
// the one job names, is finished, or the partition is done; so a queue may
// deliver a job more than once. It returns ErrPartitionLost if another
// worker took the partition over meanwhile.
func (r *Runner) RunPartition(ctx context.Context, job Job, part int) error {
	ctx, err := asEOD(ctx)
	if err != nil {
		return err
	}
	if r.ChunkSize <= 0 && job.ChunkSize > 0 {
		c := *r
		c.ChunkSize = job.ChunkSize
		r = &c
	}
	worker := r.Worker
	if worker == "" {
		host, _ := os.Hostname()
		worker = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	run, ok, err := r.Store.OpenPartition(ctx, job, part, worker)
	if err != nil || !ok {
		return err
	}
	cfg, err := r.Store.Config(ctx)
	if err != nil {
		return err
	}
	w := r.newWork(run, cfg)
	if err := w.scan(ctx, 0, run.Part.Hi); err != nil {
		return err
	}
	return r.Store.ClosePartition(ctx, run)
}
