package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"daihou"
	"daihou/channel/sim"
	"daihou/money"
)

func (m *Main) simChannels(ctx context.Context, args []string) error {
	fs := m.newFlagSet("sim channels --api URL --token-file PATH [--callback URL] [--addr HOST:PORT] [--seed S] [--secret-file PATH] [--json]",
		`Simulate the automated collection channels (催收渠道模拟器) — the SMS gateway, the
AI-voice platform, email and the dialer — over HTTP on loopback until
interrupted, so that collections run by themselves in demos and tests:

  POST /{channel}   a message from daihou's outbox (sms, ai-voice, email, dialer)
  GET  /stats       what the simulator has done, as JSON

A message must be signed as daihou signs its webhooks (X-Daihou-Timestamp,
X-Daihou-Signature under the channel's secret) and is acted on once per
Idempotency-Key. Its result — delivered or failed; a call answered or not,
by whom, and its outcome: promise to pay, refused, hardship, dispute,
complaint — goes back a moment later to the --callback, signed under the
same secret, retried while daihou answers 5xx. Outcomes follow the risk of
each borrower of the portfolio 'daihou gen --seed S' generated. A borrower
who keeps a promise, or pays after a reminder, repays through the --api with
a value date no later than the latest business date of the messages.

A channel's secret comes from --secret-file (lines "channel=secret",
"*=secret" for the rest), else from $DAIHOU_CHANNEL_SECRET_<CHANNEL> (e.g.
DAIHOU_CHANNEL_SECRET_AI_VOICE); channels without one are not served. Give
daihou serve the same secrets and the channel URLs printed at start-up.

Example: daihou token add channel-sim --role integration > sim.token
         daihou sim channels --seed 7 --addr 127.0.0.1:8090 --api http://127.0.0.1:8080 --token-file sim.token`)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free one; keep it on loopback)")
	callback := fs.String("callback", "", "where results go: http://HOST/api/v1/channels/{channel}/results, {channel} replaced (default that under --api)")
	api := fs.String("api", "", "daihou's base URL, http://HOST, whose POST /api/v1/loans/{id}/payments takes the borrowers' repayments")
	tokenFile := fs.String("token-file", "", "file holding the API token repayments are posted with (default $DAIHOU_TOKEN)")
	seed := fs.Uint64("seed", 1, "random seed, as daihou gen's --seed: it names the borrowers and seeds every outcome")
	secretFile := fs.String("secret-file", "", `channel secrets, one "channel=secret" a line ("*=secret" for every other channel)`)
	maxDelay := fs.Duration("max-delay", 2*time.Second, "longest wait before a result is reported, as a gateway's receipt or a call's end takes a while")
	asJSON := fs.Bool("json", false, "print the channel URLs, and at the end what was done, as JSON lines")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("sim channels takes no arguments")
	}
	if *api == "" {
		return usagef("--api is required: daihou's base URL, e.g. http://127.0.0.1:8080, for the borrowers' repayments")
	}
	if *callback == "" {
		*callback = strings.TrimSuffix(*api, "/") + "/api/v1/channels/{channel}/results"
	}
	token := m.Getenv("DAIHOU_TOKEN")
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return usagef("--token-file: %v", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return usagef("--token-file (or $DAIHOU_TOKEN) is required: an API token that may post repayments ('daihou token add channel-sim --role integration')")
	}
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
		return usagef("no channel has a secret: give --secret-file, or $%s and the like", sim.SecretEnv("sms"))
	}
	var logMu sync.Mutex
	s, err := sim.New(sim.Config{Seed: *seed, Secrets: secrets, Callback: *callback, API: *api, Token: token, MaxDelay: *maxDelay,
		Logf: func(format string, args ...any) {
			logMu.Lock()
			defer logMu.Unlock()
			fmt.Fprintf(m.Stderr, format+"\n", args...)
		}})
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	defer s.Close()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("--addr %s: %v", *addr, err)
	}
	defer l.Close()

	base := "http://" + l.Addr().String()
	type served struct {
		Name string `json:"name"`
		URL  string `json:"url"`
		Env  string `json:"env"` // the variable daihou serve reads the URL from
	}
	var list []served
	for _, c := range s.Channels() {
		list = append(list, served{c, base + "/" + c, sim.URLEnv(c)})
	}
	if *asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(struct {
			URL      string   `json:"url"`
			Seed     uint64   `json:"seed"`
			Callback string   `json:"callback"`
			API      string   `json:"api"`
			Channels []served `json:"channels"`
		}{base, *seed, *callback, *api, list}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(m.Stdout, "daihou sim serving %d channels on %s (seed %d, as daihou gen --seed %d)\n", len(list), base, *seed, *seed)
		fmt.Fprintf(m.Stdout, "Results to %s; repayments to %s/api/v1/loans/{id}/payments\n", *callback, strings.TrimSuffix(*api, "/"))
		fmt.Fprintf(m.Stdout, "\nGive daihou serve these channel URLs (and the same secrets, $%s …):\n", sim.SecretEnv("sms"))
		for _, c := range list {
			fmt.Fprintf(m.Stdout, "  %s=%s\n", c.Env, c.URL)
		}
		if len(list) < 4 {
			fmt.Fprintf(m.Stdout, "Not served, for want of a secret:")
			for _, c := range []string{"sms", "ai-voice", "email", "dialer"} {
				if secrets[c] == nil {
					fmt.Fprintf(m.Stdout, " %s", c)
				}
			}
			fmt.Fprintln(m.Stdout)
		}
	}
	err = s.Serve(ctx, l, 5*time.Second)
	st := s.Stats()
	if *asJSON {
		json.NewEncoder(m.Stdout).Encode(struct {
			Stats sim.Stats `json:"stats"`
		}{st})
	} else {
		var msgs int64
		for _, n := range st.Messages {
			msgs += n
		}
		fmt.Fprintf(m.Stdout, "%s messages (%d duplicates, %d refused); %s results sent, %d given up; %s promises; %s payments posted (%s), %d waiting for their date; contacts cost %s\n",
			group(msgs), st.Duplicates, st.Rejected, group(st.ResultsSent), st.ResultsFailed, group(st.Promises),
			group(st.PaymentsPosted), "¥"+money.Amount(st.Paid).Grouped(), st.PaymentsWaiting, "¥"+money.Amount(st.Cost).Grouped())
	}
	return err
}
