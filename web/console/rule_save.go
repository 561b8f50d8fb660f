package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/inputtext"
	"daihou/web/api"
)

// RuleSave answers POST /console/rules/{code}: the editor's rule stored
// as the rule's next version, checked by the engine; an expression that
// does not compile comes back with the engine's own message and nothing
// is stored.
func (c *Console) RuleSave(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	ctx := r.Context()
	f := r.PostForm
	back := func(err error) {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.rulePage(r, s, f, nil) })
	}
	if err := auth.Can(s.Actor, auth.ManageRules, auth.Book()).Err(); err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	req, err := ruleRequest(r.PathValue("code"), f)
	if err != nil {
		back(err)
		return
	}
	rule, err := req.Rule(false)
	if err == nil {
		_, err = c.DB.PutRule(ctx, rule)
	}
	if err != nil {
		back(err)
		return
	}
	done(w, r, "/console/rules/"+url.PathEscape(rule.Code), "work.notice.rule_saved")
}

// ruleRequest is the editor's form as the API's rule request: the same
// checks, by warning.Compile where the rule is stored.
func ruleRequest(code string, f url.Values) (api.RuleRequest, error) {
	req := api.RuleRequest{Code: code, Name: f.Get("name"), Expr: f.Get("expr"), Severity: f.Get("severity"), Owner: strings.TrimSpace(f.Get("owner")), Description: f.Get("description")}
	on := f.Get("enabled") == "on"
	req.Enabled = &on
	if s := strings.TrimSpace(f.Get("cooldown")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return req, daihou.Invalid("cooldown", "cooldown: want a number of days, not %q", inputtext.Clip(s, 32))
		}
		req.Cooldown = n
	}
	return req, nil
}
