package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
	"daihou/signal"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/warning"
)

// The back-test of a rule set over history gives the warnings, and the
// figures, that live close of business gave over the same dates: the book
// lives five months day by day — payments on time, partial, late and
// stopping, and court, bureau and social-security records arriving — each
// day's events before that day's close; then the back-test replays the
// same months from the ledger and the dated signals.
func TestBacktestEqualsLiveCloseOfBusiness(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 24) // 2026-01-10, two loans to a borrower
		ctx := storetest.Ctx()
		imp := importer(t)
		from, to := day("2026-01-10"), day("2026-06-05")
		const installment = 106619 // 12,000.00 over 12 months at 12 %
		seq := 0
		// Each day's payments and records come in on the day, dated the
		// business date — the date closed the night before — and that
		// night's close takes them.
		closeThrough(t, db, from)
		for d := from; d < to; d++ {
			for i, id := range ids {
				due := d.Day() == 10 && d > from
				var amount money.Amount
				switch {
				case i%6 == 0 && due: // on time
					amount = installment
				case i%6 == 1 && due: // partial
					amount = installment / 2
				case i%6 == 2 && due && d.Month() <= 3: // stops after two
					amount = installment
				case i%6 == 3 && d.Day() == 20 && d.Month() >= 2: // ten days late
					amount = installment
				case i%6 == 4 && due && d.Month() != 4: // misses April
					amount = installment
				}
				if amount == 0 {
					continue
				}
				seq++
				if _, _, err := db.Post(ctx, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: d, Amount: amount, Reference: fmt.Sprintf("P%d", seq)}); err != nil {
					t.Fatalf("%v loan %d: %v", d, id, err)
				}
			}
			var recs []store.SignalIn
			for b := range len(ids) / 2 {
				borrower := fmt.Sprintf("B%d", b)
				switch {
				case b%3 == 1 && d == day("2026-03-03"):
					recs = append(recs, courtRecord(fmt.Sprintf("C%d", b), borrower, d))
				case b%4 == 2 && d.Day() == 15:
					recs = append(recs, store.SignalIn{Record: signal.Record{Source: signal.Bureau, ID: fmt.Sprintf("R%d-%v", b, d), Borrower: borrower, Date: d,
						Fields: map[string]string{"inquiries": "3", "open_loans": "4", "balance": "1000.00", "overdue_accounts": "1", "overdue_amount": "100.00"}},
						Signals: []signal.Signal{{Kind: signal.Inquiries, Date: d, Value: 3}, {Kind: signal.OpenLoans, Date: d, Value: 4},
							{Kind: signal.BalanceElsewhere, Date: d, Value: 100000}, {Kind: signal.OverdueElsewhere, Date: d, Value: 10000}}})
				case b%5 == 3 && d.Day() == 28:
					paid := int64(0)
					if d.Month() < 3 {
						paid = 800000
					}
					recs = append(recs, store.SignalIn{Record: signal.Record{Source: signal.Social, ID: fmt.Sprintf("S%d-%v", b, d), Borrower: borrower, Date: d,
						Fields: map[string]string{"month": d.String()[:7], "status": map[bool]string{true: "paid", false: "unpaid"}[paid > 0]}},
						Signals: []signal.Signal{{Kind: signal.SocialPaid, Date: d, Value: paid}}})
				}
			}
			if len(recs) > 0 {
				if _, err := db.IngestSignals(imp, store.Source{Name: d.String()}, recs, nil); err != nil {
					t.Fatal(err)
				}
			}
			closeThrough(t, db, d.AddDays(1))
		}

		live, err := db.Warnings(ctx, store.WarningFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		rules, err := db.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		bt, err := db.BacktestRules(ctx, rules, from, to)
		if err != nil {
			t.Fatal(err)
		}
		key := func(ws []warning.Warning) []string {
			var out []string
			for _, w := range ws {
				out = append(out, fmt.Sprintf("%v loan %d %s v%d %s: %s", w.Raised, w.LoanID, w.Rule, w.Version, w.Severity, w.Reason))
			}
			slices.Sort(out)
			return out
		}
		if len(live) < 10 {
			t.Fatalf("live close of business raised %d warnings: the scenario must exercise the rules", len(live))
		}
		if diff := cmp.Diff(key(live), key(bt.Warnings)); diff != "" {
			t.Errorf("warnings: live (-) and back-test (+):\n%s", diff)
		}
		report, err := db.WarningReport(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(report, bt.Report); diff != "" {
			t.Errorf("figures: live (-) and back-test (+):\n%s", diff)
		}
		if report.Set.Early90.Den == 0 && report.Set.Hit30.Den == 0 {
			t.Errorf("the scenario judged nothing: %+v", report.Set)
		}
		t.Logf("%d warnings; set: early 90+ %v, hit 30+ %v", len(live), report.Set.Early90, report.Set.Hit30)
		_ = civil.Date(0)
	})
}
