package store_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"daihou"
	"daihou/channel"
	"daihou/outbox"
	"daihou/pii"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/webhook"
)

// The child of TestOutboxSurvivesSIGKILL is this test binary run again
// with DAIHOU_OUTBOX_CHILD set. It is started from init, not from TestMain
// (store_test.go's, which this file leaves alone): it never reaches the
// tests.
func init() {
	if mode := os.Getenv("DAIHOU_OUTBOX_CHILD"); mode != "" {
		os.Exit(outboxChild(mode))
	}
}

// outboxSecret is the secret the test receivers share with the senders.
var outboxSecret = []byte("outbox test secret, 32 bytes ok!")

// outboxMessages returns n messages for the three webhook channels, keys
// starting with prefix, each with its own task and phone number.
func outboxMessages(prefix string, from, n int) []channel.Message {
	chans := []string{channel.SMS, channel.AIVoice, channel.Email}
	out := make([]channel.Message, n)
	for i := range out {
		k := from + i
		ch := chans[k%len(chans)]
		out[i] = channel.Message{Key: fmt.Sprintf("%s-task-%d:%s:2026-03-01", prefix, k, ch), Channel: ch, TaskID: int64(k + 1), LoanID: int64(k + 1),
			LoanNumber: fmt.Sprintf("L%06d", k), BorrowerID: int64(k/2 + 1), To: phone(k), Name: "李四", Template: "reminder-soft", Lang: "zh-CN",
			AmountDue: 123456, Currency: "CNY", DPD: 3, BusinessDate: "2026-03-01"}
	}
	return out
}

func phone(k int) string { return fmt.Sprintf("139%08d", k) }

// openOutboxDB opens a new database on backend and returns it with its DSN.
func openOutboxDB(t *testing.T, backend string) (*store.DB, string) {
	t.Helper()
	dsn := storetest.DSN(t, backend)
	return storetest.OpenPath(t, dsn), dsn
}

