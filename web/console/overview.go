package console

import (
	"maps"
	"math"
	"net/http"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/money"
	"daihou/report"
	"daihou/servicing"
	"daihou/store"
	"daihou/warning"
)

// overviewView is what the overview shows.
type overviewView struct {
	filterView
	Date civil.Date
	figures
	Warnings              map[warning.Severity]int64
	OpenWarnings          int64
	TasksToday, TasksLate int64
	// Collections are the collection figures of the date (book-wide), nil
	// when close of business kept none.
	Collections *report.Figures
}

// Red is the number of open red warnings, for the KPI.
func (v overviewView) Red() int64 { return v.Warnings[warning.Red] }

// trendPoint is one month end's (or the date's) headline figures.
type trendPoint struct {
	Label string
	f     figures
}

// Overview answers GET /console/: the book's headline figures on the last
// closed date — outstanding, active loans, the overdue buckets' shares,
// M1+ and M3+, the NPL ratio (不良贷款率) and provision coverage (拨备覆盖率)
// — their trends over the month ends on record, the five-tier
// distribution, open warnings, tasks due and the day's collections,
// narrowed by product, branch, region or officer.
func (c *Console) Overview(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		// The console's home for a collector or an account manager is
		// their first menu entry (the queue, their loans), not a refusal.
		nav := navFor(s)
		for _, n := range nav {
			if n.Path == "/console/tasks" {
				return &Page{Redirect: n.Path}, nil // a queue to work comes first
			}
		}
		for _, n := range nav {
			if n.Path != "/console/" {
				return &Page{Redirect: n.Path}, nil
			}
		}
		// An admin's work (users, tokens, configuration) is on the
		// command line and the API: say so rather than refuse.
		return &Page{Name: "home", Title: "home.title", Data: s.Actor.Roles()}, nil
	}
	l := s.Locale
	d, err := c.DB.LastClose(ctx)
	if err != nil {
		return nil, err
	}
	if d == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "%s", l.T("overview.no_close"))
	}
	// Only the portfolio cells of the date and the month ends before it
	// (24 months at most), in one read: the overview needs nothing else.
	ends, err := c.DB.MonthEnds(ctx)
	if err != nil {
		return nil, err
	}
	var dates []civil.Date
	for _, md := range ends {
		if md.Before(d) && d.MonthIndex()-md.MonthIndex() <= 24 {
			dates = append(dates, md)
		}
	}
	// An officer's figures are read from their loans and have no trend:
	// the month ends are read only for the book.
	read := append(dates, d)
	if strings.TrimSpace(r.URL.Query().Get("officer")) != "" {
		read = []civil.Date{d}
	}
	byDate, err := c.DB.PortfolioCells(ctx, read)
	if err != nil {
		return nil, err
	}
	if len(byDate[d]) == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "%s", l.T("overview.no_close"))
	}
	at := &eod.Aggregates{Portfolio: byDate[d]}
	regions, err := c.DB.Regions(ctx)
	if err != nil {
		return nil, err
	}
	f, choices, bad, err := c.readFilter(r, l, at, regions, true)
	if err != nil {
		return nil, err
	}
	v := overviewView{filterView: filterView{Filter: f, Choices: choices}, Date: d}
	cells := filtered(at, f).Portfolio
	if f.Officer != "" {
		all, err := c.DB.OfficerPortfolio(ctx, f.Officer)
		if err != nil {
			return nil, err
		}
		cells = map[eod.PortfolioKey]eod.PortfolioCell{}
		for k, x := range all {
			if f.keep(k.Product, k.Branch) {
				cells[k] = x
			}
		}
		v.Notes = append(v.Notes, l.T("overview.officer_live", f.Officer))
	}
	v.figures = figuresOf(d, cells)

	var trend []trendPoint
	if f.Officer == "" {
		if len(read) == 1 && len(dates) > 0 { // an unknown officer: the book's trend after all
			more, err := c.DB.PortfolioCells(ctx, dates)
			if err != nil {
				return nil, err
			}
			maps.Copy(byDate, more)
		}
		for _, md := range dates {
			trend = append(trend, trendPoint{Label: report.MonthName(md.MonthIndex()), f: figuresOf(md, filtered(&eod.Aggregates{Portfolio: byDate[md]}, f).Portfolio)})
		}
		label := d.String()
		if d.AddDays(1).Day() == 1 {
			label = report.MonthName(d.MonthIndex())
		}
		trend = append(trend, trendPoint{Label: label, f: v.figures})
	}

	df := store.DashboardFilter{Product: f.Product, Branches: f.branchList(), Officer: f.Officer}
	if v.Warnings, err = c.DB.OpenWarnings(ctx, df); err != nil {
		return nil, err
	}
	for _, n := range v.Warnings {
		v.OpenWarnings += n
	}
	if v.TasksToday, v.TasksLate, err = c.DB.TasksDue(ctx, df, d); err != nil {
		return nil, err
	}
	daily, err := c.DB.CollectionDaily(ctx, d, d, report.DimAll)
	if err != nil {
		return nil, err
	}
	for _, x := range daily {
		fig := x.Figures
		v.Collections = &fig
	}
	if f.Any() && v.Collections != nil {
		v.Notes = append(v.Notes, l.T("overview.collections_book"))
	}

	p := &Page{Name: "overview", Title: "overview.title", Data: v}
	if len(bad) > 0 {
		p.Error, p.Status = strings.Join(bad, " "), http.StatusUnprocessableEntity
	}
	p.Tables = append(p.Tables, classTable(l, "classes", v.Classes), bucketTable(l, v.Buckets), warningTable(l, v.Warnings))
	p.Charts = append(p.Charts, classPie("classes", l, v.Classes), bucketBar(l, v.Buckets))
	if len(trend) > 0 {
		p.Tables = append(p.Tables, trendTable(l, trend))
		p.Charts = append(p.Charts, trendRatios(l, trend), trendBalance(l, trend))
	}
	return p, nil
}

