package store_test

import (
	"testing"

	"daihou/auth"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// DueBetween and PastDueLoans list exactly the loans each loan's own
// snapshot says belong there, on both databases, and only to who may
// import payments.
func TestDueBetweenAndPastDueFollowTheSnapshots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := storetest.OpenPath(t, genAuditBook(t, backend))
		as := storetest.Users(t, db, "risk=risk-officer", "col=collector")
		core := auth.NewContext(storetest.Ctx(), mustImport(t))
		day, err := db.BusinessDate(core)
		if err != nil {
			t.Fatal(err)
		}
		from, to := day.AddDays(1), day.AddDays(10)
		dues, err := db.DueBetween(core, from, to)
		if err != nil {
			t.Fatal(err)
		}
		late, err := db.PastDueLoans(core)
		if err != nil {
			t.Fatal(err)
		}
		gotDue := map[int64]store.Due{}
		for _, d := range dues {
			gotDue[d.LoanID] = d
		}
		gotLate := map[int64]store.PastDue{}
		for _, p := range late {
			gotLate[p.LoanID] = p
		}
		recs, err := db.Records(core, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantDue, wantLate := 0, 0
		for id := range recs {
			s, err := db.Snapshot(as["risk"], id)
			if err != nil {
				t.Fatal(err)
			}
			l, err := db.Loan(as["risk"], id)
			if err != nil {
				t.Fatal(err)
			}
			active := s.Status == servicing.StatusActive
			if active && s.DPD == 0 && s.NextDueAmount > 0 && !s.NextDueDate.Before(from) && !s.NextDueDate.After(to) {
				wantDue++
				if d, ok := gotDue[id]; !ok || d.Date != s.NextDueDate || d.Amount != s.NextDueAmount || d.LoanRef != l.ExternalID || d.BorrowerID != l.BorrowerID || d.Product != l.Product {
					t.Errorf("loan %d due %v %v: listed %+v (%v)", id, s.NextDueDate, s.NextDueAmount, d, ok)
				}
			}
			if active && s.DPD > 0 {
				wantLate++
				if p, ok := gotLate[id]; !ok || p.DPD != s.DPD || p.Outstanding != s.PrincipalOutstanding || p.LoanRef != l.ExternalID || p.BorrowerID != l.BorrowerID || p.BorrowerRef == "" {
					t.Errorf("loan %d %d DPD: listed %+v (%v)", id, s.DPD, p, ok)
				}
			}
		}
		if wantDue == 0 || wantLate == 0 {
			t.Fatalf("the book has %d loans due in %v…%v and %d past due: nothing to check", wantDue, from, to, wantLate)
		}
		if len(dues) != wantDue || len(late) != wantLate {
			t.Errorf("listed %d due and %d past due, the snapshots say %d and %d", len(dues), len(late), wantDue, wantLate)
		}
		for _, who := range []string{"risk", "col"} {
			if _, err := db.DueBetween(as[who], from, to); err == nil {
				t.Errorf("%s may list what is due", who)
			}
			if _, err := db.PastDueLoans(as[who]); err == nil {
				t.Errorf("%s may list the book's arrears", who)
			}
		}
	})
}

func mustImport(t *testing.T) auth.Actor {
	t.Helper()
	a, err := auth.Import("core-banking")
	if err != nil {
		t.Fatal(err)
	}
	return a
}
