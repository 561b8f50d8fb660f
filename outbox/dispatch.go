package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"daihou"
)

// Defaults of a Dispatcher's zero fields.
const (
	DefaultMaxAttempts = 12
	DefaultBackoffBase = 2 * time.Second
	DefaultBackoffCap  = 30 * time.Minute
	DefaultLease       = 2 * time.Minute
	DefaultConcurrency = 4
	DefaultBatch       = 100
)

// maxRetryAfter bounds how long a receiver's Retry-After can put a message
// off: a typo of the receiver's must not park the outbox for a year.
const maxRetryAfter = 24 * time.Hour

// Dispatcher sends the outbox's due messages through the Senders of their
// channels. Its zero fields take the defaults above; it is safe to run
// several, in one process or many, on one Store.
type Dispatcher struct {
	Store Store
	// Senders holds a Sender per channel name. A message of a channel with
	// none is put off for a lease without counting an attempt, so that a
	// process configured for some channels leaves the others' messages to
	// the process configured for them, or to a later restart.
	Senders map[string]Sender
	// Gate, when set, is asked before each send. The collections
	// compliance guard plugs in here.
	Gate func(ctx context.Context, m Message) Verdict
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// MaxAttempts is how many failed attempts dead-letter a message.
	MaxAttempts int
	// BackoffBase and BackoffCap shape the wait after the n-th failed
	// attempt: a uniformly random time between 0 and min(BackoffCap,
	// BackoffBase·2ⁿ⁻¹) — exponential back-off with full jitter, so that
	// the messages of a receiver that was down do not all come back at
	// once. A receiver's Retry-After, when longer, is honoured.
	BackoffBase, BackoffCap time.Duration
	// Lease is how long a claimed message is held. A send is abandoned
	// (and tried again) after half of it, so that a message is not sent
	// by a second dispatcher while the first is still at it.
	Lease time.Duration
	// Concurrency is how many sends run at once; Batch how many messages
	// are claimed at a time.
	Concurrency, Batch int
	// Logger receives a line per retry, deferral and dead letter, and a
	// debug line per message sent; nil logs nothing.
	Logger *slog.Logger
}

// Verdict is a Gate's answer on one message: send it now, hold it until
// Next (without counting an attempt, with Reason as its last error; a Next
// not after now holds it for BackoffBase), or drop it for good because it
// is no longer wanted (Reason says why).
type Verdict struct {
	Hold, Drop bool
	Next       time.Time
	Reason     string
}

// Send is the Verdict that lets a message go.
var Send = Verdict{}

