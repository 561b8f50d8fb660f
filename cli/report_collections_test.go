package cli

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/eod"
	"daihou/report"
	"daihou/servicing"
	"daihou/store/storetest"
)

// collectionReportBook is a book closed through January with a little
// collection work in March written into its tables: two episodes (one per
// arm), a task of alice's, a call that took a promise and an AI-voice call
// nobody answered.
func collectionReportBook(t *testing.T) string {
	t.Helper()
	dsn := storetest.DSN(t, "sqlite")
	db := storetest.OpenPath(t, dsn)
	storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 2, "R")
	if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), civil.MustParse("2026-01-31"), false); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	d := func(s string) int64 { return int64(civil.MustParse(s)) }
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO collection_episodes (loan_id, started, ended, outcome, strategy, arm, segment, entry_bucket, max_bucket, entry_overdue, collected)
			VALUES (900001, ?, ?, 'cured', 'two-track', 'champion', 'auto', 1, 1, 100000, 80000)`, []any{d("2026-03-02"), d("2026-03-10")}},
		{`INSERT INTO collection_episodes (loan_id, started, ended, outcome, strategy, arm, segment, entry_bucket, max_bucket, entry_overdue, collected)
			VALUES (900002, ?, 0, '', 'two-track', 'challenger', 'auto-voice-first', 1, 2, 100000, 0)`, []any{d("2026-03-03")}},
		{`INSERT INTO tasks (id, loan_id, borrower_id, kind, origin, anchor, episode, arm, channel, created, due, sla, priority, assignee, team, state)
			VALUES (1, 900001, 900001, 'call', 'test', ?, ?, 'champion', 'person', ?, ?, ?, 0, 'alice', 'east', 'done')`, []any{d("2026-03-05"), d("2026-03-02"), d("2026-03-05"), d("2026-03-05"), d("2026-03-07")}},
		{`INSERT INTO contacts (id, loan_id, borrower_id, task_id, at, business, channel, party, by_name, connected, rpc, outcome, cost, satisfaction)
			VALUES (1, 900001, 900001, 1, 0, ?, 'call', 'debtor', 'alice', 1, 1, 'promise', 200, 4)`, []any{d("2026-03-05")}},
		{`INSERT INTO contacts (id, loan_id, borrower_id, task_id, at, business, channel, party, by_name, connected, rpc, outcome, cost)
			VALUES (2, 900002, 900002, 0, 0, ?, 'ai-voice', 'debtor', 'channel:ai-voice', 0, 0, 'no-answer', 50)`, []any{d("2026-03-06")}},
		{`INSERT INTO promises (loan_id, task_id, contact_id, made, due, amount, paid, state, settled, by_name) VALUES (900001, 1, 1, ?, ?, 80000, 80000, 'kept', ?, 'alice')`,
			[]any{d("2026-03-05"), d("2026-03-09"), d("2026-03-08")}},
	} {
		if _, err := raw.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return dsn
}

func TestReportCollectionsAndStrategies(t *testing.T) {
	t.Parallel()
	dsn := collectionReportBook(t)
	ok := func(args ...string) string {
		t.Helper()
		out, errs, code := run(t, dsn, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		return out
	}
	out := ok("report", "collections", "--from", "2026-03-01", "--to", "2026-03-31", "--by", "collector")
	for _, want := range []string{
		"Collections from 2026-03-01 to 2026-03-31",
		"contact rate 接通率", "50.00%", // 1 of 2 attempts connected
		"promise-kept rate 承诺兑现率", "100.00%",
		"cure rate 治愈率",                                  // 1 of 2 episodes
		"average collection cycle", "9.0 days", "0.0031", // 2.50 / 800.00
		"By collector", "alice", "channel:ai-voice", "(none)",
		"write-off ratio 核销率", "officer-loan churn",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report collections lacks %q:\n%s", want, out)
		}
	}
	// JSON without --by holds every dimension; the numbers are exact.
	var rep report.CollectionReport
	if err := json.Unmarshal([]byte(ok("report", "collections", "--from", "2026-03-01", "--to", "2026-03-31", "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	f := rep.Total.Figures
	if f.Contacts != 2 || f.Attempts != 2 || f.Connected != 1 || f.PromisesMade != 1 || f.PromisesKept != 1 || f.Episodes != 2 || f.Cured != 1 || f.CureDays != 9 || int64(f.Cost) != 250 {
		t.Errorf("totals %+v", f)
	}
	if k := rep.Total.KPIs.CureRate; k.Num != 1 || k.Den != 2 || k.Value == nil || *k.Value != 0.5 {
		t.Errorf("cure rate %+v", k)
	}
	dims := map[string]int{}
	for _, l := range rep.Lines {
		dims[l.Dimension]++
	}
	if len(dims) != 5 || dims["team"] != 2 { // east, and (none) for the AI voice
		t.Errorf("dimensions %v", dims)
	}
	if rep.Book == nil || rep.Book.AsOf != civil.MustParse("2026-01-31") {
		t.Errorf("book %+v", rep.Book)
	}

	out = ok("report", "strategies", "--from", "2026-03-01", "--to", "2026-03-31")
	for _, want := range []string{"Cure rate 治愈率", "Roll-forward rate", "(all)", "auto / auto-voice-first", "not significant", "difference [95% CI]", "800.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("report strategies lacks %q:\n%s", want, out)
		}
	}
	var srep report.StrategyReport
	if err := json.Unmarshal([]byte(ok("report", "strategies", "--from", "2026-03-01", "--to", "2026-03-31", "--json")), &srep); err != nil {
		t.Fatal(err)
	}
	if len(srep.Comparisons) != 2 || srep.Comparisons[0].Cure.CI == nil || srep.Comparisons[0].Cure.Verdict != report.NotSignificant {
		t.Errorf("strategies %+v", srep.Comparisons)
	}
	// The default period is the month of the last close: January, with
	// nothing in it but every closed date's stored figures (10 to 31).
	if err := json.Unmarshal([]byte(ok("report", "collections", "--json")), &rep); err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Trend); rep.From != civil.MustParse("2026-01-01") || rep.To != civil.MustParse("2026-01-31") || rep.Total.Figures.Contacts != 0 ||
		n < 22 || rep.Trend[n-1].Date != rep.To {
		t.Errorf("default period %v–%v, %d contacts, %d days of trend", rep.From, rep.To, rep.Total.Figures.Contacts, len(rep.Trend))
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "collections", "--by", "region"}, 3, "want collector, team, arm, bucket or channel"},
		{[]string{"report", "collections", "--from", "2026-03-31", "--to", "2026-03-01"}, 3, "before from"},
		{[]string{"report", "strategies", "--to", "31/03/2026"}, 3, "--to"},
		{[]string{"report", "strategies", "extra"}, 2, "no arguments"},
	} {
		_, errs, code := run(t, dsn, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d %q, want %d and %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
}
