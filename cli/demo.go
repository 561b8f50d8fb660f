package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/report"
	"daihou/scoring/portfolio"
	"daihou/servicing"
	"daihou/store"
	"daihou/synth"
	"daihou/web"
)

func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.newFlagSet("demo [--db PATH] [--loans N] [--months M] [--seed S]", `Build a realistic synthetic bank portfolio in an embedded database, close the
current business day on it, and print its figures: borrowers with a latent
risk, consumer, small-business and mortgage loans disbursed over the last two
years, their repayment behaviour (on time, late, missed and cured, partial,
restructured, written off, paid off early), and the resulting buckets,
five-tier classes, IFRS 9 stages, NPL ratio, ECL, roll rates and vintages.

History is generated up to --days before today with its month-end
aggregates and the behaviour model is trained on it; users of every role
are added (their passwords are new each run and printed). Then the last
--days are lived through one by one as a bank's book lives: each night
close of business with warnings, SOP timelines and collection strategies;
each morning the night's reminders go out to the simulated SMS and AI-voice
channels, whose borrowers answer, promise and pay back through the API;
the court and the credit bureau report on borrowers in arrears by the
signed webhooks; and core banking's withholding run collects the
installments the borrowers pay on their due dates. The web console is then served until
Ctrl-C, with the URL and the logins printed. Running it again
rebuilds the demo database; it never touches a database it did not
create.`)
	b := m.bookFlags(fs)
	n := fs.Int("loans", 20000, "number of loans to generate")
	months := fs.Int("months", 24, "months of history")
	days := fs.Int("days", 14, "of the history, the last days lived through day by day: closes, channels, sources, payments (1 to 60)")
	seed := fs.Uint64("seed", 1, "random seed")
	serve := fs.Bool("serve", true, "serve the console when the book is built (--serve=false: build it and stop)")
	addr := fs.String("addr", "127.0.0.1:8080", "address the console listens on (port 0 picks a free one)")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if *days < 1 || *days > 60 {
		return usagef("--days %d: want 1 to 60", *days)
	}
	path := b.db()
	if err := m.resetDemoDB(ctx, path); err != nil {
		return err
	}
	// The console's address is taken before the work: a busy port fails
	// at once, not after the book is built. Without --serve the days are lived
	// through a server on any free loopback port.
	listen := *addr
	if !*serve {
		listen = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return usagef("--addr %s: %v (another daihou serving? pass --addr 127.0.0.1:0 for any free port)", *addr, err)
	}
	defer l.Close()
	began := time.Now()
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	// While the last days are lived through, the book's wall clock is
	// those days' (contact hours, audit times); then the real one.
	var clock atomic.Int64
	s.Now = func() time.Time {
		if v := clock.Load(); v != 0 {
			return time.Unix(0, v)
		}
		return time.Now()
	}
	if store.IsPostgres(path) {
		if err := s.ResetDemo(ctx); err != nil {
			return err
		}
	}
	if err := s.SetSetting(ctx, "demo", "1"); err != nil {
		return err
	}
	today := civil.FromTime(now())
	cfg := synth.Config{Seed: *seed, Loans: *n, Months: *months, Until: today.AddDays(-*days)}
	if err := cfg.Validate(); err != nil {
		return daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	gen, err := m.generate(ctx, s, cfg, 0, true, "generating the demo portfolio")
	if err != nil {
		return m.demoStopped(ctx, path, err)
	}

	// Train the behaviour score on the history — observed a year ago, with
	// six months to show who defaulted, checked out of time on loans
	// observed seven months ago — so that the closes score with it.
	var model *portfolio.Result
	var oot civil.Date
	if *months >= 13 {
		asOf := monthEnd(today.AddMonthsClamped(-13, 1))
		oot = monthEnd(today.AddMonthsClamped(-8, 1))
		if model, err = portfolio.Train(ctx, ledgerStore{s}, portfolio.Options{AsOf: asOf, OOTAsOf: oot, Horizon: 6, Champion: true, Signals: true}); err != nil {
			return m.demoStopped(ctx, path, err)
		}
	}
	// The users come before the closes, which give the collector their
	// queue, and after the training, which the local operator does while
	// the book has no users; the rest is the admin's.
	logins, ctx, err := addDemoUsers(ctx, s)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := web.New(s, logger)
	base := "http://" + l.Addr().String()
	sctx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, l, 5*time.Second) }()
	waitServed := sync.OnceValue(func() error { return <-served })
	defer func() { stopServing(); waitServed() }()
	world, err := newDemoWorld(ctx, s, srv, base, *seed, &clock)
	if err != nil {
		return err
	}
	defer world.Close()
	sums, err := world.live(ctx, today, model != nil, m.eodProgress())
	if err != nil {
		return m.demoStopped(ctx, path, err)
	}
	r, err := report.Read(ctx, s, today)
	if err != nil {
		return err
	}
	var touched int64
	for _, x := range sums {
		touched += x.Touched
	}
	fmt.Fprintf(m.Stdout, "daihou demo — %s\n", path)
	fmt.Fprintf(m.Stdout, "%s loans of %s borrowers with %s transactions over %d months (history aggregates for %d month ends), generated in %.1fs;\n",
		group(gen.Loans), group(gen.Borrowers), group(gen.Transactions), cfg.Months, gen.MonthEnds, gen.Seconds)
	if model != nil {
		fmt.Fprintf(m.Stdout, "behaviour scorecard (model %d) trained on %s loans observed %v: AUC %.3f, out of time %.3f on %s loans observed %v;\n",
			model.Model.ID, group(int64(model.Report.Rows)), model.Model.AsOf, model.Report.Train.AUC, model.OOT.AUC, group(int64(model.OOT.Rows)), oot)
	}
	st := world.stats
	fmt.Fprintf(m.Stdout, "the last %d days lived through, each with its close of business (%s loans re-derived), %s withheld installments, %s messages to the simulated channels, %s court and bureau records by webhook;\n",
		st.Days, group(touched), group(int64(st.Payments)), group(int64(st.Messages)), group(int64(st.Records)))
	fmt.Fprintf(m.Stdout, "built in %.1fs\n\n", time.Since(began).Seconds())
	printReport(m.Stdout, r)
	if ref := worstLoan(ctx, s); ref != "" {
		fmt.Fprintf(m.Stdout, "\nLook at a loan:   daihou loan show %s --db %s\n", ref, path)
	}
	fmt.Fprintf(m.Stdout, "Close the next day: daihou eod --db %s    Figures: daihou report --db %s\n", path, path)
	fmt.Fprintf(m.Stdout, "Loan calculator:  daihou schedule --principal 1000000 --rate 0.049 --term 360\n")
	if !*serve {
		fmt.Fprintf(m.Stdout, "The console:      daihou serve --db %s   (logins:", path)
		for _, l := range logins {
			fmt.Fprintf(m.Stdout, " %s/%s", l.Name, l.Password)
		}
		fmt.Fprintln(m.Stdout, ")")
		return nil
	}
	printLogins(m.Stdout, base, logins)
	return waitServed()
}

