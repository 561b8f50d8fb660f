package web_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web"
	"daihou/web/api"
	"daihou/webhook"
)

// channelSecret is the SMS channel's secret in the tests: at least
// channel.MinSecret bytes.
var channelSecret = []byte("sms-gateway-secret-for-tests")

// withChannels configures the channels' secrets of a test server: sms and
// ai-voice have one, the others none.
func withChannels(s *web.Server) {
	s.API.ChannelSecret = func(name string) []byte {
		switch name {
		case "sms":
			return channelSecret
		case "ai-voice":
			return []byte("ai-voice-platform-secret-for-tests")
		}
		return nil
	}
}

// welcomeSOP calls and texts every loan on the day it is disbursed: tasks
// on the book's first date, with nothing else moving.
var welcomeSOP = collection.SOP{Code: "*", Name: "Welcome 欢迎", Steps: []collection.Step{
	{Code: "welcome-call", Name: "Welcome call", Anchor: collection.FromDisbursement, Offset: 0, Action: collection.Call},
	{Code: "welcome-sms", Name: "Welcome text", Anchor: collection.FromDisbursement, Offset: 0, Action: collection.SMS},
}}

// collectionFixtures puts welcomeSOP and closes 2026-01-10 (again, in
// full: every loan looked at under the new SOP), so that every loan has a
// collector's call and a text, and returns each loan's task of each kind.
func collectionFixtures(t *testing.T, b *book) map[collection.Kind]map[int64]int64 {
	t.Helper()
	if _, err := b.db.PutSOP(b.as["risk"], welcomeSOP); err != nil {
		t.Fatal(err)
	}
	// The collectors' queues are full: they keep the loans assigned to
	// them and close of business gives them no others, so a loan nobody
	// holds waits in the team queue.
	for _, c := range []string{"col", "col2"} {
		if err := b.db.PutCollector(b.as["admin"], store.Collector{Name: c, Capacity: 0}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (&eod.Runner{Store: b.db}).Close(storetest.EOD(), civil.MustParse("2026-01-10"), true); err != nil {
		t.Fatal(err)
	}
	ts, err := b.db.Tasks(storetest.Ctx(), store.TaskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[collection.Kind]map[int64]int64{collection.Call: {}, collection.SMS: {}}
	for _, tk := range ts {
		if out[tk.Kind] != nil {
			out[tk.Kind][tk.LoanID] = tk.ID
		}
	}
	if len(out[collection.Call]) != 5 || len(out[collection.SMS]) != 5 {
		t.Fatalf("tasks after the welcome SOP: %+v", ts)
	}
	return out
}

// taskList lists the tasks as who sees them, with query.
func taskList(t *testing.T, b *book, who, query string) []api.Task {
	t.Helper()
	r := do(t, "GET", b.base+"/api/v1/tasks"+query, b.bearer[who], "")
	if r.status != 200 {
		t.Fatalf("GET /api/v1/tasks%s as %s: %s", query, who, r)
	}
	var page struct{ Tasks []api.Task }
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	return page.Tasks
}

func loansOf(ts []api.Task) []int64 {
	var out []int64
	for _, tk := range ts {
		if !slices.Contains(out, tk.LoanID) {
			out = append(out, tk.LoanID)
		}
	}
	slices.Sort(out)
	return out
}

// Collection work over HTTP: a collector's queue holds only the loans
// assigned to them; a task is taken by who may work it; each contact
// attempt passes the compliance guard — a call at 22:30 local or a 4th
// connected call to a debtor in a day is refused with 409 naming the rule,
// the reason and when it is next allowed, and stores nothing — and a
// promise to pay is stored and counted.
func TestTasksOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		tasks := collectionFixtures(t, b)
		tl0, tl1, tl2, pl0 := b.loans[0], b.loans[1], b.loans[2], b.pii
		call := tasks[collection.Call]
		post := func(who, path, body string) reply { return do(t, "POST", b.base+path, b.bearer[who], body) }
		outcome := func(who string, task int64, body string) reply {
			return post(who, fmt.Sprintf("/api/v1/tasks/%d/outcome", task), body)
		}

		// Lists: each actor's scope, and the filters.
		for _, c := range []struct {
			who, query string
			want       []int64
		}{
			{"col", "", []int64{tl0, pl0}},
			{"col2", "", []int64{tl2}},
			{"am", "", []int64{pl0}},
			{"legal", "", nil},
			{"mgr", "", append(slices.Clone(b.loans), pl0)},
			{"col", "?loan=TL0", []int64{tl0}},
			{"mgr", "?kind=call&state=open&limit=10", append(slices.Clone(b.loans), pl0)},
		} {
			if got := loansOf(taskList(t, b, c.who, c.query)); !slices.Equal(got, c.want) {
				t.Errorf("GET /api/v1/tasks%s as %s: loans %v, want %v", c.query, c.who, got, c.want)
			}
		}
		for _, tk := range taskList(t, b, "mgr", "?kind=sms") {
			if tk.Kind != "sms" || tk.KindZH != "短信提醒" || tk.Channel != "sms" || tk.Assignee != "" {
				t.Errorf("?kind=sms: %+v", tk)
			}
		}
		for _, c := range []struct{ query, field string }{
			{"?state=lost", "state"}, {"?kind=fax", "kind"}, {"?loan=TL1", "loan"}, {"?mine=yes", "mine"}, {"?limit=0", "limit"},
		} {
			if p := problem(t, "GET /api/v1/tasks"+c.query, do(t, "GET", b.base+"/api/v1/tasks"+c.query, b.bearer["col"], ""), 400, daihou.EINVALID); p.Field != c.field {
				t.Errorf("GET /api/v1/tasks%s: field %q, want %q", c.query, p.Field, c.field)
			}
		}
		// A task outside the queue does not exist, alike by id, take and
		// outcome.
		none := problem(t, "a task that does not exist", do(t, "GET", b.base+"/api/v1/tasks/999999", b.bearer["col"], ""), 404, daihou.ENOTFOUND)
		other := problem(t, "a task on another collector's loan", do(t, "GET", fmt.Sprintf("%s/api/v1/tasks/%d", b.base, call[tl2]), b.bearer["col"], ""), 404, daihou.ENOTFOUND)
		if strings.ReplaceAll(other.Message, fmt.Sprint(call[tl2]), "N") != strings.ReplaceAll(none.Message, "999999", "N") || other.Field != none.Field {
			t.Errorf("a task on another collector's loan: %+v; one that does not exist: %+v — a collector can tell them apart", other, none)
		}
		if p := problem(t, "taking a task on another collector's loan", post("col", fmt.Sprintf("/api/v1/tasks/%d/take", call[tl2]), ""), 404, daihou.ENOTFOUND); p.Message != other.Message {
			t.Errorf("taking a task on another collector's loan: %q, reading it: %q", p.Message, other.Message)
		}
		problem(t, "an outcome on an unassigned loan", outcome("col", call[tl1], `{"outcome":"no-answer","recording":"R1","at":"2026-01-10T10:00:00+08:00"}`), 404, daihou.ENOTFOUND)

		// Take: the collector takes the call on their loan; a text is a
		// channel's; an account manager works no calls.
		r := post("col", fmt.Sprintf("/api/v1/tasks/%d/take", call[tl0]), "{}")
		var tk api.Task
		if r.status != 200 || json.Unmarshal(r.body, &tk) != nil || tk.Assignee != "col" || tk.Kind != "call" {
			t.Errorf("col takes the call on TL0: %s", r)
		}
		if mine := taskList(t, b, "col", "?mine=true&kind=call"); len(mine) == 0 || !slices.ContainsFunc(mine, func(x api.Task) bool { return x.ID == call[tl0] }) {
			t.Errorf("col's own calls after taking TL0's: %+v", mine)
		}
		problem(t, "taking a text", post("col", fmt.Sprintf("/api/v1/tasks/%d/take", tasks[collection.SMS][tl0]), ""), 409, daihou.ECONFLICT)
		problem(t, "an account manager taking a call", post("am", fmt.Sprintf("/api/v1/tasks/%d/take", call[pl0]), ""), 403, daihou.EUNAUTHORIZED)
		problem(t, "taking with a body", post("col", fmt.Sprintf("/api/v1/tasks/%d/take", call[tl0]), `{"to":"col2"}`), 400, daihou.EINVALID)

		// The quiet hours: a call at 22:30 Beijing time is refused, and
		// allowed from 08:00 the next morning.
		refused := func(what string, r reply, rule string) api.ProblemBody {
			t.Helper()
			p := problemWithRefusal(t, what, r)
			if p.Rule != rule || p.Reason == "" || !strings.Contains(p.Message, rule) {
				t.Errorf("%s: %+v, want rule %s with its reason", what, p, rule)
			}
			return p
		}
		// Asked before dialling: at 22:30 the guard says no and when; at
		// 21:59:59 yes; nothing is stored either way.
		check := func(body string) (a api.CheckAnswer) {
			t.Helper()
			r := post("col", fmt.Sprintf("/api/v1/tasks/%d/check", call[tl0]), body)
			if r.status != 200 || json.Unmarshal(r.body, &a) != nil {
				t.Fatalf("check %s: %s", body, r)
			}
			return a
		}
		if a := check(`{"at":"2026-01-10T22:30:00+08:00","recording":true}`); a.Allowed || a.Rule != "cn.quiet-hours" || a.NextAllowed != "2026-01-11T08:00:00+08:00" {
			t.Errorf("check at 22:30: %+v, want refused by cn.quiet-hours until 08:00", a)
		}
		if a := check(`{"at":"2026-01-10T21:59:59+08:00","recording":true}`); !a.Allowed {
			t.Errorf("check at 21:59:59: %+v, want allowed", a)
		}
		// A third party is never told the debt, reachable debtor or not.
		if a := check(`{"at":"2026-01-10T10:00:00+08:00","recording":true,"party":"third-party","number":"13800000000","discloses_debt":true}`); a.Allowed || a.Rule != "cn.third-party-disclosure" {
			t.Errorf("check of a third-party call telling the debt: %+v, want refused by cn.third-party-disclosure", a)
		}
		if a := check(`{"at":"2026-01-10T10:00:00+08:00"}`); a.Allowed || a.Rule != "cn.recording" {
			t.Errorf("check of a call not to be recorded: %+v, want refused by cn.recording", a)
		}
		if ts := taskList(t, b, "col", "?loan=TL0&kind=call"); len(ts) != 1 || ts[0].State != "open" {
			t.Errorf("after the checks the call is %+v, want it open and untouched", ts)
		}
		p := refused("a call at 22:30", outcome("col", call[tl0], `{"outcome":"no-answer","recording":"REC-1","at":"2026-01-10T22:30:00+08:00"}`), "cn.quiet-hours")
		if next, err := time.Parse(time.RFC3339, p.NextAllowed); err != nil || !next.Equal(time.Date(2026, 1, 11, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))) {
			t.Errorf("the quiet hours: next_allowed %q, want 08:00 the next morning", p.NextAllowed)
		}
		// With the debtor's consent it may be made.
		if r := outcome("col", call[tl0], `{"outcome":"no-answer","recording":"REC-2","at":"2026-01-10T22:35:00+08:00","consent":true}`); r.status != 200 {
			t.Errorf("a call at 22:35 with consent: %s", r)
		}
		// Every call is recorded.
		refused("a call not recorded", outcome("col", call[tl0], `{"outcome":"no-answer","at":"2026-01-10T09:00:00+08:00"}`), "cn.recording")

		// Three connected calls to the debtor in a day, then a fourth.
		for i, at := range []string{"10:00", "10:10", "10:20"} {
			r := outcome("col", call[tl0], fmt.Sprintf(`{"outcome":"wrong-number","recording":"REC-%d","at":"2026-01-10T%s:00+08:00","note":"a stranger answered"}`, 10+i, at))
			if r.status != 200 || json.Unmarshal(r.body, &tk) != nil || tk.State != "open" {
				t.Fatalf("connected call %d: %s, want the task still open", i+1, r)
			}
		}
		p = refused("a 4th connected call", outcome("col", call[tl0], `{"outcome":"promise","promise_amount":"100.00","promise_date":"2026-01-20","recording":"REC-20","at":"2026-01-10T10:30:00+08:00"}`), "cn.connected-per-day")
		if !strings.HasPrefix(p.NextAllowed, "2026-01-11T") {
			t.Errorf("a 4th connected call: next_allowed %q, want the next day", p.NextAllowed)
		}
		if got := taskOf(t, b, "col", call[tl0]); got.State != "open" || got.Outcome != "wrong-number" && got.Outcome != "" {
			t.Errorf("after the refusal the task is %+v: nothing was to be recorded", got)
		}

		// A promise to pay on PL0, after mistakes in it named by field.
		for _, c := range []struct{ body, field string }{
			{`{"outcome":"promise","promise_date":"2026-01-20","recording":"R","at":"2026-01-10T11:00:00+08:00"}`, "promise_amount"},
			{`{"outcome":"promise","promise_amount":"500.001","promise_date":"2026-01-20","recording":"R","at":"2026-01-10T11:00:00+08:00"}`, "promise_amount"},
			{`{"outcome":"promise","promise_amount":"500.00","promise_date":"2026-06-20","recording":"R","at":"2026-01-10T11:00:00+08:00"}`, "promise_date"},
			{`{"outcome":"paid","promise_amount":"500.00","recording":"R","at":"2026-01-10T11:00:00+08:00"}`, "outcome"},
			{`{"outcome":"promised","recording":"R"}`, "outcome"},
			{`{"outcome":"refused","channel":"pigeon","recording":"R"}`, "channel"},
			{`{"outcome":"refused","party":"neighbour","recording":"R"}`, "party"},
			{`{"outcome":"refused","at":"yesterday","recording":"R"}`, "at"},
			{`{"outcome":"refused","at":"2999-01-01T10:00:00+08:00","recording":"R"}`, "at"},
			{`{"outcome":"refused","satisfaction":9,"recording":"R","at":"2026-01-10T11:00:00+08:00"}`, "satisfaction"},
			{`{"outcome":"refused","number":"call me","recording":"R"}`, "number"},
		} {
			if p := problem(t, "outcome "+c.body, outcome("col", call[pl0], c.body), 400, daihou.EINVALID); p.Field != c.field {
				t.Errorf("outcome %s: field %q (%s), want %q", c.body, p.Field, p.Message, c.field)
			}
		}
		r = outcome("col", call[pl0], `{"outcome":"promise","promise_amount":"500.00","promise_date":"2026-01-20","recording":"REC-30","at":"2026-01-10T11:00:00+08:00","note":"pays on the 20th","cost":"1.20","satisfaction":4}`)
		if r.status != 200 || json.Unmarshal(r.body, &tk) != nil || tk.State != "done" || tk.Outcome != "promise" || tk.ClosedBy != "col" || tk.Note != "pays on the 20th" {
			t.Fatalf("a promise: %s", r)
		}
		problem(t, "an outcome on a finished task", outcome("col", call[pl0], `{"outcome":"refused","recording":"R","at":"2026-01-10T11:10:00+08:00"}`), 409, daihou.ECONFLICT)
		rep, err := b.db.CollectionReport(b.as["mgr"], civil.MustParse("2026-01-10"), civil.MustParse("2026-01-10"), "collector")
		if err != nil {
			t.Fatal(err)
		}
		if f := rep.Total.Figures; f.PromisesMade != 1 || f.Promised.String() != "500.00" || f.Connected != 4 {
			t.Errorf("collection figures after the calls: %+v, want one promise of 500.00 and 4 connected calls", f)
		}
		if n, err := b.db.VerifyAudit(b.as["aud"], nil); err != nil || n == 0 {
			t.Errorf("VerifyAudit: %d entries, %v", n, err)
		}
	})
}

