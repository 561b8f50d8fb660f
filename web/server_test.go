package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"daihou/store/storetest"
	"daihou/web"
)

// start serves db's server on a loopback port until the test ends, with
// a base context that carries no actor, as 'daihou serve' runs: a route
// that skipped Authed acts as no one.
func start(t *testing.T, s *web.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, 2*time.Second) }()
	t.Cleanup(func() {
		// A connection the client dialled and never used stays "new" on
		// the server, and Shutdown waits five seconds before it counts
		// such a connection idle: closing the client's idle connections
		// first lets the server stop within its grace.
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestOperationalEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		base := start(t, web.New(storetest.Open(t, backend), nil))
		res, body := get(t, base+"/healthz")
		if res.StatusCode != 200 || body != "ok\n" {
			t.Errorf("/healthz: %d %q", res.StatusCode, body)
		}
		res, body = get(t, base+"/readyz")
		if res.StatusCode != 200 || body != "ready\n" {
			t.Errorf("/readyz: %d %q", res.StatusCode, body)
		}
		// Every answer carries the security headers and a request id; a
		// caller's sane id is kept, a forged one replaced.
		res, _ = get(t, base+"/healthz", "X-Request-Id", "abc-123")
		for h, want := range map[string]string{
			"X-Frame-Options":        "DENY",
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"X-Request-Id":           "abc-123",
		} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q: want scripts from the site only, no inline script", csp)
		}
		res, _ = get(t, base+"/healthz", "X-Request-Id", "evil forged=1 status=200")
		if id := res.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " =") {
			t.Errorf("forged request id answered as %q", id)
		}
		// The metrics count the requests by route.
		_, metrics := get(t, base+"/metrics")
		if !strings.Contains(metrics, `daihou_http_request_duration_seconds_count{code="2xx",method="GET",route="GET /healthz"}`) {
			t.Errorf("/metrics lacks the request latency of /healthz:\n%.2000s", metrics)
		}
		res, _ = get(t, base+"/nope")
		if res.StatusCode != 404 {
			t.Errorf("unknown route: %d, want 404", res.StatusCode)
		}
	})
}

// Stopping waits for a request in flight, then closes.
func TestGracefulShutdown(t *testing.T) {
	s := web.New(storetest.Open(t, "sqlite"), nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, 5*time.Second) }()
	url := "http://" + l.Addr().String() + "/readyz"
	if _, body := get(t, url); body != "ready\n" {
		t.Fatalf("readyz: %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the server still answers after shutting down")
	}
}
