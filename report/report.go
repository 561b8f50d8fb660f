package report

import (
	"fmt"
	"sort"

	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
)

// Report holds the headline figures of one business date. Ratios are
// fractions (0.0123 is 1.23 %); money is exact.
type Report struct {
	Date      civil.Date    `json:"date"`
	Portfolio Totals        `json:"portfolio"`
	Products  []ProductLine `json:"products"`
	Buckets   []Line        `json:"buckets"`
	Classes   []Line        `json:"classes"`
	Stages    []StageLine   `json:"stages"`
	// Roll is the roll-rate matrix of the last month closed on or before
	// Date; MonthToDate the flows of Date's month so far.
	Roll        *RollReport   `json:"roll,omitempty"`
	MonthToDate *RollReport   `json:"month_to_date,omitempty"`
	RollTrend   []TrendLine   `json:"roll_trend"`
	Vintages    []VintageLine `json:"vintages"`
}

// Totals are the portfolio's headline figures.
type Totals struct {
	ActiveLoans      int64        `json:"active_loans"`
	Outstanding      money.Amount `json:"outstanding"`
	Overdue          money.Amount `json:"overdue"`
	PastDueBalance   money.Amount `json:"past_due_balance"` // outstanding of loans 1+ DPD
	PastDueRatio     float64      `json:"past_due_ratio"`   // PastDueBalance / Outstanding
	NPLBalance       money.Amount `json:"npl_balance"`      // 次级 + 可疑 + 损失
	NPLRatio         float64      `json:"npl_ratio"`        // 不良贷款率
	ECL              money.Amount `json:"ecl"`
	Coverage         float64      `json:"provision_coverage"` // 拨备覆盖率 = ECL / NPL balance
	SettledLoans     int64        `json:"settled_loans"`
	WrittenOffLoans  int64        `json:"written_off_loans"`
	WrittenOffAmount money.Amount `json:"written_off_amount"`
	Recovered        money.Amount `json:"recovered"`
}

// Line is one row of a breakdown of active loans.
type Line struct {
	Name        string       `json:"name"`
	Loans       int64        `json:"loans"`
	Outstanding money.Amount `json:"outstanding"`
	Share       float64      `json:"share"` // of the outstanding balance
}

// StageLine is one IFRS 9 stage with its expected credit loss.
type StageLine struct {
	Stage       int          `json:"stage"`
	Loans       int64        `json:"loans"`
	Outstanding money.Amount `json:"outstanding"`
	ECL         money.Amount `json:"ecl"`
	ECLRate     float64      `json:"ecl_rate"` // ECL / outstanding
}

// ProductLine is one product's figures.
type ProductLine struct {
	Product     string       `json:"product"`
	Loans       int64        `json:"loans"`
	Outstanding money.Amount `json:"outstanding"`
	NPLRatio    float64      `json:"npl_ratio"`
	ECL         money.Amount `json:"ecl"`
}

// RollReport is a roll-rate matrix summarised by starting bucket.
type RollReport struct {
	Month string     `json:"month"` // YYYY-MM whose flows these are
	AsOf  civil.Date `json:"as_of"` // the month end (or the date, for the month to date)
	Rows  []RollLine `json:"rows"`
}

// RollLine is the fate of the loans in one bucket at the previous month end.
type RollLine struct {
	From        string       `json:"from"`
	Loans       int64        `json:"loans"`
	Balance     money.Amount `json:"balance"`
	Roll        float64      `json:"roll"`         // share one bucket deeper (count)
	RollBalance float64      `json:"roll_balance"` // the same by balance
	// Cure is the share current or settled (count); nil for M0, which
	// has nothing to cure.
	Cure       *float64 `json:"cure"`
	Stay       float64  `json:"stay"` // share in the same bucket (count)
	Settled    float64  `json:"settled"`
	WrittenOff float64  `json:"written_off"`
}

// TrendLine is one month's roll rates by count, M0→M1 … M6→M7+.
type TrendLine struct {
	Month string    `json:"month"`
	Roll  []float64 `json:"roll"`
}

// VintageLine is one disbursement month's ever-30+ curve: the share of its
// loans (by count) that had been more than 30 days past due by each month
// on book, read at month ends; nil where not yet reached.
type VintageLine struct {
	Vintage string       `json:"vintage"`
	Loans   int64        `json:"loans"`
	Amount  money.Amount `json:"principal"`
	Ever30  []*float64   `json:"ever30"`           // by months on book 1, 2, 3 …
	Ever90  []*float64   `json:"ever90,omitempty"` // the same for 90+
}

// MonthName returns YYYY-MM of month index m (civil.Date.MonthIndex).
func MonthName(m int) string { return fmt.Sprintf("%04d-%02d", m/12, m%12+1) }

