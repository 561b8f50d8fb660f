package warning_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/signal"
	"daihou/warning"
)

var product = servicing.DefaultProduct("consumer")

// loan returns a 12-month equal-installment loan of 12,000 yuan at 12 %.
func loan(id, borrower int64, disbursed string) loanstate.Input {
	return loanstate.Input{Product: product, Loan: servicing.Loan{ID: id, BorrowerID: borrower, Product: "consumer", Principal: 12_000_00,
		Rate: money.MustParseRate("0.12"), Term: 12, Method: schedule.EqualInstallment, Disbursed: d(disbursed)}}
}

// pay adds repayments to in: each installment n (1-based) of pays, paid in
// full on its due date.
func pay(in loanstate.Input, installments ...int) loanstate.Input {
	st := servicing.Replay(in.Product, in.Loan, nil, in.Loan.Disbursed)
	for _, n := range installments {
		i := st.Installments[n-1]
		in.Txs = append(in.Txs, servicing.Tx{Seq: int64(len(in.Txs) + 1), LoanID: in.Loan.ID, Kind: servicing.Repayment, ValueDate: i.DueDate, Amount: i.Principal + i.Interest})
	}
	return in
}

func court(borrower int64, date, known string) signal.Signal {
	return signal.Signal{Borrower: borrower, Kind: signal.CourtCase, Date: d(date), Known: d(known), Value: 1}
}

type brief struct {
	Loan   int64
	Rule   string
	Raised civil.Date
	Reason string
	State  warning.State
}

func briefs(ws []warning.Warning) []brief {
	var out []brief
	for _, w := range ws {
		out = append(out, brief{w.LoanID, w.Rule, w.Raised, w.Reason, w.State})
	}
	return out
}

