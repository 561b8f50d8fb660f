package e2e_test

import (
	"encoding/json"
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

	// Log out: the session ends, the overview asks for a login again.
	mgr.run("logout", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#login-form`)),
		chromedp.Navigate(s.base+"/console/"), chromedp.WaitVisible(chromedp.CSS(`#login-form`)))
	mgr.clean("logout")
}
