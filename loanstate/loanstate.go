// Package loanstate derives the per-loan snapshot that daihou caches and
// aggregates: a loan's replayed servicing state together with its
// five-tier class (五级分类) and IFRS 9 stage. The store keeps one Snapshot
// per loan as of the business date; Derive is the only way to make one, so
// the cache can always be checked against a fresh derivation.
package loanstate

import (
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
)

// Snapshot is what is cached per loan as of the business date.
type Snapshot struct {
	LoanID               int64
	AsOf                 civil.Date
	Status               servicing.Status
	PrincipalOutstanding money.Amount
	OverduePrincipal     money.Amount
	OverdueInterest      money.Amount
	PenaltyDue           money.Amount
	FeesDue              money.Amount
	Credit               money.Amount
	DPD                  int
	MaxDPD               int
	Bucket               servicing.Bucket
	Class                classification.Class
	ClassCause           string
	Stage                int
	NextDueDate          civil.Date
	NextDueAmount        money.Amount
	OldestUnpaidDue      civil.Date
	PaidPrincipal        money.Amount
	PaidInterest         money.Amount
	PaidPenalty          money.Amount
	WrittenOff           money.Amount
	Recovered            money.Amount
	Restructured         bool
	ObservationStart     civil.Date
	SettledDate          civil.Date
	// The behaviour score, set by close of business when a champion model
	// exists (zero otherwise): the model, its points, the PD over the
	// IFRS 9 horizon of the loan's stage that ECL uses, and the reason
	// codes, worst first, comma-separated.
	ModelID int64
	Score   int
	PD      money.Rate
	Reasons string
}

// Extra is what classification needs beyond the ledger.
type Extra struct {
	Override          classification.Class // approved override, 0 when none
	OverrideReason    string
	BorrowerNPL       bool // contagion from the borrower's other loans
	ScoreDeteriorated bool // significant increase in credit risk by score
	InitialScore      int  // the loan's first behaviour score; 0 when none
}

// Derive replays the loan and classifies it as of asOf.
func Derive(p servicing.Product, l servicing.Loan, txs []servicing.Tx, asOf civil.Date, x Extra) (Snapshot, servicing.State) {
	s := servicing.Replay(p, l, txs, asOf)
	return FromState(&s, x), s
}

// FromState classifies an already replayed state.
func FromState(s *servicing.State, x Extra) Snapshot {
	c := classification.Classify(classification.Input{
		AsOf:             s.AsOf,
		DPD:              s.DPD,
		WrittenOff:       s.Status == servicing.StatusWrittenOff,
		Restructured:     s.Restructured,
		ObservationStart: s.ObservationStart,
		Restructurings:   restructurings(s.Restructurings),
		Delinquency:      delinquency(s.Delinquency),
		BorrowerNPL:      x.BorrowerNPL,
		Override:         x.Override,
		OverrideReason:   x.OverrideReason,
	})
	stage := classification.Stage(s.DPD, c.Class, x.ScoreDeteriorated)
	if s.Status == servicing.StatusSettled {
		c = classification.Result{Class: classification.Normal, Cause: "settled"}
		stage = 1
	}
	return Snapshot{
		LoanID:               s.LoanID,
		AsOf:                 s.AsOf,
		Status:               s.Status,
		PrincipalOutstanding: s.PrincipalOutstanding,
		OverduePrincipal:     s.OverduePrincipal,
		OverdueInterest:      s.OverdueInterest,
		PenaltyDue:           s.PenaltyDue,
		FeesDue:              s.FeesDue,
		Credit:               s.Credit,
		DPD:                  s.DPD,
		MaxDPD:               s.MaxDPD,
		Bucket:               s.Bucket(),
		Class:                c.Class,
		ClassCause:           c.Cause,
		Stage:                stage,
		NextDueDate:          s.NextDueDate,
		NextDueAmount:        s.NextDueAmount,
		OldestUnpaidDue:      s.OldestUnpaidDue,
		PaidPrincipal:        s.PaidPrincipal,
		PaidInterest:         s.PaidInterest,
		PaidPenalty:          s.PaidPenalty,
		WrittenOff:           s.WrittenOff,
		Recovered:            s.Recovered,
		Restructured:         s.Restructured,
		ObservationStart:     s.ObservationStart,
		SettledDate:          s.SettledDate,
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
