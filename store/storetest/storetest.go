// Package storetest runs daihou's tests against every database backend:
// SQLite always, and PostgreSQL when the environment variable
// DAIHOU_TEST_POSTGRES names a database (a postgres:// URL). Each test gets
// a database of its own — a temporary SQLite file, or a fresh PostgreSQL
// schema dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // for creating and dropping test schemas

	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
)

// EnvPostgres is the environment variable naming the PostgreSQL test database.
const EnvPostgres = "DAIHOU_TEST_POSTGRES"

// Each runs fn as a subtest per backend. Without DAIHOU_TEST_POSTGRES the
// postgres subtest is skipped with a one-line notice, so the gap is
// visible rather than silent.
func Each(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, "sqlite") })
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		if os.Getenv(EnvPostgres) == "" {
			t.Skip("PostgreSQL not tested: set " + EnvPostgres + "=postgres://… to run this against it")
		}
		fn(t, "postgres")
	})
}

// DSN returns the data source name of a new, empty database on backend,
// removed when tb ends.
func DSN(tb testing.TB, backend string) string {
	tb.Helper()
	if backend != "postgres" {
		return filepath.Join(tb.TempDir(), "test.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Fatal(EnvPostgres + " is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	_, err = admin.Exec(`CREATE SCHEMA ` + schema)
	admin.Close()
	if err != nil {
		tb.Fatalf("PostgreSQL at %s: %v", EnvPostgres, err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a new, empty database on backend, closed when tb ends.
func Open(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), DSN(tb, backend))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// AddLoans adds product p and n 12-month loans of 12,000.00 at 12 %
// disbursed on 2026-01-10, two to a borrower, opening the book on that
// date; loan and borrower numbers start with prefix.
func AddLoans(tb testing.TB, db *store.DB, p servicing.Product, n int, prefix string) []int64 {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.PutProduct(ctx, p); err != nil {
		tb.Fatal(err)
	}
	start := civil.MustParse("2026-01-10")
	if err := db.OpenBook(ctx, start); err != nil {
		tb.Fatal(err)
	}
	var in []store.NewLoan
	for i := 0; i < n; i++ {
		in = append(in, store.NewLoan{
			Line:     i + 2,
			Borrower: servicing.Borrower{ExternalID: fmt.Sprintf("%sB%d", prefix, i/2), Name: "张三"},
			Loan: servicing.Loan{ExternalID: fmt.Sprintf("%sL%d", prefix, i), Product: p.Code, Principal: money.MustParseAmount("12000"),
				Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: start, Branch: "BJ01"},
		})
	}
	res, err := db.AddLoans(ctx, in)
	if err != nil || len(res.Rejects) > 0 {
		tb.Fatalf("AddLoans: %v %v", err, res.Rejects)
	}
	return res.IDs
}
