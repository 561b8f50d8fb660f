package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"daihou/collection"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web/api"
)

// collectionBook is a book of four loans disbursed on 2026-01-10 (CL0 …
// CL3, two to a borrower) with users — admin, zhang and li (collectors;
// CL0 is zhang's, CL2 li's), risk, mgr and aud — and the dsn of it.
func collectionBook(t *testing.T) (string, []int64) {
	t.Helper()
	dsn := storetest.DSN(t, "sqlite")
	db := storetest.OpenPath(t, dsn)
	loans := storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 4, "C")
	as := storetest.Users(t, db, "zhang=collector", "li=collector", "risk=risk-officer", "mgr=manager", "aud=auditor")
	for _, a := range []struct {
		loan int64
		to   string
	}{{loans[0], "zhang"}, {loans[2], "li"}} {
		if err := db.Assign(as["mgr"], a.loan, a.to, store.AssignCollection); err != nil {
			t.Fatal(err)
		}
		// Their queues are full: they keep the loans they hold and close
		// of business gives them no others.
		if err := db.PutCollector(as["admin"], store.Collector{Name: a.to, Capacity: 0}); err != nil {
			t.Fatal(err)
		}
	}
	return dsn, loans
}

// The collection commands on a small book: SOPs and strategies shown, put
// (a condition that does not compile refused at its step and position,
// nothing stored) and printed as defaults; close of business makes the
// SOP's tasks; a collector lists their queue (the loans assigned to them
// and no other), takes a call, is refused a call in the quiet hours with
// the rule, the reason and when it is next allowed, and records a promise
// to pay, which is stored; collectors' profiles and agencies set and
// listed, each by whom may.
func TestTaskSOPStrategyCollectorAgencyCommands(t *testing.T) {
	t.Parallel()
	dsn, loans := collectionBook(t)
	dir := t.TempDir()
	ok := func(args ...string) string {
		t.Helper()
		out, errs, code := run(t, dsn, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		return out
	}
	fails := func(want int, args ...string) string {
		t.Helper()
		out, errs, code := run(t, dsn, args...)
		if code != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return errs
	}
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// The defaults, to start from.
	var sop collection.SOP
	if err := json.Unmarshal([]byte(ok("sop", "default")), &sop); err != nil || !reflect.DeepEqual(sop, collection.DefaultSOP()) {
		t.Errorf("sop default: %+v, %v", sop, err)
	}
	var st collection.Strategy
	if err := json.Unmarshal([]byte(ok("strategy", "default")), &st); err != nil || !reflect.DeepEqual(st, collection.DefaultStrategy()) {
		t.Errorf("strategy default: %+v, %v", st, err)
	}
	if out := ok("sop", "show", "--as", "aud"); !strings.Contains(out, "revisit-30") || !strings.Contains(out, "disbursement + 30d") || !strings.Contains(out, "电话回访") {
		t.Errorf("sop show before any put:\n%s", out)
	}
	if errs := fails(6, "sop", "show", "--as", "zhang"); !strings.Contains(errs, "rule.read") {
		t.Errorf("a collector reading the SOP: %s", errs)
	}

	// Put: a bad condition is refused at its step and position.
	bad := file("bad.json", `{"code": "*", "name": "Welcome",
  "steps": [
    {"code": "welcome-call", "anchor": "disbursement", "offset": 0, "action": "call"},
    {"code": "welcome-sms", "anchor": "disbursement", "offset": 0, "action": "sms", "when": "dpd >= "}
  ]}`)
	if errs := fails(3, "sop", "put", bad, "--as", "risk"); !strings.Contains(errs, "steps[1] (welcome-sms)") || !strings.Contains(errs, "1:") || !strings.Contains(errs, "nothing was stored") {
		t.Errorf("sop put with a bad condition: %s", errs)
	}
	if errs := fails(3, "sop", "put", file("typo.json", `{"code": "*",
  "steps": [{"code": "x", "anchor": "disbursement", "ofset": 3, "action": "call"}]}`), "--as", "risk"); !strings.Contains(errs, "2:") || !strings.Contains(errs, `"ofset"`) {
		t.Errorf("sop put with a misspelt field: %s", errs)
	}
	good := file("good.json", strings.Replace(mustRead(t, bad), `, "when": "dpd >= "`, "", 1))
	fails(6, "sop", "put", good, "--as", "mgr")
	if out := ok("sop", "put", good, "--as", "risk"); !strings.Contains(out, "SOP *: version 1 stored (2 steps)") {
		t.Errorf("sop put: %q", out)
	}
	if out := ok("sop", "show", "--as", "mgr"); !strings.Contains(out, "welcome-sms") || strings.Contains(out, "revisit-30") {
		t.Errorf("sop show after the put:\n%s", out)
	}
	st.Split = 0
	st.Challenger = nil
	body, _ := json.Marshal(st)
	if out := ok("strategy", "put", file("strategy.json", string(body)), "--as", "risk"); !strings.Contains(out, "strategy two-track: version 1 stored (split 0%)") {
		t.Errorf("strategy put: %q", out)
	}
	st.Champion[0].When = "dpd >"
	body, _ = json.Marshal(st)
	if errs := fails(3, "strategy", "put", file("bad-strategy.json", string(body)), "--as", "risk"); !strings.Contains(errs, "champion[0] (late)") {
		t.Errorf("strategy put with a bad condition: %s", errs)
	}
	if out := ok("strategy", "show", "--as", "aud"); !strings.Contains(out, "0% of loans in the challenger arm") || !strings.Contains(out, "1, every 3 to 90") || !strings.Contains(out, "人工电催") {
		t.Errorf("strategy show:\n%s", out)
	}

	// Close of business makes the welcome call and text of every loan.
	ok("eod", "--date", "2026-01-10", "--as", "admin")
	out := ok("task", "list", "--as", "zhang")
	for _, want := range []string{"priority (¥)", "CL0", "call 人工电催", "sms 短信提醒", "sop:welcome-call", "2026-01-12", "(sms)", "open"} {
		if !strings.Contains(out, want) {
			t.Errorf("task list as zhang: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "CL1") || strings.Contains(out, "CL2") {
		t.Errorf("task list as zhang shows loans outside the queue:\n%s", out)
	}
	var ts []api.Task
	if err := json.Unmarshal([]byte(ok("task", "list", "--kind", "call", "--json", "--as", "zhang")), &ts); err != nil || len(ts) != 1 || ts[0].LoanID != loans[0] {
		t.Fatalf("task list --kind call --json as zhang: %+v, %v", ts, err)
	}
	callID := strconv.FormatInt(ts[0].ID, 10)
	if err := json.Unmarshal([]byte(ok("task", "list", "--loan", "CL2", "--state", "open", "--json", "--as", "li")), &ts); err != nil || len(ts) != 2 {
		t.Errorf("task list --loan CL2 as li: %+v, %v", ts, err)
	}
	fails(4, "task", "list", "--loan", "CL2", "--as", "zhang")
	fails(3, "task", "list", "--state", "lost", "--as", "zhang")
	fails(4, "task", "show", callID, "--as", "li")
	fails(2, "task", "show", "nope", "--as", "zhang")

	if out := ok("task", "take", callID, "--as", "zhang"); !strings.Contains(out, "in zhang's queue") {
		t.Errorf("task take: %q", out)
	}
	// The quiet hours: refused with the rule, the reason and when it is
	// next allowed; nothing recorded.
	errs := fails(5, "task", "outcome", callID, "--outcome", "no-answer", "--recording", "REC-1", "--at", "2026-01-10T22:30:00+08:00", "--as", "zhang")
	for _, want := range []string{"refused by the compliance guard", "rule:         cn.quiet-hours", "reason:", "next allowed: 2026-01-11T08:00:00+08:00"} {
		if !strings.Contains(errs, want) {
			t.Errorf("a call at 22:30: no %q in %s", want, errs)
		}
	}
	if errs := fails(3, "task", "outcome", callID, "--outcome", "promise", "--promise-amount", "1.234", "--promise-date", "2026-01-20", "--as", "zhang"); !strings.Contains(errs, "--promise-amount") {
		t.Errorf("a promise of 1.234: %s", errs)
	}
	fails(2, "task", "outcome", callID, "--as", "zhang")
	out = ok("task", "outcome", callID, "--outcome", "promise", "--promise-amount", "500.00", "--promise-date", "2026-01-20",
		"--recording", "REC-2", "--at", "2026-01-10T10:00:00+08:00", "--note", "pays on the 20th", "--cost", "1.20", "--satisfaction", "4", "--as", "zhang")
	if !strings.Contains(out, "promise recorded, a promise of ¥500.00 by 2026-01-20; the task is done") {
		t.Errorf("task outcome promise: %q", out)
	}
	if got := storetest.DumpPath(t, dsn)["promises"]; len(got) != 1 || !strings.HasPrefix(got[0], strconv.FormatInt(loans[0], 10)+"|") || !strings.Contains(got[0], "|50000|0|open|") {
		t.Errorf("promises after the outcome: %q", got)
	}
	if out := ok("task", "show", callID, "--as", "zhang"); !strings.Contains(out, "done") || !strings.Contains(out, "promise") || !strings.Contains(out, "pays on the 20th") || !strings.Contains(out, "by zhang") {
		t.Errorf("task show:\n%s", out)
	}
	fails(5, "task", "outcome", callID, "--outcome", "refused", "--recording", "R", "--at", "2026-01-10T11:00:00+08:00", "--as", "zhang")

	// Collectors' profiles: a set changes only what it names.
	ok("collector", "set", "zhang", "--team", "A", "--capacity", "50", "--skills", "call,visit", "--as", "admin")
	ok("collector", "set", "zhang", "--regions", "BJ,TJ", "--absent-from", "2026-02-01", "--absent-until", "2026-02-07", "--as", "admin")
	var cs []collectorJSON
	if err := json.Unmarshal([]byte(ok("collector", "list", "--json", "--as", "mgr")), &cs); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cs, func(c collectorJSON) bool { return c.Name == "zhang" })
	if i < 0 || cs[i].Team != "A" || cs[i].Capacity != 50 || strings.Join(cs[i].Skills, ",") != "call,visit" || strings.Join(cs[i].Regions, ",") != "BJ,TJ" ||
		cs[i].AbsentFrom.String() != "2026-02-01" || cs[i].Default {
		t.Errorf("zhang's profile: %+v", cs)
	}
	if j := slices.IndexFunc(cs, func(c collectorJSON) bool { return c.Name == "risk" }); j < 0 || !cs[j].Default || cs[j].Capacity != 100 {
		t.Errorf("risk, with no profile set: %+v", cs)
	}
	if slices.ContainsFunc(cs, func(c collectorJSON) bool { return c.Name == "aud" || c.Name == "admin" }) {
		t.Errorf("collector list holds people who work no queue: %+v", cs)
	}
	if out := ok("collector", "list", "--as", "aud"); !strings.Contains(out, "2026-02-01 to 2026-02-07") || !strings.Contains(out, "default profile") {
		t.Errorf("collector list:\n%s", out)
	}
	fails(6, "collector", "set", "zhang", "--capacity", "500", "--as", "zhang")
	fails(6, "collector", "list", "--as", "zhang")
	fails(2, "collector", "set", "zhang", "--absent-from", "2026-02-01", "--as", "admin")
	fails(3, "collector", "set", "zhang", "--skills", "gossip", "--as", "admin")
	fails(4, "collector", "set", "nobody", "--as", "admin")

	// Agencies.
	ok("agency", "put", "acme", "--name", "Acme Recovery 催收公司", "--as", "admin")
	if out := ok("agency", "list", "--as", "mgr"); !strings.Contains(out, "acme") || !strings.Contains(out, "Acme Recovery 催收公司") || !strings.Contains(out, "active") {
		t.Errorf("agency list:\n%s", out)
	}
	ok("agency", "put", "acme", "--name", "Acme Recovery", "--inactive", "--as", "admin")
	var as []store.Agency
	if err := json.Unmarshal([]byte(ok("agency", "list", "--json", "--as", "aud")), &as); err != nil || len(as) != 1 || as[0].Active || as[0].Name != "Acme Recovery" {
		t.Errorf("agency list --json: %+v, %v", as, err)
	}
	fails(6, "agency", "put", "acme", "--name", "x", "--as", "zhang")
	fails(2, "agency", "put", "acme", "--as", "admin")
	fails(3, "agency", "put", "a b", "--name", "x", "--as", "admin")

	// Every command says how it is used.
	for _, c := range []string{"task", "sop", "strategy", "collector", "agency"} {
		out, errs, code := run(t, dsn, c, "-h")
		if code != 0 || !strings.Contains(out+errs, "Usage:") {
			t.Errorf("%s -h: exit %d %s%s", c, code, out, errs)
		}
		if _, _, code := run(t, dsn, c); code != 2 {
			t.Errorf("%s without a verb: exit %d, want 2", c, code)
		}
	}
	for _, args := range [][]string{{"task", "outcome", "-h"}, {"task", "list", "-h"}, {"collector", "set", "-h"}, {"sop", "put", "-h"}} {
		if _, errs, code := run(t, dsn, args...); code != 0 || !strings.Contains(errs, "Flags:") {
			t.Errorf("%s: exit %d %s", strings.Join(args, " "), code, errs)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// task check asks the guard before dialling and records nothing.
func TestTaskCheck(t *testing.T) {
	t.Parallel()
	dsn, loans := collectionBook(t)
	// Day 30 after disbursement: the default SOP's phone revisit.
	if _, errs, code := run(t, dsn, "eod", "--date", "2026-02-09", "--as", "admin"); code != 0 {
		t.Fatalf("eod: %s", errs)
	}
	out, errs, code := run(t, dsn, "task", "list", "--kind", "revisit", "--json", "--as", "mgr")
	var ts []api.Task
	if code != 0 || json.Unmarshal([]byte(out), &ts) != nil || len(ts) == 0 {
		t.Fatalf("task list --kind revisit: %d %s %s", code, out, errs)
	}
	id := ""
	for _, tk := range ts {
		if tk.LoanID == loans[0] { // zhang's loan
			id = strconv.FormatInt(tk.ID, 10)
		}
	}
	if id == "" {
		t.Fatalf("no revisit on CL0: %+v", ts)
	}
	if _, errs, code := run(t, dsn, "task", "check", id, "--channel", "call", "--recording", "--at", "2026-01-10T22:00:00+08:00", "--as", "zhang"); code != 5 ||
		!strings.Contains(errs, "cn.quiet-hours") || !strings.Contains(errs, "2026-01-11T08:00:00+08:00") {
		t.Errorf("task check at 22:00: exit %d %s, want 5 naming cn.quiet-hours and 08:00 the next morning", code, errs)
	}
	if out, errs, code := run(t, dsn, "task", "check", id, "--channel", "call", "--recording", "--at", "2026-01-10T21:59:59+08:00", "--as", "zhang"); code != 0 || !strings.Contains(out, "allowed") {
		t.Errorf("task check at 21:59:59: exit %d %s %s, want allowed", code, out, errs)
	}
	if _, _, code := run(t, dsn, "task", "check", id, "--channel", "fax", "--as", "zhang"); code != 3 {
		t.Errorf("task check --channel fax: exit %d, want 3", code)
	}
}
