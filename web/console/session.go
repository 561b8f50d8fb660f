package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/store"
)

// The console's cookies: the session, the login form's double-submit
// token, and the language chosen before logging in.
const (
	sessionCookie = "daihou_session"
	loginCookie   = "daihou_login"
	langCookie    = "daihou_lang"
)

// Session is the logged-in user of a request.
type Session struct {
	Actor  auth.Actor
	User   store.User
	Token  store.Token
	Locale *Locale
}

// CSRF is the token every form of this session carries.
func (s *Session) CSRF() string { return s.Token.CSRF }

// session returns the request's live session, or an EUNAUTHENTICATED
// error when there is none (no cookie, expired, idle too long, revoked).
func (c *Console) session(r *http.Request) (*Session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, daihou.Errorf(daihou.EUNAUTHENTICATED, "not logged in")
	}
	if err := c.Limiter.Check("", source(r)); err != nil {
		return nil, err
	}
	actor, tok, err := c.DB.Authenticate(r.Context(), ck.Value)
	if err != nil {
		if daihou.ErrorCode(err) == daihou.EUNAUTHENTICATED {
			c.Limiter.Failed("", source(r))
		}
		return nil, err
	}
	if tok.Kind != store.TokenSession {
		// An API token pasted into a cookie is not a console login.
		return nil, daihou.Errorf(daihou.EUNAUTHENTICATED, "not a console session")
	}
	if err := c.DB.UseSession(r.Context(), tok, c.Idle); err != nil {
		return nil, err
	}
	ctx := auth.NewContext(r.Context(), actor)
	u, err := c.DB.User(ctx, actor.Name())
	if err != nil {
		return nil, err
	}
	return &Session{Actor: actor, User: u, Token: tok, Locale: c.locale(u.Lang)}, nil
}

// authed runs h with the request's session in its context and acting as
// its user; without one a page redirects to the login, a form is refused.
func (c *Console) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := c.session(r)
		if err != nil {
			c.clearCookie(w, r, sessionCookie)
			if daihou.ErrorCode(err) == daihou.ERATELIMIT || r.Method != http.MethodGet {
				c.fail(w, r, c.locale(pickLang(r)), err)
				return
			}
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(auth.NewContext(r.Context(), s.Actor), ctxKey{}, s)
		r = r.WithContext(ctx)
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), s.Token.CSRF) {
			c.Logger.WarnContext(ctx, "denied", "actor", s.Actor.String(), "route", r.Pattern, "reason", "missing or wrong CSRF token", "source", source(r))
			c.fail(w, r, s.Locale, daihou.Errorf(daihou.EUNAUTHORIZED, "%s", s.Locale.T("error.csrf")))
			return
		}
		h(w, r)
	}
}

// sameToken compares a presented token with the expected one in constant
// time; an empty expected token matches nothing.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true, Secure: secureRequest(r), SameSite: http.SameSiteLaxMode})
}

func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	c.setCookie(w, r, name, "", -1)
}

func randomToken() string {
	var b [24]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// source is the peer address of a request, for the limiter.
func source(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// localPath accepts a redirect target inside the console only: a path, not
// another site ("//evil", "https://…", "/\evil").
func localPath(p string) string {
	if !strings.HasPrefix(p, "/console/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/console/"
	}
	return p
}
