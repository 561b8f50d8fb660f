package warning_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/warning"
)

func d(s string) civil.Date { return civil.MustParse(s) }

func TestMilestonesOf(t *testing.T) {
	asOf := d("2026-06-30")
	for _, tt := range []struct {
		name    string
		st      servicing.State
		classes []loanstate.ClassChange
		want    warning.Milestones
	}{
		{
			name: "never restructured: the first installment paid 10 days late, the second never",
			st: servicing.State{AsOf: asOf, Installments: []servicing.InstallmentState{
				{N: 1, DueDate: d("2026-01-10"), PaidOn: d("2026-01-20")},
				{N: 2, DueDate: d("2026-02-10")},
				{N: 3, DueDate: d("2026-03-10")},
			}},
			// 02-10 + 30 = 03-12; 02-10 + 90 = 05-11.
			want: warning.Milestones{DPD30: d("2026-03-12"), DPD90: d("2026-05-11")},
		},
		{
			name: "paid on day 40: 30+ from the first installment, 90+ from the second",
			st: servicing.State{AsOf: asOf, Installments: []servicing.InstallmentState{
				{N: 1, DueDate: d("2026-01-10"), PaidOn: d("2026-02-19")},
				{N: 2, DueDate: d("2026-02-10")},
			}},
			// 01-10 + 30 = 02-09, still unpaid at its end (paid 02-19).
			want: warning.Milestones{DPD30: d("2026-02-09"), DPD90: d("2026-05-11")},
		},
		{
			name: "paid on day 30 exactly: never 30+ at the end of a day",
			st: servicing.State{AsOf: asOf, Installments: []servicing.InstallmentState{
				{N: 1, DueDate: d("2026-01-10"), PaidOn: d("2026-02-09")},
			}},
		},
		{
			name: "restructured on 03-01 before 30+: the contract's installments count to then, the spells after",
			st: servicing.State{AsOf: asOf, Restructured: true,
				Restructurings: []servicing.Restructuring{{Date: d("2026-03-01"), FirstDue: d("2026-04-01")}},
				Installments: []servicing.InstallmentState{
					{N: 1, DueDate: d("2026-02-10"), Closed: true}, // carried unpaid: 19 days past due at most
					{N: 2, DueDate: d("2026-03-10"), Closed: true},
					{N: 3, DueDate: d("2026-04-01")},
				},
				Delinquency: []servicing.DelinquencySpell{{From: d("2026-04-02"), To: asOf, Since: d("2026-04-01")}},
			},
			// 04-01 + 30 = 05-01; 04-01 + 90 = 06-30, the last day known.
			want: warning.Milestones{DPD30: d("2026-05-01"), DPD90: d("2026-06-30")},
		},
		{
			name: "30+ before the restructuring, from the contract's installment",
			st: servicing.State{AsOf: asOf, Restructured: true,
				Restructurings: []servicing.Restructuring{{Date: d("2026-03-20"), FirstDue: d("2026-04-20")}},
				Installments: []servicing.InstallmentState{
					{N: 1, DueDate: d("2026-02-10"), Closed: true},
					{N: 2, DueDate: d("2026-04-20"), PaidOn: d("2026-04-20")},
				},
			},
			want: warning.Milestones{DPD30: d("2026-03-12")},
		},
		{
			name: "written off: DPD counts on from the oldest unpaid installment",
			st: servicing.State{AsOf: asOf, Status: servicing.StatusWrittenOff, DPD: 120, OldestUnpaidDue: d("2026-03-02"),
				Installments: []servicing.InstallmentState{{N: 1, DueDate: d("2026-03-02")}}},
			want: warning.Milestones{DPD30: d("2026-04-01"), DPD90: d("2026-05-31")},
		},
		{
			name: "the class: the first change to 次级 or worse",
			st:   servicing.State{AsOf: asOf},
			classes: []loanstate.ClassChange{
				{AsOf: d("2026-06-01"), From: classification.Substandard, To: classification.Doubtful},
				{AsOf: d("2026-04-01"), From: classification.Normal, To: classification.SpecialMention},
				{AsOf: d("2026-05-20"), From: classification.SpecialMention, To: classification.Substandard},
			},
			want: warning.Milestones{Substandard: d("2026-05-20")},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, warning.MilestonesOf(&tt.st, tt.classes)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Judge on a case small enough to count by hand. The window is the first
// quarter of 2026, outcomes known by 06-30.
func TestJudge(t *testing.T) {
	from, to, asOf := d("2026-01-01"), d("2026-03-31"), d("2026-06-30")
	w := func(loan int64, rule, raised string) warning.Warning {
		return warning.Warning{LoanID: loan, Rule: rule, Raised: d(raised), State: warning.Raised}
	}
	warnings := []warning.Warning{
		w(1, "a", "2026-01-10"),
		w(2, "a", "2026-02-01"),
		w(2, "b", "2026-02-05"),
		w(4, "b", "2026-03-20"),
		w(5, "a", "2025-12-01"), // before the window: counts for earliness only
		w(5, "a", "2026-03-25"),
		w(6, "a", "2026-03-31"),
		w(8, "b", "2025-11-01"),
	}
	ms := map[int64]warning.Milestones{
		1: {DPD30: d("2026-02-15"), DPD90: d("2026-04-20"), Substandard: d("2026-04-21")}, // 90+ after the window
		2: {DPD30: d("2026-01-20"), DPD90: d("2026-03-15"), Substandard: d("2026-03-16")}, // 30+ before its warnings
		3: {DPD30: d("2026-01-30"), DPD90: d("2026-03-01"), Substandard: d("2026-03-02")}, // never warned
		4: {},
		5: {DPD30: d("2026-04-10"), DPD90: d("2026-07-10")}, // 90+ after asOf: not yet known
		6: {DPD30: d("2026-06-29")},                         // the 90th day after its warning
		8: {DPD90: d("2026-01-15")},
	}
	got := warning.Judge(warnings, ms, from, to, asOf)
	want := warning.Report{From: from, To: to, AsOf: asOf,
		// In the window: 1a, 2a, 2b, 4b, 5a (03-25), 6a: 6 warnings on loans 1, 2, 4, 5, 6.
		// 90+ in the window: 2 (03-15), 3 (03-01), 8 (01-15). Warned by
		// milestone − 30: 2 (02-01 ≤ 02-13), 8 (2025-11-01 ≤ 2025-12-16);
		// 3 never. 2/3.
		// 次级 in the window: 2 (03-16), 3 (03-02); 2 early (02-01 ≤ 02-14). 1/2.
		// Hit rates, first warning in the window, 90 days seen by 06-30
		// (all of them: the last, 6 on 03-31, has 06-29):
		//   30+: 1 (02-15 in (01-10, 04-10]) hit; 2 already 30+ (01-20 ≤
		//   02-01) left out; 4 none; 5 (04-10 ≤ 06-23) hit; 6 (06-29 ≤
		//   06-29) hit. 3/4.
		//   90+: 1 (04-20 > 04-10) no; 2 (03-15) hit; 4 no; 5 (07-10 after
		//   asOf, unknown) no; 6 no. 1/5.
		Set: warning.Stat{Warnings: 6, Loans: 5, Early90: warning.Ratio{Num: 2, Den: 3}, EarlyNPL: warning.Ratio{Num: 1, Den: 2},
			Hit30: warning.Ratio{Num: 3, Den: 4}, Hit90: warning.Ratio{Num: 1, Den: 5}},
		Rules: []warning.Stat{
			// a: 1, 2, 5, 6. Early 90+: only 2 of 2, 3, 8. 次级: 2 of 2, 3.
			// 30+: 1, 5, 6 hit, 2 left out: 3/3. 90+: 2 of 1, 2, 5, 6: 1/4.
			{Rule: "a", Warnings: 4, Loans: 4, Early90: warning.Ratio{Num: 1, Den: 3}, EarlyNPL: warning.Ratio{Num: 1, Den: 2},
				Hit30: warning.Ratio{Num: 3, Den: 3}, Hit90: warning.Ratio{Num: 1, Den: 4}},
			// b: 2, 4. Early 90+: 2 (02-05 ≤ 02-13) and 8: 2/3. 次级: 2 (02-05 ≤
			// 02-14): 1/2. 30+: 2 left out, 4 no: 0/1. 90+: 2 hit, 4 no: 1/2.
			{Rule: "b", Warnings: 2, Loans: 2, Early90: warning.Ratio{Num: 2, Den: 3}, EarlyNPL: warning.Ratio{Num: 1, Den: 2},
				Hit30: warning.Ratio{Num: 0, Den: 1}, Hit90: warning.Ratio{Num: 1, Den: 2}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// An outcome not yet known leaves the loan out of the hit rate: judged
	// on 05-01, loan 6's 90 days (to 06-29) have not passed, nor 4's or 5's.
	early := warning.Judge(warnings, ms, from, to, d("2026-05-01"))
	if early.Set.Hit30 != (warning.Ratio{Num: 1, Den: 1}) {
		t.Errorf("judged on 05-01: hit30 %v, want 1/1 (loan 1 only)", early.Set.Hit30)
	}
	if got := (warning.Ratio{Num: 1, Den: 4}).String(); got != "1/4 (25.0%)" {
		t.Errorf("Ratio.String %q", got)
	}
}

func TestRandomKeepsVolume(t *testing.T) {
	var ws []warning.Warning
	for i, day := range []string{"2026-01-01", "2026-01-01", "2026-01-01", "2026-01-02", "2026-01-05", "2026-01-05"} {
		rule := "a"
		if i == 2 {
			rule = "b"
		}
		ws = append(ws, warning.Warning{ID: int64(i + 1), LoanID: int64(100 + i), Rule: rule, Raised: d(day), Severity: warning.Red})
	}
	loans := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	got := warning.Random(ws, loans, 42)
	count := func(ws []warning.Warning) map[string]int {
		m := map[string]int{}
		for _, w := range ws {
			m[w.Raised.String()+"/"+w.Rule]++
		}
		return m
	}
	if diff := cmp.Diff(count(ws), count(got)); diff != "" {
		t.Errorf("warnings per date and rule (-want +got):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, w := range got {
		if !slices.Contains(loans, w.LoanID) {
			t.Errorf("loan %d is not one of the loans", w.LoanID)
		}
		k := w.Raised.String() + "/" + w.Rule + "/" + string(rune(w.LoanID))
		if seen[k] {
			t.Errorf("loan %d twice on %v for %s", w.LoanID, w.Raised, w.Rule)
		}
		seen[k] = true
		if w.Severity != warning.Red {
			t.Error("the rest of the warning is kept")
		}
	}
	if again := warning.Random(ws, loans, 42); !cmp.Equal(got, again) {
		t.Error("the same seed drew differently")
	}
	if other := warning.Random(ws, loans, 43); cmp.Equal(got, other) {
		t.Error("another seed drew the same")
	}
	if got := warning.Random(ws, nil, 1); got != nil {
		t.Errorf("no loans: %v", got)
	}
}
