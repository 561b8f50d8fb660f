package sim

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"daihou/channel"
	"daihou/civil"
	"daihou/synth"
)

// Config says how a Sim answers and where it reports.
type Config struct {
	// Seed is the seed of the portfolio 'daihou gen' generated: it names
	// the borrowers (synth.BorrowerProfile) and seeds every outcome.
	Seed uint64
	// Secrets holds each channel's shared secret: the key of the
	// signatures it checks on messages and puts on results. A channel
	// with none is not served.
	Secrets map[string][]byte
	// Callback is where results go: a URL with {channel} in it, as daihou
	// serve's http://HOST/api/v1/channels/{channel}/results, or a bare
	// http://HOST, meaning that one.
	Callback string
	// API is daihou's base URL (http://HOST) for repayments, posted as
	// POST API/api/v1/loans/{id}/payments with Token as the bearer token;
	// "" posts none (borrowers never pay).
	API   string
	Token string
	// HTTP is the client results and payments go out with (default one
	// with a 10 s timeout).
	HTTP *http.Client
	// Now is the clock of signatures, checked and made (default
	// time.Now). Delays and back-off are timers and do not read it.
	Now func() time.Time
	// MaxDelay bounds the delay before a result is reported: each waits a
	// share of it drawn with its outcome (default 2 s; negative: none).
	MaxDelay time.Duration
	// Attempts bounds the attempts at one delivery, retried with
	// exponential back-off (full jitter under 100 ms·2^(n−1), at most 5 s,
	// or the Retry-After) while daihou answers 408, 429 or 5xx or cannot
	// be reached (default 8).
	Attempts int
	// Queue bounds the deliveries waiting or under way; a message beyond
	// it is answered 503 with Retry-After, for the outbox to try again
	// (default 10,000).
	Queue int
	// Workers is how many deliveries go out at once (default 4).
	Workers int
	// Logf, if set, is told of deliveries given up or refused.
	Logf func(format string, args ...any)
}

// Sim is the channel simulator. Its methods are safe for concurrent use.
type Sim struct {
	cfg      Config
	callback string // with {channel}
	client   *http.Client
	ctx      context.Context // of deliveries: cancelled by Close
	cancel   context.CancelFunc
	ready    chan *job
	wake     chan struct{}
	done     chan struct{}
	stop     sync.Once
	wg       sync.WaitGroup

	mu     sync.Mutex
	seen   map[[16]byte]struct{} // message keys acted on, hashed
	timers jobs                  // deliveries waiting for their time
	seq    uint64
	busy   int           // deliveries in timers, handed to a worker or being sent
	idle   chan struct{} // closed whenever busy is 0
	parked []*payment    // reported, waiting for the business date to reach their value date
	latest civil.Date    // the latest business date of a message, or of Flush
	loans  map[int64]civil.Date
	st     Stats
}

// Stats counts what a Sim has done.
type Stats struct {
	// Messages counts the messages acted on, by channel; Duplicates the
	// deliveries of a key already acted on; Rejected those refused (bad
	// signature, malformed, unknown channel); Busy those answered 503.
	Messages   map[string]int64 `json:"messages"`
	Duplicates int64            `json:"duplicates"`
	Rejected   int64            `json:"rejected"`
	Busy       int64            `json:"busy"`
	// Outcomes counts results by outcome, or by status when they have
	// none (delivered, failed).
	Outcomes map[string]int64 `json:"outcomes"`
	Promises int64            `json:"promises"`
	Cost     int64            `json:"cost"` // fen, of every contact
	// ResultsSent counts results daihou took; ResultsFailed those it
	// refused or that could not be delivered in Attempts; Retries the
	// attempts, of results and payments, after a first one.
	ResultsSent   int64 `json:"results_sent"`
	ResultsFailed int64 `json:"results_failed"`
	Retries       int64 `json:"retries"`
	// PaymentsPlanned counts the repayments borrowers decided on;
	// PaymentsWaiting those waiting for the business date to reach their
	// value date; PaymentsPosted those daihou posted (PaymentsReplayed of
	// them answered as already posted); PaymentsRefused those refused or
	// undeliverable; Paid the amount posted, fen.
	PaymentsPlanned  int64 `json:"payments_planned"`
	PaymentsWaiting  int   `json:"payments_waiting"`
	PaymentsPosted   int64 `json:"payments_posted"`
	PaymentsReplayed int64 `json:"payments_replayed"`
	PaymentsRefused  int64 `json:"payments_refused"`
	Paid             int64 `json:"paid"`
	// Queued counts deliveries waiting or under way.
	Queued int `json:"queued"`
	// BusinessDate is the latest business date seen, "" before any.
	BusinessDate string `json:"business_date"`
}

