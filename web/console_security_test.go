package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// auditCount is how many entries the book's audit trail holds.
func auditCount(t *testing.T, b *consoleBook) int64 {
	t.Helper()
	h, err := b.db.AuditHead(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return h.Seq
}

// Every form the console takes is refused without the session's CSRF
// token, or with another session's, and changes nothing: not one audit
// entry (every change writes one).
func TestConsoleFormsNeedCSRF(t *testing.T) {
	b := newConsoleBook(t, nil)
	mgr := b.login(t, "mgr")
	mgr.page("/console/")
	other := b.login(t, "risk")
	other.page("/console/")
	fill := strings.NewReplacer("{id}", "1", "{code}", "score_drop", "{override}", "1", "{name}", "col")
	forms := 0
	for _, p := range b.srv.ConsolePatterns() {
		method, path, _ := strings.Cut(p, " ")
		if method != "POST" || strings.HasPrefix(path, "/console/login") {
			continue // the login forms carry their own token: TestConsoleLoginRefusals
		}
		forms++
		path = fill.Replace(path)
		before := auditCount(t, b)
		for name, token := range map[string]string{"none": "", "another session's": other.csrf, "forged": strings.Repeat("0", 48)} {
			res, _ := mgr.post(path, url.Values{"csrf": {token}, "lang": {"en"}, "everywhere": {"1"}, "amount": {"1.00"}, "note": {"x"}, "decision": {"approve"}})
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s with %s CSRF token: %d, want 403", p, name, res.StatusCode)
			}
		}
		if after := auditCount(t, b); after != before {
			t.Errorf("%s without a good CSRF token wrote %d audit entries", p, after-before)
		}
	}
	if forms < 2 {
		t.Fatalf("only %d console forms", forms)
	}
	// The session still works: the refusals did not log it out.
	mgr.page("/console/")
}

// Every console page answers a stranger with the login, never with data,
// and every page the menu offers a role renders for it without a missing
// message, in both languages.
func TestConsolePagesNeedLoginAndRender(t *testing.T) {
	b := newConsoleBook(t, nil)
	stranger := b.browser(t)
	fill := strings.NewReplacer("{id}", "1", "{code}", "score_drop", "{override}", "1", "{file...}", "app.css")
	for _, p := range b.srv.ConsolePatterns() {
		method, path, _ := strings.Cut(p, " ")
		if method != "GET" || path == "/console/login" || strings.HasPrefix(path, "/console/static/") || path == "/{$}" {
			continue
		}
		path = strings.TrimSuffix(fill.Replace(path), "{$}")
		res, body := stranger.get(path)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/login") {
			t.Errorf("GET %s without a session: %d %.200s, want the login", path, res.StatusCode, body)
		}
	}
	menu := regexp.MustCompile(`<nav>(.*?)</nav>`)
	link := regexp.MustCompile(`href="([^"]+)"`)
	for _, name := range []string{"mgr", "col", "am", "risk", "aud", "legal", "admin"} {
		for _, lang := range []string{"zh-CN", "en"} {
			if err := b.db.SetLanguage(b.as[name], lang); err != nil {
				t.Fatal(err)
			}
			br := b.login(t, name)
			res, body := br.get("/console/")
			if res.StatusCode == http.StatusSeeOther {
				// Who may not read the book's figures starts at their
				// first menu entry.
				res, body = br.get(res.Header.Get("Location"))
			}
			if res.StatusCode != 200 {
				t.Errorf("%s's home: %d", name, res.StatusCode)
			}
			if !strings.Contains(body, `lang="`+lang+`"`) {
				t.Errorf("%s chose %s, the page says otherwise", name, lang)
			}
			m := menu.FindStringSubmatch(body)
			if m == nil {
				t.Errorf("%s's page has no menu", name)
				continue
			}
			for _, l := range link.FindAllStringSubmatch(m[1], -1) {
				br.page(l[1])
			}
		}
	}
}
