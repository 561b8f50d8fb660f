package api

import (
	"net/http"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/inputtext"
)

// LoginRequest logs a user in.
type LoginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Session is a started session: its token, shown once, and its CSRF
// token for forms.
type Session struct {
	Token     string `json:"token"`
	CSRF      string `json:"csrf"`
	User      string `json:"user"`
	ExpiresIn int64  `json:"expires_in"` // seconds
}

// errLogin is the one answer to a failed login, whichever part was wrong.
var errLogin = daihou.Errorf(daihou.EUNAUTHENTICATED, "wrong user name or password")

// Login answers POST /api/v1/session: a user's name and password give a
// session token. Failures are slowed per user name and per source
// address (429 once locked out), and an unknown name costs the same time
// as a wrong password.
func (a *API) Login(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	name, err := auth.NormalizeName(req.Name)
	if err != nil {
		name = strings.ToLower(inputtext.Clip(strings.TrimSpace(req.Name), 64))
	}
	attempt, err := a.Limiter.Begin(name, source(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.Password) > 1024 {
		attempt.Fail()
		a.fail(w, r, errLogin)
		return
	}
	u, err := a.DB.User(r.Context(), name)
	switch {
	case daihou.ErrorCode(err) == daihou.ENOTFOUND || daihou.ErrorCode(err) == daihou.EINVALID || err == nil && (u.Disabled || u.PasswordHash == ""):
		auth.VerifyUnknownUser(req.Password)
		attempt.Fail()
		a.fail(w, r, errLogin)
		return
	case err != nil:
		attempt.Succeed() // not the user's fault
		a.fail(w, r, err)
		return
	}
	if err := auth.VerifyPassword(u.PasswordHash, req.Password); err != nil {
		attempt.Fail()
		a.fail(w, r, errLogin)
		return
	}
	attempt.Succeed()
	actor, err := u.Actor()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	token, csrf, err := a.DB.StartSession(auth.NewContext(r.Context(), actor), a.SessionTTL)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, Session{Token: token, CSRF: csrf, User: u.Name, ExpiresIn: int64(a.SessionTTL.Seconds())})
}

// Logout answers DELETE /api/v1/session: the session of the bearer token
// ends.
func (a *API) Logout(w http.ResponseWriter, r *http.Request) {
	token, _ := bearer(r)
	if err := a.DB.EndSession(r.Context(), token); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
