package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/channel"
	"daihou/inputtext"
	"daihou/outbox"
	"daihou/pii"
)

// The transactional outbox (package outbox): messages to the collection
// channels, inserted in the transaction of the change that calls for them
// and sent after it commits by dispatchers that claim them under a lease.
// A payload is the JSON of a channel.Message, sealed: it carries the
// borrower's phone or email address and name.
//
// Dispatching writes only the delivery's bookkeeping (state, attempts, the
// next time, the last error) and no audit entry: the contact itself is
// recorded when the channel reports its result.

// outboxField is the personal-data field an outbox payload is sealed as.
const outboxField = pii.Field("outbox")

// maxOutboxError is how much of a delivery's last error is kept.
const maxOutboxError = 1000

// enqueueMessages inserts msgs into the outbox in t, due at once (or at
// their NotBefore, when later), each sealed; a message whose key is in the
// outbox already is left out, so that a change made again (close of
// business re-run) enqueues its messages once. Every message is checked
// before any is written: a bad one is an EINVALID error and nothing is
// enqueued.
func enqueueMessages(ctx context.Context, t *wtx, msgs []channel.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	k := t.db.keys
	if k == nil {
		return ErrNoKey
	}
	type row struct {
		channel, key, payload string
		loan, next            int64
	}
	rows := make([]row, len(msgs))
	now := t.now.UnixMilli()
	for i := range msgs {
		m := &msgs[i]
		next, err := checkMessage(m, now)
		if err != nil {
			return err
		}
		payload, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := outbox.CheckPayload(payload); err != nil {
			return messageErr(m, err)
		}
		sealed, err := k.Seal(outboxField, string(payload))
		if err != nil {
			return err
		}
		rows[i] = row{m.Channel, m.Key, sealed, m.LoanID, next}
	}
	if err := t.db.ensureKeyCheck(ctx, t); err != nil {
		return err
	}
	b := newBatcher(t, `INSERT INTO outbox (channel, key, loan_id, payload, created_at, state, attempts, next_at) VALUES`, `ON CONFLICT (key) DO NOTHING`, 8)
	stamp := t.stamp()
	for _, r := range rows {
		if err := b.add(ctx, r.channel, r.key, r.loan, r.payload, stamp, outbox.StatePending, 0, r.next); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// checkMessage checks m for the outbox and returns when it is first due
// (Unix ms): now, or its NotBefore when later.
func checkMessage(m *channel.Message, now int64) (int64, error) {
	if err := outbox.CheckKey(m.Key); err != nil {
		return 0, messageErr(m, err)
	}
	if !channel.Known(m.Channel) {
		return 0, messageErr(m, daihou.Invalid("channel", "channel %q: want one of %s", inputtext.Clip(m.Channel, 32), strings.Join(channel.Names, ", ")))
	}
	next := now
	for _, f := range []struct{ name, v string }{{"not_before", m.NotBefore}, {"not_after", m.NotAfter}} {
		if f.v == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339, f.v)
		if err != nil {
			return 0, messageErr(m, daihou.Invalid(f.name, "%s %q: want an RFC 3339 time, e.g. 2026-03-01T08:00:00+08:00", f.name, inputtext.Clip(f.v, 40)))
		}
		if f.name == "not_before" {
			next = max(next, at.UnixMilli())
		}
	}
	return next, nil
}

// messageErr says which message err is about.
func messageErr(m *channel.Message, err error) error {
	e := daihou.Errorf(daihou.EINVALID, "outbox message %q: %w", inputtext.Clip(m.Key, 64), err)
	e.Field = daihou.ErrorField(err)
	return e
}

// Enqueue adds msgs to the outbox in a transaction of its own, as the
// actor in ctx, who must be allowed to run close of business (which fills
// the outbox), with an audit entry; messages already in the outbox by key
// are left as they are. It is for tools and tests: the collections code
// enqueues in the transaction of the change that calls for the messages.
func (db *DB) Enqueue(ctx context.Context, msgs []channel.Message) error {
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.RunEOD, auth.Book()); err != nil {
			return err
		}
		if err := enqueueMessages(ctx, t, msgs); err != nil || len(msgs) == 0 {
			return err
		}
		keys := make([]string, len(msgs))
		chans := map[string]bool{}
		for i, m := range msgs {
			keys[i] = m.Key
			chans[m.Channel] = true
		}
		names := make([]string, 0, len(chans))
		for c := range chans {
			names = append(names, c)
		}
		slices.Sort(names)
		return t.audit(ctx, "outbox.enqueue", "book", audit.DigestFields(keys...),
			fmt.Sprintf("%d messages given to the outbox for %s (any whose key it held already left as it was)", len(msgs), strings.Join(names, ", ")))
	})
}

