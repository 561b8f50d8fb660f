package store_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou"
	"daihou/audit"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("DAIHOU_OPEN_CHILD"); path != "" {
		os.Exit(openChild(path))
	}
	if dsn := os.Getenv("DAIHOU_POST_CHILD"); dsn != "" {
		os.Exit(postChild(dsn, os.Getenv("DAIHOU_POST_TX")))
	}
	storetest.FewerChecksUnderRace(15)
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

// MustOpenDB opens a fresh database on backend with a fixed clock.
func MustOpenDB(tb testing.TB, backend string) *store.DB {
	tb.Helper()
	db := storetest.Open(tb, backend)
	db.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	return db
}

// MustAddLoans adds a product and n 12-month loans of 12,000.00 at 12 %
// disbursed on 2026-01-10, two to a borrower, with the book opened on
// that date.
func MustAddLoans(tb testing.TB, db *store.DB, p servicing.Product, n int) []int64 {
	tb.Helper()
	return storetest.AddLoans(tb, db, p, n, "")
}

// mustOpenBook opens a database with the default "CL" product and the
// book opened on business.
func mustOpenBook(tb testing.TB, backend string, business civil.Date) *store.DB {
	tb.Helper()
	db := MustOpenDB(tb, backend)
	ctx := storetest.Ctx()
	if _, err := db.PutProduct(ctx, servicing.DefaultProduct("CL")); err != nil {
		tb.Fatal(err)
	}
	if err := db.OpenBook(ctx, business); err != nil {
		tb.Fatal(err)
	}
	return db
}

// closeThrough runs close of business on db through d.
func closeThrough(tb storetest.T, db *store.DB, d civil.Date) []eod.Summary {
	tb.Helper()
	sums, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), d, false)
	if err != nil {
		tb.Fatal(err)
	}
	return sums
}

var day = civil.MustParse

func TestMigrationsAndBusinessDate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := storetest.Ctx()
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		// A new book has no business date: not the wall clock.
		if d, err := db.BusinessDate(ctx); !errors.Is(err, store.ErrNoBusinessDate) {
			t.Errorf("new book's business date = %v, %v; want ErrNoBusinessDate", d, err)
		}
		if err := db.OpenBook(ctx, day("2026-01-31")); err != nil {
			t.Fatal(err)
		}
		if d, err := db.BusinessDate(ctx); err != nil || d != day("2026-01-31") {
			t.Errorf("business date = %v, %v; want the date the book was opened on", d, err)
		}
		closeThrough(t, db, day("2026-02-02"))
		if err := db.OpenBook(ctx, day("2026-03-01")); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("moving the business date past close of business: %v, want ECONFLICT", err)
		}
	})
}

func TestPostIdempotentAndConflict(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := storetest.Ctx()
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 2)
		closeThrough(t, db, day("2026-02-20"))
		pay := servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: day("2026-02-10"), Amount: money.MustParseAmount("1066.19"), Reference: "BANK-1"}
		if _, dup, err := db.Post(ctx, pay); err != nil || dup {
			t.Fatalf("first post: dup %v err %v", dup, err)
		}
		if _, dup, err := db.Post(ctx, pay); err != nil || !dup {
			t.Fatalf("re-delivery: dup %v err %v, want duplicate", dup, err)
		}
		other := pay
		other.Amount++
		if _, _, err := db.Post(ctx, other); !errors.Is(err, store.ErrReferenceConflict) || daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Fatalf("same reference, other amount: %v, want ECONFLICT", err)
		}
		// The reference names one payment in the whole book: re-delivered
		// against another loan it is a conflict, not a second payment.
		other = pay
		other.LoanID = ids[1]
		if _, _, err := db.Post(ctx, other); !errors.Is(err, store.ErrReferenceConflict) {
			t.Fatalf("same reference on another loan: %v, want ErrReferenceConflict", err)
		}
		// Fees and waivers take an idempotency key too.
		fee := servicing.Tx{LoanID: ids[0], Kind: servicing.FeeCharge, ValueDate: day("2026-02-20"), Amount: money.MustParseAmount("30"), Reference: "FEE-1"}
		for i := range 2 {
			if _, dup, err := db.Post(ctx, fee); err != nil || dup != (i == 1) {
				t.Fatalf("fee, delivery %d: dup %v err %v", i+1, dup, err)
			}
		}
		txs, _ := db.Transactions(ctx, ids[0])
		if len(txs) != 3 {
			t.Errorf("%d transactions, want disbursement, one repayment and one fee", len(txs))
		}
		future := servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: day("2026-03-01"), Amount: 100, Reference: "F"}
		if _, _, err := db.Post(ctx, future); !errors.Is(err, servicing.ErrAfterBusinessDate) {
			t.Errorf("future value date: %v, want ErrAfterBusinessDate", err)
		}
		storetest.CheckCache(t, db)
	})
}

