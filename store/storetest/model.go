package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"testing"

	"daihou/civil"
	"daihou/scoring/dataset"
	"daihou/scoring/trainer"
	"daihou/store"
)

// Champion trains a small behaviour scorecard on made-up rows of the
// ledger's features (the bad rate rises with days past due and
// utilisation), registers it and makes it the champion, so that every
// derivation on db scores.
func Champion(tb testing.TB, db *store.DB) store.ModelVersion {
	tb.Helper()
	return ChampionAs(tb, db, Ctx())
}

// ChampionAs is Champion done by the actor in ctx (a risk officer, on a
// book with users).
func ChampionAs(tb testing.TB, db *store.DB, ctx context.Context) store.ModelVersion {
	tb.Helper()
	return ChampionHorizon(tb, db, ctx, 6)
}

// ChampionHorizon is ChampionAs with a horizon of that many months: a
// month-end back-test judges the scores made that long before, so a test
// of it closes that many month ends and one more.
func ChampionHorizon(tb testing.TB, db *store.DB, ctx context.Context, horizon int) store.ModelVersion {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"dpd", "max_dpd_6m", "months_on_book", "utilisation", "bad"})
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		dpd := 0
		if r.Float64() < 0.2 {
			dpd = r.IntN(120)
		}
		maxDPD := dpd + r.IntN(10)
		mob := 1 + r.IntN(24)
		util := r.Float64()
		p := 0.03 + 0.5*float64(min(dpd, 90))/90 + 0.1*util
		bad := "0"
		if r.Float64() < p {
			bad = "1"
		}
		w.Write([]string{fmt.Sprint(dpd), fmt.Sprint(maxDPD), fmt.Sprint(mob), fmt.Sprintf("%.3f", util), bad})
	}
	w.Flush()
	ds, err := dataset.Read(&buf, dataset.Options{Target: "bad"})
	if err != nil {
		tb.Fatal(err)
	}
	a, _, err := trainer.Train(ctx, ds, trainer.Options{Target: "bad"})
	if err != nil {
		tb.Fatal(err)
	}
	var art bytes.Buffer
	if err := a.Write(&art); err != nil {
		tb.Fatal(err)
	}
	mv, err := db.RegisterModel(ctx, store.ModelVersion{Segment: "all", Kind: string(a.Kind), AsOf: civil.MustParse("2025-12-31"), Horizon: horizon, Metrics: "{}", Artefact: art.Bytes()})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SetChampion(ctx, mv.ID); err != nil {
		tb.Fatal(err)
	}
	return mv
}
