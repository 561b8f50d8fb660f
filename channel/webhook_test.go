package channel_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"daihou"
	"daihou/channel"
	"daihou/outbox"
	"daihou/webhook"
)

var secret = []byte("sixteen bytes at least, for tests")

func message(t *testing.T) outbox.Message {
	t.Helper()
	payload, err := json.Marshal(channel.Message{Key: "task-7:sms:2026-03-01", Channel: channel.SMS, TaskID: 7, LoanID: 42, To: "13800138000", Name: "张三", Template: "reminder-soft", Lang: "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	return outbox.Message{ID: 1, Channel: channel.SMS, Key: "task-7:sms:2026-03-01", LoanID: 42, Payload: payload, Attempts: 2}
}

// A delivery carries the payload as it is, its key and a signature the
// receiver can check.
func TestWebhookSignsAndCarriesTheKey(t *testing.T) {
	t.Parallel()
	m := message(t)
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
		if err := webhook.Verify(secret, r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	if err := (&channel.Webhook{URL: srv.URL + "/sms", Secret: secret}).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/sms" || string(body) != string(m.Payload) {
		t.Errorf("%s %s %q, want POST /sms with the payload", got.Method, got.URL.Path, body)
	}
	for h, want := range map[string]string{webhook.IdempotencyHeader: m.Key, "Content-Type": "application/json", "X-Daihou-Channel": "sms", "X-Daihou-Attempt": "3"} {
		if v := got.Header.Get(h); v != want {
			t.Errorf("%s: %q, want %q", h, v, want)
		}
	}
	// Under another secret the receiver refuses it, for good.
	err := (&channel.Webhook{URL: srv.URL, Secret: []byte("not the shared secret at all")}).Send(context.Background(), m)
	if !outbox.IsPermanent(err) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("wrong secret: %v, want a permanent 401 quoting the answer", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Each answer is read as the receiver contract says.
func TestWebhookAnswers(t *testing.T) {
	t.Parallel()
	m := message(t)
	for _, c := range []struct {
		name       string
		status     int
		header     string // Retry-After
		body       string
		ok         bool
		permanent  bool
		retryAfter time.Duration // -1: none
		says       string
	}{
		{"200", 200, "", "", true, false, -1, ""},
		{"204", 204, "", "", true, false, -1, ""},
		{"400", 400, "", `{"error":"unknown template reminder-soft"}`, false, true, -1, "unknown template"},
		{"404", 404, "", "no such route", false, true, -1, "HTTP 404: no such route"},
		{"422", 422, "", "bad phone", false, true, -1, "422"},
		{"408", 408, "", "", false, false, -1, "408"},
		{"429 with Retry-After", 429, "7", "slow down", false, false, 7 * time.Second, "429"},
		{"500", 500, "", "boom", false, false, -1, "HTTP 500: boom"},
		{"502", 502, "", "", false, false, -1, "502"},
		{"503 with a date", 503, time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat), "", false, false, 90 * time.Second, "503"},
		{"503 with nonsense", 503, "soon", "", false, false, -1, "503"},
		{"redirect", 302, "", "", false, false, -1, "not followed"},
		{"long body", 400, "", strings.Repeat("x", 5000), false, true, -1, "…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			redirected := false
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/elsewhere" {
					redirected = true
					return
				}
				if c.header != "" {
					w.Header().Set("Retry-After", c.header)
				}
				if c.status == 302 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			err := (&channel.Webhook{URL: srv.URL, Secret: secret}).Send(context.Background(), m)
			if (err == nil) != c.ok || outbox.IsPermanent(err) != c.permanent {
				t.Fatalf("Send: %v, want ok %v, permanent %v", err, c.ok, c.permanent)
			}
			if err == nil {
				return
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("Send: %q, want it to say %q", err, c.says)
			}
			if len(err.Error()) > 400 {
				t.Errorf("Send: a %d-byte error, want the answer clipped", len(err.Error()))
			}
			var ra *outbox.RetryAfterError
			switch {
			case c.retryAfter < 0 && errors.As(err, &ra):
				t.Errorf("Retry-After %v, want none", ra.After)
			case c.retryAfter >= 0 && !errors.As(err, &ra):
				t.Errorf("no Retry-After, want %v", c.retryAfter)
			case c.retryAfter >= 0 && (ra.After < c.retryAfter-2*time.Second || ra.After > c.retryAfter):
				t.Errorf("Retry-After %v, want %v", ra.After, c.retryAfter)
			}
			if redirected {
				t.Error("the redirect was followed")
			}
		})
	}
}

// Timeouts, dropped connections and refused connections are tried again;
// the error says where without the URL's query.
func TestWebhookTransportFailuresAreRetried(t *testing.T) {
	t.Parallel()
	m := message(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server sees the client go
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(drop.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	for _, c := range []struct {
		name, url string
		says      string
	}{
		{"timeout", slow.URL + "/?token=s3cr3t", "no answer within 100ms"},
		{"dropped", drop.URL + "/?token=s3cr3t", "EOF"},
		{"refused", refused + "/?token=s3cr3t", "refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			began := time.Now()
			err := (&channel.Webhook{URL: c.url, Secret: secret, Timeout: 100 * time.Millisecond}).Send(context.Background(), m)
			if err == nil || outbox.IsPermanent(err) {
				t.Fatalf("Send: %v, want an error to retry", err)
			}
			if !strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("Send: %q, want it to say %q and not the query", err, c.says)
			}
			if d := time.Since(began); d > 3*time.Second {
				t.Errorf("Send took %v, want it bounded by the timeout", d)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	const good = "https://gateway.example/hooks/daihou"
	long := string(secret)
	for _, c := range []struct {
		name     string
		env      map[string]string
		channels []string
		says     string // "" no error; else what the error names
	}{
		{"nothing configured", nil, nil, ""},
		{"sms and ai-voice", map[string]string{"DAIHOU_CHANNEL_URL_SMS": good, "DAIHOU_CHANNEL_SECRET_SMS": long, "DAIHOU_CHANNEL_URL_AI_VOICE": good, "DAIHOU_CHANNEL_SECRET_AI_VOICE": long}, []string{"ai-voice", "sms"}, ""},
		{"URL without a secret", map[string]string{"DAIHOU_CHANNEL_URL_AI_VOICE": good}, nil, "DAIHOU_CHANNEL_SECRET_AI_VOICE"},
		{"secret without a URL", map[string]string{"DAIHOU_CHANNEL_SECRET_EMAIL": long}, nil, "DAIHOU_CHANNEL_URL_EMAIL"},
		{"short secret", map[string]string{"DAIHOU_CHANNEL_URL_SMS": good, "DAIHOU_CHANNEL_SECRET_SMS": "abc"}, nil, "DAIHOU_CHANNEL_SECRET_SMS"},
		{"not a URL", map[string]string{"DAIHOU_CHANNEL_URL_DIALER": "gateway.example:80?token=x", "DAIHOU_CHANNEL_SECRET_DIALER": long}, nil, "DAIHOU_CHANNEL_URL_DIALER"},
		{"ftp", map[string]string{"DAIHOU_CHANNEL_URL_DIALER": "ftp://gateway.example/", "DAIHOU_CHANNEL_SECRET_DIALER": long}, nil, "DAIHOU_CHANNEL_URL_DIALER"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := channel.FromEnv(func(k string) string { return c.env[k] })
			if c.says != "" {
				if daihou.ErrorCode(err) != daihou.EINVALID || !strings.Contains(err.Error(), c.says) || daihou.ErrorField(err) != c.says {
					t.Fatalf("FromEnv: %v (field %q), want an invalid error naming %s", err, daihou.ErrorField(err), c.says)
				}
				if strings.Contains(err.Error(), "token=x") || strings.Contains(err.Error(), long) {
					t.Errorf("FromEnv: %q repeats a value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for n, s := range got {
				names = append(names, n)
				if w := s.(*channel.Webhook); w.URL != good || string(w.Secret) != long {
					t.Errorf("%s: %+v", n, w)
				}
			}
			if strings.Join(slices.Sorted(slices.Values(names)), ",") != strings.Join(c.channels, ",") {
				t.Errorf("channels %v, want %v", names, c.channels)
			}
		})
	}
	if channel.URLEnv(channel.AIVoice) != "DAIHOU_CHANNEL_URL_AI_VOICE" || channel.SecretEnv(channel.SMS) != "DAIHOU_CHANNEL_SECRET_SMS" {
		t.Error("variable names")
	}
}
