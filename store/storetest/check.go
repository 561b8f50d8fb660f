package storetest

import (
	"github.com/google/go-cmp/cmp"

	"daihou/eod"
	"daihou/loanstate"
	"daihou/signal"
	"daihou/store"
)

// T is what CheckCache reports through: a *testing.T, or a *rapid.T
// inside a property.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

// CheckCache proves the invariant every path that writes the cache keeps:
// every loan's cached snapshot equals a fresh derivation of the whole book
// as of the business date (every borrower's loans together, for
// contagion; AsOf aside, which is the date the loan last changed), its
// wake date is what its snapshot says and not yet come, every aggregate
// record is the one that snapshot makes, and the aggregates maintained by
// difference equal aggregates rebuilt from scratch. Records and
// aggregates are checked only when close of business has seen every event
// (no loan is marked), since postings leave them to the next close. The
// kept counts of open tasks are checked against the tasks themselves.
//
// With ids, only those loans are checked, which must include every loan of
// their borrowers.
func CheckCache(tb T, db *store.DB, ids ...int64) {
	tb.Helper()
	ctx := Ctx()
	business, err := db.BusinessDate(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := db.Config(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if len(ids) == 0 {
		if ids, err = db.Loans(ctx, 0, 1<<62, 1<<30); err != nil {
			tb.Fatal(err)
		}
	}
	var in []loanstate.Input
	cached := map[int64]loanstate.Snapshot{}
	for _, id := range ids {
		l, err := db.Loan(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		txs, err := db.Transactions(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		x := loanstate.Input{Product: cfg.Products[l.Product], Loan: l, Txs: txs}
		if x.Override, x.OverrideReason, err = db.Override(ctx, id); err != nil {
			tb.Fatal(err)
		}
		if s, err := db.Snapshot(ctx, id); err == nil {
			cached[id] = s
			x.InitialScore = s.InitialScore
		}
		in = append(in, x)
	}
	var borrowers []int64
	for _, x := range in {
		borrowers = append(borrowers, x.Loan.BorrowerID)
	}
	sigs, err := db.BorrowerSignals(ctx, borrowers, 0)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range in {
		f := signal.Summarise(sigs[in[i].Loan.BorrowerID], business)
		in[i].Facts = &f
	}
	// The kept counts of open tasks are the tasks' own.
	if err := db.CheckTaskCounts(ctx); err != nil {
		tb.Errorf("%v", err)
	}
	derived, _ := cfg.Deriver.Derive(business, in, nil)
	recs, err := db.Records(ctx, ids)
	if err != nil {
		tb.Fatal(err)
	}
	if marked, err := db.Dirty(ctx); err != nil {
		tb.Fatal(err)
	} else if len(marked) > 0 {
		recs = nil
	}
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad <= 3 {
			tb.Errorf(format, args...)
		}
	}
	for i, d := range derived {
		id := ids[i]
		got, ok := cached[id]
		if !d.OK {
			if ok {
				fail("loan %d: cached although not disbursed on %v", id, business)
			}
			continue
		}
		if !ok {
			fail("loan %d: no cached state", id)
			continue
		}
		want := d.Snapshot
		if got.AsOf.After(business) {
			fail("loan %d: snapshot as of %v is after the business date %v", id, got.AsOf, business)
		}
		wake, err := db.WakeDate(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		// The snapshot's own wake is the latest the loan may sleep to; the
		// other steps (warning cooldowns, SOP days, task SLAs, promise
		// dates) may need it sooner, never on or before the business date.
		if w := loanstate.Wake(&got); (w != 0 && (wake == 0 || wake.After(w))) || wake != 0 && !wake.After(business) {
			fail("loan %d: wake date %v, want one after the business date %v and no later than %v", id, wake, business, w)
		}
		got.AsOf = want.AsOf
		if diff := cmp.Diff(want, got); diff != "" {
			fail("loan %d: cached snapshot differs from a derivation as of %v (-derived +cached):\n%s", id, business, diff)
			continue
		}
		if len(recs) == 0 {
			continue
		}
		rec, ok := recs[id]
		if !ok {
			fail("loan %d: no aggregate record", id)
			continue
		}
		l := in[i].Loan
		wantRec := eod.NewRecord(&l, &want, cfg.Products[l.Product].LGD, &rec)
		if got := rec.InMonth(business.MonthIndex()); !eod.SameCounts(&got, &wantRec) {
			fail("loan %d: record %+v, want %+v", id, got, wantRec)
		}
	}
	if bad > 0 {
		tb.Fatalf("%d of %d loans differ", bad, len(ids))
	}
	if len(recs) == 0 {
		return
	}
	got, err := db.Aggregates(ctx, business)
	if err != nil {
		tb.Fatal(err)
	}
	want, err := db.RebuildAggregates(ctx, business)
	if err != nil {
		tb.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Fatalf("aggregates of %v differ from a rebuild (-rebuild +maintained):\n%s", business, diff)
	}
}
