package store_test

import (
	"testing"
	"time"

	"daihou/civil"
	"daihou/eod"
	"daihou/servicing"
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
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		db.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
		raw := crOpenRaw(t, backend, dsn)
		ctx := storetest.Ctx()
		id := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 1)[0]
		runner := &eod.Runner{Store: db}
		closeOn := func(d string) {
			t.Helper()
			if _, err := runner.Close(storetest.EOD(), civil.MustParse(d), false); err != nil {
				t.Fatalf("close of %s: %v", d, err)
			}
		}
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
