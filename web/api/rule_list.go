package api

import (
	"net/http"

	"daihou/auth"
)

// ListRules answers GET /api/v1/rules (risk officer, manager, auditor):
// the latest version of every warning rule, by code, on or off. A book
// with no rules yet gets the default set first.
func (a *API) ListRules(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := can(ctx, auth.ReadRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := a.DB.Rules(ctx)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Rule{"rules": RulesOf(rs)})
}