func TestImportPaymentsRejectsAndRedelivery(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := storetest.Ctx()
		MustAddLoans(t, db, servicing.DefaultProduct("CL"), 3)
		closeThrough(t, db, day("2026-03-15"))
		pays := []store.Payment{
			{Line: 2, LoanRef: "L0", ValueDate: day("2026-02-10"), Amount: 106619, Reference: "a"},
			{Line: 3, LoanRef: "NOPE", ValueDate: day("2026-02-10"), Amount: 100, Reference: "b"},
			{Line: 4, LoanRef: "L1", ValueDate: day("2026-01-01"), Amount: 100, Reference: "c"},
			{Line: 5, LoanRef: "L2", ValueDate: day("2026-03-10"), Amount: 50000, Reference: "d"},
			{Line: 6, LoanRef: "L0", ValueDate: day("2026-02-10"), Amount: 106619, Reference: "a"},
			{Line: 7, LoanRef: "L1", ValueDate: day("2026-02-10"), Amount: 106619, Reference: "a"}, // "a" is L0's
		}
		res, err := db.ImportPayments(ctx, store.Source{Name: "pays.csv"}, pays, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Posted != 2 || res.Duplicates != 1 || len(res.Rejects) != 3 {
			t.Fatalf("posted %d dups %d rejects %v; want 2, 1, 3", res.Posted, res.Duplicates, res.Rejects)
		}
		if res.Rejects[0].Line != 3 || res.Rejects[1].Line != 4 || res.Rejects[2].Line != 7 {
			t.Errorf("reject lines %v, want 3, 4 and 7", res.Rejects)
		}
		again, err := db.ImportPayments(ctx, store.Source{Name: "pays.csv"}, pays, nil)
		if err != nil || again.Posted != 0 || again.Duplicates != 3 {
			t.Fatalf("re-import: %+v %v; want nothing posted, 3 duplicates", again, err)
		}
		storetest.CheckCache(t, db)
	})
}

