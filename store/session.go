package store

import (
	"context"
	"strconv"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/inputtext"
)

// touchEvery is how stale a session's last use may be before a request
// writes it again: the idle timeout needs minutes, not every request.
const touchEvery = 30 * time.Second

// UseSession records that the session tok (as Authenticate returned it)
// answered a request now, or ends it and returns EUNAUTHENTICATED when it
// has been idle longer than idle (no limit when idle is zero).
func (db *DB) UseSession(ctx context.Context, tok Token, idle time.Duration) error {
	if tok.Kind != TokenSession {
		return errBadToken
	}
	now := db.Now()
	if tok.LastUsedAt != "" {
		last, err := time.Parse(time.RFC3339, tok.LastUsedAt)
		if err != nil {
			return errBadToken
		}
		if idle > 0 && now.Sub(last) > idle {
			if _, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at = ''`, now.UTC().Format(time.RFC3339), tok.ID); err != nil {
				return err
			}
			return daihou.Errorf(daihou.EUNAUTHENTICATED, "the session ended after %v without use: log in again", idle)
		}
		if now.Sub(last) < touchEvery {
			return nil
		}
	}
	_, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?`, now.UTC().Format(time.RFC3339), tok.ID)
	return err
}

// EndSessions ends every live session of the user who is the actor in ctx
// (logging out everywhere) and returns how many there were.
func (db *DB) EndSessions(ctx context.Context) (int, error) {
	var n int64
	err := db.inTx(ctx, func(t *wtx) error {
		if t.actor.Kind() != auth.KindUser {
			return daihou.Errorf(daihou.EUNAUTHENTICATED, "only a user has sessions")
		}
		u, err := userByName(ctx, t, t.actor.Name())
		if err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND kind = ? AND revoked_at = ''`, t.stamp(), u.ID, TokenSession)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return t.audit(ctx, "session.end_all", audit.Object("user", u.Name), audit.DigestFields(u.Name, strconv.FormatInt(n, 10)), "logged out everywhere")
	})
	return int(n), err
}

// Languages are the console languages a user may choose.
var Languages = []string{"zh-CN", "en"}

// SetLanguage sets the console language of the user who is the actor in
// ctx: one of Languages, or "" for the default.
func (db *DB) SetLanguage(ctx context.Context, lang string) error {
	ok := lang == ""
	for _, l := range Languages {
		ok = ok || l == lang
	}
	if !ok {
		return daihou.Invalid("lang", "lang: want one of %v, not %q", Languages, inputtext.Clip(lang, 16))
	}
	return db.inTx(ctx, func(t *wtx) error {
		if t.actor.Kind() != auth.KindUser {
			return daihou.Errorf(daihou.EUNAUTHENTICATED, "only a user has a language")
		}
		res, err := t.ExecContext(ctx, `UPDATE users SET lang = ? WHERE name = ?`, lang, t.actor.Name())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return daihou.Errorf(daihou.ENOTFOUND, "no user %q", t.actor.Name())
		}
		return t.audit(ctx, "user.lang", audit.Object("user", t.actor.Name()), audit.DigestFields(lang), "console language "+lang)
	})
}
