package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// MustOpenDB opens a fresh database on backend with a fixed clock.
func MustOpenDB(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	db := storetest.Open(tb, backend)
	db.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	return db
}

// MustAddLoans adds a product and n 12-month loans of 12,000.00 at 12 %
// disbursed on 2026-01-10, with the business date on disbursement.
func MustAddLoans(tb testing.TB, db *store.DB, p servicing.Product, n int) []int64 {
	tb.Helper()
	return mustAddLoansNamed(tb, db, p, n, "")
}

// mustAddLoansNamed is MustAddLoans with loan and borrower numbers
// prefixed, so one database can hold many test cases.
func mustAddLoansNamed(tb testing.TB, db *store.DB, p servicing.Product, n int, prefix string) []int64 {
	tb.Helper()
	ctx := context.Background()
	if err := db.PutProduct(ctx, p); err != nil {
		tb.Fatal(err)
	}
	if err := db.SetBusinessDate(ctx, civil.MustParse("2026-01-10")); err != nil {
		tb.Fatal(err)
	}
	var in []store.NewLoan
	for i := 0; i < n; i++ {
		in = append(in, store.NewLoan{
			Line:     i + 2,
			Borrower: servicing.Borrower{ExternalID: prefix + "B" + itoa(i/2), Name: "张三"},
			Loan: servicing.Loan{ExternalID: prefix + "L" + itoa(i), Product: p.Code, Principal: money.MustParseAmount("12000"),
				Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: civil.MustParse("2026-01-10"), Branch: "BJ01"},
		})
	}
	ids, rejects, err := db.AddLoans(ctx, in)
	if err != nil || len(rejects) > 0 {
		tb.Fatalf("AddLoans: %v %v", err, rejects)
	}
	return ids
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestMigrationsAndBusinessDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := context.Background()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		d, err := db.BusinessDate(ctx)
		if err != nil || d != civil.MustParse("2026-03-01") {
			t.Errorf("default business date = %v, %v; want today from the injected clock", d, err)
		}
	})
}

func TestPostIdempotentAndConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := context.Background()
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 1)
		if err := db.SetBusinessDate(ctx, civil.MustParse("2026-02-20")); err != nil {
			t.Fatal(err)
		}
		pay := servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: civil.MustParse("2026-02-10"), Amount: money.MustParseAmount("1066.19"), Reference: "BANK-1"}
		if _, dup, err := db.Post(ctx, pay); err != nil || dup {
			t.Fatalf("first post: dup %v err %v", dup, err)
		}
		if _, dup, err := db.Post(ctx, pay); err != nil || !dup {
			t.Fatalf("re-delivery: dup %v err %v, want duplicate", dup, err)
		}
		pay.Amount++
		_, _, err := db.Post(ctx, pay)
		if !errors.Is(err, store.ErrReferenceConflict) || daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Fatalf("same reference, other amount: %v, want ECONFLICT", err)
		}
		txs, _ := db.Transactions(ctx, ids[0])
		if len(txs) != 2 {
			t.Errorf("%d transactions, want disbursement + one repayment", len(txs))
		}
		future := servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: civil.MustParse("2026-03-01"), Amount: 100, Reference: "F"}
		if _, _, err := db.Post(ctx, future); !errors.Is(err, servicing.ErrAfterBusinessDate) {
			t.Errorf("future value date: %v, want ErrAfterBusinessDate", err)
		}
	})
}

func TestImportPaymentsRejectsAndRedelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := context.Background()
		MustAddLoans(t, db, servicing.DefaultProduct("CL"), 3)
		if err := db.SetBusinessDate(ctx, civil.MustParse("2026-03-15")); err != nil {
			t.Fatal(err)
		}
		pays := []store.Payment{
			{Line: 2, LoanRef: "L0", ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: "a"},
			{Line: 3, LoanRef: "NOPE", ValueDate: civil.MustParse("2026-02-10"), Amount: 100, Reference: "b"},
			{Line: 4, LoanRef: "L1", ValueDate: civil.MustParse("2026-01-01"), Amount: 100, Reference: "c"},
			{Line: 5, LoanRef: "L2", ValueDate: civil.MustParse("2026-03-10"), Amount: 50000, Reference: "d"},
			{Line: 6, LoanRef: "L0", ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: "a"},
		}
		res, err := db.ImportPayments(ctx, pays, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Posted != 2 || res.Duplicates != 1 || len(res.Rejects) != 2 {
			t.Fatalf("posted %d dups %d rejects %v; want 2, 1, 2", res.Posted, res.Duplicates, res.Rejects)
		}
		if res.Rejects[0].Line != 3 || res.Rejects[1].Line != 4 {
			t.Errorf("reject lines %v, want 3 and 4", res.Rejects)
		}
		again, err := db.ImportPayments(ctx, pays, nil)
		if err != nil || again.Posted != 0 || again.Duplicates != 3 {
			t.Fatalf("re-import: %+v %v; want nothing posted, 3 duplicates", again, err)
		}
	})
}

