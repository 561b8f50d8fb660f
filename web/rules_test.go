package web_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"daihou"
	"daihou/civil"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/warning"
	"daihou/web/api"
)

// watchAll puts a rule true on every loan, handled by collectors, so that
// the next close of business raises one warning on each.
func watchAll(t *testing.T, b *book) {
	t.Helper()
	_, err := b.db.PutRule(b.as["risk"], warning.Rule{Code: "watch_all", Version: 1, Name: "Watch every loan", Expr: "dpd >= 0",
		Severity: warning.Yellow, Cooldown: 30, Owner: "collector", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
}

// warningOn returns the id of the latest warning on a loan.
func warningOn(t *testing.T, b *book, loan int64) int64 {
	t.Helper()
	ws, err := b.db.Warnings(b.as["risk"], store.WarningFilter{Loan: loan})
	if err != nil || len(ws) == 0 {
		t.Fatalf("warnings on loan %d: %v, %v", loan, ws, err)
	}
	return ws[0].ID
}

// The rules and warnings of the API: a risk officer writes rules, nobody
// else does; a rule that does not compile is refused with its position; a
// collector sees and handles the warnings on the loans assigned to them
// and no other, a warning elsewhere answering as one that does not exist;
// the life cycle refuses a move with 409; every filter is checked.
func TestRulesAndWarnings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		watchAll(t, b)
		if _, err := (&eod.Runner{Store: b.db}).Close(storetest.EOD(), civil.MustParse("2026-01-10"), false); err != nil {
			t.Fatal(err)
		}
		risk, col, col2 := b.bearer["risk"], b.bearer["col"], b.bearer["col2"]
		call := func(method, path, token, body string) reply {
			t.Helper()
			return do(t, method, b.base+path, token, body)
		}
		decodeAs := func(what string, r reply, want int, v any) {
			t.Helper()
			if r.status != want {
				t.Fatalf("%s: %s, want %d", what, r, want)
			}
			if err := json.Unmarshal(r.body, v); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}

		// Writing rules.
		const good = `{"name":"Inquiries 多头","expr":"inquiries_1m >= 3 && dpd >= 0","severity":"黄","cooldown":30,"owner":"risk-officer"}`
		problem(t, "a collector puts a rule", call("PUT", "/api/v1/rules/inquiries_3", col, good), 403, daihou.EUNAUTHORIZED)
		problem(t, "a manager switches a rule off", call("PATCH", "/api/v1/rules/watch_all", b.bearer["mgr"], `{"enabled":false}`), 403, daihou.EUNAUTHORIZED)
		var rule api.Rule
		decodeAs("a risk officer puts a new rule", call("PUT", "/api/v1/rules/inquiries_3", risk, good), 200, &rule)
		if rule.Code != "inquiries_3" || rule.Version != 1 || rule.Enabled || rule.Severity != "yellow" || rule.SeverityZH != "黄" {
			t.Errorf("new rule: %+v, want version 1, off, yellow", rule)
		}
		decodeAs("the rule switched on", call("PATCH", "/api/v1/rules/inquiries_3", risk, `{"enabled":true}`), 200, &rule)
		if rule.Version != 2 || !rule.Enabled {
			t.Errorf("switched on: %+v, want version 2, on", rule)
		}
		decodeAs("switched on again", call("PATCH", "/api/v1/rules/inquiries_3", risk, `{"enabled":true}`), 200, &rule)
		if rule.Version != 2 {
			t.Errorf("switching on a rule that is on made version %d", rule.Version)
		}
		decodeAs("an edit keeps it on", call("PUT", "/api/v1/rules/inquiries_3", risk, strings.Replace(good, ">= 3", ">= 4", 1)), 200, &rule)
		if rule.Version != 3 || !rule.Enabled || !strings.Contains(rule.Expr, ">= 4") {
			t.Errorf("edit: %+v, want version 3, on, the new expression", rule)
		}
		for _, c := range []struct {
			name, path, body, field, says string
		}{
			{"a bad expression", "/api/v1/rules/inquiries_3", `{"name":"x","expr":"inquiries_1m >= ","severity":"red","owner":"risk-officer"}`, "expr", "1:"},
			{"an unknown variable", "/api/v1/rules/inquiries_3", `{"name":"x","expr":"inquries_1m >= 3","severity":"red","owner":"risk-officer"}`, "expr", "inquries_1m"},
			{"a number for a bool", "/api/v1/rules/inquiries_3", `{"name":"x","expr":"inquiries_1m","severity":"red","owner":"risk-officer"}`, "expr", "bool"},
			{"a bad severity", "/api/v1/rules/inquiries_3", `{"name":"x","expr":"dpd > 1","severity":"purple","owner":"risk-officer"}`, "severity", "purple"},
			{"a bad owner", "/api/v1/rules/inquiries_3", `{"name":"x","expr":"dpd > 1","severity":"red","owner":"janitor"}`, "owner", "janitor"},
			{"another code in the body", "/api/v1/rules/inquiries_3", `{"code":"other","name":"x","expr":"dpd > 1","severity":"red","owner":"legal"}`, "code", "other"},
			{"a bad code", "/api/v1/rules/Bad-Code", `{"name":"x","expr":"dpd > 1","severity":"red","owner":"legal"}`, "code", "a-z"},
			{"no enabled", "/api/v1/rules/inquiries_3", `{"enabled":null}`, "enabled", "required"},
		} {
			method := "PUT"
			if c.field == "enabled" {
				method = "PATCH"
			}
			p := problem(t, c.name, call(method, c.path, risk, c.body), 400, daihou.EINVALID)
			if p.Field != c.field || !strings.Contains(p.Message, c.says) {
				t.Errorf("%s: field %q, %q; want field %q saying %q", c.name, p.Field, p.Message, c.field, c.says)
			}
		}
		p := problem(t, "a bad expression", call("PUT", "/api/v1/rules/inquiries_3", risk, `{"name":"x","expr":"dpd > 1 &&\n  court_cases >","severity":"red","owner":"legal"}`), 400, daihou.EINVALID)
		if !strings.Contains(p.Message, "2:") {
			t.Errorf("a bad expression on line 2: %q, want its position 2:…", p.Message)
		}
		problem(t, "switching a rule that does not exist", call("PATCH", "/api/v1/rules/nope", risk, `{"enabled":true}`), 404, daihou.ENOTFOUND)

		// Reading rules.
		problem(t, "a collector lists the rules", call("GET", "/api/v1/rules", col, ""), 403, daihou.EUNAUTHORIZED)
		var list struct{ Rules []api.Rule }
		decodeAs("the rules", call("GET", "/api/v1/rules", b.bearer["aud"], ""), 200, &list)
		var codes []string
		for _, r := range list.Rules {
			codes = append(codes, r.Code)
		}
		if !slices.Contains(codes, "watch_all") || !slices.Contains(codes, "court_case") || !slices.IsSorted(codes) {
			t.Errorf("rules %q, want the defaults and watch_all, by code", codes)
		}
		var h api.RuleHistory
		decodeAs("a rule's history", call("GET", "/api/v1/rules/inquiries_3", b.bearer["mgr"], ""), 200, &h)
		if h.Rule.Version != 3 || len(h.Versions) != 3 || h.Versions[0].Version != 3 || !slices.Equal(h.Vars, []string{"inquiries_1m", "dpd"}) {
			t.Errorf("history: %+v", h)
		}
		for _, v := range h.Versions {
			if v.By != "user:risk" || v.At == "" {
				t.Errorf("version %d: put by %q at %q, want user:risk and a time", v.Version, v.By, v.At)
			}
		}
		problem(t, "a rule that does not exist", call("GET", "/api/v1/rules/nope", risk, ""), 404, daihou.ENOTFOUND)

		// The warnings of each actor's scope.
		ids := func(who, query string) []int64 {
			t.Helper()
			var page struct{ Warnings []api.Warning }
			decodeAs("warnings as "+who, call("GET", "/api/v1/warnings"+query, b.bearer[who], ""), 200, &page)
			var out []int64
			for _, w := range page.Warnings {
				if w.Rule != "watch_all" || w.State != "raised" || w.Severity != "yellow" || w.SeverityZH != "黄" || w.Reason != "dpd=0" || w.Raised.String() != "2026-01-10" {
					t.Errorf("warning %+v", w)
				}
				out = append(out, w.LoanID)
			}
			slices.Sort(out)
			return out
		}
		all := append(slices.Clone(b.loans), b.pii)
		for _, c := range []struct {
			who, query string
			want       []int64
		}{
			{"risk", "", all},
			{"core", "?state=open&severity=yellow", all},
			{"col", "", []int64{b.loans[0], b.pii}},
			{"col", "?loan=TL0", []int64{b.loans[0]}},
			{"col2", "", []int64{b.loans[2]}},
			{"am", "", []int64{b.pii}},
			{"risk", "?rule=court_case", nil},
			{"risk", "?state=resolved", nil},
			{"risk", "?from=2026-01-11", nil},
			{"risk", "?to=2026-01-09", nil},
			{"risk", "?limit=2", all[3:]},
		} {
			if got := ids(c.who, c.query); !slices.Equal(got, c.want) {
				t.Errorf("GET /api/v1/warnings%s as %s: loans %v, want %v", c.query, c.who, got, c.want)
			}
		}
		// A loan outside the scope is a filter that names nothing, as one
		// that does not exist.
		outside := problem(t, "a collector filters by another's loan", call("GET", "/api/v1/warnings?loan=TL1", col, ""), 400, daihou.EINVALID)
		none := problem(t, "a filter by a loan that does not exist", call("GET", "/api/v1/warnings?loan=NOPE", col, ""), 400, daihou.EINVALID)
		if outside.Field != "loan" || strings.ReplaceAll(outside.Message, "TL1", "X") != strings.ReplaceAll(none.Message, "NOPE", "X") {
			t.Errorf("loan outside the scope %+v, loan that does not exist %+v: a collector can tell them apart", outside, none)
		}
		for _, c := range []struct{ query, field string }{
			{"state=bogus", "state"},
			{"severity=purple", "severity"},
			{"from=2026-13-01", "from"},
			{"to=yesterday", "to"},
			{"from=2026-02-01&to=2026-01-01", "to"},
			{"limit=0", "limit"},
			{"limit=10001", "limit"},
			{"limit=ten", "limit"},
			{"rule=Court-Case", "rule"},
			{"rule=" + strings.Repeat("a", 41), "rule"},
		} {
			p := problem(t, "GET /api/v1/warnings?"+c.query, call("GET", "/api/v1/warnings?"+c.query, risk, ""), 400, daihou.EINVALID)
			if p.Field != c.field {
				t.Errorf("GET /api/v1/warnings?%s: field %q, want %q", c.query, p.Field, c.field)
			}
		}

		// Handling warnings: a collector's own, in the life cycle's order.
		mine, theirs, nobodys := warningOn(t, b, b.loans[0]), warningOn(t, b, b.loans[2]), warningOn(t, b, b.loans[1])
		want := problem(t, "a warning that does not exist", call("POST", "/api/v1/warnings/999999/ack", col, `{"note":"x"}`), 404, daihou.ENOTFOUND)
		for _, id := range []int64{theirs, nobodys} {
			got := problem(t, "a collector acknowledges a warning outside their queue", call("POST", fmt.Sprintf("/api/v1/warnings/%d/ack", id), col, `{"note":"x"}`), 404, daihou.ENOTFOUND)
			if strings.ReplaceAll(got.Message, strconv.FormatInt(id, 10), "ID") != strings.ReplaceAll(want.Message, "999999", "ID") {
				t.Errorf("warning outside the queue: %q; one that does not exist: %q", got.Message, want.Message)
			}
		}
		problem(t, "a malformed warning id", call("POST", "/api/v1/warnings/abc/ack", col, `{"note":"x"}`), 404, daihou.ENOTFOUND)
		problem(t, "a note too long", call("POST", fmt.Sprintf("/api/v1/warnings/%d/ack", mine), col, `{"note":"`+strings.Repeat("n", 501)+`"}`), 400, daihou.EINVALID)
		problem(t, "an auditor acknowledges", call("POST", fmt.Sprintf("/api/v1/warnings/%d/ack", nobodys), b.bearer["aud"], `{"note":"x"}`), 403, daihou.EUNAUTHORIZED)
		var w api.Warning
		decodeAs("acknowledged", call("POST", fmt.Sprintf("/api/v1/warnings/%d/ack", mine), col, `{"note":"called the borrower"}`), 200, &w)
		if w.State != "acknowledged" || w.Note != "called the borrower" || w.By != "user:col" || w.Changed.String() != "2026-01-10" {
			t.Errorf("acknowledged: %+v", w)
		}
		p = problem(t, "acknowledged twice", call("POST", fmt.Sprintf("/api/v1/warnings/%d/ack", mine), col, `{"note":"again"}`), 409, daihou.ECONFLICT)
		if !strings.Contains(p.Message, "acknowledged → acknowledged") {
			t.Errorf("acknowledged twice: %q, want it to name the move", p.Message)
		}
		decodeAs("resolved with no body", call("POST", fmt.Sprintf("/api/v1/warnings/%d/resolve", mine), col, ""), 200, &w)
		if w.State != "resolved" || w.Note != "" {
			t.Errorf("resolved: %+v", w)
		}
		problem(t, "escalating a resolved warning", call("POST", fmt.Sprintf("/api/v1/warnings/%d/escalate", mine), col, `{"note":"x"}`), 409, daihou.ECONFLICT)
		decodeAs("escalated by another collector", call("POST", fmt.Sprintf("/api/v1/warnings/%d/escalate", theirs), col2, `{"note":"legal, please"}`), 200, &w)
		if w.State != "escalated" {
			t.Errorf("escalated: %+v", w)
		}
		if got := ids("col", "?state=open"); !slices.Equal(got, []int64{b.pii}) {
			t.Errorf("the collector's open warnings after resolving one: loans %v, want %v", got, []int64{b.pii})
		}

		// The live report and the back-test.
		problem(t, "a collector reads the warning report", call("GET", "/api/v1/reports/warnings?from=2026-01-01&to=2026-01-10", col, ""), 403, daihou.EUNAUTHORIZED)
		var rep api.WarningReport
		decodeAs("the warning report", call("GET", "/api/v1/reports/warnings?from=2026-01-01&to=2026-01-10", b.bearer["mgr"], ""), 200, &rep)
		if rep.Set.Warnings != 5 || rep.Set.Loans != 5 || len(rep.Rules) != 1 || rep.Rules[0].Rule != "watch_all" || rep.AsOf.String() != "2026-01-10" {
			t.Errorf("report: %+v", rep)
		}
		for _, q := range []string{"", "from=2026-01-01", "from=2026-01-01&to=x", "from=2026-02-01&to=2026-01-01"} {
			problem(t, "the warning report ?"+q, call("GET", "/api/v1/reports/warnings?"+q, risk, ""), 400, daihou.EINVALID)
		}
		problem(t, "a collector back-tests", call("POST", "/api/v1/rules/backtest", col, `{"from":"2026-01-10","to":"2026-01-10"}`), 403, daihou.EUNAUTHORIZED)
		var bt api.Backtest
		decodeAs("a back-test of a draft", call("POST", "/api/v1/rules/backtest", risk,
			`{"from":"2026-01-10","to":"2026-01-10","rules":[{"code":"branch_bj","name":"Beijing","expr":"branch == \"BJ01\"","severity":"red","owner":"legal","enabled":false}]}`), 200, &bt)
		if bt.Loans != 5 || bt.Warnings != 5 || bt.Report.Set.Warnings != 5 || bt.Random.Set.Warnings != 5 || len(bt.Report.Rules) != 1 || bt.Report.Rules[0].Rule != "branch_bj" {
			t.Errorf("back-test of a draft: %+v", bt)
		}
		if _, err := b.db.RuleVersions(storetest.Ctx(), "branch_bj"); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("the back-tested draft was stored: %v", err)
		}
		for _, c := range []struct{ body, field string }{
			{`{"from":"2026-01-10"}`, "to"},
			{`{"from":"2026-1-10","to":"2026-01-10"}`, "from"},
			{`{"from":"2026-01-10","to":"2026-01-10","rules":[{"name":"x","expr":"dpd > 1","severity":"red","owner":"legal"}]}`, "rules"},
			{`{"from":"2026-01-10","to":"2026-01-10","rules":[{"code":"x","name":"x","expr":"dpd >","severity":"red","owner":"legal"}]}`, "expr"},
		} {
			p := problem(t, "back-test "+c.body, call("POST", "/api/v1/rules/backtest", risk, c.body), 400, daihou.EINVALID)
			if p.Field != c.field {
				t.Errorf("back-test %s: field %q, want %q", c.body, p.Field, c.field)
			}
		}
		if p := problem(t, "a back-test past the business date", call("POST", "/api/v1/rules/backtest", risk, `{"from":"2026-01-10","to":"2026-02-10"}`), 400, daihou.EINVALID); p.Field != "to" {
			t.Errorf("a back-test past the business date: field %q, want to", p.Field)
		}
	})
}
