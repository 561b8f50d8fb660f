package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"daihou/auth"
	"daihou/civil"
	"daihou/pii"
	"daihou/servicing"
	"daihou/signal"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

// BenchmarkImportPayments posts a month's repayments for 60,000 loans (each
// with its prior history) into SQLite, state refresh included.
func BenchmarkImportPayments(b *testing.B) {
	const loans = 60000
	ctx := storetest.Ctx()
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b, "sqlite")
		MustAddLoans(b, db, servicing.DefaultProduct("CL"), loans)
		closeThrough(b, db, civil.MustParse("2026-02-12"))
		pays := make([]store.Payment, loans)
		for i := range pays {
			pays[i] = store.Payment{Line: i + 2, LoanRef: fmt.Sprintf("L%d", i), ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: fmt.Sprintf("P%d", i)}
		}
		b.StartTimer()
		res, err := db.ImportPayments(ctx, store.Source{Name: "bench"}, pays, nil)
		if err != nil || res.Posted != loans {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(loans*b.N)/b.Elapsed().Seconds(), "payments/s")
}

// BenchmarkAddLoans measures a loan import into a new book, two loans to
// a borrower: each loan sealed, its borrower found or added, its
// disbursement written and its state derived.
func BenchmarkAddLoans(b *testing.B) {
	const loans = 60000
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b, "sqlite")
		b.StartTimer()
		MustAddLoans(b, db, servicing.DefaultProduct("CL"), loans)
	}
	b.ReportMetric(float64(loans*b.N)/b.Elapsed().Seconds(), "loans/s")
}

// BenchmarkPost measures one repayment through Post — the path the API's
// payment route takes — on a book of a few thousand generated loans, or on
// the book at $DAIHOU_BENCH_BOOK (with its key file beside it), which it
// posts to.
func BenchmarkPost(b *testing.B) {
	var db *store.DB
	if path := os.Getenv("DAIHOU_BENCH_BOOK"); path != "" {
		var err error
		if db, err = store.Open(storetest.Ctx(), path); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		keys, err := pii.ReadKeyFile(pii.KeyFileFor(path))
		if err == nil {
			err = db.UseKeys(storetest.Ctx(), keys)
		}
		if err != nil {
			b.Fatal(err)
		}
	} else {
		db = storetest.OpenPath(b, storetest.Gen(b, synth.Config{Seed: 5, Loans: 3000, Months: 12, Until: civil.MustParse("2026-06-14")}))
	}
	// As core banking posts: an integration token over the whole book.
	as, err := auth.NewToken("bench", []auth.Role{auth.Integration}, auth.AllLoans())
	if err != nil {
		b.Fatal(err)
	}
	ctx := auth.NewContext(context.Background(), as)
	rows, _, err := db.ListLoans(ctx, store.LoanFilter{Status: servicing.StatusActive, Limit: 1000})
	if err != nil || len(rows) == 0 {
		b.Fatal(err)
	}
	d, err := db.BusinessDate(ctx)
	if err != nil {
		b.Fatal(err)
	}
	run := time.Now().UnixNano()
	b.ResetTimer()
	for i := range b.N {
		t := servicing.Tx{LoanID: rows[i%len(rows)].ID, Kind: servicing.Repayment, ValueDate: d, Amount: 100, Reference: fmt.Sprintf("BENCH-%d-%d", run, i)}
		if _, _, err := db.Post(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestSignals measures storing bureau records — a month's
// report for every borrower — with their signals, the store's part of a
// signal import (the file is parsed before, in imports); on PostgreSQL
// with DAIHOU_BENCH_BACKEND=postgres.
func BenchmarkIngestSignals(b *testing.B) {
	const loans = 40000 // 20,000 borrowers
	backend := "sqlite"
	if os.Getenv("DAIHOU_BENCH_BACKEND") == "postgres" {
		backend = "postgres"
	}
	var n int
	for b.Loop() {
		b.StopTimer()
		db := MustOpenDB(b, backend)
		MustAddLoans(b, db, servicing.DefaultProduct("CL"), loans)
		var in []store.SignalIn
		d := civil.MustParse("2026-01-09")
		for round := range 5 {
			for i := range loans / 2 {
				in = append(in, store.SignalIn{Line: len(in) + 2,
					Record: signal.Record{Source: signal.Bureau, ID: fmt.Sprintf("R%d-%d", round, i), Borrower: fmt.Sprintf("B%d", i), Date: d,
						Fields: map[string]string{"inquiries": "2", "open_loans": "3", "balance": "52000.00", "overdue_accounts": "0", "overdue_amount": "0"}},
					Signals: []signal.Signal{{Kind: signal.Inquiries, Date: d, Value: 2}, {Kind: signal.OpenLoans, Date: d, Value: 3},
						{Kind: signal.BalanceElsewhere, Date: d, Value: 5_200_000}, {Kind: signal.OverdueElsewhere, Date: d, Value: 0}}})
			}
		}
		n = len(in)
		// The book has its statistics, as a book in use has.
		if err := db.Analyze(storetest.Ctx()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := db.IngestSignals(importerB(b), store.Source{Name: "bench"}, in, nil)
		if err != nil || res.Stored != len(in) {
			b.Fatalf("%+v %v", res.Stored, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

func importerB(tb testing.TB) context.Context {
	a, err := auth.Import("bench")
	if err != nil {
		tb.Fatal(err)
	}
	return auth.NewContext(context.Background(), a)
}
