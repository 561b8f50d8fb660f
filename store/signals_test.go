package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/auth"
	"daihou/civil"
	"daihou/servicing"
	"daihou/signal"
	"daihou/store"
	"daihou/store/storetest"
)

func importer(t *testing.T) context.Context {
	t.Helper()
	a, err := auth.Import("test")
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewContext(context.Background(), a)
}

func courtRecord(id, borrower string, d civil.Date) store.SignalIn {
	return store.SignalIn{
		Record:  signal.Record{Source: signal.Court, ID: id, Borrower: borrower, Date: d, Fields: map[string]string{"event": "case_filed", "case_no": "(2026)京0105执1号"}},
		Signals: []signal.Signal{{Kind: signal.CourtCase, Date: d, Value: 1}},
	}
}

// Stored once, re-delivered as a no-op, refused under a used id with other
// content or for a borrower the book does not hold; every good record
// kept, each stored record's borrower's loans marked for close of
// business, and the signals dated with the first close that sees them.
func TestIngestSignals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 4) // borrowers B0 (loans 0, 1) and B1 (2, 3)
		closeThrough(t, db, day("2026-01-10"))
		dirty, err := db.Dirty(storetest.Ctx())
		if err != nil || len(dirty) != 0 {
			t.Fatalf("marks after close: %v %v", dirty, err)
		}
		ctx := importer(t)
		d := day("2026-01-09")
		in := []store.SignalIn{courtRecord("C1", "B0", d), courtRecord("C2", "nobody", d)}
		in[0].Line, in[1].Line = 2, 3
		res, err := db.IngestSignals(ctx, store.Source{Name: "court.csv"}, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Stored != 1 || res.Duplicates != 0 || len(res.Rejects) != 1 || res.Rejects[0].Line != 3 || !strings.Contains(res.Rejects[0].Reason, "borrower: no borrower") {
			t.Fatalf("first delivery: %+v", res)
		}
		dirty, _ = db.Dirty(storetest.Ctx())
		if want := ids[:2]; !slices.Equal(dirty, want) {
			t.Errorf("marked loans %v, want B0's %v", dirty, want)
		}

		// Again, and C1 under new content, and C3 new.
		changed := courtRecord("C1", "B0", d)
		changed.Record.Fields["case_no"] = "(2026)京0105执2号"
		changed.Line = 3
		again := []store.SignalIn{courtRecord("C1", "B0", d), changed, courtRecord("C3", "B1", d)}
		again[0].Line, again[2].Line = 2, 4
		res, err = db.IngestSignals(ctx, store.Source{Name: "court2.csv"}, again, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Stored != 1 || res.Duplicates != 1 || len(res.Rejects) != 1 || res.Rejects[0].Line != 3 || !strings.Contains(res.Rejects[0].Reason, "already stored with other content") {
			t.Fatalf("second delivery: %+v", res)
		}

		got, err := db.BorrowerSignals(storetest.Ctx(), []int64{1, 2}, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Close of business for 2026-01-10 has run: the signals are known
		// from the next close on.
		want := map[int64][]signal.Signal{
			1: {{Borrower: 1, Kind: signal.CourtCase, Date: d, Known: day("2026-01-11"), Value: 1}},
			2: {{Borrower: 2, Kind: signal.CourtCase, Date: d, Known: day("2026-01-11"), Value: 1}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("signals (-want +got):\n%s", diff)
		}
		if s, _ := db.BorrowerSignals(storetest.Ctx(), []int64{1}, day("2026-01-10")); len(s[1]) != 0 {
			t.Errorf("signals known by 2026-01-10: %v, want none", s)
		}

		// The raw record is kept sealed and opens to what was sent.
		recs, err := db.BorrowerRecords(storetest.Ctx(), 1, 10)
		if err != nil || len(recs) != 1 {
			t.Fatalf("records %v %v", recs, err)
		}
		if diff := cmp.Diff(in[0].Record, recs[0].Record); diff != "" {
			t.Errorf("stored record (-sent +stored):\n%s", diff)
		}
		if recs[0].By != "system:import:test" {
			t.Errorf("received by %q", recs[0].By)
		}

		// Who may not take signals in is refused before anything is read.
		if _, err := db.IngestSignals(storetest.Users(t, db, "ro=risk-officer")["ro"], store.Source{}, in, nil); err == nil {
			t.Error("a risk officer ingested signals")
		}
	})
}

// A delivery larger than one statement's rows that mixes new records,
// re-deliveries and used ids with other content counts each as what it
// is, and marks only the borrowers of the records it stored.
func TestIngestSignalsMixedDelivery(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		MustAddLoans(t, db, servicing.DefaultProduct("CL"), 4) // borrowers B0 (id 1) and B1 (id 2)
		ctx := importer(t)
		d := day("2026-01-09")
		var first []store.SignalIn
		for i := range 300 {
			first = append(first, courtRecord(fmt.Sprintf("C%d", i), "B0", d))
		}
		if res, err := db.IngestSignals(ctx, store.Source{Name: "a"}, first, nil); err != nil || res.Stored != 300 {
			t.Fatalf("first delivery: %+v %v", res, err)
		}
		var again []store.SignalIn
		var wantRejects []int
		for i := range 600 {
			r := courtRecord(fmt.Sprintf("C%d", i), "B0", d)
			switch {
			case i >= 300:
				r.Record.Borrower = "B1"
			case i%3 == 0:
				r.Record.Fields["case_no"] = "(2026)京0105执9号"
				wantRejects = append(wantRejects, i+2)
			}
			r.Line = i + 2
			again = append(again, r)
		}
		res, err := db.IngestSignals(ctx, store.Source{Name: "b"}, again, nil)
		if err != nil {
			t.Fatal(err)
		}
		var lines []int
		for _, r := range res.Rejects {
			lines = append(lines, r.Line)
		}
		if res.Stored != 300 || res.Duplicates != 200 || !slices.Equal(lines, wantRejects) || !slices.Equal(res.Borrowers, []int64{2}) {
			t.Errorf("second delivery: stored %d, duplicates %d, borrowers %v, rejected lines %v; want 300, 200, [2] and every third of the first 300", res.Stored, res.Duplicates, res.Borrowers, lines)
		}
		// A delivery that stores nothing at all: the statement returns no
		// row, which must not read as "every row stored".
		res, err = db.IngestSignals(ctx, store.Source{Name: "c"}, first, nil)
		if err != nil || res.Stored != 0 || res.Duplicates != 300 || len(res.Rejects) != 0 || len(res.Borrowers) != 0 {
			t.Errorf("the first delivery again: %+v %v; want 0 stored and 300 duplicates", res, err)
		}
	})
}

