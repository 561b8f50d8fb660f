package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/source/sim"
	"daihou/synth"
)

const simUsage = `Usage:
  daihou sim sources [--addr HOST:PORT] [--seed S] [--loans N] [--months M] [--until DATE]
                     [--push URL [--secret-file PATH]] [--json]
  daihou sim channels --api URL --token-file PATH [--callback URL] [--addr HOST:PORT]
                      [--seed S] [--secret-file PATH] [--json]
  daihou sim withholding [--date DATE] [--seed S] [--db PATH] [--json]

Simulators of the world around the book, for demos and tests. 'sim sources'
serves every data source's records of the portfolio 'daihou gen' generates
with the same --seed, --loans, --months and --until. 'sim channels' answers
daihou's SMS, AI-voice, email and dialer messages as that portfolio's
borrowers would, and repays what they promise. 'sim withholding' posts core
banking's withholding run of a day: the installments due that the
portfolio's borrowers pay.`

func (m *Main) runSim(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, simUsage, "sim sources, sim channels or sim withholding", verbs{"sources": m.simSources, "channels": m.simChannels, "withholding": m.simWithholding})
}

func (m *Main) simSources(ctx context.Context, args []string) error {
	fs := m.newFlagSet("sim sources [--addr HOST:PORT] [--seed S] [--loans N] [--months M] [--until DATE] [--push URL] [--json]",
		`Serve realistic records of every data source (数据源模拟器) — credit bureau, court,
household registration, social security, utilities, bank statements, tax,
business registration, e-commerce, transport and a custom feed — for the
portfolio 'daihou gen' generates with the same --seed, --loans, --months and
--until, over HTTP on loopback until interrupted:

  GET /sources                               the sources and their record counts
  GET /sources/{name}/records?cursor=C&limit=N

A page is JSON Lines in date order, {"id":…,"borrower":…,"date":…, fields…},
and the header X-Next-Cursor is the cursor after it (equal to C: nothing
newer). This is the pull protocol daihou's pull adapter speaks.

With --push URL the records are also pushed to a webhook, source by source
in date order: POST URL/{source} (or URL with {source} in it replaced, as
daihou serve's http://HOST/api/v1/sources/{source}/records), a JSON Lines
body of --push-batch records with X-Daihou-Timestamp (unix
seconds) and X-Daihou-Signature: sha256=<hex HMAC-SHA256 of timestamp "."
body> under the source's secret. A source's secret comes from --secret-file
(lines "source=secret", "*=secret" for the rest), else from
$DAIHOU_WEBHOOK_SECRET_<SOURCE> (e.g. DAIHOU_WEBHOOK_SECRET_BUREAU); sources
without one are not pushed.

Example: daihou gen --loans 10000 --seed 7 --until 2026-06-30 --db bank.db
         daihou sim sources --loans 10000 --seed 7 --until 2026-06-30 --addr 127.0.0.1:8089`)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one; keep it on loopback)")
	loans := fs.Int("loans", 100000, "number of loans, as daihou gen's --loans")
	months := fs.Int("months", 12, "months of history, as daihou gen's --months")
	seed := fs.Uint64("seed", 1, "random seed, as daihou gen's --seed")
	until := fs.String("until", "", "last day of history, as daihou gen's --until (default today)")
	push := fs.String("push", "", "also push every record to this webhook: POST URL/{source}, or URL with {source} replaced")
	secretFile := fs.String("secret-file", "", `webhook secrets, one "source=secret" a line ("*=secret" for every other source)`)
	batch := fs.Int("push-batch", sim.DefaultLimit, "records a webhook POST")
	asJSON := fs.Bool("json", false, "print what is served (and, with --push, what was pushed) as JSON lines")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("sim sources takes no arguments")
	}
	cfg := synth.Config{Seed: *seed, Loans: *loans, Months: *months, Until: civil.FromTime(now())}
	if *until != "" {
		d, err := civil.Parse(*until)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "--until: %v", err)
		}
		cfg.Until = d
	}
	if err := cfg.Validate(); err != nil {
		return daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	var pusher *sim.Pusher
	if *push != "" {
		var file map[string][]byte
		if *secretFile != "" {
			text, err := os.ReadFile(*secretFile)
			if err != nil {
				return usagef("--secret-file: %v", err)
			}
			if file, err = sim.ParseSecrets(string(text)); err != nil {
				return daihou.Errorf(daihou.EINVALID, "--secret-file %s: %v", *secretFile, err)
			}
		}
		secrets := sim.Secrets(file, m.Getenv)
		if len(secrets) == 0 {
			return usagef("--push needs a secret: --secret-file, or $%s and the like", sim.SecretEnv("bureau"))
		}
		pusher = &sim.Pusher{URL: *push, Secrets: secrets, Batch: *batch}
	} else if *secretFile != "" {
		return usagef("--secret-file is for --push")
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("--addr %s: %v", *addr, err)
	}
	defer l.Close()

	began := time.Now()
	if isTerminal(m.Stderr) {
		fmt.Fprintf(m.Stderr, "generating the records of %s loans …", group(int64(cfg.Loans)))
	}
	feed, err := sim.Build(ctx, cfg)
	if isTerminal(m.Stderr) {
		fmt.Fprint(m.Stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	base := "http://" + l.Addr().String()
	listing := feed.Listing(base)
	total := 0
	for _, s := range listing.Sources {
		total += s.Records
	}
	if *asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(struct {
			URL string `json:"url"`
			sim.Listing
			Records int     `json:"records"`
			Seconds float64 `json:"seconds"`
		}{base, listing, total, time.Since(began).Seconds()}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(m.Stdout, "daihou sim serving %s records of %d sources on %s\n", group(int64(total)), len(listing.Sources), base)
		fmt.Fprintf(m.Stdout, "Portfolio: seed %d, %s loans, %d months to %v (as daihou gen --seed %d --loans %d --months %d --until %v); built in %.1fs\n",
			cfg.Seed, group(int64(cfg.Loans)), cfg.Months, cfg.Until, cfg.Seed, cfg.Loans, cfg.Months, cfg.Until, time.Since(began).Seconds())
		fmt.Fprintf(m.Stdout, "\n  %-10s %10s  %s\n", "source", "records", "pull")
		for _, s := range listing.Sources {
			fmt.Fprintf(m.Stdout, "  %-10s %10s  GET %s?cursor=&limit=%d\n", s.Name, group(int64(s.Records)), s.URL, sim.DefaultLimit)
		}
	}

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	pushed := make(chan struct{})
	if pusher == nil {
		close(pushed)
	} else {
		go func() {
			defer close(pushed)
			res, err := pusher.Push(ctx, feed)
			if err != nil {
				return // interrupted: the server is stopping too
			}
			if *asJSON {
				json.NewEncoder(m.Stdout).Encode(struct {
					Push   string       `json:"push"`
					Pushed []sim.Pushed `json:"pushed"`
				}{*push, res})
				return
			}
			for _, r := range res {
				if r.Error != "" {
					fmt.Fprintf(m.Stdout, "push %s: %s records in %d posts, then stopped: %s\n", r.Source, group(int64(r.Records)), r.Posts, r.Error)
				} else {
					fmt.Fprintf(m.Stdout, "push %s: %s records in %d posts (%d retries) to %s/%s\n", r.Source, group(int64(r.Records)), r.Posts, r.Retries, *push, r.Source)
				}
			}
		}()
	}
	err = feed.Serve(ctx, l, 5*time.Second)
	stop()
	<-pushed
	return err
}
