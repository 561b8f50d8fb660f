package api

import (
	"net/http"

	"daihou"
	"daihou/auth"
)

// RuleSwitch is the body of PATCH /api/v1/rules/{code}.
type RuleSwitch struct {
	Enabled *bool `json:"enabled"`
}

// SwitchRule answers PATCH /api/v1/rules/{code} (risk officer) with
// {"enabled":true|false}: the rule switched on or off, as a new version
// (the same one when it already is), taking effect at the next close of
// business.
func (a *API) SwitchRule(w http.ResponseWriter, r *http.Request) {
	var req RuleSwitch
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Enabled == nil {
		a.fail(w, r, daihou.Invalid("enabled", "enabled: required, true to switch the rule on or false to switch it off"))
		return
	}
	ctx := r.Context()
	// The store asks only when there is a version to write: a rule
	// already as asked must not tell a reader it was switched.
	if err := can(ctx, auth.ManageRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.DB.SetRuleEnabled(ctx, r.PathValue("code"), *req.Enabled)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RuleOf(out))
}
