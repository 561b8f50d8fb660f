package report_test

import (
	"math"
	"testing"

	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/money"
	"daihou/report"
	"daihou/servicing"
)

func amt(s string) money.Amount { return money.MustParseAmount(s) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func portfolio() *eod.Aggregates {
	a := eod.NewAggregates()
	a.Portfolio[eod.PortfolioKey{Product: "CONSUMER", Branch: "BJ01", Status: servicing.StatusActive, Bucket: servicing.M0, Class: classification.Normal, Stage: 1}] = eod.PortfolioCell{Loans: 8, Outstanding: amt("800000"), ECL: amt("7200")}
	a.Portfolio[eod.PortfolioKey{Product: "CONSUMER", Branch: "BJ01", Status: servicing.StatusActive, Bucket: servicing.M1, Class: classification.SpecialMention, Stage: 2}] = eod.PortfolioCell{Loans: 1, Outstanding: amt("50000"), Overdue: amt("5000"), ECL: amt("7500")}
	a.Portfolio[eod.PortfolioKey{Product: "SME", Branch: "SH01", Status: servicing.StatusActive, Bucket: servicing.M4, Class: classification.Substandard, Stage: 3}] = eod.PortfolioCell{Loans: 1, Outstanding: amt("150000"), Overdue: amt("60000"), ECL: amt("67500")}
	a.Portfolio[eod.PortfolioKey{Product: "CONSUMER", Branch: "BJ01", Status: servicing.StatusSettled, Bucket: servicing.M0, Class: classification.Normal, Stage: 1}] = eod.PortfolioCell{Loans: 3}
	a.Portfolio[eod.PortfolioKey{Product: "SME", Branch: "SH01", Status: servicing.StatusWrittenOff, Bucket: servicing.M7, Class: classification.Loss, Stage: 3}] = eod.PortfolioCell{Loans: 1, WrittenOff: amt("20000"), Recovered: amt("2000")}
	return a
}

func TestHeadlineFiguresByHand(t *testing.T) {
	r := report.Build(civil.MustParse("2026-03-15"), portfolio(), nil)
	p := r.Portfolio
	// Active: 10 loans, 1,000,000.00; NPL is the substandard SME loan.
	if p.ActiveLoans != 10 || p.Outstanding != amt("1000000") || p.NPLBalance != amt("150000") || p.PastDueBalance != amt("200000") {
		t.Fatalf("totals %+v", p)
	}
	if !near(p.NPLRatio, 0.15) {
		t.Errorf("NPL ratio %v, want 150,000 / 1,000,000 = 0.15", p.NPLRatio)
	}
	// ECL 7,200 + 7,500 + 67,500 = 82,200; coverage 82,200 / 150,000 = 0.548.
	if p.ECL != amt("82200") || !near(p.Coverage, 0.548) {
		t.Errorf("ECL %v coverage %v, want 82,200.00 and 0.548", p.ECL, p.Coverage)
	}
	if p.SettledLoans != 3 || p.WrittenOffLoans != 1 || p.WrittenOffAmount != amt("20000") || p.Recovered != amt("2000") {
		t.Errorf("settled %d written off %d %v recovered %v", p.SettledLoans, p.WrittenOffLoans, p.WrittenOffAmount, p.Recovered)
	}
	if b := r.Buckets[servicing.M1]; b.Loans != 1 || !near(b.Share, 0.05) {
		t.Errorf("M1 line %+v, want 1 loan, 5 %%", b)
	}
	if c := r.Classes[1]; c.Name != "关注 special-mention" || c.Loans != 1 {
		t.Errorf("class line %+v", c)
	}
	if s := r.Stages[2]; s.ECL != amt("67500") || !near(s.ECLRate, 0.45) {
		t.Errorf("stage 3 %+v, want ECL rate 0.45", s)
	}
	if len(r.Products) != 2 || r.Products[1].Product != "SME" || !near(r.Products[1].NPLRatio, 1) || !near(r.Products[0].NPLRatio, 0) {
		t.Errorf("products %+v", r.Products)
	}
}

func TestRollRatesAndVintagesByHand(t *testing.T) {
	feb := civil.MustParse("2026-02-28")
	jan := civil.MustParse("2026-01-31")
	roll := func(from, to eod.FlowState, n int64) (eod.RollKey, eod.RollCell) {
		return eod.RollKey{Product: "CONSUMER", From: from, To: to}, eod.RollCell{Loans: n, FromBalance: money.Amount(n) * amt("1000"), ToBalance: money.Amount(n) * amt("900")}
	}
	a := eod.NewAggregates()
	for _, c := range []struct {
		from, to eod.FlowState
		n        int64
	}{{0, 0, 90}, {0, 1, 10}, {1, 0, 4}, {1, 1, 2}, {1, 2, 4}, {2, eod.FlowSettled, 1}, {2, 3, 3}} {
		k, v := roll(c.from, c.to, c.n)
		a.Roll[k] = v
	}
	dec := civil.MustParse("2025-12-10").MonthIndex()
	a.Vintage[eod.VintageKey{Product: "CONSUMER", Vintage: dec}] = eod.VintageCell{Loans: 100, Principal: amt("1000000"), Ever30: 5, Ever90: 1}
	j := eod.NewAggregates()
	j.Vintage[eod.VintageKey{Product: "CONSUMER", Vintage: dec}] = eod.VintageCell{Loans: 100, Principal: amt("1000000"), Ever30: 2}
	at := portfolio()
	at.Vintage = a.Vintage
	r := report.Build(civil.MustParse("2026-03-15"), at, map[civil.Date]*eod.Aggregates{feb: a, jan: j})
	if r.Roll == nil || r.Roll.Month != "2026-02" || len(r.Roll.Rows) != 3 {
		t.Fatalf("roll report %+v", r.Roll)
	}
	m1 := r.Roll.Rows[1]
	// M1: 10 loans; 4 rolled to M2, 4 cured, 2 stayed.
	if m1.From != "M1" || m1.Loans != 10 || !near(m1.Roll, 0.4) || m1.Cure == nil || !near(*m1.Cure, 0.4) || !near(m1.Stay, 0.2) || m1.Balance != amt("10000") {
		t.Errorf("M1 row %+v", m1)
	}
	// M2: 4 loans; 3 rolled, 1 settled (a cure).
	if m2 := r.Roll.Rows[2]; !near(m2.Roll, 0.75) || m2.Cure == nil || !near(*m2.Cure, 0.25) || !near(m2.Settled, 0.25) {
		t.Errorf("M2 row %+v", m2)
	}
	if len(r.RollTrend) != 1 || !near(r.RollTrend[0].Roll[0], 0.1) || !near(r.RollTrend[0].Roll[1], 0.4) {
		t.Errorf("trend %+v", r.RollTrend)
	}
	if len(r.Vintages) != 1 {
		t.Fatalf("vintages %+v", r.Vintages)
	}
	v := r.Vintages[0]
	if v.Vintage != "2025-12" || len(v.Ever30) != 2 || !near(*v.Ever30[0], 0.02) || !near(*v.Ever30[1], 0.05) || !near(*v.Ever90[1], 0.01) {
		t.Errorf("vintage %+v", v)
	}
	if r.MonthToDate == nil || r.MonthToDate.Month != "2026-03" {
		t.Errorf("month to date %+v", r.MonthToDate)
	}
}
