package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/warning"
)

// workHostile is text with SQL and HTML metacharacters: every text field of
// the work screens takes it as text, stores it as typed and shows it
// escaped.
const workHostile = `O'Brien"; DROP TABLE tasks; -- <b>x</b> %s`

// workBook is a console book after one more close of business, which
// gives the collectors col and col2 calls in their queues, with the
// database's clock at 08:05 Beijing time on the new business date (the
// compliance guard counts in the borrower's local time) unless a test
// moves it.
type workBook struct {
	*consoleBook
	business civil.Date
	clock    atomic.Pointer[time.Time]
}

func newWorkBook(t *testing.T) *workBook {
	t.Helper()
	b := &workBook{consoleBook: newConsoleBook(t, nil)}
	b.business = civil.MustParse("2026-03-28")
	b.at("08:05")
	b.db.Now = func() time.Time { return *b.clock.Load() }
	if _, err := (&eod.Runner{Store: b.db}).Close(storetest.EOD(), b.business, false); err != nil {
		t.Fatal(err)
	}
	return b
}

// at sets the database's clock to hh:mm Beijing time on the business date.
func (b *workBook) at(hhmm string) {
	tm, err := time.Parse("2006-01-02 15:04 -0700", b.business.String()+" "+hhmm+" +0800")
	if err != nil {
		panic(err)
	}
	b.clock.Store(&tm)
}

