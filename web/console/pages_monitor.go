package console

import (
	"context"
	"net/http"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/report"
)

// monitorPages are the page templates of this part of the console: model
// monitoring, warnings and collection performance.
var monitorPages = []string{"models", "warnings", "collections"}

// monitorMenu is this part's entries in the menu.
var monitorMenu = []menuItem{
	{"/console/models", "monitor.nav.models", auth.ReadReport, auth.Book},
	{"/console/warnings", "monitor.nav.warnings", auth.ReadReport, auth.Book},
	{"/console/collections", "monitor.nav.collections", auth.ReadReport, auth.Book},
}

// period is a dashboard's date range as the filter form shows it: the
// dates in force and what the user typed.
type period struct {
	From, To         civil.Date
	FromText, ToText string
}

// maxPeriodDays bounds a dashboard's range, as the store bounds a
// report's.
const maxPeriodDays = 3660

// parsePeriod reads ?from= and ?to= (YYYY-MM-DD). Without them the period
// is the month of the last close up to it. A bad value gives the default
// period and a message in the user's language, so the page still shows
// with the form to correct; the message names what was typed.
func (c *Console) parsePeriod(ctx context.Context, r *http.Request, l *Locale) (period, string, error) {
	q := r.URL.Query()
	p := period{FromText: strings.TrimSpace(q.Get("from")), ToText: strings.TrimSpace(q.Get("to"))}
	last, err := c.DB.LastClose(ctx)
	if err != nil {
		return p, "", err
	}
	if last == 0 {
		return p, "", daihou.Errorf(daihou.ENOTFOUND, "%s", l.T("overview.no_close"))
	}
	def := period{From: last.AddDays(1 - last.Day()), To: last}
	var msgs []string
	parse := func(field, s string, d *civil.Date) {
		if s == "" {
			return
		}
		v, err := civil.Parse(s)
		if err != nil {
			msgs = append(msgs, l.T("monitor.bad_date", l.T("monitor.filter."+field), inputtext.Clip(s, 32)))
			return
		}
		*d = v
	}
	p.From, p.To = def.From, def.To
	parse("from", p.FromText, &p.From)
	parse("to", p.ToText, &p.To)
	switch {
	case len(msgs) > 0:
	case p.To.Before(p.From):
		msgs = append(msgs, l.T("monitor.to_before_from", p.To.String(), p.From.String()))
	case p.To.Sub(p.From) >= maxPeriodDays:
		msgs = append(msgs, l.T("monitor.too_long", p.To.Sub(p.From)+1, maxPeriodDays))
	}
	if len(msgs) > 0 {
		p.From, p.To = def.From, def.To
		return p, strings.Join(msgs, " "), nil
	}
	if p.FromText == "" {
		p.FromText = p.From.String()
	}
	if p.ToText == "" {
		p.ToText = p.To.String()
	}
	return p, "", nil
}

// ratioCell shows a report ratio as a percentage, "—" when it has no
// denominator.
func ratioCell(l *Locale, r report.Ratio) Cell {
	if r.Value == nil {
		return Cell{Text: "—", Class: "num"}
	}
	return PctCell(l, *r.Value)
}

// ratioValue is a ratio for a chart: null when it has no denominator.
func ratioValue(r report.Ratio) any {
	if r.Value == nil {
		return nil
	}
	return *r.Value
}
