package collection

import (
	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
)

// The outcomes of a collection episode.
const (
	Cured      = "cured"       // current again
	Settled    = "settled"     // 结清
	WrittenOff = "written-off" // 核销
)

// Episode is one stay of a loan in collection: from the first day past due
// (Started) to the cure, settlement or write-off that ends it. The
// strategy, arm and segment are those it entered with, so the arms are
// judged on the loans they were given.
type Episode struct {
	LoanID       int64
	Started      civil.Date
	Ended        civil.Date
	Outcome      string
	Strategy     string
	Arm          string
	Segment      string
	EntryBucket  servicing.Bucket
	MaxBucket    servicing.Bucket
	EntryOverdue money.Amount
	Collected    money.Amount // repaid from Started to Ended (or to date)
	Willingness  int          // the last AI-voice score, -1 none
}

// Track moves a loan's episode on to in's date: it opens one on the first
// day past due, follows the worst bucket and what was repaid, and ends it
// when the loan is current again, settled or written off. It returns the
// episode as it now is (nil when the loan is not and was not in
// collection) and whether it changed.
func Track(ep *Episode, in *Input, strategy, arm, segment string, payments []Payment) (*Episode, bool) {
	s, date := in.Rule.Snapshot, in.Rule.Date
	if ep == nil || ep.Ended != 0 {
		if s.Status != servicing.StatusActive || s.DPD <= 0 {
			return nil, false
		}
		return &Episode{LoanID: s.LoanID, Started: in.FirstOverdue(), Strategy: strategy, Arm: arm, Segment: segment,
			EntryBucket: s.Bucket, MaxBucket: s.Bucket, EntryOverdue: s.OverduePrincipal + s.OverdueInterest,
			Collected: collected(payments, in.FirstOverdue(), date), Willingness: -1}, true
	}
	next := *ep
	next.MaxBucket = max(next.MaxBucket, s.Bucket)
	next.Collected = collected(payments, ep.Started, date)
	switch {
	case s.Status == servicing.StatusSettled:
		next.Ended, next.Outcome = date, Settled
	case s.Status == servicing.StatusWrittenOff:
		next.Ended, next.Outcome = date, WrittenOff
	case s.DPD <= 0:
		next.Ended, next.Outcome = date, Cured
	}
	return &next, next != *ep
}

// Recount returns e with Collected counted again from payments: what was
// repaid from its first day to its end (to now while it is open) — a
// repayment value-dated within it may arrive after it ended.
func (e Episode) Recount(payments []Payment) Episode {
	to := e.Ended
	if to == 0 {
		to = civil.Date(1<<31 - 1)
	}
	e.Collected = collected(payments, e.Started, to)
	return e
}

func collected(payments []Payment, from, to civil.Date) money.Amount {
	var sum money.Amount
	for _, p := range payments {
		if !p.Date.Before(from) && !p.Date.After(to) {
			sum += p.Amount
		}
	}
	return sum
}