// A loans file delivered twice adds nothing the second time; rows that
// contradict the book are conflicts, each with its line and reason, and
// the good rows of the file are added.
func TestAddLoansRedeliveryAndConflicts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := mustOpenBook(t, backend, day("2026-01-31"))
		ctx := storetest.Ctx()
		loan := func(line int, id, borrower, phone, principal, disbursed string) store.NewLoan {
			return store.NewLoan{Line: line, Borrower: servicing.Borrower{ExternalID: borrower, Name: "李四", Phone: phone},
				Loan: servicing.Loan{ExternalID: id, Product: "CL", Principal: money.MustParseAmount(principal), Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: day(disbursed)}}
		}
		first := []store.NewLoan{loan(2, "A1", "B1", "13800001111", "5000", "2026-01-10"), loan(3, "A2", "B1", "", "7000", "2026-01-20")}
		res, err := db.AddLoans(ctx, store.Source{Name: "loans.csv"}, first)
		if err != nil || len(res.IDs) != 2 || len(res.Rejects) != 0 {
			t.Fatalf("first delivery: %+v %v", res, err)
		}
		again, err := db.AddLoans(ctx, store.Source{Name: "loans.csv"}, first)
		if err != nil || len(again.IDs) != 0 || again.Present != 2 || len(again.Rejects) != 0 {
			t.Fatalf("re-delivery: %+v %v; want both rows already present", again, err)
		}
		hiRate := loan(8, "A7", "B6", "", "1000", "2026-01-10")
		hiRate.Loan.Rate = money.MustParseRate("0.48")
		mixed := []store.NewLoan{
			loan(2, "A1", "B1", "13800001111", "5500", "2026-01-10"), // another principal
			loan(3, "A3", "B1", "13900002222", "1000", "2026-01-10"), // the borrower's phone differs
			loan(4, "A4", "B2", "", "1000", "2026-02-05"),            // disbursed after the business date
			loan(5, "A5", "B3", "", "1000", "2026-01-15"),            // good
			loan(6, "A2", "B1", "", "7000", "2026-01-20"),            // present
			hiRate,
		}
		res, err = db.AddLoans(ctx, store.Source{Name: "loans.csv"}, mixed)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.IDs) != 1 || res.Present != 1 || len(res.Rejects) != 4 {
			t.Fatalf("mixed delivery: added %d, present %d, rejects %v; want 1, 1, 4", len(res.IDs), res.Present, res.Rejects)
		}
		for i, want := range []struct {
			line int
			text string
		}{{2, "principal 5000.00, file 5500.00"}, {3, "another phone"}, {4, "after the business date"}, {8, "above"}} {
			if r := res.Rejects[i]; r.Line != want.line || !strings.Contains(r.Reason, want.text) {
				t.Errorf("reject %d: line %d %q, want line %d saying %q", i, r.Line, r.Reason, want.line, want.text)
			}
		}
		storetest.CheckCache(t, db)
	})
}

func TestOverrideMakerChecker(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 1)
		as := storetest.Users(t, db, "Alice=risk-officer", "bob=risk-officer", "carol=manager", "dave=collector", "erin=auditor")
		ctx := as["bob"]
		if _, err := db.ProposeOverride(as["alice"], ids[0], classification.Normal, "no"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("override to the current class: %v, want EINVALID", err)
		}
		// A collector does not see a loan not assigned to them; an auditor
		// sees it and may not propose.
		if _, err := db.ProposeOverride(as["dave"], ids[0], classification.Substandard, "x"); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("collector proposing on a loan outside the queue: %v, want ENOTFOUND", err)
		}
		if _, err := db.ProposeOverride(as["erin"], ids[0], classification.Substandard, "x"); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("auditor proposing: %v, want EUNAUTHORIZED", err)
		}
		id, err := db.ProposeOverride(as["alice"], ids[0], classification.Substandard, "borrower's business closed")
		if err != nil {
			t.Fatal(err)
		}
		// ALICE is alice: the same person cannot check her own proposal,
		// whatever the case of the name she logs in with.
		if err := db.DecideOverride(storetest.As(t, db, " ALICE "), ids[0], id, true); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("maker approving own override: %v, want EUNAUTHORIZED", err)
		}
		if err := db.DecideOverride(as["erin"], ids[0], id, true); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("auditor approving: %v, want EUNAUTHORIZED", err)
		}
		if err := db.DecideOverride(as["bob"], ids[0], id, true); err != nil {
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
		if err := db.DecideOverride(as["carol"], ids[0], id, false); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("deciding twice: %v, want ECONFLICT", err)
		}
		// The proposal and the decision are in the audit trail, by name.
		entries, err := db.AuditEntries(ctx, audit.LoanObject(ids[0]), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "override.") {
				who = append(who, e.Action+" "+e.Actor)
			}
		}
		if want := []string{"override.propose user:alice", "override.decide user:bob"}; !slices.Equal(who, want) {
			t.Errorf("override entries %q, want %q", who, want)
		}
		// Close of business, every night after, keeps the override.
		closeThrough(t, db, day("2026-01-12"))
		closeThrough(t, db, day("2026-01-13"))
		storetest.CheckCache(t, db)
	})
}

