// Package loanstate is the one derivation of a loan's cached snapshot
// (贷后状态): its servicing state replayed from the ledger, its five-tier
// class (五级分类) with the borrower's contagion, its IFRS 9 stage, and its
// behaviour score with the PD that ECL uses. Posting, import, close of
// business, the generator and the tests all derive through Deriver.Derive,
// so the cache can always be checked against a fresh derivation.
//
// A derivation has three inputs beyond the ledger, each history that no
// replay can recompute: an approved classification override, the loan's
// first behaviour score (the reference for a significant increase in
// credit risk), and the exposure of the borrower's other loans (for
// contagion). Callers pass them in, with what the borrower's signals say as
// of the date (signal.Facts) for the score; Derive is pure.
package loanstate

import (
	"sync"

	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
	"daihou/signal"
)

// Snapshot is what is cached per loan as of the business date.
type Snapshot struct {
	LoanID               int64            `json:"loan_id"`
	BorrowerID           int64            `json:"borrower_id"`
	AsOf                 civil.Date       `json:"as_of"`
	Status               servicing.Status `json:"status"`
	PrincipalOutstanding money.Amount     `json:"principal_outstanding"`
	OverduePrincipal     money.Amount     `json:"overdue_principal"`
	OverdueInterest      money.Amount     `json:"overdue_interest"`
	PenaltyDue           money.Amount     `json:"penalty_due"`  // 罚息
	CompoundDue          money.Amount     `json:"compound_due"` // 复利, a charge of its own
	FeesDue              money.Amount     `json:"fees_due"`
	Credit               money.Amount     `json:"credit"`
	DPD                  int              `json:"dpd"`
	MaxDPD               int              `json:"max_dpd"`
	Bucket               servicing.Bucket `json:"bucket"`
	// Class is the five-tier class and ClassCause the sentence that says
	// why; OwnClass is the class the loan has on its own, before borrower
	// contagion, which is what contagion itself looks at.
	Class            classification.Class `json:"class"`
	ClassCause       string               `json:"class_cause"`
	OwnClass         classification.Class `json:"own_class"`
	Contagion        bool                 `json:"contagion"` // Class was raised by borrower contagion
	Stage            int                  `json:"stage"`
	NextDueDate      civil.Date           `json:"next_due_date"`
	NextDueAmount    money.Amount         `json:"next_due_amount"`
	OldestUnpaidDue  civil.Date           `json:"oldest_unpaid_due"`
	PaidPrincipal    money.Amount         `json:"paid_principal"`
	PaidInterest     money.Amount         `json:"paid_interest"`
	PaidPenalty      money.Amount         `json:"paid_penalty"`
	WrittenOff       money.Amount         `json:"written_off"`
	Recovered        money.Amount         `json:"recovered"`
	Restructured     bool                 `json:"restructured"`
	ObservationStart civil.Date           `json:"observation_start"`
	// ObservationEnd is the day a restructured loan's observation hold
	// can lift; zero when no hold runs.
	ObservationEnd civil.Date `json:"observation_end"`
	SettledDate    civil.Date `json:"settled_date"`
	// The behaviour score when a champion model exists (zero otherwise):
	// the model, its points, the PD over the IFRS 9 horizon of the loan's
	// stage that ECL uses, the reason codes, worst first, comma-separated,
	// and the loan's first score ever.
	ModelID      int64      `json:"model_id"`
	Score        int        `json:"score"`
	PD           money.Rate `json:"pd"`
	Reasons      string     `json:"reasons"`
	InitialScore int        `json:"initial_score"`
}

// Input is one loan to derive, with the history classification needs
// beyond its ledger.
type Input struct {
	Product        servicing.Product
	Loan           servicing.Loan
	Txs            []servicing.Tx
	Override       classification.Class // an approved override; 0 when none
	OverrideReason string
	InitialScore   int // the loan's first behaviour score; 0 when it has none yet
	// Facts are what the borrower's signals say as of the derivation's
	// date (signal.Summarise), for the score; nil when none is known,
	// which scores every signal feature as missing.
	Facts *signal.Facts
}

