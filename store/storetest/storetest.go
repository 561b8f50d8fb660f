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
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // for creating and dropping test schemas

	"daihou/auth"
	"daihou/civil"
	"daihou/money"
	"daihou/pii"
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

// Ctx returns a context acting as the local operator of a book with no
// users, as the command line does: what every test that is not about
// users and scope acts as.
func Ctx() context.Context {
	return auth.NewContext(context.Background(), auth.Local())
}

// Keys is the personal-data key ring of every test database: one per test
// run, so that a generated database copied for another test opens. A
// process a test starts inherits it through EnvKey.
var Keys = func() *pii.KeyRing {
	if v := os.Getenv(EnvKey); v != "" {
		k, err := pii.ParseKeys(v)
		if err != nil {
			panic(EnvKey + ": " + err.Error())
		}
		return k
	}
	k := pii.NewKeyRing()
	os.Setenv(EnvKey, string(k.KeyFile())) // for child test processes, which inherit the environment
	return k
}()

// EnvKey carries Keys to the test processes a test starts.
const EnvKey = "DAIHOU_TEST_KEY"

// Open opens a new, empty database on backend with Keys, closed when tb
// ends.
func Open(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	return OpenPath(tb, DSN(tb, backend))
}

// OpenDSN opens dsn with Keys; the caller closes it.
func OpenDSN(ctx context.Context, dsn string) (*store.DB, error) { return open(ctx, dsn) }

// KeyEnv is DAIHOU_KEY=… holding Keys, for a daihou process a test starts.
func KeyEnv() string { return "DAIHOU_KEY=" + string(Keys.KeyFile()) }

// open opens dsn with Keys.
func open(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.UseKeys(ctx, Keys); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// AddLoans adds product p and n 12-month loans of 12,000.00 at 12 %
// disbursed on 2026-01-10, two to a borrower, opening the book on that
// date; loan and borrower numbers start with prefix.
func AddLoans(tb testing.TB, db *store.DB, p servicing.Product, n int, prefix string) []int64 {
	tb.Helper()
	ctx := Ctx()
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
	res, err := db.AddLoans(ctx, store.Source{Name: prefix + "loans", Rows: n}, in)
	if err != nil || len(res.Rejects) > 0 {
		tb.Fatalf("AddLoans: %v %v", err, res.Rejects)
	}
	return res.IDs
}

// Users adds users to db, each given as "name=role,role" (optionally
// "…@branch:A,B" or "…@all" for a granted scope), and returns a context
// acting as each by name. A book with no users gets an "admin" first
// (added by the local operator), which adds the others.
func Users(tb testing.TB, db *store.DB, specs ...string) map[string]context.Context {
	tb.Helper()
	ctx := Ctx()
	out := map[string]context.Context{}
	has, err := db.HasUsers(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if !has {
		if _, err := db.AddUser(ctx, store.NewUser{Name: "admin", Roles: []auth.Role{auth.Admin}}); err != nil {
			tb.Fatal(err)
		}
	}
	admin := As(tb, db, "admin")
	out["admin"] = admin
	for _, spec := range specs {
		name, rest, _ := strings.Cut(spec, "=")
		roles, scope, _ := strings.Cut(rest, "@")
		nu := store.NewUser{Name: name}
		for _, r := range strings.Split(roles, ",") {
			nu.Roles = append(nu.Roles, auth.Role(r))
		}
		if scope != "" {
			if nu.Scope, err = store.ParseGrantedScope(scope); err != nil {
				tb.Fatal(err)
			}
		}
		if _, err := db.AddUser(admin, nu); err != nil {
			tb.Fatalf("user %s: %v", spec, err)
		}
		out[strings.ToLower(strings.TrimSpace(name))] = As(tb, db, name)
	}
	return out
}

// As returns a context acting as the user name of db.
func As(tb testing.TB, db *store.DB, name string) context.Context {
	tb.Helper()
	a, _, err := db.UserActor(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return auth.NewContext(context.Background(), a)
}

// EOD returns a context acting as close of business.
func EOD() context.Context {
	return auth.NewContext(context.Background(), auth.EOD())
}