// Property: whatever sequence of postings (repayments, some back-dated,
// reversals, waivers, fees) and closes of business happens, with a
// champion model scoring, the cached state of every loan equals a fresh
// derivation of its stored transactions — score, contagion and IFRS 9
// stage included — and the aggregates equal a rebuild.
func TestCachedStateEqualsReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		// One database for all cases, each with loans of its own disbursed
		// on the business date of the moment: a fresh PostgreSQL schema
		// per case would make this test slow for no gain.
		db := MustOpenDB(t, backend)
		ctx := storetest.Ctx()
		storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 2, "seed")
		storetest.Champion(t, db)
		round := 0
		rapid.Check(t, func(rt *rapid.T) {
			round++
			p := servicing.DefaultProduct(fmt.Sprintf("P%d", round))
			p.Method = rapid.SampledFrom(schedule.Methods).Draw(rt, "method")
			p.Prepayment = rapid.SampledFrom([]servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment}).Draw(rt, "prepay")
			p.Compound = rapid.Bool().Draw(rt, "compound")
			if _, err := db.PutProduct(ctx, p); err != nil {
				rt.Fatal(err)
			}
			start, err := db.BusinessDate(ctx)
			if err != nil {
				rt.Fatal(err)
			}
			var in []store.NewLoan
			for i := range 3 {
				in = append(in, store.NewLoan{Line: i + 2, Borrower: servicing.Borrower{ExternalID: fmt.Sprintf("%s-B%d", p.Code, i/2)},
					Loan: servicing.Loan{ExternalID: fmt.Sprintf("%s-L%d", p.Code, i), Product: p.Code, Principal: money.Amount(rapid.Int64Range(1000_00, 50_000_00).Draw(rt, "principal")),
						Rate: money.MustParseRate("0.12"), Term: rapid.IntRange(1, 24).Draw(rt, "term"), Disbursed: start}})
			}
			added, err := db.AddLoans(ctx, store.Source{Name: "loans.csv"}, in)
			if err != nil || len(added.Rejects) > 0 {
				rt.Fatal(err, added.Rejects)
			}
			ids := added.IDs
			business := start
			// Each day is its own close of business, so days are drawn
			// short mostly, with the odd month to cross due dates.
			for step := range rapid.IntRange(1, 12).Draw(rt, "steps") {
				id := rapid.SampledFrom(ids).Draw(rt, "loan")
				switch rapid.IntRange(0, 5).Draw(rt, "op") {
				case 0, 1:
					business = business.AddDays(rapid.SampledFrom([]int{1, 1, 1, 2, 3, 5, 31}).Draw(rt, "days"))
					if _, err := (&eod.Runner{Store: db, ChunkSize: 2}).Close(ctx, business, false); err != nil {
						rt.Fatal(err)
					}
				case 2, 3:
					back := rapid.IntRange(0, business.Sub(start)).Draw(rt, "back")
					_, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: business.AddDays(-back),
						Amount: money.Amount(rapid.Int64Range(1, 300000).Draw(rt, "amount")), Reference: fmt.Sprintf("%s-R%d", p.Code, step)})
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
			storetest.CheckCache(rt, db, ids...)
			closeThrough(rt, db, business)
			storetest.CheckCache(rt, db, ids...)
			// Retire the case's loans: paid in full, they no longer wake
			// every day in the cases that follow.
			for _, id := range ids {
				if _, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: business, Amount: 1_000_000_000, Reference: fmt.Sprintf("%s-END-%d", p.Code, id)}); err != nil && daihou.ErrorCode(err) != daihou.EINVALID {
					rt.Fatal(err)
				}
			}
		})
	})
}