func TestBacktestHandBuilt(t *testing.T) {
	// Borrower 1 pays the first three installments (due 02-15, 03-15,
	// 04-15) and stops; a court case is filed on 04-01, known on 04-02.
	// Borrower 2 never pays: the first installment falls due 04-10.
	books := []warning.BorrowerBook{
		{BorrowerID: 1, Loans: []loanstate.Input{pay(loan(11, 1, "2026-01-15"), 1, 2, 3)}, Signals: []signal.Signal{court(1, "2026-04-01", "2026-04-02")}},
		{BorrowerID: 2, Loans: []loanstate.Input{loan(21, 2, "2026-03-10")}},
	}
	from, to := d("2026-02-01"), d("2026-09-30")
	ws, ms, err := warning.Backtest(warning.BacktestConfig{}, books, warning.Defaults(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{11, "court_case", d("2026-04-02"), "court_new_3m=1", warning.Raised},
		{21, "first_payment_default", d("2026-04-11"), "first_payment_default=true, dpd=1", warning.Raised},
	}
	if diff := cmp.Diff(want, briefs(ws)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if ws[0].ID != 1 || ws[1].ID != 2 || ws[0].BorrowerID != 1 || ws[0].Severity != warning.Orange || ws[0].Owner != "legal" || ws[0].Version != 1 {
		t.Errorf("first warning %+v", ws[0])
	}
	wantMs := map[int64]warning.Milestones{
		// 05-15 unpaid: 30+ on 06-14, 90+ on 08-13, 次级 (over 90) on 08-14.
		11: {DPD30: d("2026-06-14"), DPD90: d("2026-08-13"), Substandard: d("2026-08-14")},
		// 04-10 unpaid: 30+ on 05-10, 90+ on 07-09, 次级 on 07-10.
		21: {DPD30: d("2026-05-10"), DPD90: d("2026-07-09"), Substandard: d("2026-07-10")},
	}
	if diff := cmp.Diff(wantMs, ms); diff != "" {
		t.Errorf("milestones (-want +got):\n%s", diff)
	}
	// Both loans went 90+ in the window, each warned more than 30 days
	// before: the court case 133 days before, the first-payment default 89.
	rep := warning.Judge(ws, ms, from, to, to)
	if rep.Set.Early90 != (warning.Ratio{Num: 2, Den: 2}) || rep.Set.EarlyNPL != (warning.Ratio{Num: 2, Den: 2}) {
		t.Errorf("early identification %v %v, want 2/2", rep.Set.Early90, rep.Set.EarlyNPL)
	}
}

// With warnings resolved 10 days after they are raised, the cooldown is
// what holds a rule back, and its end wakes the loan: a second court case
// filed within the cooldown of the first warning raises the next on the
// day the cooldown ends.
func TestBacktestCooldown(t *testing.T) {
	book := warning.BorrowerBook{BorrowerID: 1, Loans: []loanstate.Input{pay(loan(11, 1, "2026-01-15"), 1, 2, 3, 4, 5, 6, 7, 8, 9)},
		Signals: []signal.Signal{court(1, "2026-04-01", "2026-04-02"), court(1, "2026-06-20", "2026-06-21")}}
	rules := []warning.Rule{warning.Defaults()[3]} // court_case, cooldown 90
	ws, _, err := warning.Backtest(warning.BacktestConfig{ResolveAfter: 10}, []warning.BorrowerBook{book}, rules, d("2026-02-01"), d("2026-09-30"))
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{11, "court_case", d("2026-04-02"), "court_new_3m=1", warning.Resolved},
		// 04-02 + 90 = 07-01; the first case has left the 90-day window
		// (06-30), the second is in it.
		{11, "court_case", d("2026-07-01"), "court_new_3m=1", warning.Resolved},
	}
	if diff := cmp.Diff(want, briefs(ws)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ws[0].Changed != d("2026-04-12") {
		t.Errorf("resolved %v, want 04-12", ws[0].Changed)
	}
}

func TestBacktestRefuses(t *testing.T) {
	books := []warning.BorrowerBook{{Loans: []loanstate.Input{loan(1, 1, "2026-01-01")}}, {Loans: []loanstate.Input{loan(1, 2, "2026-01-01")}}}
	for name, err := range map[string]error{
		"ends before it starts": second(warning.Backtest(warning.BacktestConfig{}, nil, nil, d("2026-02-01"), d("2026-01-01"))),
		"as of before the end":  second(warning.Backtest(warning.BacktestConfig{AsOf: d("2026-01-15")}, nil, nil, d("2026-01-01"), d("2026-02-01"))),
		"a loan twice":          second(warning.Backtest(warning.BacktestConfig{}, books, nil, d("2026-01-01"), d("2026-02-01"))),
	} {
		if !errors.Is(err, warning.ErrBadBacktest) {
			t.Errorf("%s: %v, want ErrBadBacktest", name, err)
		}
	}
	if _, _, err := warning.Backtest(warning.BacktestConfig{}, nil, []warning.Rule{rule("x", "dpd >")}, d("2026-01-01"), d("2026-02-01")); !errors.Is(err, warning.ErrInvalidRule) {
		t.Errorf("a bad rule: %v", err)
	}
}

func second(_ []warning.Warning, _ map[int64]warning.Milestones, err error) error { return err }

// reference is the slow back-test: every borrower derived and decided on
// every day from `from` to asOf, with no wake dates at all — what close of
// business run daily does. It is written apart from Backtest on purpose.
func reference(books []warning.BorrowerBook, rules []warning.Rule, from, to, asOf civil.Date, resolveAfter int) ([]warning.Warning, map[int64]warning.Milestones, map[int64][2]civil.Date) {
	set, err := warning.CompileSet(rules)
	if err != nil {
		panic(err)
	}
	der := loanstate.Deriver{Contagion: loanstate.DefaultContagion, KeepState: true}
	var all []warning.Warning
	ms := map[int64]warning.Milestones{}
	observed := map[int64][2]civil.Date{} // first day seen 30+, 90+
	for _, b := range books {
		ins := slices.Clone(b.Loans)
		known := func(day civil.Date) []loanstate.Input {
			for i := range ins {
				ins[i].Txs = nil
				for _, t := range b.Loans[i].Txs {
					if !warning.Known(t).After(day) {
						ins[i].Txs = append(ins[i].Txs, t)
					}
				}
			}
			return ins
		}
		sigs := slices.Clone(b.Signals)
		slices.SortFunc(sigs, func(x, y signal.Signal) int {
			if signal.Less(&x, &y) {
				return -1
			}
			if signal.Less(&y, &x) {
				return 1
			}
			return 0
		})
		var ws []warning.Warning
		npl := map[int64]civil.Date{}
		for day := from; !day.After(asOf); day = day.AddDays(1) {
			facts := signal.Summarise(sigs, day)
			for i := range ins {
				ins[i].Facts = nil
				if facts.Any {
					ins[i].Facts = &facts
				}
			}
			got, _ := der.Derive(day, known(day), nil)
			for i, g := range got {
				if !g.OK {
					continue
				}
				s := &g.Snapshot
				id := s.LoanID
				ins[i].InitialScore = s.InitialScore
				o := observed[id]
				if s.DPD >= 30 && o[0] == 0 {
					o[0] = day
				}
				if s.DPD >= 90 && o[1] == 0 {
					o[1] = day
				}
				observed[id] = o
				if s.Class.NonPerforming() && npl[id] == 0 {
					npl[id] = day // from is no later than any disbursement: all is seen
				}
				if day.After(to) {
					continue
				}
				var past []warning.Past
				for _, w := range ws {
					if w.LoanID != id {
						continue
					}
					p := warning.Past{Rule: w.Rule, Raised: w.Raised, Open: resolveAfter == 0 || day.Before(w.Raised.AddDays(resolveAfter))}
					if k := slices.IndexFunc(past, func(x warning.Past) bool { return x.Rule == w.Rule }); k >= 0 {
						past[k] = p
					} else {
						past = append(past, p)
					}
				}
				in := warning.Input{Date: day, Loan: &ins[i].Loan, Snapshot: s, Facts: &facts, Payments: warning.PaymentFactsOf(g.State)}
				hits, _ := set.Decide(&in, past)
				for _, h := range hits {
					ws = append(ws, h.New(id, s.BorrowerID, day))
				}
			}
		}
		for i := range ws {
			if r := ws[i].Raised.AddDays(resolveAfter); resolveAfter > 0 && !r.After(asOf) {
				ws[i].State, ws[i].Changed = warning.Resolved, r
			}
		}
		for i := range ins {
			ins[i].Facts = nil
		}
		final, _ := der.Derive(asOf, known(asOf), nil)
		for i := range ins {
			// What close of business keeps: the first 30+ and 90+ days
			// it saw, which a later payment dated before them (seen the
			// day after its date) does not move.
			o := observed[ins[i].Loan.ID]
			m := warning.Milestones{DPD30: o[0], DPD90: o[1]}
			if final[i].OK {
				f := warning.MilestonesOf(final[i].State, nil)
				if m.DPD30 == 0 {
					m.DPD30 = f.DPD30
				}
				if m.DPD90 == 0 {
					m.DPD90 = f.DPD90
				}
			}
			m.Substandard = npl[ins[i].Loan.ID]
			ms[ins[i].Loan.ID] = m
		}
		all = append(all, ws...)
	}
	return all, ms, observed
}

// genBooks draws a few borrowers with a few loans each — paying on time,
// late, in part or not at all, some restructured or written off — and the
// signals their sources report over the period.
func genBooks(t *rapid.T, start civil.Date) []warning.BorrowerBook {
	nb := rapid.IntRange(1, 3).Draw(t, "borrowers")
	var books []warning.BorrowerBook
	id := int64(0)
	for b := range nb {
		bid := int64(b + 1)
		book := warning.BorrowerBook{BorrowerID: bid}
		for range rapid.IntRange(1, 3).Draw(t, "loans") {
			id++
			l := servicing.Loan{ID: id, BorrowerID: bid, Product: "consumer", Principal: money.Amount(rapid.Int64Range(1000_00, 100_000_00).Draw(t, "principal")),
				Rate: money.Rate(rapid.Int64Range(0, 2_400_000_000).Draw(t, "rate")), Term: rapid.IntRange(1, 12).Draw(t, "term"),
				Method: rapid.SampledFrom(schedule.Methods).Draw(t, "method"), Disbursed: start.AddDays(rapid.IntRange(0, 120).Draw(t, "disbursed"))}
			sched := servicing.Replay(product, l, nil, l.Disbursed)
			var txs []servicing.Tx
			add := func(tx servicing.Tx) {
				tx.Seq, tx.LoanID = int64(len(txs)+1), l.ID
				txs = append(txs, tx)
			}
		installments:
			for _, in := range sched.Installments {
				due := in.Principal + in.Interest
				switch rapid.IntRange(0, 6).Draw(t, "behaviour") {
				case 0, 1:
					add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate, Amount: due})
				case 2:
					add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate.AddDays(rapid.IntRange(1, 100).Draw(t, "late")), Amount: due + money.Amount(rapid.Int64Range(0, 5000).Draw(t, "extra"))})
				case 3:
					add(servicing.Tx{Kind: servicing.Repayment, ValueDate: in.DueDate, Amount: due / money.Amount(rapid.IntRange(2, 4).Draw(t, "part"))})
				case 4:
				case 5:
					add(servicing.Tx{Kind: servicing.WriteOff, ValueDate: in.DueDate.AddDays(rapid.IntRange(60, 120).Draw(t, "writeoff"))})
					break installments
				case 6:
					add(servicing.Tx{Kind: servicing.Restructure, ValueDate: in.DueDate.AddDays(rapid.IntRange(1, 40).Draw(t, "restructure")),
						NewRate: l.Rate, NewTerm: rapid.IntRange(1, 6).Draw(t, "newterm"), NewMethod: schedule.EqualInstallment})
					break installments
				}
			}
			book.Loans = append(book.Loans, loanstate.Input{Product: product, Loan: l, Txs: txs})
		}
		kinds := []signal.Kind{signal.CourtCase, signal.Dishonest, signal.Inquiries, signal.OverdueElsewhere, signal.SocialPaid, signal.Inflow, signal.Mismatch}
		for range rapid.IntRange(0, 8).Draw(t, "signals") {
			k := rapid.SampledFrom(kinds).Draw(t, "kind")
			date := start.AddDays(rapid.IntRange(-60, 300).Draw(t, "date"))
			s := signal.Signal{Borrower: bid, Kind: k, Date: date, Known: date.AddDays(rapid.IntRange(0, 20).Draw(t, "lag"))}
			switch k {
			case signal.CourtCase:
				s.Value = rapid.SampledFrom([]int64{1, 1, -1}).Draw(t, "case")
			case signal.Dishonest, signal.Mismatch:
				s.Value = rapid.Int64Range(0, 1).Draw(t, "flag")
			case signal.Inquiries:
				s.Value = rapid.Int64Range(1, 6).Draw(t, "inquiries")
			case signal.OverdueElsewhere:
				s.Value = rapid.Int64Range(0, 500_000).Draw(t, "overdue")
			case signal.SocialPaid:
				s.Value = rapid.SampledFrom([]int64{0, 0, 500_000}).Draw(t, "social")
			case signal.Inflow:
				s.Value = rapid.Int64Range(0, 5_000_000).Draw(t, "inflow")
			}
			book.Signals = append(book.Signals, s)
		}
		books = append(books, book)
	}
	return books
}

