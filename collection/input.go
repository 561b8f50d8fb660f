package collection

import (
	"daihou/civil"
	"daihou/classification"
	"daihou/signal"
	"daihou/warning"
)

// Input is one loan as the plans read it on a date: the loan, its
// snapshot, signals and collection facts as the conditions read them
// (Rule, whose Work must be set), and the history the plans' dates come
// from.
type Input struct {
	Rule warning.Input
	// Tasks are the loan's tasks (any state) that the plans may need: the
	// active ones and the last inspection at least.
	Tasks []Task
	// LatestWarning is the day the loan's latest open warning was raised;
	// zero when none is open.
	LatestWarning civil.Date
	// AtDisbursement returns what the borrower's signals said on the day
	// of disbursement (the reference of the credit-report comparison),
	// asked only when a comparison is made; nil, or a nil result, reads as
	// nothing.
	AtDisbursement func() *signal.Facts
	// Episode is the loan's open collection episode, nil when none.
	Episode *Episode
}

// Level is the risk level that sets how often a loan is inspected: the
// higher of its open warnings' severity and its class's (关注 as yellow,
// 次级 or worse as red).
func (in *Input) Level() warning.Severity {
	lvl := in.Rule.Work.WarningLevel
	switch c := in.Rule.Snapshot.Class; {
	case c.NonPerforming():
		lvl = max(lvl, warning.Red)
	case c == classification.SpecialMention:
		lvl = max(lvl, warning.Yellow)
	}
	return lvl
}

// FirstOverdue returns the first day of the loan's current delinquency —
// the day after the oldest unpaid due date — or zero when it is not past
// due.
func (in *Input) FirstOverdue() civil.Date {
	s := in.Rule.Snapshot
	if s.DPD <= 0 {
		return 0
	}
	return in.Rule.Date.AddDays(1 - s.DPD)
}
