package store_test

import (
	"slices"
	"testing"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// The console's reads of a loan keep to the actor's scope: the borrowers
// of a page of loans, the contacts of one loan; and the list's filters by
// bucket, officer and borrower select what they say.
func TestConsoleLoanReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		ids := storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 4, "C")
		if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), civil.MustParse("2026-02-25"), false); err != nil {
			t.Fatal(err)
		}
		// After the close, which would give the collector a queue of its own.
		as := storetest.Users(t, db, "risk=risk-officer", "col=collector", "mgr=manager")
		if err := db.Assign(as["mgr"], ids[1], "col", store.AssignCollection); err != nil {
			t.Fatal(err)
		}

		bs, err := db.LoanBorrowers(as["risk"], ids)
		if err != nil || len(bs) != 4 || bs[ids[0]].Name != "张三" || bs[ids[0]].ID != bs[ids[1]].ID || bs[ids[0]].ID == bs[ids[2]].ID {
			t.Errorf("LoanBorrowers as risk: %+v, %v; want the four loans' borrowers, two loans each, names opened", bs, err)
		}
		if bs, err := db.LoanBorrowers(as["col"], ids); err != nil || len(bs) != 1 || bs[ids[1]].ID == 0 {
			t.Errorf("LoanBorrowers as a collector with one loan: %+v, %v", bs, err)
		}

		list := func(f store.LoanFilter) []int64 {
			t.Helper()
			f.Limit = 100
			rows, _, err := db.ListLoans(as["risk"], f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		for _, c := range []struct {
			what string
			f    store.LoanFilter
			want []int64
		}{
			{"no borrower", store.LoanFilter{Borrowers: []int64{}}, nil},
			{"one borrower", store.LoanFilter{Borrowers: []int64{bs[ids[2]].ID}}, ids[2:4]},
			{"an officer nobody is", store.LoanFilter{Officer: "x' OR '1'='1"}, nil},
			{"bucket M0", store.LoanFilter{Bucket: "M0"}, nil},
			{"bucket M1", store.LoanFilter{Bucket: "M1"}, ids},
		} {
			if got := list(c.f); !slices.Equal(got, c.want) {
				t.Errorf("ListLoans, %s: %v, want %v", c.what, got, c.want)
			}
		}

		tasks, err := db.Tasks(as["risk"], store.TaskFilter{Loan: ids[1], Limit: 10})
		if err != nil || len(tasks) == 0 {
			t.Fatalf("tasks on loan %d: %v, %v", ids[1], tasks, err)
		}
		at := time.Date(2026, 2, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
		if _, err := db.RecordOutcome(as["risk"], tasks[0].ID, store.Outcome{Outcome: collection.Done, Channel: "letter", At: at, Note: "reminder posted"}); err != nil {
			t.Fatal(err)
		}
		cs, err := db.LoanContacts(as["col"], ids[1], 10)
		if err != nil || len(cs) != 1 || cs[0].Channel != "letter" || cs[0].By != "risk" || cs[0].Note != "reminder posted" || !cs[0].At.Equal(at) || cs[0].TaskID != tasks[0].ID {
			t.Errorf("LoanContacts as the loan's collector: %+v, %v", cs, err)
		}
		if cs, err := db.LoanContacts(as["risk"], ids[0], 10); err != nil || len(cs) != 0 {
			t.Errorf("LoanContacts of a loan nobody contacted: %+v, %v", cs, err)
		}
		if _, err := db.LoanContacts(as["col"], ids[0], 10); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("LoanContacts outside the collector's scope: %v, want ENOTFOUND", err)
		}
		if _, err := db.LoanContacts(as["risk"], ids[1], 0); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("LoanContacts with limit 0: %v, want EINVALID", err)
		}
	})
}