// Outbox returns the book's outbox, for dispatchers (outbox.Dispatcher).
// Its claims are safe with any number of processes: on PostgreSQL they
// skip the rows another claim has locked; on SQLite one writer claims at a
// time. Claim needs the key ring, to open the payloads.
func (db *DB) Outbox() outbox.Store { return outboxStore{db} }

// outboxStore implements outbox.Store.
type outboxStore struct{ db *DB }

// The claim moves next_at past the lease, which is what holds a message:
// the claim is one statement, so no two claims can take one row.
const (
	claimSQLite = `UPDATE outbox SET next_at = ? WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?)
RETURNING id, channel, key, loan_id, payload, attempts`
	// A locking CTE is not inlined, so the LIMIT holds however the
	// update is planned.
	claimPostgres = `WITH due AS (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
UPDATE outbox o SET next_at = ? FROM due WHERE o.id = due.id RETURNING o.id, o.channel, o.key, o.loan_id, o.payload, o.attempts`
)

// Claim implements outbox.Store.
func (s outboxStore) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Message, error) {
	db := s.db
	if limit <= 0 {
		return nil, nil
	}
	if db.keys == nil {
		return nil, ErrNoKey
	}
	until, cutoff := now.Add(lease).UnixMilli(), now.UnixMilli()
	query, args := claimSQLite, []any{until, cutoff, limit}
	if db.dialect == Postgres {
		query, args = claimPostgres, []any{cutoff, limit, until}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []outbox.Message
	var sealed []string
	for rows.Next() {
		var m outbox.Message
		var p string
		if err := rows.Scan(&m.ID, &m.Channel, &m.Key, &m.LoanID, &p, &m.Attempts); err != nil {
			rows.Close()
			return nil, err
		}
		out, sealed = append(out, m), append(sealed, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A payload that does not open leaves every claim of the batch
	// undone: the key ring is wrong, and a retry of these would fail alike.
	for i := range out {
		plain, err := db.keys.Open(outboxField, sealed[i])
		if err != nil {
			return nil, fmt.Errorf("outbox message %d: %w", out[i].ID, err)
		}
		out[i].Payload = []byte(plain)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b outbox.Message) int { return int(min(max(a.ID-b.ID, -1), 1)) })
	return out, nil
}

// MarkSent implements outbox.Store.
func (s outboxStore) MarkSent(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.write.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'pending'`,
		at.UTC().Format(time.RFC3339Nano), id)
	return err
}

// Retry implements outbox.Store.
func (s outboxStore) Retry(ctx context.Context, id int64, attempts int, next time.Time, errText string) error {
	_, err := s.db.write.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`,
		attempts, next.UnixMilli(), clipError(errText), id)
	return err
}

// Dead implements outbox.Store.
func (s outboxStore) Dead(ctx context.Context, id int64, errText string) error {
	_, err := s.db.write.ExecContext(ctx, `UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'`,
		clipError(errText), id)
	return err
}

// Drop implements outbox.Store.
func (s outboxStore) Drop(ctx context.Context, id int64, reason string) error {
	_, err := s.db.write.ExecContext(ctx, `UPDATE outbox SET state = 'dropped', last_error = ? WHERE id = ? AND state = 'pending'`,
		clipError(reason), id)
	return err
}

// clipError cuts a delivery's error to what is kept, on a rune boundary.
func clipError(s string) string {
	if len(s) <= maxOutboxError {
		return s
	}
	cut := maxOutboxError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// OutboxCount is how many of a channel's messages are in a state, and
// when the oldest of them was enqueued (RFC 3339).
type OutboxCount struct {
	Channel  string `json:"channel"`
	State    string `json:"state"`
	Messages int64  `json:"messages"`
	Oldest   string `json:"oldest"`
}

// OutboxStats counts the outbox's messages by channel and state.
func (db *DB) OutboxStats(ctx context.Context) ([]OutboxCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT channel, state, COUNT(*), MIN(created_at) FROM outbox GROUP BY channel, state ORDER BY channel, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxCount
	for rows.Next() {
		var c OutboxCount
		if err := rows.Scan(&c.Channel, &c.State, &c.Messages, &c.Oldest); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeadLetter is a message the outbox gave up on: refused for good by its
// receiver, or out of attempts. LastError says why.
type DeadLetter struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	Key       string `json:"key"`
	LoanID    int64  `json:"loan_id"`
	Attempts  int    `json:"attempts"`
	CreatedAt string `json:"created_at"`
	LastError string `json:"last_error"`
}

// DeadLetters returns up to limit of the outbox's dead letters, the most
// recently enqueued first, without their payloads.
func (db *DB) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	if limit < 1 || limit > 10000 {
		return nil, daihou.Invalid("limit", "limit %d: want 1 to 10000", limit)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, channel, key, loan_id, attempts, created_at, last_error FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var d DeadLetter
		if err := rows.Scan(&d.ID, &d.Channel, &d.Key, &d.LoanID, &d.Attempts, &d.CreatedAt, &d.LastError); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// resealOutbox seals under the current key every outbox payload under
// another (prefix is the current key's e<version>:%), whatever the
// message's state, a chunk per transaction with its audit entry.
func (db *DB) resealOutbox(ctx context.Context, prefix string, progress func(int64)) (int64, error) {
	var done, after int64
	for {
		var n int
		err := db.inTx(ctx, func(t *wtx) error {
			if err := t.can(auth.RotateKeys, auth.System()); err != nil {
				return err
			}
			type msg struct {
				id      int64
				payload string
			}
			var list []msg
			rows, err := t.QueryContext(ctx, `SELECT id, payload FROM outbox WHERE id > ? AND payload NOT LIKE ? ORDER BY id LIMIT 2000`, after, prefix)
			if err != nil {
				return err
			}
			for rows.Next() {
				var m msg
				if err := rows.Scan(&m.id, &m.payload); err != nil {
					rows.Close()
					return err
				}
				list = append(list, m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, m := range list {
				sealed, _, err := db.keys.Reseal(outboxField, m.payload)
				if err != nil {
					return fmt.Errorf("outbox message %d: %w", m.id, err)
				}
				if _, err := t.ExecContext(ctx, `UPDATE outbox SET payload = ? WHERE id = ?`, sealed, m.id); err != nil {
					return err
				}
			}
			if n = len(list); n == 0 {
				return nil
			}
			first := list[0].id
			after = list[n-1].id
			return t.audit(ctx, string(auth.RotateKeys), "book", audit.DigestFields(idList([]int64{first, after})...),
				fmt.Sprintf("%d outbox messages (ids %d to %d) sealed under key version %d", n, first, after, db.keys.Current()))
		})
		if err != nil {
			return done, err
		}
		done += int64(n)
		if n == 0 {
			return done, nil
		}
		if progress != nil {
			progress(done)
		}
	}
}

// RequeueDead gives the dead letters of channel ("" for every channel)
// another round, as the actor in ctx (who must run the outbox): pending
// again from now, their attempts counted from zero, each keeping its
// idempotency key, so a receiver that did take one acts on it once. For
// after the cause is fixed — a wrong secret, a gateway that refused
// everything for a while. It returns how many it moved, in one audited
// transaction.
func (db *DB) RequeueDead(ctx context.Context, channelName string) (int64, error) {
	if channelName != "" && !channel.Known(channelName) {
		return 0, daihou.Invalid("channel", "channel %q: want one of %s, or none for every channel", inputtext.Clip(channelName, 32), strings.Join(channel.Names, ", "))
	}
	var n int64
	err := db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.RunEOD, auth.Book()); err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_at = ?, last_error = ''
			WHERE state = 'dead' AND (? = '' OR channel = ?)`, t.now.UnixMilli(), channelName, channelName)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		what := channelName
		if what == "" {
			what = "every channel"
		}
		return t.audit(ctx, "outbox.requeue", "book", audit.DigestFields(channelName, strconv.FormatInt(n, 10)), fmt.Sprintf("%d dead letters of %s sent again", n, what))
	})
	return n, err
}