// Stats counts what dispatching did.
type Stats struct {
	Claimed int `json:"claimed"`
	Sent    int `json:"sent"`
	Retried int `json:"retried"` // failed; to be tried again
	Dead    int `json:"dead"`    // dead-lettered
	// Deferred were put off without an attempt counted: held by the Gate,
	// without a Sender in this process, or given back when stopping.
	Deferred int `json:"deferred"`
	Dropped  int `json:"dropped"` // no longer wanted, by the Gate's word
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Claimed += o.Claimed
	s.Sent += o.Sent
	s.Retried += o.Retried
	s.Dead += o.Dead
	s.Deferred += o.Deferred
	s.Dropped += o.Dropped
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (d *Dispatcher) check() error {
	switch {
	case d.Store == nil:
		return daihou.Errorf(daihou.EINVALID, "outbox dispatcher: no Store")
	case d.MaxAttempts < 0 || d.BackoffBase < 0 || d.BackoffCap < 0 || d.Lease < 0 || d.Concurrency < 0 || d.Batch < 0:
		return daihou.Errorf(daihou.EINVALID, "outbox dispatcher: MaxAttempts, BackoffBase, BackoffCap, Lease, Concurrency and Batch may not be negative")
	case orDefault(d.BackoffCap, DefaultBackoffCap) < orDefault(d.BackoffBase, DefaultBackoffBase):
		return daihou.Errorf(daihou.EINVALID, "outbox dispatcher: BackoffCap %v is less than BackoffBase %v", orDefault(d.BackoffCap, DefaultBackoffCap), orDefault(d.BackoffBase, DefaultBackoffBase))
	}
	return nil
}

// Backoff returns the wait before the attempt after the attempts-th failed
// one: uniformly random in [0, min(BackoffCap, BackoffBase·2^(attempts-1))].
func (d *Dispatcher) Backoff(attempts int) time.Duration {
	base, ceil := orDefault(d.BackoffBase, DefaultBackoffBase), orDefault(d.BackoffCap, DefaultBackoffCap)
	env := ceil
	// base·2ⁿ ≤ ceil, asked without overflowing.
	if n := max(attempts-1, 0); n < 63 && base <= ceil>>n {
		env = base << n
	}
	return time.Duration(rand.Int64N(int64(env) + 1))
}

// RunOnce sends every message that is due when it starts, claiming them a
// batch at a time, and returns what it did. A message that fails is put
// off to a time after the start, so RunOnce ends even when every send
// fails. It stops at the first error of the Store, or when ctx is done
// (messages being sent then are given back, due at once).
func (d *Dispatcher) RunOnce(ctx context.Context) (Stats, error) {
	var total Stats
	if err := d.check(); err != nil {
		return total, err
	}
	batch, lease := orDefault(d.Batch, DefaultBatch), orDefault(d.Lease, DefaultLease)
	start := d.now()
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		// Due at the start, held for a lease from now: a long run does not
		// hand out leases that have already run out.
		msgs, err := d.Store.Claim(ctx, start, lease+max(0, d.now().Sub(start)), batch)
		if err != nil {
			return total, fmt.Errorf("outbox: claim: %w", err)
		}
		st, err := d.deliverAll(ctx, msgs)
		total.Add(st)
		if err != nil || len(msgs) < batch {
			return total, err
		}
	}
}

