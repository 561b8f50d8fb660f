// Package eodqueue spreads close of business (日终批处理) over worker
// processes on PostgreSQL through River (github.com/riverqueue/river), a
// job queue kept in the same database: one job per partition of loan ids
// (eod.Job, eod.Runner.RunPartition).
//
// Lease, heartbeat, expiry and re-lease are River's: a worker leases a job
// by locking it in the queue table (state running, attempted_at, attempted_by)
// for RescueAfter (River's JobTimeout): a partition still running then is
// cancelled — its current chunk rolls back — and queued again, to resume
// from its cursor. River clients heartbeat through their leader election
// (river_leader, renewed every few seconds, expiring after about 15 s); the
// elected leader's rescuer, every 30 s, returns a job whose worker died
// (running for more than RescueAfter plus a margin, River's
// RescueStuckJobsAfter) to the queue, where another worker leases it again
// and resumes the partition from the cursor its last chunk committed. A
// worker that is only slow, not dead, loses the race at its next commit
// (eod.ErrPartitionLost), so an early rescue costs time, never a double
// count. The partition's own row records the last worker and the time of
// every chunk (eod_partitions.worker, beat_at).
package eodqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"daihou/civil"
	"daihou/eod"
)

// DefaultRescueAfter is how long a partition job may run before River
// hands it to another worker: far longer than a partition takes (a run is
// split into several partitions per worker) and short enough that a dead
// worker delays the batch by minutes, not hours.
const DefaultRescueAfter = 5 * time.Minute

// PartitionArgs is the job of one partition of a run.
type PartitionArgs struct {
	Date      civil.Date `json:"date"`
	Run       string     `json:"run"`
	Part      int        `json:"part"`
	ChunkSize int        `json:"chunk_size"`
}

// Kind names the job in River's tables.
func (PartitionArgs) Kind() string { return "daihou_eod_partition" }

// OpenPool opens a pgx pool on dsn (a postgres:// URL; its search_path, if
// any, is where River's tables go) and brings River's tables up to date.
func OpenPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// migrate applies River's migrations, one process at a time.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7261002)`); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7261002)`)
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("queue tables: %w", err)
	}
	return nil
}

func quietLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// Dispatcher returns an eod.Runner's Dispatch that enqueues one job per
// partition and waits, polling the partitions every poll, until all are
// done. Jobs are unique by their arguments, so a coordinator started again
// does not enqueue a partition twice.
func Dispatcher(st eod.Store, pool *pgxpool.Pool, poll time.Duration, progress func(done, total int)) func(context.Context, eod.Job) error {
	return func(ctx context.Context, job eod.Job) error {
		client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: quietLogger()})
		if err != nil {
			return err
		}
		params := make([]river.InsertManyParams, job.Parts)
		for i := range params {
			params[i] = river.InsertManyParams{
				Args:       PartitionArgs{Date: job.Date, Run: job.Run, Part: i, ChunkSize: job.ChunkSize},
				InsertOpts: &river.InsertOpts{MaxAttempts: 100, UniqueOpts: river.UniqueOpts{ByArgs: true}},
			}
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			return fmt.Errorf("enqueue close of business partitions: %w", err)
		}
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			parts, err := st.Partitions(ctx, job.Date)
			if err != nil {
				return err
			}
			done := 0
			for _, p := range parts {
				if p.Done {
					done++
				}
			}
			if progress != nil {
				progress(done, len(parts))
			}
			if done == len(parts) {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}

// WorkerConfig configures a worker.
type WorkerConfig struct {
	// Concurrency is the number of partitions worked at once (default 1).
	Concurrency int
	// RescueAfter is the lease: how long a job may run before River gives it
	// to another worker (default DefaultRescueAfter).
	RescueAfter time.Duration
	// Runner works the partitions (its store, steps, chunk size and
	// throttle); the chunk size comes from the job when not set here.
	Runner *eod.Runner
	// Logger receives River's warnings and a line per partition.
	Logger *slog.Logger
}

type partitionWorker struct {
	river.WorkerDefaults[PartitionArgs]
	cfg WorkerConfig
}

func (w *partitionWorker) Work(ctx context.Context, job *river.Job[PartitionArgs]) error {
	a := job.Args
	began := time.Now()
	err := w.cfg.Runner.RunPartition(ctx, eod.Job{Date: a.Date, Run: a.Run, ChunkSize: a.ChunkSize}, a.Part)
	if errors.Is(err, eod.ErrPartitionLost) {
		// Another worker holds the partition now; this job's work is theirs.
		w.cfg.Logger.Warn("close of business partition taken over", "date", a.Date.String(), "part", a.Part)
		return nil
	}
	if err != nil {
		w.cfg.Logger.Error("close of business partition failed; River retries it", "date", a.Date.String(), "part", a.Part, "attempt", job.Attempt, "err", err)
		return err
	}
	w.cfg.Logger.Info("close of business partition done", "date", a.Date.String(), "part", a.Part, "attempt", job.Attempt, "seconds", time.Since(began).Seconds())
	return nil
}

// Work runs a worker until ctx is cancelled, then stops it, letting the
// partitions in hand finish their current chunk.
func Work(ctx context.Context, pool *pgxpool.Pool, cfg WorkerConfig) error {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = DefaultRescueAfter
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &partitionWorker{cfg: cfg})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Concurrency}},
		Workers: workers,
		// The lease: a live worker's partition is cancelled after RescueAfter
		// (its current chunk rolls back) and queued again, to resume from its
		// cursor; a dead worker's is rescued a little later.
		JobTimeout:           cfg.RescueAfter,
		RescueStuckJobsAfter: cfg.RescueAfter + max(cfg.RescueAfter/4, time.Second),
		RetryPolicy:          retrySoon{},
		FetchPollInterval:    200 * time.Millisecond,
		Logger:               slog.New(warnOnly{cfg.Logger.Handler()}),
	})
	if err != nil {
		return err
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.Stop(stop); err != nil {
		return client.StopAndCancel(context.Background())
	}
	return nil
}

// retrySoon retries a partition a second after it failed or was rescued:
// its work is checkpointed, so there is nothing to back off from but a
// database that is down, and then one retry a second costs little.
type retrySoon struct{}

func (retrySoon) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Second) }

// warnOnly passes on River's warnings and errors, not its chatter.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