// Property: the wake-based Backtest gives what deriving and deciding every
// loan on every day gives — the same warnings, the same milestones — and
// does not depend on how many workers run it; and the days past due that
// MilestonesOf reads from the last state are the days a daily close of
// business saw them.
func TestBacktestIsDailyCloseOfBusiness(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := d("2026-01-01").AddDays(rapid.IntRange(0, 60).Draw(t, "start"))
		books := genBooks(t, start)
		rules := warning.Defaults()
		extra := rule("young_and_late", `months_on_book >= 2 && dpd >= 5`)
		extra.Cooldown = rapid.IntRange(0, 45).Draw(t, "cooldown")
		rules = append(rules, extra)
		for i := range rules {
			if rapid.IntRange(0, 3).Draw(t, "shorter cooldown") == 0 {
				rules[i].Cooldown = rapid.IntRange(0, 20).Draw(t, "cooldown")
			}
		}
		resolveAfter := rapid.SampledFrom([]int{0, 0, 5, 30}).Draw(t, "resolve after")
		from := start // every day of every loan is seen
		to := from.AddDays(rapid.IntRange(30, 300).Draw(t, "days"))
		asOf := to.AddDays(rapid.IntRange(0, 90).Draw(t, "outcome days"))

		cfg := warning.BacktestConfig{AsOf: asOf, ResolveAfter: resolveAfter, Workers: 1}
		got, ms, err := warning.Backtest(cfg, books, rules, from, to)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Workers = 3
		got3, ms3, err := warning.Backtest(cfg, books, rules, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(got, got3) || !cmp.Equal(ms, ms3) {
			t.Fatalf("1 worker and 3 differ:\n%s\n%s", cmp.Diff(got, got3), cmp.Diff(ms, ms3))
		}
		want, wantMs, observed := reference(books, rules, from, to, asOf, resolveAfter)
		for i := range want {
			want[i].ID = int64(i + 1)
		}
		strip := func(ws []warning.Warning) []warning.Warning {
			out := slices.Clone(ws)
			for i := range out {
				out[i].By, out[i].Note = "", ""
			}
			return out
		}
		if diff := cmp.Diff(strip(want), strip(got)); diff != "" {
			t.Fatalf("warnings, daily (-) and wake-based (+):\n%s", diff)
		}
		if diff := cmp.Diff(wantMs, ms); diff != "" {
			t.Fatalf("milestones, daily (-) and wake-based (+):\n%s", diff)
		}
		for id, o := range observed {
			if m := ms[id]; m.DPD30 != o[0] || m.DPD90 != o[1] {
				t.Fatalf("loan %d: MilestonesOf says 30+ %v 90+ %v, close of business saw %v %v", id, m.DPD30, m.DPD90, o[0], o[1])
			}
		}
	})
}

func ExampleBacktest() {
	books := []warning.BorrowerBook{{BorrowerID: 1, Loans: []loanstate.Input{loan(11, 1, "2026-01-15")},
		Signals: []signal.Signal{court(1, "2026-03-01", "2026-03-02")}}}
	ws, ms, _ := warning.Backtest(warning.BacktestConfig{}, books, warning.Defaults(), d("2026-02-01"), d("2026-06-30"))
	for _, w := range ws {
		fmt.Println(w.Raised, w.Rule, w.Severity, w.Reason)
	}
	rep := warning.Judge(ws, ms, d("2026-02-01"), d("2026-06-30"), d("2026-06-30"))
	fmt.Println("90+ identified early:", rep.Set.Early90)
	// Output:
	// 2026-02-16 first_payment_default red first_payment_default=true, dpd=1
	// 2026-03-02 court_case orange court_new_3m=1
	// 90+ identified early: 1/1 (100.0%)
}
