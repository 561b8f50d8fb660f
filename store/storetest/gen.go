package storetest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"daihou/civil"
	"daihou/eod"
	"daihou/store"
	"daihou/synth"
)

// GenConfig is the portfolio most close-of-business tests start from:
// small enough to generate in a fraction of a second, with every kind of
// loan and event (a third of the loans under the race detector).
var GenConfig = synth.Config{Seed: 7, Loans: 3000 / (1 + 2*b2i(raceDetector)), Months: 12, Until: civil.MustParse("2026-03-27")}

// RaceDetector is set in test builds with the race detector.
const RaceDetector = raceDetector

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Gen generates cfg into a new SQLite file and returns its path, the
// database closed. Generation is deterministic, so the file is built once
// per configuration and process, and copied.
func Gen(tb testing.TB, cfg synth.Config) string {
	tb.Helper()
	key := fmt.Sprintf("%d-%d-%d-%v", cfg.Seed, cfg.Loans, cfg.Months, cfg.Until)
	genMu.Lock()
	src, ok := genCache[key]
	if !ok {
		if genTmp == "" {
			d, err := os.MkdirTemp("", "daihou-gen-")
			if err != nil {
				genMu.Unlock()
				tb.Fatal(err)
			}
			genTmp = d
		}
		src = filepath.Join(genTmp, key+".db")
		if err := GenInto(Ctx(), src, cfg); err != nil {
			genMu.Unlock()
			tb.Fatal(err)
		}
		genCache[key] = src
	}
	genMu.Unlock()
	dst := filepath.Join(tb.TempDir(), "gen.db")
	CopyFile(tb, src, dst)
	return dst
}

var (
	genMu    sync.Mutex
	genCache = map[string]string{}
	genTmp   string
)

// Cleanup removes the generated files Gen keeps; call it from TestMain.
func Cleanup() {
	genMu.Lock()
	defer genMu.Unlock()
	if genTmp != "" {
		os.RemoveAll(genTmp)
		genTmp = ""
		genCache = map[string]string{}
	}
}

// GenInto generates cfg into the (empty) database dsn as 'daihou gen'
// does: the bulk load, then a close of the final date for what needs a
// borrower's loans together (contagion).
func GenInto(ctx context.Context, dsn string, cfg synth.Config) error {
	db, err := open(ctx, dsn)
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
	if err := g.Finish(ctx, store.GenInfo{Seed: cfg.Seed, Loans: cfg.Loans, Months: cfg.Months, Until: cfg.Until}, h, nil); err != nil {
		return err
	}
	_, err = (&eod.Runner{Store: db}).Close(ctx, cfg.Until, false)
	return err
}

// CopyFile copies the SQLite database src (with its write-ahead log) to
// dst.
func CopyFile(tb testing.TB, src, dst string) {
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

// OpenPath opens the database at path, closed when tb ends.
func OpenPath(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// FewerChecksUnderRace sets rapid's number of checks a property to n in a
// race-detector build, unless -rapid.checks was given: the detector runs
// each case several times slower, and the ordinary run checks the full
// number. Call it from TestMain.
func FewerChecksUnderRace(n int) {
	if !raceDetector || flag.Lookup("rapid.checks") == nil {
		return
	}
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set {
		flag.Set("rapid.checks", strconv.Itoa(n))
	}
}
