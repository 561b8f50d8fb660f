package eod

import (
	"context"
	"errors"

	"daihou/civil"
)

// Store is the storage close of business runs on; daihou's SQL store
// implements it. Every method that writes does so in one database
// transaction.
type Store interface {
	// Status returns the business date and where close of business stands.
	Status(ctx context.Context) (Status, error)
	// Open opens the run of date, or resumes it if one was left
	// unfinished. A date never closed opens in ModeIncremental (ModeFull
	// with full, or on a database never closed), moving the business date
	// to date and carrying the previous date's aggregates forward; a date
	// closed before opens a new attempt in ModeRerun (ModeFull with full)
	// and keeps the summary of the close.
	Open(ctx context.Context, date civil.Date, full bool) (*Run, error)
	// Config returns the products and the derivation of the run.
	Config(ctx context.Context) (*Config, error)

	// Candidates returns the loans with after < id <= hi whose wake date
	// is on or before date or that have events, in id order.
	Candidates(ctx context.Context, date civil.Date, after, hi int64) ([]int64, error)
	// Loans returns up to limit loan ids with after < id <= hi, in order.
	Loans(ctx context.Context, after, hi int64, limit int) ([]int64, error)
	// CountLoans counts the loans with after < id <= hi.
	CountLoans(ctx context.Context, after, hi int64) (int64, error)
	// Dirty returns the loans with events, in id order.
	Dirty(ctx context.Context) ([]int64, error)

	// Read reads what the steps need for ids, from one consistent view.
	Read(ctx context.Context, date civil.Date, ids []int64) (*Chunk, error)
	// Commit writes out, made from c, with the run's checkpoint moved to
	// cp, in one transaction. If an event reached some of c's loans since c
	// was read (their event marks differ), it writes drop's output instead,
	// which leaves those loans out: they keep their marks, and the sweep
	// derives them again. It returns the output written. For a partition
	// whose cursor another worker moved, it returns ErrPartitionLost and
	// writes nothing.
	Commit(ctx context.Context, run *Run, cp Checkpoint, c *Chunk, out *Output, drop func(stale map[int64]bool) *Output) (*Output, error)
	// Finish finishes the run: it drops empty aggregate cells, rebuilds
	// the date's aggregates from the loans' records when asked (returning
	// the cells that differed), records the model monitoring, and marks
	// the run done with its summary. It returns ErrFinished when another
	// process finished the run first.
	Finish(ctx context.Context, run *Run, fin Final) (healed int64, err error)
	// ScoredPopulation returns the scores of the active loans model scored.
	ScoredPopulation(ctx context.Context, model int64) (scores []float64, meanPD float64, err error)
	// Outcomes returns, for every loan model scored as of start (its
	// latest score then was model's) and not settled by then, that score
	// and what became of the loan by end (see Outcome). Month ends only:
	// it reads each such loan's score and class history once.
	Outcomes(ctx context.Context, model int64, start, end civil.Date) ([]Outcome, error)

	// Split splits the run's scan into partitions with these upper bounds
	// (the last is unbounded); false if another process split it first.
	Split(ctx context.Context, run *Run, bounds []int64) (bool, error)
	// LoanAt returns the id of the loan at 0-based position n in id order,
	// false past the end.
	LoanAt(ctx context.Context, n int64) (int64, bool, error)
	// Partitions returns the partitions of date's run, in order.
	Partitions(ctx context.Context, date civil.Date) ([]Partition, error)
	// OpenPartition returns the run of partition part of job, to be worked
	// by worker, and false when there is nothing to do: the run is no
	// longer the one job names, is finished, or the partition is done.
	OpenPartition(ctx context.Context, job Job, part int, worker string) (*Run, bool, error)
	// ClosePartition marks the partition of run done, if its cursor is
	// still the one run last committed (ErrPartitionLost otherwise).
	ClosePartition(ctx context.Context, run *Run) error
	// Pending returns the loans with events not yet disbursed on date.
	Pending(ctx context.Context, date civil.Date) ([]int64, error)
}

// Status is where close of business stands.
type Status struct {
	Business civil.Date // the business date
	Last     civil.Date // the last date closed; zero if none
	Running  civil.Date // a run left unfinished; zero if none
}

// Phase is where a run of a date stands.
type Phase string

// The phases of a run, in order.
const (
	PhaseScan        Phase = "scan"        // re-deriving the selected loans in id order
	PhasePartitioned Phase = "partitioned" // the scan is split into partitions any worker takes
	PhaseSweep       Phase = "dirty"       // re-deriving loans whose events came while the run went
	PhaseFinish      Phase = "finish"
	PhaseDone        Phase = "done"
)

// Run is one attempt at closing a date, as storage records it.
type Run struct {
	Date    civil.Date
	Attempt int // 1 for the close of the date, 2 … for reruns
	Mode    string
	Phase   Phase
	Cursor  int64  // the last loan id the scan committed
	Token   string // names the attempt: jobs of another attempt do nothing
	Summary Summary
	// Part is the partition worked, nil for the whole run.
	Part *PartitionRef
}

// PartitionRef names the partition a run works on.
type PartitionRef struct {
	Num    int
	Hi     int64 // the partition holds loans with Lo < id <= Hi
	Worker string
}

// Checkpoint is where a committed chunk leaves the run.
type Checkpoint struct {
	Phase  Phase
	Cursor int64
}

// Final is what finishing a run writes beside its summary.
type Final struct {
	Rebuild    bool        // rebuild the aggregates from the records (full runs)
	Book       *Aggregates // the aggregates a full run rebuilt as it went, instead
	Monitoring *Monitoring // nil off month ends or without a champion
	// StartedBy is who started the run (auth.Actor.String()), when a
	// person or a token did: the run itself acts as the system actor eod.
	StartedBy string
}

// Monitoring is one month of a model's monitoring: the population
// stability of today's scores, and the back-test of the scores made
// Horizon months before (see Outcome and Backtest).
type Monitoring struct {
	ModelID    int64
	Month      int // civil.Date.MonthIndex
	Population int
	PSI        float64
	MeanPD     float64

	Horizon  int  // months back the back-test looked; 0 when none was run
	Observed int  // loans scored then and performing
	Bads     int  // of which became non-performing by the month end
	Measured bool // AUC and KS are kept: at least MinBads bads and a good
	AUC, KS  float64
	Bands    []Band // calibration by training score band, empty bands left out
}

// Partition is one partition of a run and its progress.
type Partition struct {
	Part     int
	Lo, Hi   int64 // loans with Lo < id <= Hi
	LastLoan int64 // the cursor: the last loan id committed
	Done     bool
	Chunks   int64
	Worker   string // the worker that committed last
	Summary  Summary
}

// Job names the partitioned run of a date: the work a dispatcher hands
// out, one partition per queue job.
type Job struct {
	Date      civil.Date
	Run       string // Run.Token, so a stale job does nothing
	Parts     int
	ChunkSize int
}

// Errors of close of business.
var (
	// ErrPartitionLost: another worker committed to the partition since
	// this one read its cursor; the partition was re-leased and this
	// worker must stop.
	ErrPartitionLost = errors.New("close of business partition taken over by another worker")
	// ErrFinished: another process finished the run first.
	ErrFinished = errors.New("close of business was finished by another process")
)
