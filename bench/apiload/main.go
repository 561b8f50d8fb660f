// Command apiload measures payment posting through daihou's JSON API: it
// samples active loans from GET /api/v1/loans, then posts repayments to
// them at a fixed rate for a fixed time with vegeta's attacker — each with
// its own Idempotency-Key — and prints the latency quantiles, computed
// exactly from every response, and the answers by status.
//
//	apiload --url http://127.0.0.1:8080 --token dht_… --rate 500 --duration 60s
//
// With --webhook SOURCE it posts signed records to that source's webhook
// instead — one bureau report per request for a borrower drawn from the
// first --borrowers of a generated book (BR0000000001 …) — measuring
// ingestion, warnings on arrival included:
//
//	apiload --webhook bureau --secret S --borrowers 500000 --rate 500
//
// It talks to loopback only: the rate and the duration are bounded so a
// mistake cannot turn it into a flood.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"daihou/source"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server, on loopback")
	token := flag.String("token", os.Getenv("DAIHOU_TOKEN"), "an API token that may post repayments (default $DAIHOU_TOKEN)")
	rate := flag.Int("rate", 500, "requests per second (1 to 5000)")
	duration := flag.Duration("duration", 60*time.Second, "how long to post (at most 10m)")
	sample := flag.Int("sample", 20000, "how many active loans to spread the payments over")
	amount := flag.String("amount", "1.00", "each repayment's amount, in yuan")
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the loan choice and the references")
	webhook := flag.String("webhook", "", "post signed records to this source's webhook instead of repayments (bureau)")
	secret := flag.String("secret", os.Getenv("DAIHOU_WEBHOOK_SECRET_BUREAU"), "the webhook's secret (default $DAIHOU_WEBHOOK_SECRET_BUREAU)")
	borrowers := flag.Int("borrowers", 100000, "webhook: draw borrowers from BR0000000001 to this")
	date := flag.String("date", "2026-06-14", "webhook: the records' date")
	flag.Parse()
	hook = webhookConfig{source: *webhook, secret: []byte(*secret), borrowers: *borrowers, date: *date}
	if err := run(*base, *token, *rate, *duration, *sample, *amount, *asJSON, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

// Figures are what one run measured.
type Figures struct {
	Rate     int            `json:"rate"`
	Duration string         `json:"duration"`
	Requests int            `json:"requests"`
	Loans    int            `json:"loans"`
	Status   map[string]int `json:"status"`
	P50ms    float64        `json:"p50_ms"`
	P90ms    float64        `json:"p90_ms"`
	P99ms    float64        `json:"p99_ms"`
	MaxMs    float64        `json:"max_ms"`
	Achieved float64        `json:"achieved_rps"`
}

func run(base, token string, rate int, duration time.Duration, sample int, amount string, asJSON bool, seed uint64) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--url %s: apiload talks to loopback only (127.0.0.1, ::1, localhost)", base)
	}
	if rate < 1 || rate > 5000 || duration <= 0 || duration > 10*time.Minute {
		return fmt.Errorf("want --rate 1..5000 and --duration up to 10m")
	}
	var loans []int64
	if hook.source != "" {
		if len(hook.secret) == 0 || hook.borrowers < 1 {
			return fmt.Errorf("--webhook: want --secret and --borrowers ≥ 1")
		}
	} else {
		if token == "" {
			return fmt.Errorf("want --token (or $DAIHOU_TOKEN): create one with 'daihou token add bench --role integration'")
		}
		if loans, err = activeLoans(base, token, sample); err != nil {
			return err
		}
		if len(loans) == 0 {
			return fmt.Errorf("the book has no active loans to pay")
		}
	}
	hdr := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	r := rand.New(rand.NewPCG(seed, 1))
	run := strconv.FormatUint(seed, 36)
	var n atomic.Int64
	var mu sync.Mutex // vegeta's workers ask for targets concurrently
	targeter := func(t *vegeta.Target) error {
		i := n.Add(1)
		if hook.source != "" {
			mu.Lock()
			b, inq := 1+r.IntN(hook.borrowers), r.IntN(4)
			mu.Unlock()
			body := []byte(fmt.Sprintf(`{"id":"apiload-%s-%d","borrower":"BR%010d","date":%q,"inquiries":"%d","open_loans":"2","balance":"30000.00","overdue_accounts":"0","overdue_amount":"0"}`+"\n", run, i, b, hook.date, inq))
			ts := time.Now().Unix()
			t.Method = http.MethodPost
			t.URL = base + "/api/v1/sources/" + hook.source + "/records"
			t.Header = http.Header{"Content-Type": {"application/x-ndjson"}, "X-Daihou-Timestamp": {strconv.FormatInt(ts, 10)}, "X-Daihou-Signature": {source.Sign(hook.secret, ts, body)}}
			t.Body = body
			return nil
		}
		mu.Lock()
		loan := loans[r.IntN(len(loans))]
		mu.Unlock()
		t.Method = http.MethodPost
		t.URL = fmt.Sprintf("%s/api/v1/loans/%d/payments", base, loan)
		t.Header = hdr.Clone()
		t.Header.Set("Idempotency-Key", fmt.Sprintf("apiload-%s-%d", run, i))
		t.Body = []byte(fmt.Sprintf(`{"amount":%q,"channel":"apiload"}`, amount))
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true), vegeta.Connections(64), vegeta.MaxWorkers(256))
	var lat []time.Duration
	status := map[string]int{}
	began := time.Now()
	for res := range atk.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, duration, "payments") {
		lat = append(lat, res.Latency)
		k := strconv.Itoa(int(res.Code))
		if res.Error != "" && res.Code == 0 {
			k = "error"
		}
		status[k]++
	}
	took := time.Since(began)
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	f := Figures{Rate: rate, Duration: duration.String(), Requests: len(lat), Loans: len(loans), Status: status,
		P50ms: q(.50), P90ms: q(.90), P99ms: q(.99), MaxMs: q(1), Achieved: float64(len(lat)) / took.Seconds()}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(f)
	}
	if hook.source != "" {
		fmt.Printf("%d %s records by webhook at %d/s for %s (%.0f/s achieved)\n", f.Requests, hook.source, rate, duration, f.Achieved)
	} else {
		fmt.Printf("%d repayments at %d/s for %s over %d loans (%.0f/s achieved)\n", f.Requests, rate, duration, f.Loans, f.Achieved)
	}
	fmt.Printf("latency  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n", f.P50ms, f.P90ms, f.P99ms, f.MaxMs)
	fmt.Printf("status   %v\n", status)
	return nil
}

// webhookConfig is what a webhook run posts.
type webhookConfig struct {
	source    string
	secret    []byte
	borrowers int
	date      string
}

var hook webhookConfig

// activeLoans pages through the active loans the token sees, up to n.
func activeLoans(base, token string, n int) ([]int64, error) {
	var ids []int64
	cursor := ""
	for len(ids) < n {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/loans?status=active&limit=1000&cursor="+url.QueryEscape(cursor), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("listing loans: %s: %s", res.Status, body)
		}
		var page struct {
			Loans []struct {
				ID int64 `json:"id"`
			} `json:"loans"`
			Next string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		for _, l := range page.Loans {
			ids = append(ids, l.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	return ids[:min(len(ids), n)], nil
}
