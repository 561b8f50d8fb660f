// Package pull is the pull adapter of the data sources (拉取): it polls a
// source's HTTP endpoint for pages of records after a cursor and hands each
// page to a sink, saving the cursor only once the sink has accepted the
// page, so a pull stopped anywhere resumes where the last accepted page
// ended — no record lost, none delivered twice.
//
// The protocol, which daihou's simulator (source/sim) serves:
//
//	GET {endpoint}?cursor=C&limit=N
//
// answers 200 with a JSON Lines body of at most N records after cursor C
// ("" for the start) and the header X-Next-Cursor: the cursor after them.
// A next cursor that is absent or equal to C means nothing newer yet: the
// pull is caught up, and such a page must be empty. A 429 or 503 may say
// when to come back with Retry-After (seconds or an HTTP date).
//
// Requests are rate limited (golang.org/x/time/rate); failed ones — no
// answer, a 5xx, a 408, a timeout — are retried with exponential back-off
// and full jitter, a 429 or 503 after its Retry-After; a circuit breaker
// (github.com/sony/gobreaker/v2) stops calling an endpoint after a run of
// consecutive failures and lets one probe through once it has been open a
// while. Other 4xx answers are not retried: asking again would not help.
package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// Cursors keeps each source's cursor: the position after the last page
// the sink accepted.
type Cursors interface {
	// Cursor returns the cursor saved for source, "" when none is.
	Cursor(ctx context.Context, source string) (string, error)
	// SaveCursor saves source's cursor.
	SaveCursor(ctx context.Context, source, cursor string) error
}

// Sink takes one page of a source's records, a JSON Lines body, and
// returns nil only once it has parsed and durably stored every record it
// keeps; an error leaves the cursor where it was, so the page comes again.
type Sink func(ctx context.Context, source string, body []byte) error

// Clock is what a pull waits with: back-off between attempts, Retry-After,
// the rate limit and the polling schedule. The circuit breaker and the
// per-request timeout run on the wall clock whatever the Clock.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or returns ctx's error if ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

// Config configures a Client; zero values take the defaults given.
type Config struct {
	Source   string      // the source's name (signal.Bureau …), for Cursors, Sink and errors
	Endpoint string      // the records URL; cursor and limit are added to its query
	Header   http.Header // sent with every request (authorisation, say)
	Limit    int         // records a page (default 500)

	Timeout       time.Duration // one request, body included (default 30 s)
	Attempts      int           // attempts at one page before giving up (default 5)
	BaseDelay     time.Duration // ceiling of the first back-off (default 500 ms)
	MaxDelay      time.Duration // cap of the back-off ceiling (default 30 s)
	MaxRetryAfter time.Duration // longest Retry-After waited for (default 5 min); longer fails the page

	Rate  rate.Limit // requests a second (default 2; rate.Inf for none)
	Burst int        // requests at once (default 1)

	BreakAfter uint32        // consecutive failed requests that open the breaker (default 5)
	OpenFor    time.Duration // how long it stays open before a probe (default 30 s)

	MaxPage int64        // largest body accepted (default 64 MiB)
	HTTP    *http.Client // default: http.DefaultClient's transport; Timeout applies per request
	Clock   Clock        // default: the wall clock
	Logger  *slog.Logger // retries and failures; default: none

	Cursors Cursors
	Sink    Sink
}

// Client pulls one source. Its methods must not run concurrently with each
// other: one source has one cursor.
type Client struct {
	cfg     Config
	limiter *rate.Limiter
	breaker *gobreaker.CircuitBreaker[*page]
	log     *slog.Logger

	mu        sync.Mutex
	openUntil time.Time // when the breaker last opened, plus OpenFor
}

// ErrBreakerOpen is the cause of an *Error when the circuit breaker
// refused the request.
var ErrBreakerOpen = errors.New("circuit breaker open")