func share(a, b money.Amount) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Build computes the report of date d from its aggregates and those of
// every month end on record (keyed by date; d itself may be among them).
func Build(d civil.Date, at *eod.Aggregates, monthEnds map[civil.Date]*eod.Aggregates) Report {
	r := Report{Date: d}
	buckets := make([]Line, 8)
	classes := make([]Line, 5)
	stages := make([]StageLine, 3)
	prods := map[string]*ProductLine{}
	var prodNPL = map[string]money.Amount{}
	t := &r.Portfolio
	for k, c := range at.Portfolio {
		switch k.Status {
		case servicing.StatusSettled:
			t.SettledLoans += c.Loans
			continue
		case servicing.StatusWrittenOff:
			t.WrittenOffLoans += c.Loans
			t.WrittenOffAmount += c.WrittenOff
			t.Recovered += c.Recovered
			continue
		}
		t.ActiveLoans += c.Loans
		t.Outstanding += c.Outstanding
		t.Overdue += c.Overdue
		t.ECL += c.ECL
		if k.Bucket > servicing.M0 {
			t.PastDueBalance += c.Outstanding
		}
		if k.Class.NonPerforming() {
			t.NPLBalance += c.Outstanding
			prodNPL[k.Product] += c.Outstanding
		}
		if b := int(k.Bucket); b >= 0 && b < len(buckets) {
			buckets[b].Loans += c.Loans
			buckets[b].Outstanding += c.Outstanding
		}
		if cl := int(k.Class) - 1; cl >= 0 && cl < len(classes) {
			classes[cl].Loans += c.Loans
			classes[cl].Outstanding += c.Outstanding
		}
		if s := k.Stage - 1; s >= 0 && s < len(stages) {
			stages[s].Loans += c.Loans
			stages[s].Outstanding += c.Outstanding
			stages[s].ECL += c.ECL
		}
		p := prods[k.Product]
		if p == nil {
			p = &ProductLine{Product: k.Product}
			prods[k.Product] = p
		}
		p.Loans += c.Loans
		p.Outstanding += c.Outstanding
		p.ECL += c.ECL
	}
	t.NPLRatio = share(t.NPLBalance, t.Outstanding)
	t.PastDueRatio = share(t.PastDueBalance, t.Outstanding)
	t.Coverage = share(t.ECL, t.NPLBalance)
	for i := range buckets {
		buckets[i].Name = servicing.Bucket(i).String()
		buckets[i].Share = share(buckets[i].Outstanding, t.Outstanding)
	}
	for i := range classes {
		c := classification.Class(i + 1)
		classes[i].Name = c.Chinese() + " " + c.String()
		classes[i].Share = share(classes[i].Outstanding, t.Outstanding)
	}
	for i := range stages {
		stages[i].Stage = i + 1
		stages[i].ECLRate = share(stages[i].ECL, stages[i].Outstanding)
	}
	r.Buckets, r.Classes, r.Stages = buckets, classes, stages
	for _, p := range prods {
		p.NPLRatio = share(prodNPL[p.Product], p.Outstanding)
		r.Products = append(r.Products, *p)
	}
	sort.Slice(r.Products, func(i, j int) bool { return r.Products[i].Product < r.Products[j].Product })

	dates := make([]civil.Date, 0, len(monthEnds))
	for md := range monthEnds {
		if !md.After(d) && isMonthEnd(md) {
			dates = append(dates, md)
		}
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i] < dates[j] })
	if n := len(dates); n > 0 {
		last := dates[n-1]
		r.Roll = rollReport(monthEnds[last].Roll, last)
		for _, md := range dates[max(0, n-12):] {
			m := NewMatrix(monthEnds[md].Roll, "")
			if n, _ := m.Row(0); n == 0 {
				continue
			}
			line := TrendLine{Month: MonthName(md.MonthIndex())}
			for k := eod.FlowState(0); k < 7; k++ {
				line.Roll = append(line.Roll, m.RollForward(false, k))
			}
			r.RollTrend = append(r.RollTrend, line)
		}
	}
	if !isMonthEnd(d) {
		r.MonthToDate = rollReport(at.Roll, d)
	}
	r.Vintages = vintages(d, at, monthEnds, dates)
	return r
}

func isMonthEnd(d civil.Date) bool { return d.AddDays(1).Day() == 1 }

func rollReport(cells map[eod.RollKey]eod.RollCell, d civil.Date) *RollReport {
	m := NewMatrix(cells, "")
	rr := &RollReport{Month: MonthName(d.MonthIndex()), AsOf: d}
	for k := eod.FlowState(0); k < 8; k++ {
		n, b := m.Row(k)
		if n == 0 {
			continue
		}
		line := RollLine{From: k.String(), Loans: n, Balance: b,
			Roll: m.RollForward(false, k), RollBalance: m.RollForward(true, k),
			Stay: m.Rate(false, k, k), Settled: m.Rate(false, k, eod.FlowSettled), WrittenOff: m.Rate(false, k, eod.FlowWrittenOff)}
		if k > 0 {
			c := m.Cure(false, k)
			line.Cure = &c
		}
		rr.Rows = append(rr.Rows, line)
	}
	return rr
}

// vintages returns the ever-30+ (and 90+) curves of the disbursement months
// on the book at d, newest first, at most 12.
func vintages(d civil.Date, at *eod.Aggregates, monthEnds map[civil.Date]*eod.Aggregates, dates []civil.Date) []VintageLine {
	type total struct {
		loans  int64
		amount money.Amount
	}
	cohorts := map[int]total{}
	for k, c := range at.Vintage {
		t := cohorts[k.Vintage]
		t.loans += c.Loans
		t.amount += c.Principal
		cohorts[k.Vintage] = t
	}
	var vs []int
	for v := range cohorts {
		vs = append(vs, v)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(vs)))
	if len(vs) > 12 {
		vs = vs[:12]
	}
	var out []VintageLine
	for _, v := range vs {
		line := VintageLine{Vintage: MonthName(v), Loans: cohorts[v].loans, Amount: cohorts[v].amount}
		for _, md := range dates {
			mob := md.MonthIndex() - v
			if mob < 1 {
				continue
			}
			var loans, e30, e90 int64
			for k, c := range monthEnds[md].Vintage {
				if k.Vintage == v {
					loans += c.Loans
					e30 += c.Ever30
					e90 += c.Ever90
				}
			}
			for len(line.Ever30) < mob {
				line.Ever30 = append(line.Ever30, nil)
				line.Ever90 = append(line.Ever90, nil)
			}
			if loans > 0 {
				a, b := float64(e30)/float64(loans), float64(e90)/float64(loans)
				line.Ever30[mob-1], line.Ever90[mob-1] = &a, &b
			}
		}
		out = append(out, line)
	}
	return out
}
