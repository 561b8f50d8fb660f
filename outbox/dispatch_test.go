package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"daihou"
	"daihou/outbox"
)

// memStore is an outbox.Store in memory, with the lease semantics of the
// real one.
type memStore struct {
	mu   sync.Mutex
	rows map[int64]*row
}

type row struct {
	m       outbox.Message
	state   string
	next    time.Time
	sentAt  time.Time
	lastErr string
}

func newMemStore(channels ...string) *memStore {
	s := &memStore{rows: map[int64]*row{}}
	for i, ch := range channels {
		id := int64(i + 1)
		s.rows[id] = &row{m: outbox.Message{ID: id, Channel: ch, Key: fmt.Sprintf("k%d", id), LoanID: 100 + id, Payload: []byte(`{}`)}, state: outbox.StatePending}
	}
	return s
}

func (s *memStore) Claim(_ context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*row
	for _, r := range s.rows {
		if r.state == outbox.StatePending && !r.next.After(now) {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *row) int { return a.next.Compare(b.next)*2 + int(min(max(a.m.ID-b.m.ID, -1), 1)) })
	var out []outbox.Message
	for _, r := range due[:min(limit, len(due))] {
		r.next = now.Add(lease)
		out = append(out, r.m)
	}
	return out, nil
}

func (s *memStore) pending(id int64) (*row, bool) {
	r := s.rows[id]
	return r, r != nil && r.state == outbox.StatePending
}

func (s *memStore) MarkSent(_ context.Context, id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.pending(id); ok {
		r.state, r.sentAt = outbox.StateSent, at
	}
	return nil
}

func (s *memStore) Retry(_ context.Context, id int64, attempts int, next time.Time, errText string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.pending(id); ok {
		r.m.Attempts, r.next, r.lastErr = attempts, next, errText
	}
	return nil
}

func (s *memStore) Dead(_ context.Context, id int64, errText string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.pending(id); ok {
		r.m.Attempts++
		r.state, r.lastErr = outbox.StateDead, errText
	}
	return nil
}

func (s *memStore) Drop(_ context.Context, id int64, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.pending(id); ok {
		r.state, r.lastErr = outbox.StateDropped, reason
	}
	return nil
}

func (s *memStore) get(id int64) row {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.rows[id]
}

// senderFunc is a Sender from a function.
type senderFunc func(context.Context, outbox.Message) error

func (f senderFunc) Send(ctx context.Context, m outbox.Message) error { return f(ctx, m) }

// clock is a fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestBackoffGrowsWithFullJitter(t *testing.T) {
	t.Parallel()
	d := &outbox.Dispatcher{BackoffBase: 100 * time.Millisecond, BackoffCap: 10 * time.Second}
	const samples = 4000
	prevMean := time.Duration(0)
	for attempts := 1; attempts <= 12; attempts++ {
		env := min(d.BackoffCap, d.BackoffBase<<(attempts-1))
		var sum, lo, hi time.Duration
		lo = env
		seen := map[time.Duration]bool{}
		for range samples {
			w := d.Backoff(attempts)
			if w < 0 || w > env {
				t.Fatalf("attempt %d: wait %v outside [0, %v]", attempts, w, env)
			}
			sum += w
			lo, hi = min(lo, w), max(hi, w)
			seen[w] = true
		}
		mean := sum / samples
		// Full jitter: spread over the whole range, about half of it on
		// average, not clustered at the envelope.
		if lo > env/10 || hi < env*9/10 {
			t.Errorf("attempt %d: waits from %v to %v, want them spread over [0, %v]", attempts, lo, hi, env)
		}
		if len(seen) < samples/2 {
			t.Errorf("attempt %d: %d distinct waits of %d: not jittered", attempts, len(seen), samples)
		}
		if mean < env*4/10 || mean > env*6/10 {
			t.Errorf("attempt %d: mean wait %v, want about %v", attempts, mean, env/2)
		}
		// Exponential until the cap, then flat.
		if env < d.BackoffCap && attempts > 1 && mean < prevMean*3/2 {
			t.Errorf("attempt %d: mean wait %v, want it about double the previous %v", attempts, mean, prevMean)
		}
		prevMean = mean
	}
	// Far past the cap, and with a huge count, it stays within the cap.
	for _, n := range []int{40, 64, 1 << 30} {
		if w := d.Backoff(n); w < 0 || w > d.BackoffCap {
			t.Errorf("Backoff(%d) = %v, want within [0, %v]", n, w, d.BackoffCap)
		}
	}
}

