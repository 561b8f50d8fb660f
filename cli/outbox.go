package cli

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/channel"
	"daihou/outbox"
	"daihou/store"
)

const outboxUsage = `Usage:
  daihou outbox run [--once] [--every DURATION] [--json]
  daihou outbox status [--dead N] [--json]
  daihou outbox requeue [--channel C]

The outbox (发件箱) holds the messages to the automated collection channels
— SMS gateway, AI-voice or dialer platform, email — written with the change
that calls for them and sent after it commits. 'run' sends them; 'status'
counts them by channel and state and lists the dead letters; 'requeue' sends
the dead letters again once their cause is fixed.`

func (m *Main) runOutbox(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, outboxUsage, "outbox run, status or requeue", verbs{"run": m.outboxRun, "status": m.outboxStatus, "requeue": m.outboxRequeue})
}

func (m *Main) outboxRequeue(ctx context.Context, args []string) error {
	fs := m.newFlagSet("outbox requeue [--channel C] [--db PATH] [--as USER]",
		`Send the dead letters again, once what killed them is fixed (a wrong secret, a
gateway that refused everything for a while): they are pending again from now
with their attempts counted from zero, each under its idempotency key, so a
channel that did take one acts on it once. 'outbox run' then sends them.`)
	b := m.bookFlags(fs)
	ch := fs.String("channel", "", "only this channel's ("+strings.Join(channel.Names, ", ")+"); default every channel")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("outbox requeue takes no arguments")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.RequeueDead(ctx, *ch)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d dead letters pending again; 'daihou outbox run' sends them\n", n)
	return nil
}

func (m *Main) outboxRun(ctx context.Context, args []string) error {
	fs := m.newFlagSet("outbox run [--once] [--every DURATION] [--timeout DURATION] [--concurrency N] [--max-attempts N] [--db PATH] [--as USER] [--json]",
		`Send the outbox's due messages to their channels as signed webhooks, each
with its Idempotency-Key: a receiver acts on a key once, so a message sent
again (after a crash, or an answer that came too late) changes nothing.
2xx is sent; 408, 429 (after its Retry-After), 5xx, timeouts and failed
connections are tried again after an exponential back-off with full jitter;
any other 4xx, or --max-attempts failures, make the message a dead letter
('daihou outbox status' lists them). Any number of 'outbox run' processes
may share a book: each message is held by one at a time.

A channel is configured by two variables, e.g. for ai-voice:
  DAIHOU_CHANNEL_URL_AI_VOICE     the platform's webhook URL
  DAIHOU_CHANNEL_SECRET_AI_VOICE  the secret deliveries are signed with
Messages of a channel not configured wait for a process that is. Before
each send the compliance guard is asked: a contact it does not allow yet
(quiet hours, the day's limits) waits until it does, without an attempt
counted.

Without --once it keeps sending every --every until interrupted, with a
log line on stderr per round that did something (JSON lines with --json).`)
	b := m.bookFlags(fs)
	once := fs.Bool("once", false, "send what is due now, print what was done and exit")
	every := fs.Duration("every", 5*time.Second, "how often to look for due messages, without --once")
	timeout := fs.Duration("timeout", channel.DefaultTimeout, "longest wait for a channel's answer")
	conc := fs.Int("concurrency", outbox.DefaultConcurrency, "sends at once")
	maxAttempts := fs.Int("max-attempts", outbox.DefaultMaxAttempts, "failed attempts that make a message a dead letter")
	asJSON := fs.Bool("json", false, "print the summary as JSON, and log JSON lines")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("outbox run takes no arguments")
	}
	switch {
	case *every <= 0:
		return daihou.Invalid("every", "--every %v: want a positive duration, e.g. 5s", *every)
	case *timeout <= 0 || *timeout > time.Hour:
		return daihou.Invalid("timeout", "--timeout %v: want more than 0 and at most 1h", *timeout)
	case *conc < 1 || *conc > 256:
		return daihou.Invalid("concurrency", "--concurrency %d: want 1 to 256", *conc)
	case *maxAttempts < 1 || *maxAttempts > 1000:
		return daihou.Invalid("max-attempts", "--max-attempts %d: want 1 to 1000", *maxAttempts)
	}
	senders, err := channel.FromEnv(m.Getenv)
	if err != nil {
		return err
	}
	if len(senders) == 0 {
		return daihou.Errorf(daihou.EINVALID, "no channel is configured: set %s and %s (and likewise for %s)",
			channel.URLEnv(channel.SMS), channel.SecretEnv(channel.SMS), strings.Join(channel.Names[1:], ", "))
	}
	names := make([]string, 0, len(senders))
	for name, s := range senders {
		s.(*channel.Webhook).Timeout = *timeout
		names = append(names, name)
	}
	sort.Strings(names)
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	// Sending is part of running the loop close of business drives.
	if err := can(ctx, auth.RunEOD, auth.Book()); err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(m.Stderr, nil)
	if *asJSON {
		h = slog.NewJSONHandler(m.Stderr, nil)
	}
	logger := slog.New(h).With("component", "outbox")
	// The compliance guard holds a contact the rules do not allow yet
	// (quiet hours, the day's limits) without spending an attempt.
	d := &outbox.Dispatcher{Store: s.Outbox(), Senders: senders, Gate: s.ContactGate(), MaxAttempts: *maxAttempts, Concurrency: *conc,
		// The lease outlasts a send twice over: a slow channel's message is
		// never taken by a second process while the first still waits.
		Lease: max(outbox.DefaultLease, 4**timeout), Logger: logger}
	began := time.Now()
	var st outbox.Stats
	if *once {
		st, err = d.RunOnce(ctx)
	} else {
		logger.Info("outbox dispatching", "channels", strings.Join(names, ","), "every", every.String())
		st, err = d.Run(ctx, *every)
	}
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w (before it: %d sent, %d to be tried again, %d dead-lettered)", err, st.Sent, st.Retried, st.Dead)
	}
	secs := time.Since(began).Seconds()
	if *asJSON {
		if err := writeJSON(m.Stdout, struct {
			outbox.Stats
			Channels []string `json:"channels"`
			Seconds  float64  `json:"seconds"`
		}{st, names, secs}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(m.Stdout, "outbox: %d messages taken, %d sent, %d to be tried again, %d dead-lettered, %d put off, %d dropped as no longer wanted (channels %s; %.1fs)\n",
			st.Claimed, st.Sent, st.Retried, st.Dead, st.Deferred, st.Dropped, strings.Join(names, ", "), secs)
	}
	if st.Dead > 0 {
		return partialError{fmt.Sprintf("%d messages dead-lettered: see 'daihou outbox status'", st.Dead)}
	}
	return nil
}

