package eodqueue_test

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib"

	"daihou/civil"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

var cfg = synth.Config{Seed: 7, Loans: 4000, Months: 12, Until: civil.MustParse("2026-03-27")}

// Close of business with three worker processes on PostgreSQL, one of them
// killed with SIGKILL in the middle of a partition, ends exactly as a
// single-process run on the same data: the dead worker's partition is
// re-leased to another worker, resumed from its last committed chunk, and
// nothing is lost or counted twice (a full run rebuilds the aggregates from
// the per-loan records at the end and finds no cell to correct).
func TestScaleOutEODSurvivesWorkerSIGKILL(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("PostgreSQL not tested: set " + storetest.EnvPostgres + "=postgres://… to run this against it")
	}
	ctx := storetest.Ctx()
	bin := filepath.Join(t.TempDir(), "daihou")
	if out, err := exec.Command("go", "build", "-o", bin, "daihou/cmd/daihou").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	d := cfg.Until.AddDays(1)

	single := storetest.DSN(t, "postgres")
	db := mustGen(t, single)
	if _, err := (&eod.Runner{Store: db, ChunkSize: 50}).Close(ctx, d, true); err != nil {
		t.Fatal(err)
	}
	db.Close()

	scaled := storetest.DSN(t, "postgres")
	db = mustGen(t, scaled)
	defer db.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "eod", "--db", scaled, "--date", d.String(), "--full", "--chunk", "50",
		"--workers", "3", "--partitions", "6", "--rescue-after", "2s", "--throttle", "25ms", "--json")
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), storetest.KeyEnv())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()

	// Kill the worker of a partition that has committed a few chunks and
	// has more to do.
	var killed string
	var part int
	deadline := time.Now().Add(30 * time.Second)
	for killed == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no partition in progress to kill a worker of; coordinator says:\n%s", stderr.String())
		}
		parts, err := db.Partitions(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			if !p.Done && p.Chunks >= 2 && p.LastLoan < p.Hi-200 {
				_, pid, _ := strings.Cut(p.Worker, "/")
				n, err := strconv.Atoi(pid)
				if err != nil {
					t.Fatalf("worker %q", p.Worker)
				}
				if err := syscall.Kill(n, syscall.SIGKILL); err != nil {
					t.Fatalf("kill worker %d: %v", n, err)
				}
				killed, part = p.Worker, p.Part
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
	}

	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("daihou eod --workers 3: %v\n%s", err, stderr.String())
		}
	case <-time.After(120 * time.Second):
		t.Fatalf("daihou eod --workers 3 did not finish; stderr:\n%s", stderr.String())
	}
	parts, err := db.Partitions(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if !p.Done {
			t.Errorf("partition %d is not done", p.Part)
		}
	}
	if w := parts[part].Worker; w == killed || w == "" {
		t.Errorf("partition %d finished by %q, want another worker than the killed %q", part, w, killed)
	}
	if !strings.Contains(stderr.String(), "signal: killed") {
		t.Errorf("the coordinator did not report the killed worker:\n%s", stderr.String())
	}
	sum, _, err := db.EODSummary(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	// Every loan once, and again those that contagion or a posting marked
	// after their partition had passed them.
	if sum.CellsHealed != 0 || sum.Touched < int64(cfg.Loans) || sum.Touched > int64(cfg.Loans)+sum.NewEvents {
		t.Errorf("summary %+v: want every loan touched, at most the marked ones twice, and no aggregate cell corrected", sum)
	}
	if diff := cmp.Diff(dump(t, single), dump(t, scaled)); diff != "" {
		t.Errorf("three workers, one killed, differ from a single-process run (-single +scaled):\n%s", diff)
	}
}

func mustGen(t *testing.T, dsn string) *store.DB {
	t.Helper()
	ctx := storetest.Ctx()
	if err := storetest.GenInto(ctx, dsn, cfg); err != nil {
		t.Fatal(err)
	}
	db, err := storetest.OpenDSN(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// dump is storetest.Dump of the PostgreSQL schema dsn names; every table
// but the event marks must hold rows, or the comparison proves nothing.
func dump(t *testing.T, dsn string) map[string][]string {
	t.Helper()
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	out := storetest.Dump(t, raw)
	for name, rows := range out {
		// No one makes a promise to pay without a person or a channel
		// to take it: close of business alone leaves promises empty.
		if len(rows) == 0 && name != "eod_dirty" && name != "promises" {
			t.Fatalf("%s is empty", name)
		}
	}
	return out
}
