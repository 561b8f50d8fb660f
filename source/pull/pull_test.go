package pull_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"daihou/source/pull"
)

// feed is a source's endpoint over real HTTP on loopback: records served
// by offset cursor, with a script of faults, one per request in order.
type feed struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	records  []string
	faults   []fault
	requests []request
}

type request struct {
	cursor string
	at     time.Time
}

// fault misbehaves on one request; ok is a fault that does not.
type fault func(w http.ResponseWriter, r *http.Request)

var ok fault

// drop answers nothing: the connection is closed under the request.
func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func status(code int, retryAfter string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// slow answers after d, or when the client gives up.
func slow(d time.Duration) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusOK)
	}
}

func newFeed(t *testing.T, n int) *feed {
	f := &feed{t: t}
	f.add(n)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// add appends n records to the feed.
func (f *feed) add(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		k := len(f.records) + 1
		f.records = append(f.records, fmt.Sprintf(`{"id":"R%04d","borrower":"BR%010d","date":"2026-05-01","inquiries":"1"}`, k, k))
	}
}

func (f *feed) script(faults ...fault) {
	f.mu.Lock()
	f.faults = append(f.faults, faults...)
	f.mu.Unlock()
}

func (f *feed) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	cursor := r.URL.Query().Get("cursor")
	f.requests = append(f.requests, request{cursor, time.Now()})
	var bad fault
	if len(f.faults) > 0 {
		bad, f.faults = f.faults[0], f.faults[1:]
	}
	records := f.records
	f.mu.Unlock()
	if bad != nil {
		bad(w, r)
		return
	}
	off := 0
	if cursor != "" {
		var err error
		if off, err = strconv.Atoi(cursor); err != nil || off < 0 || off > len(records) {
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return
		}
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	end := min(off+limit, len(records))
	w.Header().Set("X-Next-Cursor", strconv.Itoa(end))
	w.Header().Set("Content-Type", "application/x-ndjson")
	for _, line := range records[off:end] {
		fmt.Fprintln(w, line)
	}
}

func (f *feed) requested() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

// fakeClock records every wait and lets no time pass but its own.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	onWait func(time.Duration) // called with each wait, if set
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	on := c.onWait
	c.mu.Unlock()
	if on != nil {
		on(d)
	}
	return ctx.Err()
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// memCursors keeps cursors in memory, as a store would on disk.
type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memCursors) Cursor(_ context.Context, source string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[source], nil
}

func (c *memCursors) SaveCursor(_ context.Context, source, cursor string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[source] = cursor
	return nil
}

// store is a sink that keeps every record it accepts, by id, and counts
// deliveries so that a record stored twice shows.
type store struct {
	mu    sync.Mutex
	seen  map[string]int
	order []string
	fail  func(page int) error // refuses page n (from 1) when it returns an error
	pages int
}

func (s *store) sink(_ context.Context, source string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages++
	if s.fail != nil {
		if err := s.fail(s.pages); err != nil {
			return err
		}
	}
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		id := strings.SplitN(strings.TrimPrefix(sc.Text(), `{"id":"`), `"`, 2)[0]
		s.seen[id]++
		s.order = append(s.order, id)
	}
	return nil
}

// exactlyOnce fails unless the store holds records 1 … n, each once.
func (s *store) exactlyOnce(t *testing.T, n int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.order) != n || len(s.seen) != n {
		t.Fatalf("%d deliveries of %d distinct records, want %d once each", len(s.order), len(s.seen), n)
	}
	for k := 1; k <= n; k++ {
		if id := fmt.Sprintf("R%04d", k); s.seen[id] != 1 || s.order[k-1] != id {
			t.Fatalf("record %s delivered %d times, at position %d: %s", id, s.seen[id], k, s.order[k-1])
		}
	}
}

func config(f *feed, st *store, cur pull.Cursors, clock pull.Clock) pull.Config {
	return pull.Config{
		Source: "bureau", Endpoint: f.srv.URL + "/sources/bureau/records", Limit: 10,
		Timeout: 200 * time.Millisecond, Attempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second,
		Rate: rate.Inf, BreakAfter: 10, OpenFor: time.Minute,
		// A fresh connection a request, so that the transport's own retry
		// of a request on a reused connection hides no dropped one.
		HTTP:    &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		Clock:   clock,
		Cursors: cur, Sink: st.sink,
	}
}

