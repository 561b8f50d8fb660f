// Package legal holds the plain types of legal and recovery cases: a loan
// sent to litigation (诉讼) or placed with a collection agency (委外催收),
// the stages each kind goes through, and what happens on a case — costs,
// court references (案号) and recoveries — so that what is recovered after
// a write-off (核销后收回) is tracked to the case that recovered it.
// Storing cases and posting recoveries is the store's.
package legal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/money"
)

// Kind is the kind of a case.
type Kind string

// The kinds of case.
const (
	Litigation Kind = "litigation" // 诉讼: the lender sues
	Agency     Kind = "agency"     // 委外: placed with a collection agency
)

// ParseKind reads a kind of case by its name.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "litigation", "诉讼":
		return Litigation, nil
	case "agency", "委外":
		return Agency, nil
	}
	return "", daihou.Invalid("kind", "kind: want litigation (诉讼) or agency (委外), not %q", clip(s))
}

// Stage is where a case is.
type Stage string

// The stages of litigation, in order.
const (
	Filed        Stage = "filed"        // 起诉: the claim is filed
	Accepted     Stage = "accepted"     // 立案: the court accepted it, and gave it a case number (案号)
	Preservation Stage = "preservation" // 诉讼保全/资产保全: assets frozen or seized
	Judgment     Stage = "judgment"     // 判决/调解: judged or settled in court
	Enforcement  Stage = "enforcement"  // 执行: the judgment is being enforced
	Closed       Stage = "closed"       // 结案: the case is over
)

// The stages of a placement with an agency, in order; it ends Closed too.
const (
	Placed   Stage = "placed"   // 委案: handed to the agency
	Working  Stage = "working"  // 催收中: the agency is working it
	Returned Stage = "returned" // 退案: the agency handed it back
)

// stages are each kind's stages, in order.
var stages = map[Kind][]Stage{
	Litigation: {Filed, Accepted, Preservation, Judgment, Enforcement, Closed},
	Agency:     {Placed, Working, Returned, Closed},
}

// Stages returns the stages of kind k in order; nil for an unknown kind.
func Stages(k Kind) []Stage { return slices.Clone(stages[k]) }

// First is the stage a case of kind k opens at.
func First(k Kind) Stage {
	if s := stages[k]; len(s) > 0 {
		return s[0]
	}
	return ""
}

// Next returns the stages a case of kind k may move to from stage from:
// any later one, for a stage may be skipped (not every suit needs
// preservation, a case may close at any stage — settled, withdrawn, the
// debt paid); none from Closed.
func Next(k Kind, from Stage) []Stage {
	s := stages[k]
	i := slices.Index(s, from)
	if i < 0 {
		return nil
	}
	return slices.Clone(s[i+1:])
}

// Errors of CheckMove, inside a daihou.Error.
var (
	// ErrUnknownStage: the stage is none of the kind's (EINVALID).
	ErrUnknownStage = errors.New("unknown stage")
	// ErrBadMove: back, to the same stage, or from a closed case
	// (ECONFLICT).
	ErrBadMove = errors.New("a case moves forward only")
)

// CheckMove checks that a case of kind k may move from stage from to
// stage to, and says which stages it may move to when it may not.
func CheckMove(k Kind, from, to Stage) error {
	if !slices.Contains(stages[k], to) {
		return daihou.Invalid("stage", "%w %q for a case of kind %s: its stages are %s", ErrUnknownStage, clip(string(to)), k, join(stages[k]))
	}
	next := Next(k, from)
	if slices.Contains(next, to) {
		return nil
	}
	if len(next) == 0 {
		return daihou.Errorf(daihou.ECONFLICT, "%w: the case is %s, and a closed case moves no more", ErrBadMove, from)
	}
	return daihou.Errorf(daihou.ECONFLICT, "%w: from %s it may move to %s, not to %s", ErrBadMove, from, join(next), to)
}

func join(s []Stage) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// Case is one legal or recovery case of a loan.
type Case struct {
	ID        int64
	LoanID    int64
	Kind      Kind
	Agency    string // the agency's code, for an agency case
	Stage     Stage
	Opened    civil.Date
	Closed    civil.Date // zero while open
	Court     string
	CourtRef  string // 案号
	Assignee  string // the user with role legal who works it
	Costs     money.Amount
	Recovered money.Amount
	Events    int // the number of its events, the last one's seq
	CreatedBy string
}

// Open reports whether c is not closed.
func (c Case) Open() bool { return c.Stage != Closed }

// EventKind is what an event of a case records.
type EventKind string

// The kinds of event.
const (
	Opened    EventKind = "open"     // the case was opened
	Moved     EventKind = "move"     // it moved to a stage
	Cost      EventKind = "cost"     // a cost: court fees, a lawyer's or an agency's fee
	Recovered EventKind = "recovery" // money recovered, posted to the loan's ledger
)

// Event is one thing that happened on a case, in order (Seq from 1).
type Event struct {
	CaseID    int64
	Seq       int
	Kind      EventKind
	Business  civil.Date
	Stage     Stage // the case's stage after the event
	Cost      money.Amount
	Recovery  money.Amount
	LedgerSeq int64 // a recovery's transaction in the loan's ledger
	Note      string
	By        string
	At        time.Time
}

// Describe says in a few words what e recorded.
func (e Event) Describe() string {
	switch e.Kind {
	case Opened:
		return "opened at " + string(e.Stage)
	case Moved:
		return "moved to " + string(e.Stage)
	case Cost:
		return fmt.Sprintf("cost %s", e.Cost)
	case Recovered:
		return fmt.Sprintf("recovered %s (ledger #%d)", e.Recovery, e.LedgerSeq)
	}
	return string(e.Kind)
}

func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
