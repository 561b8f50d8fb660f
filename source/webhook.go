package source

import (
	"strings"
	"time"

	"daihou/webhook"
)

// The webhook contract. A source posts a body (JSON Lines of records, or
// one record) to /api/v1/sources/{name}/records signed as package webhook
// describes (X-Daihou-Timestamp and X-Daihou-Signature) under the source's
// own secret. Within the window a replay stores nothing new: records are
// idempotent by source and id. The names here are package webhook's,
// kept for the code that reaches them through source.
const (
	TimestampHeader = webhook.TimestampHeader
	SignatureHeader = webhook.SignatureHeader
	// Window is how far a webhook's timestamp may be from the server's
	// clock, either way.
	Window = webhook.Window
)

// SecretEnv returns the environment variable that holds a source's
// webhook secret, on the server and for a sender: DAIHOU_WEBHOOK_SECRET_BUREAU
// for the bureau.
func SecretEnv(name string) string { return "DAIHOU_WEBHOOK_SECRET_" + strings.ToUpper(name) }

// Sign returns the X-Daihou-Signature value of body sent at ts
// (webhook.Sign).
func Sign(secret []byte, ts int64, body []byte) string { return webhook.Sign(secret, ts, body) }

// Errors of Verify, for callers to tell apart: package webhook's.
var (
	ErrUnsigned     = webhook.ErrUnsigned
	ErrBadSignature = webhook.ErrBadSignature
	ErrStale        = webhook.ErrStale
)

// Verify checks a webhook's timestamp and signature headers against body
// at now (webhook.Verify). The error says what is wrong and what to send
// instead.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	return webhook.Verify(secret, timestamp, signature, body, now)
}
