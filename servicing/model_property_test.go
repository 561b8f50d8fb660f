package servicing_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// Property: Replay agrees with the reference model to the fen on
// everything a State exposes — per installment dues, payments, waivers,
// penalty and compound interest, credit, DPD and its history, status and
// dates, amounts written off and recovered, restructuring facts — and on
// what each transaction applied and the payoff, for random products,
// loans, histories and as-of dates. Histories are posted as a lender
// would: each transaction passes Check on the business date it is
// posted, some value-dated in the past, and later back-dated postings and
// reversals may re-derive everything after them.
func TestReplayMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawProduct(t)
		l := drawLoan(t, p)
		txs, business := drawHistory(t, p, l)
		dates := []civil.Date{business.AddDays(rapid.IntRange(0, 60).Draw(t, "after"))}
		for range rapid.IntRange(1, 3).Draw(t, "as-of dates") {
			dates = append(dates, l.Disbursed.AddDays(rapid.IntRange(0, business.Sub(l.Disbursed)).Draw(t, "as of")))
		}
		if len(txs) > 0 {
			tx := rapid.SampledFrom(txs).Draw(t, "around")
			dates = append(dates, tx.ValueDate.AddDays(-1), tx.ValueDate, tx.ValueDate.AddDays(1))
		}
		for _, asOf := range dates {
			if asOf.Before(l.Disbursed) {
				continue
			}
			compareWithModel(t, p, l, txs, asOf)
		}
	})
}

func compareWithModel(t *rapid.T, p servicing.Product, l servicing.Loan, txs []servicing.Tx, asOf civil.Date) {
	got := servicing.Replay(p, l, txs, asOf)
	m := runModel(p, l, txs, asOf)
	want := m.state(asOf)
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(servicing.State{}, servicing.InstallmentState{}), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("as of %v (-model +replay):\n%s", asOf, diff)
	}
	for _, tx := range txs {
		parts, ok := got.Applied(tx.Seq)
		wantParts, wantOK := m.applied[tx.Seq]
		if ok != wantOK || parts != wantParts {
			t.Fatalf("as of %v, transaction %d (%s %v on %v) applied %+v, %v; model %+v, %v", asOf, tx.Seq, tx.Kind, tx.Amount, tx.ValueDate, parts, ok, wantParts, wantOK)
		}
	}
	payoff := money.Amount(0)
	if want.Status == servicing.StatusActive {
		payoff = max(0, m.payoff(asOf)-m.credit)
	}
	if got.Payoff() != payoff {
		t.Fatalf("as of %v payoff %v, model %v", asOf, got.Payoff(), payoff)
	}
	checkAgreesWithModel(t, p, l, txs, asOf, m)
}

// checkAgreesWithModel holds Check's limits to the model: a waiver on asOf
// may forgive exactly what the model has due on or before asOf, and a
// write-off's amount is exactly what the model writes off.
func checkAgreesWithModel(t *rapid.T, p servicing.Product, l servicing.Loan, txs []servicing.Tx, asOf civil.Date, m *model) {
	if m.status != servicing.StatusActive {
		return
	}
	for _, c := range []servicing.Component{servicing.Penalty, servicing.Compound, servicing.Interest, servicing.Principal, servicing.Fee} {
		due := m.dueBy(c, asOf)
		if due > 0 {
			if err := servicing.Check(p, l, txs, servicing.Tx{Kind: servicing.Waiver, Component: c, ValueDate: asOf, Amount: due}, asOf); err != nil {
				t.Fatalf("as of %v waiving all %v %s due refused: %v", asOf, due, c, err)
			}
		}
		if err := servicing.Check(p, l, txs, servicing.Tx{Kind: servicing.Waiver, Component: c, ValueDate: asOf, Amount: due + 1}, asOf); !errors.Is(err, servicing.ErrWaiverExceedsDue) {
			t.Fatalf("as of %v waiving %v %s with %v due: %v, want ErrWaiverExceedsDue", asOf, due+1, c, due, err)
		}
	}
	wo := servicing.Tx{Seq: int64(len(txs) + 1), Kind: servicing.WriteOff, ValueDate: asOf}
	w := runModel(p, l, append(txs[:len(txs):len(txs)], wo), asOf).applied[wo.Seq].Sum()
	if w == 0 {
		return // the write-off settles the loan from credit instead
	}
	wo.Amount = w
	if err := servicing.Check(p, l, txs, wo, asOf); err != nil {
		t.Fatalf("as of %v writing off the model's %v refused: %v", asOf, w, err)
	}
	wo.Amount = w + 1
	if err := servicing.Check(p, l, txs, wo, asOf); !errors.Is(err, servicing.ErrWriteOffAmount) {
		t.Fatalf("as of %v writing off %v of %v: %v, want ErrWriteOffAmount", asOf, w+1, w, err)
	}
}

