package console

import (
	"net/http"
	"net/url"
	"strconv"

	"daihou/auth"
)

// Rules answers GET /console/rules: every warning rule (预警规则), its
// latest version, on or off, each linking to its editor.
func (c *Console) Rules(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	l := s.Locale
	if err := auth.Can(s.Actor, auth.ReadRules, auth.Book()).Err(); err != nil {
		return nil, err
	}
	rs, err := c.DB.Rules(ctx)
	if err != nil {
		return nil, err
	}
	t := &Table{ID: "rules", Title: l.T("work.rules.table"), Columns: []Column{
		{Label: l.T("work.col.code")}, {Label: l.T("work.col.name")}, {Label: l.T("work.col.severity")}, {Label: l.T("work.col.owner")},
		{Label: l.T("work.col.cooldown"), Num: true}, {Label: l.T("work.col.enabled")}, {Label: l.T("work.col.version"), Num: true},
	}}
	for _, rule := range rs {
		on := TextCell(l.T("work.rule.off"))
		if rule.Enabled {
			on = TextCell(l.T("work.rule.on"))
		}
		t.Rows = append(t.Rows, []Cell{LinkCell(rule.Code, "/console/rules/"+url.PathEscape(rule.Code)), TextCell(rule.Name), TextCell(severityLabel(l, rule.Severity.String())),
			TextCell(rule.Owner), IntCell(l, int64(rule.Cooldown)), on, TextCell(strconv.Itoa(rule.Version))})
	}
	return &Page{Name: "rules", Title: "work.rules.title", Tables: []*Table{t}, Notice: workNotice(r, l)}, nil
}

// severityLabel is a warning's severity in the user's language.
func severityLabel(l *Locale, sev string) string { return l.T("work.severity." + sev) }
