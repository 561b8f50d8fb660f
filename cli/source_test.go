package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/source/sim"
	"daihou/synth"
)

// Pulling a source's feed from the simulator over real HTTP stores every
// record of it, in pages; a second pull resumes from the saved cursor and
// finds nothing new.
func TestSourcePullFromTheSimulator(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "book.db")
	cfg := synth.Config{Seed: 4, Loans: 400, Months: 6, Until: civil.MustParse("2026-03-31")}
	if _, errs, code := run(t, db, "gen", "--loans", "400", "--months", "6", "--seed", "4", "--until", "2026-03-31"); code != 0 {
		t.Fatalf("gen: %s", errs)
	}
	feed, err := sim.Build(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(feed.Handler())
	defer srv.Close()
	want := feed.Len("bureau")
	if want < 100 {
		t.Fatalf("the simulator has %d bureau records: too few to test with", want)
	}
	type result struct {
		Stored     int    `json:"stored"`
		Duplicates int    `json:"duplicates"`
		Rejected   int    `json:"rejected"`
		Pages      int    `json:"pages"`
		Cursor     string `json:"cursor"`
	}
	pull := func(url string) result {
		t.Helper()
		out, errs, code := run(t, db, "source", "pull", "--source", "bureau", "--url", url, "--limit", "97", "--rate", "0", "--json")
		if code != 0 {
			t.Fatalf("pull: exit %d: %s %s", code, out, errs)
		}
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("pull output %q: %v", out, err)
		}
		return r
	}
	first := pull(srv.URL + "/sources/bureau/records")
	if first.Stored != want || first.Rejected != 0 || first.Pages < want/97 {
		t.Fatalf("first pull: %+v, want all %d records stored in pages of 97", first, want)
	}
	if again := pull(srv.URL + "/sources/bureau/records"); again.Stored != 0 || again.Pages != 0 {
		t.Errorf("second pull: %+v, want nothing new after the saved cursor", again)
	}
	out, _, _ := run(t, db, "source", "list")
	if !strings.Contains(out, "bureau") || !strings.Contains(out, "inquiries") {
		t.Errorf("source list: %q", out)
	}
	// A pull stores as the source's system actor, but only for someone
	// allowed to take in external data: not a collector.
	for _, u := range [][]string{{"boss", "--admin"}, {"col", "--role", "collector", "--as", "boss"}} {
		if _, errs, code := run(t, db, append([]string{"user", "add", "--no-password"}, u...)...); code != 0 {
			t.Fatalf("user add %v: %s", u, errs)
		}
	}
	if out, errs, code := run(t, db, "source", "pull", "--source", "court", "--url", srv.URL+"/sources/court/records", "--rate", "0", "--as", "col"); code != 6 || strings.TrimSpace(out) != "" {
		t.Errorf("a collector's pull: exit %d %q %s, want 6 and nothing done", code, out, errs)
	}
}

// import signals keeps the good rows, reports each bad one with its line
// in the reject file, and stores nothing twice on re-delivery.
func TestImportSignals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "book.db")
	if _, errs, code := run(t, db, "gen", "--loans", "20", "--months", "3", "--until", "2026-03-31"); code != 0 {
		t.Fatalf("gen: %s", errs)
	}
	file := filepath.Join(dir, "bureau.csv")
	csv := "id,borrower,date,inquiries,open_loans,balance,overdue_accounts,overdue_amount\n" +
		"R1,BR0000000001,2026-03-30,3,2,12000.50,0,0\n" +
		"R2,BR0000000002,2026-03-30,many,2,1.00,0,0\n" +
		"R3,BR9999999999,2026-03-30,1,0,0,0,0\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, db, "import", "signals", "--source", "bureau", file)
	if code != 7 || !strings.Contains(out, "1 bureau records imported") || !strings.Contains(out, "line 3: inquiries") || !strings.Contains(out, "line 4: borrower: no borrower") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	rejects, err := os.ReadFile(file + ".rejects.csv")
	if err != nil || !strings.Contains(string(rejects), "R2,BR0000000002") || !strings.Contains(string(rejects), "R3,BR9999999999") {
		t.Errorf("reject file: %v\n%s", err, rejects)
	}
	out, _, _ = run(t, db, "import", "signals", "--source", "bureau", file)
	if !strings.Contains(out, "0 bureau records imported, 1 already present") {
		t.Errorf("re-delivery: %s", out)
	}
	if _, errs, code := run(t, db, "import", "signals", file); code != 2 || !strings.Contains(errs, "--source") {
		t.Errorf("without --source: exit %d %s", code, errs)
	}
}
