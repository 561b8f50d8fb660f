package api

import (
	"net/http"
	"strconv"

	"daihou"
	"daihou/inputtext"
	"daihou/warning"
)

// WarningMove is the body of a move of a warning: what its handler says.
type WarningMove struct {
	Note string `json:"note"` // at most 500 bytes
}

// AckWarning answers POST /api/v1/warnings/{id}/ack: the warning
// acknowledged (确认) — its owner has seen it and is acting.
func (a *API) AckWarning(w http.ResponseWriter, r *http.Request) {
	a.moveWarning(w, r, warning.Acknowledged)
}

// EscalateWarning answers POST /api/v1/warnings/{id}/escalate: the
// warning handed up (升级), to a manager or legal.
func (a *API) EscalateWarning(w http.ResponseWriter, r *http.Request) {
	a.moveWarning(w, r, warning.Escalated)
}

// ResolveWarning answers POST /api/v1/warnings/{id}/resolve: the warning
// dealt with, or a false alarm (解除); its rule may raise again on the
// loan once its cooldown is over.
func (a *API) ResolveWarning(w http.ResponseWriter, r *http.Request) {
	a.moveWarning(w, r, warning.Resolved)
}

// moveWarning moves the warning of the path to a state, on the business
// date, with the body's note (an empty body is no note): 409 for a move
// the life cycle refuses, 404 for a warning on a loan outside the actor's
// scope, as for one that does not exist.
func (a *API) moveWarning(w http.ResponseWriter, r *http.Request, to warning.State) {
	var req WarningMove
	if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		if err := decode(r, &req); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "no warning %q: GET /api/v1/warnings lists them", inputtext.Clip(s, 32)))
		return
	}
	out, err := a.DB.MoveWarning(r.Context(), id, to, req.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, WarningOf(out))
}