// payment is a repayment a contact led to.
type payment struct {
	loanID int64
	plan   Plan
	key    string // its Idempotency-Key
	via    string // the channel of the contact
}

// job is one delivery: a result, or a payment.
type job struct {
	due     time.Time
	seq     uint64
	attempt int // attempts made
	channel string
	result  *channel.Result
	then    *payment // a result's payment, parked once the result is out
	pay     *payment
}

// New returns a Sim for cfg, its workers started; Close stops them.
func New(cfg Config) (*Sim, error) {
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("no channel has a secret: nothing to serve")
	}
	for name, s := range cfg.Secrets {
		if !channel.Known(name) {
			return nil, fmt.Errorf("a secret for %q, which is not a channel (want one of %s)", name, strings.Join(channel.Names, ", "))
		}
		if len(s) < channel.MinSecret {
			return nil, fmt.Errorf("the secret of %s has %d bytes; daihou takes none shorter than %d", name, len(s), channel.MinSecret)
		}
	}
	cb, err := callbackURL(cfg.Callback)
	if err != nil {
		return nil, err
	}
	if cfg.API != "" {
		u, err := url.Parse(cfg.API)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("the payment API %q: want http://HOST or https://HOST", cfg.API)
		}
		if cfg.Token == "" {
			return nil, errors.New("the payment API needs a token")
		}
		cfg.API = strings.TrimSuffix(cfg.API, "/")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = 2 * time.Second
	}
	cfg.MaxDelay = max(cfg.MaxDelay, 0)
	if cfg.Attempts <= 0 {
		cfg.Attempts = 8
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 10_000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	s := &Sim{cfg: cfg, callback: cb, client: cfg.HTTP,
		ready: make(chan *job), wake: make(chan struct{}, 1), done: make(chan struct{}), idle: make(chan struct{}),
		seen: map[[16]byte]struct{}{}, loans: map[int64]civil.Date{},
		st: Stats{Messages: map[string]int64{}, Outcomes: map[string]int64{}}}
	close(s.idle)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	s.wg.Add(1 + cfg.Workers)
	go s.dispatch()
	for range cfg.Workers {
		go s.work()
	}
	return s, nil
}

