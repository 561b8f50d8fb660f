package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"daihou/auth"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web"
)

// consolePassword is every console test user's password.
const consolePassword = "Tidal-Basin-4471"

// consoleBook is a generated, closed book served over HTTP, with a user of
// every role who logs in to the console with consolePassword.
type consoleBook struct {
	db   *store.DB
	srv  *web.Server
	base string
	as   map[string]context.Context
}

// consoleUsers are the console test users: name=role[@scope].
var consoleUsers = []string{"col=collector", "col2=collector", "am=account-manager", "risk=risk-officer", "mgr=manager", "aud=auditor", "legal=legal", "branch=account-manager@branch:BJ01"}

func newConsoleBook(t *testing.T, tweak func(*web.Server)) *consoleBook {
	t.Helper()
	db := storetest.OpenPath(t, storetest.Gen(t, storetest.GenConfig))
	b := &consoleBook{db: db, as: storetest.Users(t, db, consoleUsers...)}
	h, err := auth.HashPassword(consolePassword, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	for name := range b.as {
		if _, err := db.UpdateUser(b.as["admin"], name, store.UserChange{PasswordHash: &h}); err != nil {
			t.Fatal(err)
		}
	}
	b.srv = web.New(db, nil)
	if tweak != nil {
		tweak(b.srv)
	}
	b.base = start(t, b.srv)
	return b
}

// browser is one person's browser on the console: a cookie jar that does
// not follow redirects, so a test sees each answer.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string // the CSRF token of the last page that had one
}

func (b *consoleBook) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: b.base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs name in with the console password and returns the browser.
func (b *consoleBook) login(t *testing.T, name string) *browser {
	t.Helper()
	br := b.browser(t)
	res, _ := br.get("/console/login")
	if res.StatusCode != 200 {
		t.Fatalf("login form: %d", res.StatusCode)
	}
	res, body := br.post("/console/login", url.Values{"name": {name}, "password": {consolePassword}, "next": {"/console/"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: %d %.300s", name, res.StatusCode, body)
	}
	return br
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and reads the answer, keeping the page's CSRF token.
func (br *browser) do(req *http.Request) (*http.Response, string) {
	br.t.Helper()
	res, err := br.c.Do(req)
	if err != nil {
		br.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		br.csrf = string(m[1])
	}
	return res, string(b)
}

func (br *browser) get(path string) (*http.Response, string) {
	br.t.Helper()
	req, _ := http.NewRequest("GET", br.base+path, nil)
	return br.do(req)
}

// post sends a form with the browser's CSRF token (unless the form has
// its own csrf field).
func (br *browser) post(path string, form url.Values) (*http.Response, string) {
	br.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", br.csrf)
	}
	req, _ := http.NewRequest("POST", br.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return br.do(req)
}

// cookie returns the value of the browser's cookie name.
func (br *browser) cookie(name string) string {
	u, _ := url.Parse(br.base + "/console/")
	for _, c := range br.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// page gets path and fails unless it answers 200 with no missing message.
func (br *browser) page(path string) string {
	br.t.Helper()
	res, body := br.get(path)
	if res.StatusCode != 200 {
		br.t.Fatalf("GET %s: %d %.500s", path, res.StatusCode, body)
	}
	if m := regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(body); m != "" {
		br.t.Errorf("GET %s shows a message no catalogue has: %s", path, m)
	}
	return body
}