// Defect: classification_history took its key from a per-process counter,
// so a loan whose class changed twice on one date from two processes (a
// posting after close of business, another posting from a second
// process) failed with a UNIQUE violation. Several handles on one
// database post cures and relapses to the same loans on one date.
func TestClassChangesFromManyHandles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		dsn := storetest.DSN(t, backend)
		first, err := storetest.OpenDSN(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		ids := storetest.AddLoans(t, first, servicing.DefaultProduct("CL"), 4, "")
		// Every loan misses its first installment: 关注 from the day after.
		closeThrough(t, first, day("2026-02-20"))
		handles := []*store.DB{first}
		for range 2 {
			h, err := storetest.OpenDSN(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			handles = append(handles, h)
		}
		rapid.Check(t, func(rt *rapid.T) {
			n := rapid.IntRange(1, 12).Draw(rt, "postings")
			for i := range n {
				h := rapid.SampledFrom(handles).Draw(rt, "handle")
				id := rapid.SampledFrom(ids).Draw(rt, "loan")
				var tx servicing.Tx
				if rapid.Bool().Draw(rt, "cure") { // pays what is overdue: 关注 → 正常
					snap, err := h.Snapshot(ctx, id)
					if err != nil {
						rt.Fatal(err)
					}
					due := snap.OverduePrincipal + snap.OverdueInterest + snap.PenaltyDue + snap.FeesDue
					if due == 0 {
						continue
					}
					tx = servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: day("2026-02-20"), Amount: due, Reference: fmt.Sprintf("C%d-%d-%d", id, i, time.Now().UnixNano())}
				} else { // reverses the last payment: back to 关注
					txs, _ := h.Transactions(ctx, id)
					last := txs[len(txs)-1]
					if last.Kind != servicing.Repayment {
						continue
					}
					tx = servicing.Tx{LoanID: id, Kind: servicing.Reversal, ValueDate: day("2026-02-20"), Reverses: last.Seq}
				}
				if _, _, err := h.Post(ctx, tx); err != nil {
					rt.Fatalf("handle %p posting %+v: %v", h, tx, err)
				}
			}
			for _, id := range ids {
				snap, _ := first.Snapshot(ctx, id)
				hist, err := first.ClassHistory(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				if last := hist[len(hist)-1]; last.To != snap.Class {
					rt.Fatalf("loan %d: history ends at %v, the cache says %v", id, last.To, snap.Class)
				}
			}
		})
		// Close of business afterwards runs as usual, every night.
		closeThrough(t, first, day("2026-02-21"))
		storetest.CheckCache(t, first)
	})
}

// The same across processes, as after 'daihou demo': close of business
// changed the loan's class today, then one process posts a cure, a second
// the reversal of it, a third the cure again — three class changes on one
// date from three processes.
func TestClassChangeTwiceOnOneDateFromTwoProcesses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		dsn := storetest.DSN(t, backend)
		db, err := storetest.OpenDSN(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ids := storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 1, "")
		closeThrough(t, db, day("2026-02-20"))
		snap, _ := db.Snapshot(ctx, ids[0])
		due := snap.OverduePrincipal + snap.OverdueInterest + snap.PenaltyDue
		for i, tx := range []string{
			fmt.Sprintf("repayment %d %d CURE-1", ids[0], due),
			fmt.Sprintf("reversal %d 0 2", ids[0]),
			fmt.Sprintf("repayment %d %d CURE-2", ids[0], due),
		} {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "DAIHOU_POST_CHILD="+dsn, "DAIHOU_POST_TX="+tx)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("process %d posting %q: %v\n%s", i+1, tx, err, out)
			}
		}
		hist, err := db.ClassHistory(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		var today []classification.Class
		for _, c := range hist {
			if c.AsOf == day("2026-02-20") {
				today = append(today, c.To)
			}
		}
		want := []classification.Class{classification.Normal, classification.SpecialMention, classification.Normal}
		if len(today) < 3 || !slices.Equal(today[len(today)-3:], want) {
			t.Errorf("class changes on 2026-02-20: %v, want the last three %v", today, want)
		}
		closeThrough(t, db, day("2026-02-21"))
		storetest.CheckCache(t, db)
	})
}

