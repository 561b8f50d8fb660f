package auth

import (
	"strconv"
	"testing"
	"time"
)

// TestLimiterSweepBoundsMemory: a spray of names leaves no state behind
// once its failures have lapsed.
func TestLimiterSweepBoundsMemory(t *testing.T) {
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(func() time.Time { return now }, DefaultNameRule, DefaultSourceRule)
	for i := range 10000 {
		a, err := l.Begin("spray"+strconv.Itoa(i), "10.0.0."+strconv.Itoa(i%200))
		if err == nil {
			a.Fail()
		}
	}
	if len(l.keys) < 10000 {
		t.Fatalf("%d keys after the spray, want every name and source", len(l.keys))
	}
	now = now.Add(DefaultSourceRule.LockOut + DefaultNameRule.Window)
	for range 1024 {
		if a, err := l.Begin("alice", ""); err == nil {
			a.Succeed()
		}
	}
	if got := len(l.keys); got > 1 {
		t.Errorf("%d keys left after the spray lapsed, want 1", got)
	}
}