// outboxRaw opens dsn with the plain driver, to read the table as it is at
// rest.
func outboxRaw(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, name := "sqlite", "file:"+dsn
	if store.IsPostgres(dsn) {
		driver, name = "pgx", dsn
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// outboxRows returns key → state of every row.
func outboxRows(t *testing.T, raw *sql.DB) map[string]string {
	t.Helper()
	rows, err := raw.Query(`SELECT key, state FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			t.Fatal(err)
		}
		out[k] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOutboxEnqueueIsIdempotentAndSealed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		db, dsn := openOutboxDB(t, backend)
		msgs := outboxMessages("idem", 0, 5)
		if err := db.Enqueue(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		// Close of business run again: the same five and two new ones.
		if err := db.Enqueue(ctx, append(msgs, outboxMessages("idem", 5, 2)...)); err != nil {
			t.Fatal(err)
		}
		counts, err := db.OutboxStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, c := range counts {
			got[c.Channel+"/"+c.State] = c.Messages
			if c.Oldest == "" {
				t.Errorf("%s/%s: no oldest", c.Channel, c.State)
			}
		}
		want := map[string]int64{"sms/pending": 3, "ai-voice/pending": 2, "email/pending": 2}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("counts %v, want %v", got, want)
		}

		// At rest the payload is sealed: no phone, no name.
		raw := outboxRaw(t, dsn)
		rows, err := raw.Query(`SELECT payload FROM outbox`)
		if err != nil {
			t.Fatal(err)
		}
		var payloads []string
		for rows.Next() {
			var p string
			rows.Scan(&p)
			payloads = append(payloads, p)
		}
		rows.Close()
		if len(payloads) != 7 {
			t.Fatalf("%d rows, want 7", len(payloads))
		}
		for _, p := range payloads {
			if _, err := pii.Version(p); err != nil || strings.Contains(p, "139000") || strings.Contains(p, "李四") || strings.Contains(p, "reminder") {
				t.Errorf("payload at rest %q: want it sealed", p)
			}
		}

		// A claim opens it again, as it was enqueued.
		claimed, err := db.Outbox().Claim(ctx, time.Now(), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 7 {
			t.Fatalf("claimed %d, want 7", len(claimed))
		}
		for _, m := range claimed {
			var cm channel.Message
			if err := json.Unmarshal(m.Payload, &cm); err != nil {
				t.Fatal(err)
			}
			if cm.Key != m.Key || cm.Channel != m.Channel || cm.LoanID != m.LoanID || cm.To != phone(int(cm.TaskID-1)) || cm.Name != "李四" || m.Attempts != 0 {
				t.Errorf("claimed %+v with payload %+v: not what was enqueued", m, cm)
			}
		}
	})
}

func TestOutboxRejectsBadMessages(t *testing.T) {
	t.Parallel()
	ctx := storetest.Ctx()
	db, _ := openOutboxDB(t, "sqlite")
	good := outboxMessages("bad", 0, 1)[0]
	for _, c := range []struct {
		name  string
		edit  func(m *channel.Message)
		field string
	}{
		{"empty key", func(m *channel.Message) { m.Key = "" }, "key"},
		{"key with a line break", func(m *channel.Message) { m.Key = "k\r\nX-Evil: 1" }, "key"},
		{"long key", func(m *channel.Message) { m.Key = strings.Repeat("k", outbox.MaxKey+1) }, "key"},
		{"unknown channel", func(m *channel.Message) { m.Channel = "pigeon" }, "channel"},
		{"oversized payload", func(m *channel.Message) { m.Name = strings.Repeat("长", outbox.MaxPayload/3+1) }, "payload"},
		{"not_before not a time", func(m *channel.Message) { m.NotBefore = "8 am" }, "not_before"},
		{"not_after not a time", func(m *channel.Message) { m.NotAfter = "2026-03-01" }, "not_after"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := good
			c.edit(&m)
			// One bad message among good ones: none is enqueued.
			err := db.Enqueue(ctx, append(outboxMessages("ok", 1, 3), m))
			if daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != c.field {
				t.Fatalf("Enqueue: %v (field %q), want invalid %s", err, daihou.ErrorField(err), c.field)
			}
			if len(err.Error()) > 400 {
				t.Errorf("a %d-byte error: want it to quote a little", len(err.Error()))
			}
		})
	}
	if counts, err := db.OutboxStats(ctx); err != nil || len(counts) != 0 {
		t.Errorf("after refusals: %v %v, want an empty outbox", counts, err)
	}
	// A message not to be sent before 08:00 is not due before then.
	later := good
	later.NotBefore = time.Now().Add(time.Hour).Format(time.RFC3339)
	if err := db.Enqueue(ctx, []channel.Message{later}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Outbox().Claim(ctx, time.Now(), time.Minute, 10); len(got) != 0 {
		t.Errorf("claimed %d messages due in an hour, want none", len(got))
	}
	if got, _ := db.Outbox().Claim(ctx, time.Now().Add(time.Hour+time.Second), time.Minute, 10); len(got) != 1 {
		t.Errorf("claimed %d messages an hour on, want 1", len(got))
	}
}

// Leases: a claimed message is not claimed again until its lease ends; a
// message recorded sent or dead stays so, whatever a holder whose lease
// ran out records after.
func TestOutboxLeasesAndFinalStates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		db, _ := openOutboxDB(t, backend)
		if err := db.Enqueue(ctx, outboxMessages("lease", 0, 3)); err != nil {
			t.Fatal(err)
		}
		ob := db.Outbox()
		t0 := time.Now()
		first, err := ob.Claim(ctx, t0, 10*time.Second, 2)
		if err != nil || len(first) != 2 {
			t.Fatalf("first claim: %d, %v; want 2", len(first), err)
		}
		if again, _ := ob.Claim(ctx, t0.Add(9*time.Second), 10*time.Second, 10); len(again) != 1 || again[0].ID == first[0].ID || again[0].ID == first[1].ID {
			t.Fatalf("claim within the lease: %+v, want only the third", again)
		}
		expired, _ := ob.Claim(ctx, t0.Add(10*time.Second), 10*time.Second, 10)
		if len(expired) != 2 {
			t.Fatalf("claim after the lease: %d, want the first two again", len(expired))
		}
		a, b := first[0].ID, first[1].ID
		if err := ob.MarkSent(ctx, a, t0); err != nil {
			t.Fatal(err)
		}
		if err := ob.Dead(ctx, b, "HTTP 400: bad template"); err != nil {
			t.Fatal(err)
		}
		// The first holder, late: nothing it records changes them.
		ob.Retry(ctx, a, 3, t0, "late retry")
		ob.Dead(ctx, a, "late dead")
		ob.MarkSent(ctx, b, t0)
		ob.Retry(ctx, b, 3, t0, "late retry")
		dead, err := db.DeadLetters(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 1 || dead[0].ID != b || dead[0].Attempts != 1 || dead[0].LastError != "HTTP 400: bad template" || dead[0].Channel == "" || dead[0].Key == "" {
			t.Errorf("dead letters %+v, want message %d after 1 attempt with its error", dead, b)
		}
		counts, _ := db.OutboxStats(ctx)
		got := map[string]int64{}
		for _, c := range counts {
			got[c.State] += c.Messages
		}
		if got["sent"] != 1 || got["dead"] != 1 || got["pending"] != 1 {
			t.Errorf("states %v, want 1 sent, 1 dead, 1 pending", got)
		}
		if _, err := db.DeadLetters(ctx, 0); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("DeadLetters(0): %v, want invalid", err)
		}
	})
}

// Claims by several dispatchers — two handles on the database, as two
// processes, two claimers each — never take one message twice.
func TestOutboxConcurrentClaimsNeverOverlap(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		db, dsn := openOutboxDB(t, backend)
		const n = 400
		if err := db.Enqueue(ctx, outboxMessages("claim", 0, n)); err != nil {
			t.Fatal(err)
		}
		handles := []*store.DB{storetest.OpenPath(t, dsn), storetest.OpenPath(t, dsn)}
		var mu sync.Mutex
		claims := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := range 4 {
			ob := handles[i%2].Outbox()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := ob.Claim(ctx, time.Now(), time.Hour, 7)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, m := range got {
						claims[m.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(claims) != n {
			t.Errorf("%d messages claimed, want %d", len(claims), n)
		}
		for id, k := range claims {
			if k != 1 {
				t.Errorf("message %d claimed %d times", id, k)
			}
		}
	})
}

// Key rotation re-seals the outbox: with the old key retired, the payloads
// still open.
func TestOutboxPayloadsFollowKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := storetest.Ctx()
	db, dsn := openOutboxDB(t, "sqlite")
	if err := db.Enqueue(ctx, outboxMessages("rot", 0, 5)); err != nil {
		t.Fatal(err)
	}
	old := db.Keys()
	ring, err := old.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseKeys(ctx, ring); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Rotate(ctx, nil); err != nil || n != 5 {
		t.Fatalf("Rotate: %d, %v; want the 5 payloads", n, err)
	}
	retired, err := ring.Without(old.Current())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseKeys(ctx, retired); err != nil {
		t.Fatal(err)
	}
	got, err := db.Outbox().Claim(ctx, time.Now(), time.Minute, 10)
	if err != nil || len(got) != 5 {
		t.Fatalf("claim after rotation: %d, %v", len(got), err)
	}
	for _, p := range outboxPayloads(t, outboxRaw(t, dsn)) {
		if v, _ := pii.Version(p); v != ring.Current() {
			t.Errorf("payload under key %d, want %d", v, ring.Current())
		}
	}
}

func outboxPayloads(t *testing.T, raw *sql.DB) []string {
	t.Helper()
	rows, err := raw.Query(`SELECT payload FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		rows.Scan(&p)
		out = append(out, p)
	}
	return out
}

// What a test receiver does with a delivery.
type act int

const (
	answer         act = iota // apply, 200
	drop                      // close the connection before answering, not applied
	fail500                   // 500, not applied
	applyThenStall            // apply, then no answer until the sender gives up
	hold                      // hold the request, not applied, until the sender goes
	holdAfterApply            // apply, then hold the request until the sender goes
)

// receiver is a channel's webhook endpoint on loopback that checks each
// delivery's signature and applies a message once per Idempotency-Key.
type receiver struct {
	mu      sync.Mutex
	decide  func(n int) act // n counts the signed deliveries, from 0
	applied map[string]channel.Message
	tasks   map[int64]int // applications by task: a key changed between attempts shows here
	acts    map[act]int
	n       int // signed deliveries
	dups    int // deliveries of a key already applied
	unsound int // unsigned, wrongly signed, or a body not its key's
	held    int
	release chan struct{}
}

func newReceiver(t *testing.T, decide func(int) act) (*receiver, string) {
	rc := &receiver{decide: decide, applied: map[string]channel.Message{}, tasks: map[int64]int{}, acts: map[act]int{}, release: make(chan struct{})}
	srv := httptest.NewServer(rc)
	t.Cleanup(func() { close(rc.release); srv.Close() })
	return rc, srv.URL
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // all of it: the server then sees a sender that goes
	if err != nil {
		return
	}
	var m channel.Message
	key := r.Header.Get(webhook.IdempotencyHeader)
	if err := webhook.Verify(outboxSecret, r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, time.Now()); err != nil ||
		json.Unmarshal(body, &m) != nil || m.Key != key || key == "" {
		rc.mu.Lock()
		rc.unsound++
		rc.mu.Unlock()
		http.Error(w, "unsound delivery", http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	a := rc.decide(rc.n)
	rc.n++
	rc.acts[a]++
	if a == hold || a == holdAfterApply {
		rc.held++
	}
	rc.mu.Unlock()
	switch a {
	case drop:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	case fail500:
		http.Error(w, "try again later", http.StatusInternalServerError)
		return
	case applyThenStall, holdAfterApply:
		rc.apply(m)
		rc.wait(r)
		return
	case hold:
		rc.wait(r)
		return
	}
	rc.apply(m)
	w.WriteHeader(http.StatusOK)
}

// wait holds a request until its sender goes (gives up, or dies).
func (rc *receiver) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-rc.release:
	case <-time.After(20 * time.Second):
	}
}

func (rc *receiver) apply(m channel.Message) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.applied[m.Key]; ok {
		rc.dups++
		return
	}
	rc.applied[m.Key] = m
	rc.tasks[m.TaskID]++
}

func (rc *receiver) setDecide(f func(int) act) {
	rc.mu.Lock()
	rc.decide = f
	rc.mu.Unlock()
}

// check asserts that the receiver applied exactly the messages keys, each
// once, with the payloads they were enqueued with.
func (rc *receiver) check(t *testing.T, keys []string) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.unsound != 0 {
		t.Errorf("%d deliveries unsigned, wrongly signed or not their key's", rc.unsound)
	}
	var missing []string
	for _, k := range keys {
		m, ok := rc.applied[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		if m.To != phone(int(m.TaskID-1)) || m.Name != "李四" {
			t.Errorf("%s applied as %+v: not the message enqueued", k, m)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d messages never applied, e.g. %v", len(missing), len(keys), missing[:min(3, len(missing))])
	}
	if len(rc.applied) != len(keys) {
		t.Errorf("%d keys applied, want %d", len(rc.applied), len(keys))
	}
	for task, n := range rc.tasks {
		if n != 1 {
			t.Errorf("task %d applied %d times (under different keys)", task, n)
		}
	}
}

// senders returns a Webhook for each channel posting to url.
func senders(url string, timeout time.Duration) map[string]outbox.Sender {
	out := map[string]outbox.Sender{}
	for _, ch := range channel.Names {
		out[ch] = &channel.Webhook{URL: url + "/" + ch, Secret: outboxSecret, Timeout: timeout}
	}
	return out
}

// dispatchUntilSent runs the dispatchers side by side until the outbox
// has nothing pending, or fails the test after limit.
func dispatchUntilSent(t *testing.T, db *store.DB, limit time.Duration, ds ...*outbox.Dispatcher) outbox.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(storetest.Ctx(), limit)
	defer cancel()
	var mu sync.Mutex
	var total outbox.Stats
	var wg sync.WaitGroup
	done := make(chan struct{})
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				st, err := d.RunOnce(ctx)
				mu.Lock()
				total.Add(st)
				mu.Unlock()
				if err != nil && ctx.Err() == nil {
					t.Errorf("RunOnce: %v", err)
					return
				}
				select {
				case <-done:
					return
				case <-ctx.Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
	}
	for ctx.Err() == nil {
		counts, err := db.OutboxStats(ctx)
		if err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		pending := int64(0)
		for _, c := range counts {
			if c.State != outbox.StateSent {
				pending += c.Messages
			}
		}
		if err == nil && pending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("not all sent within %v: %+v", limit, total)
	}
	return total
}

// allSent asserts that every row of the outbox is sent and returns the
// keys.
func allSent(t *testing.T, raw *sql.DB) []string {
	t.Helper()
	var keys []string
	for k, s := range outboxRows(t, raw) {
		keys = append(keys, k)
		if s != outbox.StateSent {
			t.Errorf("%s: %s, want sent", k, s)
		}
	}
	slices.Sort(keys)
	return keys
}

// The outbox delivers every message exactly once to a flaky receiver on
// loopback (drops, 500s, timeouts): two dispatchers, as two processes,
// send 300 messages to a receiver that drops the connection before
// answering, answers 500, or applies a message and then answers too late
// for the sender's timeout (so the sender tries again a message the
// receiver has); the receiver applies each key once and checks every
// signature. Every message is applied once, none is missing, every row
// ends sent.
func TestOutboxDeliversExactlyOnceToAFlakyReceiver(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		db, dsn := openOutboxDB(t, backend)
		rng := rand.New(rand.NewPCG(20260301, 7))
		rc, url := newReceiver(t, func(int) act {
			switch p := rng.IntN(100); {
			case p < 15:
				return drop
			case p < 30:
				return fail500
			case p < 42:
				return applyThenStall
			}
			return answer
		})
		const n = 300
		msgs := outboxMessages("flaky", 0, n)
		if err := db.Enqueue(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		var ds []*outbox.Dispatcher
		for range 2 {
			ds = append(ds, &outbox.Dispatcher{Store: storetest.OpenPath(t, dsn).Outbox(), Senders: senders(url, 500*time.Millisecond),
				MaxAttempts: 1000, BackoffBase: 2 * time.Millisecond, BackoffCap: 40 * time.Millisecond, Lease: 5 * time.Second, Concurrency: 8, Batch: 40})
		}
		began := time.Now()
		st := dispatchUntilSent(t, db, 25*time.Second, ds...)
		var keys []string
		for _, m := range msgs {
			keys = append(keys, m.Key)
		}
		rc.check(t, keys)
		allSent(t, outboxRaw(t, dsn))
		rc.mu.Lock()
		defer rc.mu.Unlock()
		t.Logf("%s: %d messages in %v: %d deliveries (%d drops, %d 500s, %d applied and answered too late, %d redeliveries of applied keys); dispatchers %+v",
			backend, n, time.Since(began).Round(time.Millisecond), rc.n, rc.acts[drop], rc.acts[fail500], rc.acts[applyThenStall], rc.dups, st)
		// Each failure was met, or the test proved nothing.
		if rc.acts[drop] == 0 || rc.acts[fail500] == 0 || rc.acts[applyThenStall] == 0 || rc.dups == 0 {
			t.Errorf("failures met: %v, %d redeliveries of applied keys; want every kind", rc.acts, rc.dups)
		}
		if st.Sent != n {
			t.Errorf("dispatchers sent %d, want %d", st.Sent, n)
		}
	})
}

