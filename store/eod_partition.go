package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/eod"
)

// Scale-out close of business. With EODOptions.Partitions set, a run that
// starts its scan from the beginning is split into partitions of loan ids
// (eod_partitions) of about equal work: equal numbers of candidates, or of
// loans for a full run. Each partition is then worked on its own, by any
// process (RunEODPartition), chunk by chunk through the same plan and
// commit as a single-process run; every chunk commits its snapshots,
// records, aggregate differences and the partition's cursor together. When
// every partition is done, the process that opened the run merges their
// counters, sweeps the loans with events that came meanwhile and finishes
// the date, once.
//
// Two guards make this safe with many processes. The commits of one date
// take the run's row (eod_runs) first, so no two workers add to the same
// aggregate cells at once (no deadlocks; planning — reading and replaying,
// most of the work — still runs in parallel). And a chunk moves its
// partition's cursor only from the value its worker read (a fencing token):
// if a partition was handed to another worker while its first holder was
// merely slow, the first holder's next commit fails with
// ErrEODPartitionLost and nothing is counted twice.

// ErrEODPartitionLost is returned by RunEODPartition when another worker
// committed to the partition since this one read its cursor: the partition
// was re-leased, and this worker must stop.
var ErrEODPartitionLost = errors.New("close of business partition taken over by another worker")

// phasePartitioned is the eod_runs phase of a run whose scan is split into
// partitions.
const phasePartitioned = "partitioned"

// eodPart is the partition a runner works on.
type eodPart struct {
	num    int
	worker string
}

// EODPartition is one partition of a run and its progress.
type EODPartition struct {
	Part     int
	Lo, Hi   int64 // loans with Lo < id <= Hi
	LastLoan int64 // the cursor: the last loan id committed
	Done     bool
	Chunks   int64
	Worker   string // the worker that committed last
	Summary  eod.Summary
}

// EODPartitions returns the partitions of the run of d, in order; none if
// the run was not split.
func (db *DB) EODPartitions(ctx context.Context, d civil.Date) ([]EODPartition, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT part, lo, hi, last_loan, status, chunks, worker, summary FROM eod_partitions WHERE as_of = ? ORDER BY part`, d)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EODPartition
	for rows.Next() {
		var p EODPartition
		var status, summary string
		if err := rows.Scan(&p.Part, &p.Lo, &p.Hi, &p.LastLoan, &status, &p.Chunks, &p.Worker, &summary); err != nil {
			return nil, err
		}
		p.Done = status == "done"
		if err := json.Unmarshal([]byte(summary), &p.Summary); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// partition splits the scan of run, not yet begun, into up to
// r.opt.Partitions partitions. If another process split it first, run
// takes its partitions.
func (r *eodRunner) partition(ctx context.Context, run *eodRun) error {
	n := r.opt.Partitions
	var bounds []int64 // upper bounds of all partitions but the last
	if run.mode == eod.ModeFull {
		var count int64
		if err := r.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans`).Scan(&count); err != nil {
			return err
		}
		for k := 1; k < n; k++ {
			var id int64
			err := r.db.read.QueryRowContext(ctx, `SELECT id FROM loans ORDER BY id LIMIT 1 OFFSET ?`, int64(k)*count/int64(n)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return err
			}
			bounds = append(bounds, id)
		}
	} else {
		ids, err := r.candidates(ctx, run)
		if err != nil {
			return err
		}
		for k := 1; k < n; k++ {
			if i := k * len(ids) / n; i > 0 && i < len(ids) {
				bounds = append(bounds, ids[i-1])
			}
		}
	}
	tx, err := r.db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE eod_runs SET phase = ? WHERE as_of = ? AND status = 'running' AND phase = 'scan' AND last_loan = 0`, phasePartitioned, run.date)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		run.phase = phasePartitioned // split by another process meanwhile
		return err
	}
	var token string
	if err := tx.QueryRowContext(ctx, `SELECT started_at FROM eod_runs WHERE as_of = ?`, run.date).Scan(&token); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM eod_partitions WHERE as_of = ?`, run.date); err != nil {
		return err
	}
	lo := int64(0)
	part := 0
	for _, hi := range append(bounds, math.MaxInt64) {
		if hi <= lo {
			continue // fewer loans than partitions
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO eod_partitions (as_of, part, run, lo, hi, last_loan, summary) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			run.date, part, token, lo, hi, lo, mustJSON(eod.Summary{Date: run.date, Mode: run.mode})); err != nil {
			return err
		}
		lo = hi
		part++
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	run.phase = phasePartitioned
	return nil
}

// runPartitions has the partitions of run worked — by the dispatcher, or
// here, one after the other, when there is none or when it left some
// undone — then merges their counters into the run's and notes the loans
// with events that are not yet disbursed, which the sweep leaves alone.
func (r *eodRunner) runPartitions(ctx context.Context, run *eodRun) error {
	var token string
	if err := r.db.read.QueryRowContext(ctx, `SELECT started_at FROM eod_runs WHERE as_of = ?`, run.date).Scan(&token); err != nil {
		return err
	}
	parts, err := r.db.EODPartitions(ctx, run.date)
	if err != nil {
		return err
	}
	if r.opt.Dispatch != nil {
		if err := r.opt.Dispatch(ctx, EODJob{Date: run.date, Run: token, Parts: len(parts), ChunkSize: r.opt.ChunkSize}); err != nil {
			return err
		}
		if parts, err = r.db.EODPartitions(ctx, run.date); err != nil {
			return err
		}
	}
	for _, p := range parts {
		if !p.Done {
			if err := r.db.RunEODPartition(ctx, EODJob{Date: run.date, Run: token, ChunkSize: r.opt.ChunkSize}, p.Part, r.opt); err != nil {
				return err
			}
		}
	}
	if parts, err = r.db.EODPartitions(ctx, run.date); err != nil {
		return err
	}
	for _, p := range parts {
		if !p.Done {
			return fmt.Errorf("close of business for %v: partition %d is not done", run.date, p.Part)
		}
		run.sum.Add(&p.Summary)
		run.done += p.Summary.Candidates
		run.total += p.Summary.Candidates
	}
	pending, err := queryIDs(ctx, r.db.read, `SELECT d.loan_id FROM eod_dirty d JOIN loans l ON l.id = d.loan_id WHERE l.disbursed > ?`, run.date)
	if err != nil {
		return err
	}
	for _, id := range pending {
		run.pending[id] = true
	}
	return nil
}

