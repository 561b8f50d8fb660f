package api

import (
	"net/http"

	"daihou"
	"daihou/loanview"
)

// DecisionRequest decides a pending override.
type DecisionRequest struct {
	Approve *bool `json:"approve"`
}

// DecideOverride answers POST /api/v1/loans/{id}/overrides/{override}/decision:
// the actor (the checker, not the maker) approves or rejects it.
func (a *API) DecideOverride(w http.ResponseWriter, r *http.Request) {
	var req DecisionRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Approve == nil {
		a.fail(w, r, daihou.Invalid("approve", "approve: want true (approve) or false (reject)"))
		return
	}
	oid, err := pathID(r, "override")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := loanview.Find(r.Context(), a.DB, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.DB.DecideOverride(r.Context(), l.ID, oid, *req.Approve); err != nil {
		a.fail(w, r, err)
		return
	}
	status := "rejected"
	if *req.Approve {
		status = "approved"
	}
	writeJSON(w, http.StatusOK, Override{ID: oid, LoanID: l.ID, Status: status})
}
