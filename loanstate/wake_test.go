package loanstate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// derive is the derivation of one loan on its own.
func derive(p servicing.Product, l servicing.Loan, txs []servicing.Tx, asOf civil.Date) loanstate.Snapshot {
	d := loanstate.Deriver{Contagion: loanstate.DefaultContagion}
	got, _ := d.Derive(asOf, []loanstate.Input{{Product: p, Loan: l, Txs: txs}}, nil)
	return got[0].Snapshot
}

// Property: a loan whose wake date is after day d, with no new transaction,
// derives on d exactly as it did the day before but for AsOf. This is what
// lets close of business skip it.
func TestWakeIsComplete(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := servicing.DefaultProduct("P")
		p.Method = rapid.SampledFrom(schedule.Methods).Draw(t, "method")
		p.Prepayment = rapid.SampledFrom([]servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment}).Draw(t, "prepay")
		p.Compound = rapid.Bool().Draw(t, "compound")
		p.GraceDays = rapid.IntRange(0, 5).Draw(t, "grace")
		p.Tolerance = money.Amount(rapid.Int64Range(0, 500).Draw(t, "tolerance"))
		start := civil.MustParse("2025-01-01").AddDays(rapid.IntRange(0, 400).Draw(t, "start"))
		l := servicing.Loan{ID: 1, Principal: money.Amount(rapid.Int64Range(1000_00, 500_000_00).Draw(t, "principal")),
			Rate: money.Rate(rapid.Int64Range(0, 2_400_000_000).Draw(t, "rate")), Term: rapid.IntRange(1, 24).Draw(t, "term"),
			Method: p.Method, Disbursed: start}
		sched := servicing.Replay(p, l, nil, start)
		var txs []servicing.Tx
		seq := int64(0)
		add := func(tx servicing.Tx) {
			seq++
			tx.Seq, tx.LoanID = seq, 1
			txs = append(txs, tx)
		}
		for i, in := range sched.Installments {
			switch rapid.IntRange(0, 5).Draw(t, "behaviour") {
			case 0, 1: // on time
				add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate, Amount: in.Principal + in.Interest})
			case 2: // late, with a little extra
				add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate.AddDays(rapid.IntRange(1, 40).Draw(t, "late")), Amount: in.Principal + in.Interest + money.Amount(rapid.Int64Range(0, 5000).Draw(t, "extra"))})
			case 3: // partial
				add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate, Amount: (in.Principal + in.Interest) / 2})
			case 4: // missed
			case 5:
				switch rapid.IntRange(0, 2).Draw(t, "event") {
				case 0:
					add(servicing.Tx{Kind: servicing.WriteOff, ValueDate: in.DueDate.AddDays(10)})
				case 1:
					add(servicing.Tx{Kind: servicing.Restructure, ValueDate: in.DueDate.AddDays(3), NewRate: l.Rate, NewTerm: rapid.IntRange(1, 12).Draw(t, "newterm"), NewMethod: schedule.EqualInstallment})
				case 2:
					add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate.AddDays(-3), Amount: in.Principal + in.Interest + 10000})
				}
			}
			if i > 6 {
				break
			}
		}
		for _, d := range rapid.SliceOfN(rapid.IntRange(1, 600), 1, 12).Draw(t, "days") {
			day := start.AddDays(d)
			before := derive(p, l, txs, day.AddDays(-1))
			if w := loanstate.Wake(&before); w != 0 && !w.After(day) {
				continue
			}
			after := derive(p, l, txs, day)
			before.AsOf = day
			if diff := cmp.Diff(before, after); diff != "" {
				// A transaction value-dated on day is a new event, not a change of date.
				for _, tx := range txs {
					if tx.ValueDate == day {
						return
					}
				}
				t.Fatalf("loan not volatile on %v changed (-before +after):\n%s", day, diff)
			}
		}
	})
}
