package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/eod"
	"daihou/eodqueue"
	"daihou/store"
)

func (m *Main) runEOD(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "worker" {
		return m.runEODWorker(ctx, args[1:])
	}
	fs := m.newFlagSet("eod [--date DATE] [--full] [--workers N] [--db PATH] [--json]  |  eod worker --db URL", `Close of business (日终批处理): advance the business date to DATE, closing every
day in between one by one (catch-up), and re-derive each loan whose state can
change that day — installments falling due, overdue loans accruing penalty
and days past due, written-off and restructured loans, and loans with new
payments or decisions — then update the daily portfolio, roll-rate and
vintage aggregates. --full re-derives every loan (after a rule change).

Work is committed in chunks with a checkpoint: interrupt it at any point and
run it again to resume; the result is the same as an uninterrupted run.
Closing the last closed date again only picks up what was posted since.
Payments may be posted while it runs; none is lost or applied twice.

With no --date it closes the day after the last closed date.

Scale-out (PostgreSQL): --workers N splits each date into partitions of loan
ids (--partitions, default 4 per worker), queued as jobs, and starts N
'daihou eod worker' processes on this machine to work them; workers on other
machines ('daihou eod worker --db URL') share the same queue. --workers 0
with --partitions P only queues the partitions and waits for such workers.
A worker that dies loses its partition's lease after --rescue-after and
another resumes it from its last committed chunk; the date is merged and
finished once, when every partition is done.`)
	bk := m.bookFlags(fs)
	db := bk.db
	date := fs.String("date", "", "business date to close through (default: the day after the last closed date)")
	full := fs.Bool("full", false, "re-derive every loan and rebuild the aggregates")
	chunk := fs.Int("chunk", eod.DefaultChunk, "loans per committed chunk")
	asJSON := fs.Bool("json", false, "print the summaries as JSON")
	workers := fs.Int("workers", 0, "PostgreSQL: worker processes to start on this machine (0: work in this process)")
	parts := fs.Int("partitions", 0, "PostgreSQL: partitions per date (default 4 per worker)")
	rescue := fs.Duration("rescue-after", eodqueue.DefaultRescueAfter, "PostgreSQL: lease of a partition; a worker silent this long loses it")
	throttle := fs.Duration("throttle", 0, "workers pause this long after every committed chunk, leaving the database to other work")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("eod takes no arguments (did you mean --date %s?)", fs.Arg(0))
	}
	if *workers < 0 || *parts < 0 {
		return usagef("--workers and --partitions cannot be negative")
	}
	if !store.IsPostgres(db()) && (*workers > 1 || *parts > 0) {
		return daihou.Errorf(daihou.EINVALID, "--workers %d: SQLite has one writer, so close of business runs in one process; scale-out needs PostgreSQL (--db postgres://…)", *workers)
	}
	s, ctx, err := m.openFor(ctx, bk, auth.RunEOD, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	r := &eod.Runner{Store: s, ChunkSize: *chunk, Progress: m.eodProgress()}
	if store.IsPostgres(db()) && (*workers > 0 || *parts > 0) {
		stop, err := m.scaleOut(ctx, s, db(), r, *workers, *parts, *rescue, *throttle)
		if err != nil {
			return err
		}
		defer stop()
	}
	var target civil.Date
	if *date != "" {
		if target, err = civil.Parse(*date); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--date: %v", err)
		}
	} else {
		st, err := s.Status(ctx)
		switch {
		case err != nil:
			return err
		case st.Running != 0:
			target = st.Running
		case st.Last != 0:
			target = st.Last.AddDays(1)
		case st.Business != 0:
			target = st.Business
		default:
			return usagef("this book has never been closed and has no business date: give the date to open it on, e.g. --date %v", civil.FromTime(now()))
		}
	}
	began := time.Now()
	sums, err := r.Close(ctx, target, *full)
	if err != nil {
		if len(sums) > 0 {
			m.printEOD(sums, time.Since(began))
		}
		if errors.Is(err, context.Canceled) {
			return daihou.Errorf(daihou.ECONFLICT, "close of business interrupted; run it again to resume from its checkpoint")
		}
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, struct {
			Dates        []eod.Summary `json:"dates"`
			Seconds      float64       `json:"seconds"`
			PeakMemoryMB int64         `json:"peak_memory_mib,omitempty"`
		}{sums, time.Since(began).Seconds(), peakMemoryMB()})
	}
	m.printEOD(sums, time.Since(began))
	return nil
}

// eodProgress draws a progress bar per business date on a terminal.
func (m *Main) eodProgress() func(civil.Date, int64, int64) {
	if !isTerminal(m.Stderr) {
		return nil
	}
	var cur civil.Date
	var total int64
	var bar func(int)
	return func(d civil.Date, done, n int64) {
		if d != cur || n != total {
			cur, total = d, n
			bar = m.progress(int(n), "close of business "+d.String())
		}
		bar(int(done))
	}
}

