package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"daihou/source"
	"daihou/webhook"
)

// Sign returns the X-Daihou-Signature header of a webhook delivery — the
// contract between a data source and daihou's webhook:
//
//	POST {webhook}/{source}   (or the webhook URL with {source} in it)
//	Content-Type: application/x-ndjson
//	X-Daihou-Timestamp: <unix seconds>
//	X-Daihou-Signature: sha256=<hex HMAC-SHA256 of timestamp "." body>
//
// The HMAC's key is the source's secret; the message is the decimal
// timestamp as sent in X-Daihou-Timestamp, a full stop, and the body's
// bytes exactly as sent. The webhook recomputes it, compares in constant
// time, and refuses a timestamp too far from its clock (replay
// protection).
func Sign(secret []byte, ts int64, body []byte) string { return source.Sign(secret, ts, body) }

// SecretEnv is source.SecretEnv: where a source's secret is read from.
func SecretEnv(name string) string { return source.SecretEnv(name) }

// ParseSecrets reads a secret file (webhook.ParseSecrets): one
// "source=secret" a line, "*=secret" for every source not named.
func ParseSecrets(text string) (map[string][]byte, error) {
	return webhook.ParseSecrets(text, "source", Sources)
}

// Secrets returns each source's secret: from file (ParseSecrets' map,
// may be nil) when it names the source, else from the source's environment
// variable (SecretEnv), else the file's "*" entry. Sources with none are
// not in the result.
func Secrets(file map[string][]byte, getenv func(string) string) map[string][]byte {
	return webhook.Secrets(Sources, file, SecretEnv, getenv)
}

// Pusher delivers a feed's records to a webhook, source by source in date
// order, each POST signed with the source's secret (Sign).
type Pusher struct {
	// URL is the webhook: records of a source go to URL with {source}
	// replaced by the source's name, or to URL/{source} when it has none
	// (daihou's own: http://HOST/api/v1/sources/{source}/records).
	URL      string
	Secrets  map[string][]byte // by source; sources with none are not pushed
	Batch    int               // records a POST (default 500)
	Attempts int               // attempts a POST (default 5), retried on no answer, 408, 429 and 5xx
	HTTP     *http.Client      // default: one with a 30 s timeout
	Now      func() time.Time  // the clock of the timestamps (default time.Now)
	// Sleep waits between attempts (default: a timer); back-off is full
	// jitter under 200 ms · 2^(n−1), capped at 10 s, or the Retry-After.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Pushed says what a push delivered, per source.
type Pushed struct {
	Source  string `json:"source"`
	Records int    `json:"records"`
	Posts   int    `json:"posts"`
	Retries int    `json:"retries"`
	Error   string `json:"error,omitempty"`
}

// Push delivers every record of every source that has a secret and
// returns what went where. A source whose webhook refuses a POST (after
// its attempts) stops there, with its error in its Pushed; the others go
// on. The error is ctx's, if it ended.
func (p *Pusher) Push(ctx context.Context, f *Feed) ([]Pushed, error) {
	var out []Pushed
	for _, s := range Sources {
		secret := p.Secrets[s]
		if secret == nil {
			continue
		}
		res := Pushed{Source: s}
		err := p.source(ctx, f, s, secret, &res)
		if err != nil {
			res.Error = err.Error()
		}
		out = append(out, res)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

func (p *Pusher) source(ctx context.Context, f *Feed, source string, secret []byte, res *Pushed) error {
	batch := p.Batch
	if batch <= 0 {
		batch = DefaultLimit
	}
	cursor := ""
	for {
		body, next, err := f.Page(source, cursor, batch)
		if err != nil {
			return err
		}
		if next == cursor || len(body) == 0 {
			return nil
		}
		if err := p.post(ctx, source, secret, body, source+"-"+orZero(cursor)+"-"+next, res); err != nil {
			return err
		}
		res.Posts++
		res.Records += bytes.Count(body, []byte{'\n'})
		cursor = next
	}
}

func orZero(cursor string) string {
	if cursor == "" {
		return "0"
	}
	return cursor
}

// post delivers one body, retrying what may succeed later. Each attempt is
// signed afresh: its timestamp is when it is sent.
func (p *Pusher) post(ctx context.Context, source string, secret, body []byte, delivery string, res *Pushed) error {
	attempts := p.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	client := p.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	now, sleep := p.Now, p.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = timerSleep
	}
	url := strings.TrimSuffix(p.URL, "/") + "/" + source
	if strings.Contains(p.URL, "{source}") {
		url = strings.ReplaceAll(p.URL, "{source}", source)
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		ts := now().Unix()
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("X-Daihou-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Daihou-Signature", Sign(secret, ts, body))
		req.Header.Set("X-Daihou-Delivery", delivery)
		var wait time.Duration
		resp, err := client.Do(req)
		if err == nil {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			s := resp.StatusCode
			switch {
			case s >= 200 && s < 300:
				return nil
			case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500:
				err = fmt.Errorf("POST %s: status %d %s", url, s, strings.TrimSpace(string(msg)))
				if v, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && v >= 0 {
					wait = time.Duration(v) * time.Second
				}
			default:
				return fmt.Errorf("POST %s: status %d %s (attempt %d of %d, not retried)", url, s, strings.TrimSpace(string(msg)), attempt, attempts)
			}
		} else {
			err = fmt.Errorf("POST %s: %w", url, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if attempt >= attempts {
			return fmt.Errorf("%w (attempt %d of %d)", err, attempt, attempts)
		}
		if wait == 0 {
			ceil := min(200*time.Millisecond<<(attempt-1), 10*time.Second)
			wait = time.Duration(rand.Int64N(int64(ceil) + 1))
		}
		res.Retries++
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func timerSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
