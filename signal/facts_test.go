package signal

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
)

var day = civil.MustParse

// One borrower's history, summarised by hand on 2026-06-30.
func TestSummarise(t *testing.T) {
	s := func(k Kind, date string, v int64) Signal {
		return Signal{Borrower: 7, Kind: k, Date: day(date), Known: day(date), Value: v}
	}
	sigs := []Signal{
		s(Inquiries, "2026-01-01", 4), // the 181st day counting back from 2026-06-30: in no window
		s(Inquiries, "2026-01-02", 2), // the 180th: in 6 months
		s(Inquiries, "2026-04-02", 3), // 89 days before: 3 and 6 months
		s(Inquiries, "2026-06-01", 1), // 29 days before: all three
		s(OpenLoans, "2026-05-31", 3), // latest wins
		s(OpenLoans, "2026-06-30", 5),
		s(CourtCase, "2026-02-01", 1),  // filed 149 days before: open, not new
		s(CourtCase, "2026-05-01", 1),  // filed within 3 months
		s(CourtCase, "2026-06-10", -1), // one closed
		s(Dishonest, "2026-05-01", 1),
		s(SocialPaid, "2026-03-31", 800_000),
		s(SocialPaid, "2026-04-30", 0),
		s(SocialPaid, "2026-05-31", 0),     // two months unpaid since the last paid
		s(Inflow, "2026-02-15", 1_000_000), // previous 3 months
		s(Salary, "2026-02-15", 900_000),
		s(Inflow, "2026-05-15", 400_000), // last 3 months
		s(Salary, "2026-01-15", 900_000), // 5 months back: in the 6
		s(Salary, "2025-12-15", 900_000), // 6 months back: out
		s(Spend, "2026-06-30", 12_300),
		s(CustomKind("app_logins"), "2026-06-20", 3),
	}
	// A signal known after the date is not seen, nor one dated after it.
	late := s(Mismatch, "2026-06-29", 1)
	late.Known = day("2026-07-01")
	sigs = append(sigs, late, s(Deceased, "2026-07-02", 1))
	got := Summarise(sigs, day("2026-06-30"))
	want := Facts{Any: true, BureauKnown: true,
		Inquiries1M: 1, Inquiries3M: 4, Inquiries6M: 6, OpenLoans: 5,
		CourtCases: 1, CourtNew3M: 1, Dishonest: true,
		SocialGap: 2, SocialBase: 800_000, SocialKnown: true,
		Inflow3M: 400_000, InflowPrev3M: 1_000_000, SalaryMonths: 2, StatementKnown: true,
		Spend3M: 12_300, Custom: map[string]int64{"app_logins": 3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if d := got.InflowDrop(); d != 60 {
		t.Errorf("inflow drop %d%%, want 60%%", d)
	}
	// The next change: the late mismatch becomes known, and the
	// 2026-01-02 inquiry leaves the 6-month window, on 2026-07-01.
	if got := NextChange(sigs, day("2026-06-30")); got != day("2026-07-01") {
		t.Errorf("next change %v, want 2026-07-01 (the late mismatch becomes known)", got)
	}
	if got := NextChange(sigs[:4], day("2026-06-30")); got != day("2026-07-01") {
		t.Errorf("next change of the inquiries %v, want 2026-07-01 (2026-01-02 leaves 6 months)", got)
	}
}

// NextChange is exact: between two consecutive dates it returns, Summarise
// does not change, and on the date it returns something may.
func TestNextChangeBoundsChanges(t *testing.T) {
	var sigs []Signal
	for i, k := range []Kind{Inquiries, CourtCase, Inflow, Salary, Spend, Trips, Outflow, SocialPaid} {
		for j := range 3 {
			d := day("2026-01-05").AddDays(i*13 + j*41)
			sigs = append(sigs, Signal{Kind: k, Date: d, Known: d.AddDays(j), Value: int64(1 + i + j)})
		}
	}
	from := day("2025-12-01")
	for d := from; d < day("2027-03-01"); {
		next := NextChange(sigs, d)
		if next == 0 {
			next = day("2027-03-01")
		}
		f := Summarise(sigs, d)
		for e := d.AddDays(1); e < next; e++ {
			if diff := cmp.Diff(f, Summarise(sigs, e)); diff != "" {
				t.Fatalf("facts changed on %v, between %v and its next change %v:\n%s", e, d, next, diff)
			}
		}
		d = next
	}
}
