package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"daihou/channel"
	"daihou/collection"
	"daihou/compliance"
	"daihou/outbox"
)

// ContactGate returns the compliance guard as the outbox asks it before
// each send (outbox.Dispatcher.Gate). A message whose task is no longer
// open — the loan cured or settled, the attempt superseded, the task done
// or cancelled while the message waited — is dropped: the reminder it
// carries (the amount due, the days past due) is no longer true. Any other
// automated contact — a text, an AI-voice call, an e-mail — is held until
// the guard allows it in the borrower's local time (quiet hours, the day's
// connected calls, a number's unanswered attempts), with the rule as the
// reason. A hold no time lifts (do not contact, a dispute) is looked at
// again a day later, so lifting the flag lets the message go.
func (db *DB) ContactGate() func(ctx context.Context, m outbox.Message) outbox.Verdict {
	return func(ctx context.Context, m outbox.Message) outbox.Verdict {
		var msg channel.Message
		if err := json.Unmarshal(m.Payload, &msg); err != nil {
			return outbox.Send // not a collection message: nothing to guard
		}
		now := db.Now()
		retry := func(err error) outbox.Verdict {
			return outbox.Verdict{Hold: true, Next: now.Add(time.Minute), Reason: "compliance guard: " + err.Error()}
		}
		if msg.TaskID != 0 {
			var state string
			err := db.read.QueryRowContext(ctx, `SELECT state FROM tasks WHERE id = ?`, msg.TaskID).Scan(&state)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				// Not a task's message (a tool enqueued it): guard it only.
			case err != nil:
				return retry(err)
			case state != collection.Open && state != collection.Escalated:
				return outbox.Verdict{Drop: true, Reason: fmt.Sprintf("task %d is %s", msg.TaskID, state)}
			}
		}
		var phoneKey, region string
		err := db.read.QueryRowContext(ctx, `SELECT phone_hash, region FROM borrowers WHERE id = ?`, msg.BorrowerID).Scan(&phoneKey, &region)
		if errors.Is(err, sql.ErrNoRows) {
			return outbox.Send
		}
		if err != nil {
			return retry(err)
		}
		ch := msg.Channel
		if ch == channel.Dialer {
			ch = compliance.Dialer
		}
		d, err := guard(ctx, db.read, compliance.Attempt{At: now, Zone: compliance.ZoneOf(region), Channel: ch, Party: compliance.Debtor,
			Number: phoneKey, LoanID: msg.LoanID, BorrowerID: msg.BorrowerID, Recorded: true})
		if err != nil {
			return retry(err)
		}
		if d.Allowed {
			return outbox.Send
		}
		next := d.Next
		if next.IsZero() {
			next = now.Add(24 * time.Hour)
		}
		return outbox.Verdict{Hold: true, Next: next, Reason: d.Rule + ": " + d.Reason}
	}
}
