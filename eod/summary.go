package eod

import (
	"time"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/servicing"
)

// Modes of a close-of-business run.
const (
	ModeIncremental = "incremental" // volatile loans and loans with new events
	ModeFull        = "full"        // every loan, and the aggregates rebuilt
	ModeRerun       = "rerun"       // the date was closed already: loans with new events only
	ModeGen         = "gen"         // written by the generator, not run
)

// Summary is the end-of-run account of one business date. Counters are
// committed with every chunk, so a resumed run reports the whole date.
type Summary struct {
	Date    civil.Date `json:"date"`
	Mode    string     `json:"mode"`
	Resumed bool       `json:"resumed,omitempty"`

	Candidates int64 `json:"candidates"` // loans selected for re-derivation
	Touched    int64 `json:"touched"`    // loans re-derived
	Changed    int64 `json:"changed"`    // of which the snapshot changed
	NewEvents  int64 `json:"new_events"` // loans with new transactions or decisions since the last run
	Pending    int64 `json:"pending"`    // loans with events that are not yet disbursed on the date

	NewlyOverdue int64 `json:"newly_overdue"` // current → past due
	Cured        int64 `json:"cured"`         // past due → current
	RolledDeeper int64 `json:"rolled_deeper"` // bucket got worse
	ClassWorse   int64 `json:"class_worse"`   // five-tier class downgraded
	ClassBetter  int64 `json:"class_better"`  // five-tier class upgraded
	Settled      int64 `json:"settled"`
	WrittenOff   int64 `json:"written_off"`
	CellsHealed  int64 `json:"cells_healed,omitempty"` // full runs: aggregate cells that differed from a rebuild
	Warnings     int64 `json:"warnings"`               // warnings raised
	// The collection steps: tasks made (by people and channels),
	// closed by close of business (cured, settled, written off) and
	// escalated past their SLA; promises kept and broken; episodes opened.
	Tasks          int64 `json:"tasks"`
	TasksClosed    int64 `json:"tasks_closed"`
	TasksEscalated int64 `json:"tasks_escalated"`
	PromisesKept   int64 `json:"promises_kept"`
	PromisesBroken int64 `json:"promises_broken"`
	Episodes       int64 `json:"episodes"`

	Chunks   int64         `json:"chunks"`
	Duration time.Duration `json:"duration_ns"`
	// Steps is the time each step took, for finding where a run goes.
	Steps []StepTime `json:"steps,omitempty"`
}

// Count adds the transition of one re-derived loan from old (nil when it
// had no snapshot) to cur.
func (s *Summary) Count(old, cur *loanstate.Snapshot) {
	s.Touched++
	if old == nil {
		s.Changed++
		return
	}
	a, b := *old, *cur
	a.AsOf = b.AsOf
	if a == b {
		return
	}
	s.Changed++
	switch {
	case old.DPD == 0 && cur.DPD > 0 && cur.Status == servicing.StatusActive:
		s.NewlyOverdue++
	case old.DPD > 0 && cur.DPD == 0:
		s.Cured++
	}
	if cur.Bucket > old.Bucket {
		s.RolledDeeper++
	}
	switch {
	case cur.Class > old.Class:
		s.ClassWorse++
	case cur.Class < old.Class:
		s.ClassBetter++
	}
	if old.Status != cur.Status {
		switch cur.Status {
		case servicing.StatusSettled:
			s.Settled++
		case servicing.StatusWrittenOff:
			s.WrittenOff++
		}
	}
}

// Add adds the counters of t to s.
func (s *Summary) Add(t *Summary) {
	s.Candidates += t.Candidates
	s.Touched += t.Touched
	s.Changed += t.Changed
	s.NewEvents += t.NewEvents
	s.Pending += t.Pending
	s.NewlyOverdue += t.NewlyOverdue
	s.Cured += t.Cured
	s.RolledDeeper += t.RolledDeeper
	s.ClassWorse += t.ClassWorse
	s.ClassBetter += t.ClassBetter
	s.Settled += t.Settled
	s.WrittenOff += t.WrittenOff
	s.CellsHealed += t.CellsHealed
	s.Warnings += t.Warnings
	s.Tasks += t.Tasks
	s.TasksClosed += t.TasksClosed
	s.TasksEscalated += t.TasksEscalated
	s.PromisesKept += t.PromisesKept
	s.PromisesBroken += t.PromisesBroken
	s.Episodes += t.Episodes
	s.Chunks += t.Chunks
}