func TestOverrideMakerChecker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := context.Background()
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 1)
		if _, err := db.ProposeOverride(ctx, ids[0], classification.Normal, "no", "risk1"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("override to the current class: %v, want EINVALID", err)
		}
		id, err := db.ProposeOverride(ctx, ids[0], classification.Substandard, "borrower's business closed", "risk1")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideOverride(ctx, ids[0], id, "risk1", true); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("maker approving own override: %v, want EUNAUTHORIZED", err)
		}
		if err := db.DecideOverride(ctx, ids[0], id, "risk2", true); err != nil {
			t.Fatal(err)
		}
		snap, _ := db.Snapshot(ctx, ids[0])
		if snap.Class != classification.Substandard || snap.Stage != 3 {
			t.Errorf("after approval class %v stage %d, want substandard, 3", snap.Class, snap.Stage)
		}
		hist, _ := db.ClassHistory(ctx, ids[0])
		if len(hist) != 2 || hist[1].To != classification.Substandard || hist[1].Cause == "" {
			t.Errorf("class history %+v, want normal then substandard with a cause", hist)
		}
		if err := db.DecideOverride(ctx, ids[0], id, "risk3", false); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("deciding twice: %v, want ECONFLICT", err)
		}
	})
}

// Property: whatever sequence of postings (repayments, some back-dated,
// reversals, waivers, fees) and business-date advances happens, the cached
// state of every loan equals a fresh replay of its stored transactions.
func TestCachedStateEqualsReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) { testCachedStateEqualsReplay(t, backend) })
}

func testCachedStateEqualsReplay(t *testing.T, backend string) {
	// One database for all cases, each with loans of its own: a fresh
	// PostgreSQL schema per case would make this test slow for no gain.
	db := MustOpenDB(t, backend)
	round := 0
	rapid.Check(t, func(rt *rapid.T) {
		round++
		ctx := context.Background()
		p := servicing.DefaultProduct("CL")
		p.Method = rapid.SampledFrom(schedule.Methods).Draw(rt, "method")
		p.Prepayment = rapid.SampledFrom([]servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment}).Draw(rt, "prepay")
		p.Compound = rapid.Bool().Draw(rt, "compound")
		p.Code = "P" + itoa(round)
		ids := mustAddLoansNamed(t, db, p, 2, p.Code)
		business := civil.MustParse("2026-01-10")
		for step := 0; step < rapid.IntRange(1, 30).Draw(rt, "steps"); step++ {
			id := rapid.SampledFrom(ids).Draw(rt, "loan")
			switch rapid.IntRange(0, 5).Draw(rt, "op") {
			case 0, 1:
				business = business.AddDays(rapid.IntRange(1, 45).Draw(rt, "days"))
				if err := db.SetBusinessDate(ctx, business); err != nil {
					rt.Fatal(err)
				}
				if err := db.Refresh(ctx, ids); err != nil {
					rt.Fatal(err)
				}
			case 2, 3:
				back := rapid.IntRange(0, business.Sub(civil.MustParse("2026-01-10"))).Draw(rt, "back")
				_, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: business.AddDays(-back),
					Amount: money.Amount(rapid.Int64Range(1, 300000).Draw(rt, "amount")), Reference: "R" + itoa(step)})
				if err != nil {
					rt.Fatal(err)
				}
			case 4:
				txs, _ := db.Transactions(ctx, id)
				seq := rapid.SampledFrom(txs).Draw(rt, "target").Seq
				db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Reversal, ValueDate: business, Reverses: seq}) // may be refused: fine
			case 5:
				db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Waiver, Component: servicing.Penalty, ValueDate: business, Amount: 1})
			}
		}
		prods, _ := db.Products(ctx)
		for _, id := range ids {
			l, _ := db.Loan(ctx, id)
			txs, _ := db.Transactions(ctx, id)
			want, _ := loanstate.Derive(prods[l.Product], l, txs, business, loanstate.Extra{})
			got, err := db.Snapshot(ctx, id)
			if err != nil {
				rt.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				rt.Fatalf("loan %d: cached state differs from replay (-replay +cache):\n%s", id, diff)
			}
		}
	})
}
