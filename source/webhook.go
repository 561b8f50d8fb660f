package source

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

// The webhook contract. A source posts a body (JSON Lines of records, or
// one record) to /api/v1/sources/{name}/records with two headers:
//
//	X-Daihou-Timestamp: the Unix time in seconds when it was sent
//	X-Daihou-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>
//
// under the source's own secret. The timestamp is signed with the body, so
// a captured request cannot be replayed outside the window; within it, a
// replay stores nothing new (records are idempotent by source and id).
const (
	TimestampHeader = "X-Daihou-Timestamp"
	SignatureHeader = "X-Daihou-Signature"
	// Window is how far a webhook's timestamp may be from the server's
	// clock, either way.
	Window = 5 * time.Minute
)

// SecretEnv returns the environment variable that holds a source's
// webhook secret, on the server and for a sender: DAIHOU_WEBHOOK_SECRET_BUREAU
// for the bureau.
func SecretEnv(name string) string { return "DAIHOU_WEBHOOK_SECRET_" + strings.ToUpper(name) }

// Sign returns the X-Daihou-Signature value of body sent at ts.
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
// at now. The error says what is wrong and what to send instead.
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
		return fmt.Errorf("%w: %s does not match the body and timestamp under this source's secret", ErrBadSignature, SignatureHeader)
	}
	return nil
}
