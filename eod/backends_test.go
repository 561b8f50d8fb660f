package eod_test

import (
	"fmt"
	"testing"

	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

// Close of business on every backend, over loans that came in through the
// ledger's own paths (AddLoans, Post, an approved override) and over a
// generated book: the cache stays equal to a replay, the aggregates to a
// rebuild, a second run of a date touches nothing and a full run changes
// nothing.
func TestEODOnEveryBackend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		t.Run("ledger", func(t *testing.T) { testEODOverLedgerPaths(t, backend) })
		t.Run("generated", func(t *testing.T) { testEODOverGenerated(t, backend) })
	})
}

func testEODOverLedgerPaths(t *testing.T, backend string) {
	ctx := storetest.Ctx()
	db := storetest.Open(t, backend)
	ids := storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 12, "")
	start := civil.MustParse("2026-01-10")
	sums, err := closeBusiness(db, start, false, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Mode != eod.ModeFull || sums[0].Touched != 12 {
		t.Fatalf("first close %+v: want a full run over the 12 loans", sums)
	}
	// Each loan pays its first installments on time, some later, some
	// never; close of business runs between the postings.
	for m := 1; m <= 4; m++ {
		due := start.AddMonthsClamped(m, 10)
		if _, err := closeBusiness(db, due.AddDays(3), false, 5); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			if i%4 == 3 || (i%4 == 2 && m > 2) {
				continue
			}
			value := due
			if i%4 == 1 {
				value = due.AddDays(3) // late, back-dated to the day it came
			}
			pay := servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: value, Amount: money.MustParseAmount("1070"), Reference: fmt.Sprintf("P%d-%d", id, m)}
			if _, _, err := db.Post(ctx, pay); err != nil {
				t.Fatalf("loan %d month %d: %v", id, m, err)
			}
		}
	}
	as := storetest.Users(t, db, "risk1=risk-officer", "risk2=risk-officer")
	oid, err := db.ProposeOverride(as["risk1"], ids[0], classification.Doubtful, "borrower absconded")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DecideOverride(as["risk2"], ids[0], oid, true); err != nil {
		t.Fatal(err)
	}
	end := civil.MustParse("2026-06-01")
	if _, err := closeBusiness(db, end, false, 5); err != nil {
		t.Fatal(err)
	}
	checkCache(t, db)
	again, err := closeBusiness(db, end, false, 0)
	if err != nil || len(again) != 1 || again[0].Touched != 0 {
		t.Fatalf("same date again: %+v %v, want nothing touched", again, err)
	}
	full, err := closeBusiness(db, end, true, 0)
	if err != nil || full[0].Changed != 0 || full[0].CellsHealed != 0 {
		t.Fatalf("full run over a closed date: %+v %v, want no change", full, err)
	}
}

func testEODOverGenerated(t *testing.T, backend string) {
	ctx := storetest.Ctx()
	db := storetest.Open(t, backend)
	cfg := synth.Config{Seed: 11, Loans: 600, Months: 12, Until: civil.MustParse("2026-01-29")}
	g, err := db.NewGenLoader(ctx, synth.Products())
	if err != nil {
		t.Fatal(err)
	}
	h, err := synth.Generate(ctx, cfg, synth.Options{BatchSize: 100}, func(b *synth.Batch) error { return g.Write(ctx, b) })
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Finish(ctx, store.GenInfo{Seed: cfg.Seed, Loans: cfg.Loans, Months: cfg.Months, Until: cfg.Until}, h, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := closeBusiness(db, cfg.Until, false, 64); err != nil { // contagion, as gen does
		t.Fatal(err)
	}
	checkCache(t, db)
	if _, err := closeBusiness(db, cfg.Until.AddDays(4), false, 64); err != nil {
		t.Fatal(err)
	}
	checkCache(t, db)
}
