package store

import (
	"context"
	"os"
	"testing"

	"daihou/auth"
	"daihou/civil"
	"daihou/servicing"
)

// Warm reads the whole SQLite book, log included, within its budget and
// nothing beyond it; PostgreSQL keeps its own cache.
func TestWarmReadsTheBookWithinItsBudget(t *testing.T) {
	eachDSN(t, "warm", func(t *testing.T, dsn string) {
		ctx := auth.NewContext(context.Background(), auth.Local())
		db, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.OpenBook(ctx, civil.MustParse("2026-03-01")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutProduct(ctx, servicing.DefaultProduct("CL")); err != nil {
			t.Fatal(err)
		}
		var want int64
		if db.dialect == SQLite {
			for _, name := range []string{dsn, dsn + "-wal"} {
				if st, err := os.Stat(name); err == nil {
					want += st.Size()
				}
			}
			if want == 0 {
				t.Fatal("no book on disk")
			}
		}
		if n, err := db.Warm(ctx, want); err != nil || n != want {
			t.Errorf("Warm within the budget: read %d bytes (%v), want %d", n, err, want)
		}
		if n, err := db.Warm(ctx, want-1); err != nil || n != 0 {
			t.Errorf("Warm over the budget: read %d bytes (%v), want none", n, err)
		}
		if err := db.Ready(ctx); err != nil {
			t.Errorf("ready after warming: %v", err)
		}
		db.warm.on.Store(true)
		db.warm.size.Store(64 << 20)
		if err := db.Ready(ctx); err == nil {
			t.Error("ready while warming")
		}
	})
}
