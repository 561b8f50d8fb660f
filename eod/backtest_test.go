package eod_test

import (
	"database/sql"
	"math"
	"sort"
	"testing"
	"time"

	"daihou/civil"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

// The month-end back-test of the champion on a generated book closed
// through the model's horizon and one month more: the stored AUC and KS
// are those of a deliberately plain computation over the population read
// by plain SQL (every bad/good pair counted), and the bands add up to the
// population.
func TestMonthEndBacktest(t *testing.T) {
	if storetest.RaceDetector {
		// Four month-end closes of a 1,200-loan book on two databases take
		// minutes, and tens of minutes under the race detector; the
		// back-test is one goroutine's arithmetic after the closes, whose
		// concurrency the other close-of-business tests exercise there.
		t.Skip("the month-end back-test runs in the ordinary test run, not under the race detector")
	}
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		dsn := storetest.DSN(t, backend)
		db, err := storetest.OpenDSN(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		driver, src := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
		if backend == "postgres" {
			driver, src = "pgx", dsn
		}
		raw, err := sql.Open(driver, src)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		cfg := synth.Config{Seed: 11, Loans: 1200, Months: 12, Until: civil.MustParse("2026-01-29")}
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
		if _, err := closeBusiness(db, cfg.Until, false, 64); err != nil {
			t.Fatal(err)
		}
		// The book has no payments after it was generated: over the usual
		// six months every loan would go bad and leave no good to rank
		// against, so the model here looks three months ahead.
		mv := storetest.ChampionHorizon(t, db, ctx, 3)
		start := civil.MustParse("2026-01-31")
		// A full close scores every loan with the champion; the month ends
		// after it are ordinary closes.
		if _, err := closeBusiness(db, start, true, 64); err != nil {
			t.Fatal(err)
		}
		var end civil.Date
		var took time.Duration
		for m := 1; m <= mv.Horizon; m++ {
			end = start.AddDays(1).AddMonthsClamped(m, 1).AddDays(-1)
			began := time.Now()
			if _, err := closeBusiness(db, end, false, 64); err != nil {
				t.Fatalf("close of %v: %v", end, err)
			}
			took = time.Since(began)
		}
		if got := eod.BacktestStart(end, mv.Horizon); got != start {
			t.Fatalf("BacktestStart(%v, %d) = %v, want %v", end, mv.Horizon, got, start)
		}
		began := time.Now()
		outs, err := db.Outcomes(ctx, mv.ID, start, end)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: the back-test query read %d loans in %v (the month-end close took %v)", backend, len(outs), time.Since(began), took)

		ms, err := db.ModelMonitoring(ctx, mv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got *eod.Monitoring
		for i := range ms {
			if ms[i].Month == end.MonthIndex() {
				got = &ms[i]
			} else if ms[i].Horizon != 0 {
				t.Errorf("month %d has a back-test (horizon %d) though no scores are %d months older", ms[i].Month, ms[i].Horizon, mv.Horizon)
			}
		}
		if got == nil {
			t.Fatalf("no monitoring for %v: %+v", end, ms)
		}

		risk, bad := plainPopulation(t, raw, mv.ID, start, end)
		bads := 0
		for _, b := range bad {
			if b {
				bads++
			}
		}
		t.Logf("%s: observed %d, bads %d, stored %+v", backend, len(risk), bads, *got)
		if got.Horizon != mv.Horizon || got.Observed != len(risk) || got.Bads != bads {
			t.Fatalf("stored horizon %d, observed %d, bads %d; want %d, %d, %d", got.Horizon, got.Observed, got.Bads, mv.Horizon, len(risk), bads)
		}
		if bads < eod.MinBads || bads == len(risk) {
			t.Fatalf("the book gives %d bads of %d: the test needs at least %d and a good", bads, len(risk), eod.MinBads)
		}
		if !got.Measured {
			t.Fatalf("no AUC/KS stored with %d bads", bads)
		}
		auc, ks := pairAUC(risk, bad), plainKS(risk, bad)
		if math.Abs(got.AUC-auc) > 1e-9 || math.Abs(got.KS-ks) > 1e-9 {
			t.Errorf("stored AUC %v, KS %v; counted %v, %v", got.AUC, got.KS, auc, ks)
		}

		bands, err := db.ModelMonitoringBands(ctx, mv.ID, end.MonthIndex())
		if err != nil {
			t.Fatal(err)
		}
		loans, bandBads := 0, 0
		for _, b := range bands {
			loans += b.Loans
			bandBads += b.Bads
			if b.Loans == 0 || math.Abs(b.BadRate-float64(b.Bads)/float64(b.Loans)) > 1e-12 {
				t.Errorf("band %+v: bad rate is not bads over loans", b)
			}
		}
		if loans != len(risk) || bandBads != bads {
			t.Errorf("bands hold %d loans and %d bads, want %d and %d", loans, bandBads, len(risk), bads)
		}
	})
}

// plainPopulation reads the back-test population with plain queries and
// decides it in Go, apart from the store's one query: the loans whose
// latest score by start is model's, not settled by start, performing
// then; bad if a class change after start and by end made them
// non-performing. It returns their PDs then and their outcomes.
func plainPopulation(t *testing.T, raw *sql.DB, model int64, start, end civil.Date) ([]float64, []bool) {
	t.Helper()
	type score struct {
		asOf  int64
		model int64
		pd    float64
	}
	latest := map[int64]score{}
	rows, err := raw.Query(`SELECT loan_id, as_of, model_id, pd FROM loan_scores`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var s score
		if err := rows.Scan(&id, &s.asOf, &s.model, &s.pd); err != nil {
			t.Fatal(err)
		}
		if s.asOf <= int64(start) && s.asOf >= latest[id].asOf {
			latest[id] = s
		}
	}
	rows.Close()
	type change struct{ id, asOf, from, to int64 }
	var changes []change
	rows, err = raw.Query(`SELECT id, loan_id, as_of, from_class, to_class FROM classification_history ORDER BY loan_id, as_of, id`)
	if err != nil {
		t.Fatal(err)
	}
	byLoan := map[int64][]change{}
	for rows.Next() {
		var c change
		var loan int64
		if err := rows.Scan(&c.id, &loan, &c.asOf, &c.from, &c.to); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, c)
		byLoan[loan] = append(byLoan[loan], c)
	}
	rows.Close()
	rows, err = raw.Query(`SELECT l.id, l.disbursed, s.settled_date, s.class FROM loans l JOIN loan_state s ON s.loan_id = l.id ORDER BY l.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var risk []float64
	var bad []bool
	for rows.Next() {
		var id, disbursed, settled, class int64
		if err := rows.Scan(&id, &disbursed, &settled, &class); err != nil {
			t.Fatal(err)
		}
		s, ok := latest[id]
		if !ok || s.model != model || disbursed > int64(start) || (settled != 0 && settled <= int64(start)) {
			continue
		}
		then, set, worst := class, false, int64(0)
		for _, c := range byLoan[id] {
			if c.asOf <= int64(start) {
				then, set = c.to, true
			} else {
				if !set {
					then, set = c.from, true
				}
				if c.asOf <= int64(end) && c.to > worst {
					worst = c.to
				}
			}
		}
		if then < 1 || then > 2 {
			continue
		}
		risk = append(risk, s.pd)
		bad = append(bad, worst >= 3)
	}
	return risk, bad
}

// pairAUC counts, over every (bad, good) pair, the pairs where the bad has
// the higher PD, ties counting one half.
func pairAUC(risk []float64, bad []bool) float64 {
	var wins, pairs float64
	for i := range risk {
		if !bad[i] {
			continue
		}
		for j := range risk {
			if bad[j] {
				continue
			}
			pairs++
			switch {
			case risk[i] > risk[j]:
				wins++
			case risk[i] == risk[j]:
				wins += 0.5
			}
		}
	}
	return wins / pairs
}

// plainKS is the largest gap between the shares of goods and of bads at or
// below a PD, over every PD seen.
func plainKS(risk []float64, bad []bool) float64 {
	cuts := append([]float64(nil), risk...)
	sort.Float64s(cuts)
	var nb, ng float64
	for _, b := range bad {
		if b {
			nb++
		} else {
			ng++
		}
	}
	var ks float64
	for _, c := range cuts {
		var b, g float64
		for i, r := range risk {
			if r <= c {
				if bad[i] {
					b++
				} else {
					g++
				}
			}
		}
		ks = max(ks, math.Abs(g/ng-b/nb))
	}
	return ks
}
