package eod_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

func TestMain(m *testing.M) {
	// The child of TestEODSurvivesSIGKILL: a full close of business run by
	// the test binary itself, to be killed part-way.
	if path := os.Getenv("DAIHOU_EOD_CHILD"); path != "" {
		os.Exit(runEODChild(path, civil.MustParse(os.Getenv("DAIHOU_EOD_DATE"))))
	}
	storetest.FewerChecksUnderRace(15)
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

var genConfig = storetest.GenConfig

// chunks returns the chunk size that splits the generated book into about
// n chunks, whatever its size.
func chunks(n int) int { return max(10, genConfig.Loans/n) }

// closeBusiness runs close of business through d on db.
func closeBusiness(db *store.DB, d civil.Date, full bool, chunk int) ([]eod.Summary, error) {
	return (&eod.Runner{Store: db, ChunkSize: chunk}).Close(storetest.EOD(), d, full)
}

// errStopped is what the test hook stops a run with.
var errStopped = errors.New("stopped by the test")

// stopAfter makes every run stop after n committed chunks, as a crash
// would; the returned function removes the hook.
func stopAfter(n int) func() {
	return eod.SetAfterCommit(func(_ *eod.Run, chunks int) error {
		if chunks >= n {
			return errStopped
		}
		return nil
	})
}

func openPath(tb testing.TB, path string) *store.DB { tb.Helper(); return storetest.OpenPath(tb, path) }

func dump(tb testing.TB, path string) map[string][]string {
	tb.Helper()
	return storetest.DumpPath(tb, path)
}

func checkCache(tb testing.TB, db *store.DB) { tb.Helper(); storetest.CheckCache(tb, db) }

// Ten days of incremental close of business, across a month end, leave
// every loan's cache equal to a replay and the aggregates equal to a
// rebuild; and they leave the database exactly as ten full runs do, so the
// incremental selection misses no loan whose state changed. Both books
// start with one full close: the generator's wake dates know the ledger
// only, and switching on steps that need loans on other days (SOP days,
// inspections) is a full recompute.
func TestIncrementalEODEqualsFull(t *testing.T) {
	start := genConfig.Until.AddDays(1)
	end := genConfig.Until.AddDays(11)
	inc := storetest.Gen(t, genConfig)
	db := openPath(t, inc)
	if _, err := closeBusiness(db, start, true, 900); err != nil {
		t.Fatal(err)
	}
	sums, err := closeBusiness(db, end, false, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 10 {
		t.Fatalf("%d dates closed, want 10", len(sums))
	}
	for _, s := range sums {
		if s.Mode != eod.ModeIncremental {
			t.Errorf("%v closed in mode %s", s.Date, s.Mode)
		}
	}
	// The generated history stops paying at its end, so arrears pile up
	// day after day; on the first day only the due and the overdue move.
	if n := sums[0].Touched; n == 0 || n > int64(genConfig.Loans)/5 {
		t.Errorf("the first incremental run touched %d of %d loans", n, genConfig.Loans)
	}
	checkCache(t, db)
	db.Close()

	full := storetest.Gen(t, genConfig)
	db = openPath(t, full)
	for d := start; !d.After(end); d++ {
		if _, err := closeBusiness(db, d, true, 900); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	a, b := dump(t, inc), dump(t, full)
	delete(a, "eod_runs")
	delete(b, "eod_runs")
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("incremental and full close of business differ (-incremental +full):\n%s", diff)
	}
}

func TestEODSameDateTwiceChangesNothing(t *testing.T) {
	path := storetest.Gen(t, genConfig)
	db := openPath(t, path)
	d := genConfig.Until.AddDays(3)
	if _, err := closeBusiness(db, d, false, 0); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := dump(t, path)
	db = openPath(t, path)
	sums, err := closeBusiness(db, d, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Mode != eod.ModeRerun || sums[0].Touched != 0 {
		t.Fatalf("second run of %v: %+v, want a rerun touching nothing", d, sums)
	}
	// Asking for a date already closed, or before it, does nothing more.
	if _, err := closeBusiness(db, d.AddDays(-1), false, 0); daihou.ErrorCode(err) != daihou.ECONFLICT {
		t.Errorf("closing %v after %v: %v, want ECONFLICT", d.AddDays(-1), d, err)
	}
	db.Close()
	if diff := cmp.Diff(before, dump(t, path)); diff != "" {
		t.Errorf("running %v twice changed the database:\n%s", d, diff)
	}
}

// Interrupted after two chunks and run again, close of business resumes
// from its checkpoint and ends exactly where an uninterrupted run does.
func TestEODStoppedAndResumedEqualsUninterrupted(t *testing.T) {
	ctx := storetest.Ctx()
	end := genConfig.Until.AddDays(5)
	want := storetest.Gen(t, genConfig)
	db := openPath(t, want)
	if _, err := closeBusiness(db, end, false, chunks(30)); err != nil {
		t.Fatal(err)
	}
	wantSum, _, _ := db.EODSummary(ctx, end)
	db.Close()

	got := storetest.Gen(t, genConfig)
	stops := 0
	restore := stopAfter(2)
	for {
		db = openPath(t, got)
		_, err := closeBusiness(db, end, false, chunks(30))
		db.Close()
		if err == nil {
			break
		}
		if !errors.Is(err, errStopped) {
			t.Fatal(err)
		}
		stops++
	}
	restore()
	if stops < 5 {
		t.Fatalf("stopped %d times: the test needs several interruptions", stops)
	}
	if diff := cmp.Diff(dump(t, want), dump(t, got)); diff != "" {
		t.Errorf("stopped %d times and resumed, the result differs from an uninterrupted run:\n%s", stops, diff)
	}
	db = openPath(t, got)
	gotSum, _, err := db.EODSummary(ctx, end)
	if err != nil {
		t.Fatal(err)
	}
	if !gotSum.Resumed || gotSum.Touched != wantSum.Touched || gotSum.Changed != wantSum.Changed || gotSum.NewlyOverdue != wantSum.NewlyOverdue {
		t.Errorf("resumed summary %+v, want the counts of %+v", gotSum, wantSum)
	}
	checkCache(t, db)
}

// The same with a real crash: a child process running a full close of
// business is killed with SIGKILL in the middle of its work, three times,
// and the run started again finishes where an uninterrupted one does.
func TestEODSurvivesSIGKILL(t *testing.T) {
	end := genConfig.Until.AddDays(1)
	want := storetest.Gen(t, genConfig)
	db := openPath(t, want)
	if _, err := closeBusiness(db, end, true, chunks(60)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	got := storetest.Gen(t, genConfig)
	// One reader polls the child's checkpoint: opening the book for every
	// look (migrations, keys) took long enough under a loaded machine that
	// the child finished between two looks.
	progress, err := store.OpenReadOnly(storetest.Ctx(), got)
	if err != nil {
		t.Fatal(err)
	}
	for kill := 0; kill < 3; kill++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "DAIHOU_EOD_CHILD="+got, "DAIHOU_EOD_DATE="+end.String())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once the child has committed a few more chunks, at a random
		// moment of its work: most likely inside a chunk's transaction.
		seen := chunksDone(t, progress, end)
		deadline := time.Now().Add(15 * time.Second)
		for chunksDone(t, progress, end) < seen+3 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if n := chunksDone(t, progress, end); n <= seen || n >= 60 {
			t.Fatalf("child killed after chunk %d (before it: %d): want it killed part-way", n, seen)
		}
	}
	progress.Close()
	db = openPath(t, got)
	if _, err := closeBusiness(db, end, false, chunks(60)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if diff := cmp.Diff(dump(t, want), dump(t, got)); diff != "" {
		t.Errorf("killed three times and run again, the result differs from an uninterrupted run:\n%s", diff)
	}
}

// chunksDone reads the checkpoint of the run of d through db, a reader
// beside the run.
func chunksDone(t *testing.T, db *store.DB, d civil.Date) int {
	s, err := db.EODProgress(storetest.Ctx(), d)
	if daihou.ErrorCode(err) == daihou.ENOTFOUND {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return int(s.Chunks)
}

// runEODChild is the child of TestEODSurvivesSIGKILL; it returns the exit
// code.
func runEODChild(path string, d civil.Date) int {
	db, err := storetest.OpenDSN(storetest.Ctx(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	// Slow enough that the parent can kill it part-way: at 10 ms a chunk,
	// after the third chunk the parent waits for, half a second of work is
	// left.
	_, err = (&eod.Runner{Store: db, ChunkSize: chunks(60), Throttle: 10 * time.Millisecond}).Close(storetest.Ctx(), d, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Payments posted while close of business runs are neither lost nor
// applied twice: each is stored once, every loan ends equal to its
// replay, and the aggregates count them once the date is closed again.
func TestEODWithConcurrentPostings(t *testing.T) {
	ctx := storetest.Ctx()
	path := storetest.Gen(t, genConfig)
	db := openPath(t, path)
	d := genConfig.Until.AddDays(1)
	recs, err := db.Records(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var active []int64
	for id, r := range recs {
		if r.Status == servicing.StatusActive {
			active = append(active, id)
		}
	}
	started := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Add(1)
	var eodErr error
	go func() {
		defer wg.Done()
		defer eod.SetAfterCommit(func(*eod.Run, int) error {
			once.Do(func() { close(started) })
			time.Sleep(time.Millisecond)
			return nil
		})()
		_, eodErr = closeBusiness(db, d, false, chunks(75))
	}()
	<-started
	const n = 300
	posted := map[string]int64{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		id := active[r.IntN(len(active))]
		ref := fmt.Sprintf("LIVE-%d", i)
		pay := servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: genConfig.Until, Amount: money.Amount(100 + r.IntN(500000)), Channel: "app", Reference: ref}
		if _, dup, err := db.Post(ctx, pay); err != nil || dup {
			t.Fatalf("post %s: dup %v, %v", ref, dup, err)
		}
		// Re-delivery of the same payment is recognised, never applied twice.
		if i%10 == 0 {
			if _, dup, err := db.Post(ctx, pay); err != nil || !dup {
				t.Fatalf("re-post %s: dup %v, %v", ref, dup, err)
			}
		}
		posted[ref] = id
	}
	wg.Wait()
	if eodErr != nil {
		t.Fatal(eodErr)
	}
	// Whatever arrived after the run's last sweep waits for the next run;
	// closing the date again picks it up.
	if _, err := closeBusiness(db, d, false, 0); err != nil {
		t.Fatal(err)
	}
	for ref, id := range posted {
		txs, err := db.Transactions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, tx := range txs {
			if tx.Reference == ref {
				found++
			}
		}
		if found != 1 {
			t.Errorf("payment %s on loan %d stored %d times, want once", ref, id, found)
		}
	}
	checkCache(t, db)
	db.Close()
	if rows := dump(t, path)["eod_dirty"]; len(rows) != 0 {
		t.Errorf("loans still marked with new events after closing again: %v", rows)
	}
}

func TestEODOnAnEmptyDatabase(t *testing.T) {
	db := openPath(t, filepath.Join(t.TempDir(), "empty.db"))
	ctx := storetest.Ctx()
	if err := db.OpenBook(ctx, civil.MustParse("2026-01-01")); err != nil {
		t.Fatal(err)
	}
	sums, err := closeBusiness(db, civil.MustParse("2026-01-03"), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 3 || sums[0].Mode != eod.ModeFull || sums[1].Mode != eod.ModeIncremental {
		t.Errorf("summaries %+v: want a full first run then incremental ones", sums)
	}
}

// BenchmarkEOD closes, on 100,000 generated loans, the day after the
// history (incremental) and then the next day in full.
func BenchmarkEOD(b *testing.B) {
	cfg := synth.Config{Seed: 1, Loans: 100_000, Months: 12, Until: civil.MustParse("2026-06-14")}
	for b.Loop() {
		b.StopTimer()
		db := openPath(b, storetest.Gen(b, cfg))
		b.StartTimer()
		inc, err := closeBusiness(db, cfg.Until.AddDays(1), false, 0)
		if err != nil {
			b.Fatal(err)
		}
		full, err := closeBusiness(db, cfg.Until.AddDays(2), true, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(inc[0].Touched)/inc[0].Duration.Seconds(), "incremental-loans/s")
		b.ReportMetric(float64(full[0].Touched)/full[0].Duration.Seconds(), "full-loans/s")
		db.Close()
	}
}

// Defect: 'eod --date LAST --full' right after a normal close of LAST
// re-derived no loan (the run kept the earlier attempt's cursor), so a
// rule or product change had no effect until a second --full.
func TestFullRightAfterACloseDerivesEveryLoan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		if err := storetest.GenInto(storetest.Ctx(), dsn, genConfig); err != nil {
			t.Fatal(err)
		}
		testFullRightAfterAClose(t, openPath(t, dsn))
	})
}

func testFullRightAfterAClose(t *testing.T, db *store.DB) {
	d := genConfig.Until.AddDays(1)
	if _, err := closeBusiness(db, d, false, 500); err != nil {
		t.Fatal(err)
	}
	sums, err := closeBusiness(db, d, true, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 1 || sums[0].Mode != eod.ModeFull || sums[0].Touched < int64(genConfig.Loans) {
		t.Fatalf("--full on the date just closed: %+v, want every one of %d loans derived", sums, genConfig.Loans)
	}
	// The close keeps its summary; the full run is recorded as a rerun.
	closed, reruns, err := db.EODSummary(storetest.Ctx(), d)
	if err != nil {
		t.Fatal(err)
	}
	if closed.Mode != eod.ModeIncremental || len(reruns) != 1 || reruns[0].Mode != eod.ModeFull {
		t.Errorf("summaries of %v: close %s, reruns %+v; want the incremental close kept and one full rerun", d, closed.Mode, reruns)
	}
	checkCache(t, db)
}
