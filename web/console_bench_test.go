package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"daihou/auth"
	"daihou/pii"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web"
)

// BenchmarkConsolePages measures the server time of the console's main
// pages — the overview, asset quality and a loan's 360° view — on the book
// DAIHOU_BENCH_BOOK names (a 'daihou gen' database; it gains a user
// "bench" if it has none), as a manager sees them, and reports the median
// and the 99th percentile of the requests:
//
//	DAIHOU_BENCH_BOOK=b1m.db go test ./web -run '^$' -bench ConsolePages -benchtime 200x
func BenchmarkConsolePages(b *testing.B) {
	path := os.Getenv("DAIHOU_BENCH_BOOK")
	if path == "" {
		b.Skip("set DAIHOU_BENCH_BOOK to a generated book (daihou gen) to measure the console's pages on it")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	keys, err := pii.ReadKeyFile(pii.KeyFileFor(path))
	if err != nil {
		b.Fatal(err)
	}
	if err := db.UseKeys(ctx, keys); err != nil {
		b.Fatal(err)
	}
	if _, _, err := db.UserActor(ctx, "bench"); err != nil {
		has, _ := db.HasUsers(ctx)
		as := auth.NewContext(ctx, auth.Local())
		if has {
			as = storetest.As(b, db, "admin")
		}
		if _, err := db.AddUser(as, store.NewUser{Name: "bench", Roles: []auth.Role{auth.Manager}}); err != nil {
			b.Fatal(err)
		}
	}
	token, _, err := db.StartSession(storetest.As(b, db, "bench"), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	// The loan with the most history among the first overdue ones: the
	// 360° view's worst ordinary case.
	rows, _, err := db.ListLoans(storetest.As(b, db, "bench"), store.LoanFilter{Bucket: "M3", Limit: 20})
	if err != nil || len(rows) == 0 {
		b.Fatalf("no loan in M3 to show: %v", err)
	}
	// A page that fails says why on stderr.
	h := web.New(db, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))).Handler()
	for _, page := range []struct{ name, path string }{
		{"overview", "/console/"},
		{"quality", "/console/quality"},
		{"loan", fmt.Sprintf("/console/loans/%d", rows[0].ID)},
	} {
		b.Run(page.name, func(b *testing.B) {
			took := make([]time.Duration, 0, b.N)
			for b.Loop() {
				req := httptest.NewRequest("GET", page.path, nil)
				req.AddCookie(&http.Cookie{Name: "daihou_session", Value: token})
				rec := httptest.NewRecorder()
				began := time.Now()
				h.ServeHTTP(rec, req)
				took = append(took, time.Since(began))
				if rec.Code != 200 {
					b.Fatalf("GET %s: %d %.300s", page.path, rec.Code, rec.Body.String())
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