func drawProduct(t *rapid.T) servicing.Product {
	p := servicing.DefaultProduct("P")
	p.Method = rapid.SampledFrom(schedule.Methods).Draw(t, "method")
	p.DayCount = rapid.SampledFrom([]servicing.DayCount{servicing.ACT360, servicing.ACT365}).Draw(t, "day count")
	p.Compound = rapid.Bool().Draw(t, "compound")
	p.GraceDays = rapid.IntRange(0, 10).Draw(t, "grace")
	p.GraceMode = rapid.SampledFrom([]servicing.GraceMode{"", servicing.GraceAfter, servicing.GraceFromDue}).Draw(t, "grace mode")
	if rapid.Bool().Draw(t, "tolerance?") {
		p.Tolerance = money.Amount(rapid.Int64Range(1, 500).Draw(t, "tolerance"))
	}
	if rapid.Bool().Draw(t, "penalty rate?") {
		p.PenaltyRate = money.Rate(rapid.IntRange(1, 5000).Draw(t, "penalty rate ‱")) * 1_000_000
	}
	order := rapid.Permutation([]servicing.Component{servicing.Penalty, servicing.Interest, servicing.Principal}).Draw(t, "order")
	if rapid.Bool().Draw(t, "fee first") {
		order = append([]servicing.Component{servicing.Fee}, order...)
	} else {
		order = append(order, servicing.Fee)
	}
	p.Allocation = order
	p.Prepayment = rapid.SampledFrom([]servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment}).Draw(t, "prepay")
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func drawLoan(t *rapid.T, p servicing.Product) servicing.Loan {
	// rapid favours small numbers; scaled units keep amounts and rates
	// realistic while still reaching the edges.
	principal := money.Amount(rapid.IntRange(10, 3000).Draw(t, "principal hundreds")) * 100_00
	principal += money.Amount(rapid.IntRange(0, 9999).Draw(t, "principal fen"))
	if rapid.IntRange(0, 9).Draw(t, "tiny?") == 0 {
		principal = money.Amount(rapid.IntRange(1, 2000).Draw(t, "tiny principal"))
	}
	var r money.Rate
	if rapid.IntRange(0, 5).Draw(t, "zero rate?") > 0 {
		r = money.Rate(rapid.IntRange(1, 3600).Draw(t, "rate ‱")) * 1_000_000
	}
	start := civil.New(rapid.IntRange(2024, 2027).Draw(t, "year"), 1, 1).AddDays(rapid.IntRange(0, 364).Draw(t, "day"))
	return servicing.Loan{ID: 7, Principal: principal, Rate: r, Term: rapid.IntRange(1, 18).Draw(t, "term"), Method: p.Method, Disbursed: start}
}

