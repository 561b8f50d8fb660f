package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"daihou"
)

// Message is one message in the outbox as the Dispatcher takes it.
// Payload is what the channel receives (for the webhook channels, the
// JSON of a channel.Message), opened from its sealed form at rest.
// Attempts counts the attempts that failed so far.
type Message struct {
	ID       int64
	Channel  string
	Key      string // the idempotency key: the same on every attempt
	LoanID   int64
	Payload  []byte
	Attempts int
}

// The states of a message at rest.
const (
	StatePending = "pending" // waiting to be sent, or being sent under a lease
	StateSent    = "sent"    // the receiver has it
	StateDead    = "dead"    // a dead letter: refused for good, or out of attempts
	// StateDropped is a message no longer wanted when its turn came: the
	// Gate said what called for it is over (the task closed, the loan
	// cured), so it was never sent.
	StateDropped = "dropped"
)

// Store is what the Dispatcher needs from storage. Implementations must be
// safe for concurrent use, and Claim safe with several processes on one
// database.
type Store interface {
	// Claim takes up to limit pending messages that were due at now
	// (oldest due first) and holds them until now+lease: no Claim in any
	// process returns them again before the lease ends, unless MarkSent,
	// Retry or Dead releases them sooner. A message whose holder dies is
	// due again when its lease ends.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// MarkSent records that message id was delivered at at. A message no
	// longer pending (sent or dead meanwhile, by a holder whose lease had
	// run out) is left as it is, and that is not an error.
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// Retry makes message id pending again from next, with attempts
	// failed attempts and errText as its last error. Like MarkSent it
	// leaves a message no longer pending as it is.
	Retry(ctx context.Context, id int64, attempts int, next time.Time, errText string) error
	// Dead moves message id to the dead letters with errText, counting
	// the attempt that failed. Like MarkSent it leaves a message no
	// longer pending as it is.
	Dead(ctx context.Context, id int64, errText string) error
	// Drop marks message id dropped with reason, without an attempt. Like
	// MarkSent it leaves a message no longer pending as it is.
	Drop(ctx context.Context, id int64, reason string) error
}

// Sender delivers messages of one channel.
type Sender interface {
	// Send delivers m once. It returns nil when the receiver has m; an
	// error for which IsPermanent is true when the receiver refused m for
	// good (it is dead-lettered); any other error when m should be tried
	// again later — a *RetryAfterError in it says when at the earliest.
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery the receiver refused for good: the message
// itself is wrong, and sending it again cannot succeed.
var ErrPermanent = errors.New("refused for good")

// Permanent returns err marked as permanent: errors.Is(Permanent(err),
// ErrPermanent), and err stays reachable through errors.Is/As.
func Permanent(err error) error {
	if err == nil {
		err = ErrPermanent
	}
	return permanentError{err}
}

type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() []error { return []error{e.err, ErrPermanent} }

// IsPermanent reports whether err marks a delivery refused for good.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// RetryAfterError is a failed delivery whose receiver asked to be tried
// again no sooner than After from now (an HTTP Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", e.Err, e.After)
}

// Unwrap returns the cause.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Limits of what the outbox takes.
const (
	// MaxKey is the longest idempotency key, in bytes.
	MaxKey = 200
	// MaxPayload is the largest payload, in bytes: a reminder, not a
	// document.
	MaxPayload = 64 << 10
)

// CheckKey returns an EINVALID error unless key can be an idempotency key:
// 1 to MaxKey bytes of printable ASCII without spaces, so that it travels
// unchanged in an HTTP header.
func CheckKey(key string) error {
	if key == "" {
		return daihou.Invalid("key", "key: empty; every outbox message needs an idempotency key, the same on every delivery")
	}
	if len(key) > MaxKey {
		return daihou.Invalid("key", "key: %d bytes, at most %d", len(key), MaxKey)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c > '~' {
			return daihou.Invalid("key", "key %q: byte %d is %q; use printable ASCII without spaces", key, i+1, c)
		}
	}
	return nil
}

// CheckPayload returns an EINVALID error when payload is empty or larger
// than MaxPayload.
func CheckPayload(payload []byte) error {
	if len(payload) == 0 {
		return daihou.Invalid("payload", "payload: empty")
	}
	if len(payload) > MaxPayload {
		return daihou.Invalid("payload", "payload: %d bytes, at most %d", len(payload), MaxPayload)
	}
	return nil
}
