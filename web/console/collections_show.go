package console

import (
	"net/http"
	"strconv"
	"strings"

	"daihou/auth"
	"daihou/inputtext"
	"daihou/money"
	"daihou/report"
)

// collectionsView is what the collection-performance page shows.
type collectionsView struct {
	Period     period
	By         string
	Dimensions []string // the choices of the by= filter
	Report     report.CollectionReport
	Strategies report.StrategyReport
}

// defaultDimension is the lines the page shows unless asked for others:
// the collectors', whose KPIs a manager reviews.
const defaultDimension = report.DimCollector

// Collections answers GET /console/collections: over a period, the
// funnel from attempts to cures, the collection KPIs with what each is
// made of, the lines of one dimension (collector, team, arm, bucket or
// channel), each strategy's champion and challenger arms side by side,
// and the daily trend close of business keeps.
func (c *Console) Collections(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	l := s.Locale
	p, bad, err := c.parsePeriod(ctx, r, l)
	if err != nil {
		return nil, err
	}
	by, err := report.ParseDimension(r.URL.Query().Get("by"))
	if err != nil {
		bad = strings.TrimSpace(bad + " " + l.T("monitor.bad_dimension", inputtext.Clip(r.URL.Query().Get("by"), 32)))
	}
	if by == "" {
		by = defaultDimension
	}
	rep, err := c.DB.CollectionReport(ctx, p.From, p.To, by)
	if err != nil {
		return nil, err
	}
	strat, err := c.DB.StrategyReport(ctx, p.From, p.To)
	if err != nil {
		return nil, err
	}
	v := collectionsView{Period: p, By: by, Dimensions: report.CollectionDimensions[1:], Report: rep, Strategies: strat}
	f, k := rep.Total.Figures, rep.Total.KPIs

	// The funnel: each stage with its share of the one before.
	funnel := &Table{ID: "funnel", Title: l.T("monitor.collections.funnel"), Columns: []Column{
		{Label: l.T("monitor.col.stage")}, {Label: l.T("monitor.col.count"), Num: true}, {Label: l.T("monitor.col.of_previous"), Num: true}}}
	stages := []struct {
		key string
		n   int64
	}{
		{"monitor.stage.attempts", f.Attempts}, {"monitor.stage.connected", f.Connected}, {"monitor.stage.rpc", f.RPC},
		{"monitor.stage.promises", f.PromisesMade}, {"monitor.stage.kept", f.PromisesKept}, {"monitor.stage.cured", f.Cured},
	}
	var funnelData []any
	for i, st := range stages {
		share := Cell{Text: "—", Class: "num"}
		if i > 0 {
			share = ratioCell(l, report.NewRatio(st.n, stages[i-1].n))
		}
		funnel.Rows = append(funnel.Rows, []Cell{TextCell(l.T(st.key)), IntCell(l, st.n), share})
		funnelData = append(funnelData, map[string]any{"name": l.T(st.key), "value": st.n})
	}

	// The KPIs with their numerators and denominators.
	kpis := &Table{ID: "kpis", Title: l.T("monitor.collections.kpis"), Columns: []Column{
		{Label: l.T("monitor.col.kpi")}, {Label: l.T("monitor.col.value"), Num: true}, {Label: l.T("monitor.col.numerator"), Num: true},
		{Label: l.T("monitor.col.denominator"), Num: true}, {Label: l.T("monitor.col.definition")}}}
	addKPI := func(key string, r report.Ratio, isMoney bool) {
		num, den := IntCell(l, r.Num), IntCell(l, r.Den)
		if isMoney {
			num, den = moneyCell(l, r.Num), moneyCell(l, r.Den)
		}
		val := ratioCell(l, r)
		if key == "monitor.kpi.cycle_days" || key == "monitor.kpi.satisfaction" {
			val = daysCell(r)
		}
		kpis.Rows = append(kpis.Rows, []Cell{TextCell(l.T(key)), val, num, den, TextCell(l.T(key + "_def"))})
	}
	addKPI("monitor.kpi.contact_rate", k.ContactRate, false)
	addKPI("monitor.kpi.rpc_rate", k.RPCRate, false)
	addKPI("monitor.kpi.promise_rate", k.PromiseRate, false)
	addKPI("monitor.kpi.kept_rate", k.PromiseKeptRate, false)
	addKPI("monitor.kpi.cure_rate", k.CureRate, false)
	addKPI("monitor.kpi.success_rate", k.SuccessRate, false)
	addKPI("monitor.kpi.cycle_days", k.CycleDays, false)
	addKPI("monitor.kpi.roll_forward", k.RollForwardRate, false)
	addKPI("monitor.kpi.cost_per_collected", k.CostPerCollected, true)
	addKPI("monitor.kpi.complaint_rate", k.ComplaintRate, false)
	addKPI("monitor.kpi.satisfaction", k.Satisfaction, false)
	if b := rep.Book; b != nil {
		addKPI("monitor.kpi.over90_share", b.Over90Share, true)
		addKPI("monitor.kpi.write_off_ratio", b.WriteOffRatio, true)
	}

	// The lines of the dimension.
	lines := &Table{ID: "lines", Title: l.T("monitor.collections.lines", l.T("monitor.dim."+by)), Columns: []Column{
		{Label: l.T("monitor.dim." + by)}, {Label: l.T("monitor.stage.attempts"), Num: true}, {Label: l.T("monitor.stage.connected"), Num: true},
		{Label: l.T("monitor.stage.rpc"), Num: true}, {Label: l.T("monitor.stage.promises"), Num: true}, {Label: l.T("monitor.stage.kept"), Num: true},
		{Label: l.T("monitor.col.broken"), Num: true}, {Label: l.T("monitor.col.episodes"), Num: true}, {Label: l.T("monitor.stage.cured"), Num: true},
		{Label: l.T("monitor.kpi.contact_rate"), Num: true}, {Label: l.T("monitor.kpi.rpc_rate"), Num: true}, {Label: l.T("monitor.kpi.promise_rate"), Num: true},
		{Label: l.T("monitor.kpi.kept_rate"), Num: true}, {Label: l.T("monitor.kpi.cure_rate"), Num: true},
		{Label: l.T("monitor.col.collected"), Num: true}, {Label: l.T("monitor.col.cost"), Num: true}}}
	for _, ln := range rep.Lines {
		if ln.Dimension != by {
			continue
		}
		g, q := ln.Figures, ln.KPIs
		lines.Rows = append(lines.Rows, []Cell{TextCell(ln.Key), IntCell(l, g.Attempts), IntCell(l, g.Connected), IntCell(l, g.RPC),
			IntCell(l, g.PromisesMade), IntCell(l, g.PromisesKept), IntCell(l, g.PromisesBroken), IntCell(l, g.Episodes), IntCell(l, g.Cured),
			ratioCell(l, q.ContactRate), ratioCell(l, q.RPCRate), ratioCell(l, q.PromiseRate), ratioCell(l, q.PromiseKeptRate), ratioCell(l, q.CureRate),
			MoneyCell(l, g.Collected), MoneyCell(l, g.Cost)})
	}

	// Champion and challenger arms side by side.
	arms := &Table{ID: "arms", Title: l.T("monitor.collections.arms"), Columns: []Column{
		{Label: l.T("monitor.col.strategy")}, {Label: l.T("monitor.col.segment")}, {Label: l.T("monitor.col.arm")},
		{Label: l.T("monitor.col.episodes"), Num: true}, {Label: l.T("monitor.stage.cured"), Num: true}, {Label: l.T("monitor.kpi.cure_rate"), Num: true},
		{Label: l.T("monitor.col.cure_ci")}, {Label: l.T("monitor.kpi.roll_forward"), Num: true}, {Label: l.T("monitor.col.collected"), Num: true},
		{Label: l.T("monitor.col.cost"), Num: true}, {Label: l.T("monitor.kpi.cost_per_collected"), Num: true}, {Label: l.T("monitor.col.complaints"), Num: true},
		{Label: l.T("monitor.col.verdict")}}}
	var armNames []string
	var champCure, challCure []any
	for _, cmp := range strat.Comparisons {
		for i, a := range []report.ArmResult{cmp.Champion, cmp.Challenger} {
			verdict := ""
			if i == 1 {
				verdict = verdictText(l, cmp.Cure)
			}
			arms.Rows = append(arms.Rows, []Cell{TextCell(cmp.Strategy), TextCell(cmp.Segment), TextCell(a.Arm),
				IntCell(l, a.Episodes), IntCell(l, a.Cured), ratioCell(l, a.CureRate), TextCell(intervalText(l, a.CureCI)),
				ratioCell(l, a.RollForwardRate), MoneyCell(l, a.Collected), MoneyCell(l, a.Cost), ratioCell(l, a.CostPerCollected),
				IntCell(l, a.Complaints), TextCell(verdict)})
		}
		armNames = append(armNames, cmp.Strategy+" · "+cmp.Segment)
		champCure, challCure = append(champCure, ratioValue(cmp.Champion.CureRate)), append(challCure, ratioValue(cmp.Challenger.CureRate))
	}

	// The daily trend.
	trend := &Table{ID: "trend", Title: l.T("monitor.collections.trend"), Columns: []Column{
		{Label: l.T("monitor.col.day")}, {Label: l.T("monitor.stage.attempts"), Num: true}, {Label: l.T("monitor.stage.connected"), Num: true},
		{Label: l.T("monitor.stage.rpc"), Num: true}, {Label: l.T("monitor.stage.promises"), Num: true}, {Label: l.T("monitor.stage.kept"), Num: true},
		{Label: l.T("monitor.stage.cured"), Num: true}, {Label: l.T("monitor.kpi.contact_rate"), Num: true}}}
	var days []string
	var tAttempts, tConnected, tPromises, tCured []any
	for _, tp := range rep.Trend {
		g := tp.Figures
		trend.Rows = append(trend.Rows, []Cell{TextCell(l.Date(tp.Date)), IntCell(l, g.Attempts), IntCell(l, g.Connected), IntCell(l, g.RPC),
			IntCell(l, g.PromisesMade), IntCell(l, g.PromisesKept), IntCell(l, g.Cured), ratioCell(l, tp.KPIs.ContactRate)})
		days = append(days, tp.Date.String())
		tAttempts, tConnected, tPromises, tCured = append(tAttempts, g.Attempts), append(tConnected, g.Connected), append(tPromises, g.PromisesMade), append(tCured, g.Cured)
	}

	page := &Page{Name: "collections", Title: "monitor.collections.title", Data: v, Tables: []*Table{funnel, kpis, lines, arms, trend},
		Charts: []Chart{
			{ID: "funnel", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "item"},
				"series":  []any{map[string]any{"type": "funnel", "sort": "none", "minSize": "8%", "label": map[string]any{"position": "inside"}, "data": funnelData}}}},
			{ID: "arms", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{},
				"xAxis": map[string]any{"type": "category", "data": armNames}, "yAxis": map[string]any{"type": "value", "min": 0},
				"series": []any{
					map[string]any{"name": l.T("monitor.arm.champion"), "type": "bar", "data": champCure},
					map[string]any{"name": l.T("monitor.arm.challenger"), "type": "bar", "data": challCure},
				}}},
			{ID: "trend", Option: lineOption(days, []any{
				map[string]any{"name": l.T("monitor.stage.attempts"), "type": "line", "data": tAttempts},
				map[string]any{"name": l.T("monitor.stage.connected"), "type": "line", "data": tConnected},
				map[string]any{"name": l.T("monitor.stage.promises"), "type": "line", "data": tPromises},
				map[string]any{"name": l.T("monitor.stage.cured"), "type": "line", "data": tCured},
			}, map[string]any{"type": "value", "minInterval": 1})},
		}}
	if bad != "" {
		page.Error, page.Status = bad, http.StatusUnprocessableEntity
	}
	return page, nil
}

// moneyCell is a sum in fen, as a report's ratio carries it.
func moneyCell(l *Locale, fen int64) Cell { return MoneyCell(l, money.Amount(fen)) }

// daysCell is a ratio that is an average (days, points), not a share.
func daysCell(r report.Ratio) Cell {
	if r.Value == nil {
		return Cell{Text: "—", Class: "num"}
	}
	return Cell{Text: strconv.FormatFloat(*r.Value, 'f', 2, 64), Value: *r.Value, Format: "0.00", Class: "num"}
}

// intervalText is a 95 % interval as "[12.30%, 20.10%]".
func intervalText(l *Locale, in *report.Interval) string {
	if in == nil {
		return "—"
	}
	return "[" + l.Pct(in.Lower) + ", " + l.Pct(in.Upper) + "]"
}

// verdictText is a difference's verdict in the user's language.
func verdictText(l *Locale, d report.Difference) string {
	switch d.Verdict {
	case report.ChallengerBetter:
		return l.T("monitor.verdict.challenger")
	case report.ChampionBetter:
		return l.T("monitor.verdict.champion")
	case report.NotSignificant:
		return l.T("monitor.verdict.not_significant")
	}
	return "—"
}
