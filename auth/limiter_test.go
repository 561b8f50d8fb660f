package auth_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"daihou"
	"daihou/auth"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)} }

var (
	nameRule   = auth.LimitRule{MaxFailures: 3, Window: 10 * time.Minute, LockOut: 5 * time.Minute}
	sourceRule = auth.LimitRule{MaxFailures: 5, Window: 10 * time.Minute, LockOut: 20 * time.Minute}
)

func fail(t *testing.T, l *auth.Limiter, name, source string) {
	t.Helper()
	a, err := l.Begin(name, source)
	if err != nil {
		t.Fatalf("Begin(%q, %q) = %v", name, source, err)
	}
	a.Fail()
}

func locked(t *testing.T, l *auth.Limiter, name, source string) bool {
	t.Helper()
	a, err := l.Begin(name, source)
	if err != nil {
		if !errors.Is(err, auth.ErrLockedOut) || daihou.ErrorCode(err) != daihou.ERATELIMIT {
			t.Fatalf("Begin = %v, want ErrLockedOut", err)
		}
		return true
	}
	a.Succeed()
	return false
}

func TestLimiterLocksAfterMaxFailures(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(c.now, nameRule, sourceRule)
	fail(t, l, "alice", "10.0.0.1")
	fail(t, l, "alice", "10.0.0.2")
	fail(t, l, "alice", "10.0.0.3") // the third failure locks alice from any source
	a, err := l.Begin("alice", "10.0.0.4")
	if err == nil {
		a.Succeed()
		t.Fatal("alice is not locked after 3 failures")
	}
	if !strings.Contains(err.Error(), "try again in 5 min") {
		t.Errorf("error %q does not say how long to wait", err)
	}
	if got := l.Locked("alice", ""); got != 5*time.Minute {
		t.Errorf("Locked = %v, want 5m", got)
	}
	if locked(t, l, "bob", "10.0.0.1") {
		t.Error("bob is locked by alice's failures")
	}
	c.add(5*time.Minute - time.Nanosecond)
	if !locked(t, l, "alice", "") {
		t.Error("alice is free a nanosecond before the lock-out ends")
	}
	c.add(time.Nanosecond)
	if locked(t, l, "alice", "") {
		t.Error("alice is still locked when the lock-out ends")
	}
}

func TestLimiterWindow(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(c.now, nameRule, sourceRule)
	fail(t, l, "alice", "")
	c.add(time.Minute)
	fail(t, l, "alice", "")
	// The first failure is forgotten exactly one window after it.
	c.add(9 * time.Minute)
	fail(t, l, "alice", "")
	if locked(t, l, "alice", "") {
		t.Error("a failure a full window old still counts")
	}
	// The success above forgave alice; three fresh failures lock again.
	c2 := newClock()
	l2 := auth.NewLimiter(c2.now, nameRule, sourceRule)
	fail(t, l2, "alice", "")
	c2.add(time.Minute)
	fail(t, l2, "alice", "")
	c2.add(9*time.Minute - time.Nanosecond)
	fail(t, l2, "alice", "")
	if !locked(t, l2, "alice", "") {
		t.Error("three failures within the window do not lock")
	}
}

func TestLimiterSuccessForgivesTheNameNotTheSource(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(c.now, nameRule, sourceRule)
	fail(t, l, "alice", "10.0.0.1")
	fail(t, l, "alice", "10.0.0.1")
	a, err := l.Begin("alice", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	a.Succeed()
	a.Fail() // only the first resolution counts
	fail(t, l, "alice", "10.0.0.1")
	fail(t, l, "alice", "10.0.0.1")
	if locked(t, l, "alice", "") {
		t.Error("alice's failures before her good login still count")
	}
	// The source has 4 failures; the fifth locks it for every name.
	fail(t, l, "carol", "10.0.0.1")
	if !locked(t, l, "dave", "10.0.0.1") {
		t.Error("the source is not locked after 5 failures across names")
	}
	if got := l.Locked("", "10.0.0.1"); got != 20*time.Minute {
		t.Errorf("source locked for %v, want 20m", got)
	}
	if locked(t, l, "dave", "10.0.0.2") {
		t.Error("another source is locked")
	}
}

// TestLimiterCountsAttemptsInProgress: guesses sent in parallel are counted
// when they begin, so no more than MaxFailures are ever checked at once.
func TestLimiterCountsAttemptsInProgress(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(c.now, nameRule, sourceRule)
	var open []*auth.Attempt
	for range 3 {
		a, err := l.Begin("alice", "")
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, a)
	}
	if _, err := l.Begin("alice", ""); !errors.Is(err, auth.ErrLockedOut) {
		t.Fatalf("a fourth parallel guess began: %v", err)
	}
	open[0].Succeed()
	if locked(t, l, "alice", "") {
		t.Error("a finished attempt still holds its place")
	}
	// An attempt never resolved lapses after a window.
	c2 := newClock()
	l2 := auth.NewLimiter(c2.now, nameRule, sourceRule)
	for range 3 {
		if _, err := l2.Begin("bob", ""); err != nil {
			t.Fatal(err)
		}
	}
	c2.add(10 * time.Minute)
	if locked(t, l2, "bob", "") {
		t.Error("abandoned attempts block forever")
	}
}

func TestLimiterUnlimited(t *testing.T) {
	l := auth.NewLimiter(newClock().now, auth.LimitRule{}, auth.LimitRule{})
	for range 100 {
		fail(t, l, "alice", "10.0.0.1")
	}
	if locked(t, l, "alice", "10.0.0.1") {
		t.Error("a zero rule locks")
	}
}

func TestLimiterForgetsIdleKeys(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(c.now, nameRule, sourceRule)
	for i := range 5000 {
		a, err := l.Begin(strings.Repeat("n", 1+i%50)+string(rune('a'+i%26)), "")
		if err != nil {
			continue
		}
		a.Fail()
		c.add(time.Second)
	}
	c.add(time.Hour)
	for range 2048 {
		locked(t, l, "x", "")
	}
	if got := l.Locked("nnnnna", ""); got != 0 {
		t.Errorf("an old key is still locked for %v", got)
	}
}

// TestLimiterConcurrent runs many goroutines against one limiter under the
// race detector and checks the count: with MaxFailures 3, at most 3
// attempts for one name can ever have begun before the lock.
func TestLimiterConcurrent(t *testing.T) {
	c := newClock()
	l := auth.NewLimiter(c.now, nameRule, auth.LimitRule{})
	var mu sync.Mutex
	begun := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			a, err := l.Begin("alice", "")
			if err != nil {
				return
			}
			mu.Lock()
			begun++
			mu.Unlock()
			a.Fail()
		})
	}
	wg.Wait()
	if begun > 3 {
		t.Errorf("%d attempts began, want at most 3", begun)
	}
	if l.Locked("alice", "") == 0 {
		t.Error("alice is not locked")
	}
}
