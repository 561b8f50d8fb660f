package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"

	"daihou/civil"
	"daihou/eod"
)

// Scale-out close of business. A run split into partitions of loan ids
// (eod_partitions) has each partition worked on its own, by any process,
// chunk by chunk through the same read, steps and commit as a
// single-process run; every chunk commits its rows, history, aggregate
// differences and the partition's cursor together. When every partition is
// done, the process that opened the run merges their counters, sweeps the
// loans with events that came meanwhile and finishes the date, once.
//
// Two guards make this safe with many processes. The commits of one date
// take the run's row (eod_runs) first, so no two workers add to the same
// aggregate cells at once (no deadlocks; reading and deriving — most of the
// work — still run in parallel). And a chunk moves its partition's cursor
// only from the value its worker read (a fencing token): if a partition was
// handed to another worker while its first holder was merely slow, the
// first holder's next commit fails with eod.ErrPartitionLost and nothing is
// counted twice.

// Split implements eod.Store.
func (db *DB) Split(ctx context.Context, run *eod.Run, bounds []int64) (bool, error) {
	t, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `UPDATE eod_runs SET phase = ? WHERE as_of = ? AND attempt = ? AND status = 'running' AND phase = ? AND last_loan = 0`,
		string(eod.PhasePartitioned), run.Date, run.Attempt, string(eod.PhaseScan))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err // split by another process meanwhile
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM eod_partitions WHERE as_of = ?`, run.Date); err != nil {
		return false, err
	}
	lo := int64(0)
	part := 0
	for _, hi := range append(bounds, math.MaxInt64) {
		if hi <= lo {
			continue // fewer loans than partitions
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO eod_partitions (as_of, part, run, lo, hi, last_loan, summary) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			run.Date, part, run.Token, lo, hi, lo, mustJSON(eod.Summary{Date: run.Date, Mode: run.Mode})); err != nil {
			return false, err
		}
		lo = hi
		part++
	}
	return true, t.Commit()
}

// LoanAt implements eod.Store.
func (db *DB) LoanAt(ctx context.Context, n int64) (int64, bool, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM loans ORDER BY id LIMIT 1 OFFSET ?`, n).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// Partitions implements eod.Store.
func (db *DB) Partitions(ctx context.Context, d civil.Date) ([]eod.Partition, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT part, lo, hi, last_loan, status, chunks, worker, summary FROM eod_partitions WHERE as_of = ? ORDER BY part`, d)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eod.Partition
	for rows.Next() {
		var p eod.Partition
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

// OpenPartition implements eod.Store.
func (db *DB) OpenPartition(ctx context.Context, job eod.Job, part int, worker string) (*eod.Run, bool, error) {
	run := &eod.Run{Date: job.Date, Phase: eod.PhaseScan}
	var status, phase string
	err := db.read.QueryRowContext(ctx, `SELECT attempt, mode, status, phase, token FROM eod_runs WHERE as_of = ? ORDER BY attempt DESC LIMIT 1`, job.Date).
		Scan(&run.Attempt, &run.Mode, &status, &phase, &run.Token)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if status != "running" || eod.Phase(phase) != eod.PhasePartitioned || run.Token != job.Run {
		return nil, false, nil // a job of a run since finished or started over
	}
	var lo int64
	var pstatus, summary string
	run.Part = &eod.PartitionRef{Num: part, Worker: worker}
	err = db.read.QueryRowContext(ctx, `SELECT lo, hi, last_loan, status, summary FROM eod_partitions WHERE as_of = ? AND part = ? AND run = ?`, job.Date, part, job.Run).
		Scan(&lo, &run.Part.Hi, &run.Cursor, &pstatus, &summary)
	if errors.Is(err, sql.ErrNoRows) || pstatus == "done" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := json.Unmarshal([]byte(summary), &run.Summary); err != nil {
		return nil, false, err
	}
	if run.Cursor > lo {
		run.Summary.Resumed = true
	}
	run.Cursor = max(run.Cursor, lo)
	return run, true, nil
}

// ClosePartition implements eod.Store.
func (db *DB) ClosePartition(ctx context.Context, run *eod.Run) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer t.Rollback()
	res, err := t.ExecContext(ctx, `UPDATE eod_partitions SET status = 'done', worker = ?, beat_at = ? WHERE as_of = ? AND part = ? AND last_loan = ? AND status = 'open'`,
		run.Part.Worker, t.stamp(), run.Date, run.Part.Num, run.Cursor)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return eod.ErrPartitionLost
	}
	return t.Commit()
}

// Pending implements eod.Store.
func (db *DB) Pending(ctx context.Context, d civil.Date) ([]int64, error) {
	return queryIDs(ctx, db.read, `SELECT d.loan_id FROM eod_dirty d JOIN loans l ON l.id = d.loan_id WHERE l.disbursed > ?`, d)
}

// checkpoint is a chunk's first statement: it takes the run's row, so the
// transaction holds the write lock (and, with partitions, the date's
// commit turn) before it reads, and moves the cursor — the run's, or the
// partition's from the value this worker read.
func (db *DB) checkpoint(ctx context.Context, t *wtx, run *eod.Run, cp eod.Checkpoint) error {
	if run.Part == nil {
		_, err := t.ExecContext(ctx, `UPDATE eod_runs SET chunks = chunks + 1, phase = ?, last_loan = ? WHERE as_of = ? AND attempt = ?`,
			string(cp.Phase), cp.Cursor, run.Date, run.Attempt)
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE eod_runs SET chunks = chunks + 1 WHERE as_of = ? AND attempt = ?`, run.Date, run.Attempt); err != nil {
		return err
	}
	res, err := t.ExecContext(ctx, `UPDATE eod_partitions SET last_loan = ?, chunks = chunks + 1, worker = ?, beat_at = ? WHERE as_of = ? AND part = ? AND last_loan = ? AND status = 'open'`,
		cp.Cursor, run.Part.Worker, t.stamp(), run.Date, run.Part.Num, run.Cursor)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return eod.ErrPartitionLost
	}
	return nil
}

// saveSummary records the counters of the run (or partition) so far with
// a chunk.
func (db *DB) saveSummary(ctx context.Context, t *wtx, run *eod.Run, total eod.Summary) error {
	if run.Part == nil {
		_, err := t.ExecContext(ctx, `UPDATE eod_runs SET summary = ? WHERE as_of = ? AND attempt = ?`, mustJSON(total), run.Date, run.Attempt)
		return err
	}
	_, err := t.ExecContext(ctx, `UPDATE eod_partitions SET summary = ? WHERE as_of = ? AND part = ?`, mustJSON(total), run.Date, run.Part.Num)
	return err
}
