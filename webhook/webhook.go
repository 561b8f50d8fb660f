// Package webhook is daihou's signed-webhook contract, the one both ways
// use: data sources posting records in (package source, daihou serve) and
// the outbox posting messages out to collection channels (package
// channel). A request carries two headers,
//
//	X-Daihou-Timestamp: the Unix time in seconds when it was sent
//	X-Daihou-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>
//
// under the secret the two ends share. The timestamp is signed with the
// body, so a captured request cannot be replayed outside the window; within
// it, a replay changes nothing because every delivery is idempotent (a
// record by its source and id, an outbound message by its Idempotency-Key).
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed delivery.
const (
	TimestampHeader = "X-Daihou-Timestamp"
	SignatureHeader = "X-Daihou-Signature"
	// IdempotencyHeader carries the key a receiver deduplicates on: the
	// same key delivered twice must be acted on once.
	IdempotencyHeader = "Idempotency-Key"
)

// Window is how far a webhook's timestamp may be from the receiver's
// clock, either way.
const Window = 5 * time.Minute

// Sign returns the X-Daihou-Signature value of body sent at ts (Unix
// seconds).
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify, for callers to tell apart.
var (
	ErrUnsigned     = errors.New("unsigned")
	ErrBadSignature = errors.New("bad signature")
	ErrStale        = errors.New("timestamp outside the window")
)

// Verify checks a webhook's timestamp and signature headers against body
// at now. The error wraps ErrUnsigned, ErrStale or ErrBadSignature and says
// what is wrong and what to send instead.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return fmt.Errorf("%w: send %s (Unix seconds) and %s: sha256=<hex HMAC-SHA256 of timestamp + \".\" + body>", ErrUnsigned, TimestampHeader, SignatureHeader)
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil || ts <= 0 {
		return fmt.Errorf("%w: %s must be Unix seconds, e.g. %d", ErrUnsigned, TimestampHeader, now.Unix())
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Window || d < -Window {
		return fmt.Errorf("%w: %s is %v from the server's clock, more than the %v allowed; sign each delivery when it is sent", ErrStale, TimestampHeader, d.Round(time.Second), Window)
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(strings.TrimSpace(signature)), []byte(want)) {
		return fmt.Errorf("%w: %s does not match the body and timestamp under the shared secret", ErrBadSignature, SignatureHeader)
	}
	return nil
}
