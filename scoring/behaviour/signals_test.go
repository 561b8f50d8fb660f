package behaviour_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/scoring/behaviour"
	"daihou/signal"
)

func TestSignalRow(t *testing.T) {
	allNA := map[string]string{}
	for _, n := range behaviour.SignalNames {
		allNA[n] = "NA"
	}
	// with returns allNA with the given features set.
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range allNA {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	// Court, utility, tax and business lists read 0 for a borrower some
	// source reported on; every other source's features stay missing.
	lists := []string{"court_cases", "0", "court_new_3m", "0", "dishonest", "0", "utility_arrears_k", "0.00", "tax_arrears_k", "0.00", "business_anomaly", "0"}
	tests := []struct {
		name  string
		facts *signal.Facts
		want  map[string]string
	}{
		{"nil facts", nil, allNA},
		{"nothing reported", &signal.Facts{}, allNA},
		{"bureau only", &signal.Facts{Any: true, BureauKnown: true, Inquiries1M: 1, Inquiries3M: 3, Inquiries6M: 5, OpenLoans: 4, BalanceElsewhere: 12_345_678, OverdueElsewhere: 50_000},
			with(append(lists, "inquiries_1m", "1", "inquiries_3m", "3", "inquiries_6m", "5", "open_loans_elsewhere", "4", "balance_elsewhere_k", "123.46", "overdue_elsewhere_k", "0.50")...)},
		{"bureau with a zero among its facts", &signal.Facts{Any: true, BureauKnown: true, OpenLoans: 2},
			with(append(lists, "inquiries_1m", "0", "inquiries_3m", "0", "inquiries_6m", "0", "open_loans_elsewhere", "2", "balance_elsewhere_k", "0.00", "overdue_elsewhere_k", "0.00")...)},
		{"social paying", &signal.Facts{Any: true, SocialKnown: true, SocialBase: 800_000},
			with(append(lists, "social_gap_months", "0")...)},
		{"social stopped, listed in court", &signal.Facts{Any: true, SocialKnown: true, SocialGap: 3, CourtCases: 2, CourtNew3M: 1, Dishonest: true},
			with(append(lists, "social_gap_months", "3", "court_cases", "2", "court_new_3m", "1", "dishonest", "1")...)},
		{"statements, inflow halved", &signal.Facts{Any: true, StatementKnown: true, Inflow3M: 1_000_000, InflowPrev3M: 2_000_000, SalaryMonths: 4},
			with(append(lists, "inflow_drop_pct", "50", "salary_months_6m", "4")...)},
		{"statements, nothing earlier to compare", &signal.Facts{Any: true, StatementKnown: true, Inflow3M: 1_000_000},
			with(append(lists, "inflow_drop_pct", "NA", "salary_months_6m", "0")...)},
		{"arrears and anomaly", &signal.Facts{Any: true, Arrears: 35_000, TaxArrears: 1_000_000, BusinessAnomaly: true},
			with(append(lists, "utility_arrears_k", "0.35", "tax_arrears_k", "10.00", "business_anomaly", "1")...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := behaviour.SignalRow(tt.facts)
			if len(row) != len(behaviour.SignalNames) {
				t.Fatalf("%d values for %d names", len(row), len(behaviour.SignalNames))
			}
			got := map[string]string{}
			for i, n := range behaviour.SignalNames {
				got[n] = row[i]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

// The facts a row is built from are those signal.Summarise gives as of the
// observation date: a signal stored after it is not in them.
func TestSignalRowFromSummarise(t *testing.T) {
	asOf := day("2028-03-31")
	sigs := []signal.Signal{
		{Borrower: 7, Kind: signal.OpenLoans, Date: day("2028-01-10"), Known: day("2028-01-11"), Value: 3},
		{Borrower: 7, Kind: signal.Dishonest, Date: day("2028-03-01"), Known: day("2028-04-02"), Value: 1}, // known too late
		{Borrower: 7, Kind: signal.SocialPaid, Date: day("2028-02-01"), Known: day("2028-02-05"), Value: 500_000},
		{Borrower: 7, Kind: signal.SocialPaid, Date: day("2028-03-01"), Known: day("2028-03-05"), Value: 0},
	}
	f := signal.Summarise(sigs, asOf)
	row := behaviour.SignalRow(&f)
	got := map[string]string{}
	for i, n := range behaviour.SignalNames {
		got[n] = row[i]
	}
	for k, want := range map[string]string{"open_loans_elsewhere": "3", "dishonest": "0", "social_gap_months": "1", "salary_months_6m": "NA"} {
		if got[k] != want {
			t.Errorf("%s as of %v = %q, want %q", k, asOf, got[k], want)
		}
	}
	later := signal.Summarise(sigs, civil.MustParse("2028-04-02"))
	if got := behaviour.SignalRow(&later)[slices.Index(behaviour.SignalNames, "dishonest")]; got != "1" {
		t.Errorf("dishonest once known = %q, want 1", got)
	}
}

func TestAllNames(t *testing.T) {
	if got, want := len(behaviour.AllNames), len(behaviour.Names)+len(behaviour.SignalNames); got != want {
		t.Fatalf("%d names, want %d", got, want)
	}
	seen := map[string]bool{}
	for i, n := range behaviour.AllNames {
		if seen[n] {
			t.Errorf("%s twice", n)
		}
		seen[n] = true
		if i < len(behaviour.Names) && n != behaviour.Names[i] {
			t.Errorf("AllNames[%d] = %s, want Names first (%s)", i, n, behaviour.Names[i])
		}
	}
}
