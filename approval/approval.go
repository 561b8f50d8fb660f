// Package approval holds the plain types of maker-checker (四眼原则): a
// waiver (减免), write-off (核销) or restructuring (重组) is proposed by one
// person (the maker) and takes effect only when another (the checker)
// approves it; a classification override goes the same way. Who may
// propose and decide what is package auth's (auth.Proposal, CheckChecker);
// storing proposals and posting the approved transaction is the store's.
package approval

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// Status is where a proposal is in its life: pending until its checker
// approves or rejects it, or its maker withdraws it.
type Status string

// The statuses of a proposal.
const (
	Pending   Status = "pending"
	Approved  Status = "approved"
	Rejected  Status = "rejected"
	Withdrawn Status = "withdrawn"
)

// ParseStatus reads a status by its name.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case Pending, Approved, Rejected, Withdrawn:
		return st, nil
	}
	return "", daihou.Invalid("status", "status: want pending, approved, rejected or withdrawn, not %q", clip(s))
}

// Kinds are the kinds of proposal that post a ledger transaction, in the
// order lists show them; auth.ProposalOverride is the other kind.
var Kinds = []auth.Proposal{auth.ProposalWaiver, auth.ProposalWriteOff, auth.ProposalRestructure}

// ParseKind reads a kind of proposal: waiver (减免), writeoff or write-off
// (核销), restructure (重组), or override (a classification override).
func ParseKind(s string) (auth.Proposal, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "waiver", "减免":
		return auth.ProposalWaiver, nil
	case "writeoff", "write-off", "核销":
		return auth.ProposalWriteOff, nil
	case "restructure", "重组":
		return auth.ProposalRestructure, nil
	case "override":
		return auth.ProposalOverride, nil
	}
	return "", daihou.Invalid("kind", "kind: want waiver (减免), writeoff (核销), restructure (重组) or override, not %q", clip(s))
}

// TxKind is the ledger transaction an approved proposal of kind k posts;
// "" for an override, which posts none.
func TxKind(k auth.Proposal) servicing.TxKind {
	switch k {
	case auth.ProposalWaiver:
		return servicing.Waiver
	case auth.ProposalWriteOff:
		return servicing.WriteOff
	case auth.ProposalRestructure:
		return servicing.Restructure
	}
	return ""
}

// Params are the parameters of the transaction a proposal posts: a
// waiver's component and amount; a restructuring's new rate, term and
// method. A write-off takes none: it takes whatever is outstanding on the
// day it is approved (a stored write-off proposal's Amount is what that
// was on the day it was proposed, for the checker to see).
type Params struct {
	Component servicing.Component
	Amount    money.Amount
	NewRate   money.Rate
	NewTerm   int
	NewMethod schedule.Method
}

// Errors of Check, inside a daihou.Error with code EINVALID.
var (
	ErrNoAmount      = errors.New("a waiver needs a positive amount")
	ErrComponent     = errors.New("a waiver needs a component: penalty, compound, interest, principal or fee")
	ErrExtraParams   = errors.New("parameters that this kind of proposal does not take")
	ErrRestructuring = errors.New("a restructuring needs a new term of 1 to 480 months, a repayment method and a rate that is not negative")
)

