package auth

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"daihou"
)

// LimitRule is how many failures a key may have before it is locked out. A
// rule with MaxFailures 0 limits nothing.
type LimitRule struct {
	// MaxFailures is how many failures within Window lock the key. An
	// attempt still in progress counts as a failure until it succeeds, so
	// parallel guesses cannot slip past the count.
	MaxFailures int
	// Window is how long a failure is remembered.
	Window time.Duration
	// LockOut is how long a locked key stays locked.
	LockOut time.Duration
}

// DefaultNameRule locks a user name (or a token id) for 15 minutes after 5
// failures within 15 minutes: enough for a person who mistypes, far too few
// for a dictionary.
var DefaultNameRule = LimitRule{MaxFailures: 5, Window: 15 * time.Minute, LockOut: 15 * time.Minute}

// DefaultSourceRule locks a source address for 15 minutes after 50 failures
// within 15 minutes. It is looser than the name rule because a bank
// branch's staff share one address behind its NAT; it stops one address
// spraying passwords across many names.
var DefaultSourceRule = LimitRule{MaxFailures: 50, Window: 15 * time.Minute, LockOut: 15 * time.Minute}

// ErrLockedOut is returned (inside a daihou.Error with code EUNAUTHORIZED)
// by Limiter.Begin while a name or a source is locked out.
var ErrLockedOut = errors.New("too many failed attempts")

// Limiter counts failed logins or token guesses per name and per source
// (the client's address) and locks either out once it has too many. It is
// safe for concurrent use and reads time only from the clock it was given.
// It keeps its counts in memory: each server process limits on its own, and
// a restart forgets (the store may persist lock-outs if that matters).
type Limiter struct {
	now          func() time.Time
	name, source LimitRule

	mu    sync.Mutex
	keys  map[limitKey]*limitState
	calls int
}

type limitKey struct {
	source bool
	key    string
}

type limitState struct {
	failures []time.Time // oldest first, each within the window
	pending  []time.Time // attempts begun and not yet resolved
	until    time.Time   // locked before this instant
}

// NewLimiter returns a Limiter with the given rules and clock (time.Now in
// production, a fake in tests).
func NewLimiter(now func() time.Time, name, source LimitRule) *Limiter {
	return &Limiter{now: now, name: name, source: source, keys: map[limitKey]*limitState{}}
}

// Attempt is one login or token check begun with Limiter.Begin; the caller
// resolves it with Succeed or Fail.
type Attempt struct {
	l            *Limiter
	name, source string
	at           time.Time
	done         bool
}

// Begin starts an attempt for name (NormalizeName's result, the raw text
// where that fails, or a token id) from source. While either is locked it returns an error wrapping
// ErrLockedOut, code ERATELIMIT, whose message says how long to wait
// (and is the same whether or not the name exists); the caller must then
// not check the password at all. An empty name or source is not limited.
func (l *Limiter) Begin(name, source string) (*Attempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	var wait time.Duration
	for _, k := range l.keysOf(name, source) {
		if w := l.state(k, now).lockedFor(now, l.rule(k)); w > wait {
			wait = w
		}
	}
	if wait > 0 {
		return nil, lockedOut(wait)
	}
	for _, k := range l.keysOf(name, source) {
		s := l.state(k, now)
		s.pending = append(s.pending, now)
	}
	return &Attempt{l: l, name: name, source: source, at: now}, nil
}

// Succeed resolves the attempt as a success: the name's failures are
// forgiven. The source's are not, or one good account would let a source
// guess at all the others. Only the first of Succeed and Fail counts.
func (a *Attempt) Succeed() { a.resolve(false) }

// Fail resolves the attempt as a failure, which may lock the name or the
// source. Only the first of Succeed and Fail counts.
func (a *Attempt) Fail() { a.resolve(true) }

func (a *Attempt) resolve(failed bool) {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	l.record(a.name, a.source, a.at, failed)
}

