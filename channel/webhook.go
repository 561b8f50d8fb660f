package channel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"daihou"
	"daihou/outbox"
	"daihou/webhook"
)

// Webhook is a channel reached by a signed HTTP POST: the SMS gateway, the
// AI-voice or dialer platform, the email service. It is an outbox.Sender.
// Each delivery posts the message's payload (the JSON of a Message) with
//
//	Content-Type: application/json
//	Idempotency-Key: the message's key, the same on every attempt
//	X-Daihou-Timestamp, X-Daihou-Signature: as package webhook signs, under Secret
//	X-Daihou-Channel: the channel; X-Daihou-Attempt: 1 for the first attempt
//
// and reads the answer as the outbox's receiver contract says: 2xx is
// delivered; 408, 429 and 5xx are tried again (after Retry-After, when the
// receiver gives one), as are timeouts, connection failures and redirects
// (which are not followed: the signature does not cover the URL); any other
// 4xx refuses the message for good and dead-letters it, with the status and
// the start of the answer. (Go's HTTP transport may itself send a request
// again when a kept-alive connection fails before the answer — the key
// makes a request replayable to it — which the receiver contract covers.)
type Webhook struct {
	URL    string
	Secret []byte
	// Client sends the requests; nil is a client of this package's own.
	// Its redirect policy is overridden: redirects are never followed.
	Client *http.Client
	// Timeout bounds each request, answer included; 0 is DefaultTimeout.
	Timeout time.Duration
	// Now is the clock deliveries are signed with; nil is time.Now.
	Now func() time.Time
}

// DefaultTimeout bounds a webhook request whose Webhook sets no Timeout.
const DefaultTimeout = 10 * time.Second

// snippetLen is how much of a refusal's answer its error quotes.
const snippetLen = 200

// defaultClient is shared by the Webhooks without a Client of their own,
// so that they share connections.
var defaultClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}

// Send implements outbox.Sender.
func (w *Webhook) Send(ctx context.Context, m outbox.Message) error {
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return outbox.Permanent(fmt.Errorf("webhook URL of channel %s: %w", m.Channel, err))
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "daihou-outbox")
	req.Header.Set(webhook.IdempotencyHeader, m.Key)
	req.Header.Set(webhook.TimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(w.Secret, ts, m.Payload))
	req.Header.Set("X-Daihou-Channel", m.Channel)
	req.Header.Set("X-Daihou-Attempt", strconv.Itoa(m.Attempts+1))
	c := *defaultClient
	if w.Client != nil {
		c = *w.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	where := redact(req.URL)
	resp, err := c.Do(req)
	if err != nil {
		// The url.Error's own text repeats the whole URL, query included,
		// which may hold a token: say where without it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("POST %s: no answer within %v: %w", where, timeout, err)
		}
		return fmt.Errorf("POST %s: %w", where, err)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	// Drain a little more, so that the connection can be used again.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	code := resp.StatusCode
	if code >= 200 && code <= 299 {
		return nil
	}
	err = fmt.Errorf("POST %s: HTTP %d%s", where, code, snippet(head))
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		if after, ok := retryAfter(resp.Header.Get("Retry-After"), now()); ok {
			return &outbox.RetryAfterError{After: after, Err: err}
		}
		return err
	case code >= 400 && code <= 499:
		return outbox.Permanent(err)
	case code >= 300 && code <= 399:
		return fmt.Errorf("%w: redirected to %q, which is not followed; set the channel's URL to where it answers", err, resp.Header.Get("Location"))
	}
	return err
}

// redact returns u without its user information and query, which may
// hold credentials, for errors and logs.
func redact(u *url.URL) string {
	v := *u
	v.User, v.RawQuery, v.ForceQuery, v.Fragment = nil, "", false, ""
	return v.String()
}

// snippet returns the start of an answer's body for an error, on one line.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "?")), " ")
	if s == "" {
		return ""
	}
	if len(s) > snippetLen {
		cut := snippetLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return ": " + s
}

// retryAfter parses a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 1<<32)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// URLEnv returns the environment variable that names a channel's webhook
// URL: DAIHOU_CHANNEL_URL_AI_VOICE for ai-voice.
func URLEnv(name string) string { return "DAIHOU_CHANNEL_URL_" + envName(name) }

// SecretEnv returns the environment variable that holds a channel's
// webhook secret: DAIHOU_CHANNEL_SECRET_AI_VOICE for ai-voice.
func SecretEnv(name string) string { return "DAIHOU_CHANNEL_SECRET_" + envName(name) }

func envName(name string) string { return strings.ReplaceAll(strings.ToUpper(name), "-", "_") }

// MinSecret is the shortest webhook secret FromEnv takes, in bytes: a
// secret is what keeps a forged instruction to call a borrower out.
const MinSecret = 16

// FromEnv returns a Webhook sender for each channel configured in the
// environment read by getenv — a URL in URLEnv(name) and a secret in
// SecretEnv(name) — keyed by channel name; channels with neither are left
// out. A URL without a secret (or the other way round), a URL that is not
// http(s) or a secret shorter than MinSecret is an EINVALID error naming
// the variable.
func FromEnv(getenv func(string) string) (map[string]outbox.Sender, error) {
	out := map[string]outbox.Sender{}
	var errs []error
	for _, name := range Names {
		uv, sv := URLEnv(name), SecretEnv(name)
		raw, secret := strings.TrimSpace(getenv(uv)), getenv(sv)
		switch {
		case raw == "" && secret == "":
			continue
		case secret == "":
			errs = append(errs, daihou.Invalid(sv, "%s is set and %s is not: the %s channel's deliveries are signed with its secret", uv, sv, name))
			continue
		case raw == "":
			errs = append(errs, daihou.Invalid(uv, "%s is set and %s is not: set the %s channel's webhook URL, or unset its secret", sv, uv, name))
			continue
		case len(secret) < MinSecret:
			errs = append(errs, daihou.Invalid(sv, "%s: %d bytes, want at least %d", sv, len(secret), MinSecret))
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The value is not repeated: a URL may carry a token.
			errs = append(errs, daihou.Invalid(uv, "%s: want an http:// or https:// URL with a host", uv))
			continue
		}
		out[name] = &Webhook{URL: raw, Secret: []byte(secret)}
	}
	if len(errs) > 0 {
		return nil, daihou.Errorf(daihou.EINVALID, "channel configuration: %w", errors.Join(errs...))
	}
	return out, nil
}