func mustNew(t *testing.T, cfg pull.Config) *pull.Client {
	t.Helper()
	c, err := pull.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A flaky endpoint — a dropped connection, a 500, a 429 with Retry-After,
// an answer slower than the timeout — costs retries, each after a back-off
// within its bound (the 429 after exactly its Retry-After), and loses
// nothing.
func TestRetriesAFlakyEndpoint(t *testing.T) {
	f := newFeed(t, 25)
	f.script(drop, status(500, ""), status(429, "3"), slow(2*time.Second), ok, status(503, ""), ok)
	clock := newFakeClock()
	st := &store{}
	c := mustNew(t, config(f, st, &memCursors{}, clock))
	began := time.Now()
	stats, err := c.Once(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 1500*time.Millisecond {
		t.Errorf("took %v: the slow answer was not cut at the timeout", took)
	}
	st.exactlyOnce(t, 25)
	// Page 1: four failures, then an answer; page 2: a 503, then an
	// answer; page 3; the request that finds nothing newer.
	if stats.Pages != 3 || stats.Retries != 5 || stats.Requests != 9 || stats.Cursor != "25" {
		t.Errorf("stats %+v, want 3 pages, 5 retries, 9 requests, cursor 25", stats)
	}
	waits := clock.waits()
	if len(waits) != 5 {
		t.Fatalf("waited %v, want 5 back-offs", waits)
	}
	bounds := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 0, 800 * time.Millisecond, 100 * time.Millisecond}
	for k, w := range waits {
		if k == 2 {
			if w != 3*time.Second {
				t.Errorf("after the 429 waited %v, want its Retry-After of 3s", w)
			}
			continue
		}
		if w < 0 || w > bounds[k] {
			t.Errorf("back-off %d was %v, want within [0, %v]", k+1, w, bounds[k])
		}
	}
	if got := len(f.requested()); got != 9 {
		t.Errorf("the endpoint saw %d requests, want 9", got)
	}
}

// Back-off is full jitter under an exponential ceiling with a cap: over
// many failures every wait is within its bound and they are not all alike.
func TestBackoffBounds(t *testing.T) {
	f := newFeed(t, 5)
	var faults []fault
	for range 40 {
		faults = append(faults, status(502, ""))
	}
	f.script(faults...)
	clock := newFakeClock()
	cfg := config(f, &store{}, &memCursors{}, clock)
	cfg.Attempts, cfg.BaseDelay, cfg.MaxDelay, cfg.BreakAfter = 8, 10*time.Millisecond, 300*time.Millisecond, 100
	c := mustNew(t, cfg)
	for range 5 {
		_, err := c.Once(ctxFor(t))
		var e *pull.Error
		if !errors.As(err, &e) || e.Status != 502 || e.Attempt != 8 || e.Attempts != 8 {
			t.Fatalf("got %v, want the 502 of attempt 8 of 8", err)
		}
		if want := "status 502 Bad Gateway (attempt 8 of 8)"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	waits := clock.waits()
	if len(waits) != 35 {
		t.Fatalf("%d waits, want 7 for each of 5 pulls", len(waits))
	}
	distinct := map[time.Duration]bool{}
	for k, w := range waits {
		n := k%7 + 1
		ceil := min(10*time.Millisecond<<(n-1), 300*time.Millisecond)
		if w < 0 || w > ceil {
			t.Errorf("wait after attempt %d was %v, want within [0, %v]", n, w, ceil)
		}
		distinct[w] = true
	}
	if len(distinct) < 10 {
		t.Errorf("only %d distinct waits in 35: no jitter", len(distinct))
	}
}

// Answers that asking again cannot change are not retried.
func TestNoRetryOnClientErrors(t *testing.T) {
	f := newFeed(t, 5)
	f.script(status(404, ""))
	clock := newFakeClock()
	c := mustNew(t, config(f, &store{}, &memCursors{}, clock))
	_, err := c.Once(ctxFor(t))
	var e *pull.Error
	if !errors.As(err, &e) || e.Status != 404 || e.Attempt != 1 {
		t.Fatalf("got %v, want a 404 at attempt 1", err)
	}
	if len(clock.waits()) != 0 || len(f.requested()) != 1 {
		t.Errorf("retried a 404: %d requests", len(f.requested()))
	}
	// A Retry-After longer than the pull is willing to wait fails at once.
	f.script(status(429, "3600"))
	_, err = c.Once(ctxFor(t))
	if err == nil || !strings.Contains(err.Error(), "Retry-After 1h0m0s") {
		t.Errorf("got %v, want the long Retry-After refused", err)
	}
}

// The breaker opens after consecutive failures, refuses without calling
// the endpoint while open, lets one probe through when the time is up —
// reopening if it fails — and closes once a probe succeeds.
func TestCircuitBreaker(t *testing.T) {
	f := newFeed(t, 15)
	var faults []fault
	for range 5 {
		faults = append(faults, status(500, ""))
	}
	f.script(faults...)
	clock := newFakeClock()
	cfg := config(f, &store{}, &memCursors{}, clock)
	cfg.Attempts, cfg.BreakAfter, cfg.OpenFor = 2, 3, 150*time.Millisecond
	st := &store{}
	cfg.Sink = st.sink
	c := mustNew(t, cfg)
	ctx := ctxFor(t)

	if _, err := c.Once(ctx); err == nil || errors.Is(err, pull.ErrBreakerOpen) {
		t.Fatalf("first pull: %v, want the 500 of attempt 2 of 2", err)
	}
	before := time.Now()
	_, err := c.Once(ctx) // the third failure opens it; the retry is refused
	var e *pull.Error
	if !errors.As(err, &e) || !errors.Is(err, pull.ErrBreakerOpen) {
		t.Fatalf("second pull: %v, want the breaker open", err)
	}
	if e.OpenUntil.Before(before.Add(100*time.Millisecond)) || e.OpenUntil.After(time.Now().Add(150*time.Millisecond)) {
		t.Errorf("open until %v, want about 150ms after %v", e.OpenUntil, before)
	}
	if !strings.Contains(err.Error(), "circuit breaker open until") || !strings.Contains(err.Error(), "after 3 consecutive failures") {
		t.Errorf("error %q does not say the breaker is open until when, and why", err)
	}
	if n := len(f.requested()); n != 3 {
		t.Fatalf("%d requests reached the endpoint, want 3", n)
	}
	if _, err := c.Once(ctx); !errors.Is(err, pull.ErrBreakerOpen) || len(f.requested()) != 3 {
		t.Fatalf("while open: %v after %d requests, want refused without a request", err, len(f.requested()))
	}

	time.Sleep(time.Until(e.OpenUntil) + 20*time.Millisecond)
	_, err = c.Once(ctx) // the probe fails: open again
	if n := len(f.requested()); n != 4 || !errors.Is(err, pull.ErrBreakerOpen) {
		t.Fatalf("failed probe: %v after %d requests, want one probe and the breaker open again", err, n)
	}
	var e2 *pull.Error
	errors.As(err, &e2)
	if !e2.OpenUntil.After(e.OpenUntil) {
		t.Errorf("reopened until %v, not after %v", e2.OpenUntil, e.OpenUntil)
	}

	time.Sleep(time.Until(e2.OpenUntil) + 20*time.Millisecond)
	// The fifth scripted 500 is the next probe; it reopens. Then healed.
	if _, err := c.Once(ctx); !errors.Is(err, pull.ErrBreakerOpen) {
		t.Fatalf("second failed probe: %v", err)
	}
	time.Sleep(cfg.OpenFor + 20*time.Millisecond)
	stats, err := c.Once(ctx)
	if err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if stats.Pages != 2 {
		t.Errorf("after recovery %d pages, want 2", stats.Pages)
	}
	st.exactlyOnce(t, 15)
}

// The rate limit holds over real time: requests are spaced by 1/rate.
func TestRateLimit(t *testing.T) {
	f := newFeed(t, 100)
	cfg := config(f, &store{}, &memCursors{}, nil) // the wall clock
	cfg.Rate, cfg.Burst = 40, 1
	st := &store{}
	cfg.Sink = st.sink
	c := mustNew(t, cfg)
	began := time.Now()
	stats, err := c.Once(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	st.exactlyOnce(t, 100)
	reqs := f.requested()
	if stats.Requests != 11 || len(reqs) != 11 {
		t.Fatalf("%d requests, want 11", len(reqs))
	}
	if want := 10 * time.Second / 40; took < want-5*time.Millisecond {
		t.Errorf("11 requests took %v at 40 a second, want at least %v", took, want)
	}
	// A token bucket of burst 1 admits at most 1 + rate·T requests in any
	// span T: the (j−i)th request after request i comes (j−i−1)/rate later
	// at least, less the jitter of the scheduler and the network.
	for i := range reqs {
		for j := i + 1; j < len(reqs); j++ {
			if span, least := reqs[j].at.Sub(reqs[i].at), time.Duration(j-i-1)*25*time.Millisecond; span < least-10*time.Millisecond {
				t.Errorf("requests %d … %d came within %v, want at least %v at 40 a second", i+1, j+1, span, least)
			}
		}
	}
}

// A pull that dies mid-way — the sink fails on a page — resumes from the
// cursor saved after the last page the sink accepted: no record is lost,
// none delivered twice, even with faults along the way.
func TestResumesAfterACrash(t *testing.T) {
	f := newFeed(t, 95)
	f.script(ok, ok, drop, ok)
	cursors := &memCursors{}
	crash := errors.New("disk full")
	st := &store{fail: func(page int) error {
		if page == 4 {
			return crash
		}
		return nil
	}}
	c := mustNew(t, config(f, st, cursors, newFakeClock()))
	_, err := c.Once(ctxFor(t))
	if !errors.Is(err, crash) || !strings.Contains(err.Error(), `sink refused the page after cursor "30"`) {
		t.Fatalf("got %v, want the sink's error on the page after cursor 30", err)
	}
	if cur, _ := cursors.Cursor(context.Background(), "bureau"); cur != "30" {
		t.Fatalf("saved cursor %q, want 30", cur)
	}

	// A new process: a new client with the same cursors and store.
	seen := len(f.requested())
	f.script(status(500, ""))
	c = mustNew(t, config(f, st, cursors, newFakeClock()))
	if _, err := c.Once(ctxFor(t)); err != nil {
		t.Fatal(err)
	}
	if r := f.requested()[seen]; r.cursor != "30" {
		t.Errorf("the restart asked from cursor %q, want 30", r.cursor)
	}
	st.exactlyOnce(t, 95)
	// And again: nothing new, nothing delivered.
	if stats, err := c.Once(ctxFor(t)); err != nil || stats.Pages != 0 {
		t.Errorf("caught up: %+v %v", stats, err)
	}
	st.exactlyOnce(t, 95)
}

// Records with no new cursor would come again on the next pull: refused.
func TestProtocolViolation(t *testing.T) {
	f := newFeed(t, 5)
	f.script(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"id":"R0001"}`)
	})
	st := &store{}
	c := mustNew(t, config(f, st, &memCursors{}, newFakeClock()))
	if _, err := c.Once(ctxFor(t)); !errors.Is(err, pull.ErrProtocol) {
		t.Fatalf("got %v, want ErrProtocol", err)
	}
	if st.pages != 0 {
		t.Error("the sink was given a page with no cursor")
	}
}

// Poll pulls on its schedule until its context ends, picking up what the
// source adds between rounds, and survives a failed round.
func TestPoll(t *testing.T) {
	f := newFeed(t, 12)
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(ctxFor(t))
	defer cancel()
	rounds := 0
	clock.onWait = func(d time.Duration) {
		if d != time.Minute {
			return // a back-off, not the schedule
		}
		rounds++
		switch rounds {
		case 1:
			f.add(7)
		case 2:
			f.script(status(404, "")) // a failed round
			f.add(3)
		case 4:
			cancel()
		}
	}
	st := &store{}
	c := mustNew(t, config(f, st, &memCursors{}, clock))
	if err := c.Poll(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Poll returned %v, want the context's end", err)
	}
	if rounds != 4 {
		t.Errorf("%d rounds, want 4", rounds)
	}
	st.exactlyOnce(t, 22)
}

// A pull stops promptly when its context ends during a back-off.
func TestCancelledDuringBackoff(t *testing.T) {
	f := newFeed(t, 5)
	for range 20 {
		f.script(status(500, ""))
	}
	cfg := config(f, &store{}, &memCursors{}, nil)
	cfg.BaseDelay, cfg.MaxDelay = 10*time.Second, 10*time.Second
	c := mustNew(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	for {
		_, err := c.Once(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if time.Since(began) > 5*time.Second || err == nil {
			t.Fatalf("got %v", err)
		}
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("stopped after %v", took)
	}
}

func TestNewChecksItsConfig(t *testing.T) {
	st := &store{}
	for _, cfg := range []pull.Config{
		{Endpoint: "http://127.0.0.1/x", Cursors: &memCursors{}, Sink: st.sink},
		{Source: "bureau", Endpoint: "ftp://127.0.0.1/x", Cursors: &memCursors{}, Sink: st.sink},
		{Source: "bureau", Endpoint: "http://127.0.0.1/x", Sink: st.sink},
	} {
		if _, err := pull.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
