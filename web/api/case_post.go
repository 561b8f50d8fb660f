package api

import (
	"net/http"

	"daihou/legal"
	"daihou/loanview"
	"daihou/store"
)

// CaseRequest opens a case on a loan.
type CaseRequest struct {
	Kind     string `json:"kind"`             // litigation (诉讼) or agency (委外)
	Agency   string `json:"agency,omitempty"` // an agency case: the agency's code
	Court    string `json:"court,omitempty"`
	CourtRef string `json:"court_ref,omitempty"` // 案号
	Assignee string `json:"assignee,omitempty"`  // a user with role legal; default the actor, when legal
	Note     string `json:"note,omitempty"`
}

// OpenCase answers POST /api/v1/loans/{id}/cases: a litigation or agency
// case opened on the loan at its kind's first stage.
func (a *API) OpenCase(w http.ResponseWriter, r *http.Request) {
	var req CaseRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	kind, err := legal.ParseKind(req.Kind)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := loanview.Find(r.Context(), a.DB, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.DB.OpenCase(r.Context(), l.ID, store.NewCase{Kind: kind, Agency: req.Agency, Court: req.Court, CourtRef: req.CourtRef, Assignee: req.Assignee, Note: req.Note})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, CaseOf(c))
}