// problemWithRefusal is problem for a 409 refusal of the compliance
// guard.
func problemWithRefusal(t *testing.T, what string, r reply) api.ProblemBody {
	t.Helper()
	return problem(t, what, r, 409, daihou.ECONFLICT)
}

// taskOf reads task id as who sees it.
func taskOf(t *testing.T, b *book, who string, id int64) api.Task {
	t.Helper()
	r := do(t, "GET", fmt.Sprintf("%s/api/v1/tasks/%d", b.base, id), b.bearer[who], "")
	var tk api.Task
	if r.status != 200 || json.Unmarshal(r.body, &tk) != nil {
		t.Fatalf("GET task %d as %s: %s", id, who, r)
	}
	return tk
}

// signedResult is the headers of a channel's result body signed at ts.
func signedResult(secret []byte, ts time.Time, body string) []string {
	return []string{webhook.TimestampHeader, fmt.Sprint(ts.Unix()), webhook.SignatureHeader, webhook.Sign(secret, ts.Unix(), []byte(body))}
}

// A channel's results over real HTTP: only a signed one is taken, under
// the channel's own secret; a channel that is unknown or has no secret is
// not found; a malformed result names its field; a result delivered twice
// is recorded once.
func TestChannelResultOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		now := time.Date(2026, 1, 10, 10, 0, 0, 0, time.UTC)
		b := newBook(t, backend, func(s *web.Server) {
			noLimits(s)
			withChannels(s)
			s.API.Now = func() time.Time { return now }
		})
		tasks := collectionFixtures(t, b)
		sms := tasks[collection.SMS][b.loans[3]]
		url := b.base + "/api/v1/channels/sms/results"
		good := fmt.Sprintf(`{"key":"task-%d","task_id":%d,"status":"delivered","at":"2026-01-10T10:05:00+08:00","willingness":-1,"cost":5}`, sms, sms)

		for _, c := range []struct {
			name   string
			url    string
			header []string
			status int
			says   string
		}{
			{"unsigned", url, nil, 401, webhook.TimestampHeader},
			{"the source webhook's secret", url, signedResult(webhookSecret, now, good), 401, "does not match"},
			{"the other channel's secret", url, signedResult([]byte("ai-voice-platform-secret-for-tests"), now, good), 401, "does not match"},
			{"signed for another body", url, signedResult(channelSecret, now, good+" "), 401, "does not match"},
			{"replayed from yesterday", url, signedResult(channelSecret, now.Add(-24*time.Hour), good), 401, "window"},
			{"an unknown channel", b.base + "/api/v1/channels/fax/results", signedResult(channelSecret, now, good), 404, "sms, ai-voice"},
			{"a channel without a secret", b.base + "/api/v1/channels/email/results", signedResult(channelSecret, now, good), 404, "DAIHOU_CHANNEL_SECRET_EMAIL"},
			{"the text's result from the AI voice", b.base + "/api/v1/channels/ai-voice/results", signedResult([]byte("ai-voice-platform-secret-for-tests"), now, good), 404, "not a message of the ai-voice channel"},
		} {
			p := problem(t, c.name, do(t, "POST", c.url, "", good, c.header...), c.status, "")
			if !strings.Contains(p.Message, c.says) {
				t.Errorf("%s: %q, want it to say %q", c.name, p.Message, c.says)
			}
		}
		for _, c := range []struct{ body, field string }{
			{`{"key":"nope","status":"delivered","at":"2026-01-10T10:05:00+08:00"}`, "key"},
			{fmt.Sprintf(`{"key":"task-%d","status":"lost","at":"2026-01-10T10:05:00+08:00"}`, sms), "status"},
			{fmt.Sprintf(`{"key":"task-%d","status":"delivered","at":"10:05"}`, sms), "at"},
			{fmt.Sprintf(`{"key":"task-%d","status":"called","outcome":"maybe","at":"2026-01-10T10:05:00+08:00"}`, sms), "outcome"},
			{fmt.Sprintf(`{"key":"task-%d","status":"delivered","at":"2026-01-10T10:05:00+08:00","mood":"happy"}`, sms), "mood"},
		} {
			p := problem(t, "result "+c.body, do(t, "POST", url, "", c.body, signedResult(channelSecret, now, c.body)...), 400, daihou.EINVALID)
			if p.Field != c.field {
				t.Errorf("result %s: field %q (%s), want %q", c.body, p.Field, p.Message, c.field)
			}
		}
		if got := taskOf(t, b, "mgr", sms); got.State != "open" {
			t.Fatalf("the refused results changed the text's task: %+v", got)
		}
		// Good, then the same result again (the channel's retry): recorded
		// once.
		for i, want := range []bool{true, false} {
			r := do(t, "POST", url, "", good, signedResult(channelSecret, now.Add(time.Duration(i)*time.Minute), good)...)
			var ans api.ChannelResultAnswer
			if r.status != 200 || json.Unmarshal(r.body, &ans) != nil || ans.Recorded != want {
				t.Errorf("result delivery %d: %s, want recorded %v", i+1, r, want)
			}
		}
		if got := taskOf(t, b, "mgr", sms); got.State != "done" || got.Outcome != "delivered" || got.ClosedBy != "channel:sms" {
			t.Errorf("the text's task after its receipt: %+v", got)
		}
		rep, err := b.db.CollectionReport(b.as["mgr"], civil.MustParse("2026-01-10"), civil.MustParse("2026-01-10"), "channel")
		if err != nil {
			t.Fatal(err)
		}
		if f := rep.Total.Figures; f.Contacts != 1 || f.Cost.String() != "0.05" {
			t.Errorf("contacts after the receipt: %+v, want the one text", f)
		}
		es, err := b.db.AuditEntries(b.as["aud"], "loan:"+fmt.Sprint(b.loans[3]), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(es, func(e audit.Entry) bool {
			return e.Actor == "system:webhook:channel-sms" && e.Action == "collection.record"
		}) {
			t.Errorf("no audit entry of the sms channel's webhook actor on the loan: %+v", es)
		}
	})
}

