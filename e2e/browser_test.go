package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"daihou/store/storetest"
)

// The console's browser tests drive Debian's Chromium, headless, against
// the real daihou binary serving a generated book on 127.0.0.1:0. .ci/run
// installs Chromium; without it these tests fail and say how to install it
// (DAIHOU_SKIP_BROWSER=1 skips them, out loud).

// chromiumPath finds the browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if os.Getenv("DAIHOU_SKIP_BROWSER") == "1" {
		t.Skip("DAIHOU_SKIP_BROWSER=1: the console's browser tests are skipped")
	}
	if storetest.RaceDetector {
		// Their code runs in the daihou binary and in Chromium, neither
		// built with the race detector: it would watch only this driver,
		// several times slower, after the ordinary run has run them.
		t.Skip("the browser tests drive processes the race detector does not instrument: they run in the ordinary test run")
	}
	for _, name := range []string{os.Getenv("DAIHOU_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium for the console's browser tests: apt-get install -y chromium (or set DAIHOU_CHROMIUM; DAIHOU_SKIP_BROWSER=1 skips them)")
	return ""
}

// binary builds daihou once per test process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "daihou-bin-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "daihou")
	out, err := exec.Command("go", "build", "-o", path, "daihou/cmd/daihou").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return path, nil
})

// site is a book served by a daihou process.
type site struct {
	t    *testing.T
	bin  string
	db   string
	base string
}

// cli runs the binary on the site's book, with stdin, and returns its
// output; a failure fails the test.
func (s *site) cli(stdin string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), "DAIHOU_DB="+s.db)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("daihou %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// serve starts 'daihou serve' on 127.0.0.1:0 until the test ends and reads
// the address it prints.
func (s *site) serve() {
	s.t.Helper()
	cmd := exec.Command(s.bin, "serve", "--addr", "127.0.0.1:0", "--db", s.db)
	cmd.Env = append(os.Environ(), "DAIHOU_LOG_LEVEL=warn")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			s.t.Errorf("daihou serve did not stop within 10 s of an interrupt")
		}
		if s.t.Failed() {
			s.t.Logf("daihou serve's log:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		s.t.Fatalf("daihou serve printed no address: %v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`http://\S+`).FindString(line)
	if m == "" {
		s.t.Fatalf("daihou serve printed %q, want its URL", line)
	}
	s.base = m
	go io.Copy(io.Discard, stdout)
}

// tab is one browser tab with a log of what went wrong in it: console
// errors, uncaught exceptions, failed requests and error answers.
type tab struct {
	t        *testing.T
	ctx      context.Context
	mu       sync.Mutex
	problems []string
	// allowed are answers the flow expects (a 404 for a loan out of scope).
	allowed map[string]bool
}

// newBrowser starts a headless Chromium with a fresh profile in dir.
func newBrowser(t *testing.T, dir string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1366, 768),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// The first context starts the browser; tabs open in contexts of
	// their own beside it.
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return bctx
}

// newTab opens a tab (a new browser context: its own cookies) in the
// browser, listening from its first event.
func newTab(t *testing.T, allocator context.Context) *tab {
	t.Helper()
	tb := &tab{t: t, allowed: map[string]bool{}}
	ctx, cancel := chromedp.NewContext(allocator, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.listen))
	t.Cleanup(cancel)
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return tb
}

// listen notes what goes wrong in the tab. It runs in the tab's event
// loop: quick, and no commands.
func (tb *tab) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			tb.problem("console error: " + strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		tb.problem("uncaught exception: " + ev.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError && !tb.isAllowed(ev.Entry.URL) {
			tb.problem("browser log error: " + ev.Entry.Text + " " + ev.Entry.URL)
		}
	case *network.EventLoadingFailed:
		if !ev.Canceled {
			tb.problem("request failed: " + ev.ErrorText)
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 && !tb.isAllowed(ev.Response.URL) {
			tb.problem(fmt.Sprintf("answer %d for %s", ev.Response.Status, ev.Response.URL))
		}
	}
}

func (tb *tab) problem(s string) {
	tb.mu.Lock()
	tb.problems = append(tb.problems, s)
	tb.mu.Unlock()
}

func (tb *tab) isAllowed(url string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for u := range tb.allowed {
		if strings.HasSuffix(url, u) {
			return true
		}
	}
	return false
}

// allow expects an error answer for a URL ending in suffix.
func (tb *tab) allow(suffix string) {
	tb.mu.Lock()
	tb.allowed[suffix] = true
	tb.mu.Unlock()
}

// clean fails the test for every problem seen so far, naming the step.
func (tb *tab) clean(step string) {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range tb.problems {
		tb.t.Errorf("%s: %s", step, p)
	}
	tb.problems = nil
}

// run runs browser actions, bounded in time.
func (tb *tab) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	get(tb, step, chromedp.Steps(actions...))
}

// get runs an action that gives a value, bounded in time.
func get[T any](tb *tab, step string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, step, expr string) T {
	tb.t.Helper()
	return get(tb, step, chromedp.Evaluate[T](expr))
}

// text returns the text of the first element matching sel.
func (tb *tab) text(step, sel string) string {
	tb.t.Helper()
	return strings.TrimSpace(get(tb, step, chromedp.Text(chromedp.CSS(sel))))
}

// attr returns attribute name of the first element matching sel.
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	return get(tb, "attribute "+name+" of "+sel, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// screenshot saves the whole page as name.png among the test's artefacts:
// DAIHOU_SCREENSHOTS names the folder (.ci/run sets it), else a temporary
// one the log names.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	dir := os.Getenv("DAIHOU_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "daihou-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	png := get(tb, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", path)
}

// login logs name in through the login form.
func (tb *tab) login(base, name, password string) {
	tb.t.Helper()
	tb.run("login as "+name,
		chromedp.Navigate(base+"/console/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`#login`)),
		chromedp.WaitVisible(chromedp.CSS(`span.user`)),
	)
}

// status is the HTTP status of the document now shown.
func (tb *tab) status() int {
	tb.t.Helper()
	return eval[int](tb, "status", `performance.getEntriesByType("navigation")[0].responseStatus`)
}