func (m *Main) printEOD(sums []eod.Summary, took time.Duration) {
	if len(sums) == 0 {
		fmt.Fprintln(m.Stdout, "Nothing to close.")
		return
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "date\tmode\tselected\ttouched\tchanged\tnew events\tnewly overdue\tcured\trolled deeper\tclass worse\tclass better\tsettled\twritten off\twarnings\ttasks\tescalated\tkept\tbroken\tseconds\t")
	var touched int64
	for _, s := range sums {
		mode := s.Mode
		if s.Resumed {
			mode += " (resumed)"
		}
		fmt.Fprintf(tw, "%v\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t\n", s.Date, mode, group(s.Candidates), group(s.Touched), group(s.Changed), group(s.NewEvents),
			group(s.NewlyOverdue), group(s.Cured), group(s.RolledDeeper), group(s.ClassWorse), group(s.ClassBetter), group(s.Settled), group(s.WrittenOff),
			group(s.Warnings), group(s.Tasks), group(s.TasksEscalated), group(s.PromisesKept), group(s.PromisesBroken), s.Duration.Seconds())
		touched += s.Touched
	}
	tw.Flush()
	last := sums[len(sums)-1]
	fmt.Fprintf(m.Stdout, "\nClosed through %v: %d date(s), %s loans re-derived in %.1fs (%s loans/s)", last.Date, len(sums), group(touched), took.Seconds(), group(int64(float64(touched)/max(took.Seconds(), 1e-9))))
	if mb := peakMemoryMB(); mb > 0 {
		fmt.Fprintf(m.Stdout, ", peak memory %d MiB", mb)
	}
	fmt.Fprintln(m.Stdout)
	if last.CellsHealed > 0 {
		fmt.Fprintf(m.Stdout, "The full run corrected %d aggregate cells.\n", last.CellsHealed)
	}
	if last.Pending > 0 {
		fmt.Fprintf(m.Stdout, "%d loans with events are not yet disbursed on %v and wait for their date.\n", last.Pending, last.Date)
	}
	if len(last.Steps) > 0 {
		parts := make([]string, len(last.Steps))
		for i, st := range last.Steps {
			parts[i] = fmt.Sprintf("%s %.1fs (%.0f%%)", st.Step, st.Seconds, 100*st.Share)
		}
		fmt.Fprintf(m.Stdout, "Time by step on %v: %s.\n", last.Date, strings.Join(parts, ", "))
	}
}

// scaleOut makes close of business split each date into partitions queued
// for workers, and starts the local worker processes; stop ends them.
func (m *Main) scaleOut(ctx context.Context, s *store.DB, dsn string, r *eod.Runner, workers, parts int, rescue, throttle time.Duration) (stop func(), err error) {
	pool, err := eodqueue.OpenPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if parts == 0 {
		parts = 4 * workers
	}
	r.Partitions = parts
	r.Dispatch = eodqueue.Dispatcher(s, pool, 250*time.Millisecond, nil)
	self, err := os.Executable()
	if err != nil {
		pool.Close()
		return nil, err
	}
	var procs []*exec.Cmd
	exited := make([]chan struct{}, 0, workers)
	for range workers {
		cmd := exec.Command(self, "eod", "worker", "--db", dsn, "--rescue-after", rescue.String(), "--throttle", throttle.String())
		cmd.Stdout, cmd.Stderr = m.Stderr, m.Stderr
		if err := cmd.Start(); err != nil {
			for _, p := range procs {
				p.Process.Kill()
				p.Wait()
			}
			pool.Close()
			return nil, fmt.Errorf("start eod worker: %w", err)
		}
		procs = append(procs, cmd)
		done := make(chan struct{})
		exited = append(exited, done)
		go func() {
			defer close(done)
			if err := cmd.Wait(); err != nil && ctx.Err() == nil {
				fmt.Fprintf(m.Stderr, "daihou eod: worker %d exited: %v; its partitions go to the other workers after --rescue-after\n", cmd.Process.Pid, err)
			}
		}()
	}
	return func() {
		for i, p := range procs {
			select {
			case <-exited[i]:
			default:
				p.Process.Signal(syscall.SIGTERM)
			}
		}
		for _, done := range exited {
			<-done
		}
		pool.Close()
	}, nil
}

func (m *Main) runEODWorker(ctx context.Context, args []string) error {
	fs := m.newFlagSet("eod worker --db URL [--concurrency N] [--rescue-after DURATION]", `A close-of-business worker (PostgreSQL): takes partitions of the dates being
closed from the queue in the database, works each chunk by chunk from its last
checkpoint, and runs until interrupted (SIGINT or SIGTERM: the partitions in
hand finish their current chunk). Start as many as you like, on any machine
that reaches the database; 'daihou eod --workers N' starts N of them itself.`)
	db := m.dbFlag(fs)
	concurrency := fs.Int("concurrency", 1, "partitions worked at once")
	rescue := fs.Duration("rescue-after", eodqueue.DefaultRescueAfter, "lease of a partition: a job running this long is handed to another worker (set the same on every worker)")
	chunk := fs.Int("chunk", 0, "loans per committed chunk (default: the coordinator's)")
	throttle := fs.Duration("throttle", 0, "pause this long after every committed chunk")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("eod worker takes no arguments")
	}
	if !store.IsPostgres(db()) {
		return daihou.Errorf(daihou.EINVALID, "eod worker needs PostgreSQL (--db postgres://…): SQLite has one writer")
	}
	s, err := m.openKeyed(ctx, db(), false)
	if err != nil {
		return err
	}
	defer s.Close()
	// A worker is machinery: it works the partitions someone allowed to
	// run close of business queued, as close of business.
	ctx = auth.NewContext(ctx, auth.EOD())
	pool, err := eodqueue.OpenPool(ctx, db())
	if err != nil {
		return err
	}
	defer pool.Close()
	r := &eod.Runner{Store: s, ChunkSize: *chunk, Throttle: *throttle}
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	logger.Info("close-of-business worker started", "pid", os.Getpid(), "rescue_after", rescue.String())
	return eodqueue.Work(ctx, pool, eodqueue.WorkerConfig{Concurrency: *concurrency, RescueAfter: *rescue, Runner: r, Logger: logger})
}
