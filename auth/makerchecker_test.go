package auth_test

import (
	"errors"
	"strings"
	"testing"

	"daihou"
	"daihou/auth"
)

func TestCheckChecker(t *testing.T) {
	loan := auth.Loan(7, "0101", "alice", "zhang.san")
	riskWang := mustUser(t, "risk.wang", roles(auth.RiskOfficer), auth.Scope{})
	boss := mustUser(t, "Boss", roles(auth.Manager), auth.Scope{})
	zhang := mustUser(t, "zhang.san", roles(auth.Collector), auth.Scope{})
	core := mustToken(t, "core", roles(auth.Integration), auth.AllLoans())
	tests := []struct {
		name    string
		kind    auth.Proposal
		maker   string
		checker auth.Actor
		want    error // nil, or the sentinel
		code    string
	}{
		{"another risk officer", auth.ProposalOverride, "risk.li", riskWang, nil, ""},
		{"a manager", auth.ProposalOverride, "risk.li", boss, nil, ""},
		{"the maker", auth.ProposalOverride, "risk.wang", riskWang, auth.ErrSameUser, daihou.EUNAUTHORIZED},
		{"the maker in capitals", auth.ProposalWriteOff, " BOSS ", boss, auth.ErrSameUser, daihou.EUNAUTHORIZED},
		{"risk cannot decide a write-off", auth.ProposalWriteOff, "alice", riskWang, auth.ErrDenied, daihou.EUNAUTHORIZED},
		{"manager decides a write-off", auth.ProposalWriteOff, "alice", boss, nil, ""},
		{"collector cannot decide a waiver", auth.ProposalWaiver, "alice", zhang, auth.ErrDenied, daihou.EUNAUTHORIZED},
		{"risk decides a waiver", auth.ProposalWaiver, "zhang.san", riskWang, nil, ""},
		{"a token is not a second pair of eyes", auth.ProposalWaiver, "alice", core, auth.ErrCheckerNotUser, daihou.EUNAUTHORIZED},
		{"nor is the local operator", auth.ProposalWaiver, "alice", auth.Local(), auth.ErrCheckerNotUser, daihou.EUNAUTHORIZED},
		{"nor is nobody", auth.ProposalWaiver, "alice", auth.Actor{}, auth.ErrCheckerNotUser, daihou.EUNAUTHORIZED},
		{"no maker", auth.ProposalRestructure, "", riskWang, nil, daihou.EINVALID},
		{"unknown kind", "merger", "alice", riskWang, nil, daihou.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckChecker(tt.kind, tt.maker, tt.checker, loan)
			if tt.want == nil && tt.code == "" {
				if err != nil {
					t.Fatalf("CheckChecker = %v, want nil", err)
				}
				return
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("CheckChecker = %v, want %v", err, tt.want)
			}
			if got := daihou.ErrorCode(err); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
	err := auth.CheckChecker(auth.ProposalOverride, "risk.wang", riskWang, loan)
	if msg := daihou.ErrorMessage(err); !strings.Contains(msg, "四眼原则") || !strings.Contains(msg, "risk-officer, manager") {
		t.Errorf("message %q does not say who else may decide", msg)
	}
}

func TestProposalActions(t *testing.T) {
	for _, p := range []auth.Proposal{auth.ProposalOverride, auth.ProposalWaiver, auth.ProposalWriteOff, auth.ProposalRestructure} {
		if !p.ProposeAction().Valid() || !p.DecideAction().Valid() {
			t.Errorf("%s: actions %q and %q", p, p.ProposeAction(), p.DecideAction())
		}
	}
}
