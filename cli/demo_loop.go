package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"daihou/auth"
	"daihou/channel"
	chansim "daihou/channel/sim"
	"daihou/civil"
	"daihou/eod"
	"daihou/outbox"
	"daihou/signal"
	srcsim "daihou/source/sim"
	"daihou/store"
	"daihou/web"
	"daihou/web/api"
)

// demoWorld carries the demo's book on over the last weeks of its history
// the way a bank's book lives: every night close of business with its
// warnings, SOP timelines and strategies; every morning the outbox sends
// the night's reminders to the simulated SMS and AI-voice channels, whose
// borrowers answer, promise and pay back through the API; the court and
// the credit bureau push what they learn of borrowers in arrears through
// the signed source webhooks; and core banking's withholding run collects
// the installments the generated borrowers pay. All of it over HTTP on
// loopback against the server the console is then served from, so what
// the console shows came in through the same doors as in production.
type demoWorld struct {
	s     *store.DB
	seed  uint64
	clock *atomic.Int64 // the book's wall clock while the days are lived through (Unix ns); 0 is the real one
	chans *chansim.Sim
	disp  *outbox.Dispatcher
	push  *srcsim.Pusher
	core  context.Context // core banking: its withholding files, its view of arrears
	stop  []func()
	stats demoStats
}

// demoStats counts what the days lived through brought in.
type demoStats struct {
	Days, Payments, Records, Messages int
}

// demoChannels and demoSources are the simulated channels and sources the
// demo wires up.
var (
	demoChannels = []string{channel.SMS, channel.AIVoice}
	demoSources  = []string{signal.Bureau, signal.Court}
)

// newDemoWorld starts the channel simulator on loopback and wires the
// server base (which serves srv) to it and to the simulated sources, with
// secrets of its own; the admin in ctx issues the simulator's API token.
func newDemoWorld(ctx context.Context, s *store.DB, srv *web.Server, base string, seed uint64, clock *atomic.Int64) (*demoWorld, error) {
	w := &demoWorld{s: s, seed: seed, clock: clock}
	core, err := auth.Import("core-banking")
	if err != nil {
		return nil, err
	}
	w.core = auth.NewContext(ctx, core)
	chanSecrets, srcSecrets := map[string][]byte{}, map[string][]byte{}
	for _, c := range demoChannels {
		chanSecrets[c] = newSecret()
	}
	for _, src := range demoSources {
		srcSecrets[src] = newSecret()
	}
	srv.API.ChannelSecret = secretsOr(chanSecrets, api.EnvChannelSecret)
	srv.API.WebhookSecret = secretsOr(srcSecrets, api.EnvSecrets)
	token, _, err := s.IssueToken(ctx, "demo-channel-simulator", []auth.Role{auth.Integration}, auth.Scope{All: true}, time.Now().Add(30*24*time.Hour))
	if err != nil {
		return nil, err
	}
	w.chans, err = chansim.New(chansim.Config{Seed: seed, Secrets: chanSecrets, Callback: base, API: base, Token: token, MaxDelay: -1})
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.chans.Close()
		return nil, err
	}
	hs := &http.Server{Handler: w.chans.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(l)
	w.stop = append(w.stop, func() { hs.Close(); w.chans.Close() })
	senders := map[string]outbox.Sender{}
	for c, sec := range chanSecrets {
		senders[c] = &channel.Webhook{URL: "http://" + l.Addr().String() + "/" + c, Secret: sec}
	}
	w.disp = &outbox.Dispatcher{Store: s.Outbox(), Senders: senders, Gate: s.ContactGate(), Now: s.Now}
	w.push = &srcsim.Pusher{URL: base + "/api/v1/sources/{source}/records", Secrets: srcSecrets}
	return w, nil
}

// Close stops the channel simulator.
func (w *demoWorld) Close() {
	for _, f := range w.stop {
		f()
	}
}

func newSecret() []byte {
	var b [24]byte
	rand.Read(b[:])
	return []byte(hex.EncodeToString(b[:]))
}

// secretsOr looks a name up in m, then in the environment (next).
func secretsOr(m map[string][]byte, next func(string) []byte) func(string) []byte {
	return func(name string) []byte {
		if v := m[name]; v != nil {
			return v
		}
		return next(name)
	}
}

// at sets the book's clock to hour o'clock on d, Beijing time.
func (w *demoWorld) at(d civil.Date, hour int) {
	y, m, day := d.YMD()
	w.clock.Store(time.Date(y, m, day, hour, 0, 0, 0, chinaTime).UnixNano())
}

var chinaTime = time.FixedZone("CST", 8*3600)

// live lives through the days after the book's business date up to last,
// one by one: the close of business that opens the day, shown by progress
// as it goes, then the day's messages, answers, payments and source
// records. The first close is full, scoring every loan, when scoring is
// set: the behaviour model has just been trained. The last day's work is
// done on the real clock (a demo run at night sends nothing until the
// morning, as the compliance guard says).
func (w *demoWorld) live(ctx context.Context, last civil.Date, scoring bool, progress func(civil.Date, int64, int64)) ([]eod.Summary, error) {
	from, err := w.s.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	runner := &eod.Runner{Store: w.s, Progress: progress}
	var sums []eod.Summary
	for d := from.AddDays(1); !d.After(last); d = d.AddDays(1) {
		w.at(d, 1)
		s, err := runner.Close(auth.NewContext(ctx, auth.EOD()), d, scoring && d == from.AddDays(1))
		if err != nil {
			return nil, fmt.Errorf("close of business for %v: %w", d, err)
		}
		sums = append(sums, s...)
		w.stats.Days++
		w.at(d, 10)
		if d == last {
			w.clock.Store(0)
		}
		if err := w.day(ctx, d); err != nil {
			return nil, err
		}
	}
	w.clock.Store(0)
	return sums, nil
}

// day is business day d after its close: the reminders the close made go
// out and are answered, promised money arrives, the court and the bureau
// report on the borrowers in arrears, and the withholding run collects the
// installments due — every value date d.
func (w *demoWorld) day(ctx context.Context, d civil.Date) error {
	sent, err := w.disp.RunOnce(ctx)
	if err != nil {
		return fmt.Errorf("the outbox on %v: %w", d, err)
	}
	w.stats.Messages += sent.Sent
	if err := w.chans.Flush(ctx, d); err != nil {
		return err
	}
	late, err := w.s.PastDueLoans(w.core)
	if err != nil {
		return err
	}
	arrears := make([]srcsim.Arrears, len(late))
	for i, l := range late {
		arrears[i] = srcsim.Arrears{LoanRef: l.LoanRef, BorrowerRef: l.BorrowerRef, BorrowerID: l.BorrowerID, DPD: l.DPD, Outstanding: l.Outstanding}
	}
	if recs := srcsim.Daily(w.seed, d, arrears); len(recs) > 0 {
		res, err := w.push.Push(ctx, srcsim.FeedOf(recs))
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Error != "" {
				return fmt.Errorf("pushing the %s records of %v: %s", r.Source, d, r.Error)
			}
			w.stats.Records += r.Records
		}
	}
	return w.withhold(ctx, d)
}

// withhold posts core banking's withholding run of day d.
func (w *demoWorld) withhold(ctx context.Context, d civil.Date) error {
	run, err := withhold(w.core, w.s, w.seed, d, "")
	w.stats.Payments += run.Posted
	return err
}
