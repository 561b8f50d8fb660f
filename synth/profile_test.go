package synth_test

import (
	"context"
	"testing"

	"daihou/civil"
	"daihou/synth"
)

// BorrowerProfile gives, for every id, the profile Generate made for that
// borrower, and says no for the ids no borrower got — whatever the
// portfolio's size and end date.
func TestBorrowerProfileIsGenerates(t *testing.T) {
	for _, cfg := range []synth.Config{
		{Seed: 7, Loans: 3000, Months: 12, Until: civil.MustParse("2026-06-30")},
		{Seed: 8, Loans: 500, Months: 3, Until: civil.MustParse("2024-01-31")},
	} {
		made := map[int64]synth.Profile{}
		_, err := synth.Generate(context.Background(), cfg, synth.Options{BatchSize: 333}, func(b *synth.Batch) error {
			for _, p := range b.Profiles {
				made[p.BorrowerID] = p
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(made) < cfg.Loans*3/4 || len(made) == cfg.Loans {
			t.Fatalf("seed %d: %d borrowers of %d loans; want some loans to share a borrower", cfg.Seed, len(made), cfg.Loans)
		}
		for id := int64(1); id <= int64(cfg.Loans); id++ {
			got, ok := synth.BorrowerProfile(cfg.Seed, id)
			want, generated := made[id]
			if ok != generated {
				t.Fatalf("seed %d: BorrowerProfile(%d) ok = %v; generated %v", cfg.Seed, id, ok, generated)
			}
			if ok && got != want {
				t.Fatalf("seed %d: BorrowerProfile(%d) = %+v; generate made %+v", cfg.Seed, id, got, want)
			}
		}
	}
	if _, ok := synth.BorrowerProfile(7, 0); ok {
		t.Error("BorrowerProfile(7, 0) is a borrower")
	}
	if p, _ := synth.BorrowerProfile(7, -3); p.BorrowerID != -3 || p.Region != "" {
		t.Errorf("BorrowerProfile(7, -3) = %+v; want nothing but the id", p)
	}
}

func BenchmarkBorrowerProfile(b *testing.B) {
	b.ReportAllocs()
	var id int64
	for b.Loop() {
		id++
		synth.BorrowerProfile(1, id)
	}
}
