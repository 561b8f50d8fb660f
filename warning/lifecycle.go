package warning

import (
	"errors"
	"fmt"
	"strings"

	"daihou/civil"
)

// State is where a warning is in its life cycle:
//
//	raised → acknowledged → resolved
//	               ↘ escalated → resolved
//
// A raised warning can also be resolved or escalated at once. Raised,
// acknowledged and escalated warnings are open: the rule raises no other
// warning on the loan while one is.
type State int

// The states of a warning.
const (
	Raised       State = 1 // 已触发: raised by close of business, nobody has looked yet
	Acknowledged State = 2 // 已确认: its owner has seen it and is acting
	Escalated    State = 3 // 已升级: handed up (to a manager, legal)
	Resolved     State = 4 // 已解除: dealt with, or a false alarm
)

var stateNames = [...]string{"", "raised", "acknowledged", "escalated", "resolved"}

// String returns the state's name: raised, acknowledged, escalated or
// resolved.
func (s State) String() string {
	if s < Raised || s > Resolved {
		return fmt.Sprintf("state(%d)", int(s))
	}
	return stateNames[s]
}

// ParseState returns the state named s.
func ParseState(s string) (State, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for v := Raised; v <= Resolved; v++ {
		if stateNames[v] == t {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown warning state %q (want raised, acknowledged, escalated or resolved)", s)
}

// Open reports whether a warning in s is still open.
func (s State) Open() bool { return s == Raised || s == Acknowledged || s == Escalated }

// Errors of the life cycle, testable with errors.Is.
var (
	// ErrBadTransition is a move the life cycle does not allow: from a
	// resolved warning, back to an earlier state, or to the same one.
	ErrBadTransition = errors.New("the warning cannot move to that state")
	// ErrBackdated is a move dated before the warning's last one.
	ErrBackdated = errors.New("the move is dated before the warning's last one")
)

// Warning is one warning raised on one loan by one rule.
type Warning struct {
	ID         int64
	LoanID     int64
	BorrowerID int64
	Rule       string // the rule's code
	Version    int    // the rule's version that raised it
	Severity   Severity
	Owner      string // the role that handles it
	Raised     civil.Date
	State      State
	// Reason is the sentence of the values that made the rule true:
	// "court_cases=1, dpd=0".
	Reason string
	// Changed is the date of the latest move (Raised until one is made),
	// By the actor who made it and Note what they said.
	Changed civil.Date
	By      string
	Note    string
}

// New returns the warning h raises on a loan on a date.
func (h Hit) New(loanID, borrowerID int64, on civil.Date) Warning {
	return Warning{LoanID: loanID, BorrowerID: borrowerID, Rule: h.Rule, Version: h.Version, Severity: h.Severity,
		Owner: h.Owner, Raised: on, State: Raised, Reason: h.Reason, Changed: on}
}

// CanMove reports whether the life cycle allows a move from one state to
// another.
func CanMove(from, to State) bool {
	switch from {
	case Raised:
		return to == Acknowledged || to == Escalated || to == Resolved
	case Acknowledged:
		return to == Escalated || to == Resolved
	case Escalated:
		return to == Resolved
	}
	return false
}

// Move moves w to state `to` on a date, by an actor, with a note. It
// returns ErrBadTransition for a move the life cycle does not allow and
// ErrBackdated for one dated before w's last; w is unchanged then.
func (w *Warning) Move(to State, on civil.Date, by, note string) error {
	if !CanMove(w.State, to) {
		return fmt.Errorf("warning %d: %w: %s → %s", w.ID, ErrBadTransition, w.State, to)
	}
	if last := max(w.Raised, w.Changed); on.Before(last) {
		return fmt.Errorf("warning %d: %w (%v < %v)", w.ID, ErrBackdated, on, last)
	}
	w.State, w.Changed, w.By, w.Note = to, on, by, note
	return nil
}

// Acknowledge moves w to acknowledged (确认).
func (w *Warning) Acknowledge(on civil.Date, by, note string) error {
	return w.Move(Acknowledged, on, by, note)
}

// Escalate moves w to escalated (升级).
func (w *Warning) Escalate(on civil.Date, by, note string) error {
	return w.Move(Escalated, on, by, note)
}

// Resolve moves w to resolved (解除). Resolving is an event for close of
// business: the loan must be looked at again, since its rule may raise
// anew once the cooldown is over.
func (w *Warning) Resolve(on civil.Date, by, note string) error {
	return w.Move(Resolved, on, by, note)
}