// ErrProtocol is the cause of an *Error when the endpoint broke the pull
// protocol (records with no new cursor, a page over MaxPage).
var ErrProtocol = errors.New("pull protocol violated")

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Source == "":
		return nil, errors.New("pull: no source name")
	case cfg.Cursors == nil || cfg.Sink == nil:
		return nil, fmt.Errorf("pull %s: Cursors and Sink are required", cfg.Source)
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pull %s: endpoint %q is not an http(s) URL", cfg.Source, cfg.Endpoint)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 500
	}
	def(&cfg.Timeout, 30*time.Second)
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	def(&cfg.BaseDelay, 500*time.Millisecond)
	def(&cfg.MaxDelay, 30*time.Second)
	def(&cfg.MaxRetryAfter, 5*time.Minute)
	if cfg.Rate == 0 {
		cfg.Rate = 2
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.BreakAfter == 0 {
		cfg.BreakAfter = 5
	}
	def(&cfg.OpenFor, 30*time.Second)
	if cfg.MaxPage <= 0 {
		cfg.MaxPage = 64 << 20
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	c := &Client{cfg: cfg, limiter: rate.NewLimiter(cfg.Rate, cfg.Burst), log: cfg.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.breaker = gobreaker.NewCircuitBreaker[*page](gobreaker.Settings{
		Name:        cfg.Source,
		MaxRequests: 1,
		Timeout:     cfg.OpenFor,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= cfg.BreakAfter },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				c.mu.Lock()
				c.openUntil = time.Now().Add(cfg.OpenFor)
				c.mu.Unlock()
			}
			c.log.Info("pull: circuit breaker", "source", cfg.Source, "from", from.String(), "to", to.String())
		},
		// The endpoint is healthy when it answers, even to refuse: only
		// failures to answer, 5xx, 408 and timeouts count against it.
		IsSuccessful: func(err error) bool {
			var f *failure
			return err == nil || errors.As(err, &f) && !f.retry
		},
		IsExcluded: func(err error) bool {
			var f *failure
			return errors.As(err, &f) && (f.status == http.StatusTooManyRequests || f.cancelled)
		},
	})
	return c, nil
}

// Stats says what a pull did.
type Stats struct {
	Pages    int    `json:"pages"`    // pages the sink accepted
	Bytes    int64  `json:"bytes"`    // their bodies' size
	Requests int    `json:"requests"` // requests sent, retries included
	Retries  int    `json:"retries"`
	Cursor   string `json:"cursor"` // the cursor saved last
}

// Once pulls pages from the saved cursor until the endpoint has nothing
// newer, handing each to the sink and saving the cursor after it. It
// returns what it did and the first error: an *Error for a page that could
// not be fetched (after every attempt), one the sink refused or a cursor
// that could not be read or saved.
func (c *Client) Once(ctx context.Context) (Stats, error) {
	var st Stats
	cur, err := c.cfg.Cursors.Cursor(ctx, c.cfg.Source)
	if err != nil {
		return st, &Error{Source: c.cfg.Source, Op: "read cursor", Err: err}
	}
	st.Cursor = cur
	for {
		p, err := c.fetch(ctx, cur, &st)
		if err != nil {
			return st, err
		}
		if p.next == "" || p.next == cur {
			if len(p.body) > 0 {
				return st, &Error{Source: c.cfg.Source, Op: "GET " + p.url, Status: p.status,
					Err: fmt.Errorf("%w: %d bytes of records and no new X-Next-Cursor", ErrProtocol, len(p.body))}
			}
			return st, nil
		}
		if len(p.body) > 0 {
			if err := c.cfg.Sink(ctx, c.cfg.Source, p.body); err != nil {
				return st, &Error{Source: c.cfg.Source, Op: fmt.Sprintf("sink refused the page after cursor %q", cur), Err: err}
			}
			st.Pages++
			st.Bytes += int64(len(p.body))
		}
		if err := c.cfg.Cursors.SaveCursor(ctx, c.cfg.Source, p.next); err != nil {
			return st, &Error{Source: c.cfg.Source, Op: fmt.Sprintf("save cursor %q", p.next), Err: err}
		}
		cur, st.Cursor = p.next, p.next
	}
}

