package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"daihou/channel"
	"daihou/civil"
	"daihou/money"
	"daihou/synth"
	"daihou/webhook"
)

const testToken = "dh_test_token"

var testSecrets = map[string][]byte{
	channel.SMS: []byte("sms-secret-0123456789"), channel.AIVoice: []byte("voice-secret-0123456789"),
	channel.Email: []byte("email-secret-0123456789"), channel.Dialer: []byte("dialer-secret-0123456789"),
}

// daihou is a fake of daihou serve's side of the channels: the signed
// results callback and the payment API, which refuses a value date after
// its business date as daihou does.
type fakeDaihou struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	business civil.Date
	results  map[string]channel.Result // by key
	posts    map[string]int            // result deliveries by key
	payments map[string]paid           // by Idempotency-Key
	future   []string                  // payments refused for a value date after the business date
	bad      []string                  // anything else wrong with what the simulator sent
	fail     int                       // answer the first fail deliveries of each result key 503
}

type paid struct {
	loan int64
	PaymentBody
}

func newDaihou(t *testing.T) *fakeDaihou {
	d := &fakeDaihou{t: t, results: map[string]channel.Result{}, posts: map[string]int{}, payments: map[string]paid{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/channels/{channel}/results", d.result)
	mux.HandleFunc("POST /api/v1/loans/{id}/payments", d.payment)
	d.srv = httptest.NewServer(mux)
	t.Cleanup(d.srv.Close)
	return d
}

func (d *fakeDaihou) wrong(format string, args ...any) {
	d.mu.Lock()
	d.bad = append(d.bad, fmt.Sprintf(format, args...))
	d.mu.Unlock()
}

func (d *fakeDaihou) result(w http.ResponseWriter, r *http.Request) {
	ch := r.PathValue("channel")
	body, _ := io.ReadAll(r.Body)
	if err := webhook.Verify(testSecrets[ch], r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, time.Now()); err != nil {
		d.wrong("result on %s: %v", ch, err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var res channel.Result
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		d.wrong("result on %s: %v", ch, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if k := r.Header.Get(webhook.IdempotencyHeader); k != res.Key {
		d.wrong("result %s sent with Idempotency-Key %q", res.Key, k)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.posts[res.Key]++
	if d.posts[res.Key] <= d.fail {
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	if _, ok := d.results[res.Key]; ok {
		d.bad = append(d.bad, "result "+res.Key+" taken twice")
	}
	d.results[res.Key] = res
}

func (d *fakeDaihou) payment(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		d.wrong("payment with Authorization %q", r.Header.Get("Authorization"))
		http.Error(w, "who are you", http.StatusUnauthorized)
		return
	}
	key := r.Header.Get(webhook.IdempotencyHeader)
	if key == "" || len(key) > 64 || strings.Contains(key, " ") {
		d.wrong("payment with Idempotency-Key %q", key)
	}
	loan, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var p PaymentBody
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&p)
	a, aerr := money.ParseAmount(p.Amount)
	v, verr := civil.Parse(p.ValueDate)
	if err != nil || aerr != nil || a <= 0 || verr != nil || p.Channel == "" || len(p.Channel) > 32 {
		d.wrong("payment %s: %+v %v", key, p, err)
		http.Error(w, "bad payment", http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v.After(d.business) {
		d.future = append(d.future, fmt.Sprintf("%s valued %v on business date %v", key, v, d.business))
		http.Error(w, "value date is after the business date", http.StatusUnprocessableEntity)
		return
	}
	if _, ok := d.payments[key]; ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	d.payments[key] = paid{loan, p}
	w.WriteHeader(http.StatusCreated)
}

// setBusiness closes the fake's business date on date.
func (d *fakeDaihou) setBusiness(date civil.Date) {
	d.mu.Lock()
	d.business = date
	d.mu.Unlock()
}

func (d *fakeDaihou) check() {
	d.t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, b := range d.bad {
		d.t.Error(b)
	}
	for _, f := range d.future {
		d.t.Errorf("payment after the business date: %s", f)
	}
}

// startSim starts a simulator reporting to d, served over HTTP on loopback.
func startSim(t *testing.T, d *fakeDaihou, seed uint64, edit ...func(*Config)) (*Sim, string) {
	t.Helper()
	cfg := Config{Seed: seed, Secrets: testSecrets, Callback: d.srv.URL + "/api/v1/channels/{channel}/results",
		API: d.srv.URL, Token: testToken, MaxDelay: 3 * time.Millisecond, Logf: t.Logf}
	for _, e := range edit {
		e(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return s, srv.URL
}

// send posts m to the simulator at base, signed under secret, and returns
// the status and body of the answer.
func send(t *testing.T, base string, m channel.Message, secret []byte, ts int64) (int, string) {
	t.Helper()
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return sendBody(t, base+"/"+m.Channel, m.Key, body, secret, ts)
}

func sendBody(t *testing.T, url, key string, body, secret []byte, ts int64) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.IdempotencyHeader, key)
	if secret != nil {
		req.Header.Set(webhook.TimestampHeader, strconv.FormatInt(ts, 10))
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(secret, ts, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// borrowers returns the first n ids of borrowers gen made from seed.
func borrowers(seed uint64, n int) []int64 {
	var out []int64
	for id := int64(1); len(out) < n; id++ {
		if _, ok := synth.BorrowerProfile(seed, id); ok {
			out = append(out, id)
		}
	}
	return out
}

// message returns a message of ch to borrower id on date, its loan the
// borrower's id.
func message(ch string, id int64, n int, date civil.Date) channel.Message {
	to := "138" + fmt.Sprintf("%08d", id)
	if ch == channel.Email {
		to = fmt.Sprintf("br%d@example.cn", id)
	}
	return channel.Message{
		Key: fmt.Sprintf("%s-%d-%d-%v", ch, id, n, date), Channel: ch, TaskID: id*10 + int64(n), LoanID: id, LoanNumber: fmt.Sprintf("LN%010d", id),
		BorrowerID: id, To: to, Name: "王先生", Template: "reminder-soft", Lang: "zh-CN", AmountDue: 123456 + id*100, Currency: "CNY",
		DPD: 1 + int(id*7%60), BusinessDate: date.String(),
	}
}

var day0 = civil.MustParse("2026-06-30")

func TestSimDeliversSignedResults(t *testing.T) {
	d := newDaihou(t)
	d.setBusiness(day0)
	s, base := startSim(t, d, 7)
	ids := borrowers(7, 40)
	for _, ch := range channel.Names {
		for _, id := range ids {
			m := message(ch, id, 0, day0)
			if st, body := send(t, base, m, testSecrets[ch], time.Now().Unix()); st != http.StatusAccepted {
				t.Fatalf("POST /%s: %d %s; want 202", ch, st, body)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	d.check()
	st := s.Stats()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.results) != 4*len(ids) || st.ResultsSent != int64(4*len(ids)) {
		t.Fatalf("%d results taken, %d sent; want %d", len(d.results), st.ResultsSent, 4*len(ids))
	}
	for _, ch := range channel.Names {
		if st.Messages[ch] != int64(len(ids)) {
			t.Errorf("Stats().Messages[%s] = %d; want %d", ch, st.Messages[ch], len(ids))
		}
		for _, id := range ids {
			m := message(ch, id, 0, day0)
			r := d.results[m.Key]
			if r.TaskID != m.TaskID {
				t.Errorf("%s: task %d; want %d", m.Key, r.TaskID, m.TaskID)
			}
			if _, err := time.Parse(time.RFC3339, r.At); err != nil {
				t.Errorf("%s: at %q: %v", m.Key, r.At, err)
			}
			switch {
			case ch == channel.SMS && r.Status == channel.Delivered && r.Cost != CostSMS:
				t.Errorf("%s: a delivered SMS cost %d fen; want %d", m.Key, r.Cost, CostSMS)
			case (ch == channel.SMS || ch == channel.Email) && r.Status != channel.Delivered && r.Status != channel.Failed:
				t.Errorf("%s: status %q", m.Key, r.Status)
			case ch == channel.AIVoice && r.Connected && (r.Cost < CostAIVoice || r.Cost%CostAIVoice != 0 || r.Recording == ""):
				t.Errorf("%s: a connected AI-voice call cost %d fen with recording %q", m.Key, r.Cost, r.Recording)
			case (ch == channel.AIVoice || ch == channel.Dialer) && r.Status != channel.Called && r.Status != channel.Failed:
				t.Errorf("%s: status %q", m.Key, r.Status)
			case ch == channel.Dialer && r.Willingness != -1:
				t.Errorf("%s: a person's call has willingness %d; want -1 (none)", m.Key, r.Willingness)
			}
		}
	}
	var connected int
	for _, r := range d.results {
		if r.Connected {
			connected++
		}
	}
	if connected == 0 {
		t.Error("no call connected")
	}
}

// The same messages to a simulator with the same seed have the same
// results; another seed has others.
func TestSimDeterministic(t *testing.T) {
	run := func(seed uint64) map[string]channel.Result {
		d := newDaihou(t)
		d.setBusiness(day0)
		s, base := startSim(t, d, seed, func(c *Config) { c.Seed = seed })
		for _, id := range borrowers(3, 150) {
			m := message(channel.AIVoice, id, 0, day0)
			if st, body := send(t, base, m, testSecrets[m.Channel], time.Now().Unix()); st != http.StatusAccepted {
				t.Fatalf("%d %s", st, body)
			}
		}
		if err := s.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		d.check()
		return d.results
	}
	a, b, c := run(3), run(3), run(4)
	if len(a) != 150 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("the same seed gave different results:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("another seed gave the same results")
	}
}

func TestSimDuplicateActsOnce(t *testing.T) {
	d := newDaihou(t)
	d.setBusiness(day0)
	s, base := startSim(t, d, 7)
	m := message(channel.AIVoice, borrowers(7, 1)[0], 0, day0)
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = send(t, base, m, testSecrets[m.Channel], time.Now().Unix())
		}()
	}
	wg.Wait()
	var accepted, replayed int
	for _, c := range codes {
		switch c {
		case http.StatusAccepted:
			accepted++
		case http.StatusOK:
			replayed++
		default:
			t.Errorf("status %d", c)
		}
	}
	if accepted != 1 || replayed != 5 {
		t.Errorf("%d accepted and %d answered as duplicates; want 1 and 5", accepted, replayed)
	}
	if err := s.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Once more after the result went out.
	if st, body := send(t, base, m, testSecrets[m.Channel], time.Now().Unix()); st != http.StatusOK || !strings.Contains(body, `"duplicate"`) {
		t.Errorf("a key seen before: %d %s; want 200 duplicate", st, body)
	}
	if err := s.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.check()
	st := s.Stats()
	if st.Messages[channel.AIVoice] != 1 || st.Duplicates != 6 || st.ResultsSent != 1 {
		t.Errorf("Stats() = %+v; want 1 message, 6 duplicates, 1 result", st)
	}
	if d.posts[m.Key] != 1 {
		t.Errorf("the result was posted %d times; want once", d.posts[m.Key])
	}
}

func TestSimRefusesBadSignature(t *testing.T) {
	d := newDaihou(t)
	s, base := startSim(t, d, 7)
	m := message(channel.SMS, 1, 0, day0)
	now := time.Now().Unix()
	for _, c := range []struct {
		name   string
		secret []byte
		ts     int64
	}{
		{"unsigned", nil, now},
		{"another channel's secret", testSecrets[channel.AIVoice], now},
		{"stale", testSecrets[channel.SMS], now - 3600},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, body := send(t, base, m, c.secret, c.ts)
			if st != http.StatusUnauthorized || !strings.Contains(body, `"unauthenticated"`) {
				t.Errorf("got %d %s; want 401 unauthenticated", st, body)
			}
		})
	}
	// Signed right, the body changed after.
	body, _ := json.Marshal(m)
	req, _ := http.NewRequest(http.MethodPost, base+"/sms", bytes.NewReader(append(body, ' ')))
	req.Header.Set(webhook.TimestampHeader, strconv.FormatInt(now, 10))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(testSecrets[channel.SMS], now, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a body changed after signing: %d; want 401", resp.StatusCode)
	}
	s.Wait(context.Background())
	if st := s.Stats(); st.Rejected != 4 || st.Messages[channel.SMS] != 0 || len(d.results) != 0 {
		t.Errorf("Stats() = %+v, %d results; want 4 rejected and nothing acted on", st, len(d.results))
	}
	// The key was not used up by the refused deliveries.
	if st, body := send(t, base, m, testSecrets[channel.SMS], now); st != http.StatusAccepted {
		t.Errorf("signed: %d %s; want 202", st, body)
	}
}

func TestSimRefusesMalformedMessages(t *testing.T) {
	d := newDaihou(t)
	_, base := startSim(t, d, 7, func(c *Config) { c.Secrets = map[string][]byte{channel.SMS: testSecrets[channel.SMS]} })
	good := message(channel.SMS, 1, 0, day0)
	for _, c := range []struct {
		name, field string
		edit        func(*channel.Message)
		body        string // instead of the message
		status      int
	}{
		{name: "no key", field: "key", edit: func(m *channel.Message) { m.Key = "" }},
		{name: "a key with a space", field: "key", edit: func(m *channel.Message) { m.Key = "a b" }},
		{name: "another channel", field: "channel", edit: func(m *channel.Message) { m.Channel = channel.Email; m.To = "a@b.cn" }},
		{name: "no loan", field: "loan_id", edit: func(m *channel.Message) { m.LoanID = 0 }},
		{name: "no borrower", field: "borrower_id", edit: func(m *channel.Message) { m.BorrowerID = -2 }},
		{name: "a bad date", field: "business_date", edit: func(m *channel.Message) { m.BusinessDate = "2026-02-30" }},
		{name: "no number", field: "to", edit: func(m *channel.Message) { m.To = "" }},
		{name: "an address for a text", field: "to", edit: func(m *channel.Message) { m.To = "a@b.cn" }},
		{name: "negative amount", field: "amount_due", edit: func(m *channel.Message) { m.AmountDue = -1 }},
		{name: "bad window", field: "not_after", edit: func(m *channel.Message) {
			m.NotBefore, m.NotAfter = "2026-06-30T10:00:00+08:00", "2026-06-30T09:00:00+08:00"
		}},
		{name: "unknown field", field: "amount", body: `{"key":"k","amount":"1.00"}`},
		{name: "a string for a number", field: "loan_id", body: `{"key":"k","loan_id":"7"}`},
		{name: "not JSON", body: `key=k`},
		{name: "two objects", body: `{"key":"k"} {}`},
		{name: "a header key that is not the message's", field: "Idempotency-Key", edit: func(m *channel.Message) {}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := good
			body := []byte(c.body)
			if c.edit != nil {
				c.edit(&m)
				body, _ = json.Marshal(m)
			}
			key := m.Key
			if c.field == "Idempotency-Key" {
				key = "another"
			}
			st, answer := sendBody(t, base+"/sms", key, body, testSecrets[channel.SMS], time.Now().Unix())
			if st != http.StatusBadRequest {
				t.Fatalf("got %d %s; want 400", st, answer)
			}
			var p struct {
				Error struct{ Code, Message, Field string }
			}
			if err := json.Unmarshal([]byte(answer), &p); err != nil {
				t.Fatal(err)
			}
			if p.Error.Code != "invalid" || p.Error.Field != c.field || p.Error.Message == "" {
				t.Errorf("got %+v; want invalid, field %q", p.Error, c.field)
			}
		})
	}
	if st, _ := send(t, base, message(channel.AIVoice, 1, 0, day0), testSecrets[channel.AIVoice], time.Now().Unix()); st != http.StatusNotFound {
		t.Errorf("a channel not served: %d; want 404", st)
	}
}

// Results are retried while daihou answers 503, and each is taken once.
func TestSimRetriesResults(t *testing.T) {
	d := newDaihou(t)
	d.fail = 2
	d.setBusiness(day0)
	s, base := startSim(t, d, 7)
	ids := borrowers(7, 30)
	for _, id := range ids {
		m := message(channel.SMS, id, 0, day0)
		if st, body := send(t, base, m, testSecrets[m.Channel], time.Now().Unix()); st != http.StatusAccepted {
			t.Fatalf("%d %s", st, body)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	d.check()
	st := s.Stats()
	if len(d.results) != len(ids) || st.ResultsSent != int64(len(ids)) || st.Retries < int64(2*len(ids)) {
		t.Errorf("%d results taken, stats %+v; want %d, each after 2 retries", len(d.results), st, len(ids))
	}
}

// Results to an unreachable daihou are given up after their attempts.
func TestSimGivesUpUnreachable(t *testing.T) {
	d := newDaihou(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	s, base := startSim(t, d, 7, func(c *Config) { c.Callback = deadURL; c.Attempts = 3 })
	m := message(channel.SMS, 1, 0, day0)
	if st, body := send(t, base, m, testSecrets[m.Channel], time.Now().Unix()); st != http.StatusAccepted {
		t.Fatalf("%d %s", st, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.ResultsFailed != 1 || st.Retries != 2 || st.ResultsSent != 0 {
		t.Errorf("Stats() = %+v; want 1 result given up after 2 retries", st)
	}
}
