package api

import (
	"net/http"

	"daihou/loanview"
)

// RevealRequest is the body of a reveal.
type RevealRequest struct {
	Reason string `json:"reason"`
}

// RevealBorrower answers POST /api/v1/loans/{id}/reveal: the borrower's
// personal data unmasked, for the roles that may see it, recorded in the
// audit trail with the reason given.
func (a *API) RevealBorrower(w http.ResponseWriter, r *http.Request) {
	var req RevealRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	l, err := loanview.Find(r.Context(), a.DB, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.DB.RevealBorrower(r.Context(), l.ID, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
