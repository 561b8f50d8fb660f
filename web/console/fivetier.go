package console

import (
	"net/http"
	"slices"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/inputtext"
	"daihou/money"
	"daihou/servicing"
)

// tierLine is one row of the five-tier sheet.
type tierLine struct {
	Loans            int64
	Balance, ECL     money.Amount
	Share, Provision float64 // of the total balance; ECL over the balance
}

func (t *tierLine) add(c eod.PortfolioCell) {
	t.Loans += c.Loans
	t.Balance += c.Outstanding
	t.ECL += c.ECL
}

// fiveTier is the regulator's asset-quality sheet (五级分类及拨备情况表) of
// some portfolio cells.
type fiveTier struct {
	Classes    [5]tierLine
	NPL, Total tierLine
	NPLRatio   float64 // 不良贷款率 = NPL balance / total balance
	Coverage   float64 // 拨备覆盖率 = ECL / NPL balance
}

// fiveTierOf sums the active loans' cells by class.
func fiveTierOf(cells map[eod.PortfolioKey]eod.PortfolioCell) fiveTier {
	var ft fiveTier
	for k, c := range cells {
		if k.Status == servicing.StatusSettled || k.Status == servicing.StatusWrittenOff || k.Class < classification.Normal || k.Class > classification.Loss {
			continue
		}
		ft.Classes[k.Class-1].add(c)
		ft.Total.add(c)
		if k.Class.NonPerforming() {
			ft.NPL.add(c)
		}
	}
	ratio := func(a, b money.Amount) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	lines := []*tierLine{&ft.Classes[0], &ft.Classes[1], &ft.Classes[2], &ft.Classes[3], &ft.Classes[4], &ft.NPL, &ft.Total}
	for _, t := range lines {
		t.Share = ratio(t.Balance, ft.Total.Balance)
		t.Provision = ratio(t.ECL, t.Balance)
	}
	ft.NPLRatio = ratio(ft.NPL.Balance, ft.Total.Balance)
	ft.Coverage = ratio(ft.Total.ECL, ft.NPL.Balance)
	return ft
}

// fiveTierView is what the sheet shows.
type fiveTierView struct {
	filterView
	Date civil.Date
	fiveTier
}

// FiveTier answers GET /console/reports/five-tier: the regulator's
// five-tier classification and provision sheet of a closed date (the last
// by default, or a month end): loans, balance, share, provisions (ECL) and
// provision rate by class, the non-performing subtotal and the total,
// then the NPL ratio and provision coverage.
func (c *Console) FiveTier(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	l := s.Locale
	last, err := c.DB.LastClose(ctx)
	if err != nil {
		return nil, err
	}
	if last == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "%s", l.T("overview.no_close"))
	}
	ends, err := c.DB.MonthEnds(ctx)
	if err != nil {
		return nil, err
	}
	var dates []string
	if !slices.Contains(ends, last) {
		dates = append(dates, last.String())
	}
	for i := len(ends) - 1; i >= 0; i-- {
		dates = append(dates, ends[i].String())
	}
	d := last
	var bad []string
	if v := strings.TrimSpace(r.URL.Query().Get("month")); v != "" {
		if slices.Contains(dates, v) {
			d = civil.MustParse(v)
		} else {
			bad = append(bad, l.T("fivetier.unknown_date", inputtext.Clip(v, 20), strings.Join(dates, "、")))
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
	choices.Months, choices.Month, choices.Period = dates, d.String(), "fivetier.f_date"
	v := fiveTierView{filterView: filterView{Filter: f, Choices: choices}, Date: d, fiveTier: fiveTierOf(filtered(at, f).Portfolio)}
	p := &Page{Name: "fivetier", Title: "fivetier.title", Data: v, Tables: []*Table{fiveTierTable(l, v.fiveTier), fiveTierRatios(l, v.fiveTier)}}
	if len(bad) > 0 {
		p.Error, p.Status = strings.Join(bad, " "), http.StatusUnprocessableEntity
	}
	return p, nil
}

func fiveTierTable(l *Locale, ft fiveTier) *Table {
	t := &Table{ID: "five-tier", Title: l.T("fivetier.sheet"), Columns: []Column{{Label: l.T("fivetier.col_item")}, {Label: l.T("col.loans"), Num: true},
		{Label: l.T("fivetier.col_balance"), Num: true}, {Label: l.T("col.share"), Num: true}, {Label: l.T("fivetier.col_provision"), Num: true}, {Label: l.T("fivetier.col_rate"), Num: true}}}
	row := func(name string, x tierLine, class string) {
		cells := []Cell{TextCell(name), IntCell(l, x.Loans), MoneyCell(l, x.Balance), PctCell(l, x.Share), MoneyCell(l, x.ECL), PctCell(l, x.Provision)}
		cells[0].Class = class
		t.Rows = append(t.Rows, cells)
	}
	for i, x := range ft.Classes {
		row(className(l, classification.Class(i+1)), x, "")
	}
	row(l.T("fivetier.npl"), ft.NPL, "bad")
	row(l.T("fivetier.total"), ft.Total, "total")
	return t
}

func fiveTierRatios(l *Locale, ft fiveTier) *Table {
	return &Table{ID: "ratios", Title: l.T("fivetier.ratios"), Columns: []Column{{Label: l.T("fivetier.col_item")}, {Label: l.T("fivetier.col_value"), Num: true}},
		Rows: [][]Cell{{TextCell(l.T("kpi.npl_ratio")), PctCell(l, ft.NPLRatio)}, {TextCell(l.T("kpi.coverage")), PctCell(l, ft.Coverage)}}}
}
