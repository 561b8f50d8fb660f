package console

import (
	"encoding/json"
	"net/http"

	"daihou/auth"
	"daihou/store"
)

// planView is what a plan's editor shows: the plan in force as the JSON
// the CLI and the API accept, its version and who put it (version 0: the
// built-in default, never put), and for SOPs the codes to choose from.
type planView struct {
	Code      string
	Text      string
	Version   store.PlanVersion
	At        string
	Codes     []string
	CanManage bool
}

// Strategy answers GET /console/strategy: the collection strategy (催收
// 策略) in force in an editor, with its version and who put it.
func (c *Console) Strategy(r *http.Request, s *Session) (*Page, error) {
	p, err := c.strategyPage(r, s, "")
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

// strategyPage builds the strategy's editor, holding text when the user's
// own comes back.
func (c *Console) strategyPage(r *http.Request, s *Session, text string) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadRules, auth.Book()).Err(); err != nil {
		return nil, err
	}
	st, err := c.DB.Strategy(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := c.DB.PlanVersions(ctx, "strategy")
	if err != nil {
		return nil, err
	}
	v := planView{Code: st.Code, CanManage: auth.Can(s.Actor, auth.ManageRules, auth.Book()).Allowed}
	if len(vs) > 0 {
		v.Version, v.At = vs[0], stampText(vs[0].At)
	}
	if v.Text = text; text == "" {
		b, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return nil, err
		}
		v.Text = string(b)
	}
	return &Page{Name: "strategy", Title: "work.strategy.title", Data: v}, nil
}