// major is an amount in major units, for a chart.
func major(a money.Amount) float64 { return float64(a) / 100 }

// pct is a fraction as a percentage with two decimals, for a chart.
func pct(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*10000) / 100
}

// classTable is the five-tier distribution.
func classTable(l *Locale, id string, lines []report.Line) *Table {
	t := &Table{ID: id, Title: l.T("overview.classes"), Columns: []Column{{Label: l.T("col.class")}, {Label: l.T("col.loans"), Num: true}, {Label: l.T("col.outstanding"), Num: true}, {Label: l.T("col.share"), Num: true}}}
	for i, line := range lines {
		t.Rows = append(t.Rows, []Cell{TextCell(className(l, classification.Class(i+1))), IntCell(l, line.Loans), MoneyCell(l, line.Outstanding), PctCell(l, line.Share)})
	}
	return t
}

func classPie(id string, l *Locale, lines []report.Line) Chart {
	var data []map[string]any
	for i, line := range lines {
		data = append(data, map[string]any{"name": className(l, classification.Class(i+1)), "value": major(line.Outstanding)})
	}
	return Chart{ID: id, Option: map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		"legend":  map[string]any{"bottom": 0},
		"series":  []any{map[string]any{"type": "pie", "radius": []string{"40%", "70%"}, "data": data}},
	}}
}

// bucketTable is the overdue buckets M1 … M7+ with their shares of the
// balance (M0 first, for the whole).
func bucketTable(l *Locale, lines []report.Line) *Table {
	t := &Table{ID: "buckets", Title: l.T("overview.buckets"), Columns: []Column{{Label: l.T("overview.col_bucket")}, {Label: l.T("col.loans"), Num: true}, {Label: l.T("col.outstanding"), Num: true}, {Label: l.T("col.share"), Num: true}}}
	for _, line := range lines {
		t.Rows = append(t.Rows, []Cell{TextCell(line.Name), IntCell(l, line.Loans), MoneyCell(l, line.Outstanding), PctCell(l, line.Share)})
	}
	return t
}

