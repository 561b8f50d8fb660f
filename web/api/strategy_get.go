package api

import (
	"net/http"

	"daihou/auth"
)

// GetStrategy answers GET /api/v1/strategy: the collection strategy (催收
// 策略) in force — the latest put, or the default two-track strategy while
// none has been — as collection.Strategy. Reading it takes a role that
// reads rules (risk officer, manager, auditor).
func (a *API) GetStrategy(w http.ResponseWriter, r *http.Request) {
	if err := can(r.Context(), auth.ReadRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.DB.Strategy(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}
