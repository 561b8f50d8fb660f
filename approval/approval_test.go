package approval_test

import (
	"errors"
	"testing"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

func TestCheck(t *testing.T) {
	rate := money.MustParseRate("0.06")
	for _, c := range []struct {
		name string
		kind auth.Proposal
		p    approval.Params
		want error // nil: accepted
	}{
		{"waiver", auth.ProposalWaiver, approval.Params{Component: servicing.Penalty, Amount: 1250}, nil},
		{"waiver of nothing", auth.ProposalWaiver, approval.Params{Component: servicing.Penalty}, approval.ErrNoAmount},
		{"waiver of no component", auth.ProposalWaiver, approval.Params{Amount: 1}, approval.ErrComponent},
		{"waiver with terms", auth.ProposalWaiver, approval.Params{Component: servicing.Fee, Amount: 1, NewTerm: 3}, approval.ErrExtraParams},
		{"write-off", auth.ProposalWriteOff, approval.Params{}, nil},
		{"write-off with an amount", auth.ProposalWriteOff, approval.Params{Amount: 100}, approval.ErrExtraParams},
		{"restructuring", auth.ProposalRestructure, approval.Params{NewRate: rate, NewTerm: 24, NewMethod: schedule.EqualInstallment}, nil},
		{"restructuring at 0 %", auth.ProposalRestructure, approval.Params{NewTerm: 24, NewMethod: schedule.Bullet}, nil},
		{"restructuring of 481 months", auth.ProposalRestructure, approval.Params{NewRate: rate, NewTerm: 481, NewMethod: schedule.Bullet}, approval.ErrRestructuring},
		{"restructuring without a method", auth.ProposalRestructure, approval.Params{NewRate: rate, NewTerm: 12}, approval.ErrRestructuring},
		{"restructuring with an amount", auth.ProposalRestructure, approval.Params{NewRate: rate, NewTerm: 12, NewMethod: schedule.Bullet, Amount: 5}, approval.ErrExtraParams},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := approval.Check(c.kind, c.p)
			if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
			if err != nil && daihou.ErrorCode(err) != daihou.EINVALID {
				t.Errorf("code %q, want invalid", daihou.ErrorCode(err))
			}
		})
	}
	if err := approval.Check(auth.ProposalOverride, approval.Params{}); daihou.ErrorCode(err) != daihou.EINVALID {
		t.Errorf("Check(override) = %v: an override posts nothing", err)
	}
}

// The transaction an approval posts names the proposal and takes a
// write-off's amount on the day it is posted, not the day it was proposed.
func TestTx(t *testing.T) {
	p := approval.Proposal{ID: 7, LoanID: 42, Kind: auth.ProposalWriteOff, Params: approval.Params{Amount: 1_000_00}}
	tx := p.Tx()
	if tx.Kind != servicing.WriteOff || tx.Amount != 0 || tx.Reference != "proposal:7" || tx.LoanID != 42 {
		t.Errorf("write-off posts %+v", tx)
	}
	p = approval.Proposal{ID: 8, Kind: auth.ProposalWaiver, Params: approval.Params{Component: servicing.Interest, Amount: 5000}}
	if tx := p.Tx(); tx.Kind != servicing.Waiver || tx.Amount != 5000 || tx.Component != servicing.Interest {
		t.Errorf("waiver posts %+v", tx)
	}
	for _, s := range []string{"writeoff", "write-off", "核销"} {
		if k, err := approval.ParseKind(s); err != nil || k != auth.ProposalWriteOff {
			t.Errorf("ParseKind(%q) = %v, %v", s, k, err)
		}
	}
}