// Derived is one loan's derivation.
type Derived struct {
	// OK is false for a loan not yet disbursed on the as-of date: it has
	// no state yet.
	OK       bool
	Snapshot Snapshot
	// State is the replayed servicing state, kept when Deriver.KeepState
	// is set (posting reads what each transaction applied from it).
	State *servicing.State

	class     classification.Input // what classification saw, for contagion
	remaining int                  // installments not yet due: the loan's remaining life
	pd        float64              // the model's PD over its own horizon
}

// Deriver derives snapshots. The zero value replays and classifies with
// the default contagion threshold and no score.
type Deriver struct {
	// Scorer scores active loans; nil for none.
	Scorer Scorer
	// Contagion is the borrower-level rule.
	Contagion Contagion
	// KeepState keeps each loan's replayed State in its Derived.
	KeepState bool
	// Inspect, when set, is shown the replayed state of input i before it
	// is dropped, from Derive's goroutines (one call per input): what a
	// caller reads of the state it takes there, without the cost of
	// keeping every state.
	Inspect func(i int, st *servicing.State)
}

// Derive derives the loans of in as of asOf, all CPUs at work. others are
// the borrowers' loans not in `in` (their cached own class and balance):
// contagion looks at a borrower's whole exposure. It returns one Derived
// per input, in order, and the loans of others whose contagion this
// derivation turns on or off: they must be derived again.
func (d *Deriver) Derive(asOf civil.Date, in []Input, others []Exposure) ([]Derived, []int64) {
	out := make([]Derived, len(in))
	parallel(len(in), func(i int) { out[i] = d.own(asOf, &in[i], i) })
	marks := d.Contagion.apply(in, out, others)
	parallel(len(in), func(i int) {
		if out[i].OK {
			d.finish(&out[i])
		}
	})
	return out, marks
}

// own replays one loan, scores it and gives it its own class.
func (d *Deriver) own(asOf civil.Date, in *Input, i int) Derived {
	l := &in.Loan
	if asOf.Before(l.Disbursed) {
		return Derived{}
	}
	if d.KeepState {
		st := servicing.Replay(in.Product, *l, in.Txs, asOf)
		if d.Inspect != nil {
			d.Inspect(i, &st)
		}
		return d.fromState(&st, in)
	}
	// The state is read and dropped: replay in a goroutine's buffers.
	sc := scratches.Get().(*servicing.Scratch)
	defer scratches.Put(sc)
	st := servicing.ReplayWith(sc, in.Product, *l, in.Txs, asOf)
	if d.Inspect != nil {
		d.Inspect(i, &st)
	}
	return d.fromState(&st, in)
}

var scratches = sync.Pool{New: func() any { return new(servicing.Scratch) }}

// FromState returns the snapshot of a state replayed elsewhere (the
// generator's month ends): classified on its own, with no score and no
// contagion.
func FromState(st *servicing.State, in Input) Snapshot {
	var d Deriver
	out := d.fromState(st, &in)
	d.finish(&out)
	return out.Snapshot
}

