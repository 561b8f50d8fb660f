package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"daihou/channel"
	"daihou/compliance"
	"daihou/outbox"
)

// ContactGate returns the compliance guard as the outbox asks it before
// each send (outbox.Dispatcher.Gate): an automated contact — a text, an
// AI-voice call, an e-mail — is held until the guard allows it in the
// borrower's local time (quiet hours, the day's connected calls, a
// number's unanswered attempts), with the rule as the reason. A hold no
// time lifts (do not contact, a dispute) is looked at again a day later,
// so lifting the flag lets the message go.
func (db *DB) ContactGate() func(ctx context.Context, m outbox.Message) (bool, time.Time, string) {
	return func(ctx context.Context, m outbox.Message) (bool, time.Time, string) {
		var msg channel.Message
		if err := json.Unmarshal(m.Payload, &msg); err != nil {
			return true, time.Time{}, "" // not a collection message: nothing to guard
		}
		now := db.Now()
		var phoneKey, region string
		err := db.read.QueryRowContext(ctx, `SELECT phone_hash, region FROM borrowers WHERE id = ?`, msg.BorrowerID).Scan(&phoneKey, &region)
		if errors.Is(err, sql.ErrNoRows) {
			return true, time.Time{}, ""
		}
		if err != nil {
			return false, now.Add(time.Minute), "compliance guard: " + err.Error()
		}
		ch := msg.Channel
		if ch == channel.Dialer {
			ch = compliance.Dialer
		}
		d, err := guard(ctx, db.read, compliance.Attempt{At: now, Zone: compliance.ZoneOf(region), Channel: ch, Party: compliance.Debtor,
			Number: phoneKey, LoanID: msg.LoanID, BorrowerID: msg.BorrowerID, Recorded: true})
		if err != nil {
			return false, now.Add(time.Minute), "compliance guard: " + err.Error()
		}
		if d.Allowed {
			return true, time.Time{}, ""
		}
		next := d.Next
		if next.IsZero() {
			next = now.Add(24 * time.Hour)
		}
		return false, next, d.Rule + ": " + d.Reason
	}
}
