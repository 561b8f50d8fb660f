package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/inputtext"
)

// Token is an API token for an integration, or the session of a logged-in
// user, as the book keeps it: never the secret, which was shown once.
type Token struct {
	ID        string      `json:"id"` // the token's public part (auth.TokenHash.ID)
	Kind      string      `json:"kind"`
	Name      string      `json:"name"`
	UserID    int64       `json:"user_id,omitempty"`
	Roles     []auth.Role `json:"roles,omitempty"`
	ScopeText string      `json:"scope,omitempty"`
	CreatedBy string      `json:"created_by"`
	CreatedAt string      `json:"created_at"`
	ExpiresAt string      `json:"expires_at,omitempty"`
	RevokedAt string      `json:"revoked_at,omitempty"`
	// CSRF is a session's anti-forgery token, which the console puts in
	// its forms.
	CSRF string `json:"-"`
	// LastUsedAt is when a session last answered a request (RFC 3339),
	// for the console's idle timeout.
	LastUsedAt string `json:"last_used_at,omitempty"`
}

// The kinds of token.
const (
	TokenAPI     = "api"
	TokenSession = "session"
)

const tokenColumns = `token_id, kind, name, user_id, roles, scope, created_by, created_at, expires_at, revoked_at, csrf, last_used_at`

func scanToken(sc interface{ Scan(...any) error }) (Token, []byte, error) {
	var t Token
	var roles string
	var sum []byte
	err := sc.Scan(&t.ID, &t.Kind, &t.Name, &t.UserID, &roles, &t.ScopeText, &t.CreatedBy, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.CSRF, &t.LastUsedAt, &sum)
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			t.Roles = append(t.Roles, auth.Role(r))
		}
	}
	return t, sum, err
}

// IssueToken issues an API token named name with its roles and scope, as
// the actor in ctx (who must manage tokens), valid until expires (never
// when zero). It returns the token, to show once: only its hash is kept.
func (db *DB) IssueToken(ctx context.Context, name string, roles []auth.Role, scope auth.Scope, expires time.Time) (string, Token, error) {
	actor, err := auth.NewToken(name, roles, scope) // validates name, roles (no admin) and scope
	if err != nil {
		return "", Token{}, err
	}
	secret, stored := auth.GenerateToken()
	tok := Token{ID: stored.ID, Kind: TokenAPI, Name: actor.Name(), Roles: actor.Roles(), ScopeText: FormatGrantedScope(actor.Granted())}
	if !expires.IsZero() {
		tok.ExpiresAt = expires.UTC().Format(time.RFC3339)
	}
	err = db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageTokens, auth.System()); err != nil {
			return err
		}
		if !expires.IsZero() && !expires.After(t.now) {
			return daihou.Invalid("expires", "expires: %s is not in the future", tok.ExpiresAt)
		}
		tok.CreatedBy, tok.CreatedAt = t.actor.String(), t.stamp()
		if _, err := t.ExecContext(ctx, `INSERT INTO api_tokens (token_id, kind, name, secret_hash, user_id, roles, scope, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
			tok.ID, tok.Kind, tok.Name, stored.Sum[:], joinRoles(tok.Roles), tok.ScopeText, tok.CreatedBy, tok.CreatedAt, tok.ExpiresAt); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.ManageTokens), audit.Object("token", tok.ID), audit.DigestFields(tok.ID, tok.Name, joinRoles(tok.Roles), tok.ScopeText, tok.ExpiresAt),
			fmt.Sprintf("token %s issued to %s: roles %s, scope %s, expires %s", stored.Display(), tok.Name, joinRoles(tok.Roles), orNone(tok.ScopeText), orNever(tok.ExpiresAt)))
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, tok, nil
}

func orNever(s string) string {
	if s == "" {
		return "never"
	}
	return s
}

// Tokens returns the API tokens (not the sessions), newest first.
func (db *DB) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+`, secret_hash FROM api_tokens WHERE kind = ? ORDER BY id DESC`, TokenAPI)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, _, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes the API token whose public part is id, as the actor
// in ctx (who must manage tokens).
func (db *DB) RevokeToken(ctx context.Context, id string) error {
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageTokens, auth.System()); err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND kind = ? AND revoked_at = ''`, t.stamp(), id, TokenAPI)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return daihou.Errorf(daihou.ENOTFOUND, "no live API token %q: 'daihou token list' shows them", inputtext.Clip(id, 32))
		}
		return t.audit(ctx, string(auth.ManageTokens), audit.Object("token", id), audit.Hash{}, "token "+auth.TokenPrefix+id+"_… revoked")
	})
}