// A SIGKILL between commit and send loses nothing. A child process
// enqueues messages in committed transactions and is killed either
//
//   - mid-send: it dispatches to a receiver that holds its requests (one
//     held before applying the message, the others after), so it dies
//     holding claims and with deliveries in flight, none recorded sent;
//   - right after a commit, before any send: it only enqueues, and dies
//     at a random point of that, possibly inside a transaction.
//
// A fresh dispatcher then sends what the child left: every committed
// message is applied exactly once at the receiver and every row ends sent.
func TestOutboxSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		t.Run("mid-send", func(t *testing.T) {
			db, dsn := openOutboxDB(t, backend)
			rc, url := newReceiver(t, func(n int) act {
				if n == 0 {
					return hold
				}
				return holdAfterApply
			})
			cmd, lines := startOutboxChild(t, "dispatch", dsn, url)
			if l := <-lines; l != "committed 60" {
				t.Fatalf("child: %q, want it to commit its 60 messages", l)
			}
			// Kill it once its every sender is held.
			deadline := time.Now().Add(10 * time.Second)
			for {
				rc.mu.Lock()
				held := rc.held
				rc.mu.Unlock()
				if held >= 4 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("child held %d requests in 10s, want 4", held)
				}
				time.Sleep(time.Millisecond)
			}
			kill(t, cmd)
			raw := outboxRaw(t, dsn)
			if n := countState(t, raw, outbox.StateSent); n != 0 {
				t.Fatalf("%d sent before the kill, want none recorded", n)
			}
			rc.setDecide(func(int) act { return answer })
			rc.mu.Lock()
			appliedBefore := len(rc.applied)
			rc.mu.Unlock()
			if appliedBefore < 3 {
				t.Fatalf("%d applied before the kill, want at least the 3 held after applying", appliedBefore)
			}
			d := &outbox.Dispatcher{Store: db.Outbox(), Senders: senders(url, 5*time.Second), BackoffBase: 10 * time.Millisecond, BackoffCap: 100 * time.Millisecond}
			dispatchUntilSent(t, db, 20*time.Second, d)
			rc.check(t, allSent(t, raw))
			rc.mu.Lock()
			defer rc.mu.Unlock()
			if len(rc.applied) != 60 || rc.dups < appliedBefore {
				t.Errorf("%d applied, %d redeliveries of applied keys; want 60, and the %d applied before the kill delivered again", len(rc.applied), rc.dups, appliedBefore)
			}
		})
		t.Run("after commit", func(t *testing.T) {
			db, dsn := openOutboxDB(t, backend)
			rc, url := newReceiver(t, func(int) act { return answer })
			cmd, lines := startOutboxChild(t, "enqueue", dsn, url)
			acked := 0
			for l := range lines {
				n, err := strconv.Atoi(strings.TrimPrefix(l, "committed "))
				if err != nil {
					t.Fatalf("child: %q", l)
				}
				acked = n
				if n >= 30+rand.IntN(60) {
					break
				}
			}
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			kill(t, cmd)
			raw := outboxRaw(t, dsn)
			rows := outboxRows(t, raw)
			if len(rows) < acked || len(rows)%10 != 0 || len(rows) >= 200 {
				t.Fatalf("%d messages after the kill, %d acknowledged: want every acknowledged one, whole transactions only, and the child killed part-way", len(rows), acked)
			}
			for i := range acked {
				if k := outboxMessages("kill", i, 1)[0].Key; rows[k] == "" {
					t.Errorf("acknowledged %s lost", k)
				}
			}
			rc.mu.Lock()
			if rc.n != 0 {
				t.Errorf("%d deliveries before the dispatcher ran", rc.n)
			}
			rc.mu.Unlock()
			d := &outbox.Dispatcher{Store: db.Outbox(), Senders: senders(url, 5*time.Second)}
			dispatchUntilSent(t, db, 20*time.Second, d)
			rc.check(t, allSent(t, raw))
		})
	})
}

