package console

import (
	"net/http"
	"strings"

	"daihou"
	"daihou/auth"
)

// loginView is what the login page shows.
type loginView struct {
	Token, Next, Name string
	Langs             []string
}

// LoginForm answers GET /console/login: the form, with a fresh
// double-submit token (a login is a form too, and a forged one would log
// the victim in as the attacker).
func (c *Console) LoginForm(w http.ResponseWriter, r *http.Request) {
	c.loginPage(w, r, http.StatusOK, r.URL.Query().Get("next"), "", "")
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request, status int, next, name, msg string) {
	l := c.locale(pickLang(r))
	tok := randomToken()
	c.setCookie(w, r, loginCookie, tok, 600)
	c.render(w, r, status, &view{Locale: l, Page: &Page{Name: "login", Title: "login.title", Error: msg, Data: loginView{Token: tok, Next: localPath(next), Name: name, Langs: langs}}})
}

// Login answers POST /console/login: name and password start a session
// with a new id (any session the browser had ends), slowed per name and
// per address like the API's login.
func (c *Console) Login(w http.ResponseWriter, r *http.Request) {
	l := c.locale(pickLang(r))
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		c.Logger.WarnContext(r.Context(), "denied", "route", r.Pattern, "reason", "login without its form token", "source", source(r))
		c.loginPage(w, r, http.StatusForbidden, r.PostFormValue("next"), "", l.T("error.csrf"))
		return
	}
	given := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	name, err := auth.NormalizeName(given)
	if err != nil {
		name = strings.ToLower(given)
		if len(name) > 64 {
			name = name[:64]
		}
	}
	attempt, err := c.Limiter.Begin(name, source(r))
	if err != nil {
		c.Logger.WarnContext(r.Context(), "denied", "user", name, "route", r.Pattern, "reason", "login rate limit", "source", source(r))
		c.loginPage(w, r, http.StatusTooManyRequests, next, given, l.T("login.locked"))
		return
	}
	u, err := c.DB.User(r.Context(), name)
	if err == nil && (u.Disabled || u.PasswordHash == "") {
		err = daihou.Errorf(daihou.ENOTFOUND, "no login")
	}
	if err != nil && daihou.ErrorCode(err) != daihou.ENOTFOUND && daihou.ErrorCode(err) != daihou.EINVALID {
		attempt.Succeed() // the database's fault, not the user's
		c.fail(w, r, l, err)
		return
	}
	if err != nil || len(password) > 1024 || auth.VerifyPassword(u.PasswordHash, password) != nil {
		if err != nil {
			auth.VerifyUnknownUser(password) // the same time as a wrong password
		}
		attempt.Fail()
		c.Logger.WarnContext(r.Context(), "denied", "user", name, "route", r.Pattern, "reason", "wrong user name or password", "source", source(r))
		c.loginPage(w, r, http.StatusUnauthorized, next, given, l.T("login.wrong"))
		return
	}
	attempt.Succeed()
	actor, err := u.Actor()
	if err != nil {
		c.fail(w, r, l, err)
		return
	}
	ctx := auth.NewContext(r.Context(), actor)
	if old, err := r.Cookie(sessionCookie); err == nil {
		c.DB.EndSession(ctx, old.Value) // fixation: the id a browser brought never lives on
	}
	token, _, err := c.DB.StartSession(ctx, c.SessionTTL)
	if err != nil {
		c.fail(w, r, l, err)
		return
	}
	c.clearCookie(w, r, loginCookie)
	c.setCookie(w, r, sessionCookie, token, int(c.SessionTTL.Seconds()))
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}
