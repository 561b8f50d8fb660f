package api

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/inputtext"
)

// PutRule answers PUT /api/v1/rules/{code} (risk officer): the body is
// the rule (RuleRequest), stored as its next version and answered; a new
// code is a new rule, at version 1. An expression that does not compile
// is 400 with field "expr" and each problem at its line:column; nothing
// is stored then. The new version takes effect at the next close of
// business.
func (a *API) PutRule(w http.ResponseWriter, r *http.Request) {
	var req RuleRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	code := r.PathValue("code")
	if req.Code != "" && req.Code != code {
		a.fail(w, r, daihou.Invalid("code", "code: the body names rule %q, the path %q; a rule's code never changes (put a new rule under the new code)", inputtext.Clip(req.Code, 40), inputtext.Clip(code, 40)))
		return
	}
	req.Code = code
	if err := can(ctx, auth.ManageRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	enabled := false // a new rule is off until switched on
	if req.Enabled == nil {
		vs, err := a.DB.RuleVersions(ctx, code)
		switch {
		case err == nil:
			enabled = vs[0].Enabled
		case daihou.ErrorCode(err) != daihou.ENOTFOUND:
			a.fail(w, r, err)
			return
		}
	}
	rule, err := req.Rule(enabled)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.DB.PutRule(ctx, rule)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RuleOf(out))
}
