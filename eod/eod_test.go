package eod_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
)

func amt(s string) money.Amount { return money.MustParseAmount(s) }

func TestECLByHand(t *testing.T) {
	lgd := money.MustParseRate("0.45")
	tests := []struct {
		name string
		snap loanstate.Snapshot
		want money.Amount
	}{
		// 100,000.00 × 1.5 % × 45 % = 675.00
		{"stage 1", loanstate.Snapshot{Status: servicing.StatusActive, PrincipalOutstanding: amt("100000"), Stage: 1}, amt("675")},
		// 33,333.33 × 25 % × 45 % = 3,749.999… → 3,750.00
		{"stage 2 M1", loanstate.Snapshot{Status: servicing.StatusActive, PrincipalOutstanding: amt("33333.33"), Stage: 2, Bucket: servicing.M1}, amt("3750")},
		// 10,000.00 × 100 % × 45 % = 4,500.00
		{"stage 3", loanstate.Snapshot{Status: servicing.StatusActive, PrincipalOutstanding: amt("10000"), Stage: 3, Bucket: servicing.M4}, amt("4500")},
		{"settled", loanstate.Snapshot{Status: servicing.StatusSettled, Stage: 1}, 0},
		{"written off", loanstate.Snapshot{Status: servicing.StatusWrittenOff, Stage: 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eod.ECL(&tt.snap, lgd); got != tt.want {
				t.Errorf("ECL = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFlowStateRoundTrip(t *testing.T) {
	for f := eod.FlowNone; f <= eod.FlowWrittenOff; f++ {
		if g, ok := eod.ParseFlowState(f.String()); !ok || g != f {
			t.Errorf("ParseFlowState(%q) = %v, %v", f.String(), g, ok)
		}
	}
}

// A loan current at the end of March that is in M1 on 10 April moves from
// the M0 diagonal of April's roll matrix to M0→M1, from the M0/normal
// portfolio cell to M1/special mention, and from normal→normal to
// normal→special mention in the five-tier migration.
func TestMoveAcrossMonths(t *testing.T) {
	l := servicing.Loan{ID: 7, Product: "CONSUMER", Branch: "BJ01", Principal: amt("12000"), Disbursed: civil.MustParse("2026-01-10")}
	lgd := money.MustParseRate("0.45")
	march := loanstate.Snapshot{LoanID: 7, AsOf: civil.MustParse("2026-03-20"), Status: servicing.StatusActive, PrincipalOutstanding: amt("10000"), Class: classification.Normal, Stage: 1}
	old := eod.NewRecord(&l, &march, lgd, nil)
	if old.From != eod.FlowNone {
		t.Fatalf("a first record has no month-start state, got %v", old.From)
	}
	april := loanstate.Snapshot{LoanID: 7, AsOf: civil.MustParse("2026-04-10"), Status: servicing.StatusActive, PrincipalOutstanding: amt("10000"),
		OverduePrincipal: amt("900"), OverdueInterest: amt("100"), DPD: 5, MaxDPD: 5, Bucket: servicing.M1, Class: classification.SpecialMention, Stage: 2}
	cur := eod.NewRecord(&l, &april, lgd, &old)
	if cur.From != eod.FlowState(servicing.M0) || cur.FromBalance != amt("10000") || cur.FromMonth != april.AsOf.MonthIndex() {
		t.Fatalf("month-start state %v %v %d, want M0 10000.00 April", cur.From, cur.FromBalance, cur.FromMonth)
	}
	// The day before: March-end portfolio rolled over into April's opening diagonal.
	a := eod.NewAggregates()
	a.Add(&old, 1)
	a.Roll = eod.RollOver(a.Portfolio)
	a.Migration = eod.MigrationOver(a.Portfolio)
	inApril := old.InMonth(april.AsOf.MonthIndex())
	a.Move(&inApril, &cur)
	a.Prune()
	want := eod.NewAggregates()
	want.Portfolio[eod.PortfolioKey{Product: "CONSUMER", Branch: "BJ01", Status: servicing.StatusActive, Bucket: servicing.M1, Class: classification.SpecialMention, Stage: 2}] =
		eod.PortfolioCell{Loans: 1, Outstanding: amt("10000"), Overdue: amt("1000"), ECL: amt("1125")} // 10,000 × 25 % × 45 %
	want.Roll[eod.RollKey{Product: "CONSUMER", From: eod.FlowState(servicing.M0), To: eod.FlowState(servicing.M1)}] = eod.RollCell{Loans: 1, FromBalance: amt("10000"), ToBalance: amt("10000")}
	want.Vintage[eod.VintageKey{Product: "CONSUMER", Vintage: l.Disbursed.MonthIndex()}] = eod.VintageCell{Loans: 1, Principal: amt("12000"), Outstanding: amt("10000")}
	// and from the normal diagonal of the five-tier migration to normal → special mention.
	want.Migration[eod.MigrationKey{Product: "CONSUMER", Branch: "BJ01", From: classification.Normal, To: eod.MigrationState(classification.SpecialMention)}] = eod.RollCell{Loans: 1, FromBalance: amt("10000"), ToBalance: amt("10000")}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("aggregates (-want +got):\n%s", diff)
	}
	// Moving back restores the opening state exactly.
	a.Move(&cur, &inApril)
	a.Prune()
	if len(a.Roll) != 1 || a.Roll[eod.RollKey{Product: "CONSUMER", From: 0, To: 0}].Loans != 1 {
		t.Errorf("roll after moving back: %+v", a.Roll)
	}
}

func TestVintageCounts(t *testing.T) {
	a := eod.NewAggregates()
	base := eod.Record{Product: "SME", Vintage: 24300, Principal: amt("100"), Status: servicing.StatusActive, Stage: 1, Class: 1}
	recs := []eod.Record{base, base, base, base}
	recs[1].MaxDPD, recs[1].DPD, recs[1].Outstanding = 45, 45, amt("80") // ever and now 30+
	recs[2].MaxDPD, recs[2].DPD, recs[2].Outstanding = 120, 0, amt("60") // cured: ever 30+ and 90+, now current
	recs[3].MaxDPD, recs[3].DPD, recs[3].Status = 200, 200, servicing.StatusWrittenOff
	for i := range recs {
		a.Add(&recs[i], 1)
	}
	got := a.Vintage[eod.VintageKey{Product: "SME", Vintage: 24300}]
	want := eod.VintageCell{Loans: 4, Principal: amt("400"), Outstanding: amt("140"), Ever30: 3, Ever30Principal: amt("300"), Ever90: 2, Ever90Principal: amt("200"),
		Cur30: 2, Cur30Balance: amt("80"), Cur90: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("vintage (-want +got):\n%s", diff)
	}
}