// Run dispatches every interval until ctx is done and returns the totals.
// A round that fails on the Store is logged and the next round tries
// again; an application error (a missing key, a bad configuration) ends
// the run, as the next round would fail alike.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) (Stats, error) {
	var total Stats
	if every <= 0 {
		return total, daihou.Errorf(daihou.EINVALID, "outbox dispatcher: the interval must be positive, not %v", every)
	}
	if err := d.check(); err != nil {
		return total, err
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		st, err := d.RunOnce(ctx)
		total.Add(st)
		switch {
		case ctx.Err() != nil:
			return total, nil
		case err != nil && daihou.ErrorCode(err) != daihou.EINTERNAL:
			return total, err
		case err != nil:
			d.log().Error("outbox round failed; trying again next round", "err", err, "every", every)
		case st != Stats{}:
			d.log().Info("outbox round", "claimed", st.Claimed, "sent", st.Sent, "retried", st.Retried, "dead", st.Dead, "deferred", st.Deferred, "dropped", st.Dropped)
		}
		select {
		case <-ctx.Done():
			return total, nil
		case <-tick.C:
		}
	}
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// deliverAll delivers msgs on up to Concurrency goroutines.
func (d *Dispatcher) deliverAll(ctx context.Context, msgs []Message) (Stats, error) {
	st := Stats{Claimed: len(msgs)}
	if len(msgs) == 0 {
		return st, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan Message)
	for range min(orDefault(d.Concurrency, DefaultConcurrency), len(msgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				o, err := d.deliver(ctx, m)
				mu.Lock()
				switch o {
				case sent:
					st.Sent++
				case retried:
					st.Retried++
				case dead:
					st.Dead++
				case deferred:
					st.Deferred++
				case dropped:
					st.Dropped++
				}
				if err != nil {
					errs = append(errs, err)
					cancel() // the rest stay claimed until their lease ends
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, m := range msgs {
		select {
		case next <- m:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		return st, errs[0]
	}
	return st, nil
}

// outcome is what became of one message.
type outcome int

const (
	unhandled outcome = iota
	sent
	retried
	dead
	deferred
	dropped
)

// bookkeeping bounds the Store calls that record a send: they run even
// when ctx is done, as the send they record has happened.
const bookkeeping = 10 * time.Second

// deliver sends m, or puts it off, and records which.
func (d *Dispatcher) deliver(ctx context.Context, m Message) (outcome, error) {
	log := d.log().With("id", m.ID, "channel", m.Channel, "key", m.Key, "loan_id", m.LoanID)
	lease := orDefault(d.Lease, DefaultLease)
	now := d.now()
	s := d.Senders[m.Channel]
	if s == nil {
		reason := fmt.Sprintf("no sender for channel %q in this dispatcher", m.Channel)
		log.Info("outbox message put off", "reason", reason)
		return deferred, wrap(m, "put off", d.Store.Retry(ctx, m.ID, m.Attempts, now.Add(lease), reason))
	}
	if d.Gate != nil {
		switch v := d.Gate(ctx, m); {
		case v.Drop:
			log.Info("outbox message dropped", "reason", v.Reason)
			return dropped, wrap(m, "drop", d.Store.Drop(ctx, m.ID, "dropped: "+v.Reason))
		case v.Hold:
			next := v.Next
			if !next.After(now) {
				next = now.Add(orDefault(d.BackoffBase, DefaultBackoffBase))
			}
			log.Info("outbox message held", "reason", v.Reason, "until", next)
			return deferred, wrap(m, "hold", d.Store.Retry(ctx, m.ID, m.Attempts, next, "held: "+v.Reason))
		}
	}
	sctx, cancel := context.WithTimeout(ctx, lease/2)
	err := s.Send(sctx, m)
	cancel()
	now = d.now()
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
	defer cancel()
	switch {
	case err == nil:
		log.Debug("outbox message sent", "attempts", m.Attempts+1)
		return sent, wrap(m, "mark sent", d.Store.MarkSent(bctx, m.ID, now))
	case ctx.Err() != nil:
		// Stopping: whether the receiver got it is unknown, which the
		// idempotency key makes harmless; give it back, due at once.
		log.Info("outbox message given back on stopping", "err", err)
		if rerr := d.Store.Retry(bctx, m.ID, m.Attempts, now, "interrupted: "+err.Error()); rerr != nil {
			return deferred, wrap(m, "give back", rerr)
		}
		return deferred, ctx.Err()
	case IsPermanent(err):
		log.Warn("outbox message dead-lettered: refused for good", "attempts", m.Attempts+1, "err", err)
		return dead, wrap(m, "dead-letter", d.Store.Dead(bctx, m.ID, err.Error()))
	}
	attempts := m.Attempts + 1
	if attempts >= orDefault(d.MaxAttempts, DefaultMaxAttempts) {
		log.Warn("outbox message dead-lettered: out of attempts", "attempts", attempts, "err", err)
		return dead, wrap(m, "dead-letter", d.Store.Dead(bctx, m.ID, fmt.Sprintf("%d attempts, the last: %v", attempts, err)))
	}
	wait := d.Backoff(attempts)
	if ra := (*RetryAfterError)(nil); errors.As(err, &ra) && ra.After > wait {
		wait = min(ra.After, maxRetryAfter)
	}
	// At least a millisecond (the store's resolution): the message is then
	// due after this run's start and is not taken again by the same run.
	next := now.Add(max(wait, time.Millisecond))
	log.Info("outbox message to be tried again", "attempts", attempts, "at", next, "err", err)
	return retried, wrap(m, "retry", d.Store.Retry(bctx, m.ID, attempts, next, err.Error()))
}

// wrap says which message a Store error was about.
func wrap(m Message, what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("outbox: %s message %d (%s): %w", what, m.ID, m.Key, err)
}