// callbackURL checks a callback and returns it with {channel} in it.
func callbackURL(cb string) (string, error) {
	u, err := url.Parse(strings.ReplaceAll(cb, "{channel}", "x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("the callback %q: want http://HOST/api/v1/channels/{channel}/results (or http://HOST for that)", cb)
	}
	switch {
	case strings.Contains(cb, "{channel}"):
		return cb, nil
	case u.Path == "" || u.Path == "/":
		return strings.TrimSuffix(cb, "/") + "/api/v1/channels/{channel}/results", nil
	}
	return "", fmt.Errorf("the callback %q has a path but no {channel}: results of each channel go to their own URL, e.g. http://HOST/api/v1/channels/{channel}/results", cb)
}

// CallbackURL returns where the results of channel ch go.
func (s *Sim) CallbackURL(ch string) string { return strings.ReplaceAll(s.callback, "{channel}", ch) }

// Channels returns the channels served (those with a secret), in
// channel.Names order.
func (s *Sim) Channels() []string {
	var out []string
	for _, c := range channel.Names {
		if s.cfg.Secrets[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// Close stops the workers; deliveries not yet made are dropped. It waits
// for those under way.
func (s *Sim) Close() error {
	s.stop.Do(func() {
		s.cancel()
		close(s.done)
	})
	s.wg.Wait()
	return nil
}

// Wait returns once no delivery is waiting or under way — every result
// reported, every payment whose value date the business date has reached
// posted (or given up) — or when ctx ends (its error) or the Sim closes.
// Payments waiting for a later business date do not hold it up.
func (s *Sim) Wait(ctx context.Context) error {
	for {
		s.mu.Lock()
		idle := s.idle
		s.mu.Unlock()
		select {
		case <-idle:
			s.mu.Lock()
			quiet := s.busy == 0
			s.mu.Unlock()
			if quiet {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return errors.New("the channel simulator is closed")
		}
	}
}

// Flush tells the Sim that the book's business date has reached date, as a
// message of that date would, posts the payments now due (value date on or
// before it) and waits as Wait does.
func (s *Sim) Flush(ctx context.Context, date civil.Date) error {
	s.mu.Lock()
	s.advance(date)
	s.mu.Unlock()
	return s.Wait(ctx)
}

// Stats returns what the Sim has done so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Messages, st.Outcomes = maps.Clone(s.st.Messages), maps.Clone(s.st.Outcomes)
	st.PaymentsWaiting, st.Queued = len(s.parked), s.busy
	if !s.latest.IsZero() {
		st.BusinessDate = s.latest.String()
	}
	return st
}

// errFull says the queue is full: the message is to be sent again later.
var errFull = errors.New("the channel simulator's queue is full")

// accept acts on a checked message, once per key: dup reports a key
// already acted on.
func (s *Sim) accept(m channel.Message) (dup bool, err error) {
	k := keyOf(m.Key)
	s.mu.Lock()
	_, dup = s.seen[k]
	full := s.busy >= s.cfg.Queue
	s.mu.Unlock()
	if dup {
		s.count(func(st *Stats) { st.Duplicates++ })
		return true, nil
	}
	if full {
		s.count(func(st *Stats) { st.Busy++ })
		return false, errFull
	}
	// A message that waited in the outbox (held by the compliance guard,
	// or its sender down) reaches the borrower today, not on the date it
	// was made: what they say and when they pay run from the latest
	// business date the Sim has seen.
	business, _ := civil.Parse(m.BusinessDate)
	s.mu.Lock()
	if business.Before(s.latest) {
		business = s.latest
		m.BusinessDate = business.String()
	}
	s.mu.Unlock()
	// Decide outside the lock: it is the costly part, and pure.
	p, _ := synth.BorrowerProfile(s.cfg.Seed, m.BorrowerID)
	d := Decide(s.cfg.Seed, m, p)

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.seen[k]; dup { // the same key, concurrently
		s.st.Duplicates++
		return true, nil
	}
	s.seen[k] = struct{}{}
	s.settle(&d, m, business)
	res := d.Result
	s.st.Messages[m.Channel]++
	out := res.Outcome
	if out == "" {
		out = res.Status
	}
	s.st.Outcomes[out]++
	s.st.Cost += res.Cost
	if res.Outcome == "promise" {
		s.st.Promises++
	}
	j := &job{channel: m.Channel, result: &res, due: time.Now().Add(time.Duration(d.Delay * float64(s.cfg.MaxDelay)))}
	if d.Pay != nil {
		j.then = &payment{loanID: m.LoanID, plan: *d.Pay, key: s.paymentKey(m.Key), via: m.Channel}
		s.st.PaymentsPlanned++
	}
	s.push(j)
	s.advance(business)
	return false, nil
}

// settle squares a decision with what the borrower has already decided:
// one who means to pay on or after this message's date does not plan a
// second payment, and one who paid in the last three days says so when
// called.
func (s *Sim) settle(d *Decision, m channel.Message, business civil.Date) {
	if s.cfg.API == "" {
		d.Pay = nil
	}
	planned, ok := s.loans[m.LoanID]
	if !ok {
		if d.Pay != nil {
			s.loans[m.LoanID] = d.Pay.ValueDate
		}
		return
	}
	r := &d.Result
	if r.RightParty && !planned.After(business) && business.Sub(planned) <= 3 && (r.Outcome == "promise" || r.Outcome == "refused" || r.Outcome == "hardship") {
		r.Outcome, r.PromiseAmount, r.PromiseDate = "paid", 0, ""
		r.Note = "says they paid on " + planned.String()
		d.Pay = nil
	}
	if !planned.Before(business) {
		d.Pay = nil // already means to pay
	}
	if d.Pay != nil {
		s.loans[m.LoanID] = d.Pay.ValueDate
	}
}

// paymentKey is the Idempotency-Key of the payment a message led to.
func (s *Sim) paymentKey(key string) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.cfg.Seed)
	h := sha256.New()
	h.Write(b[:])
	h.Write([]byte("payment\x00" + key))
	return "chsim-" + hex.EncodeToString(h.Sum(nil)[:20])
}

func keyOf(key string) [16]byte {
	h := sha256.Sum256([]byte(key))
	return [16]byte(h[:16])
}

func (s *Sim) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.st)
	s.mu.Unlock()
}

