package console

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/inputtext"
	"daihou/money"
	"daihou/report"
)

// migrationStates are the migration matrix's columns: the five classes,
// settled and written off.
var migrationStates = []eod.MigrationState{1, 2, 3, 4, 5, eod.MigrationSettled, eod.MigrationWrittenOff}

// migration is a five-tier migration matrix: loans active at the previous
// month end by class then (rows) and their state at this month end.
type migration struct {
	Loans   [6][8]int64 // [from class][to state], index 0 unused
	Balance [6][8]money.Amount
}

func migrationOf(cells map[eod.MigrationKey]eod.RollCell) (migration, bool) {
	var m migration
	any := false
	for k, c := range cells {
		if k.From < classification.Normal || k.From > classification.Loss || k.To < 1 || k.To > eod.MigrationWrittenOff {
			continue
		}
		m.Loans[k.From][k.To] += c.Loans
		m.Balance[k.From][k.To] += c.FromBalance
		any = any || c.Loans != 0
	}
	return m, any
}

// row returns the loans and the balance that began the month in class c.
func (m *migration) row(c classification.Class) (int64, money.Amount) {
	var n int64
	var b money.Amount
	for _, to := range migrationStates {
		n += m.Loans[c][to]
		b += m.Balance[c][to]
	}
	return n, b
}

// down returns the share of class c's balance that ended the month in a
// worse class or written off (迁徙率 by balance).
func (m *migration) down(c classification.Class) float64 {
	_, total := m.row(c)
	if total == 0 {
		return 0
	}
	var x money.Amount
	for to := eod.MigrationState(c) + 1; to <= 5; to++ {
		x += m.Balance[c][to]
	}
	x += m.Balance[c][eod.MigrationWrittenOff]
	return float64(x) / float64(total)
}

// qualityView is what the asset-quality page shows.
type qualityView struct {
	filterView
	Date         civil.Date
	HasMigration bool
}

// Quality answers GET /console/quality: the asset quality of a month end
// (the last by default): the five-tier migration matrix from the month
// before, the roll rates and their trend, vintage curves, the breakdown
// by product, branch and region, and the IFRS 9 stages with their ECL —
// all from the aggregates close of business keeps.
func (c *Console) Quality(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	l := s.Locale
	ends, err := c.DB.MonthEnds(ctx)
	if err != nil {
		return nil, err
	}
	if len(ends) == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "%s", l.T("quality.no_month_end"))
	}
	var months []string
	for i := len(ends) - 1; i >= 0; i-- {
		months = append(months, report.MonthName(ends[i].MonthIndex()))
	}
	d := ends[len(ends)-1]
	var bad []string
	if v := strings.TrimSpace(r.URL.Query().Get("month")); v != "" {
		if i := slices.Index(months, v); i >= 0 {
			d = ends[len(ends)-1-i]
		} else {
			bad = append(bad, l.T("quality.unknown_month", inputtext.Clip(v, 20), strings.Join(months, "、")))
		}
	}
	at, err := c.DB.Aggregates(ctx, d)
	if err != nil {
		return nil, err
	}
	regions, err := c.DB.Regions(ctx)
	if err != nil {
		return nil, err
	}
	f, choices, more, err := c.readFilter(r, l, at, regions, false)
	if err != nil {
		return nil, err
	}
	bad = append(bad, more...)
	choices.Months, choices.Month, choices.Period = months, report.MonthName(d.MonthIndex()), "quality.f_month"
	v := qualityView{filterView: filterView{Filter: f, Choices: choices}, Date: d}
	if f.byBranch() {
		v.Notes = append(v.Notes, l.T("quality.by_product_only"))
	}
	all, err := c.monthEnds(r, d)
	if err != nil {
		return nil, err
	}
	for md, a := range all {
		all[md] = filtered(a, f)
	}
	fa := filtered(at, f)
	rep := report.Build(d, fa, all)
	m, ok := migrationOf(fa.Migration)
	v.HasMigration = ok
	if !ok {
		v.Notes = append(v.Notes, l.T("quality.no_migration"))
	}

	p := &Page{Name: "quality", Title: "quality.title", Data: &v}
	if len(bad) > 0 {
		p.Error, p.Status = strings.Join(bad, " "), http.StatusUnprocessableEntity
	}
	p.Tables = append(p.Tables, migrationTable(l, &m, false), migrationTable(l, &m, true))
	p.Tables = append(p.Tables, rollTable(l, rep.Roll), rollTrendTable(l, rep.RollTrend))
	p.Charts = append(p.Charts, rollTrendChart(l, rep.RollTrend))
	vt, vc := vintageParts(l, rep.Vintages)
	p.Tables, p.Charts = append(p.Tables, vt...), append(p.Charts, vc...)
	regionOf := map[string]string{}
	for _, rg := range regions {
		for _, b := range rg.Branches {
			regionOf[b] = rg.Name
		}
	}
	for _, dim := range []struct {
		id  string
		key func(eod.PortfolioKey) string
	}{
		{"product", func(k eod.PortfolioKey) string { return k.Product }},
		{"branch", func(k eod.PortfolioKey) string { return k.Branch }},
		{"region", func(k eod.PortfolioKey) string {
			if r, ok := regionOf[k.Branch]; ok {
				return r
			}
			return l.T("quality.no_region")
		}},
	} {
		if dim.id == "region" && len(regions) == 0 {
			continue
		}
		t, ch := breakdown(l, d, dim.id, fa.Portfolio, dim.key)
		p.Tables, p.Charts = append(p.Tables, t), append(p.Charts, ch)
	}
	st, sc := stageParts(l, rep.Stages)
	p.Tables, p.Charts = append(p.Tables, st), append(p.Charts, sc)
	return p, nil
}

