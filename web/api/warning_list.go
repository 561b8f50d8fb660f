package api

import (
	"net/http"
	"regexp"

	"daihou"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/store"
	"daihou/warning"
)

// ListWarnings answers GET /api/v1/warnings: the warnings on the loans
// the actor may see, newest first, filtered by loan (id or loan number),
// rule, state (a state, or open for every one not resolved), severity and
// the dates raised (from, to), at most limit (default 100, up to 10000).
func (a *API) ListWarnings(w http.ResponseWriter, r *http.Request) {
	f, err := a.warningFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ws, err := a.DB.Warnings(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Warning{"warnings": WarningsOf(ws)})
}

var ruleCodeRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// warningFilter reads the filters of GET /api/v1/warnings, each mistake
// a 400 naming its parameter.
func (a *API) warningFilter(r *http.Request) (store.WarningFilter, error) {
	q := r.URL.Query()
	var f store.WarningFilter
	var err error
	if f.Loan, err = a.queryLoan(r); err != nil {
		return f, err
	}
	if s := q.Get("rule"); s != "" {
		if !ruleCodeRE.MatchString(s) {
			return f, daihou.Invalid("rule", "rule: want a rule's code (1 to 40 of a-z, 0-9 and _), not %q", inputtext.Clip(s, 40))
		}
		f.Rule = s
	}
	if s := q.Get("state"); s != "" {
		if _, err := warning.ParseState(s); err != nil && s != "open" {
			return f, daihou.Invalid("state", "state: want open, raised, acknowledged, escalated or resolved, not %q", inputtext.Clip(s, 32))
		}
		f.State = s
	}
	if s := q.Get("severity"); s != "" {
		if _, err := warning.ParseSeverity(s); err != nil {
			return f, daihou.Invalid("severity", "severity: want red, orange or yellow (or 红, 橙, 黄), not %q", inputtext.Clip(s, 32))
		}
		f.Severity = s
	}
	for _, p := range []struct {
		name string
		d    *civil.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.Get(p.name); s != "" {
			d, err := civil.Parse(s)
			if err != nil {
				return f, daihou.Invalid(p.name, "%s: want a date YYYY-MM-DD, not %q", p.name, inputtext.Clip(s, 32))
			}
			*p.d = d
		}
	}
	if f.From != 0 && f.To != 0 && f.To.Before(f.From) {
		return f, daihou.Invalid("to", "to: %v is before from (%v)", f.To, f.From)
	}
	limit, err := queryInt(r, "limit", 100, 1, 10000)
	if err != nil {
		return f, err
	}
	f.Limit = int(limit)
	return f, nil
}