// advance raises the latest business date to date and releases the
// payments it makes due. The caller holds mu.
func (s *Sim) advance(date civil.Date) {
	if !date.After(s.latest) {
		return
	}
	s.latest = date
	keep := s.parked[:0]
	for _, p := range s.parked {
		if p.plan.ValueDate.After(date) {
			keep = append(keep, p)
			continue
		}
		s.push(&job{pay: p, channel: p.via, due: time.Now()})
	}
	clear(s.parked[len(keep):])
	s.parked = keep
}

// park holds p until the business date reaches its value date. The caller
// holds mu.
func (s *Sim) park(p *payment) {
	if !p.plan.ValueDate.After(s.latest) {
		s.push(&job{pay: p, channel: p.via, due: time.Now()})
		return
	}
	s.parked = append(s.parked, p)
}

// push queues j. The caller holds mu.
func (s *Sim) push(j *job) {
	s.seq++
	j.seq = s.seq
	heap.Push(&s.timers, j)
	if s.busy == 0 {
		s.idle = make(chan struct{})
	}
	s.busy++
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// finish records the end of a delivery: done, or failed for good. The
// caller holds mu.
func (s *Sim) finish(j *job) {
	if j.then != nil {
		s.park(j.then)
	}
	s.busy--
	if s.busy == 0 {
		close(s.idle)
	}
}

// dispatch hands deliveries to the workers when their time comes.
func (s *Sim) dispatch() {
	defer s.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		s.mu.Lock()
		var due []*job
		now := time.Now()
		for len(s.timers) > 0 && !s.timers[0].due.After(now) {
			due = append(due, heap.Pop(&s.timers).(*job))
		}
		wait := time.Hour
		if len(s.timers) > 0 {
			wait = s.timers[0].due.Sub(now)
		}
		s.mu.Unlock()
		for _, j := range due {
			select {
			case s.ready <- j:
			case <-s.done:
				return
			}
		}
		if len(due) > 0 {
			continue
		}
		t.Reset(wait)
		select {
		case <-s.wake:
		case <-t.C:
		case <-s.done:
			return
		}
	}
}

// work makes the deliveries it is handed.
func (s *Sim) work() {
	defer s.wg.Done()
	for {
		select {
		case j := <-s.ready:
			s.deliver(j)
		case <-s.done:
			return
		}
	}
}

// jobs is a heap of deliveries by due time, then order of queueing.
type jobs []*job

func (h jobs) Len() int { return len(h) }
func (h jobs) Less(i, k int) bool {
	if !h[i].due.Equal(h[k].due) {
		return h[i].due.Before(h[k].due)
	}
	return h[i].seq < h[k].seq
}
func (h jobs) Swap(i, k int) { h[i], h[k] = h[k], h[i] }
func (h *jobs) Push(x any)   { *h = append(*h, x.(*job)) }
func (h *jobs) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}
