package web_test

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/eod"
	"daihou/report"
	"daihou/servicing"
	"daihou/store/storetest"
	"daihou/web"
)

// GET /api/v1/reports/collections and /strategies over HTTP, on every
// backend: a book closed through January with a little March collection
// work written into its tables answers the figures counted by hand, the
// same as the store's; a collector may not read it; bad input is a 400
// naming the field.
func TestCollectionReportsOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 2, "W")
		if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), civil.MustParse("2026-01-31"), false); err != nil {
			t.Fatal(err)
		}
		writeCollectionRows(t, backend, dsn)
		as := storetest.Users(t, db, "risk=risk-officer", "col=collector", "mgr=manager")
		bearer := map[string]string{}
		for _, who := range []string{"risk", "col", "mgr"} {
			tok, _, err := db.StartSession(as[who], time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			bearer[who] = tok
		}
		base := start(t, web.New(db, nil))
		march := "from=2026-03-01&to=2026-03-31"

		r := do(t, "GET", base+"/api/v1/reports/collections?"+march+"&by=arm", bearer["risk"], "")
		if r.status != 200 {
			t.Fatalf("collections: %s", r)
		}
		var rep report.CollectionReport
		if err := json.Unmarshal(r.body, &rep); err != nil {
			t.Fatal(err)
		}
		f := rep.Total.Figures
		// Two attempts, one connected and right-party, which took the
		// promise kept on 03-08; two episodes, one cured in 9 days.
		if f.Attempts != 2 || f.Connected != 1 || f.RPC != 1 || f.PromisesMade != 1 || f.PromisesKept != 1 || f.Episodes != 2 || f.Cured != 1 || f.CureDays != 9 ||
			int64(f.Cost) != 250 || int64(f.Collected) != 80000 {
			t.Errorf("totals %+v", f)
		}
		if k := rep.Total.KPIs.ContactRate; k.Num != 1 || k.Den != 2 || k.Value == nil || *k.Value != 0.5 {
			t.Errorf("contact rate %+v", k)
		}
		if k := rep.Total.KPIs.ComplaintRate; k.Num != 0 || k.Den != 1 {
			t.Errorf("complaint rate %+v", k)
		}
		if len(rep.Lines) != 2 || rep.Lines[0].Key != "challenger" || rep.Lines[1].Key != "champion" || rep.By != report.DimArm {
			t.Errorf("lines by arm %+v", rep.Lines)
		}
		// Null, not NaN or 0, where there is nothing to divide by.
		if !strings.Contains(string(r.body), `"promise_rate":{"num":0,"den":0,"value":null}`) {
			t.Errorf("the challenger's promise rate is not null: %s", r.body)
		}
		want, err := db.CollectionReport(as["mgr"], civil.MustParse("2026-03-01"), civil.MustParse("2026-03-31"), report.DimArm)
		if err != nil {
			t.Fatal(err)
		}
		wantJSON, _ := json.Marshal(want)
		if got, _ := json.Marshal(rep); string(got) != string(wantJSON) {
			t.Errorf("the API's report differs from the store's:\n%s\n%s", got, wantJSON)
		}

		r = do(t, "GET", base+"/api/v1/reports/strategies?"+march, bearer["mgr"], "")
		var srep report.StrategyReport
		if r.status != 200 || json.Unmarshal(r.body, &srep) != nil || len(srep.Comparisons) != 2 {
			t.Fatalf("strategies: %s", r)
		}
		if c := srep.Comparisons[1]; c.Segment != "auto / auto-voice-first" || c.Champion.Cured != 1 || c.Challenger.Episodes != 1 || c.Cure.Verdict != report.NotSignificant || c.Cure.CI == nil {
			t.Errorf("auto comparison %+v", c)
		}

		for _, c := range []struct{ path, field string }{
			{"/api/v1/reports/collections?by=region", "by"},
			{"/api/v1/reports/collections?from=March", "from"},
			{"/api/v1/reports/collections?from=2026-03-31&to=2026-03-01", "to"},
			{"/api/v1/reports/strategies?to=2026-13-01", "to"},
		} {
			if got := problem(t, c.path, do(t, "GET", base+c.path, bearer["risk"], ""), 400, daihou.EINVALID); got.Field != c.field {
				t.Errorf("%s: field %q, want %q", c.path, got.Field, c.field)
			}
		}
		for _, path := range []string{"/api/v1/reports/collections", "/api/v1/reports/strategies"} {
			problem(t, "a collector reads "+path, do(t, "GET", base+path, bearer["col"], ""), 403, daihou.EUNAUTHORIZED)
		}
	})
}

// writeCollectionRows writes a little March collection work into the
// tables of the book at dsn: loan 900001's episode (champion, auto,
// cured in 9 days, 800.00 collected) with alice's call that took a promise
// kept, and loan 900002's (challenger, auto-voice-first, rolled to M2)
// with an AI-voice call nobody answered.
func writeCollectionRows(t *testing.T, backend, dsn string) {
	t.Helper()
	driver, src := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
	if backend == "postgres" {
		driver, src = "pgx", dsn
	}
	raw, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	bind := func(q string) string {
		if backend != "postgres" {
			return q
		}
		for n := 1; strings.Contains(q, "?"); n++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
		}
		return q
	}
	d := func(s string) int64 { return int64(civil.MustParse(s)) }
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(bind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := raw.QueryRow(bind(q+" RETURNING id"), args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	exec(`INSERT INTO collection_episodes (loan_id, started, ended, outcome, strategy, arm, segment, entry_bucket, max_bucket, entry_overdue, collected)
		VALUES (900001, ?, ?, 'cured', 'two-track', 'champion', 'auto', 1, 1, 100000, 80000)`, d("2026-03-02"), d("2026-03-10"))
	exec(`INSERT INTO collection_episodes (loan_id, started, ended, outcome, strategy, arm, segment, entry_bucket, max_bucket, entry_overdue, collected)
		VALUES (900002, ?, 0, '', 'two-track', 'challenger', 'auto-voice-first', 1, 2, 100000, 0)`, d("2026-03-03"))
	task := id(`INSERT INTO tasks (loan_id, borrower_id, kind, origin, anchor, episode, arm, channel, created, due, sla, priority, assignee, team, state)
		VALUES (900001, 900001, 'call', 'test', ?, ?, 'champion', 'person', ?, ?, ?, 0, 'alice', 'east', 'done')`, d("2026-03-05"), d("2026-03-02"), d("2026-03-05"), d("2026-03-05"), d("2026-03-07"))
	contact := id(`INSERT INTO contacts (loan_id, borrower_id, task_id, at, business, channel, party, by_name, connected, rpc, outcome, cost, satisfaction)
		VALUES (900001, 900001, ?, 0, ?, 'call', 'debtor', 'alice', 1, 1, 'promise', 200, 4)`, task, d("2026-03-05"))
	id(`INSERT INTO contacts (loan_id, borrower_id, task_id, at, business, channel, party, by_name, connected, rpc, outcome, cost)
		VALUES (900002, 900002, 0, 0, ?, 'ai-voice', 'debtor', 'channel:ai-voice', 0, 0, 'no-answer', 50)`, d("2026-03-06"))
	id(`INSERT INTO promises (loan_id, task_id, contact_id, made, due, amount, paid, state, settled, by_name) VALUES (900001, ?, ?, ?, ?, 80000, 80000, 'kept', ?, 'alice')`,
		task, contact, d("2026-03-05"), d("2026-03-09"), d("2026-03-08"))
}
