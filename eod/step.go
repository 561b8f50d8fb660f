package eod

import (
	"daihou/civil"
	"daihou/classification"
	"daihou/collection"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/signal"
	"daihou/warning"
)

// Config is what every chunk of a run is derived with.
type Config struct {
	Products map[string]servicing.Product
	Deriver  *loanstate.Deriver
	// Champion is the scorer behind Deriver, nil when no model is champion:
	// month ends monitor its population.
	Champion *loanstate.ModelScorer
	// Warnings are the enabled warning rules, nil for none.
	Warnings *warning.Set
	// Collection is the SOPs, strategy and roster of the collection
	// steps; nil switches them off.
	Collection *Collection
}

// Chunk is what close of business reads for a set of loans, once, before
// the steps run on it.
type Chunk struct {
	IDs   []int64
	Loans []LoanIn // aligned with IDs
	// Events are the event marks (eod_dirty) of those of IDs that have
	// them, as read: a posting that commits later moves its loan's count
	// on, which the commit notices.
	Events map[int64]int64
	// Others are the cached exposures of the chunk's borrowers' loans, for
	// contagion: those in the chunk too (how a loan crossing into or out
	// of non-performing is seen), and a loan possibly more than once (a
	// chunk read in parts); loanstate counts each loan once.
	Others []loanstate.Exposure
	// Signals are the signals of the chunk's borrowers, by borrower, in
	// signal.Less order; a step sees those known by its date
	// (signal.Summarise).
	Signals map[int64][]signal.Signal
	// Warnings are the chunk's loans' warnings, by loan, oldest first, and
	// Milestones the milestones they have reached (warning step).
	Warnings   map[int64][]warning.Warning
	Milestones map[int64]warning.Milestones
	// Work is what the collection steps need of each loan that has any:
	// tasks, the open episode, promises (nil when collections are off).
	Work map[int64]*LoanWork
}

// LoanIn is one loan of a chunk.
type LoanIn struct {
	Found          bool // false for an id with no loan (a stray event mark)
	Loan           servicing.Loan
	Txs            []servicing.Tx
	Override       classification.Class
	OverrideReason string
	// Prev is the loan's row as the last derivation left it; nil when it
	// has none yet.
	Prev *Row
}

// Row is one loan's cached row: its snapshot, its wake date, and the
// aggregate record close of business counted it in (Counted is false for
// a loan no close of business has counted yet: postings and imports derive
// snapshots, only close of business moves the aggregates).
type Row struct {
	Snapshot loanstate.Snapshot
	Wake     civil.Date
	Record   Record
	Counted  bool
}

// Output is what the steps make of a chunk; the store commits all of it
// with the checkpoint in one transaction. Everything the steps make is per
// loan, in Rows; the chunk's totals (aggregate differences, the summary,
// the event marks consumed) follow from the rows, so a loan can be left out
// of a commit — one that an event reached since the chunk was read — by
// dropping its row and totalling again.
type Output struct {
	Rows []RowOut // aligned with Chunk.IDs
	// Marks are loans outside the chunk to derive again (contagion moved).
	Marks []int64

	// Totals, made by the runner from the rows.
	Deltas  *Aggregates
	Clear   map[int64]int64 // event marks the chunk consumed (loan → count read)
	Pending []int64         // loans with events not yet disbursed on the date
	Summary Summary

	facts map[int64]*signal.Facts // by borrower, see FactsOf
	// What the collection steps share of each row (collectionInput,
	// paymentsOf), aligned with Rows.
	inputs []*collection.Input
	pays   [][]collection.Payment
	paid   []bool
}

