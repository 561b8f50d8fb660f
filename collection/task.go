package collection

import (
	"daihou/civil"
	"daihou/money"
)

// The states of a task.
const (
	Open      = "open"
	Escalated = "escalated" // past its SLA and still not done
	TaskDone  = "done"      // done by a person or reported by a channel
	Closed    = "closed"    // closed by close of business: cured, settled, written off
	Cancelled = "cancelled"
)

// Task is one thing a person or a channel is to do on a loan. (LoanID,
// Origin, Anchor) identifies the task a plan makes: the same plan run
// again on the same day, or the next day while the step still applies,
// makes none twice.
type Task struct {
	ID         int64
	LoanID     int64
	BorrowerID int64
	Kind       Kind
	// Origin names what made it: "sop:<step>", "inspection",
	// "strategy:<segment>:<action>", "manual".
	Origin string
	Anchor civil.Date
	// Episode is the start of the collection episode it belongs to (zero
	// for care and SOP tasks outside one), Arm the strategy arm.
	Episode  civil.Date
	Arm      string
	Channel  string
	Created  civil.Date
	Due      civil.Date
	SLA      civil.Date // the last day to do it
	Priority money.Amount
	Assignee string
	Team     string
	State    string
	Outcome  Outcome
	// Escalations counts the SLAs missed.
	Escalations int
	Closed      civil.Date
	ClosedBy    string
	Note        string
}

// Active reports whether t still waits to be done.
func (t *Task) Active() bool { return t.State == Open || t.State == Escalated }

// Want is a task a plan asks for on a date: the store makes it unless
// one with the same origin and anchor exists.
type Want struct {
	Kind     Kind
	Origin   string
	Anchor   civil.Date
	Template string
	Note     string
}

// Task returns the task w makes for a loan on date, due at once and with
// its kind's SLA.
func (w Want) Task(loanID, borrowerID int64, date civil.Date, priority money.Amount) Task {
	return Task{LoanID: loanID, BorrowerID: borrowerID, Kind: w.Kind, Origin: w.Origin, Anchor: w.Anchor,
		Channel: w.Kind.Channel(), Created: date, Due: date, SLA: date.AddDays(w.Kind.SLA()),
		Priority: priority, State: Open, Note: w.Note}
}

// Priority is a loan's expected loss, PD × exposure, in fen: the order in
// which a queue is worked, so that a collector's next call is the one
// worth most. pd is in units of money.RateScale.
func Priority(pd money.Rate, exposure money.Amount) money.Amount {
	if pd <= 0 || exposure <= 0 {
		return 0
	}
	return money.Amount(money.MulDiv(int64(exposure), int64(pd), money.RateScale, money.HalfUp))
}
