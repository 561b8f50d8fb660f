package api

import (
	"net/http"

	"daihou"
	"daihou/approval"
	"daihou/auth"
)

// ApprovalDecision decides a pending proposal: approve or reject, with a
// note (required to reject). Kind override decides a classification
// override of the inbox, whose ids are its own.
type ApprovalDecision struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note,omitempty"`
	Kind    string `json:"kind,omitempty"` // "" for a waiver, write-off or restructuring; override
}

// DecideApproval answers POST /api/v1/approvals/{id}/decision: the actor
// (the checker, not the maker) approves or rejects the proposal; an
// approval posts its transaction in the same database transaction.
func (a *API) DecideApproval(w http.ResponseWriter, r *http.Request) {
	var req ApprovalDecision
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Approve == nil {
		a.fail(w, r, daihou.Invalid("approve", "approve: want true (approve) or false (reject)"))
		return
	}
	override := false
	if req.Kind != "" {
		k, err := approval.ParseKind(req.Kind)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		override = k == auth.ProposalOverride
	}
	if override && req.Note != "" {
		a.fail(w, r, daihou.Invalid("note", "note: a classification override's decision keeps no note; its reason is the maker's"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var out approval.Proposal
	if override {
		out, err = a.DB.DecideOverrideID(r.Context(), id, *req.Approve)
	} else {
		out, err = a.DB.DecideProposal(r.Context(), id, *req.Approve, req.Note)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ApprovalOf(out))
}