// migrationName is a migration state's column heading.
func migrationName(l *Locale, s eod.MigrationState) string {
	switch s {
	case eod.MigrationSettled:
		return l.T("quality.settled")
	case eod.MigrationWrittenOff:
		return l.T("quality.written_off")
	}
	return className(l, classification.Class(s))
}

// migrationTable is the matrix in loans, or byBalance in the balance at
// the previous month end, with the row totals (the loans in each class
// then) and, by balance, the share that moved down.
func migrationTable(l *Locale, m *migration, byBalance bool) *Table {
	id, title := "migration-loans", l.T("quality.migration_loans")
	if byBalance {
		id, title = "migration-balance", l.T("quality.migration_balance")
	}
	cols := []Column{{Label: l.T("quality.col_from")}}
	for _, s := range migrationStates {
		cols = append(cols, Column{Label: migrationName(l, s), Num: true})
	}
	cols = append(cols, Column{Label: l.T("quality.col_row_total"), Num: true})
	if byBalance {
		cols = append(cols, Column{Label: l.T("quality.col_down"), Num: true})
	}
	t := &Table{ID: id, Title: title, Columns: cols}
	for c := classification.Normal; c <= classification.Loss; c++ {
		row := []Cell{TextCell(className(l, c))}
		n, b := m.row(c)
		for _, s := range migrationStates {
			if byBalance {
				row = append(row, MoneyCell(l, m.Balance[c][s]))
			} else {
				row = append(row, IntCell(l, m.Loans[c][s]))
			}
		}
		if byBalance {
			row = append(row, MoneyCell(l, b), PctCell(l, m.down(c)))
		} else {
			row = append(row, IntCell(l, n))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func rollTable(l *Locale, rr *report.RollReport) *Table {
	t := &Table{ID: "roll", Title: l.T("quality.roll"), Columns: []Column{{Label: l.T("quality.col_from_bucket")}, {Label: l.T("col.loans"), Num: true},
		{Label: l.T("quality.col_from_balance"), Num: true}, {Label: l.T("quality.col_roll"), Num: true}, {Label: l.T("quality.col_roll_balance"), Num: true},
		{Label: l.T("quality.col_cure"), Num: true}, {Label: l.T("quality.col_stay"), Num: true}, {Label: l.T("quality.settled"), Num: true}, {Label: l.T("quality.written_off"), Num: true}}}
	if rr == nil {
		return t
	}
	t.Title = l.T("quality.roll_of", rr.Month)
	for _, x := range rr.Rows {
		cure := TextCell("—")
		if x.Cure != nil {
			cure = PctCell(l, *x.Cure)
		}
		t.Rows = append(t.Rows, []Cell{TextCell(x.From), IntCell(l, x.Loans), MoneyCell(l, x.Balance), PctCell(l, x.Roll), PctCell(l, x.RollBalance), cure, PctCell(l, x.Stay), PctCell(l, x.Settled), PctCell(l, x.WrittenOff)})
	}
	return t
}

// transitions are the roll trend's series names, M0→M1 … M6→M7+.
var transitions = []string{"M0→M1", "M1→M2", "M2→M3", "M3→M4", "M4→M5", "M5→M6", "M6→M7+"}

func rollTrendTable(l *Locale, trend []report.TrendLine) *Table {
	cols := []Column{{Label: l.T("overview.col_month")}}
	for _, s := range transitions {
		cols = append(cols, Column{Label: s, Num: true})
	}
	t := &Table{ID: "roll-trend", Title: l.T("quality.roll_trend"), Columns: cols}
	for _, x := range trend {
		row := []Cell{TextCell(x.Month)}
		for _, r := range x.Roll {
			row = append(row, PctCell(l, r))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func rollTrendChart(l *Locale, trend []report.TrendLine) Chart {
	var months []string
	series := make([]any, len(transitions))
	data := make([][]float64, len(transitions))
	for _, x := range trend {
		months = append(months, x.Month)
		for i := range transitions {
			var r float64
			if i < len(x.Roll) {
				r = x.Roll[i]
			}
			data[i] = append(data[i], pct(r))
		}
	}
	for i, name := range transitions {
		series[i] = map[string]any{"type": "line", "name": name, "data": data[i]}
	}
	return Chart{ID: "roll-trend", Height: 320, Option: map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"xAxis":   map[string]any{"type": "category", "data": months},
		"yAxis":   map[string]any{"type": "value", "axisLabel": map[string]any{"formatter": "{value}%"}},
		"series":  series,
	}}
}

// vintageParts are the vintage tables (ever 30+ and ever 90+ by months
// on book) and their curves, a line per disbursement month.
func vintageParts(l *Locale, vs []report.VintageLine) ([]*Table, []Chart) {
	mobs := 0
	for _, v := range vs {
		mobs = max(mobs, len(v.Ever30))
	}
	var axis []string
	for i := 1; i <= mobs; i++ {
		axis = append(axis, fmt.Sprint(i))
	}
	part := func(id, title string, curve func(report.VintageLine) []*float64) (*Table, Chart) {
		cols := []Column{{Label: l.T("quality.col_vintage")}, {Label: l.T("col.loans"), Num: true}, {Label: l.T("quality.col_principal"), Num: true}}
		for i := 1; i <= mobs; i++ {
			cols = append(cols, Column{Label: l.T("quality.col_mob", i), Num: true})
		}
		t := &Table{ID: id, Title: title, Columns: cols}
		var series []any
		for i := len(vs) - 1; i >= 0; i-- {
			v := vs[i]
			row := []Cell{TextCell(v.Vintage), IntCell(l, v.Loans), MoneyCell(l, v.Amount)}
			var data []any
			c := curve(v)
			for m := 0; m < mobs; m++ {
				if m < len(c) && c[m] != nil {
					row = append(row, PctCell(l, *c[m]))
					data = append(data, pct(*c[m]))
				} else {
					row = append(row, TextCell(""))
					data = append(data, nil)
				}
			}
			t.Rows = append(t.Rows, row)
			series = append(series, map[string]any{"type": "line", "name": v.Vintage, "data": data})
		}
		return t, Chart{ID: id, Height: 320, Option: map[string]any{
			"tooltip": map[string]any{"trigger": "axis"},
			"legend":  map[string]any{"bottom": 0, "type": "scroll"},
			"xAxis":   map[string]any{"type": "category", "name": l.T("quality.axis_mob"), "data": axis},
			"yAxis":   map[string]any{"type": "value", "name": title, "axisLabel": map[string]any{"formatter": "{value}%"}},
			"series":  series,
		}}
	}
	t30, c30 := part("vintage30", l.T("quality.ever30"), func(v report.VintageLine) []*float64 { return v.Ever30 })
	t90, c90 := part("vintage90", l.T("quality.ever90"), func(v report.VintageLine) []*float64 { return v.Ever90 })
	return []*Table{t30, t90}, []Chart{c30, c90}
}

// breakdown is the portfolio cut by one dimension: a table and a bar
// chart of the balance with the NPL ratio.
func breakdown(l *Locale, d civil.Date, id string, cells map[eod.PortfolioKey]eod.PortfolioCell, key func(eod.PortfolioKey) string) (*Table, Chart) {
	parts := map[string]map[eod.PortfolioKey]eod.PortfolioCell{}
	for k, c := range cells {
		n := key(k)
		if parts[n] == nil {
			parts[n] = map[eod.PortfolioKey]eod.PortfolioCell{}
		}
		parts[n][k] = c
	}
	var names []string
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	t := &Table{ID: "by-" + id, Title: l.T("quality.by_" + id), Columns: []Column{{Label: l.T("quality.col_" + id)}, {Label: l.T("col.loans"), Num: true},
		{Label: l.T("col.outstanding"), Num: true}, {Label: l.T("overview.npl_balance"), Num: true}, {Label: l.T("kpi.npl_ratio"), Num: true},
		{Label: l.T("overview.m1_ratio"), Num: true}, {Label: l.T("overview.ecl"), Num: true}, {Label: l.T("kpi.coverage"), Num: true}}}
	var bal, npl []float64
	for _, n := range names {
		f := figuresOf(d, parts[n])
		x := f.Portfolio
		t.Rows = append(t.Rows, []Cell{TextCell(n), IntCell(l, x.ActiveLoans), MoneyCell(l, x.Outstanding), MoneyCell(l, x.NPLBalance), PctCell(l, x.NPLRatio),
			PctCell(l, f.M1), MoneyCell(l, x.ECL), PctCell(l, x.Coverage)})
		bal, npl = append(bal, major(x.Outstanding)), append(npl, pct(x.NPLRatio))
	}
	return t, Chart{ID: "by-" + id, Option: map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
		"yAxis": []any{map[string]any{"type": "value", "name": l.T("col.outstanding")},
			map[string]any{"type": "value", "name": l.T("kpi.npl_ratio"), "axisLabel": map[string]any{"formatter": "{value}%"}}},
		"series": []any{map[string]any{"type": "bar", "name": l.T("col.outstanding"), "data": bal},
			map[string]any{"type": "line", "name": l.T("kpi.npl_ratio"), "yAxisIndex": 1, "data": npl}},
	}}
}

// stageParts are the IFRS 9 stages with their ECL: a table and a chart.
func stageParts(l *Locale, stages []report.StageLine) (*Table, Chart) {
	t := &Table{ID: "stages", Title: l.T("quality.stages"), Columns: []Column{{Label: l.T("quality.col_stage")}, {Label: l.T("col.loans"), Num: true},
		{Label: l.T("col.outstanding"), Num: true}, {Label: l.T("overview.ecl"), Num: true}, {Label: l.T("quality.col_ecl_rate"), Num: true}}}
	var names []string
	var bal, ecl []float64
	for _, s := range stages {
		name := l.T("quality.stage", s.Stage)
		names = append(names, name)
		t.Rows = append(t.Rows, []Cell{TextCell(name), IntCell(l, s.Loans), MoneyCell(l, s.Outstanding), MoneyCell(l, s.ECL), PctCell(l, s.ECLRate)})
		bal, ecl = append(bal, major(s.Outstanding)), append(ecl, major(s.ECL))
	}
	return t, Chart{ID: "stages", Option: map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"xAxis":   map[string]any{"type": "category", "data": names},
		"yAxis":   []any{map[string]any{"type": "value", "name": l.T("col.outstanding")}, map[string]any{"type": "value", "name": l.T("overview.ecl")}},
		"series": []any{map[string]any{"type": "bar", "name": l.T("col.outstanding"), "data": bal},
			map[string]any{"type": "bar", "name": l.T("overview.ecl"), "yAxisIndex": 1, "data": ecl}},
	}}
}
