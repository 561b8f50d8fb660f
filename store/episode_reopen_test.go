package store_test

import (
	"testing"
	"time"

	"daihou/civil"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// A cure undone: the payment that ended a loan's collection episode is
// reversed, so the loan is past due again from the same first overdue
// date. Close of business then holds the ended episode's recount and the
// reopened episode under one key; it writes one row, the open episode, on
// both databases (PostgreSQL refused the two in one statement).
func TestEpisodeReopensWhenItsCureIsReversed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db, raw, id, closeOn := oneLoanBook(t, backend, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		ctx := storetest.Ctx()
		closeOn("2026-02-15") // the first installment, due 02-10, unpaid
		snap, err := db.Snapshot(ctx, id)
		if err != nil || snap.DPD == 0 {
			t.Fatalf("loan %d on 02-15: %d DPD, %v: want it past due", id, snap.DPD, err)
		}
		due := snap.OverduePrincipal + snap.OverdueInterest + snap.PenaltyDue + snap.CompoundDue
		cure, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: civil.MustParse("2026-02-15"), Amount: due, Channel: "app", Reference: "CURE-1"})
		if err != nil {
			t.Fatal(err)
		}
		closeOn("2026-02-16")
		if n := raw.int(t, `SELECT COUNT(*) FROM collection_episodes WHERE loan_id = ? AND ended <> 0 AND outcome = 'cured'`, id); n != 1 {
			t.Fatalf("%d cured episodes after the cure, want 1", n)
		}
		if _, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Reversal, ValueDate: civil.MustParse("2026-02-16"), Reverses: cure.Seq, Reference: "REV-1"}); err != nil {
			t.Fatal(err)
		}
		closeOn("2026-02-17")
		if n := raw.int(t, `SELECT COUNT(*) FROM collection_episodes WHERE loan_id = ?`, id); n != 1 {
			t.Errorf("%d episodes after the cure was reversed, want the one, open again", n)
		}
		if n := raw.int(t, `SELECT COUNT(*) FROM collection_episodes WHERE loan_id = ? AND ended = 0`, id); n != 1 {
			t.Errorf("%d open episodes after the cure was reversed, want 1", n)
		}
	})
}

// A repayment value-dated within an episode that has ended, arriving after
// the loan went past due again and a later episode opened: the earlier
// episode still takes it in (what it says it collected is what was repaid
// from its first day to its end), and the later one does not.
func TestBackdatedRepaymentReachesAnEarlierEpisode(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db, raw, id, closeOn := oneLoanBook(t, backend, time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
		ctx := storetest.Ctx()
		pay := func(d string, amount money.Amount, ref string) {
			t.Helper()
			if _, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: civil.MustParse(d), Amount: amount, Channel: "app", Reference: ref}); err != nil {
				t.Fatal(err)
			}
		}
		closeOn("2026-02-15") // the first installment, due 02-10, unpaid
		snap, err := db.Snapshot(ctx, id)
		if err != nil || snap.DPD == 0 {
			t.Fatalf("loan %d on 02-15: %d DPD, %v: want it past due", id, snap.DPD, err)
		}
		pay("2026-02-15", snap.OverduePrincipal+snap.OverdueInterest+snap.PenaltyDue+snap.CompoundDue, "CURE-1")
		closeOn("2026-03-15") // cured on 02-16; the installment of 03-10 unpaid
		episodes := func() [][3]int64 {
			t.Helper()
			rows, err := raw.Query(raw.bind(`SELECT started, ended, collected FROM collection_episodes WHERE loan_id = ? ORDER BY started`), id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out [][3]int64
			for rows.Next() {
				var e [3]int64
				if err := rows.Scan(&e[0], &e[1], &e[2]); err != nil {
					t.Fatal(err)
				}
				out = append(out, e)
			}
			return out
		}
		before := episodes()
		if len(before) != 2 || before[0][1] == 0 || before[1][1] != 0 {
			t.Fatalf("episodes on 03-15: %v, want one ended and one open", before)
		}
		// A transfer of 02-12 the bank reports only now.
		late := money.MustParseAmount("12.34")
		pay("2026-02-12", late, "LATE-1")
		closeOn("2026-03-16")
		after := episodes()
		if len(after) != 2 {
			t.Fatalf("episodes on 03-16: %v, want the same two", after)
		}
		if got, want := after[0][2], before[0][2]+int64(late); got != want {
			t.Errorf("the ended episode collected %s, want %s: the back-dated transfer is in it", money.Amount(got), money.Amount(want))
		}
		if after[1][2] != before[1][2] {
			t.Errorf("the open episode collected %s, was %s: the transfer is dated before it", money.Amount(after[1][2]), money.Amount(before[1][2]))
		}
	})
}

// oneLoanBook opens a book on backend with one loan and its clock at now,
// and returns it, a plain connection to it, the loan and a close of
// business by date.
func oneLoanBook(t *testing.T, backend string, now time.Time) (*store.DB, *crRaw, int64, func(string)) {
	dsn := storetest.DSN(t, backend)
	db := storetest.OpenPath(t, dsn)
	db.Now = func() time.Time { return now }
	id := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 1)[0]
	runner := &eod.Runner{Store: db}
	return db, crOpenRaw(t, backend, dsn), id, func(d string) {
		t.Helper()
		if _, err := runner.Close(storetest.EOD(), civil.MustParse(d), false); err != nil {
			t.Fatalf("close of %s: %v", d, err)
		}
	}
}
