package console

import (
	"net/http"
	"net/url"
	"strconv"

	"daihou/auth"
	"daihou/web/api"
)

// ruleView is what a rule's editor shows: the rule as stored, the
// variables its expression reads, its versions, the form (as stored, or
// as the user typed it when it comes back), and a back-test's result.
type ruleView struct {
	History    api.RuleHistory
	Form       url.Values
	CanManage  bool
	Backtest   *api.Backtest
	Severities []choice
}

// RuleEdit answers GET /console/rules/{code}: the rule's editor — its
// CEL expression and fields, who put each version and when — with a save
// and a back-test of what is in the editor.
func (c *Console) RuleEdit(r *http.Request, s *Session) (*Page, error) {
	p, err := c.rulePage(r, s, nil, nil)
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

func (c *Console) rulePage(r *http.Request, s *Session, form url.Values, bt *api.Backtest) (*Page, error) {
	l := s.Locale
	h, err := api.LoadRuleHistory(r.Context(), c.DB, r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if form == nil {
		cur := h.Rule
		form = url.Values{"name": {cur.Name}, "expr": {cur.Expr}, "severity": {cur.Severity}, "cooldown": {strconv.Itoa(cur.Cooldown)},
			"owner": {cur.Owner}, "description": {cur.Description}}
		if cur.Enabled {
			form.Set("enabled", "on")
		}
	}
	if form.Get("from") == "" || form.Get("to") == "" {
		// A quarter up to the business date: long enough for a rule to
		// fire, short enough to replay while the user waits.
		business, err := c.DB.BusinessDate(r.Context())
		if err != nil {
			return nil, err
		}
		form.Set("from", business.AddDays(-90).String())
		form.Set("to", business.String())
	}
	v := ruleView{History: h, Form: form, CanManage: auth.Can(s.Actor, auth.ManageRules, auth.Book()).Allowed, Backtest: bt}
	versions := &Table{ID: "versions", Title: l.T("work.rule.versions"), Columns: []Column{
		{Label: l.T("work.col.version"), Num: true}, {Label: l.T("work.col.by")}, {Label: l.T("work.col.at")}, {Label: l.T("work.col.enabled")},
		{Label: l.T("work.col.severity")}, {Label: l.T("work.col.expr")},
	}}
	for _, ver := range h.Versions {
		on := l.T("work.rule.off")
		if ver.Enabled {
			on = l.T("work.rule.on")
		}
		versions.Rows = append(versions.Rows, []Cell{IntCell(l, int64(ver.Version)), TextCell(ver.By), TextCell(ver.At), TextCell(on), TextCell(severityLabel(l, ver.Severity)), TextCell(ver.Expr)})
	}
	for _, sev := range []string{"red", "orange", "yellow"} {
		v.Severities = append(v.Severities, choice{sev, severityLabel(l, sev)})
	}
	tables := []*Table{versions}
	if bt != nil {
		tables = append(tables, backtestTable(l, bt))
	}
	return &Page{Name: "rule", Title: "work.rule.title", Data: v, Tables: tables}, nil
}

// backtestTable is a back-test's numbers: the rules', the set's and the
// same volume of warnings at random, side by side.
func backtestTable(l *Locale, bt *api.Backtest) *Table {
	t := &Table{ID: "backtest", Title: l.T("work.backtest.table", bt.Report.From.String(), bt.Report.To.String(), bt.Report.AsOf.String()), Columns: []Column{
		{Label: l.T("work.col.rule")}, {Label: l.T("work.col.warnings"), Num: true}, {Label: l.T("work.col.loans"), Num: true},
		{Label: l.T("work.col.early90"), Num: true}, {Label: l.T("work.col.early_npl"), Num: true}, {Label: l.T("work.col.hit30"), Num: true}, {Label: l.T("work.col.hit90"), Num: true},
	}}
	row := func(name string, st api.Stat) []Cell {
		return []Cell{TextCell(name), IntCell(l, int64(st.Warnings)), IntCell(l, int64(st.Loans)), PctCell(l, st.Early90.Rate), PctCell(l, st.EarlyNPL.Rate), PctCell(l, st.Hit30.Rate), PctCell(l, st.Hit90.Rate)}
	}
	for _, st := range bt.Report.Rules {
		t.Rows = append(t.Rows, row(st.Rule, st))
	}
	t.Rows = append(t.Rows, row(l.T("work.backtest.set"), bt.Report.Set), row(l.T("work.backtest.random"), bt.Random.Set))
	return t
}
