package store_test

import (
	"fmt"
	"testing"

	"daihou/civil"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
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