func TestPermanentErrorDeadLetters(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms")
	var calls atomic.Int32
	d := &outbox.Dispatcher{Store: s, Now: (&clock{t: t0}).Now, Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error {
		calls.Add(1)
		return outbox.Permanent(errors.New("HTTP 422: unknown template"))
	})}}
	st, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st, (outbox.Stats{Claimed: 1, Dead: 1}); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	r := s.get(1)
	if r.state != outbox.StateDead || r.m.Attempts != 1 || !strings.Contains(r.lastErr, "422") {
		t.Errorf("row: %s after %d attempts, last error %q; want dead after 1 with the 422", r.state, r.m.Attempts, r.lastErr)
	}
	// A dead letter is not taken again.
	if st, _ := d.RunOnce(context.Background()); st.Claimed != 0 || calls.Load() != 1 {
		t.Errorf("after dead-lettering: %+v, %d sends; want nothing claimed, 1 send", st, calls.Load())
	}
	if !outbox.IsPermanent(outbox.Permanent(context.DeadlineExceeded)) || !errors.Is(outbox.Permanent(context.DeadlineExceeded), context.DeadlineExceeded) || outbox.IsPermanent(errors.New("x")) {
		t.Error("Permanent: want errors.Is on both the mark and the cause, and nothing else permanent")
	}
}

func TestMaxAttemptsDeadLetters(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms")
	c := &clock{t: t0}
	var calls atomic.Int32
	d := &outbox.Dispatcher{Store: s, Now: c.Now, MaxAttempts: 5, BackoffBase: time.Second, BackoffCap: 8 * time.Second,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error {
			calls.Add(1)
			return errors.New("HTTP 503")
		})}}
	for attempt := 1; attempt <= 5; attempt++ {
		st, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		r := s.get(1)
		if attempt < 5 {
			env := min(d.BackoffCap, d.BackoffBase<<(attempt-1))
			if st.Retried != 1 || r.state != outbox.StatePending || r.m.Attempts != attempt {
				t.Fatalf("attempt %d: %+v, row %s with %d attempts; want retried, pending, %d", attempt, st, r.state, r.m.Attempts, attempt)
			}
			if wait := r.next.Sub(c.Now()); wait <= 0 || wait > env {
				t.Fatalf("attempt %d: next in %v, want within (0, %v]", attempt, wait, env)
			}
			// Not due before its time.
			if st, _ := d.RunOnce(context.Background()); r.next.After(c.Now()) && st.Claimed != 0 {
				t.Fatalf("attempt %d: claimed again before it was due", attempt)
			}
			c.t = r.next
			continue
		}
		if st.Dead != 1 || r.state != outbox.StateDead || r.m.Attempts != 5 || !strings.Contains(r.lastErr, "5 attempts") || !strings.Contains(r.lastErr, "503") {
			t.Fatalf("attempt 5: %+v, row %s after %d attempts, %q; want dead after 5 saying so", st, r.state, r.m.Attempts, r.lastErr)
		}
	}
	if calls.Load() != 5 {
		t.Errorf("%d sends, want 5", calls.Load())
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms")
	c := &clock{t: t0}
	d := &outbox.Dispatcher{Store: s, Now: c.Now, BackoffBase: time.Millisecond, BackoffCap: time.Second,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error {
			return &outbox.RetryAfterError{After: time.Hour, Err: errors.New("HTTP 429")}
		})}}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := s.get(1); r.next.Sub(t0) != time.Hour || r.m.Attempts != 1 {
		t.Errorf("next in %v after %d attempts, want in 1h after 1", r.next.Sub(t0), r.m.Attempts)
	}
}