// RowOut is a loan's new row and the history it appends; Write is false
// when nothing in the row changed.
type RowOut struct {
	Derived bool
	Write   bool
	Row
	Class *loanstate.ClassChange // a change of class, nil when none
	Score *loanstate.ScoreChange // a new score, nil when none

	// Warn is what the warning step reads of the replayed state, when
	// rules are on (nil otherwise); not written.
	Warn *WarnIn
	// Raise are the warnings the loan's rules raise on the date, and
	// Milestones its milestones when they moved (nil otherwise).
	Raise      []warning.Warning
	Milestones *warning.Milestones
	// Work is what the collection steps made of the loan, nil for
	// nothing.
	Work *WorkOut
}

// Step is one stage of close of business over a chunk of loans. Run is
// pure: it reads the chunk and what the steps before it wrote into out,
// and adds its own part. A new capability of close of business is a new
// Step, with its own part of Output and its own writer in the store.
type Step interface {
	Name() string
	Run(date civil.Date, cfg *Config, c *Chunk, out *Output)
}

// DefaultSteps are close of business's steps, in order.
func DefaultSteps() []Step {
	return []Step{DeriveStep{}, WarningStep{}, PromiseStep{}, SOPStep{}, StrategyStep{}, AggregateStep{}}
}

// FactsOf returns what borrower's signals say as of date, summarised once
// per chunk and shared by the steps.
func (o *Output) FactsOf(c *Chunk, borrower int64, date civil.Date) *signal.Facts {
	if f, ok := o.facts[borrower]; ok {
		return f
	}
	if o.facts == nil {
		o.facts = map[int64]*signal.Facts{}
	}
	f := signal.Summarise(c.Signals[borrower], date)
	o.facts[borrower] = &f
	return &f
}

// Wake lowers row i's wake date to w (zero: never) — the earliest date any
// step needs the loan.
func (o *Output) Wake(i int, w civil.Date) {
	o.Rows[i].Wake = loanstate.Earliest(o.Rows[i].Wake, w)
}

// DeriveStep replays, classifies (with contagion) and scores every loan of
// the chunk disbursed by the date, and records class and score changes.
type DeriveStep struct{}

// Name implements Step.
func (DeriveStep) Name() string { return "derive" }

// Run implements Step.
func (DeriveStep) Run(date civil.Date, cfg *Config, c *Chunk, out *Output) {
	ins := make([]loanstate.Input, 0, len(c.IDs))
	at := make([]int, 0, len(c.IDs))
	for i := range c.Loans {
		li := &c.Loans[i]
		if !li.Found {
			continue
		}
		in := loanstate.Input{Product: cfg.Products[li.Loan.Product], Loan: li.Loan, Txs: li.Txs, Override: li.Override, OverrideReason: li.OverrideReason,
			Facts: out.FactsOf(c, li.Loan.BorrowerID, date)}
		if li.Prev != nil {
			in.InitialScore = li.Prev.Snapshot.InitialScore
		}
		ins = append(ins, in)
		at = append(at, i)
	}
	d := cfg.Deriver
	if d == nil {
		d = &loanstate.Deriver{Contagion: loanstate.DefaultContagion}
	}
	var payments []warning.PaymentFacts
	var seen []warning.Milestones
	if cfg.Warnings != nil {
		// The rules read the installments and the milestones come from the
		// delinquency history: both are taken from the state as it is
		// replayed, which is not kept.
		payments, seen = make([]warning.PaymentFacts, len(ins)), make([]warning.Milestones, len(ins))
		look := *d
		look.Inspect = func(k int, st *servicing.State) {
			payments[k], seen[k] = warning.PaymentFactsOf(st), warning.MilestonesOf(st, nil)
		}
		d = &look
	}
	got, marks := d.Derive(date, ins, c.Others)
	out.Marks = append(out.Marks, marks...)
	for k, g := range got {
		if !g.OK {
			continue
		}
		i := at[k]
		r := &out.Rows[i]
		r.Derived, r.Snapshot = true, g.Snapshot
		if payments != nil {
			r.Warn = &WarnIn{Payments: payments[k], Milestones: seen[k]}
		}
		out.Wake(i, loanstate.Wake(&r.Snapshot))
		s := &r.Snapshot
		var prev *loanstate.Snapshot
		if p := c.Loans[i].Prev; p != nil {
			prev = &p.Snapshot
		}
		if prev == nil || prev.Class != s.Class {
			var from classification.Class
			if prev != nil {
				from = prev.Class
			}
			r.Class = &loanstate.ClassChange{LoanID: s.LoanID, AsOf: date, From: from, To: s.Class, Cause: s.ClassCause}
		}
		if s.ModelID != 0 && (prev == nil || prev.ModelID != s.ModelID || prev.Score != s.Score || prev.PD != s.PD || prev.Reasons != s.Reasons) {
			r.Score = &loanstate.ScoreChange{LoanID: s.LoanID, AsOf: date, ModelID: s.ModelID, Score: s.Score, PD: float64(s.PD) / 1e10, Reasons: s.Reasons}
		}
	}
}

