package synth

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/schedule"
	"daihou/servicing"
)

var testConfig = Config{Seed: 3, Loans: 4000, Months: 18, Until: civil.MustParse("2026-02-14")}

// eachLoan generates every loan of cfg with a fresh worker and calls fn
// with the worker's loan state right after the loan was generated.
func eachLoan(t *testing.T, cfg Config, fn func(i int, g *loanGen)) {
	t.Helper()
	e := newEnv(cfg)
	w := newWorker(e, newHistory(append(append([]civil.Date{}, e.ends...), cfg.Until)))
	var b Batch
	for i := 0; i < cfg.Loans; i++ {
		b.reset(i)
		w.loan(&b, i)
		fn(i, &w.g)
	}
}

// The borrower's view of the schedule, laid out only up to the end of
// history, is exactly the start of the schedule servicing generates.
func TestViewIsThePrefixOfTheSchedule(t *testing.T) {
	eachLoan(t, testConfig, func(i int, g *loanGen) {
		if g.reshaped {
			return
		}
		full, err := schedule.Generate(g.l.Terms())
		if err != nil {
			t.Fatalf("loan %d: %v", i, err)
		}
		g.view()
		for k, due := range g.dues {
			in := full[k]
			if in.DueDate != due || in.Principal+in.Interest != g.totals[k] || in.Principal != g.prin[k] {
				t.Fatalf("loan %d (%s %d months) installment %d: view %v %v %v, schedule %+v", i, g.l.Method, g.l.Term, k+1, due, g.totals[k], g.prin[k], in)
			}
		}
		if n := len(g.dues); n < len(full) && !full[n].DueDate.After(testConfig.Until) {
			t.Fatalf("loan %d: view stops at %d installments but %v is due by %v", i, n, full[n].DueDate, testConfig.Until)
		}
	})
}

// The month-end states generation computes without replay count in the
// aggregates exactly as a replay's would.
func TestMonthEndStatesEqualReplay(t *testing.T) {
	analytic := 0
	eachLoan(t, testConfig, func(i int, g *loanGen) {
		var prev *eod.Record
		for _, e := range newEnv(testConfig).ends {
			if e.Before(g.l.Disbursed) {
				continue
			}
			got := g.monthEndState(e)
			st := servicing.Replay(*g.p, g.l, g.txs, e)
			want := loanstate.FromState(&st, loanstate.Input{Product: *g.p, Loan: g.l, Txs: g.txs})
			a, b := eod.NewRecord(&g.l, &got, g.p.LGD, prev), eod.NewRecord(&g.l, &want, g.p.LGD, prev)
			if diff := cmp.Diff(b, a); diff != "" {
				t.Fatalf("loan %d at %v (-replay +generator):\n%s", i, e, diff)
			}
			if g.firstDirty == 0 || e.Before(g.firstDirty) {
				analytic++
			}
			prev = &b
		}
	})
	if analytic == 0 {
		t.Fatal("no month-end state was computed without replay")
	}
}

// Every generated transaction passes the posting gate, servicing.Check, in
// the order it was posted: a generated book is one the ledger would accept.
func TestTransactionsPassTheLedgersChecks(t *testing.T) {
	eachLoan(t, Config{Seed: 5, Loans: 1500, Months: 24, Until: testConfig.Until}, func(i int, g *loanGen) {
		txs := g.txs
		for k := 1; k < len(txs); k++ {
			if err := servicing.Check(*g.p, g.l, txs[:k], txs[k], testConfig.Until); err != nil {
				t.Fatalf("loan %d transaction %d (%s %v on %v): %v", i, txs[k].Seq, txs[k].Kind, txs[k].Amount, txs[k].ValueDate, err)
			}
			if txs[k].Seq != txs[k-1].Seq+1 || txs[k].ValueDate.Before(txs[k-1].ValueDate) {
				t.Fatalf("loan %d: transactions out of order at %d", i, k)
			}
		}
	})
}