// A source that knows the borrower by ID number only finds it through the
// keyed hash of the sealed ID number.
func TestIngestSignalsByIDNumber(t *testing.T) {
	t.Parallel()
	db := MustOpenDB(t, "sqlite")
	ctx := storetest.Ctx()
	if _, err := db.PutProduct(ctx, servicing.DefaultProduct("CL")); err != nil {
		t.Fatal(err)
	}
	if err := db.OpenBook(ctx, day("2026-01-10")); err != nil {
		t.Fatal(err)
	}
	const idn = "11010519491231002X"
	res, err := db.AddLoans(ctx, store.Source{Name: "l"}, []store.NewLoan{{Line: 2,
		Borrower: servicing.Borrower{ExternalID: "B9", Name: "李四", IDNumber: idn},
		Loan:     servicing.Loan{ExternalID: "L9", Product: "CL", Principal: 1_000_000, Rate: 1_200_000_000, Term: 12, Disbursed: day("2026-01-10")}}})
	if err != nil || len(res.Rejects) > 0 {
		t.Fatal(err, res.Rejects)
	}
	rec := courtRecord("C1", "", day("2026-01-10"))
	rec.Record.IDNumber = strings.ToLower(idn) // as typed: the check digit in lower case
	got, err := db.IngestSignals(importer(t), store.Source{}, []store.SignalIn{rec}, nil)
	if err != nil || got.Stored != 1 || !slices.Equal(got.Borrowers, []int64{1}) {
		t.Fatalf("%+v %v", got, err)
	}
	other := courtRecord("C2", "", day("2026-01-10"))
	other.Record.IDNumber = "110105194912310038"
	got, err = db.IngestSignals(importer(t), store.Source{}, []store.SignalIn{other}, nil)
	if err != nil || len(got.Rejects) != 1 || strings.Contains(got.Rejects[0].Reason, "110105") {
		t.Fatalf("unknown ID number: %+v %v (the reason must not repeat the number)", got, err)
	}
}