// StartSession starts a session for the user who is the actor in ctx (a
// front end that has just checked their password), valid for ttl. It
// returns the session's token, to hand to the client once, and its CSRF
// token.
func (db *DB) StartSession(ctx context.Context, ttl time.Duration) (token, csrf string, err error) {
	secret, stored := auth.GenerateToken()
	var b [24]byte
	rand.Read(b[:])
	csrf = hex.EncodeToString(b[:])
	err = db.inTx(ctx, func(t *wtx) error {
		if t.actor.Kind() != auth.KindUser {
			return daihou.Errorf(daihou.EUNAUTHENTICATED, "only a user logs in")
		}
		u, err := userByName(ctx, t, t.actor.Name())
		if err != nil {
			return err
		}
		expires := t.now.Add(ttl).UTC().Format(time.RFC3339)
		if _, err := t.ExecContext(ctx, `INSERT INTO api_tokens (token_id, kind, name, secret_hash, user_id, created_by, created_at, expires_at, csrf) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			stored.ID, TokenSession, u.Name, stored.Sum[:], u.ID, t.actor.String(), t.stamp(), expires, csrf); err != nil {
			return err
		}
		return t.audit(ctx, "session.start", audit.Object("user", u.Name), audit.DigestFields(stored.ID), "logged in, session "+stored.Display()+" until "+expires)
	})
	if err != nil {
		return "", "", err
	}
	return secret, csrf, nil
}

// EndSession ends the session of token (logging out); a token that is not
// a live session is ignored.
func (db *DB) EndSession(ctx context.Context, token string) error {
	id, err := auth.ParseTokenID(token)
	if err != nil {
		return nil
	}
	return db.inTx(ctx, func(t *wtx) error {
		res, err := t.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND kind = ? AND revoked_at = ''`, t.stamp(), id, TokenSession)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return t.audit(ctx, "session.end", audit.Object("user", t.actor.Name()), audit.DigestFields(id), "logged out")
	})
}

// errBadToken is the one answer to any token that does not authenticate:
// which part was wrong is not the caller's business.
var errBadToken = daihou.Errorf(daihou.EUNAUTHENTICATED, "the token is not valid: it may be mistyped, revoked or expired; log in again or ask an admin for a new one")

// Authenticate returns the actor a presented token acts as: the token's
// own roles and scope for an API token, its user for a session. Any token
// that is malformed, unknown, wrong, revoked or expired, or whose user is
// disabled, gives the same EUNAUTHENTICATED error.
func (db *DB) Authenticate(ctx context.Context, token string) (auth.Actor, Token, error) {
	id, err := auth.ParseTokenID(token)
	if err != nil {
		return auth.Actor{}, Token{}, errBadToken
	}
	tok, sum, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+`, secret_hash FROM api_tokens WHERE token_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Actor{}, Token{}, errBadToken
	}
	if err != nil {
		return auth.Actor{}, Token{}, err
	}
	var h auth.TokenHash
	h.ID = tok.ID
	if len(sum) != len(h.Sum) {
		return auth.Actor{}, Token{}, errBadToken
	}
	copy(h.Sum[:], sum)
	if auth.VerifyToken(token, h) != nil || tok.RevokedAt != "" {
		return auth.Actor{}, Token{}, errBadToken
	}
	if tok.ExpiresAt != "" {
		exp, err := time.Parse(time.RFC3339, tok.ExpiresAt)
		if err != nil || !db.Now().Before(exp) {
			return auth.Actor{}, Token{}, errBadToken
		}
	}
	switch tok.Kind {
	case TokenAPI:
		scope, err := ParseGrantedScope(tok.ScopeText)
		if err != nil {
			return auth.Actor{}, Token{}, err
		}
		a, err := auth.NewToken(tok.Name, tok.Roles, scope)
		return a, tok, err
	case TokenSession:
		u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, tok.UserID))
		if err != nil || u.Disabled {
			return auth.Actor{}, Token{}, errBadToken
		}
		a, err := u.Actor()
		return a, tok, err
	}
	return auth.Actor{}, Token{}, errBadToken
}
