package api

import (
	"net/http"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/store"
)

// TokenRequest issues an API token.
type TokenRequest struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	Scope string   `json:"scope,omitempty"`
	// ExpiresInDays is the token's life; 0 for none.
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

// IssuedToken is a new token: the secret is in this answer and nowhere
// else.
type IssuedToken struct {
	Token string      `json:"token"`
	Info  store.Token `json:"info"`
}

// ListTokens answers GET /api/v1/tokens (admin): the API tokens, never
// their secrets.
func (a *API) ListTokens(w http.ResponseWriter, r *http.Request) {
	if err := can(r.Context(), auth.ManageTokens, auth.System()); err != nil {
		a.fail(w, r, err)
		return
	}
	ts, err := a.DB.Tokens(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]store.Token{"tokens": nonNil(ts)})
}

// IssueToken answers POST /api/v1/tokens (admin): a token for an
// integration with its roles (never admin) and scope, shown once.
func (a *API) IssueToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := roles(req.Roles)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sc, err := scope(req.Scope)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3660 {
		a.fail(w, r, daihou.Invalid("expires_in_days", "expires_in_days: want 0 (never) to 3660, not %d", req.ExpiresInDays))
		return
	}
	var expires time.Time
	if req.ExpiresInDays > 0 {
		expires = a.now().AddDate(0, 0, req.ExpiresInDays)
	}
	secret, tok, err := a.DB.IssueToken(r.Context(), req.Name, rs, sc, expires)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, IssuedToken{Token: secret, Info: tok})
}

// RevokeToken answers DELETE /api/v1/tokens/{id} (admin).
func (a *API) RevokeToken(w http.ResponseWriter, r *http.Request) {
	if err := a.DB.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