// postChild posts "KIND LOAN AMOUNT REF" (a reversal: "reversal LOAN 0
// SEQ") to the database dsn, as a fresh process would.
func postChild(dsn, spec string) int {
	var kind string
	var loan, amount int64
	var ref string
	if _, err := fmt.Sscan(spec, &kind, &loan, &amount, &ref); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db, err := storetest.OpenDSN(storetest.Ctx(), dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	tx := servicing.Tx{LoanID: loan, Kind: servicing.TxKind(kind), ValueDate: day("2026-02-20"), Amount: money.Amount(amount), Reference: ref}
	if tx.Kind == servicing.Reversal {
		fmt.Sscan(ref, &tx.Reverses)
		tx.Reference = ""
	}
	if _, _, err := db.Post(storetest.Ctx(), tx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Defect: several processes starting at once on one new SQLite file
// failed with "table settings already exists".
func TestConcurrentFirstOpens(t *testing.T) {
	t.Parallel()
	path := storetest.DSN(t, "sqlite")
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "DAIHOU_OPEN_CHILD="+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				err = fmt.Errorf("%v: %s", err, out)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// openChild opens the database at path, as a fresh process would.
func openChild(path string) int {
	db, err := storetest.OpenDSN(storetest.Ctx(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db.Close()
	return 0
}

// Borrower contagion through the ledger's own paths: a borrower owes
// 12,000.00 at 102 days past due and 100,000.00 current; the current loan
// is 次级 from the import on, stays so through close of business, and goes
// back to 正常 the moment a payment clears the overdue loan — the posting
// derives the borrower's other loan with it.
func TestContagionThroughTheLedger(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		business := day("2026-06-30")
		db := mustOpenBook(t, backend, business)
		ctx := storetest.Ctx()
		due := business.AddDays(-102)
		res, err := db.AddLoans(ctx, store.Source{Name: "loans.csv"}, []store.NewLoan{
			{Line: 2, Borrower: servicing.Borrower{ExternalID: "B1"}, Loan: servicing.Loan{ExternalID: "OLD", Product: "CL", Principal: money.MustParseAmount("12000"),
				Rate: 0, Term: 3, Method: schedule.Bullet, Disbursed: due.AddMonthsClamped(-3, due.Day())}},
			{Line: 3, Borrower: servicing.Borrower{ExternalID: "B1"}, Loan: servicing.Loan{ExternalID: "NEW", Product: "CL", Principal: money.MustParseAmount("100000"),
				Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: business}},
		})
		if err != nil || len(res.Rejects) > 0 {
			t.Fatal(err, res.Rejects)
		}
		old, cur := res.IDs[0], res.IDs[1]
		check := func(when string, want classification.Class) {
			t.Helper()
			s, err := db.Snapshot(ctx, cur)
			if err != nil {
				t.Fatal(err)
			}
			if s.Class != want {
				t.Errorf("%s: the current loan is %v (%s), want %v", when, s.Class.Chinese(), s.ClassCause, want.Chinese())
			}
		}
		if s, _ := db.Snapshot(ctx, old); s.DPD != 102 || s.Class != classification.Substandard {
			t.Fatalf("the old loan: DPD %d %v, want 102 and 次级", s.DPD, s.Class.Chinese())
		}
		check("after import", classification.Substandard)
		closeThrough(t, db, business.AddDays(1))
		check("after close of business", classification.Substandard)
		storetest.CheckCache(t, db)
		if _, _, err := db.Post(ctx, servicing.Tx{LoanID: old, Kind: servicing.Repayment, ValueDate: business.AddDays(1), Amount: money.MustParseAmount("20000"), Reference: "PAYOFF"}); err != nil {
			t.Fatal(err)
		}
		check("after the overdue loan is paid", classification.Normal)
		storetest.CheckCache(t, db)
		closeThrough(t, db, business.AddDays(2))
		check("after the next close", classification.Normal)
		storetest.CheckCache(t, db)
	})
}

// Defect: a chunk is read in parts, and a borrower whose loans fell in two
// parts had its other loans' exposures read by both, so contagion weighed
// them twice. The borrower of a 1,000,000-loan book: 4,502.68 at 102 days
// past due beside 36,315.27 and 18,355.48 current is 7.6 % non-performing,
// no contagion; counted twice, 14.1 %, and both current loans were made
// 次级. Here the overdue loan is in the first chunk and the current ones
// at the two ends of the second, which is read in two parts.
func TestContagionWeighsALoanOnceAcrossParts(t *testing.T) {
	t.Parallel()
	// A chunk is read in parts only with two or more cores.
	if n := runtime.GOMAXPROCS(0); n < 2 {
		runtime.GOMAXPROCS(2)
		t.Cleanup(func() { runtime.GOMAXPROCS(n) })
	}
	storetest.Each(t, func(t *testing.T, backend string) {
		business := day("2026-06-30")
		db := mustOpenBook(t, backend, business)
		ctx := storetest.Ctx()
		const chunk = 600
		due := business.AddDays(-102)
		loan := func(borrower, ext, amount string) store.NewLoan {
			return store.NewLoan{Borrower: servicing.Borrower{ExternalID: borrower}, Loan: servicing.Loan{ExternalID: ext, Product: "CL",
				Principal: money.MustParseAmount(amount), Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: business}}
		}
		old := loan("B1", "OLD", "4502.68")
		old.Loan.Rate, old.Loan.Term, old.Loan.Method, old.Loan.Disbursed = 0, 3, schedule.Bullet, due.AddMonthsClamped(-3, due.Day())
		in := []store.NewLoan{old}
		for i := 1; i < 2*chunk; i++ {
			switch i {
			case chunk:
				in = append(in, loan("B1", "CUR1", "36315.27"))
			case 2*chunk - 1:
				in = append(in, loan("B1", "CUR2", "18355.48"))
			default:
				in = append(in, loan(fmt.Sprintf("F%d", i), fmt.Sprintf("F%d", i), "12000"))
			}
		}
		for i := range in {
			in[i].Line = i + 2
		}
		res, err := db.AddLoans(ctx, store.Source{Name: "loans.csv"}, in)
		if err != nil || len(res.Rejects) > 0 {
			t.Fatal(err, res.Rejects)
		}
		if _, err := (&eod.Runner{Store: db, ChunkSize: chunk}).Close(storetest.EOD(), business, true); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.Snapshot(ctx, res.IDs[0]); s.Class != classification.Substandard {
			t.Fatalf("the overdue loan is %v at DPD %d, want 次级", s.Class.Chinese(), s.DPD)
		}
		for _, k := range []int{chunk, 2*chunk - 1} {
			s, err := db.Snapshot(ctx, res.IDs[k])
			if err != nil {
				t.Fatal(err)
			}
			if s.Class != classification.Normal || s.Contagion {
				t.Errorf("loan %s: %v (%s), want 正常: 7.6 %% of the borrower's exposure is non-performing", in[k].Loan.ExternalID, s.Class.Chinese(), s.ClassCause)
			}
		}
		storetest.CheckCache(t, db)
	})
}

// Defect: write-off and reversal rows did not say what they did (a
// write-off of "5" wrote off 12,242.22 and stored 5.00). Every row now
// stores the amount it took and what it applied to each component, and an
// amount the transaction does not use is refused.
func TestTransactionRowsSayWhatTheyApplied(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := storetest.Ctx()
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 2)
		closeThrough(t, db, day("2026-04-20"))
		pay, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: day("2026-02-10"), Amount: money.MustParseAmount("1000"), Reference: "P1"})
		if err != nil {
			t.Fatal(err)
		}
		if a := pay.Applied; a.Sum() != pay.Amount || a.Principal+a.Interest+a.Penalty+a.Compound == 0 {
			t.Errorf("repayment applied %+v, want parts that sum to %v", a, pay.Amount)
		}
		rev, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[0], Kind: servicing.Reversal, ValueDate: day("2026-04-20"), Reverses: pay.Seq})
		if err != nil {
			t.Fatal(err)
		}
		if rev.Amount != pay.Amount || rev.Applied.Sum() != -pay.Amount {
			t.Errorf("reversal stored amount %v applied %+v, want %v taken back", rev.Amount, rev.Applied, pay.Amount)
		}
		if _, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[1], Kind: servicing.WriteOff, ValueDate: day("2026-04-20"), Amount: money.MustParseAmount("5")}); !errors.Is(err, servicing.ErrWriteOffAmount) {
			t.Errorf("write-off of an amount it does not take: %v, want ErrWriteOffAmount", err)
		}
		if _, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[1], Kind: servicing.Restructure, ValueDate: day("2026-04-20"), Amount: 100, NewTerm: 12, NewMethod: schedule.EqualInstallment}); !errors.Is(err, servicing.ErrRestructureAmount) {
			t.Errorf("restructuring with an amount: %v, want ErrRestructureAmount", err)
		}
		before, _ := db.Snapshot(ctx, ids[1])
		wo, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[1], Kind: servicing.WriteOff, ValueDate: day("2026-04-20")})
		if err != nil {
			t.Fatal(err)
		}
		owed := before.PrincipalOutstanding + before.OverdueInterest + before.PenaltyDue + before.CompoundDue + before.FeesDue
		if wo.Amount != owed || wo.Applied.Sum() != owed || wo.Applied.Principal != before.PrincipalOutstanding {
			t.Errorf("write-off stored %v applied %+v, want the %v outstanding (principal %v)", wo.Amount, wo.Applied, owed, before.PrincipalOutstanding)
		}
		txs, _ := db.Transactions(ctx, ids[1])
		if last := txs[len(txs)-1]; last.Amount != wo.Amount || last.Applied != wo.Applied {
			t.Errorf("stored row %+v, want what Post returned %+v", last, wo)
		}
		storetest.CheckCache(t, db)
	})
}