func (m *Main) outboxStatus(ctx context.Context, args []string) error {
	fs := m.newFlagSet("outbox status [--dead N] [--db PATH] [--as USER] [--json]",
		`Count the outbox's messages by channel and state (pending, sent, dead, dropped),
with when the oldest of each was enqueued, and list the most recent dead
letters with the error that made them so. Payloads are not shown: they
hold personal data.`)
	b := m.bookFlags(fs)
	dead := fs.Int("dead", 20, "dead letters to list, the most recent first (0: none)")
	asJSON := fs.Bool("json", false, "print the counts and dead letters as JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("outbox status takes no arguments")
	}
	if *dead < 0 || *dead > 10000 {
		return daihou.Invalid("dead", "--dead %d: want 0 to 10000", *dead)
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	// Whoever runs the outbox, or reads the book's reports, may see it.
	if err := can(ctx, auth.RunEOD, auth.Book()); err != nil {
		if can(ctx, auth.ReadReport, auth.Book()) != nil {
			return err
		}
	}
	counts, err := s.OutboxStats(ctx)
	if err != nil {
		return err
	}
	letters := []store.DeadLetter{}
	if *dead > 0 {
		if letters, err = s.DeadLetters(ctx, *dead); err != nil {
			return err
		}
	}
	if *asJSON {
		if counts == nil {
			counts = []store.OutboxCount{}
		}
		return writeJSON(m.Stdout, map[string]any{"counts": counts, "dead": letters})
	}
	if len(counts) == 0 {
		fmt.Fprintln(m.Stdout, "The outbox is empty.")
		return nil
	}
	type row struct {
		pending, sent, dead, dropped int64
		oldest                       string
	}
	byChannel := map[string]*row{}
	var chans []string
	for _, c := range counts {
		r := byChannel[c.Channel]
		if r == nil {
			r = &row{}
			byChannel[c.Channel] = r
			chans = append(chans, c.Channel)
		}
		switch c.State {
		case outbox.StatePending:
			r.pending, r.oldest = c.Messages, c.Oldest
		case outbox.StateSent:
			r.sent = c.Messages
		case outbox.StateDead:
			r.dead = c.Messages
		case outbox.StateDropped:
			r.dropped = c.Messages
		}
	}
	w := table(m.Stdout)
	fmt.Fprintln(w, "channel\tpending\tsent\tdead\tdropped\toldest pending\t")
	for _, ch := range chans {
		r := byChannel[ch]
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%s\t\n", ch, r.pending, r.sent, r.dead, r.dropped, orDash(r.oldest))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(letters) > 0 {
		fmt.Fprintf(m.Stdout, "\nDead letters, the most recent first:\n")
		for _, l := range letters {
			fmt.Fprintf(m.Stdout, "  #%d %s %s loan %d, %d attempts, enqueued %s\n    %s\n", l.ID, l.Channel, l.Key, l.LoanID, l.Attempts, l.CreatedAt, l.LastError)
		}
	}
	return nil
}
