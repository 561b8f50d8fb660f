package console

import (
	"net/http"
	"slices"

	"daihou/auth"
	"daihou/civil"
	"daihou/warning"
)

// warningsView is what the warnings dashboard shows.
type warningsView struct {
	Period period
	Report warning.Report
	// Open is how many of the period's warnings are open now (raised,
	// acknowledged or escalated); Red how many are red.
	Open, Red int64
	// Fired and Loans are the period's warnings and the loans they were
	// raised on (Report.Set), as the templates' counts take them.
	Fired, Loans int64
	// EarlyDays and HitDays are the windows of the rates' definitions.
	EarlyDays, HitDays int
	ByMonth            bool
}

// byMonthAfter is the longest period shown day by day.
const byMonthAfter = 62

// Warnings answers GET /console/warnings: the warnings raised in a period
// by day (by month over a long period) and severity, and per rule their
// volume, where they are now in their life cycle, and how well the rule
// judges (warning.Judge): early-identification and hit rates.
func (c *Console) Warnings(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	l := s.Locale
	p, bad, err := c.parsePeriod(ctx, r, l)
	if err != nil {
		return nil, err
	}
	rep, err := c.DB.WarningReport(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	counts, err := c.DB.WarningCounts(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	v := warningsView{Period: p, Report: rep, Fired: int64(rep.Set.Warnings), Loans: int64(rep.Set.Loans), EarlyDays: warning.EarlyDays, HitDays: warning.HitDays, ByMonth: p.To.Sub(p.From) >= byMonthAfter}

	// Volume by day (or month) and severity.
	sevs := []warning.Severity{warning.Red, warning.Orange, warning.Yellow}
	type bucket struct {
		label string
		n     [4]int64 // by severity
	}
	var buckets []*bucket
	at := map[string]*bucket{}
	label := func(d civil.Date) string {
		if v.ByMonth {
			return monthLabel(d.MonthIndex())
		}
		return d.String()
	}
	// Every day or month of the period has its row, warnings or not.
	for d := p.From; !d.After(p.To); d = d.AddDays(1) {
		if k := label(d); at[k] == nil {
			at[k] = &bucket{label: k}
			buckets = append(buckets, at[k])
		}
	}
	type ruleStates struct{ raised, acknowledged, escalated, resolved int64 }
	states := map[string]*ruleStates{}
	for _, n := range counts {
		if b := at[label(n.Raised)]; b != nil && n.Severity >= warning.Yellow && n.Severity <= warning.Red {
			b.n[n.Severity] += n.Count
		}
		rs := states[n.Rule]
		if rs == nil {
			rs = &ruleStates{}
			states[n.Rule] = rs
		}
		switch n.State {
		case warning.Raised:
			rs.raised += n.Count
		case warning.Acknowledged:
			rs.acknowledged += n.Count
		case warning.Escalated:
			rs.escalated += n.Count
		case warning.Resolved:
			rs.resolved += n.Count
		}
		if n.State.Open() {
			v.Open += n.Count
		}
		if n.Severity == warning.Red {
			v.Red += n.Count
		}
	}
	var all ruleStates
	for _, o := range states {
		all.raised, all.acknowledged, all.escalated, all.resolved = all.raised+o.raised, all.acknowledged+o.acknowledged, all.escalated+o.escalated, all.resolved+o.resolved
	}
	sevName := func(sv warning.Severity) string { return l.T("monitor.severity." + sv.String()) }
	when := l.T("monitor.col.day")
	if v.ByMonth {
		when = l.T("monitor.col.month")
	}
	volume := &Table{ID: "volume", Title: l.T("monitor.warnings.volume"), Columns: []Column{{Label: when}}}
	for _, sv := range sevs {
		volume.Columns = append(volume.Columns, Column{Label: sevName(sv), Num: true})
	}
	volume.Columns = append(volume.Columns, Column{Label: l.T("monitor.col.total"), Num: true})
	var x []string
	bySev := make([][]any, len(sevs))
	for _, b := range buckets {
		row := []Cell{TextCell(b.label)}
		var total int64
		for i, sv := range sevs {
			row = append(row, IntCell(l, b.n[sv]))
			bySev[i] = append(bySev[i], b.n[sv])
			total += b.n[sv]
		}
		volume.Rows = append(volume.Rows, append(row, IntCell(l, total)))
		x = append(x, b.label)
	}
	var volSeries []any
	colours := map[warning.Severity]string{warning.Red: "#d9453d", warning.Orange: "#e8833a", warning.Yellow: "#c9a227"}
	for i, sv := range sevs {
		volSeries = append(volSeries, map[string]any{"name": sevName(sv), "type": "bar", "stack": "severity", "data": bySev[i],
			"itemStyle": map[string]any{"color": colours[sv]}})
	}

	// Per rule: volume, life cycle, judgement.
	rules := &Table{ID: "rules", Title: l.T("monitor.warnings.rules"), Columns: []Column{
		{Label: l.T("monitor.col.rule")}, {Label: l.T("monitor.col.fired"), Num: true}, {Label: l.T("monitor.col.loans"), Num: true},
		{Label: l.T("monitor.col.state_raised"), Num: true}, {Label: l.T("monitor.col.state_acknowledged"), Num: true},
		{Label: l.T("monitor.col.state_escalated"), Num: true}, {Label: l.T("monitor.col.state_resolved"), Num: true},
		{Label: l.T("monitor.col.early90"), Num: true}, {Label: l.T("monitor.col.early_npl"), Num: true},
		{Label: l.T("monitor.col.hit30"), Num: true}, {Label: l.T("monitor.col.hit90"), Num: true}}}
	var names []string
	var early, hit []any
	stats := append(slices.Clone(rep.Rules), rep.Set)
	for i, st := range stats {
		name := st.Rule
		if i == len(stats)-1 {
			name = l.T("monitor.warnings.all_rules")
		}
		rs := states[st.Rule]
		if i == len(stats)-1 {
			rs = &all
		}
		if rs == nil {
			rs = &ruleStates{}
		}
		rules.Rows = append(rules.Rows, []Cell{TextCell(name), IntCell(l, int64(st.Warnings)), IntCell(l, int64(st.Loans)),
			IntCell(l, rs.raised), IntCell(l, rs.acknowledged), IntCell(l, rs.escalated), IntCell(l, rs.resolved),
			judgeCell(l, st.Early90), judgeCell(l, st.EarlyNPL), judgeCell(l, st.Hit30), judgeCell(l, st.Hit90)})
		if i < len(stats)-1 {
			names = append(names, name)
			early, hit = append(early, judgeValue(st.Early90)), append(hit, judgeValue(st.Hit90))
		}
	}
	page := &Page{Name: "warnings", Title: "monitor.warnings.title", Data: v, Tables: []*Table{volume, rules},
		Charts: []Chart{
			{ID: "volume", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{},
				"xAxis": map[string]any{"type": "category", "data": x}, "yAxis": map[string]any{"type": "value", "minInterval": 1},
				"series": volSeries}},
			{ID: "rules", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{},
				"xAxis": map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"rotate": 30}},
				"yAxis": map[string]any{"type": "value", "min": 0, "max": 1},
				"series": []any{
					map[string]any{"name": l.T("monitor.col.early90"), "type": "bar", "data": early},
					map[string]any{"name": l.T("monitor.col.hit90"), "type": "bar", "data": hit},
				}}},
		}}
	if bad != "" {
		page.Error, page.Status = bad, http.StatusUnprocessableEntity
	}
	return page, nil
}

// judgeCell is a rate of warning.Judge with what it counts: "30.00%
// (3/10)", or "— (0/0)" with nothing to count.
func judgeCell(l *Locale, r warning.Ratio) Cell {
	counts := " (" + l.Int(int64(r.Num)) + "/" + l.Int(int64(r.Den)) + ")"
	if r.Den == 0 {
		return Cell{Text: "—" + counts, Class: "num"}
	}
	c := PctCell(l, r.Rate())
	c.Text += counts
	return c
}

func judgeValue(r warning.Ratio) any {
	if r.Den == 0 {
		return nil
	}
	return r.Rate()
}