// SOPs and strategies over HTTP: read by risk, management and audit, put
// by a risk officer as a new version; a condition that does not compile
// is refused naming its step and line:column, and nothing is stored.
func TestPlansOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		put := func(who, path, body string) reply { return do(t, "PUT", b.base+path, b.bearer[who], body) }
		get := func(who, path string) reply { return do(t, "GET", b.base+path, b.bearer[who], "") }

		var sops api.SOPList
		if r := get("aud", "/api/v1/sop"); r.status != 200 || json.Unmarshal(r.body, &sops) != nil || len(sops.SOPs) != 1 || sops.SOPs[0].Code != "*" || len(sops.SOPs[0].Steps) < 3 {
			t.Errorf("GET /api/v1/sop before any put: %s, want the default", r)
		}
		problem(t, "a collector reading the SOP", get("col", "/api/v1/sop"), 403, daihou.EUNAUTHORIZED)
		bad := `{"code":"CL","name":"Consumer loans","steps":[
			{"code":"revisit-30","anchor":"disbursement","offset":30,"action":"revisit"},
			{"code":"late-visit","anchor":"overdue","offset":15,"action":"visit","when":"dpd > 15 &&\n outstanding >"}]}`
		p := problem(t, "a SOP with a bad condition", put("risk", "/api/v1/sop", bad), 400, daihou.EINVALID)
		if p.Field != "steps[1].when" || !strings.Contains(p.Message, "late-visit") || !strings.Contains(p.Message, "2:") {
			t.Errorf("a SOP with a bad condition: %+v, want field steps[1].when naming late-visit at line 2", p)
		}
		problem(t, "a manager putting a SOP", put("mgr", "/api/v1/sop", strings.Replace(bad, "outstanding >", "outstanding > 0", 1)), 403, daihou.EUNAUTHORIZED)
		if r := get("risk", "/api/v1/sop"); !strings.Contains(string(r.body), `"code":"*"`) || strings.Contains(string(r.body), "late-visit") {
			t.Errorf("a refused SOP was stored: %s", r)
		}
		var v api.PlanVersion
		good := strings.Replace(bad, "outstanding >", "outstanding > 1000000", 1)
		for want := 1; want <= 2; want++ {
			if r := put("risk", "/api/v1/sop", good); r.status != 200 || json.Unmarshal(r.body, &v) != nil || v != (api.PlanVersion{Kind: "sop", Code: "CL", Version: want}) {
				t.Errorf("PUT /api/v1/sop %d: %s", want, r)
			}
		}
		if r := get("mgr", "/api/v1/sop"); r.status != 200 || json.Unmarshal(r.body, &sops) != nil ||
			!slices.ContainsFunc(sops.SOPs, func(s collection.SOP) bool { return s.Code == "CL" && len(s.Steps) == 2 }) {
			t.Errorf("GET /api/v1/sop after a product's put: %s, want the product's SOP", r)
		}

		st := collection.DefaultStrategy()
		st.Challenger[2].When = "willingness >= "
		body, _ := json.Marshal(st)
		p = problem(t, "a strategy with a bad condition", put("risk", "/api/v1/strategy", string(body)), 400, daihou.EINVALID)
		if p.Field != "challenger[2].when" || !strings.Contains(p.Message, "1:") {
			t.Errorf("a strategy with a bad condition: %+v", p)
		}
		st = collection.DefaultStrategy()
		st.Split = 50
		body, _ = json.Marshal(st)
		if r := put("risk", "/api/v1/strategy", string(body)); r.status != 200 || json.Unmarshal(r.body, &v) != nil || v != (api.PlanVersion{Kind: "strategy", Code: "two-track", Version: 1}) {
			t.Errorf("PUT /api/v1/strategy: %s", r)
		}
		var got collection.Strategy
		if r := get("aud", "/api/v1/strategy"); r.status != 200 || json.Unmarshal(r.body, &got) != nil || got.Split != 50 {
			t.Errorf("GET /api/v1/strategy: %s, want the split of 50 put", r)
		}
	})
}
