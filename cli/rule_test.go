package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The early-warning commands on a small generated book: rules listed, put
// (a bad expression refused at its position, nothing stored), switched on
// and off, shown with their versions, tested on a loan and back-tested;
// warnings listed and moved through their life cycle, a move it does not
// allow refused; the live report; and who may do what.
func TestRuleAndWarningCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "book.db")
	if _, errs, code := run(t, db, "gen", "--loans", "300", "--months", "6", "--until", "2026-03-31"); code != 0 {
		t.Fatal(errs)
	}
	if _, errs, code := run(t, db, "eod", "--date", "2026-04-15"); code != 0 {
		t.Fatal(errs)
	}
	mustRun := func(args ...string) string {
		t.Helper()
		out, errs, code := run(t, db, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		return out
	}
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	type rule struct {
		Code     string
		Version  int
		Enabled  bool
		Severity string
		Expr     string
	}
	rules := func() map[string]rule {
		t.Helper()
		var rs []rule
		if err := json.Unmarshal([]byte(mustRun("rule", "list", "--json")), &rs); err != nil {
			t.Fatal(err)
		}
		out := map[string]rule{}
		for _, r := range rs {
			out[r.Code] = r
		}
		return out
	}

	// The defaults, listed.
	out := mustRun("rule", "list")
	for _, want := range []string{"court_case", "first_payment_default", "橙 orange", "court_new_3m > 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("rule list: no %q in\n%s", want, out)
		}
	}
	if r := rules()["court_case"]; r.Version != 1 || !r.Enabled || r.Severity != "orange" {
		t.Errorf("court_case: %+v", r)
	}

	// Put: a new rule (off) and a new version of a default (kept on).
	good := file("good.json", `[
  {"code": "big_overdue", "name": "Big overdue 大额逾期", "expr": "overdue >= 500000 && dpd >= 15",
   "severity": "红", "cooldown": 30, "owner": "collector", "description": "a lot past due"},
  {"code": "court_case", "name": "Court case 涉诉", "expr": "court_new_3m > 0 || court_cases >= 2",
   "severity": "orange", "cooldown": 90, "owner": "legal"}
]`)
	out = mustRun("rule", "put", good)
	if !strings.Contains(out, "rule big_overdue: version 1 stored (off, 红 red") || !strings.Contains(out, "rule court_case: version 2 stored (on") {
		t.Errorf("rule put:\n%s", out)
	}
	// A bad expression: the reason at its line and column, nothing stored.
	for _, c := range []struct {
		name, text, says string
	}{
		{"a syntax error", `{"code": "big_overdue", "name": "x", "expr": "overdue >= ", "severity": "red", "owner": "collector"}`, "1:12"},
		{"on its second line", `{"code": "big_overdue", "name": "x", "expr": "dpd >= 1 &&\n  overdue >", "severity": "red", "owner": "collector"}`, "2:"},
		{"an unknown variable", `{"code": "big_overdue", "name": "x", "expr": "overdu >= 1.0", "severity": "red", "owner": "collector"}`, "unknown variables: overdu"},
		{"a double for money (fen)", `{"code": "big_overdue", "name": "x", "expr": "overdue >= 5000.0", "severity": "red", "owner": "collector"}`, "1:"},
		{"a bad one after a good one", `[{"code": "court_case", "name": "x", "expr": "dpd > 1", "severity": "red", "owner": "legal"},
		  {"code": "big_overdue", "name": "x", "expr": "dpd >", "severity": "red", "owner": "collector"}]`, "nothing was stored"},
		{"a bad severity", `{"code": "big_overdue", "name": "x", "expr": "dpd > 1", "severity": "purple", "owner": "collector"}`, "purple"},
		{"an unknown field", "{\"code\": \"big_overdue\",\n \"expresion\": \"dpd > 1\"}", `2:`},
		{"no code", `{"name": "x", "expr": "dpd > 1", "severity": "red", "owner": "collector"}`, "no code"},
	} {
		_, errs, code := run(t, db, "rule", "put", file("bad.json", c.text))
		if code != 3 || !strings.Contains(errs, c.says) {
			t.Errorf("rule put, %s: exit %d, %q; want exit 3 saying %q", c.name, code, errs, c.says)
		}
	}
	if _, errs, _ := run(t, db, "rule", "put", file("bad.json", `{"code": "big_overdue", "name": "x", "expr": "overdue >= ", "severity": "red", "owner": "collector"}`)); !strings.Contains(errs, "Syntax error") {
		t.Errorf("rule put with a bad expression: %q, want the reason", errs)
	}
	if rs := rules(); rs["big_overdue"].Version != 1 || rs["court_case"].Version != 2 {
		t.Errorf("after the refused puts: big_overdue %+v, court_case %+v; want versions 1 and 2", rs["big_overdue"], rs["court_case"])
	}

	// Switched on and off.
	if out := mustRun("rule", "enable", "big_overdue"); !strings.Contains(out, "rule big_overdue is on: version 2") {
		t.Errorf("rule enable: %s", out)
	}
	if out := mustRun("rule", "enable", "big_overdue"); !strings.Contains(out, "already on (version 2)") {
		t.Errorf("rule enable again: %s", out)
	}
	if out := mustRun("rule", "disable", "court_case"); !strings.Contains(out, "rule court_case is off: version 3") {
		t.Errorf("rule disable: %s", out)
	}
	if rs := rules(); !rs["big_overdue"].Enabled || rs["court_case"].Enabled {
		t.Errorf("after enable and disable: %+v %+v", rs["big_overdue"], rs["court_case"])
	}
	if _, errs, code := run(t, db, "rule", "enable", "nope"); code != 4 || !strings.Contains(errs, "rule list") {
		t.Errorf("enable a rule that does not exist: exit %d %q", code, errs)
	}

	// Shown with its variables and versions.
	out = mustRun("rule", "show", "big_overdue")
	for _, want := range []string{"big_overdue version 2 — Big overdue 大额逾期", "Variables it reads", "overdue", "dpd", "Versions", "local", "a lot past due"} {
		if !strings.Contains(out, want) {
			t.Errorf("rule show: no %q in\n%s", want, out)
		}
	}
	var h struct {
		Vars     []string
		Versions []struct {
			Version int
			By      string
			At      string
		}
	}
	if err := json.Unmarshal([]byte(mustRun("rule", "show", "big_overdue", "--json")), &h); err != nil {
		t.Fatal(err)
	}
	if strings.Join(h.Vars, ",") != "overdue,dpd" || len(h.Versions) != 2 || h.Versions[0].Version != 2 || h.Versions[1].By != "local" || h.Versions[1].At == "" {
		t.Errorf("rule show --json: %+v", h)
	}

	// Warnings: listed, then moved through their life cycle.
	var ws []struct {
		ID     int64  `json:"id"`
		LoanID int64  `json:"loan_id"`
		Rule   string `json:"rule"`
		Raised string `json:"raised"`
		State  string `json:"state"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(mustRun("warning", "list", "--json", "--state", "open")), &ws); err != nil {
		t.Fatal(err)
	}
	if len(ws) < 2 {
		t.Fatalf("%d open warnings on the generated book, want a few", len(ws))
	}
	out = mustRun("warning", "list", "--limit", "5")
	for _, want := range []string{"severity", "reason", strconv.FormatInt(ws[0].ID, 10), ws[0].Rule, "raised"} {
		if !strings.Contains(out, want) {
			t.Errorf("warning list: no %q in\n%s", want, out)
		}
	}
	if !strings.Contains(out, "红 red") && !strings.Contains(out, "橙 orange") && !strings.Contains(out, "黄 yellow") {
		t.Errorf("warning list: no severity in both languages:\n%s", out)
	}
	loan := strconv.FormatInt(ws[0].LoanID, 10)
	var one []struct {
		LoanID int64 `json:"loan_id"`
	}
	json.Unmarshal([]byte(mustRun("warning", "list", "--loan", loan, "--rule", ws[0].Rule, "--json")), &one)
	if len(one) == 0 || one[0].LoanID != ws[0].LoanID {
		t.Errorf("warning list --loan %s: %+v", loan, one)
	}

	// The rule of the newest warning, tested on its loan today: true, for
	// the reason the warning gives when it was raised today.
	out = mustRun("rule", "test", ws[0].Rule, "--loan", loan)
	if !strings.Contains(out, "as of 2026-04-15: true") || ws[0].Raised == "2026-04-15" && !strings.Contains(out, ws[0].Reason) {
		t.Errorf("rule test %s on loan %s (warning %+v):\n%s", ws[0].Rule, loan, ws[0], out)
	}
	var res struct {
		Result bool
		Notes  []string
	}
	json.Unmarshal([]byte(mustRun("rule", "test", "court_case", "--loan", loan, "--date", "2026-04-10", "--json")), &res)
	if res.Result || len(res.Notes) != 2 { // replayed, and the rule is off
		t.Errorf("rule test court_case on an earlier date: %+v", res)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"rule", "test", "court_case", "--loan", "NOPE"}, 4},
		{[]string{"rule", "test", "nope", "--loan", loan}, 4},
		{[]string{"rule", "test", "court_case"}, 2},
		{[]string{"rule", "test", "court_case", "--loan", loan, "--date", "2026-05-01"}, 3},
	} {
		if _, errs, code := run(t, db, c.args...); code != c.code {
			t.Errorf("%s: exit %d %q, want %d", strings.Join(c.args, " "), code, errs, c.code)
		}
	}

	id := strconv.FormatInt(ws[0].ID, 10)
	if out := mustRun("warning", "ack", id, "--note", "called the borrower"); !strings.Contains(out, "warning "+id) || !strings.Contains(out, "acknowledged on 2026-04-15 by local") {
		t.Errorf("warning ack: %s", out)
	}
	if _, errs, code := run(t, db, "warning", "ack", id); code != 5 || !strings.Contains(errs, "acknowledged → acknowledged") {
		t.Errorf("warning ack twice: exit %d %q, want 5 naming the move", code, errs)
	}
	mustRun("warning", "resolve", id, "--note", "paid")
	if _, errs, code := run(t, db, "warning", "escalate", id); code != 5 || !strings.Contains(errs, "resolved → escalated") {
		t.Errorf("warning escalate once resolved: exit %d %q, want 5", code, errs)
	}
	var moved []struct {
		State string `json:"state"`
		Note  string `json:"note"`
	}
	json.Unmarshal([]byte(mustRun("warning", "list", "--state", "resolved", "--json")), &moved)
	if len(moved) != 1 || moved[0].Note != "paid" {
		t.Errorf("resolved warnings: %+v", moved)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"warning", "ack", "999999"}, 4},
		{[]string{"warning", "ack", "x"}, 2},
		{[]string{"warning", "list", "--state", "bogus"}, 3},
		{[]string{"warning", "list", "--severity", "purple"}, 3},
		{[]string{"warning", "list", "--from", "2026-13-01"}, 3},
		{[]string{"warning", "list", "--loan", "NOPE"}, 4},
	} {
		if _, errs, code := run(t, db, c.args...); code != c.code {
			t.Errorf("%s: exit %d %q, want %d", strings.Join(c.args, " "), code, errs, c.code)
		}
	}

	// The live report.
	out = mustRun("report", "warnings", "--from", "2026-01-01", "--to", "2026-04-15")
	for _, want := range []string{"outcomes as of 2026-04-15", "all rules", ws[0].Rule, "early 90+", "early 次级+", "hit 30+ in 90d", "hit 90+ in 90d"} {
		if !strings.Contains(out, want) {
			t.Errorf("report warnings: no %q in\n%s", want, out)
		}
	}
	type stat struct {
		Rule     string
		Warnings int
		Loans    int
		Hit30    struct{ Num, Den int } `json:"hit_30"`
	}
	var rep struct {
		Set   stat
		Rules []stat
	}
	json.Unmarshal([]byte(mustRun("report", "warnings", "--from", "2026-01-01", "--to", "2026-04-15", "--json")), &rep)
	sum := 0
	for _, s := range rep.Rules {
		sum += s.Warnings
	}
	if rep.Set.Warnings == 0 || rep.Set.Warnings != sum || rep.Set.Loans > rep.Set.Warnings {
		t.Errorf("report warnings --json: %+v", rep)
	}
	if _, _, code := run(t, db, "report", "warnings", "--from", "2026-04-15"); code != 2 {
		t.Errorf("report warnings without --to: exit %d, want 2", code)
	}

	// The back-test: of the rules switched on, and of a draft (not stored).
	out = mustRun("rule", "backtest", "--from", "2025-11-01", "--to", "2026-01-31")
	for _, want := range []string{"Back-test of the rules switched on", "outcomes as of 2026-04-15", "all rules", "random", "early 90+", "hit 30+ in 90d"} {
		if !strings.Contains(out, want) {
			t.Errorf("rule backtest: no %q in\n%s", want, out)
		}
	}
	var bt struct {
		Report, Random struct{ Set stat }
		Warnings       int
		Loans          int
	}
	json.Unmarshal([]byte(mustRun("rule", "backtest", "--from", "2025-11-01", "--to", "2026-01-31", "--json")), &bt)
	if bt.Loans != 300 || bt.Report.Set.Warnings == 0 || bt.Random.Set.Warnings != bt.Report.Set.Warnings {
		t.Errorf("rule backtest --json: %+v", bt)
	}
	draft := file("draft.json", `{"code": "any_dpd", "name": "Any DPD", "expr": "dpd >= 1", "severity": "yellow", "owner": "collector", "enabled": false}`)
	out = mustRun("rule", "backtest", "--from", "2025-11-01", "--to", "2026-01-31", "--rule", draft)
	if !strings.Contains(out, "the draft rules of "+draft+" (1)") || !strings.Contains(out, "any_dpd") {
		t.Errorf("rule backtest --rule:\n%s", out)
	}
	if _, _, code := run(t, db, "rule", "show", "any_dpd"); code != 4 {
		t.Errorf("the back-tested draft was stored: rule show exit %d", code)
	}
	if _, errs, code := run(t, db, "rule", "backtest", "--from", "2026-01-01", "--to", "2026-05-01"); code != 3 {
		t.Errorf("back-test past the business date: exit %d %q, want 3", code, errs)
	}

	// Help on every subcommand.
	for _, sub := range [][]string{{"rule"}, {"rule", "list"}, {"rule", "show"}, {"rule", "put"}, {"rule", "test"}, {"rule", "enable"}, {"rule", "disable"},
		{"rule", "backtest"}, {"warning"}, {"warning", "list"}, {"warning", "ack"}, {"warning", "escalate"}, {"warning", "resolve"}, {"report", "warnings"}} {
		_, errs, code := run(t, db, append(sub, "-h")...)
		if code != 0 || !strings.Contains(errs, "Usage") {
			t.Errorf("%s -h: exit %d %q", strings.Join(sub, " "), code, errs)
		}
	}

	// Who may: once the book has users, a collector may not put rules
	// nor read the report, a risk officer may; a collector handles the
	// warnings of their own queue only.
	mustRun("user", "add", "boss", "--admin", "--no-password")
	for _, u := range [][]string{{"col", "collector"}, {"risk", "risk-officer"}} {
		mustRun("user", "add", u[0], "--role", u[1], "--no-password", "--as", "boss")
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"rule", "put", good, "--as", "col"}, 6},
		{[]string{"rule", "disable", "big_overdue", "--as", "col"}, 6},
		{[]string{"rule", "list", "--as", "col"}, 6},
		{[]string{"report", "warnings", "--from", "2026-01-01", "--to", "2026-04-15", "--as", "col"}, 6},
		{[]string{"rule", "backtest", "--from", "2026-01-01", "--to", "2026-01-31", "--as", "col"}, 6},
		{[]string{"warning", "ack", strconv.FormatInt(ws[1].ID, 10), "--as", "col"}, 4}, // not in their queue
		{[]string{"rule", "put", good, "--as", "risk"}, 0},
	} {
		if _, errs, code := run(t, db, c.args...); code != c.code {
			t.Errorf("%s: exit %d %q, want %d", strings.Join(c.args, " "), code, errs, c.code)
		}
	}
	var none []struct{}
	json.Unmarshal([]byte(mustRun("warning", "list", "--as", "col", "--json")), &none)
	if len(none) != 0 {
		t.Errorf("a collector with no loans assigned sees %d warnings", len(none))
	}
}
