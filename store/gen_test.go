package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

var genConfig = storetest.GenConfig

func openPath(tb testing.TB, path string) *store.DB { tb.Helper(); return storetest.OpenPath(tb, path) }

func checkCache(tb testing.TB, db *store.DB) { tb.Helper(); storetest.CheckCache(tb, db) }

func dump(tb testing.TB, path string) map[string][]string {
	tb.Helper()
	return storetest.DumpPath(tb, path)
}

func TestGenWritesAConsistentPortfolio(t *testing.T) {
	t.Parallel()
	path := storetest.Gen(t, genConfig)
	db := openPath(t, path)
	ctx := storetest.Ctx()
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
// derives: re-deriving every loan on the generated date changes nothing of
// the ledger's state. (The collection steps, which the generator does not
// run, add their tasks and the wake dates they need.)
func TestFullEODAfterGenChangesNothing(t *testing.T) {
	t.Parallel()
	path := storetest.Gen(t, genConfig)
	before := dump(t, path)
	db := openPath(t, path)
	sums, err := (&eod.Runner{Store: db, ChunkSize: 700}).Close(storetest.Ctx(), genConfig.Until, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Touched != int64(genConfig.Loans) || sums[0].Changed != 0 || sums[0].CellsHealed != 0 {
		t.Fatalf("summary %+v: want every loan touched, none changed, no cell healed", sums)
	}
	db.Close()
	after := dump(t, path)
	for _, name := range []string{"eod_runs", "wakes", "tasks", "episodes", "promises"} {
		delete(before, name)
		delete(after, name)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("full close of business changed the generated database:\n%s", diff)
	}
}

// BenchmarkGen generates and writes 100,000 loans with 12 months of
// history into a new SQLite file, indexes and aggregates included.
func BenchmarkGen(b *testing.B) {
	cfg := synth.Config{Seed: 1, Loans: 100_000, Months: 12, Until: civil.MustParse("2026-06-14")}
	for b.Loop() {
		if err := storetest.GenInto(storetest.Ctx(), filepath.Join(b.TempDir(), "bench.db"), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Loans*b.N)/b.Elapsed().Seconds(), "loans/s")
}

// On PostgreSQL gen writes with COPY; the portfolio must be the same one,
// row for row in its totals, and every cached snapshot a replay.
func TestGenWithCopyOnPostgres(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("PostgreSQL not tested: set " + storetest.EnvPostgres + "=postgres://… to run this against it")
	}
	ctx := storetest.Ctx()
	dsn := storetest.DSN(t, "postgres")
	if err := storetest.GenInto(ctx, dsn, genConfig); err != nil {
		t.Fatal(err)
	}
	pg, err := storetest.OpenDSN(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	checkCache(t, pg)
	lite := openPath(t, storetest.Gen(t, genConfig))
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
