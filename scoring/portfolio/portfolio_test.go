package portfolio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"

	"daihou"
	"daihou/civil"
	"daihou/scoring"
	"daihou/scoring/behaviour"
	"daihou/scoring/portfolio"
	"daihou/scoring/portfolio/portfoliotest"
	"daihou/scoring/trainer"
	"daihou/synth"
)

func book(t *testing.T) *portfoliotest.Book { return bookOf(t, 4000) }

func bookOf(t *testing.T, loans int) *portfoliotest.Book {
	t.Helper()
	b, err := portfoliotest.Generate(context.Background(), synth.Config{Seed: 3, Loans: loans, Months: 24, Until: civil.MustParse("2026-10-30")})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTrainRegistersChampion(t *testing.T) {
	b := book(t)
	ctx := context.Background()
	for _, kind := range []scoring.Kind{scoring.KindScorecard, scoring.KindGBDT} {
		t.Run(string(kind), func(t *testing.T) {
			res, err := portfolio.Train(ctx, b, portfolio.Options{
				AsOf: civil.MustParse("2026-01-31"), OOTAsOf: civil.MustParse("2026-04-30"), Horizon: 6,
				Train: trainer.Options{Kind: kind}, Champion: true, Signals: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			// The book has no signals: asked for, they are left out, and
			// there is nothing to compare with.
			if res.Signals || res.OOTWithoutSignals != nil {
				t.Errorf("a book without signals: Signals %v, OOT without signals %+v; want neither", res.Signals, res.OOTWithoutSignals)
			}
			for _, f := range res.Artefact.Model().Features() {
				if slices.Contains(behaviour.SignalNames, f.Name) {
					t.Errorf("model uses signal feature %s on a book without signals", f.Name)
				}
			}
			if got, want := res.Artefact.Target, portfolio.Target; got != want {
				t.Errorf("target: got %q, want %q", got, want)
			}
			if res.OOT == nil || res.OOT.AUC < 0.7 {
				t.Fatalf("out of time: %+v, want an AUC of at least 0.7", res.OOT)
			}
			models := b.Models()
			last := models[len(models)-1]
			if !last.Champion || last.ID != res.Model.ID || len(last.Artefact) == 0 {
				t.Errorf("registry: got %+v, want the new model as champion", last)
			}
		})
	}
}

func TestWriteCSV(t *testing.T) {
	b := book(t)
	ctx := context.Background()
	var buf bytes.Buffer
	n, err := portfolio.WriteCSV(ctx, b, civil.MustParse("2026-01-31"), 6, &buf)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs)-1, n; got != want || n == 0 {
		t.Fatalf("rows: got %d, want %d (and some)", got, want)
	}
	if got, want := len(recs[0]), len(behaviour.AllNames)+2; got != want {
		t.Errorf("columns: got %d, want %d", got, want)
	}
	bads := 0
	for _, r := range recs[1:] {
		if r[len(r)-1] == "1" {
			bads++
		}
	}
	if bads == 0 || bads == n {
		t.Errorf("%d of %d loans bad: want both outcomes", bads, n)
	}
	// The outcome of loans observed five months before the business date
	// is not known for a six-month horizon.
	_, err = portfolio.WriteCSV(ctx, b, civil.MustParse("2026-05-31"), 6, &buf)
	if got, want := daihou.ErrorCode(err), daihou.EINVALID; got != want {
		t.Errorf("horizon past the business date: got %v (%v), want code %v", got, err, want)
	}
}

func TestParseHorizon(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"6m", 6, true}, {"12", 12, true}, {"36m", 36, true},
		{"0m", 0, false}, {"37m", 0, false}, {"six", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, err := portfolio.ParseHorizon(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseHorizon(%q): got %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