func (d *Deriver) fromState(st *servicing.State, in *Input) Derived {
	l := &in.Loan
	asOf := st.AsOf
	var pd float64
	s := &Snapshot{
		LoanID:               l.ID,
		BorrowerID:           l.BorrowerID,
		AsOf:                 st.AsOf,
		Status:               st.Status,
		PrincipalOutstanding: st.PrincipalOutstanding,
		OverduePrincipal:     st.OverduePrincipal,
		OverdueInterest:      st.OverdueInterest,
		PenaltyDue:           st.PenaltyDue,
		CompoundDue:          st.CompoundDue,
		FeesDue:              st.FeesDue,
		Credit:               st.Credit,
		DPD:                  st.DPD,
		MaxDPD:               st.MaxDPD,
		Bucket:               st.Bucket(),
		NextDueDate:          st.NextDueDate,
		NextDueAmount:        st.NextDueAmount,
		OldestUnpaidDue:      st.OldestUnpaidDue,
		PaidPrincipal:        st.PaidPrincipal,
		PaidInterest:         st.PaidInterest,
		PaidPenalty:          st.PaidPenalty,
		WrittenOff:           st.WrittenOff,
		Recovered:            st.Recovered,
		Restructured:         st.Restructured,
		ObservationStart:     st.ObservationStart,
		SettledDate:          st.SettledDate,
		InitialScore:         in.InitialScore,
	}
	if d.Scorer != nil && st.Status == servicing.StatusActive {
		sc := d.Scorer.Score(*l, st, in.Facts)
		s.ModelID, s.Score, s.Reasons = d.Scorer.ModelID(), sc.Points, sc.Reasons
		pd = sc.PD
		if s.InitialScore == 0 {
			s.InitialScore = sc.Points // the first score is the reference from now on
		}
	}
	out := Derived{OK: true, Snapshot: *s, class: classInput(st, in), pd: pd}
	r := classification.Classify(out.class)
	s = &out.Snapshot
	s.OwnClass, s.Class, s.ClassCause, s.ObservationEnd = r.Class, r.Class, r.Cause, r.ObservationEnd
	if st.Status == servicing.StatusSettled {
		// Settled is settled, whatever hold a restructuring had: decided
		// here, before contagion looks at the borrower's classes.
		s.OwnClass, s.Class, s.ClassCause, s.ObservationEnd = classification.Normal, classification.Normal, "settled", 0
	}
	for i := range st.Installments {
		if in := &st.Installments[i]; !in.Closed && in.DueDate.After(asOf) {
			out.remaining++
		}
	}
	if d.KeepState {
		out.State = st
	}
	return out
}

func classInput(st *servicing.State, in *Input) classification.Input {
	return classification.Input{
		AsOf:             st.AsOf,
		DPD:              st.DPD,
		WrittenOff:       st.Status == servicing.StatusWrittenOff,
		Restructured:     st.Restructured,
		ObservationStart: st.ObservationStart,
		Restructurings:   restructurings(st.Restructurings),
		Delinquency:      delinquency(st.Delinquency),
		Override:         in.Override,
		OverrideReason:   in.OverrideReason,
	}
}

// finish sets the stage and the PD over the stage's horizon once the class
// is final, and the settled loan's plain class.
func (d *Deriver) finish(out *Derived) {
	s := &out.Snapshot
	if s.Status == servicing.StatusSettled {
		s.Stage = 1
		return
	}
	deteriorated := false
	if d.Scorer != nil && s.ModelID != 0 {
		deteriorated = classification.ScoreDeteriorated(s.InitialScore, s.Score, d.Scorer.PDO())
	}
	s.Stage = classification.Stage(s.DPD, s.Class, deteriorated)
	if s.ModelID != 0 {
		s.PD = HorizonPD(out.pd, d.Scorer.Horizon(), s.Stage, out.remaining)
	}
}

func restructurings(rs []servicing.Restructuring) []classification.Restructuring {
	if len(rs) == 0 {
		return nil
	}
	out := make([]classification.Restructuring, len(rs))
	for i, r := range rs {
		out[i] = classification.Restructuring{Date: r.Date, DPDBefore: r.DPDBefore, FirstDue: r.FirstDue, SecondDue: r.SecondDue}
	}
	return out
}

func delinquency(ds []servicing.DelinquencySpell) []classification.Spell {
	if len(ds) == 0 {
		return nil
	}
	out := make([]classification.Spell, len(ds))
	for i, d := range ds {
		out[i] = classification.Spell(d)
	}
	return out
}
