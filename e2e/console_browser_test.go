package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

const (
	rootPassword = "Quiet-River-2026"
	userPassword = "Tidal-Basin-4471"
)

// consoleSite is a generated book closed one day past its history (so
// that collectors have a queue), with a user of each role and a waiver a
// collector proposed, served by the daihou binary.
func consoleSite(t *testing.T) (*site, consoleFacts) {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, bin: bin, db: filepath.Join(t.TempDir(), "book.db")}
	s.cli("", "gen", "--loans", "2000", "--months", "12", "--seed", "5", "--until", "2026-03-27")
	s.cli(rootPassword+"\n", "user", "add", "root", "--admin", "--password-stdin")
	for _, u := range []string{"mgr=manager", "col=collector", "risk=risk-officer", "aud=auditor"} {
		name, role, _ := strings.Cut(u, "=")
		s.cli(userPassword+"\n", "user", "add", name, "--role", role, "--password-stdin", "--as", "root")
	}
	s.cli("", "collector", "set", "col", "--as", "root")
	s.cli("", "eod", "--as", "root")
	var tasks []struct {
		ID       int64  `json:"id"`
		Loan     int64  `json:"loan_id"`
		Role     string `json:"role"`
		Assignee string `json:"assignee"`
	}
	if err := json.Unmarshal([]byte(s.cli("", "task", "list", "--as", "col", "--json")), &tasks); err != nil {
		t.Fatal(err)
	}
	var f consoleFacts
	for _, tk := range tasks {
		if tk.Role == "collector" && tk.Assignee == "col" {
			f.task, f.loan = tk.ID, tk.Loan
			break
		}
	}
	if f.task == 0 {
		t.Fatalf("close of business gave the collector no task: %+v", tasks)
	}
	// A loan in nobody's queue is outside the collector's scope.
	var mine = map[int64]bool{}
	for _, tk := range tasks {
		mine[tk.Loan] = true
	}
	for id := int64(1); ; id++ {
		if !mine[id] {
			f.other = id
			break
		}
	}
	s.cli("", "approval", "propose", strconv.FormatInt(f.loan, 10), "--kind", "waiver", "--component", "penalty", "--amount", "1.00", "--reason", "hardship: a hospital stay", "--as", "col")
	s.serve()
	return s, f
}

// consoleFacts are what the flow works on.
type consoleFacts struct {
	task, loan int64 // a call task of the collector's and its loan
	other      int64 // a loan outside the collector's scope
}

