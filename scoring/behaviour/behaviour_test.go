package behaviour_test

import (
	"testing"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
	"daihou/scoring/behaviour"
	"daihou/servicing"
)

func day(s string) civil.Date { return civil.MustParse(s) }

// The loan of servicing's hand-checked tests: 3,000.00 equal-principal over
// 3 months from 2027-12-15, nothing paid. As of 2028-03-01 its months have
// maximum DPD 0, 16, 45, 46 (December … March).
func loan() (servicing.Product, servicing.Loan) {
	p := servicing.DefaultProduct("T")
	p.Method = schedule.EqualPrincipal
	return p, servicing.Loan{ID: 1, Product: "T", Principal: money.MustParseAmount("3000"), Rate: money.MustParseRate("0.12"),
		Term: 3, Method: schedule.EqualPrincipal, Disbursed: day("2027-12-15"), Region: "北京"}
}

func TestRowHandChecked(t *testing.T) {
	p, l := loan()
	s := servicing.Replay(p, l, nil, day("2028-03-01"))
	row := behaviour.Row(l, &s)
	if len(row) != len(behaviour.Names) {
		t.Fatalf("%d values for %d names", len(row), len(behaviour.Names))
	}
	got := map[string]string{}
	for i, n := range behaviour.Names {
		got[n] = row[i]
	}
	want := map[string]string{
		"months_on_book":          "3",
		"rate_pct":                "12.0000",
		"utilisation":             "1.0000", // nothing repaid
		"paid_due_ratio":          "0.0000", // 2,050.00 due, nothing paid
		"dpd":                     "46",
		"max_dpd_3m":              "46", // January … March
		"max_dpd_12m":             "46",
		"times_30p_12m":           "2", // February 45, March 46
		"times_60p_12m":           "0",
		"months_since_delinquent": "0",
		"restructured":            "0",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestTarget(t *testing.T) {
	p, l := loan()
	obs := day("2028-01-31") // DPD 16: eligible
	at := servicing.Replay(p, l, nil, obs)
	if !behaviour.Eligible(&at) {
		t.Fatal("a loan 16 days late must be in the population")
	}
	// Unpaid, installment 1 passes 90 DPD on 2028-04-14.
	if end := servicing.Replay(p, l, nil, day("2028-04-13")); behaviour.Bad(&end, l.Disbursed, obs) {
		t.Error("bad before reaching 90 DPD")
	}
	if end := servicing.Replay(p, l, nil, day("2028-04-14")); !behaviour.Bad(&end, l.Disbursed, obs) {
		t.Error("not bad on reaching 90 DPD")
	}
	paid := []servicing.Tx{{Seq: 1, Kind: servicing.Repayment, ValueDate: day("2028-02-01"), Amount: money.MustParseAmount("3100"), Reference: "all"}}
	if end := servicing.Replay(p, l, paid, day("2028-07-31")); behaviour.Bad(&end, l.Disbursed, obs) {
		t.Error("a loan paid off after observation is not bad")
	}
}
