package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"daihou/web"
)

// Logging in gives a session cookie with the flags a bank's security
// review asks for and a new id every time; a page without a session goes
// to the login; logging out ends the session, everywhere when asked.
func TestConsoleLoginSession(t *testing.T) {
	b := newConsoleBook(t, nil)
	br := b.browser(t)
	res, _ := br.get("/console/")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/login") {
		t.Fatalf("the overview without a session: %d %s, want a redirect to the login", res.StatusCode, res.Header.Get("Location"))
	}
	br.get("/console/login")
	// A session id planted before login (fixation) does not survive it.
	planted := b.login(t, "mgr").cookie("daihou_session")
	u, _ := url.Parse(b.base + "/console/")
	br.c.Jar.SetCookies(u, []*http.Cookie{{Name: "daihou_session", Value: planted, Path: "/console"}})
	res, body := br.post("/console/login", url.Values{"name": {"MGR"}, "password": {consolePassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d %.300s", res.StatusCode, body)
	}
	var set *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "daihou_session" {
			set = c
		}
	}
	if set == nil || set.Value == "" || set.Value == planted {
		t.Fatalf("login set session cookie %+v, want a new id (not %q)", set, planted)
	}
	if !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/console" {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/console", set)
	}
	if _, _, err := b.db.Authenticate(t.Context(), planted); err == nil {
		t.Errorf("the session the browser brought to the login still authenticates")
	}
	body = br.page("/console/")
	if !strings.Contains(body, `data-user="mgr"`) {
		t.Errorf("the overview does not show who is logged in")
	}
	// A form without the CSRF token is refused and changes nothing.
	res, _ = br.post("/console/lang", url.Values{"lang": {"en"}, "csrf": {""}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("language form without a CSRF token: %d, want 403", res.StatusCode)
	}
	if u, _ := b.db.User(t.Context(), "mgr"); u.Lang != "" {
		t.Errorf("a refused form changed the language to %q", u.Lang)
	}
	// Logging out everywhere ends the other browser's session too.
	other := b.login(t, "mgr")
	other.page("/console/")
	res, _ = br.post("/console/logout", url.Values{"everywhere": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	for _, who := range []*browser{br, other} {
		if res, _ := who.get("/console/"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("after logging out everywhere a session still sees the overview: %d", res.StatusCode)
		}
	}
}

// A wrong password is refused alike for an unknown user; guessing is
// locked out; the login form has its own CSRF token.
func TestConsoleLoginRefusals(t *testing.T) {
	b := newConsoleBook(t, nil)
	br := b.browser(t)
	br.get("/console/login")
	for _, name := range []string{"mgr", "nobody"} {
		res, body := br.post("/console/login", url.Values{"name": {name}, "password": {"wrong-password-1"}})
		if res.StatusCode != http.StatusUnauthorized || br.cookie("daihou_session") != "" {
			t.Errorf("login %s with a wrong password: %d, session %q", name, res.StatusCode, br.cookie("daihou_session"))
		}
		if !strings.Contains(body, "用户名或密码错误") {
			t.Errorf("login %s with a wrong password says %.300s", name, body)
		}
	}
	fresh := b.browser(t)
	res, _ := fresh.post("/console/login", url.Values{"name": {"mgr"}, "password": {consolePassword}, "csrf": {"forged"}})
	if res.StatusCode != http.StatusForbidden || fresh.cookie("daihou_session") != "" {
		t.Errorf("login without the form's token: %d, want 403 and no session", res.StatusCode)
	}
	var locked bool
	for range 20 {
		res, _ := br.post("/console/login", url.Values{"name": {"risk"}, "password": {"wrong-password-1"}})
		if res.StatusCode == http.StatusTooManyRequests {
			locked = true
			break
		}
	}
	if !locked {
		t.Fatalf("20 wrong passwords for one user were never locked out")
	}
	if res, _ := br.post("/console/login", url.Values{"name": {"risk"}, "password": {consolePassword}}); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password during the lock-out: %d, want 429", res.StatusCode)
	}
}

// A session unused for longer than the idle time ends.
func TestConsoleIdleTimeout(t *testing.T) {
	now := time.Now()
	b := newConsoleBook(t, func(s *web.Server) { s.Console.Idle = time.Minute })
	b.db.Now = func() time.Time { return now }
	br := b.login(t, "aud")
	br.page("/console/")
	now = now.Add(2 * time.Minute)
	if res, _ := br.get("/console/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a session idle for 2 minutes with a 1-minute limit: %d, want the login", res.StatusCode)
	}
}
