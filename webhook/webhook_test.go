package webhook_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"daihou/webhook"
)

func TestVerify(t *testing.T) {
	secret := []byte("a shared secret of some length")
	body := []byte(`{"key":"k1"}`)
	now := time.Unix(1_800_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := webhook.Sign(secret, now.Unix(), body)
	for _, c := range []struct {
		name    string
		secret  []byte
		ts, sig string
		body    []byte
		want    error
	}{
		{"signed", secret, ts, good, body, nil},
		{"unsigned", secret, "", "", body, webhook.ErrUnsigned},
		{"timestamp not a number", secret, "now", good, body, webhook.ErrUnsigned},
		{"wrong secret", []byte("guess"), ts, good, body, webhook.ErrBadSignature},
		{"another body", secret, ts, good, []byte(`{"key":"k2"}`), webhook.ErrBadSignature},
		{"stale", secret, strconv.FormatInt(now.Add(-webhook.Window-time.Second).Unix(), 10), webhook.Sign(secret, now.Add(-webhook.Window-time.Second).Unix(), body), body, webhook.ErrStale},
		{"from the future", secret, strconv.FormatInt(now.Add(webhook.Window+time.Second).Unix(), 10), webhook.Sign(secret, now.Add(webhook.Window+time.Second).Unix(), body), body, webhook.ErrStale},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := webhook.Verify(c.secret, c.ts, c.sig, c.body, now)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Verify: %v, want %v", err, c.want)
			}
		})
	}
}