// WarnIn is what the warning step needs of a loan's replayed state.
type WarnIn struct {
	Payments   warning.PaymentFacts
	Milestones warning.Milestones // as this derivation saw them
}

// WarningStep evaluates the enabled warning rules (风险预警) on every
// derived loan: a rule that holds raises a warning unless one of the same
// rule is open or its cooldown runs (warning.Set.Decide); the loan wakes
// when a cooldown ends or its signals' windows move (signal.NextChange),
// so that the rules are evaluated on exactly the dates their inputs can
// change — the promise the back-test (warning.Backtest) replays. It also
// records each loan's milestones (first 30+ and 90+ days past due, first
// substandard or worse), which judge the rules.
type WarningStep struct{}

// Name implements Step.
func (WarningStep) Name() string { return "warnings" }

// Run implements Step.
func (WarningStep) Run(date civil.Date, cfg *Config, c *Chunk, out *Output) {
	if cfg.Warnings == nil {
		return
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		if !r.Derived || r.Warn == nil {
			continue
		}
		li := &c.Loans[i]
		s := &r.Snapshot
		in := warning.Input{Date: date, Loan: &li.Loan, Snapshot: s, Facts: out.FactsOf(c, li.Loan.BorrowerID, date), Payments: r.Warn.Payments}
		hits, wake := cfg.Warnings.Decide(&in, warning.PastOf(c.Warnings[s.LoanID]))
		for _, h := range hits {
			r.Raise = append(r.Raise, h.New(s.LoanID, s.BorrowerID, date))
		}
		out.Wake(i, wake)
		out.Wake(i, signal.NextChange(c.Signals[li.Loan.BorrowerID], date))
		old := c.Milestones[s.LoanID]
		m := r.Warn.Milestones
		if old.DPD30 != 0 {
			m.DPD30 = old.DPD30
		}
		if old.DPD90 != 0 {
			m.DPD90 = old.DPD90
		}
		m.Substandard = old.Substandard
		if m.Substandard == 0 && s.Class.NonPerforming() {
			m.Substandard = date
		}
		if m != old {
			r.Milestones = &m
		}
		r.Warn = nil // not kept past the steps
	}
}

// AggregateStep makes the aggregate record of every derived loan: what it
// counts for in the portfolio, roll-rate and vintage cells. The runner
// moves each loan from its old record's cells to the new one's.
type AggregateStep struct{}

// Name implements Step.
func (AggregateStep) Name() string { return "aggregate" }

// Run implements Step.
func (AggregateStep) Run(date civil.Date, cfg *Config, c *Chunk, out *Output) {
	for i := range out.Rows {
		r := &out.Rows[i]
		if !r.Derived {
			continue
		}
		li := &c.Loans[i]
		var prevRec *Record
		if li.Prev != nil && li.Prev.Counted {
			prevRec = &li.Prev.Record
		}
		r.Record = NewRecord(&li.Loan, &r.Snapshot, cfg.Products[li.Loan.Product].LGD, prevRec)
	}
}