func bucketBar(l *Locale, lines []report.Line) Chart {
	var names []string
	var vals []float64
	for _, line := range lines {
		if b, ok := servicing.ParseBucket(line.Name); ok && b == servicing.M0 {
			continue
		}
		names = append(names, line.Name)
		vals = append(vals, pct(line.Share))
	}
	return Chart{ID: "buckets", Option: map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"xAxis":   map[string]any{"type": "category", "data": names},
		"yAxis":   map[string]any{"type": "value", "axisLabel": map[string]any{"formatter": "{value}%"}},
		"series":  []any{map[string]any{"type": "bar", "name": l.T("overview.bucket_share"), "data": vals}},
	}}
}

func warningTable(l *Locale, by map[warning.Severity]int64) *Table {
	t := &Table{ID: "warnings", Title: l.T("overview.warnings"), Columns: []Column{{Label: l.T("overview.col_severity")}, {Label: l.T("overview.col_open"), Num: true}}}
	for s := warning.Red; s >= warning.Yellow; s-- {
		t.Rows = append(t.Rows, []Cell{TextCell(l.T("overview.severity_" + s.String())), IntCell(l, by[s])})
	}
	return t
}

func trendTable(l *Locale, pts []trendPoint) *Table {
	t := &Table{ID: "trend", Title: l.T("overview.trend"), Columns: []Column{{Label: l.T("overview.col_month")}, {Label: l.T("kpi.outstanding"), Num: true},
		{Label: l.T("kpi.active_loans"), Num: true}, {Label: l.T("overview.m1_ratio"), Num: true}, {Label: l.T("overview.m3_ratio"), Num: true},
		{Label: l.T("kpi.npl_ratio"), Num: true}, {Label: l.T("kpi.coverage"), Num: true}}}
	for _, p := range pts {
		x := p.f.Portfolio
		t.Rows = append(t.Rows, []Cell{TextCell(p.Label), MoneyCell(l, x.Outstanding), IntCell(l, x.ActiveLoans), PctCell(l, p.f.M1), PctCell(l, p.f.M3), PctCell(l, x.NPLRatio), PctCell(l, x.Coverage)})
	}
	return t
}

func trendRatios(l *Locale, pts []trendPoint) Chart {
	var labels []string
	var npl, m1, m3 []float64
	for _, p := range pts {
		labels = append(labels, p.Label)
		npl, m1, m3 = append(npl, pct(p.f.Portfolio.NPLRatio)), append(m1, pct(p.f.M1)), append(m3, pct(p.f.M3))
	}
	line := func(name string, data []float64) map[string]any {
		return map[string]any{"type": "line", "name": name, "data": data}
	}
	return Chart{ID: "trend_ratios", Option: map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"xAxis":   map[string]any{"type": "category", "data": labels},
		"yAxis":   map[string]any{"type": "value", "axisLabel": map[string]any{"formatter": "{value}%"}},
		"series":  []any{line(l.T("kpi.npl_ratio"), npl), line(l.T("overview.m1_ratio"), m1), line(l.T("overview.m3_ratio"), m3)},
	}}
}

func trendBalance(l *Locale, pts []trendPoint) Chart {
	var labels []string
	var bal, cov []float64
	for _, p := range pts {
		labels = append(labels, p.Label)
		bal, cov = append(bal, major(p.f.Portfolio.Outstanding)), append(cov, pct(p.f.Portfolio.Coverage))
	}
	return Chart{ID: "trend_balance", Option: map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"xAxis":   map[string]any{"type": "category", "data": labels},
		"yAxis": []any{map[string]any{"type": "value", "name": l.T("kpi.outstanding")},
			map[string]any{"type": "value", "name": l.T("kpi.coverage"), "axisLabel": map[string]any{"formatter": "{value}%"}}},
		"series": []any{map[string]any{"type": "bar", "name": l.T("kpi.outstanding"), "data": bal},
			map[string]any{"type": "line", "name": l.T("kpi.coverage"), "yAxisIndex": 1, "data": cov}},
	}}
}
