package synth_test

import (
	"context"
	"testing"

	"daihou/civil"
	"daihou/synth"
)

// BenchmarkGenerate generates 20,000 loans with 12 months of history,
// month-end states and final snapshots included; nothing is written.
func BenchmarkGenerate(b *testing.B) {
	cfg := synth.Config{Seed: 1, Loans: 20000, Months: 12, Until: civil.MustParse("2026-06-15")}
	for b.Loop() {
		if _, err := synth.Generate(context.Background(), cfg, synth.Options{}, func(*synth.Batch) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Loans*b.N)/b.Elapsed().Seconds(), "loans/s")
}