// Poll runs Once now and then every interval until ctx ends, and returns
// ctx's error. A round that fails is logged and the next one resumes from
// the saved cursor; while the breaker is open the next round waits for it.
func (c *Client) Poll(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("pull %s: poll interval must be positive", c.cfg.Source)
	}
	for {
		st, err := c.Once(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := every
		if err != nil {
			c.log.Warn("pull: round failed", "source", c.cfg.Source, "err", err)
			var e *Error
			if errors.As(err, &e) && !e.OpenUntil.IsZero() {
				wait = max(wait, time.Until(e.OpenUntil))
			}
		} else if st.Pages > 0 {
			c.log.Info("pull: round", "source", c.cfg.Source, "pages", st.Pages, "bytes", st.Bytes, "requests", st.Requests, "cursor", st.Cursor)
		}
		if err := c.cfg.Clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// page is one answer of the endpoint.
type page struct {
	url    string
	status int
	next   string
	body   []byte
}

// failure is one failed attempt: retry says whether another could do
// better, after at least wait.
type failure struct {
	status    int // 0 when there was no answer
	retry     bool
	cancelled bool // the caller's context ended
	wait      time.Duration
	err       error
}

func (f *failure) Error() string {
	if f.status != 0 {
		if f.err != nil {
			return fmt.Sprintf("status %d %s: %v", f.status, http.StatusText(f.status), f.err)
		}
		return fmt.Sprintf("status %d %s", f.status, http.StatusText(f.status))
	}
	return f.err.Error()
}

func (f *failure) Unwrap() error { return f.err }

// fetch gets the page after cur, retrying failed attempts.
func (c *Client) fetch(ctx context.Context, cur string, st *Stats) (*page, error) {
	u := c.pageURL(cur)
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx, c.limiter.ReserveN(c.cfg.Clock.Now(), 1)); err != nil {
			return nil, &Error{Source: c.cfg.Source, Op: "GET " + u, Attempt: attempt, Attempts: c.cfg.Attempts, Err: err}
		}
		st.Requests++
		p, err := c.breaker.Execute(func() (*page, error) { return c.get(ctx, u) })
		if err == nil {
			return p, nil
		}
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			st.Requests--
			c.mu.Lock()
			until := c.openUntil
			c.mu.Unlock()
			return nil, &Error{Source: c.cfg.Source, Op: "GET " + u, Attempt: attempt, Attempts: c.cfg.Attempts, OpenUntil: until,
				BreakAfter: c.cfg.BreakAfter, Err: ErrBreakerOpen}
		}
		e := &Error{Source: c.cfg.Source, Op: "GET " + u, Attempt: attempt, Attempts: c.cfg.Attempts, Err: err}
		var f *failure
		if errors.As(err, &f) {
			e.Status = f.status
		}
		if f == nil || !f.retry || f.cancelled || attempt >= c.cfg.Attempts || ctx.Err() != nil {
			return nil, e
		}
		delay := c.backoff(attempt)
		if f.wait > 0 {
			if f.wait > c.cfg.MaxRetryAfter {
				e.Err = fmt.Errorf("%w, and Retry-After %v is beyond the %v this pull waits", err, f.wait, c.cfg.MaxRetryAfter)
				return nil, e
			}
			delay = f.wait
		}
		c.log.Info("pull: retrying", "source", c.cfg.Source, "attempt", attempt, "of", c.cfg.Attempts, "in", delay, "err", err)
		st.Retries++
		if err := c.cfg.Clock.Sleep(ctx, delay); err != nil {
			e.Err = err
			return nil, e
		}
	}
}