// drawHistory posts transactions the way a lender would and returns them
// with the last business date.
func drawHistory(t *rapid.T, p servicing.Product, l servicing.Loan) ([]servicing.Tx, civil.Date) {
	var txs []servicing.Tx
	business := l.Disbursed
	for range rapid.IntRange(0, 18).Draw(t, "postings") {
		// Borrowers pay around due dates: move to a few days after the
		// next one about half the time, else some days on.
		st := servicing.Replay(p, l, txs, business)
		if st.NextDueDate != 0 && rapid.Bool().Draw(t, "near a due date?") {
			business = max(business, st.NextDueDate.AddDays(rapid.IntRange(-1, 12).Draw(t, "days after due")))
		} else {
			business = business.AddDays(rapid.IntRange(0, 50).Draw(t, "days on"))
		}
		value := business
		if rapid.IntRange(0, 3).Draw(t, "back-dated?") == 0 {
			value = max(l.Disbursed, business.AddDays(-rapid.IntRange(1, 40).Draw(t, "back")))
		}
		st = servicing.Replay(p, l, txs, value)
		tx := servicing.Tx{Seq: int64(len(txs) + 1), LoanID: l.ID, ValueDate: value, Reference: fmt.Sprint("ref", len(txs)+1)}
		switch k := rapid.IntRange(0, 19).Draw(t, "kind"); {
		case k < 9:
			tx.Kind, tx.Amount = servicing.Repayment, drawAmount(t, &st)
		case k < 11:
			var targets []servicing.Tx
			for _, x := range txs {
				if x.Kind == servicing.Repayment || x.Kind == servicing.Recovery {
					targets = append(targets, x)
				}
			}
			if len(targets) == 0 {
				continue
			}
			target := rapid.SampledFrom(targets).Draw(t, "reverses")
			tx.Kind, tx.Reverses, tx.Reference, tx.ValueDate = servicing.Reversal, target.Seq, "", business
			if rapid.Bool().Draw(t, "reversal amount?") {
				tx.Amount = target.Amount
			}
		case k < 14:
			tx.Kind, tx.Reference = servicing.Waiver, ""
			tx.Component = rapid.SampledFrom([]servicing.Component{servicing.Penalty, servicing.Compound, servicing.Interest, servicing.Principal, servicing.Fee}).Draw(t, "component")
			due := st.Due(tx.Component)
			if due <= 0 {
				continue
			}
			tx.Amount = max(1, due*money.Amount(rapid.IntRange(1, 100).Draw(t, "waive %"))/100)
		case k < 15:
			tx.Kind, tx.Reference, tx.Amount = servicing.FeeCharge, "", money.Amount(rapid.IntRange(1, 5000).Draw(t, "fee"))
		case k < 16:
			tx.Kind, tx.Reference = servicing.WriteOff, ""
			if rapid.Bool().Draw(t, "write-off amount?") {
				trial := servicing.Replay(p, l, append(txs[:len(txs):len(txs)], tx), value)
				w, _ := trial.Applied(tx.Seq)
				tx.Amount = w.Sum()
			}
		case k < 17:
			tx.Kind, tx.Amount = servicing.Recovery, max(1, l.Principal*money.Amount(rapid.IntRange(1, 100).Draw(t, "recovery %"))/100)
		default:
			tx.Kind, tx.Reference = servicing.Restructure, ""
			tx.NewMethod = rapid.SampledFrom(schedule.Methods).Draw(t, "new method")
			tx.NewTerm = rapid.IntRange(1, 18).Draw(t, "new term")
			tx.NewRate = money.Rate(rapid.IntRange(0, 2400).Draw(t, "new rate ‱")) * 1_000_000
		}
		if servicing.Check(p, l, txs, tx, business) == nil {
			txs = append(txs, tx)
		}
	}
	return txs, business
}

// drawAmount draws a repayment: the payoff, what is due, a part, or more.
func drawAmount(t *rapid.T, st *servicing.State) money.Amount {
	due := st.OverduePrincipal + st.OverdueInterest + st.DueToday + st.PenaltyDue + st.CompoundDue + st.FeesDue
	var a money.Amount
	switch rapid.IntRange(0, 6).Draw(t, "how much") {
	case 0:
		a = st.Payoff()
	case 1:
		a = st.Payoff() + money.Amount(rapid.IntRange(1, 10_000).Draw(t, "over"))
	case 2:
		a = due
	case 3:
		a = due * money.Amount(rapid.IntRange(1, 99).Draw(t, "percent")) / 100
	case 4:
		a = money.Amount(rapid.IntRange(1, 100).Draw(t, "fen"))
	default:
		a = due + st.PrincipalOutstanding*money.Amount(rapid.IntRange(1, 100).Draw(t, "extra %"))/100
	}
	return max(a, 1)
}

// Property: a replay in reused buffers gives what a fresh replay gives,
// however large or small the loans replayed before it in the same Scratch.
func TestReplayWithScratchEqualsReplay(t *testing.T) {
	var sc servicing.Scratch
	rapid.Check(t, func(t *rapid.T) {
		for range rapid.IntRange(1, 4).Draw(t, "loans") {
			p := drawProduct(t)
			l := drawLoan(t, p)
			txs, asOf := drawHistory(t, p, l)
			want := servicing.Replay(p, l, txs, asOf)
			got := servicing.ReplayWith(&sc, p, l, txs, asOf)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
				t.Fatalf("replay in a reused scratch differs (-fresh +reused):\n%s", diff)
			}
		}
	})
}
