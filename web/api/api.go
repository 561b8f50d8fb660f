// Package api is daihou's JSON API under /api/v1: one handler file per
// resource and verb, thin over the store. Every request but logging in
// carries a bearer token (an integration's API token or a user's
// session), and acts as its actor: the store and package auth decide what
// it may do, and a loan outside its scope is not found.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/store"
)

// API answers /api/v1 over one book.
type API struct {
	DB     *store.DB
	Logger *slog.Logger
	// Limiter slows guessing: failed logins per user name and source
	// address, failed tokens per source address.
	Limiter *auth.Limiter
	// SessionTTL is how long a login lasts (default 8 h).
	SessionTTL time.Duration
	// Posted, when not nil, counts postings by kind and outcome (posted,
	// duplicate, rejected) for the server's metrics.
	Posted func(kind, outcome string, n int)
	// WebhookSecret returns a source's webhook secret, nil when its
	// webhook is off.
	WebhookSecret func(source string) []byte
	// ChannelSecret returns a channel's webhook secret, the one its
	// results are signed with; nil when none is set (its callback is off).
	ChannelSecret func(channel string) []byte
	// OnSignals, when not nil, is told the borrowers that a webhook
	// stored records for, at once, and returns the warnings it raised.
	OnSignals func(ctx context.Context, borrowers []int64) (int, error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New returns the API over db.
func New(db *store.DB, logger *slog.Logger) *API {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &API{DB: db, Logger: logger, WebhookSecret: EnvSecrets, ChannelSecret: EnvChannelSecret, Limiter: auth.NewLimiter(time.Now, auth.DefaultNameRule, auth.DefaultSourceRule), SessionTTL: 8 * time.Hour}
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Authed runs h as the actor of the request's bearer token: 401 without a
// valid one, 429 for a source that has guessed too many.
func (a *API) Authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			a.fail(w, r, daihou.Errorf(daihou.EUNAUTHENTICATED, "no credentials: send Authorization: Bearer TOKEN (an API token from 'daihou token add', or a session from POST /api/v1/session)"))
			return
		}
		id, _ := auth.ParseTokenID(token) // "" for a malformed one: only the source is limited
		// A token is checked against its hash, which costs nothing, so
		// only failures go through the limiter: an attempt in progress
		// counts as a failure there, and an integration's concurrent
		// requests with one good token would lock it out.
		if err := a.Limiter.Check(id, source(r)); err != nil {
			a.fail(w, r, err)
			return
		}
		actor, _, err := a.DB.Authenticate(r.Context(), token)
		if err != nil {
			if daihou.ErrorCode(err) == daihou.EUNAUTHENTICATED {
				a.Limiter.Failed(id, source(r))
			}
			a.fail(w, r, err)
			return
		}
		r = r.WithContext(auth.NewContext(r.Context(), actor))
		if err := checkText(r); err != nil {
			a.fail(w, r, err)
			return
		}
		h(w, r)
	})
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// source is the address a request came from, for the limiter: the peer's
// IP (a proxy in front sets its own limits).
func source(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// can checks the request's actor against an action on the book or the
// system, for a handler that reads something the store does not guard.
func can(ctx context.Context, action auth.Action, res auth.Resource) error {
	return auth.Can(auth.FromContext(ctx), action, res).Err()
}
