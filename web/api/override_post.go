package api

import (
	"net/http"

	"daihou"
	"daihou/classification"
	"daihou/inputtext"
	"daihou/loanview"
)

// OverrideRequest proposes a class above the loan's regulatory floor.
type OverrideRequest struct {
	Class  string `json:"class"` // special-mention, substandard, doubtful, loss (or 关注, 次级, 可疑, 损失)
	Reason string `json:"reason"`
}

// Override is a proposed override.
type Override struct {
	ID     int64  `json:"id"`
	LoanID int64  `json:"loan_id"`
	Class  string `json:"class"`
	Status string `json:"status"`
}

// ProposeOverride answers POST /api/v1/loans/{id}/overrides: the actor
// (the maker) proposes a class; another user decides it.
func (a *API) ProposeOverride(w http.ResponseWriter, r *http.Request) {
	var req OverrideRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := classification.Parse(req.Class)
	if err != nil {
		a.fail(w, r, daihou.Invalid("class", "class: want special-mention, substandard, doubtful or loss (or 关注, 次级, 可疑, 损失), not %q", inputtext.Clip(req.Class, 32)))
		return
	}
	if len(req.Reason) > 1000 {
		a.fail(w, r, daihou.Invalid("reason", "reason: at most 1000 bytes"))
		return
	}
	l, err := loanview.Find(r.Context(), a.DB, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := a.DB.ProposeOverride(r.Context(), l.ID, c, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, Override{ID: id, LoanID: l.ID, Class: c.String(), Status: "pending"})
}
