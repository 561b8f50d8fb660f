package store_test

import (
	"sync"
	"testing"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
)

// The overview's open tasks due today and late are kept counts, and they
// move with every write that opens or ends a task: close of business
// making tasks, a person's outcome ending one (or leaving it open after no
// answer), two people ending the same task at once (one of them is
// refused, and the task is counted out once), and the next day turning
// today's tasks late. After each, the counts equal a count over the tasks.
func TestTaskCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db, as, day, now := welcomeCalls(t, backend, "col", "col2")
		due := func(what string, f store.DashboardFilter, d civil.Date, today, late int64) {
			t.Helper()
			gt, gl, err := db.TasksDue(as["mgr"], f, d)
			if err != nil || gt != today || gl != late {
				t.Errorf("%s: %d due on %v and %d late (%v), want %d and %d", what, gt, d, gl, err, today, late)
			}
			if err := db.CheckTaskCounts(as["mgr"]); err != nil {
				t.Errorf("%s: %v", what, err)
			}
		}
		all, err := db.Tasks(as["col"], store.TaskFilter{Kind: "call", State: "open"})
		if err != nil || len(all) != 6 {
			t.Fatalf("the calls: %d %v, want 6", len(all), err)
		}
		open := int64(len(all))
		due("after the close", store.DashboardFilter{}, day, open, 0)
		due("of the loans' product and branch", store.DashboardFilter{Product: "CL", Branches: []string{"BJ01", "SH01"}}, day, open, 0)
		due("of another product", store.DashboardFilter{Product: "MORTGAGE"}, day, 0, 0)
		due("of an officer no loan has", store.DashboardFilter{Officer: "nobody"}, day, 0, 0)

		if _, err := db.RecordOutcome(as["col"], all[0].ID, store.Outcome{Outcome: collection.NoAnswer, Recording: "REC"}); err != nil {
			t.Fatal(err)
		}
		due("after no answer, which leaves the task open", store.DashboardFilter{}, day, open, 0)
		if _, err := db.RecordOutcome(as["col"], all[1].ID, store.Outcome{Outcome: collection.Refused, Recording: "REC"}); err != nil {
			t.Fatal(err)
		}
		open--
		due("after a refusal, which ends it", store.DashboardFilter{}, day, open, 0)

		// Two collectors end the same task at once: one outcome is
		// recorded, the other is a conflict, and the task leaves the
		// counts once.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k, who := range []string{"col", "col2"} {
			wg.Go(func() {
				_, errs[k] = db.RecordOutcome(as[who], all[2].ID, store.Outcome{Outcome: collection.Hardship, Recording: "REC"})
			})
		}
		wg.Wait()
		if ok := (errs[0] == nil) != (errs[1] == nil); !ok || daihou.ErrorCode(errs[0]) != daihou.ECONFLICT && daihou.ErrorCode(errs[1]) != daihou.ECONFLICT {
			t.Errorf("two outcomes on one task at once: %v and %v, want one recorded and one conflict", errs[0], errs[1])
		}
		open--
		due("after two people ended one task", store.DashboardFilter{}, day, open, 0)

		// The next day, what was due today is late.
		next := day.AddDays(1)
		*now = now.AddDate(0, 0, 1)
		if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), next, false); err != nil {
			t.Fatal(err)
		}
		due("the day after", store.DashboardFilter{}, next, 0, open)
		storetest.CheckCache(t, db)
	})
}
