package console

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/warning"
	"daihou/web/api"
)

// RuleBacktest answers POST /console/rules/{code}/backtest: the rule in
// the editor — as typed, not stored — replayed over the book from the
// form's from to its to as close of business would have raised it, judged
// against what became of the loans, beside as many warnings at random.
// Nothing is stored; the editor shows the result table.
func (c *Console) RuleBacktest(w http.ResponseWriter, r *http.Request) {
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
	rules, err := api.DraftRules([]api.RuleRequest{req})
	if err != nil {
		back(err)
		return
	}
	if _, err := warning.Compile(rules[0]); err != nil {
		back(err)
		return
	}
	from, err := civil.Parse(f.Get("from"))
	if err != nil {
		back(daihou.Invalid("from", "from: want a date YYYY-MM-DD, not %q", inputtext.Clip(f.Get("from"), 32)))
		return
	}
	to, err := civil.Parse(f.Get("to"))
	if err != nil {
		back(daihou.Invalid("to", "to: want a date YYYY-MM-DD, not %q", inputtext.Clip(f.Get("to"), 32)))
		return
	}
	business, err := c.DB.BusinessDate(ctx)
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	switch {
	case to.Before(from):
		err = daihou.Invalid("to", "to: %v is before from (%v)", to, from)
	case to.After(business):
		err = daihou.Invalid("to", "to: %v is after the business date %v, whose outcomes nobody knows yet", to, business)
	}
	if err != nil {
		back(err)
		return
	}
	bt, err := c.DB.BacktestRules(ctx, rules, from, to)
	if err != nil {
		back(err)
		return
	}
	res := api.BacktestOf(bt)
	p, err := c.rulePage(r, s, f, &res)
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	c.render(w, r, http.StatusOK, &view{Locale: s.Locale, Page: p, S: s})
}
