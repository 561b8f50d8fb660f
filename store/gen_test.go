package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

// genConfig is the portfolio most EOD tests start from: small enough to
// generate in a fraction of a second, with every kind of loan and event.
var genConfig = synth.Config{Seed: 7, Loans: 3000, Months: 12, Until: civil.MustParse("2026-03-27")}

// MustGen generates cfg into a new SQLite file and returns its path, the
// database closed. Generation is deterministic, so the file is built once
// per configuration and copied.
func MustGen(tb testing.TB, cfg synth.Config) string {
	tb.Helper()
	key := fmt.Sprintf("%d-%d-%d-%v", cfg.Seed, cfg.Loans, cfg.Months, cfg.Until)
	genMu.Lock()
	src, ok := genCache[key]
	if !ok {
		src = filepath.Join(genDir(tb), key+".db")
		if err := genInto(context.Background(), src, cfg); err != nil {
			genMu.Unlock()
			tb.Fatal(err)
		}
		genCache[key] = src
	}
	genMu.Unlock()
	dst := filepath.Join(tb.TempDir(), "gen.db")
	copyFile(tb, src, dst)
	return dst
}

func genInto(ctx context.Context, path string, cfg synth.Config) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	g, err := db.NewGenLoader(ctx, synth.Products())
	if err != nil {
		return err
	}
	h, err := synth.Generate(ctx, cfg, synth.Options{}, func(b *synth.Batch) error { return g.Write(ctx, b) })
	if err != nil {
		g.Close()
		return err
	}
	return g.Finish(ctx, store.GenInfo{Seed: cfg.Seed, Loans: cfg.Loans, Months: cfg.Months, Until: cfg.Until}, h, nil)
}

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			tb.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			tb.Fatal(err)
		}
	}
}

func openPath(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// checkCache proves the invariant close of business keeps: every loan's
// cached snapshot equals a fresh derivation as of the business date (but
// for AsOf, which is the date the loan last changed), every record is the
// one that snapshot makes, and the aggregates maintained by difference
// equal aggregates rebuilt from scratch.
func checkCache(tb testing.TB, db *store.DB) {
	tb.Helper()
	checkCacheExtra(tb, db, nil)
}

// checkCacheExtra is checkCache with the classification inputs (approved
// overrides) of some loans.
func checkCacheExtra(tb testing.TB, db *store.DB, extra map[int64]loanstate.Extra) {
	tb.Helper()
	ctx := context.Background()
	business, err := db.BusinessDate(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	prods, err := db.Products(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	recs, err := db.Records(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]int64, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	bad := 0
	for _, id := range ids {
		l, err := db.Loan(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		txs, err := db.Transactions(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		want, _ := loanstate.Derive(prods[l.Product], l, txs, business, extra[id])
		got, err := db.Snapshot(ctx, id)
		if err != nil {
			tb.Fatal(err)
		}
		if got.AsOf.After(business) {
			tb.Errorf("loan %d: snapshot as of %v is after the business date %v", id, got.AsOf, business)
		}
		got.AsOf = want.AsOf
		if diff := cmp.Diff(want, got); diff != "" {
			if bad++; bad <= 3 {
				tb.Errorf("loan %d: cached snapshot differs from replay as of %v (-replay +cache):\n%s", id, business, diff)
			}
			continue
		}
		rec := recs[id]
		wantRec := eod.NewRecord(&l, &want, prods[l.Product].LGD, &rec)
		in := rec.InMonth(business.MonthIndex())
		if !eod.SameCounts(&in, &wantRec) {
			if bad++; bad <= 3 {
				tb.Errorf("loan %d: record %+v, want %+v", id, in, wantRec)
			}
		}
	}
	if bad > 0 {
		tb.Fatalf("%d of %d loans differ", bad, len(ids))
	}
	got, err := db.Aggregates(ctx, business)
	if err != nil {
		tb.Fatal(err)
	}
	want, err := db.RebuildAggregates(ctx, business)
	if err != nil {
		tb.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Fatalf("aggregates of %v differ from a rebuild (-rebuild +maintained):\n%s", business, diff)
	}
}

// dump is storetest.Dump of the SQLite database at path.
func dump(tb testing.TB, path string) map[string][]string {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	return storetest.Dump(tb, raw)
}

func TestGenWritesAConsistentPortfolio(t *testing.T) {
	path := MustGen(t, genConfig)
	db := openPath(t, path)
	ctx := context.Background()
	business, err := db.BusinessDate(ctx)
	if err != nil || business != genConfig.Until {
		t.Fatalf("business date %v, %v; want %v", business, err, genConfig.Until)
	}
	if last, err := db.LastClose(ctx); err != nil || last != genConfig.Until {
		t.Fatalf("last close %v, %v; want %v", last, err, genConfig.Until)
	}
	checkCache(t, db)
	dates, err := db.AggregateDates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(genConfig.MonthEnds()) + 1; len(dates) != want {
		t.Errorf("%d dates with aggregates, want %d month ends and the final date", len(dates), want)
	}
	// A second generation into the same database is refused.
	if _, err := db.NewGenLoader(ctx, synth.Products()); err == nil {
		t.Error("gen into a database with loans: want ECONFLICT")
	}
}

// The generator's bulk snapshots are exactly what a full close of business
// derives: re-deriving every loan on the generated date changes nothing.
func TestFullEODAfterGenChangesNothing(t *testing.T) {
	path := MustGen(t, genConfig)
	before := dump(t, path)
	db := openPath(t, path)
	sums, err := db.CloseOfBusiness(context.Background(), genConfig.Until, store.EODOptions{Full: true, ChunkSize: 700})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Touched != int64(genConfig.Loans) || sums[0].Changed != 0 || sums[0].CellsHealed != 0 {
		t.Fatalf("summary %+v: want every loan touched, none changed, no cell healed", sums)
	}
	db.Close()
	after := dump(t, path)
	delete(before, "eod_runs")
	delete(after, "eod_runs")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("full close of business changed the generated database:\n%s", diff)
	}
}

var (
	genMu    sync.Mutex
	genCache = map[string]string{}
	genTmp   string
)

func genDir(tb testing.TB) string {
	if genTmp == "" {
		d, err := os.MkdirTemp("", "daihou-gen-")
		if err != nil {
			tb.Fatal(err)
		}
		genTmp = d
	}
	return genTmp
}

// BenchmarkGen generates and writes 100,000 loans with 12 months of
// history into a new SQLite file, indexes and aggregates included.
func BenchmarkGen(b *testing.B) {
	cfg := synth.Config{Seed: 1, Loans: 100_000, Months: 12, Until: civil.MustParse("2026-06-14")}
	for b.Loop() {
		if err := genInto(context.Background(), filepath.Join(b.TempDir(), "bench.db"), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Loans*b.N)/b.Elapsed().Seconds(), "loans/s")
}

// On PostgreSQL gen writes with COPY; the portfolio must be the same one,
// row for row in its totals, and every cached snapshot a replay.
func TestGenWithCopyOnPostgres(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("PostgreSQL not tested: set " + storetest.EnvPostgres + "=postgres://… to run this against it")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t, "postgres")
	if err := genInto(ctx, dsn, genConfig); err != nil {
		t.Fatal(err)
	}
	pg, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	checkCache(t, pg)
	lite := openPath(t, MustGen(t, genConfig))
	a, err := pg.Records(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := lite.Records(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("PostgreSQL (COPY) and SQLite per-loan records differ (-sqlite +postgres):\n%s", diff)
	}
}