// backoff returns the wait after failed attempt n (from 1): full jitter,
// uniform over [0, min(MaxDelay, BaseDelay·2^(n−1))].
func (c *Client) backoff(n int) time.Duration {
	ceil := c.cfg.MaxDelay
	if n-1 < 62 {
		if d := c.cfg.BaseDelay << (n - 1); d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// wait waits for a reservation of the rate limiter.
func (c *Client) wait(ctx context.Context, r *rate.Reservation) error {
	if !r.OK() {
		return fmt.Errorf("rate limit of %v a second with burst %d admits no request", c.cfg.Rate, c.cfg.Burst)
	}
	now := c.cfg.Clock.Now()
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := c.cfg.Clock.Sleep(ctx, d); err != nil {
		r.CancelAt(c.cfg.Clock.Now())
		return err
	}
	return nil
}

func (c *Client) pageURL(cur string) string {
	u, _ := url.Parse(c.cfg.Endpoint) // checked by New
	q := u.Query()
	q.Set("cursor", cur)
	q.Set("limit", strconv.Itoa(c.cfg.Limit))
	u.RawQuery = q.Encode()
	return u.String()
}

// get makes one attempt.
func (c *Client) get(ctx context.Context, u string) (*page, error) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &failure{err: err}
	}
	for k, v := range c.cfg.Header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/x-ndjson")
	transportErr := func(err error) error {
		f := &failure{retry: true, err: err}
		if ctx.Err() != nil {
			f.retry, f.cancelled, f.err = false, true, ctx.Err()
		} else if rctx.Err() != nil {
			f.err = fmt.Errorf("no answer within %v: %w", c.cfg.Timeout, err)
		}
		return f
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return nil, transportErr(err)
	}
	defer resp.Body.Close()
	switch s := resp.StatusCode; {
	case s == http.StatusOK || s == http.StatusNoContent:
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &failure{status: s, retry: true, wait: c.retryAfter(resp.Header.Get("Retry-After"))}
	case s >= 500 || s == http.StatusRequestTimeout:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &failure{status: s, retry: true}
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		f := &failure{status: s}
		if len(msg) > 0 {
			f.err = errors.New(string(msg))
		}
		return nil, f
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxPage+1))
	if err != nil {
		return nil, transportErr(fmt.Errorf("reading the body: %w", err))
	}
	if int64(len(body)) > c.cfg.MaxPage {
		return nil, &failure{status: resp.StatusCode, err: fmt.Errorf("%w: page over %d bytes", ErrProtocol, c.cfg.MaxPage)}
	}
	return &page{url: u, status: resp.StatusCode, next: resp.Header.Get("X-Next-Cursor"), body: body}, nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; zero
// when there is none or it is unreadable.
func (c *Client) retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(c.cfg.Clock.Now()), time.Millisecond)
	}
	return 0
}

// Error is a pull that failed: what it was doing, the answer's status if
// there was one, which attempt it was, and the cause.
type Error struct {
	Source            string
	Op                string // "GET <url>", "sink refused the page after cursor …", "save cursor …"
	Status            int    // HTTP status; 0 when there was no answer
	Attempt, Attempts int    // the failed attempt, of how many allowed (0 when not a request)
	// OpenUntil is when the circuit breaker lets a probe through, when it
	// refused the request (Err is ErrBreakerOpen).
	OpenUntil  time.Time
	BreakAfter uint32
	Err        error
}

func (e *Error) Error() string {
	if errors.Is(e.Err, ErrBreakerOpen) {
		return fmt.Sprintf("pull %s: %s: circuit breaker open until %s after %d consecutive failures",
			e.Source, e.Op, e.OpenUntil.Format("15:04:05.000"), e.BreakAfter)
	}
	s := fmt.Sprintf("pull %s: %s: %v", e.Source, e.Op, e.Err)
	if e.Attempts > 0 {
		s += fmt.Sprintf(" (attempt %d of %d)", e.Attempt, e.Attempts)
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// wallClock is the Clock of the real world.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