// EODJob names the partitioned run of a date: the work a dispatcher hands
// out, one partition per queue job.
type EODJob struct {
	Date      civil.Date
	Run       string // eod_runs.started_at of the run, so a stale job does nothing
	Parts     int
	ChunkSize int
}

// RunEODPartition works partition part of the run job names, from its
// cursor to its end, and marks it done. It does nothing if the run is no
// longer the one job names, is finished, or the partition is done; so a
// queue may deliver a job more than once. It returns ErrEODPartitionLost
// if another worker took the partition over meanwhile.
func (db *DB) RunEODPartition(ctx context.Context, job EODJob, part int, opt EODOptions) error {
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = cmpOr(job.ChunkSize, 20000)
	}
	if opt.Worker == "" {
		host, _ := os.Hostname()
		opt.Worker = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	var mode, status, phase, token string
	err := db.read.QueryRowContext(ctx, `SELECT mode, status, phase, started_at FROM eod_runs WHERE as_of = ?`, job.Date).Scan(&mode, &status, &phase, &token)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if status != "running" || phase != phasePartitioned || token != job.Run {
		return nil // a job of a run since finished or started over
	}
	var lo, hi, cursor int64
	var pstatus, summary string
	err = db.read.QueryRowContext(ctx, `SELECT lo, hi, last_loan, status, summary FROM eod_partitions WHERE as_of = ? AND part = ? AND run = ?`, job.Date, part, job.Run).
		Scan(&lo, &hi, &cursor, &pstatus, &summary)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if pstatus == "done" {
		return nil
	}
	r := &eodRunner{db: db, opt: opt}
	run := &eodRun{date: job.Date, mode: mode, phase: "scan", cursor: cursor, began: time.Now(), pending: map[int64]bool{}, part: &eodPart{num: part, worker: opt.Worker}}
	if err := json.Unmarshal([]byte(summary), &run.sum); err != nil {
		return err
	}
	if cursor > lo {
		run.sum.Resumed = true
	}
	if run.prods, err = db.Products(ctx); err != nil {
		return err
	}
	if run.scorer, err = db.loadEODScorer(ctx); err != nil {
		return err
	}
	var next func() ([]int64, error)
	if mode == eod.ModeFull {
		after := cursor
		next = func() ([]int64, error) {
			ids, err := queryIDs(ctx, db.read, `SELECT id FROM loans WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`, after, hi, opt.ChunkSize)
			if len(ids) > 0 {
				after = ids[len(ids)-1]
			}
			return ids, err
		}
	} else {
		ids, err := r.candidates(ctx, run)
		if err != nil {
			return err
		}
		end := len(ids)
		for end > 0 && ids[end-1] > hi {
			end--
		}
		ids = ids[:end]
		run.total = int64(len(ids))
		next = chunksOf(ids, opt.ChunkSize)
	}
	if err := r.process(ctx, run, "scan", next); err != nil {
		return err
	}
	// Done, if the cursor is still the one this worker last committed.
	res, err := db.write.ExecContext(ctx, `UPDATE eod_partitions SET status = 'done', worker = ?, beat_at = ? WHERE as_of = ? AND part = ? AND last_loan = ? AND status = 'open'`,
		opt.Worker, db.stamp(), job.Date, part, run.cursor)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrEODPartitionLost
	}
	return nil
}

func cmpOr(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

// checkpoint is a chunk's first statement: it takes the run's row, so the
// transaction holds the write lock (and, with partitions, the date's
// commit turn) before it reads, and moves the cursor — the run's, or the
// partition's from the value this worker read.
func (r *eodRunner) checkpoint(ctx context.Context, tx *sql.Tx, run *eodRun, phase string, cursor int64) error {
	if run.part == nil {
		_, err := tx.ExecContext(ctx, `UPDATE eod_runs SET chunks = chunks + 1, phase = ?, last_loan = ? WHERE as_of = ?`, phase, cursor, run.date)
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE eod_runs SET chunks = chunks + 1 WHERE as_of = ?`, run.date); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE eod_partitions SET last_loan = ?, chunks = chunks + 1, worker = ?, beat_at = ? WHERE as_of = ? AND part = ? AND last_loan = ? AND status = 'open'`,
		cursor, run.part.worker, r.db.stamp(), run.date, run.part.num, run.cursor)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrEODPartitionLost
	}
	return nil
}

// saveSummary records the counters of the run (or partition) so far with
// a chunk.
func (r *eodRunner) saveSummary(ctx context.Context, tx *sql.Tx, run *eodRun, total eod.Summary) error {
	if run.part == nil {
		_, err := tx.ExecContext(ctx, `UPDATE eod_runs SET summary = ? WHERE as_of = ?`, mustJSON(total), run.date)
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE eod_partitions SET summary = ? WHERE as_of = ? AND part = ?`, mustJSON(total), run.date, run.part.num)
	return err
}

// errEODFinished is returned by finish when another process finished the
// run first.
var errEODFinished = daihou.Errorf(daihou.ECONFLICT, "close of business was finished by another process")