func TestGateReschedulesWithoutAnAttempt(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms", "sms")
	c := &clock{t: time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC)}
	morning := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var sends atomic.Int32
	d := &outbox.Dispatcher{Store: s, Now: c.Now,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error { sends.Add(1); return nil })},
		Gate: func(_ context.Context, m outbox.Message) outbox.Verdict {
			if h := c.Now().Hour(); h >= 22 || h < 8 {
				return outbox.Verdict{Hold: true, Next: morning, Reason: "quiet hours 22:00-08:00"}
			}
			return outbox.Send
		}}
	// Held through the night as often as it is asked: never an attempt.
	for range 3 {
		st, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Deferred != 2 || st.Sent != 0 {
			t.Fatalf("at night: %+v, want both deferred", st)
		}
		for id := int64(1); id <= 2; id++ {
			r := s.get(id)
			if r.m.Attempts != 0 || !r.next.Equal(morning) || !strings.Contains(r.lastErr, "quiet hours") {
				t.Fatalf("held message %d: %d attempts, next %v, %q; want 0, %v, the reason", id, r.m.Attempts, r.next, r.lastErr, morning)
			}
		}
		c.Add(time.Hour) // not yet morning: nothing due
		s.mu.Lock()
		for _, r := range s.rows {
			r.next = c.t // due again, to be held again
		}
		s.mu.Unlock()
	}
	c.t = morning
	st, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 2 || sends.Load() != 2 || s.get(1).state != outbox.StateSent {
		t.Errorf("in the morning: %+v, %d sends; want both sent", st, sends.Load())
	}
}

// A message the Gate says is no longer wanted is never sent, however often
// the outbox runs, and costs no attempt; the others go.
func TestGateDropsWhatIsNoLongerWanted(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms", "sms", "sms")
	var sent []int64
	var mu sync.Mutex
	d := &outbox.Dispatcher{Store: s, Now: (&clock{t: t0}).Now,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(_ context.Context, m outbox.Message) error {
			mu.Lock()
			sent = append(sent, m.ID)
			mu.Unlock()
			return nil
		})},
		Gate: func(_ context.Context, m outbox.Message) outbox.Verdict {
			if m.ID == 2 {
				return outbox.Verdict{Drop: true, Reason: "task 2 is closed"}
			}
			return outbox.Send
		}}
	st, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st != (outbox.Stats{Claimed: 3, Sent: 2, Dropped: 1}) {
		t.Errorf("stats %+v, want two sent and one dropped", st)
	}
	if r := s.get(2); r.state != outbox.StateDropped || r.m.Attempts != 0 || !strings.Contains(r.lastErr, "task 2 is closed") {
		t.Errorf("the dropped message: %s, %d attempts, %q", r.state, r.m.Attempts, r.lastErr)
	}
	if st, err := d.RunOnce(context.Background()); err != nil || st.Claimed != 0 {
		t.Errorf("a second run: %+v, %v; want nothing left to take", st, err)
	}
	slices.Sort(sent)
	if !slices.Equal(sent, []int64{1, 3}) {
		t.Errorf("sent %v, want 1 and 3", sent)
	}
}

func TestNoSenderPutsOffWithoutAnAttempt(t *testing.T) {
	t.Parallel()
	s := newMemStore("email", "sms")
	c := &clock{t: t0}
	d := &outbox.Dispatcher{Store: s, Now: c.Now, Lease: time.Minute,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error { return nil })}}
	st, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st != (outbox.Stats{Claimed: 2, Sent: 1, Deferred: 1}) {
		t.Errorf("stats %+v, want the sms sent and the email put off", st)
	}
	if r := s.get(1); r.state != outbox.StatePending || r.m.Attempts != 0 || r.next.Sub(t0) != time.Minute || !strings.Contains(r.lastErr, `"email"`) {
		t.Errorf("email: %s, %d attempts, next in %v, %q", r.state, r.m.Attempts, r.next.Sub(t0), r.lastErr)
	}
}

