package api

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/warning"
)

// BacktestRequest is the body of POST /api/v1/rules/backtest.
type BacktestRequest struct {
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`   // YYYY-MM-DD, at most the business date
	// Rules are drafts to back-test instead of the rules switched on:
	// not stored, each taken as on.
	Rules []RuleRequest `json:"rules,omitempty"`
}

// maxDrafts bounds the drafts of one back-test.
const maxDrafts = 200

// BacktestRules answers POST /api/v1/rules/backtest (risk officer): the
// rules switched on — or the drafts of the body — replayed over the book
// from `from` to `to` as close of business would have raised them, judged
// against what became of the loans by the business date, beside as many
// warnings raised at random. Nothing is stored.
func (a *API) BacktestRules(w http.ResponseWriter, r *http.Request) {
	var req BacktestRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	from, to, err := dateRange(req.From, req.To)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.Rules) > maxDrafts {
		a.fail(w, r, daihou.Invalid("rules", "rules: at most %d drafts, not %d", maxDrafts, len(req.Rules)))
		return
	}
	if err := can(ctx, auth.ManageRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	if business, err := a.DB.BusinessDate(ctx); err != nil {
		a.fail(w, r, err)
		return
	} else if to.After(business) {
		a.fail(w, r, daihou.Invalid("to", "to: %v is after the business date %v, whose outcomes nobody knows yet", to, business))
		return
	}
	var rules []warning.Rule
	if len(req.Rules) > 0 {
		if rules, err = DraftRules(req.Rules); err != nil {
			a.fail(w, r, err)
			return
		}
	} else {
		all, err := a.DB.Rules(ctx)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		rules = EnabledRules(all)
	}
	bt, err := a.DB.BacktestRules(ctx, rules, from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, BacktestOf(bt))
}

// dateRange parses a required from and to, from ≤ to, each error naming
// its field.
func dateRange(fromText, toText string) (from, to civil.Date, err error) {
	parse := func(field, s string) (civil.Date, error) {
		if s == "" {
			return 0, daihou.Invalid(field, "%s: required, a date YYYY-MM-DD", field)
		}
		d, err := civil.Parse(s)
		if err != nil {
			return 0, daihou.Invalid(field, "%s: want a date YYYY-MM-DD, not %q", field, inputtext.Clip(s, 32))
		}
		return d, nil
	}
	if from, err = parse("from", fromText); err != nil {
		return
	}
	if to, err = parse("to", toText); err != nil {
		return
	}
	if to.Before(from) {
		err = daihou.Invalid("to", "to: %v is before from (%v)", to, from)
	}
	return
}
