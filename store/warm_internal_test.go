package store

import (
	"os"
	"testing"
)

// Warm reads the whole SQLite book, log included, within its budget and
// nothing beyond it; PostgreSQL keeps its own cache.
func TestWarmReadsTheBookWithinItsBudget(t *testing.T) {
	eachDSN(t, "warm", func(t *testing.T, dsn string) {
		db, ctx := openBook(t, dsn)
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
