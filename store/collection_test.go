package store_test

import (
	"testing"

	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/servicing"
	"daihou/store/storetest"
)

// A SOP put applies to every loan: the next close of business is a full
// one, whatever was asked, and the one after it incremental again.
func TestPlanPutMakesTheNextCloseFull(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 4, "P")
		as := storetest.Users(t, db, "risk=risk-officer")
		run := func(d string) eod.Summary {
			t.Helper()
			sums, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), civil.MustParse(d), false)
			if err != nil || len(sums) == 0 {
				t.Fatalf("close of %s: %v", d, err)
			}
			return sums[len(sums)-1]
		}
		run("2026-01-11")
		if s := run("2026-01-12"); s.Mode != eod.ModeIncremental {
			t.Fatalf("a close with no plan put: %s, want incremental", s.Mode)
		}
		sop := collection.DefaultSOP()
		sop.Inspections.Normal = 1 // every loan, every day: only a full close sees them all at once
		if _, err := db.PutSOP(as["risk"], sop); err != nil {
			t.Fatal(err)
		}
		if s := run("2026-01-13"); s.Mode != eod.ModeFull || s.Touched != 4 || s.Tasks != 4 {
			t.Errorf("the close after a SOP put: %s, %d loans, %d tasks; want full over all 4 loans, an inspection each", s.Mode, s.Touched, s.Tasks)
		}
		if s := run("2026-01-14"); s.Mode != eod.ModeIncremental {
			t.Errorf("the close after that: %s, want incremental again", s.Mode)
		}
	})
}