// Defect: override, model, loan and borrower ids came from MAX(id)+1 and
// collided when two writers added at once. Several handles add loans,
// propose overrides and register models concurrently: every write
// succeeds and every id is distinct.
func TestIdsFromTheDatabasesSequences(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		ctx := storetest.Ctx()
		dsn := storetest.DSN(t, backend)
		first, err := storetest.OpenDSN(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		seed := storetest.AddLoans(t, first, servicing.DefaultProduct("CL"), 8, "S")
		const writers = 4
		var wg sync.WaitGroup
		errs := make(chan error, 3*writers)
		loanIDs := make([][]int64, writers)
		overrideIDs := make([]int64, writers)
		modelIDs := make([]int64, writers)
		for w := range writers {
			h, err := storetest.OpenDSN(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			wg.Add(1)
			go func() {
				defer wg.Done()
				var in []store.NewLoan
				for i := range 5 {
					in = append(in, store.NewLoan{Line: i + 2, Borrower: servicing.Borrower{ExternalID: fmt.Sprintf("W%d-B%d", w, i)},
						Loan: servicing.Loan{ExternalID: fmt.Sprintf("W%d-L%d", w, i), Product: "CL", Principal: money.MustParseAmount("1000"), Rate: money.MustParseRate("0.1"), Term: 6, Disbursed: day("2026-01-10")}})
				}
				res, err := h.AddLoans(ctx, store.Source{Name: "loans.csv"}, in)
				if err == nil && len(res.Rejects) > 0 {
					err = fmt.Errorf("rejects %v", res.Rejects)
				}
				loanIDs[w] = res.IDs
				errs <- err
				overrideIDs[w], err = h.ProposeOverride(ctx, seed[w], classification.Doubtful, "test")
				errs <- err
				mv, err := h.RegisterModel(ctx, store.ModelVersion{Segment: "all", Kind: "scorecard", Metrics: "{}", Artefact: []byte("{}")})
				modelIDs[w] = mv.ID
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		seen := map[string]bool{}
		distinct := func(kind string, id int64) {
			k := fmt.Sprintf("%s %d", kind, id)
			if id == 0 || seen[k] {
				t.Errorf("%s id %d given twice (or not at all)", kind, id)
			}
			seen[k] = true
		}
		for w := range writers {
			for _, id := range loanIDs[w] {
				distinct("loan", id)
			}
			distinct("override", overrideIDs[w])
			distinct("model", modelIDs[w])
		}
		for _, id := range seed {
			distinct("loan", id)
		}
	})
}

// The SQLite and PostgreSQL migrations define the same tables with the
// same columns: one SQL runs on both, so a column one dialect lacks is a
// bug waiting for the other.
func TestMigrationsDefineTheSameSchema(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("PostgreSQL not tested: set " + storetest.EnvPostgres + "=postgres://… to compare its schema with SQLite's")
	}
	ctx := storetest.Ctx()
	schema := func(backend string) map[string][]string {
		db, err := storetest.OpenDSN(ctx, storetest.DSN(t, backend))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		s, err := db.Columns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	lite, pg := schema("sqlite"), schema("postgres")
	if len(lite) < 10 {
		t.Fatalf("SQLite has %d tables: the schema query found too few", len(lite))
	}
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Errorf("SQLite and PostgreSQL schemas differ (-sqlite +postgres):\n%s", diff)
	}
}
