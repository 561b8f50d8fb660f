package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"daihou/auth"
	"daihou/civil"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
)

// A posting that reaches a loan between the plan of an import chunk and
// its write must not be lost, nor the import's payment applied twice: the
// write fails on the transaction key and the chunk is planned again inside
// the write transaction.
func TestImportReplansWhenALoanMovedUnderIt(t *testing.T) {
	eachDSN(t, "replan", testImportReplans)
}

// eachDSN runs fn on a new SQLite file and, when DAIHOU_TEST_POSTGRES is
// set, on a new PostgreSQL schema (storetest imports this package, so the
// schema is made here).
func eachDSN(t *testing.T, name string, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "t.db")) })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("DAIHOU_TEST_POSTGRES")
		if base == "" {
			t.Skip("PostgreSQL not tested: set DAIHOU_TEST_POSTGRES=postgres://… to run this against it")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		schema := fmt.Sprintf("t_%s_%d", name, os.Getpid())
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		fn(t, u.String())
	})
}

// openBook opens the database at dsn as the local operator with the
// default "CL" product and the book opened; it is closed when t ends.
func openBook(t *testing.T, dsn string) (*DB, context.Context) {
	t.Helper()
	ctx := auth.NewContext(context.Background(), auth.Local())
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.OpenBook(ctx, civil.MustParse("2026-03-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutProduct(ctx, servicing.DefaultProduct("CL")); err != nil {
		t.Fatal(err)
	}
	return db, ctx
}

func testImportReplans(t *testing.T, dsn string) {
	db, ctx := openBook(t, dsn)
	added, err := db.AddLoans(ctx, Source{Name: "loans"}, []NewLoan{
		{Line: 2, Borrower: servicing.Borrower{ExternalID: "B1"}, Loan: servicing.Loan{ExternalID: "L1", Product: "CL", Principal: money.MustParseAmount("12000"), Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: civil.MustParse("2026-01-10")}},
		{Line: 3, Borrower: servicing.Borrower{ExternalID: "B2"}, Loan: servicing.Loan{ExternalID: "L2", Product: "CL", Principal: money.MustParseAmount("12000"), Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: civil.MustParse("2026-01-10")}},
	})
	if err != nil || len(added.Rejects) > 0 {
		t.Fatal(err, added.Rejects)
	}
	ids := added.IDs
	pays := []Payment{
		{Line: 2, LoanRef: "L1", ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: "IMPORT-1"},
		{Line: 3, LoanRef: "L2", ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: "IMPORT-2"},
	}
	refs, err := db.resolveLoans(ctx, pays)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.newPoster(ctx, db.read, civil.MustParse("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.plan(ctx, db.read, pays, refs)
	if err != nil || res.Posted != 2 {
		t.Fatalf("plan: %+v %v", res, err)
	}
	// Meanwhile the counter posts to L1, and the same reference as the
	// import's to L2.
	if _, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: civil.MustParse("2026-02-20"), Amount: 5000, Reference: "COUNTER-9"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[1], Kind: servicing.Repayment, ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: "IMPORT-2"}); err != nil {
		t.Fatal(err)
	}
	res, err = db.writePlan(ctx, p, pays, refs, res, func(context.Context, *wtx, ImportResult) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Posted != 1 || res.Duplicates != 1 {
		t.Errorf("after re-planning: posted %d, duplicates %d; want 1 and 1", res.Posted, res.Duplicates)
	}
	prods, _ := db.Products(ctx)
	for i, id := range ids {
		txs, _ := db.Transactions(ctx, id)
		if want := 3 - i; len(txs) != want { // L1: disbursement, counter, import; L2: disbursement, one payment
			t.Errorf("loan %d has %d transactions, want %d", id, len(txs), want)
		}
		l, _ := db.Loan(ctx, id)
		d, _, _ := db.deriver(ctx)
		derived, _ := d.Derive(civil.MustParse("2026-03-01"), []loanstate.Input{{Product: prods["CL"], Loan: l, Txs: txs}}, nil)
		want := derived[0].Snapshot
		got, _ := db.Snapshot(ctx, id)
		if got != want {
			t.Errorf("loan %d: cached state differs from replay:\n got %+v\nwant %+v", id, got, want)
		}
	}
}

// A loan counts its borrower's other loans, whether they came in earlier
// files or earlier in the same chunk.
func TestSiblingsWithinAndAcrossChunks(t *testing.T) {
	eachDSN(t, "siblings", func(t *testing.T, dsn string) {
		db, ctx := openBook(t, dsn)
		n := 0
		loan := func(borrower string) NewLoan {
			n++
			return NewLoan{Line: n + 1, Borrower: servicing.Borrower{ExternalID: borrower}, Loan: servicing.Loan{ExternalID: fmt.Sprintf("L%d", n), Product: "CL",
				Principal: money.MustParseAmount("1000"), Rate: money.MustParseRate("0.12"), Term: 6, Disbursed: civil.MustParse("2026-01-10")}}
		}
		want := map[string]int{} // loans a borrower has
		add := func(borrowers ...string) {
			t.Helper()
			var in []NewLoan
			for _, b := range borrowers {
				in = append(in, loan(b))
				want[b]++
			}
			res, err := db.AddLoans(ctx, Source{Name: "loans"}, in)
			if err != nil || len(res.Rejects) > 0 {
				t.Fatal(err, res.Rejects)
			}
			rows, err := db.read.QueryContext(ctx, `SELECT b.external_id, l.siblings FROM loans l JOIN borrowers b ON b.id = l.borrower_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var b string
				var s int
				if err := rows.Scan(&b, &s); err != nil {
					t.Fatal(err)
				}
				if s != want[b]-1 {
					t.Errorf("after %v: a loan of %s has %d siblings, want %d", borrowers, b, s, want[b]-1)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
		add("B1", "B2", "B1", "B3", "B1", "B3")
		add("B1", "B4", "B2")
	})
}