// record counts the outcome of an attempt begun at (zero: none was
// begun) for name and source; l.mu is held.
func (l *Limiter) record(name, source string, at time.Time, failed bool) {
	now := l.now()
	for _, k := range l.keysOf(name, source) {
		s := l.state(k, now)
		if !at.IsZero() {
			s.dropPending(at)
		}
		switch {
		case failed:
			s.failures = append(s.failures, now)
			if r := l.rule(k); len(s.failures) >= r.MaxFailures {
				s.until = now.Add(r.LockOut)
				s.failures = s.failures[:0]
			}
		case !k.source:
			s.failures = s.failures[:0]
		}
	}
}

// Check returns the lock-out error of Begin while name or source is
// locked, nil otherwise, without starting an attempt: for a check that
// costs nothing to repeat (a token against its hash), where counting
// attempts in progress as failures would lock out a caller's own
// concurrent requests. Such a caller reports failures with Failed.
func (l *Limiter) Check(name, source string) error {
	if wait := l.Locked(name, source); wait > 0 {
		return lockedOut(wait)
	}
	return nil
}

// Failed counts one failure for name and source, which may lock them.
func (l *Limiter) Failed(name, source string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(l.now())
	l.record(name, source, time.Time{}, true)
}

// lockedOut is the answer while locked: ERATELIMIT, saying how long to
// wait, the same whether or not the name exists.
func lockedOut(wait time.Duration) error {
	return daihou.Errorf(daihou.ERATELIMIT, "%w: try again in %s", ErrLockedOut, roundUp(wait))
}

// Locked reports how long name or source is still locked; 0 if neither is.
func (l *Limiter) Locked(name, source string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range l.keysOf(name, source) {
		if s := l.keys[k]; s != nil && now.Before(s.until) {
			wait = max(wait, s.until.Sub(now))
		}
	}
	return wait
}

func (l *Limiter) keysOf(name, source string) []limitKey {
	var ks []limitKey
	if name != "" && l.name.MaxFailures > 0 {
		ks = append(ks, limitKey{key: name})
	}
	if source != "" && l.source.MaxFailures > 0 {
		ks = append(ks, limitKey{source: true, key: source})
	}
	return ks
}

func (l *Limiter) rule(k limitKey) LimitRule {
	if k.source {
		return l.source
	}
	return l.name
}

// state returns k's state with what has expired by now forgotten.
func (l *Limiter) state(k limitKey, now time.Time) *limitState {
	s := l.keys[k]
	if s == nil {
		s = &limitState{}
		l.keys[k] = s
	}
	s.expire(now, l.rule(k))
	return s
}

// lockedFor returns how long s stays locked at now: for its lock-out, or
// while its failures and attempts in progress already reach the limit.
func (s *limitState) lockedFor(now time.Time, r LimitRule) time.Duration {
	if now.Before(s.until) {
		return s.until.Sub(now)
	}
	if len(s.failures)+len(s.pending) < r.MaxFailures {
		return 0
	}
	// The failures alone never reach the limit (reaching it locks), so
	// attempts in progress fill the last places: they end within moments.
	return time.Second
}

// expire forgets failures and abandoned attempts older than the window. An
// attempt that is never resolved (its handler panicked) counts as a failure
// for a window and then lapses.
func (s *limitState) expire(now time.Time, r LimitRule) {
	cut := now.Add(-r.Window)
	drop := func(ts []time.Time) []time.Time {
		i := 0
		for i < len(ts) && !ts[i].After(cut) {
			i++
		}
		return ts[:copy(ts, ts[i:])]
	}
	s.failures = drop(s.failures)
	s.pending = drop(s.pending)
}

func (s *limitState) dropPending(at time.Time) {
	for i, t := range s.pending {
		if t.Equal(at) {
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			return
		}
	}
}

func (s *limitState) idle(now time.Time) bool {
	return len(s.failures) == 0 && len(s.pending) == 0 && !now.Before(s.until)
}

// sweep drops idle keys now and then, so that a spray of names or sources
// cannot grow the map without bound: every key lapses one window or one
// lock-out after its last failure.
func (l *Limiter) sweep(now time.Time) {
	l.calls++
	if l.calls%1024 != 0 {
		return
	}
	for k, s := range l.keys {
		s.expire(now, l.rule(k))
		if s.idle(now) {
			delete(l.keys, k)
		}
	}
}

func roundUp(d time.Duration) string {
	if d <= time.Minute {
		return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
	}
	return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
}