// A run takes each message once even when every send fails and the
// back-off is as short as it gets, and runs its sends concurrently up to
// the limit.
func TestRunOnceEndsAndBoundsConcurrency(t *testing.T) {
	t.Parallel()
	chans := make([]string, 40)
	for i := range chans {
		chans[i] = "sms"
	}
	s := newMemStore(chans...)
	var inFlight, peak, calls atomic.Int32
	d := &outbox.Dispatcher{Store: s, Concurrency: 4, Batch: 7, BackoffBase: time.Nanosecond, BackoffCap: time.Nanosecond,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error {
			calls.Add(1)
			n := inFlight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(2 * time.Millisecond)
			inFlight.Add(-1)
			return errors.New("connection refused")
		})}}
	st, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Claimed != 40 || st.Retried != 40 || calls.Load() != 40 {
		t.Errorf("%+v, %d sends; want each of 40 taken and tried once", st, calls.Load())
	}
	if p := peak.Load(); p < 2 || p > 4 {
		t.Errorf("peak %d sends at once, want 2 to 4", p)
	}
}

// Stopping mid-send gives the message back as it was, due at once.
func TestStoppingGivesMessagesBack(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms")
	ctx, cancel := context.WithCancel(context.Background())
	d := &outbox.Dispatcher{Store: s, Now: (&clock{t: t0}).Now, Senders: map[string]outbox.Sender{"sms": senderFunc(func(ctx context.Context, _ outbox.Message) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	})}}
	if _, err := d.RunOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunOnce: %v, want canceled", err)
	}
	if r := s.get(1); r.state != outbox.StatePending || r.m.Attempts != 0 || !r.next.Equal(t0) {
		t.Errorf("row %s, %d attempts, next %v; want pending, 0, due at %v", r.state, r.m.Attempts, r.next, t0)
	}
}

func TestRunLoopsUntilDone(t *testing.T) {
	t.Parallel()
	s := newMemStore("sms")
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	d := &outbox.Dispatcher{Store: s, BackoffBase: time.Millisecond, BackoffCap: time.Millisecond,
		Senders: map[string]outbox.Sender{"sms": senderFunc(func(context.Context, outbox.Message) error {
			if calls.Add(1) < 3 {
				return errors.New("HTTP 500")
			}
			cancel()
			return nil
		})}}
	done := make(chan struct{})
	var st outbox.Stats
	var err error
	go func() { st, err = d.Run(ctx, 5*time.Millisecond); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if err != nil || st.Sent != 1 || st.Retried != 2 {
		t.Errorf("Run: %+v, %v; want 2 retries then sent", st, err)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		key  string
		want bool
	}{{"k-1:2026-03-01", true}, {"", false}, {"a b", false}, {"a\r\nX-Evil: 1", false}, {strings.Repeat("k", outbox.MaxKey), true}, {strings.Repeat("k", outbox.MaxKey+1), false}, {"键", false}} {
		err := outbox.CheckKey(c.key)
		if (err == nil) != c.want || err != nil && (daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != "key") {
			t.Errorf("CheckKey(%q) = %v, want ok %v (or an invalid key)", c.key, err, c.want)
		}
	}
	for _, n := range []int{0, outbox.MaxPayload + 1} {
		if err := outbox.CheckPayload(make([]byte, n)); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("CheckPayload(%d bytes) = %v, want invalid", n, err)
		}
	}
	for _, d := range []*outbox.Dispatcher{{}, {Store: newMemStore(), BackoffBase: time.Hour, BackoffCap: time.Second}, {Store: newMemStore(), Concurrency: -1}} {
		if _, err := d.RunOnce(context.Background()); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("RunOnce with %+v: %v, want invalid", d, err)
		}
	}
	if _, err := (&outbox.Dispatcher{Store: newMemStore()}).Run(context.Background(), 0); daihou.ErrorCode(err) != daihou.EINVALID {
		t.Errorf("Run every 0: %v, want invalid", err)
	}
}