// Check checks that p has the parameters of kind k and no others, each in
// its range; whether the loan allows them (what the component owes, what
// is outstanding) is for the ledger's own check when it is proposed and
// again when it is posted.
func Check(k auth.Proposal, p Params) error {
	switch k {
	case auth.ProposalWaiver:
		switch p.Component {
		case servicing.Penalty, servicing.Compound, servicing.Interest, servicing.Principal, servicing.Fee:
		default:
			return daihou.Errorf(daihou.EINVALID, "%w, not %q", ErrComponent, clip(string(p.Component)))
		}
		if p.Amount <= 0 {
			return daihou.Errorf(daihou.EINVALID, "%w, not %v", ErrNoAmount, p.Amount)
		}
		if p.NewRate != 0 || p.NewTerm != 0 || p.NewMethod != "" {
			return daihou.Errorf(daihou.EINVALID, "%w: a waiver takes a component and an amount, not new terms", ErrExtraParams)
		}
	case auth.ProposalWriteOff:
		if p != (Params{}) {
			return daihou.Errorf(daihou.EINVALID, "%w: a write-off takes what is outstanding on the day it is approved, and no amount, component or terms", ErrExtraParams)
		}
	case auth.ProposalRestructure:
		if p.Amount != 0 || p.Component != "" {
			return daihou.Errorf(daihou.EINVALID, "%w: a restructuring capitalises what is outstanding and takes no amount or component", ErrExtraParams)
		}
		if p.NewTerm < 1 || p.NewTerm > schedule.MaxTerm || p.NewRate < 0 {
			return daihou.Errorf(daihou.EINVALID, "%w (term %d, rate %v)", ErrRestructuring, p.NewTerm, p.NewRate)
		}
		if _, err := schedule.ParseMethod(string(p.NewMethod)); err != nil {
			return daihou.Errorf(daihou.EINVALID, "%w: %v", ErrRestructuring, err)
		}
	default:
		return daihou.Invalid("kind", "kind: a proposal posts a waiver, writeoff or restructure, not %q", clip(string(k)))
	}
	return nil
}

// Proposal is one proposal as the approvals inbox lists it: a waiver,
// write-off or restructuring, or a classification override (Kind
// override, with Class).
type Proposal struct {
	ID     int64
	LoanID int64
	Kind   auth.Proposal
	Params
	Class    classification.Class // an override's
	Reason   string
	Maker    string
	Created  time.Time
	Business civil.Date // the business date it was proposed on
	Status   Status
	Checker  string
	Decided  time.Time
	Note     string // the checker's, or the maker's on withdrawal
	// PostedSeq is the seq in the loan's ledger of the transaction its
	// approval posted; 0 before approval and for an override.
	PostedSeq int64
	// CanDecide says whether the actor who listed it may decide it: it is
	// pending, the actor is not its maker and holds a role that decides
	// its kind on its loan.
	CanDecide bool
}

// Tx returns the ledger transaction p posts when approved, valued on the
// business date of the posting. Its reference names the proposal, so that
// the ledger says which approval a transaction came from, and posting it
// twice is refused by the ledger itself.
func (p Proposal) Tx() servicing.Tx {
	t := servicing.Tx{LoanID: p.LoanID, Kind: TxKind(p.Kind), Amount: p.Amount, Component: p.Component,
		NewRate: p.NewRate, NewTerm: p.NewTerm, NewMethod: p.NewMethod, Channel: "approval", Reference: Reference(p.ID)}
	if p.Kind == auth.ProposalWriteOff {
		t.Amount = 0 // whatever is outstanding when posted; Amount was what it was when proposed
	}
	return t
}

// Reference is the ledger reference of the transaction proposal id posts.
func Reference(id int64) string { return fmt.Sprintf("proposal:%d", id) }

// Describe says in a few words what p does, for lists and the audit trail.
func (p Proposal) Describe() string {
	switch p.Kind {
	case auth.ProposalWaiver:
		return fmt.Sprintf("waive %s of %s", p.Amount, p.Component)
	case auth.ProposalWriteOff:
		if p.Amount > 0 {
			return fmt.Sprintf("write off the outstanding (%s when proposed)", p.Amount)
		}
		return "write off the outstanding"
	case auth.ProposalRestructure:
		return fmt.Sprintf("restructure at %v over %d months, %s", p.NewRate, p.NewTerm, p.NewMethod)
	case auth.ProposalOverride:
		return fmt.Sprintf("classify %s %v", p.Class.Chinese(), p.Class)
	}
	return string(p.Kind)
}

func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