func countState(t *testing.T, raw *sql.DB, state string) int {
	t.Helper()
	n := 0
	for _, s := range outboxRows(t, raw) {
		if s == state {
			n++
		}
	}
	return n
}

// startOutboxChild starts the child in mode on dsn and returns it with
// the lines it prints.
func startOutboxChild(t *testing.T, mode, dsn, url string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DAIHOU_OUTBOX_CHILD="+mode, "DAIHOU_OUTBOX_DSN="+dsn, "DAIHOU_OUTBOX_URL="+url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, lines
}

// kill kills the child with SIGKILL and makes sure it did not end first.
func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended by itself (%v), not by the kill", err)
	}
}

// outboxChild is the child of TestOutboxSurvivesSIGKILL; it returns the
// exit code, when it is not killed first.
//
//   - dispatch: enqueues 60 messages in committed transactions of 20, says
//     "committed 60", then dispatches to DAIHOU_OUTBOX_URL with four
//     senders, claims held for 4 s, until killed;
//   - enqueue: enqueues transactions of 10 messages, saying "committed N"
//     after each, and never sends.
func outboxChild(mode string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "outbox child:", err); return 1 }
	ctx := storetest.Ctx()
	db, err := storetest.OpenDSN(ctx, os.Getenv("DAIHOU_OUTBOX_DSN"))
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	// An orphan never outlives its test.
	go func() { time.Sleep(60 * time.Second); os.Exit(3) }()
	switch mode {
	case "dispatch":
		for i := 0; i < 60; i += 20 {
			if err := db.Enqueue(ctx, outboxMessages("kill", i, 20)); err != nil {
				return fail(err)
			}
		}
		fmt.Println("committed 60")
		d := &outbox.Dispatcher{Store: db.Outbox(), Senders: senders(os.Getenv("DAIHOU_OUTBOX_URL"), 30*time.Second), Lease: 4 * time.Second, Concurrency: 4, Batch: 20}
		for {
			if _, err := d.RunOnce(ctx); err != nil {
				return fail(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "enqueue":
		for i := 0; i < 200; i += 10 {
			if err := db.Enqueue(ctx, outboxMessages("kill", i, 10)); err != nil {
				return fail(err)
			}
			fmt.Println("committed", i+10)
			time.Sleep(15 * time.Millisecond) // for the parent to kill it part-way
		}
		time.Sleep(time.Minute)
		return 0
	}
	return fail(fmt.Errorf("unknown mode %q", mode))
}

// A dead letter sent again after its cause is fixed: a receiver that
// refused everything with 401 (a wrong secret) kills every message; once
// the secret is right, requeue makes them pending from zero attempts and
// a dispatcher delivers each exactly once.
func TestOutboxRequeueDeadLetters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		db, dsn := openOutboxDB(t, backend)
		if err := db.Enqueue(ctx, outboxMessages("requeue", 0, 5)); err != nil {
			t.Fatal(err)
		}
		rc, url := newReceiver(t, func(int) act { return answer })
		wrong := senders(url, 5*time.Second)
		for ch, s := range wrong {
			w := *s.(*channel.Webhook)
			w.Secret = []byte("not-the-receivers-secret-0123456789")
			wrong[ch] = &w
		}
		if st, err := (&outbox.Dispatcher{Store: db.Outbox(), Senders: wrong}).RunOnce(ctx); err != nil || st.Dead != 5 {
			t.Fatalf("with a wrong secret: %+v, %v; want all 5 dead", st, err)
		}
		if _, err := db.RequeueDead(ctx, "fax"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("requeue of channel fax: %v, want invalid", err)
		}
		n, err := db.RequeueDead(ctx, "")
		if err != nil || n != 5 {
			t.Fatalf("requeue: %d, %v; want 5", n, err)
		}
		if dead, _ := db.DeadLetters(ctx, 10); len(dead) != 0 {
			t.Errorf("dead letters after the requeue: %+v", dead)
		}
		rc.mu.Lock()
		applied := len(rc.applied)
		rc.mu.Unlock()
		if applied != 0 {
			t.Fatalf("the receiver applied %d wrongly signed messages", applied)
		}
		// The channel's secret put right (the same receiver behind a
		// fresh door, so its count of bad signatures starts at zero).
		rc2, url2 := newReceiver(t, func(int) act { return answer })
		dispatchUntilSent(t, db, 20*time.Second, &outbox.Dispatcher{Store: db.Outbox(), Senders: senders(url2, 5*time.Second)})
		rc2.check(t, allSent(t, outboxRaw(t, dsn)))
		if n, err := db.RequeueDead(ctx, ""); err != nil || n != 0 {
			t.Errorf("a second requeue: %d, %v; want nothing to move", n, err)
		}
	})
}