// The console in real Chromium: log in, the overview draws its charts with
// no console error and no failed request, the language switches, a table
// exports to xlsx that excelize reads with the figures the page shows, and
// logging out ends the session.
func TestConsoleInBrowser(t *testing.T) {
	chromiumPath(t)
	s, _ := consoleSite(t)
	dir := t.TempDir()
	b := newBrowser(t, dir)

	mgr := newTab(t, b)
	mgr.login(s.base, "mgr", userPassword)
	mgr.run("overview charts", chromedp.WaitVisible(chromedp.CSS(`div.chart[data-drawn="1"] canvas`)))
	if n := eval[int](mgr, "count canvases", `document.querySelectorAll("div.chart canvas").length`); n == 0 {
		t.Errorf("the overview drew no chart")
	}
	if lang := mgr.attr("html", "lang"); lang != "zh-CN" {
		t.Errorf("the console opens in %q, want zh-CN", lang)
	}
	mgr.clean("overview")
	mgr.screenshot("overview")

	// Asset quality and the five-tier sheet draw their charts too.
	for _, p := range []struct{ name, path string }{{"quality", "/console/quality"}, {"five-tier", "/console/reports/five-tier"}} {
		mgr.run("open "+p.name, chromedp.Navigate(s.base+p.path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if eval[int](mgr, "charts of "+p.name, `document.querySelectorAll("div.chart").length`) > 0 {
			mgr.run(p.name+" charts", chromedp.WaitVisible(chromedp.CSS(`div.chart[data-drawn="1"] canvas`)))
		}
		mgr.clean(p.name)
		mgr.screenshot(p.name)
	}
	mgr.run("back to the overview", chromedp.Navigate(s.base+"/console/"), chromedp.WaitVisible(chromedp.CSS(`#table-classes`)))

	// Export the five-tier table as xlsx: the file holds the page's rows.
	downloads := filepath.Join(dir, "downloads")
	os.MkdirAll(downloads, 0o755)
	done := make(chan string, 1)
	if err := chromedp.ListenBrowser(mgr.ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := chromedp.CallBrowser(mgr.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes,
		BrowserContextID: chromedp.FromContext(mgr.ctx).BrowserContextID}); err != nil {
		t.Fatal(err)
	}
	shown := eval[[]string](mgr, "read the table", `Array.from(document.querySelectorAll("#table-classes tbody tr")).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join("|"))`)
	mgr.run("export xlsx", chromedp.Click(chromedp.CSS(`#table-classes a.export[data-format="xlsx"]`)))
	var guid string
	select {
	case guid = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the xlsx export did not download within 20 s")
	}
	x, err := excelize.OpenFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatalf("the exported xlsx does not open: %v", err)
	}
	rows, err := x.GetRows("Sheet1")
	x.Close()
	if err != nil || len(rows) != len(shown)+1 {
		t.Fatalf("xlsx has %d rows (%v), the page %d plus a heading", len(rows), err, len(shown))
	}
	for i, line := range shown {
		cells := strings.Split(line, "|")
		if rows[i+1][0] != cells[0] || rows[i+1][1] != cells[1] {
			t.Errorf("xlsx row %d %v, the page shows %v", i+1, rows[i+1], cells)
		}
	}
	mgr.clean("export")

	// Switch to English: the page and the next ones speak it.
	mgr.run("switch language", chromedp.Click(chromedp.CSS(`#lang-switch`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))
	if got := mgr.text("english title", "h1"); !strings.Contains(got, "Overview") {
		t.Errorf("after switching to English the overview's title is %q", got)
	}
	mgr.clean("language")

	// The language sticks to the user, and goes back.
	mgr.run("back to Chinese", chromedp.Click(chromedp.CSS(`#lang-switch`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"]`)))
	mgr.clean("language back")

	// Log out: the session ends, the overview asks for a login again.
	mgr.run("logout", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login-form`)),
		chromedp.Navigate(s.base+"/console/"), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	mgr.clean("logout")
}

// A day's work in real Chromium: a collector lands on their queue, opens a
// task, sees the compliance guard's answer before the call and records a
// promise to pay; a loan outside their queue is not found; a manager opens
// the loan's 360° view and approves the collector's waiver, which reaches
// the ledger.
func TestConsoleWorkInBrowser(t *testing.T) {
	chromiumPath(t)
	s, f := consoleSite(t)
	b := newBrowser(t, t.TempDir())

	col := newTab(t, b)
	col.login(s.base, "col", userPassword)
	col.run("the queue", chromedp.WaitVisible(chromedp.CSS(`#table-tasks`)))
	if !strings.HasSuffix(eval[string](col, "where", `location.pathname`), "/console/tasks") {
		t.Errorf("a collector's login lands on %s, want the queue", eval[string](col, "where", `location.pathname`))
	}
	col.clean("queue")
	col.screenshot("tasks")

	task := fmt.Sprintf("%s/console/tasks/%d", s.base, f.task)
	col.run("open the task", chromedp.Navigate(task), chromedp.WaitVisible(chromedp.CSS(`#guard`)))
	guard := col.text("the guard", "#guard")
	if strings.Contains(col.attr("#guard", "class"), "refused") {
		// Outside 08:00–22:00 Beijing time the guard refuses a call, as it
		// must; the borrower's consent to a call now is what a collector
		// records then.
		if !strings.Contains(guard, "cn.quiet-hours") {
			t.Fatalf("the guard refuses the call: %s", guard)
		}
		col.run("the borrower consents", chromedp.Click(chromedp.CSS(`input[name="consent"]`)))
	}
	const due = "2026-03-31" // three days after the book's business date
	col.screenshot("task")
	col.run("record a promise to pay",
		chromedp.SetValue(chromedp.CSS(`select[name="outcome"]`), "promise"),
		chromedp.SendKeys(chromedp.CSS(`input[name="recording"]`), "REC-20260328-0001"),
		chromedp.SendKeys(chromedp.CSS(`input[name="promise_amount"]`), "500.00"),
		chromedp.SetValue(chromedp.CSS(`input[name="promise_date"]`), due),
		chromedp.Click(chromedp.CSS(`#record-outcome`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if msg := eval[string](col, "the answer", `(document.querySelector(".flash.error") || {}).textContent || ""`); msg != "" {
		t.Fatalf("recording the promise was refused: %s", msg)
	}
	if got := col.text("the promises", "#table-promises tbody"); !strings.Contains(got, "500.00") || !strings.Contains(got, due) {
		t.Errorf("after recording a promise of 500.00 due %s the task's promises show %q", due, got)
	}
	col.clean("promise")

	// A loan outside the collector's scope is not found, as on the API.
	other := fmt.Sprintf("/console/loans/%d", f.other)
	col.allow(other)
	col.run("a loan outside the queue", chromedp.Navigate(s.base+other), chromedp.WaitVisible(chromedp.CSS(`#error-message`)))
	if st := col.status(); st != 404 {
		t.Errorf("a collector opening a loan outside their queue: %d, want 404", st)
	}
	col.clean("out of scope")

	mgr := newTab(t, b)
	mgr.login(s.base, "mgr", userPassword)
	mgr.run("the loan's 360° view", chromedp.Navigate(fmt.Sprintf("%s/console/loans/%d", s.base, f.loan)), chromedp.WaitVisible(chromedp.CSS(`#kpi-outstanding`)))
	if n := eval[int](mgr, "the 360° blocks", `document.querySelectorAll("section.table").length`); n < 6 {
		t.Errorf("the 360° view shows %d tables", n)
	}
	mgr.clean("loan 360")
	mgr.screenshot("loan")

	mgr.run("the approvals inbox", chromedp.Navigate(s.base+"/console/approvals"), chromedp.WaitVisible(chromedp.CSS(`#approval-p1`)))
	mgr.screenshot("approvals")
	mgr.run("approve the waiver",
		chromedp.Click(chromedp.CSS(`#approval-p1 button[value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash.notice`)),
	)
	mgr.clean("approve")
	var list struct {
		Approvals []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Seq    int64  `json:"posted_seq"`
		} `json:"approvals"`
	}
	if err := json.Unmarshal([]byte(s.cli("", "approval", "list", "--status", "approved", "--json", "--as", "mgr")), &list); err != nil {
		t.Fatal(err)
	}
	if approved := list.Approvals; len(approved) != 1 || approved[0].ID != 1 || approved[0].Seq == 0 {
		t.Errorf("after the manager approved the waiver the approved proposals are %+v, want proposal 1 posted", approved)
	}
}
