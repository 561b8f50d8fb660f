package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// gen, eod and report end to end through the command line, with --json.
func TestGenEODReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bank.db")
	out, errs, code := run(t, db, "gen", "--loans", "1500", "--months", "6", "--seed", "3", "--until", "2026-04-20", "--json")
	if code != 0 {
		t.Fatalf("gen: exit %d %s", code, errs)
	}
	var gen genResult
	if err := json.Unmarshal([]byte(out), &gen); err != nil {
		t.Fatal(err)
	}
	if gen.Loans != 1500 || gen.Transactions < 1500 || gen.MonthEnds != 6 || gen.Until.String() != "2026-04-20" {
		t.Errorf("gen result %+v", gen)
	}
	if _, errs, code := run(t, db, "gen", "--loans", "10", "--months", "6"); code != 5 || !strings.Contains(errs, "empty database") {
		t.Errorf("gen into a database with loans: exit %d %q, want 5", code, errs)
	}

	out, errs, code = run(t, db, "eod")
	if code != 0 || !strings.Contains(out, "2026-04-21") || !strings.Contains(out, "incremental") {
		t.Fatalf("eod: exit %d %s\n%s", code, errs, out)
	}
	out, errs, code = run(t, db, "eod", "--date", "2026-05-02", "--json")
	if code != 0 {
		t.Fatalf("eod catch-up: exit %d %s", code, errs)
	}
	var sums struct {
		Dates []struct {
			Date    string `json:"date"`
			Mode    string `json:"mode"`
			Touched int64  `json:"touched"`
		} `json:"dates"`
	}
	if err := json.Unmarshal([]byte(out), &sums); err != nil {
		t.Fatal(err)
	}
	if n := len(sums.Dates); n != 11 || sums.Dates[0].Date != "2026-04-22" || sums.Dates[n-1].Date != "2026-05-02" {
		t.Errorf("catch-up closed %+v, want 2026-04-22 … 2026-05-02", sums.Dates)
	}
	if _, errs, code := run(t, db, "eod", "--date", "2026-04-30"); code != 5 {
		t.Errorf("closing a past date: exit %d %q, want 5", code, errs)
	}

	out, errs, code = run(t, db, "report")
	if code != 0 || !strings.Contains(out, "Portfolio on 2026-05-02") || !strings.Contains(out, "NPL ratio") || !strings.Contains(out, "Roll rates (迁徙率) 2026-04") ||
		!strings.Contains(out, "Vintages") || !strings.Contains(out, "关注") {
		t.Fatalf("report: exit %d %s\n%s", code, errs, out)
	}
	out, errs, code = run(t, db, "report", "--date", "2026-03-31", "--json")
	if code != 0 {
		t.Fatalf("report of a history month end: exit %d %s", code, errs)
	}
	var r struct {
		Date      string `json:"date"`
		Portfolio struct {
			ActiveLoans int64   `json:"active_loans"`
			NPLRatio    float64 `json:"npl_ratio"`
		} `json:"portfolio"`
		Roll struct {
			Month string `json:"month"`
		} `json:"roll"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Date != "2026-03-31" || r.Portfolio.ActiveLoans == 0 || r.Roll.Month != "2026-03" {
		t.Errorf("report JSON %+v", r)
	}
	if _, _, code := run(t, db, "report", "--date", "2026-01-15"); code != 4 {
		t.Errorf("report of a date without aggregates: exit %d, want 4", code)
	}
	for _, cmd := range []string{"gen", "eod", "report"} {
		if _, errs, code := run(t, db, "help", cmd); code != 0 || !strings.Contains(errs, "Usage: daihou "+cmd) {
			t.Errorf("help %s: exit %d %q", cmd, code, errs)
		}
	}
}