// calls returns the open calls in who's queue, on distinct borrowers.
func (b *workBook) calls(t *testing.T, who string) []collection.Task {
	t.Helper()
	ts, err := b.db.Tasks(b.as["mgr"], store.TaskFilter{Assignee: who, Kind: string(collection.Call), State: "open", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var out []collection.Task
	for _, tk := range ts {
		if !seen[tk.BorrowerID] {
			seen[tk.BorrowerID] = true
			out = append(out, tk)
		}
	}
	if len(out) < 3 {
		t.Fatalf("%s has %d calls on distinct borrowers after close of business: want 3", who, len(out))
	}
	return out
}

func taskPath(id int64) string { return "/console/tasks/" + strconv.FormatInt(id, 10) }

// status posts form to path and fails unless the answer is want; it
// returns the body.
func status(t *testing.T, br *browser, path string, form url.Values, want int) string {
	t.Helper()
	res, body := br.post(path, form)
	if res.StatusCode != want {
		t.Fatalf("POST %s: %d, want %d: %.600s", path, res.StatusCode, want, flash(body))
	}
	return body
}

var flashText = regexp.MustCompile(`(?s)<p class="flash[^"]*"[^>]*>(.*?)</p>|<div class="error-page">(.*?)</div>`)

// flash is what a page says went wrong or well, for failure messages.
func flash(body string) string {
	if m := flashText.FindString(body); m != "" {
		return m
	}
	return body
}

// The collector's queue and a task: a collector sees only their own
// tasks, due today or overdue, and no one else's; records a promise to pay
// that the store then holds with its amount and date; a contact the
// compliance guard refuses shows its rule and reason and records nothing;
// the guard's answer is on the page before anyone dials; a form without
// the CSRF token changes nothing; both languages render.
func TestConsoleWorkQueueAndOutcomes(t *testing.T) {
	b := newWorkBook(t)
	mine, theirs := b.calls(t, "col"), b.calls(t, "col2")
	col := b.login(t, "col")

	queue := col.page("/console/tasks")
	for _, tk := range mine[:3] {
		if !strings.Contains(queue, `href="`+taskPath(tk.ID)+`"`) {
			t.Errorf("col's queue lacks their task %d", tk.ID)
		}
	}
	for _, tk := range theirs {
		if strings.Contains(queue, `href="`+taskPath(tk.ID)+`"`) {
			t.Errorf("col's queue shows col2's task %d", tk.ID)
		}
	}
	if !strings.Contains(queue, "我的任务") {
		t.Errorf("the queue in zh-CN does not say 我的任务")
	}
	if res, _ := col.get(taskPath(theirs[0].ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("col reading col2's task: %d, want 404", res.StatusCode)
	}
	if res, _ := col.get("/console/tasks/99999999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a task that does not exist: %d, want 404", res.StatusCode)
	}
	if res, _ := b.login(t, "aud").get("/console/tasks"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's queue: %d, want 403", res.StatusCode)
	}

	// The guard's answer before a contact: allowed at 08:05, refused in
	// the quiet hours with the rule and the next allowed time. (The clock
	// moves by minutes: a session goes after 30 idle ones.)
	a, refused := mine[0], mine[1]
	page := col.page(taskPath(a.ID))
	if !strings.Contains(page, `class="guard allowed"`) {
		t.Errorf("task %d at 08:05 shows no allowed guard: %.300s", a.ID, page)
	}
	b.at("07:55")
	page = col.page(taskPath(a.ID))
	if !strings.Contains(page, `class="guard refused"`) || !strings.Contains(page, "cn.quiet-hours") || !strings.Contains(page, b.business.String()+" 08:00") {
		t.Errorf("task %d at 07:55: want the guard refused by cn.quiet-hours until 08:00: %s", a.ID, regexp.MustCompile(`(?s)<p class="guard.*?</p>`).FindString(page))
	}
	b.at("08:10")

	// A promise to pay, with a note of SQL and HTML metacharacters.
	due := b.business.AddDays(7)
	note := fmt.Sprintf(workHostile, "promise")
	res, _ := col.post(taskPath(a.ID)+"/outcome", url.Values{"outcome": {"promise"}, "channel": {"call"}, "party": {"debtor"}, "recording": {"REC-'1"},
		"promise_amount": {"1234.50"}, "promise_date": {due.String()}, "note": {note}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a promise to pay: %d", res.StatusCode)
	}
	h, err := b.db.TaskHistory(b.as["col"], a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Promises) != 1 || h.Promises[0].Amount != money.Amount(123450) || h.Promises[0].Due != due || h.Promises[0].State != collection.PromiseOpen {
		t.Fatalf("task %d's promises after the form: %+v, want one of 1,234.50 by %s", a.ID, h.Promises, due)
	}
	if len(h.Contacts) != 1 || h.Contacts[0].Note != note || h.Contacts[0].Recording != "REC-'1" || h.Contacts[0].Outcome != collection.Promise {
		t.Errorf("task %d's contacts: %+v", a.ID, h.Contacts)
	}
	ps, err := b.db.LoanPromises(b.as["col"], a.LoanID)
	if err != nil || len(ps) != 1 || ps[0].TaskID != a.ID {
		t.Errorf("loan %d's promises: %+v %v", a.LoanID, ps, err)
	}
	tk, err := b.db.Task(b.as["col"], a.ID)
	if err != nil || tk.State != collection.TaskDone || tk.Outcome != collection.Promise || tk.Note != note {
		t.Errorf("task %d after a promise: %+v %v", a.ID, tk, err)
	}
	page = col.page(res.Header.Get("Location"))
	for _, want := range []string{"1,234.50", due.String(), html.EscapeString(note), "处理结果已记录"} {
		if !strings.Contains(page, want) && !strings.Contains(page, strings.ReplaceAll(html.EscapeString(note), "&#34;", "&quot;")) {
			t.Errorf("task %d's page lacks %q", a.ID, want)
		}
	}
	if strings.Contains(page, "<b>x</b>") {
		t.Errorf("task %d's page shows the note's markup unescaped", a.ID)
	}

	// A contact the guard refuses: a third party before the debtor is
	// unreachable. The page names the rule; nothing is stored.
	before, _ := b.db.TaskHistory(b.as["col"], refused.ID)
	body := status(t, col, taskPath(refused.ID)+"/outcome", url.Values{"outcome": {"no-answer"}, "channel": {"call"}, "party": {"third-party"}, "recording": {"REC-2"}, "note": {note}}, http.StatusConflict)
	if !strings.Contains(body, "cn.third-party") || !strings.Contains(body, `class="flash error"`) {
		t.Errorf("a refused contact's page does not name the rule: %.600s", flash(body))
	}
	after, _ := b.db.TaskHistory(b.as["col"], refused.ID)
	if len(after.Contacts) != len(before.Contacts) || len(after.Promises) != len(before.Promises) {
		t.Errorf("a refused contact was recorded: %+v", after)
	}
	// A promise without its date is the engine's mistake to name.
	body = status(t, col, taskPath(refused.ID)+"/outcome", url.Values{"outcome": {"promise"}, "recording": {"REC-3"}, "promise_amount": {"10"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "promise to pay needs the date") {
		t.Errorf("a promise without a date: %.400s", flash(body))
	}

	// Without the CSRF token: 403 and nothing recorded.
	audit := auditCount(t, b.consoleBook)
	if res, _ := col.post(taskPath(refused.ID)+"/outcome", url.Values{"csrf": {""}, "outcome": {"refused"}, "recording": {"R"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an outcome without the CSRF token: %d, want 403", res.StatusCode)
	}
	if got := auditCount(t, b.consoleBook); got != audit {
		t.Errorf("an outcome without the CSRF token wrote %d audit entries", got-audit)
	}
	if tk, _ := b.db.Task(b.as["col"], refused.ID); tk.State != collection.Open {
		t.Errorf("task %d after the refusals: %s, want open", refused.ID, tk.State)
	}

	// Taking: col2 cannot take col's task (not found), col takes it back
	// into their queue.
	col2 := b.login(t, "col2")
	col2.page("/console/tasks")
	if res, _ := col2.post(taskPath(refused.ID)+"/take", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("col2 taking col's task: %d, want 404", res.StatusCode)
	}
	col.page(taskPath(refused.ID))
	status(t, col, taskPath(refused.ID)+"/take", url.Values{}, http.StatusSeeOther)

	// English.
	if err := b.db.SetLanguage(b.as["col"], "en"); err != nil {
		t.Fatal(err)
	}
	en := b.login(t, "col")
	if q := en.page("/console/tasks"); !strings.Contains(q, "My queue") || !strings.Contains(q, `lang="en"`) {
		t.Errorf("the queue in English does not say My queue")
	}
	if p := en.page(taskPath(refused.ID)); !strings.Contains(p, "Record an outcome") || !strings.Contains(p, "Compliance guard") {
		t.Errorf("the task in English lacks its words")
	}
}

// Payments: an account manager posts a repayment on a loan of theirs; the
// same reference again posts nothing; a collector may not post; the form
// without its CSRF token is refused.
func TestConsoleWorkPayments(t *testing.T) {
	b := newWorkBook(t)
	tk := b.calls(t, "col")[0]
	l, err := b.db.Loan(b.as["mgr"], tk.LoanID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.UpdateUser(b.as["admin"], "am", store.UserChange{Officer: &l.Officer}); err != nil {
		t.Fatal(err)
	}
	am := b.login(t, "am")
	path := fmt.Sprintf("/console/loans/%d/payment", l.ID)
	form := am.page(path)
	if !strings.Contains(form, `action="/console/loans/`+strconv.FormatInt(l.ID, 10)+`/payments"`) {
		t.Fatalf("the payment form: %.400s", form)
	}
	ref := `BANK-2026'0328;--`
	channel := `柜面'; DROP TABLE loans;--`
	post := url.Values{"amount": {"100.25"}, "value_date": {b.business.String()}, "channel": {channel}, "reference": {ref}}
	for i, notice := range []string{"还款已入账", "未重复入账"} {
		res, body := am.post(fmt.Sprintf("/console/loans/%d/payments", l.ID), post)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("payment %d: %d %.500s", i, res.StatusCode, flash(body))
		}
		if p := am.page(res.Header.Get("Location")); !strings.Contains(p, notice) {
			t.Errorf("after payment %d the page does not say %q", i, notice)
		}
	}
	txs, err := b.db.Transactions(b.as["mgr"], l.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tx := range txs {
		if tx.Reference == ref {
			n++
			if tx.Kind != servicing.Repayment || tx.Amount != 10025 || tx.Channel != channel || tx.ValueDate != b.business {
				t.Errorf("the posted payment: %+v", tx)
			}
		}
	}
	if n != 1 {
		t.Errorf("the payment sent twice posted %d times, want once", n)
	}
	// The same reference for another amount is refused and shown.
	post.Set("amount", "7.00")
	if body := status(t, am, fmt.Sprintf("/console/loans/%d/payments", l.ID), post, http.StatusConflict); !strings.Contains(body, `class="flash error"`) {
		t.Errorf("a reused reference: %.400s", flash(body))
	}
	// Mistakes name their field; nothing is posted.
	for _, bad := range []url.Values{{"amount": {"-1"}, "reference": {"R1"}}, {"amount": {"1"}, "reference": {""}}, {"amount": {"1"}, "reference": {"R 1"}}, {"amount": {"1"}, "reference": {"R2"}, "value_date": {"28/03"}}} {
		status(t, am, fmt.Sprintf("/console/loans/%d/payments", l.ID), bad, http.StatusUnprocessableEntity)
	}
	if res, _ := am.post(fmt.Sprintf("/console/loans/%d/payments", l.ID), url.Values{"csrf": {""}, "amount": {"1.00"}, "reference": {"NOCSRF"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a payment without the CSRF token: %d, want 403", res.StatusCode)
	}
	if after, _ := b.db.Transactions(b.as["mgr"], l.ID); len(after) != len(txs) {
		t.Errorf("refused payments posted %d transactions", len(after)-len(txs))
	}
	// A collector reads the loan but posts nothing; a loan outside the
	// scope is not found.
	col := b.login(t, "col")
	if res, _ := col.get(path); res.StatusCode != http.StatusForbidden {
		t.Errorf("a collector's payment form: %d, want 403", res.StatusCode)
	}
	if res, _ := am.get("/console/loans/999999/payment"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a loan that does not exist: %d, want 404", res.StatusCode)
	}
}

// Maker-checker: a risk officer proposes a write-off, a manager approves
// it from the inbox and the loan's ledger holds it; the maker deciding
// their own is refused and changes nothing; a user who decides nothing
// gets 403.
func TestConsoleWorkApprovals(t *testing.T) {
	b := newWorkBook(t)
	calls := b.calls(t, "col2")
	loan, other := calls[0].LoanID, calls[1].LoanID
	risk := b.login(t, "risk")
	propose := fmt.Sprintf("/console/loans/%d/propose", loan)
	risk.page(propose)
	reason := fmt.Sprintf(workHostile, "write-off")
	status(t, risk, fmt.Sprintf("/console/loans/%d/proposals", loan), url.Values{"kind": {"writeoff"}, "reason": {reason}}, http.StatusSeeOther)
	page, err := b.db.Proposals(b.as["mgr"], store.ProposalFilter{LoanID: loan, Status: approval.Pending})
	ps := page.Proposals
	if err != nil || len(ps) != 1 || ps[0].Reason != reason || ps[0].Maker != "risk" {
		t.Fatalf("proposals after the form: %+v %v", ps, err)
	}
	p := ps[0]
	// A bad proposal is the engine's to refuse.
	if body := status(t, risk, fmt.Sprintf("/console/loans/%d/proposals", loan), url.Values{"kind": {"restructure"}, "new_rate": {"0.05"}, "new_term": {"0"}, "new_method": {"bullet"}, "reason": {"r"}}, http.StatusUnprocessableEntity); !strings.Contains(body, "restructuring needs a new term") {
		t.Errorf("a restructuring of 0 months: %.400s", flash(body))
	}

	// The maker deciding their own override is refused; nothing changes.
	status(t, risk, fmt.Sprintf("/console/loans/%d/overrides", other), url.Values{"class": {"loss"}, "reason": {reason}}, http.StatusSeeOther)
	opage, err := b.db.Proposals(b.as["mgr"], store.ProposalFilter{LoanID: other, Kind: "override", Status: approval.Pending})
	os := opage.Proposals
	if err != nil || len(os) != 1 {
		t.Fatalf("overrides after the form: %+v %v", os, err)
	}
	inbox := risk.page("/console/approvals")
	if strings.Contains(inbox, fmt.Sprintf(`action="/console/overrides/%d/decision"`, os[0].ID)) {
		t.Errorf("the maker's inbox offers their own override")
	}
	body := status(t, risk, fmt.Sprintf("/console/overrides/%d/decision", os[0].ID), url.Values{"decision": {"approve"}}, http.StatusForbidden)
	if !strings.Contains(body, `class="flash error"`) {
		t.Errorf("the maker approving their own: %.400s", flash(body))
	}
	if again, _ := b.db.Proposals(b.as["mgr"], store.ProposalFilter{LoanID: other, Kind: "override"}); len(again.Proposals) != 1 || again.Proposals[0].Status != approval.Pending {
		t.Errorf("the override after its maker tried to approve it: %+v", again)
	}

	// The checker approves the write-off: the ledger holds it.
	mgr := b.login(t, "mgr")
	inbox = mgr.page("/console/approvals")
	decide := fmt.Sprintf("/console/approvals/%d/decision", p.ID)
	if !strings.Contains(inbox, `action="`+decide+`"`) || !strings.Contains(inbox, "risk") {
		t.Fatalf("the manager's inbox lacks proposal %d", p.ID)
	}
	if strings.Contains(inbox, "<b>x</b>") {
		t.Errorf("the inbox shows the reason's markup unescaped")
	}
	res, _ := mgr.post(decide, url.Values{"decision": {"approve"}, "note": {fmt.Sprintf(workHostile, "ok")}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approving: %d", res.StatusCode)
	}
	if page := mgr.page(res.Header.Get("Location")); !strings.Contains(page, "已审批通过") {
		t.Errorf("after approving, the inbox does not say so")
	}
	txs, err := b.db.Transactions(b.as["mgr"], loan)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tx := range txs {
		found = found || tx.Kind == servicing.WriteOff && tx.Reference == approval.Reference(p.ID)
	}
	if !found {
		t.Errorf("loan %d's ledger has no write-off from proposal %d", loan, p.ID)
	}
	// Deciding it again is a conflict, shown on the inbox.
	status(t, mgr, decide, url.Values{"decision": {"reject"}, "note": {"late"}}, http.StatusConflict)

	// Without the checker's role: 403, for the page and the decision.
	col := b.login(t, "col")
	if res, _ := col.get("/console/approvals"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a collector's approvals: %d, want 403", res.StatusCode)
	}
	col.page("/console/tasks")
	if res, _ := col.post(fmt.Sprintf("/console/overrides/%d/decision", os[0].ID), url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("a collector deciding an override: %d, want 403 or 404", res.StatusCode)
	}
	if again, _ := b.db.Proposals(b.as["mgr"], store.ProposalFilter{LoanID: other, Kind: "override"}); len(again.Proposals) == 0 || again.Proposals[0].Status != approval.Pending {
		t.Errorf("the override after a collector tried: %+v", again)
	}
}

// The editors: a warning rule with a bad CEL expression is refused with
// the engine's own message and the rule stays as it was; a good one is
// saved as the next version; a back-test shows its table; a strategy or a
// SOP with a mistake is refused and the one in force stays; a collector
// reads no rules.
func TestConsoleWorkEditors(t *testing.T) {
	b := newWorkBook(t)
	risk := b.login(t, "risk")
	list := risk.page("/console/rules")
	rules, err := b.db.Rules(b.as["risk"])
	if err != nil || len(rules) == 0 {
		t.Fatalf("rules: %v %v", rules, err)
	}
	r := rules[0]
	if !strings.Contains(list, `href="/console/rules/`+r.Code+`"`) {
		t.Errorf("the rule list does not link rule %s", r.Code)
	}
	path := "/console/rules/" + r.Code
	risk.page(path)
	form := url.Values{"name": {r.Name}, "expr": {"dpd >>> 3"}, "severity": {r.Severity.String()}, "cooldown": {strconv.Itoa(r.Cooldown)}, "owner": {r.Owner}, "description": {r.Description}}
	if r.Enabled {
		form.Set("enabled", "on")
	}
	bad := r
	bad.Expr = "dpd >>> 3"
	_, cerr := warning.Compile(bad)
	if cerr == nil {
		t.Fatal("dpd >>> 3 compiles")
	}
	body := status(t, risk, path, form, http.StatusUnprocessableEntity)
	if want := html.EscapeString(daihou.ErrorMessage(cerr)); !strings.Contains(body, strings.ReplaceAll(want, "&#34;", "&#34;")) && !strings.Contains(html.UnescapeString(body), daihou.ErrorMessage(cerr)) {
		t.Errorf("a bad expression: the page does not show the engine's message %q: %.600s", daihou.ErrorMessage(cerr), flash(body))
	}
	if !strings.Contains(body, "dpd &gt;&gt;&gt; 3") {
		t.Errorf("a bad expression: the editor lost what the user typed")
	}
	vs, _ := b.db.RuleVersions(b.as["risk"], r.Code)
	if vs[0].Version != r.Version || vs[0].Expr != r.Expr {
		t.Errorf("after a bad expression rule %s is %+v, want it unchanged", r.Code, vs[0])
	}
	// A good one: the next version, by risk.
	form.Set("expr", r.Expr)
	form.Set("description", fmt.Sprintf(workHostile, "rule"))
	status(t, risk, path, form, http.StatusSeeOther)
	vs, _ = b.db.RuleVersions(b.as["risk"], r.Code)
	if vs[0].Version != r.Version+1 || vs[0].Description != form.Get("description") {
		t.Errorf("after a save rule %s is %+v", r.Code, vs[0])
	}
	if page := risk.page(path); !strings.Contains(page, "risk") || strings.Contains(page, "<b>x</b>") {
		t.Errorf("the rule's versions do not say who put the latest, or show markup")
	}
	// Back-test what is in the editor: the table, and nothing stored.
	form.Set("from", b.business.AddDays(-20).String())
	form.Set("to", b.business.String())
	body = status(t, risk, path+"/backtest", form, http.StatusOK)
	if !strings.Contains(body, `id="table-backtest"`) || !strings.Contains(body, r.Code) {
		t.Errorf("the back-test shows no result table: %.400s", flash(body))
	}
	if again, _ := b.db.RuleVersions(b.as["risk"], r.Code); again[0].Version != vs[0].Version {
		t.Errorf("a back-test stored a version")
	}

	// The strategy: a mistake is refused with the engine's message, the
	// one in force stays; the text shown saves as the next version.
	before, _ := b.db.Strategy(b.as["risk"])
	page := risk.page("/console/strategy")
	m := regexp.MustCompile(`(?s)<textarea name="body"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[1], before.Code) {
		t.Fatalf("the strategy editor holds no strategy")
	}
	text := html.UnescapeString(m[1])
	broken := strings.Replace(text, `"dpd \u003e 90"`, `"dpd \u003e\u003e 90"`, 1)
	broken = strings.Replace(broken, `"dpd > 90"`, `"dpd >> 90"`, 1)
	if broken == text {
		t.Fatalf("no condition to break in %s", text)
	}
	body = status(t, risk, "/console/strategy", url.Values{"body": {broken}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, `class="flash error"`) || !strings.Contains(body, "when") {
		t.Errorf("a broken strategy: %.500s", flash(body))
	}
	status(t, risk, "/console/strategy", url.Values{"body": {`{"code": "x", "champio": []}`}}, http.StatusUnprocessableEntity)
	if vs, _ := b.db.PlanVersions(b.as["risk"], "strategy"); len(vs) != 0 {
		t.Errorf("a refused strategy was stored: %+v", vs)
	}
	status(t, risk, "/console/strategy", url.Values{"body": {text}}, http.StatusSeeOther)
	if vs, _ := b.db.PlanVersions(b.as["risk"], "strategy"); len(vs) != 1 || vs[0].Version != 1 || !strings.Contains(vs[0].By, "risk") {
		t.Errorf("the strategy saved: %+v", vs)
	}
	if page := risk.page("/console/strategy"); !strings.Contains(page, "risk") {
		t.Errorf("the strategy page does not say who changed it")
	}

	// The SOP: a step whose condition does not compile is refused.
	sops, _ := b.db.SOPs(b.as["risk"])
	risk.page("/console/sop")
	sop := `{"code": "*", "name": "Broken", "steps": [{"code": "s1", "name": "` + strings.ReplaceAll(workHostile, `"`, `\"`) + `", "anchor": "disbursement", "offset": 5, "action": "revisit", "when": "dpd >>> 1"}]}`
	body = status(t, risk, "/console/sop", url.Values{"code": {"*"}, "body": {sop}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "steps[0]") && !strings.Contains(body, "when") {
		t.Errorf("a broken SOP: %.500s", flash(body))
	}
	if after, _ := b.db.SOPs(b.as["risk"]); len(after) != len(sops) || after[0].Name != sops[0].Name {
		t.Errorf("a refused SOP changed the SOPs in force: %+v", after)
	}
	if vs, _ := b.db.PlanVersions(b.as["risk"], "sop"); len(vs) != 0 {
		t.Errorf("a refused SOP was stored: %+v", vs)
	}
	// Without the CSRF token nothing is saved.
	if res, _ := risk.post("/console/sop", url.Values{"csrf": {""}, "body": {sop}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a SOP without the CSRF token: %d, want 403", res.StatusCode)
	}

	// Read-only and no access.
	aud := b.login(t, "aud")
	if page := aud.page("/console/strategy"); strings.Contains(page, `id="save-plan"`) {
		t.Errorf("an auditor is offered to save the strategy")
	}
	if res, _ := aud.post("/console/strategy", url.Values{"body": {text}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor saving the strategy: %d, want 403", res.StatusCode)
	}
	col := b.login(t, "col")
	for _, p := range []string{"/console/rules", path, "/console/strategy", "/console/sop"} {
		if res, _ := col.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("a collector's %s: %d, want 403", p, res.StatusCode)
		}
	}
	if err := b.db.SetLanguage(b.as["risk"], "en"); err != nil {
		t.Fatal(err)
	}
	en := b.login(t, "risk")
	if p := en.page(path); !strings.Contains(p, "Back-test this rule") {
		t.Errorf("the rule editor in English lacks its words")
	}
	en.page("/console/sop")
	en.page("/console/approvals")
}

// The approvals inbox shows a page of proposals at a time and links the
// next: 51 write-offs to decide are 50 on the first page and the last on
// the second, each once.
func TestConsoleApprovalsPageByCursor(t *testing.T) {
	b := newWorkBook(t)
	rows, _, err := b.db.ListLoans(b.as["mgr"], store.LoanFilter{Status: servicing.StatusActive, Limit: 51})
	if err != nil || len(rows) != 51 {
		t.Fatalf("51 active loans: %d %v", len(rows), err)
	}
	for _, l := range rows {
		if _, err := b.db.Propose(b.as["risk"], l.ID, auth.ProposalWriteOff, approval.Params{}, "the borrower cannot be found"); err != nil {
			t.Fatal(err)
		}
	}
	mgr := b.login(t, "mgr")
	cards := regexp.MustCompile(`id="approval-p(\d+)"`)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	first := mgr.page("/console/approvals")
	m := next.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("the first page of the inbox links no next page")
	}
	second := mgr.page(html.UnescapeString(m[1]))
	if next.MatchString(second) {
		t.Errorf("the last page of the inbox links a next one")
	}
	seen := map[string]bool{}
	for k, body := range []string{first, second} {
		got := cards.FindAllStringSubmatch(body, -1)
		if want := []int{50, 1}[k]; len(got) != want {
			t.Errorf("page %d of the inbox shows %d proposals, want %d", k+1, len(got), want)
		}
		for _, c := range got {
			if seen[c[1]] {
				t.Errorf("proposal %s is on two pages", c[1])
			}
			seen[c[1]] = true
		}
	}
}