// demoStopped says what an interrupted demo leaves: a database that the
// next run replaces. Any other error is returned as it is.
func (m *Main) demoStopped(ctx context.Context, path string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return daihou.Errorf(daihou.ECONFLICT, "interrupted; %s is half built: run daihou demo again to build it anew", path)
}

// monthEnd returns the last day of d's month.
func monthEnd(d civil.Date) civil.Date {
	y, m, _ := d.YMD()
	return civil.New(y, m+1, 0)
}

// resetDemoDB removes a previous demo database at path, and refuses to
// touch any other existing database.
func (m *Main) resetDemoDB(ctx context.Context, path string) error {
	if store.IsPostgres(path) {
		return nil // emptied by store.ResetDemo, which refuses a real book
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	s, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	v, err := s.Setting(ctx, "demo")
	s.Close()
	if err != nil {
		return err
	}
	if v != "1" {
		return daihou.Errorf(daihou.ECONFLICT, "%s is not a demo database; pass --db with a new path", path)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	// The demo's key file goes with it: a new demo gets a new key. A key
	// named by $DAIHOU_KEY_FILE is the operator's, and stays.
	if m.Getenv(KeyFileEnv) == "" {
		if err := os.Remove(m.keyFile(path)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// worstLoan returns the loan number of an active loan well into arrears
// but not yet hopeless: an interesting one to look at.
func worstLoan(ctx context.Context, s *store.DB) string {
	recs, err := s.Records(ctx, nil)
	if err != nil {
		return ""
	}
	var best int64
	bestDPD := -1
	for id, r := range recs {
		if r.Status == servicing.StatusActive && r.DPD > bestDPD && r.DPD < 120 || r.DPD == bestDPD && id < best {
			best, bestDPD = id, r.DPD
		}
	}
	if best == 0 {
		return ""
	}
	l, err := s.Loan(ctx, best)
	if err != nil {
		return ""
	}
	return l.ExternalID
}
