package api

import (
	"net/http"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/inputtext"
	"daihou/loanview"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// ProposalRequest proposes a waiver (component and amount), a write-off
// (nothing more) or a restructuring (new rate, term and method) of a loan.
type ProposalRequest struct {
	Kind      string `json:"kind"` // waiver, writeoff, restructure
	Component string `json:"component,omitempty"`
	Amount    string `json:"amount,omitempty"`   // yuan, a decimal string
	NewRate   string `json:"new_rate,omitempty"` // a decimal string: "0.06"
	NewTerm   int    `json:"new_term,omitempty"`
	NewMethod string `json:"new_method,omitempty"`
	Reason    string `json:"reason"`
}

// ProposeApproval answers POST /api/v1/loans/{id}/proposals: the actor
// (the maker) proposes a waiver, write-off or restructuring, which reaches
// the ledger only when another user approves it
// (POST /api/v1/approvals/{id}/decision).
func (a *API) ProposeApproval(w http.ResponseWriter, r *http.Request) {
	var req ProposalRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	kind, err := approval.ParseKind(req.Kind)
	if err == nil && kind == auth.ProposalOverride {
		err = daihou.Invalid("kind", "kind: an override is proposed with POST /api/v1/loans/{id}/overrides")
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := approval.Params{Component: servicing.Component(req.Component), NewTerm: req.NewTerm, NewMethod: schedule.Method(req.NewMethod)}
	if req.Amount != "" {
		if p.Amount, err = ParseAmount(req.Amount); err != nil {
			a.fail(w, r, daihou.Invalid("amount", "%v", err))
			return
		}
	}
	if req.NewRate != "" {
		if p.NewRate, err = money.ParseRate(req.NewRate); err != nil {
			a.fail(w, r, daihou.Invalid("new_rate", "new_rate: want a decimal string such as \"0.06\", not %q", inputtext.Clip(req.NewRate, 32)))
			return
		}
	}
	l, err := loanview.Find(r.Context(), a.DB, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.DB.Propose(r.Context(), l.ID, kind, p, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ApprovalOf(out))
}
