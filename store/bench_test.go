package store_test

import (
	"fmt"
	"testing"

	"daihou/civil"
	"daihou/servicing"
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

// BenchmarkPost measures one repayment through Post — the path the API's
// payment route takes — on a book of a few thousand generated loans.
func BenchmarkPost(b *testing.B) {
	path := storetest.Gen(b, synth.Config{Seed: 5, Loans: 3000, Months: 12, Until: civil.MustParse("2026-06-14")})
	db := storetest.OpenPath(b, path)
	ctx := storetest.Ctx()
	rows, _, err := db.ListLoans(ctx, store.LoanFilter{Status: servicing.StatusActive, Limit: 1000})
	if err != nil || len(rows) == 0 {
		b.Fatal(err)
	}
	d, err := db.BusinessDate(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		t := servicing.Tx{LoanID: rows[i%len(rows)].ID, Kind: servicing.Repayment, ValueDate: d, Amount: 100, Reference: fmt.Sprintf("BENCH-%d", i)}
		if _, _, err := db.Post(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
}
