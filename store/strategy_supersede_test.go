package store_test

import (
	"strings"
	"testing"

	"daihou/collection"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// A strategy's repeated action makes a new attempt on each occurrence, and
// the new one takes the place of the one nobody got to: night after night
// of calls every other day leaves one open call a loan, the earlier ones
// closed as superseded — while a call somebody did stays as they left it.
func TestRepeatedCallsSupersedeTheUnworkedOne(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 3)
		as := storetest.Users(t, db, "col=collector", "risk=risk-officer", "mgr=manager")
		if err := db.Assign(as["mgr"], ids[0], "col", store.AssignCollection); err != nil {
			t.Fatal(err)
		}
		if err := db.PutCollector(as["admin"], store.Collector{Name: "col", Capacity: 0}); err != nil {
			t.Fatal(err)
		}
		calls := collection.Strategy{Code: "calls", Name: "Calls", Champion: []collection.Segment{{Name: "all", When: "true",
			Actions: []collection.Action{{Day: 1, Every: 2, Until: 30, Kind: collection.Call}}}}}
		if _, err := db.PutStrategy(as["risk"], calls); err != nil {
			t.Fatal(err)
		}
		// The installment of 2026-02-10 is not paid: 1 to 10 days past due.
		for d := day("2026-02-01"); !d.After(day("2026-02-20")); d = d.AddDays(1) {
			closeThrough(t, db, d)
			if d == day("2026-02-14") {
				// col works the first loan's call of the day: done.
				open, err := db.Tasks(as["risk"], store.TaskFilter{Kind: "call", State: "open", Loan: ids[0]})
				if err != nil || len(open) != 1 {
					t.Fatalf("the first loan's open calls on %v: %+v %v", d, open, err)
				}
				if _, err := db.RecordOutcome(as["col"], open[0].ID, store.Outcome{Outcome: collection.Refused, Recording: "REC"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for k, id := range ids {
			all, err := db.Tasks(as["risk"], store.TaskFilter{Kind: "call", Loan: id, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			// Days past due 1, 3, 5, 7 and 9: five attempts.
			var open, superseded, done int
			for _, tk := range all {
				switch {
				case tk.Active():
					open++
				case tk.State == collection.Closed && strings.Contains(tk.Note, "superseded by the attempt of"):
					superseded++
				case tk.State == collection.TaskDone:
					done++
				}
			}
			want := [3]int{1, 4, 0}
			if k == 0 {
				want = [3]int{1, 3, 1}
			}
			if got := [3]int{open, superseded, done}; len(all) != 5 || got != want {
				t.Errorf("loan %d: %d calls, %d open, %d superseded, %d done; want 5: %v", id, len(all), open, superseded, done, want)
			}
		}
		storetest.CheckCache(t, db)
	})
}
