package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// welcomeCalls opens a book of six loans whose SOP makes a welcome call
// on each at disbursement, puts every loan in the queues of assignees, and
// closes 2026-01-10 on a clock of that morning, which the caller may move
// on. Its users: col and col2 (collectors), mgr, risk.
func welcomeCalls(t *testing.T, backend string, assignees ...string) (*store.DB, map[string]context.Context, civil.Date, *time.Time) {
	t.Helper()
	db := storetest.Open(t, backend)
	now := time.Date(2026, 1, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	db.Now = func() time.Time { return now }
	ids := storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 6, "W")
	as := storetest.Users(t, db, "col=collector", "col2=collector", "mgr=manager", "risk=risk-officer")
	for _, id := range ids {
		for _, who := range assignees {
			if err := db.Assign(as["mgr"], id, who, store.AssignCollection); err != nil {
				t.Fatal(err)
			}
		}
	}
	sop := collection.SOP{Code: "*", Name: "Welcome", Steps: []collection.Step{{Code: "call", Name: "Welcome call", Anchor: collection.FromDisbursement, Action: collection.Call}}}
	if _, err := db.PutSOP(as["risk"], sop); err != nil {
		t.Fatal(err)
	}
	day := civil.MustParse("2026-01-10")
	if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), day, true); err != nil {
		t.Fatal(err)
	}
	return db, as, day, &now
}

// The console's reads of collection work: a queue pages by cursor through
// exactly the actor's open tasks in the order of Tasks; a task's history
// holds its contacts and the promise they took; a plan's latest version
// says who put it.
func TestConsoleWorkReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db, as, day, _ := welcomeCalls(t, backend, "col")
		all, err := db.Tasks(as["col"], store.TaskFilter{Kind: "call", State: "open"})
		if err != nil || len(all) != 6 {
			t.Fatalf("col's calls: %d %v, want 6", len(all), err)
		}
		for _, tk := range all {
			if _, err := db.TakeTask(as["col"], tk.ID); err != nil {
				t.Fatal(err)
			}
		}
		var paged []int64
		after := ""
		for range 10 {
			p, err := db.Queue(as["col"], store.QueueFilter{Due: day, After: after, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range p.Tasks {
				paged = append(paged, tk.ID)
			}
			if after = p.Next; after == "" {
				break
			}
		}
		var want []int64
		for _, tk := range all {
			want = append(want, tk.ID)
		}
		if !slices.Equal(paged, want) {
			t.Errorf("col's queue by pages of 4: %v, want %v", paged, want)
		}
		if p, err := db.Queue(as["col2"], store.QueueFilter{Due: day}); err != nil || len(p.Tasks) != 0 {
			t.Errorf("col2's queue: %+v %v, want empty", p.Tasks, err)
		}
		if p, err := db.Queue(as["col"], store.QueueFilter{Due: day.AddDays(-1)}); err != nil || len(p.Tasks) != 0 {
			t.Errorf("col's queue due before the tasks: %+v %v, want empty", p.Tasks, err)
		}
		if _, err := db.Queue(as["col"], store.QueueFilter{After: "1.2'; --"}); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("a forged cursor: %v, want EINVALID", err)
		}

		tk := all[0]
		o := store.Outcome{Outcome: collection.Promise, Recording: "REC", PromiseAmount: money.MustParseAmount("500"), PromiseDate: day.AddDays(5), Note: "'; DROP TABLE promises; --"}
		if _, err := db.RecordOutcome(as["col"], tk.ID, o); err != nil {
			t.Fatal(err)
		}
		h, err := db.TaskHistory(as["col"], tk.ID)
		if err != nil || len(h.Contacts) != 1 || h.Contacts[0].Note != o.Note || h.Contacts[0].By != "col" || len(h.Promises) != 1 || h.Promises[0].Amount != o.PromiseAmount {
			t.Errorf("the task's history: %+v %v", h, err)
		}
		if ps, err := db.LoanPromises(as["col"], tk.LoanID); err != nil || len(ps) != 1 || ps[0].Due != o.PromiseDate {
			t.Errorf("the loan's promises: %+v %v", ps, err)
		}
		if _, err := db.TaskHistory(as["col2"], tk.ID); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("col2 reading col's task history: %v, want ENOTFOUND", err)
		}
		if _, err := db.LoanPromises(as["col2"], tk.LoanID); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("col2 reading col's loan's promises: %v, want ENOTFOUND", err)
		}

		vs, err := db.PlanVersions(as["risk"], "sop")
		if err != nil || len(vs) != 1 || vs[0].Code != "*" || vs[0].Version != 1 || vs[0].By == "" || vs[0].At.IsZero() {
			t.Errorf("the SOP's versions: %+v %v", vs, err)
		}
		if vs, err := db.PlanVersions(as["risk"], "strategy"); err != nil || len(vs) != 0 {
			t.Errorf("the strategy never put: %+v %v", vs, err)
		}
		if _, err := db.PlanVersions(as["col"], "sop"); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("a collector reading plan versions: %v, want EUNAUTHORIZED", err)
		}
	})
}
