package sim_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"daihou/civil"
	"daihou/signal"
	"daihou/source/pull"
	"daihou/source/sim"
	"daihou/synth"
)

var cfg = synth.Config{Seed: 9, Loans: 600, Months: 12, Until: civil.MustParse("2026-06-15")}

var (
	feedOnce sync.Once
	feed     *sim.Feed
	feedErr  error
)

func mustFeed(t *testing.T) *sim.Feed {
	t.Helper()
	feedOnce.Do(func() { feed, feedErr = sim.Build(context.Background(), cfg) })
	if feedErr != nil {
		t.Fatal(feedErr)
	}
	return feed
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// want returns what synth generates for the portfolio, by source: each
// record's JSON line, keyed by id.
func want(t *testing.T) map[string]map[string]signal.Record {
	t.Helper()
	out := map[string]map[string]signal.Record{}
	err := synth.SignalRecords(context.Background(), cfg, cfg.First(), cfg.Until, func(r *signal.Record) error {
		if out[r.Source] == nil {
			out[r.Source] = map[string]signal.Record{}
		}
		out[r.Source][r.ID] = *r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// parse reads a JSON Lines body into records of source, checking each
// line is an object of strings with id, borrower and date.
func parse(t *testing.T, source string, body []byte) []signal.Record {
	t.Helper()
	var out []signal.Record
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var m map[string]string
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s line %q: %v", source, sc.Text(), err)
		}
		d, err := civil.Parse(m["date"])
		if err != nil || m["id"] == "" || m["borrower"] == "" {
			t.Fatalf("%s line %q: want id, borrower and date", source, sc.Text())
		}
		r := signal.Record{Source: source, ID: m["id"], Borrower: m["borrower"], Date: d, Fields: map[string]string{}}
		for k, v := range m {
			if k != "id" && k != "borrower" && k != "date" {
				r.Fields[k] = v
			}
		}
		out = append(out, r)
	}
	return out
}

type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memCursors) Cursor(_ context.Context, s string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[s], nil
}

func (c *memCursors) SaveCursor(_ context.Context, s, cur string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[s] = cur
	return nil
}

// The simulator serves every source's records — exactly those synth
// generates for the portfolio, each once, in date order — to the pull
// adapter over real HTTP, and its borrowers are the portfolio's.
func TestServesEverySourceByThePullProtocol(t *testing.T) {
	f := mustFeed(t)
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	expected := want(t)

	borrowers := map[string]bool{}
	if _, err := synth.Generate(context.Background(), cfg, synth.Options{}, func(b *synth.Batch) error {
		for _, bw := range b.Borrowers {
			borrowers[bw.ExternalID] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	cursors := &memCursors{m: map[string]string{}}
	got := map[string][]signal.Record{}
	sink := func(_ context.Context, source string, body []byte) error {
		got[source] = append(got[source], parse(t, source, body)...)
		return nil
	}
	for _, s := range sim.Sources {
		c, err := pull.New(pull.Config{Source: s, Endpoint: srv.URL + "/sources/" + s + "/records", Limit: 97, Rate: rate.Inf, Cursors: cursors, Sink: sink})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Once(ctxFor(t)); err != nil {
			t.Fatal(err)
		}
		rs := got[s]
		if len(rs) == 0 || len(rs) != len(expected[s]) || len(rs) != f.Len(s) {
			t.Fatalf("%s: pulled %d records, synth generated %d, the feed holds %d", s, len(rs), len(expected[s]), f.Len(s))
		}
		for k, r := range rs {
			w, ok := expected[s][r.ID]
			if !ok || w.Borrower != r.Borrower || w.Date != r.Date || fmt.Sprint(w.Fields) != fmt.Sprint(r.Fields) {
				t.Fatalf("%s record %s: served %+v, generated %+v", s, r.ID, r, w)
			}
			delete(expected[s], r.ID) // so a second delivery fails above
			if k > 0 && (r.Date.Before(rs[k-1].Date) || r.Date == rs[k-1].Date && r.ID <= rs[k-1].ID) {
				t.Fatalf("%s: %s (%v) after %s (%v): not in date order", s, r.ID, r.Date, rs[k-1].ID, rs[k-1].Date)
			}
			if !borrowers[r.Borrower] {
				t.Fatalf("%s record %s is about %s, not a borrower of the portfolio", s, r.ID, r.Borrower)
			}
		}
		if cursors.m[s] != strconv.Itoa(len(rs)) {
			t.Errorf("%s: cursor %q after %d records", s, cursors.m[s], len(rs))
		}
	}
}

func TestProtocolAnswers(t *testing.T) {
	f := mustFeed(t)
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	n := f.Len(signal.Bureau)
	for _, c := range []struct {
		name, query string
		status      int
		next        string
		lines       int
	}{
		{"start", "?limit=10", 200, "10", 10},
		{"no limit", "", 200, strconv.Itoa(min(n, sim.DefaultLimit)), min(n, sim.DefaultLimit)},
		{"after a cursor", "?cursor=10&limit=5", 200, "15", 5},
		{"last page", "?cursor=" + strconv.Itoa(n-3) + "&limit=10", 200, strconv.Itoa(n), 3},
		{"caught up", "?cursor=" + strconv.Itoa(n) + "&limit=10", 200, strconv.Itoa(n), 0},
		{"cursor beyond", "?cursor=" + strconv.Itoa(n+1), 400, "", 0},
		{"cursor not ours", "?cursor=abc", 400, "", 0},
		{"bad limit", "?limit=-1", 400, "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/sources/bureau/records" + c.query)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if c.status != 200 {
				return
			}
			if got := resp.Header.Get("X-Next-Cursor"); got != c.next {
				t.Errorf("X-Next-Cursor %q, want %q", got, c.next)
			}
			if got := bytes.Count(body, []byte("\n")); got != c.lines {
				t.Errorf("%d lines, want %d", got, c.lines)
			}
		})
	}
	resp, err := http.Get(srv.URL + "/sources/nonsense/records")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown source: status %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/sources")
	if err != nil {
		t.Fatal(err)
	}
	var l sim.Listing
	json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	if len(l.Sources) != len(sim.Sources) || l.Seed != cfg.Seed || l.Loans != cfg.Loans || l.Until != cfg.Until {
		t.Errorf("listing %+v", l)
	}
}

// The contract of the webhook, from its definition: hex HMAC-SHA256 of
// timestamp "." body under the source's secret.
func TestSign(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"id":"1"}`+"\n")
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, "1767225600."+string(body))
	if got, want := sim.Sign(secret, 1767225600, body), "sha256="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if sim.Sign(secret, 1767225601, body) == sim.Sign(secret, 1767225600, body) {
		t.Error("the timestamp is not signed")
	}
}

// hook is a webhook receiver on loopback that checks every delivery's
// signature and timestamp the way daihou's webhook must, and fails the
// first POST of each source once.
type hook struct {
	t       *testing.T
	secrets map[string][]byte
	now     time.Time

	mu     sync.Mutex
	got    map[string][]signal.Record
	posts  map[string]int
	failed map[string]bool
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	source := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/hooks/"), "/records")
	body, _ := io.ReadAll(r.Body)
	ts, err := strconv.ParseInt(r.Header.Get("X-Daihou-Timestamp"), 10, 64)
	secret := h.secrets[source]
	if err != nil || secret == nil || r.Method != http.MethodPost {
		http.Error(w, "no", http.StatusBadRequest)
		return
	}
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	if !hmac.Equal([]byte(r.Header.Get("X-Daihou-Signature")), []byte("sha256="+hex.EncodeToString(m.Sum(nil)))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if d := time.Unix(ts, 0).Sub(h.now); d < -time.Minute || d > time.Minute {
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failed[source] {
		h.failed[source] = true
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	h.posts[source]++
	h.got[source] = append(h.got[source], parse(h.t, source, body)...)
	w.WriteHeader(http.StatusAccepted)
}

// The simulator pushes every record of each source that has a secret,
// signed, once each despite a failed POST, and none of the others.
func TestPushesSignedRecords(t *testing.T) {
	f := mustFeed(t)
	now := time.Date(2026, 6, 16, 8, 0, 0, 0, time.UTC)
	secrets := map[string][]byte{signal.Bureau: []byte("b-secret"), signal.Social: []byte("s-secret"), signal.Court: []byte("c-secret")}
	h := &hook{t: t, secrets: secrets, now: now, got: map[string][]signal.Record{}, posts: map[string]int{}, failed: map[string]bool{}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	var waits []time.Duration
	p := &sim.Pusher{URL: srv.URL + "/hooks/", Secrets: secrets, Batch: 200, Now: func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	res, err := p.Push(ctxFor(t), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("pushed %d sources, want the 3 with secrets: %+v", len(res), res)
	}
	for _, r := range res {
		n := f.Len(r.Source)
		if r.Error != "" || r.Records != n || r.Retries != 1 || r.Posts != (n+199)/200 {
			t.Errorf("%s: %+v, want %d records in %d posts after one retry", r.Source, r, n, (n+199)/200)
		}
		seen := map[string]bool{}
		for _, rec := range h.got[r.Source] {
			if seen[rec.ID] {
				t.Fatalf("%s record %s delivered twice", r.Source, rec.ID)
			}
			seen[rec.ID] = true
		}
		if len(seen) != n {
			t.Errorf("%s: the hook stored %d records, want %d", r.Source, len(seen), n)
		}
	}
	if len(waits) != 3 {
		t.Errorf("waited %v, want one back-off a source", waits)
	}

	// A webhook that refuses the signature stops that source with the reason.
	bad := &sim.Pusher{URL: srv.URL + "/hooks/{source}/records", Secrets: map[string][]byte{signal.Bureau: []byte("wrong")}, Now: func() time.Time { return now }}
	res, err = bad.Push(ctxFor(t), f)
	if err != nil || len(res) != 1 || !strings.Contains(res[0].Error, "status 401") {
		t.Errorf("wrong secret: %+v %v", res, err)
	}
}

func TestSecrets(t *testing.T) {
	file, err := sim.ParseSecrets("# secrets\nbureau = b1\n\n*=all\n")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DAIHOU_WEBHOOK_SECRET_BUREAU": "env-b", "DAIHOU_WEBHOOK_SECRET_COURT": "env-c"}
	got := sim.Secrets(file, func(k string) string { return env[k] })
	if string(got["bureau"]) != "b1" || string(got["court"]) != "env-c" || string(got["tax"]) != "all" || len(got) != len(sim.Sources) {
		t.Errorf("secrets %q", got)
	}
	if got := sim.Secrets(nil, func(k string) string { return env[k] }); len(got) != 2 {
		t.Errorf("from the environment alone: %q", got)
	}
	for _, bad := range []string{"bureau", "bureau=", "nonsense=x", "bureau=a\nbureau=b"} {
		if _, err := sim.ParseSecrets(bad); err == nil {
			t.Errorf("ParseSecrets(%q) accepted", bad)
		}
	}
}

// Serve answers on a real listener and stops when its context ends.
func TestServeStops(t *testing.T) {
	f := mustFeed(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Serve(ctx, l, time.Second) }()
	resp, err := http.Get("http://" + l.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
}
