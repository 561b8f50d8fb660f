package auth

import (
	"errors"
	"fmt"

	"daihou"
)

// Proposal is a kind of change that one person proposes and another
// decides (maker-checker, 四眼原则).
type Proposal string

// The kinds of proposal.
const (
	ProposalOverride    Proposal = "override"    // a classification above the floor
	ProposalWaiver      Proposal = "waiver"      // 减免
	ProposalWriteOff    Proposal = "writeoff"    // 核销
	ProposalRestructure Proposal = "restructure" // 重组
)

var proposalActions = map[Proposal][2]Action{
	ProposalOverride:    {ProposeOverride, DecideOverride},
	ProposalWaiver:      {ProposeWaiver, DecideWaiver},
	ProposalWriteOff:    {ProposeWriteOff, DecideWriteOff},
	ProposalRestructure: {ProposeRestructure, DecideRestructure},
}

// noun returns p with its article, as a sentence names it: "an
// override", "a write-off".
func (p Proposal) noun() string {
	switch p {
	case ProposalOverride:
		return "an override"
	case ProposalWriteOff:
		return "a write-off"
	case ProposalRestructure:
		return "a restructuring"
	}
	return "a " + string(p)
}

// ProposeAction returns the action of proposing p; "" for an unknown kind.
func (p Proposal) ProposeAction() Action { return proposalActions[p][0] }

// DecideAction returns the action of deciding p; "" for an unknown kind.
func (p Proposal) DecideAction() Action { return proposalActions[p][1] }

// Errors of CheckChecker, each inside a daihou.Error with code
// EUNAUTHORIZED.
var (
	// ErrSameUser means the checker is the maker.
	ErrSameUser = errors.New("the checker is the maker")
	// ErrCheckerNotUser means the checker is a token, a system actor or
	// the local operator: a second pair of eyes is a person's.
	ErrCheckerNotUser = errors.New("the checker is not a user")
)

// CheckChecker checks that checker may decide a proposal of kind p that
// maker made on resource: the checker is a user other than the maker
// (names compared as NormalizeName folds them, so Alice cannot check
// alice's proposal), and holds a role that may decide p on that resource.
// maker is the maker's user name as the store recorded it.
//
// It returns nil, or a daihou.Error with code EUNAUTHORIZED wrapping
// ErrSameUser, ErrCheckerNotUser or ErrDenied. It does not check that the
// maker could propose: Can did that when the proposal was made.
func CheckChecker(p Proposal, maker string, checker Actor, resource Resource) error {
	decide := p.DecideAction()
	if decide == "" {
		return daihou.Errorf(daihou.EINVALID, "unknown kind of proposal %q: want override, waiver, writeoff or restructure", p)
	}
	if maker == "" {
		return daihou.Errorf(daihou.EINVALID, "the %s has no recorded maker, so no checker can be told apart from it; propose it again", p)
	}
	if checker.kind != KindUser {
		return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: %s is decided by a person logged in as a user, not by %s (四眼原则)", ErrCheckerNotUser, p.noun(), checker)
	}
	if sameName(maker, checker.name) {
		return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: the checker of %s must be someone other than its maker %s (四眼原则); ask another user who may decide it (%s)",
			ErrSameUser, p.noun(), checker.name, rolesOrNone(GrantedTo(decide)))
	}
	if d := Can(checker, decide, resource); !d.Allowed {
		return fmt.Errorf("checker of %s: %w", p.noun(), d.Err())
	}
	return nil
}
