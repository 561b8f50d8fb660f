package servicing_test

import (
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

func amt(s string) money.Amount { return money.MustParseAmount(s) }

// allFields compares unexported fields too: two replays that agree on
// everything a caller sees but not on their exact fen-days would part
// later.
var allFields = cmp.Exporter(func(reflect.Type) bool { return true })

func day(s string) civil.Date { return civil.MustParse(s) }

// leapLoan: 3,000.00 at 12 % equal-principal over 3 months from 2027-12-15,
// so installments of 1,000.00 principal fall due on 2028-01-15, 2028-02-15
// and 2028-03-15 with interest 30.00, 20.00 and 10.00. The default penalty
// rate is 12 % × 1.5 = 18 %.
func leapLoan() (servicing.Product, servicing.Loan) {
	p := servicing.DefaultProduct("TEST")
	p.Method = schedule.EqualPrincipal
	l := servicing.Loan{ID: 1, Product: "TEST", Principal: amt("3000"), Rate: money.MustParseRate("0.12"), Term: 3, Method: schedule.EqualPrincipal, Disbursed: day("2027-12-15")}
	return p, l
}

// Penalty over a month end and the leap day: as of 2028-03-01 installment 1
// is 46 days overdue (16 in January, 29 in February, 1 in March) and
// installment 2 is 15 days overdue (14 in February, 1 in March).
func TestPenaltyAccrualHandChecked(t *testing.T) {
	tests := []struct {
		name    string
		mut     func(*servicing.Product)
		penalty string
	}{
		// 100000 fen × 46 × 0.18/360 = 2300; 100000 × 15 × 0.18/360 = 750.
		{"ACT/360", func(p *servicing.Product) {}, "30.50"},
		// 100000 × 46 × 0.18/365 = 2268.49 → 2268; 100000 × 15 × 0.18/365 = 739.73 → 740.
		{"ACT/365", func(p *servicing.Product) { p.DayCount = servicing.ACT365 }, "30.08"},
		// compound interest is a charge of its own (see TestCompoundSeparate).
		{"compound", func(p *servicing.Product) { p.Compound = true }, "30.50"},
		// grace of 3 days: 100000 × 43 × 0.0005 = 2150; 100000 × 12 × 0.0005 = 600.
		{"grace 3 days", func(p *servicing.Product) { p.GraceDays = 3 }, "27.50"},
		// an explicit penalty rate of 0.36: twice the default.
		{"explicit rate", func(p *servicing.Product) { p.PenaltyRate = money.MustParseRate("0.36") }, "61.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, l := leapLoan()
			tt.mut(&p)
			s := servicing.Replay(p, l, nil, day("2028-03-01"))
			if got, want := s.PenaltyDue, amt(tt.penalty); got != want {
				t.Errorf("penalty = %v, want %v", got, want)
			}
			if s.DPD != 46 {
				t.Errorf("DPD = %d, want 46 (grace never changes DPD)", s.DPD)
			}
			if got, want := s.OverduePrincipal, amt("2000"); got != want {
				t.Errorf("overdue principal = %v, want %v", got, want)
			}
			if got, want := s.OverdueInterest, amt("50"); got != want {
				t.Errorf("overdue interest = %v, want %v", got, want)
			}
			if s.Bucket() != servicing.M2 {
				t.Errorf("bucket = %v, want M2", s.Bucket())
			}
		})
	}
}

func TestWaterfallHandChecked(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Repayment, ValueDate: day("2028-03-01"), Amount: amt("1000"), Reference: "r1"}}
	s := servicing.Replay(p, l, txs, day("2028-03-01"))
	// Oldest installment first: its penalty 23.00, interest 30.00, then 947.00 principal.
	want := servicing.Allocation{Seq: 1, Date: day("2028-03-01"), Amount: amt("1000"), Parts: servicing.Parts{Penalty: amt("23"), Interest: amt("30"), Principal: amt("947")}}
	if diff := cmp.Diff(want, s.Allocations[0]); diff != "" {
		t.Errorf("allocation (-want +got):\n%s", diff)
	}
	if s.DPD != 46 {
		t.Errorf("DPD = %d, want 46: installment 1 still owes 53.00 principal", s.DPD)
	}
}

// A payment value-dated 2028-01-20 but posted in March re-derives the
// penalty: 5 days on 1,000.00 (2.50) are paid, then 2.50 principal stays
// overdue for 41 days. Fen-days 100000×5 + 250×41 = 510250, × 0.0005 =
// 255.125 → 2.55 accrued, 0.05 still due.
func TestBackDatedPayment(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{{Seq: 7, Kind: servicing.Repayment, ValueDate: day("2028-01-20"), Amount: amt("1030"), Reference: "late-posted"}}
	s := servicing.Replay(p, l, txs, day("2028-03-01"))
	if got, want := s.Installments[0].Penalty, amt("2.55"); got != want {
		t.Errorf("installment 1 penalty = %v, want %v", got, want)
	}
	if got, want := s.Installments[0].PaidPenalty, amt("2.50"); got != want {
		t.Errorf("installment 1 penalty paid = %v, want %v", got, want)
	}
	if s.DPD != 46 {
		t.Errorf("DPD = %d, want 46", s.DPD)
	}
	p.Tolerance = amt("5")
	s = servicing.Replay(p, l, txs, day("2028-03-01"))
	if s.DPD != 15 {
		t.Errorf("DPD with 5.00 tolerance = %d, want 15", s.DPD)
	}
}

func TestReversalRederives(t *testing.T) {
	p, l := leapLoan()
	pay := servicing.Tx{Seq: 1, Kind: servicing.Repayment, ValueDate: day("2028-01-15"), Amount: amt("1030"), Reference: "r1"}
	rev := servicing.Tx{Seq: 2, Kind: servicing.Reversal, ValueDate: day("2028-02-01"), Reverses: 1}
	before := servicing.Replay(p, l, []servicing.Tx{pay, rev}, day("2028-01-31"))
	if before.DPD != 0 {
		t.Errorf("before the reversal DPD = %d, want 0", before.DPD)
	}
	after := servicing.Replay(p, l, []servicing.Tx{pay, rev}, day("2028-03-01"))
	never := servicing.Replay(p, l, nil, day("2028-03-01"))
	if diff := cmp.Diff(never, after, cmpopts.EquateEmpty(), allFields); diff != "" {
		t.Errorf("reversed payment must be as if never made (-never +after):\n%s", diff)
	}
}

func TestSettleAndCredit(t *testing.T) {
	p, l := leapLoan()
	// 3,060.00 on the first due date covers the payoff of 3,030.00 (1,030.00
	// due, 2,000.00 principal not yet due, no interest accrued since the due
	// date), so the loan settles that day and keeps 30.00 as credit, under
	// every prepayment rule.
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Repayment, ValueDate: day("2028-01-15"), Amount: amt("3060"), Reference: "all"}}
	for _, rule := range []servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment} {
		p.Prepayment = rule
		s := servicing.Replay(p, l, txs, day("2028-03-15"))
		if s.Status != servicing.StatusSettled || s.SettledDate != day("2028-01-15") || s.Credit != amt("30") || s.DPD != 0 {
			t.Errorf("%s: status %v on %v credit %v DPD %d, want settled on 2028-01-15 with 30.00 credit", rule, s.Status, s.SettledDate, s.Credit, s.DPD)
		}
		if s.PrepaidPrincipal != amt("2000") {
			t.Errorf("%s: prepaid %v, want 2000.00", rule, s.PrepaidPrincipal)
		}
	}
}

func TestReduceTermKeepsInstallment(t *testing.T) {
	p := servicing.DefaultProduct("T")
	p.Prepayment = servicing.ReduceTerm
	l := servicing.Loan{ID: 1, Principal: amt("12000"), Rate: money.MustParseRate("0.12"), Term: 12, Method: schedule.EqualInstallment, Disbursed: day("2026-01-10")}
	base := servicing.Replay(p, l, nil, day("2026-01-10"))
	pmt := base.Installments[0].Principal + base.Installments[0].Interest
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Repayment, ValueDate: day("2026-02-10"), Amount: pmt + amt("4000"), Reference: "x"}}
	s := servicing.Replay(p, l, txs, day("2026-02-10"))
	if n := len(s.Installments); n >= 12 {
		t.Errorf("reduce-term left %d installments, want fewer than 12", n)
	}
	if got := s.Installments[1].Principal + s.Installments[1].Interest; got != pmt {
		t.Errorf("next installment %v, want the unchanged %v", got, pmt)
	}
	p.Prepayment = servicing.ReduceInstallment
	s = servicing.Replay(p, l, txs, day("2026-02-10"))
	if n := len(s.Installments); n != 12 {
		t.Errorf("reduce-installment has %d installments, want 12", n)
	}
	if got := s.Installments[1].Principal + s.Installments[1].Interest; got >= pmt {
		t.Errorf("next installment %v, want less than %v", got, pmt)
	}
}

func TestWriteOffAndRecovery(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{
		{Seq: 1, Kind: servicing.WriteOff, ValueDate: day("2028-03-01")},
		{Seq: 2, Kind: servicing.Recovery, ValueDate: day("2028-04-01"), Amount: amt("500"), Reference: "rec"},
	}
	s := servicing.Replay(p, l, txs, day("2028-05-01"))
	// Written off: 3,000.00 principal + 50.00 overdue interest + 30.50 penalty.
	if s.Status != servicing.StatusWrittenOff || s.WrittenOff != amt("3080.50") || s.Recovered != amt("500") {
		t.Errorf("status %v written off %v recovered %v", s.Status, s.WrittenOff, s.Recovered)
	}
	if s.PrincipalOutstanding != 0 {
		t.Errorf("a written-off loan is off the books; outstanding %v", s.PrincipalOutstanding)
	}
}

func TestRestructure(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Restructure, ValueDate: day("2028-03-01"), NewRate: money.MustParseRate("0.06"), NewTerm: 6, NewMethod: schedule.EqualInstallment}}
	s := servicing.Replay(p, l, txs, day("2028-03-01"))
	// Capitalised: 3,000.00 principal + 50.00 overdue interest + 30.50 penalty.
	if got, want := s.PrincipalOutstanding, amt("3080.50"); got != want {
		t.Errorf("new principal %v, want %v", got, want)
	}
	if s.DPD != 0 || !s.Restructured || s.ObservationStart != day("2028-04-01") {
		t.Errorf("DPD %d restructured %v observation start %v", s.DPD, s.Restructured, s.ObservationStart)
	}
}

// Property: under random sequences of repayments (some back-dated),
// reversals, waivers and fees, every allocation sums to its payment, the
// principal is fully accounted for, and the state does not depend on the
// order the transactions are handed over in.
func TestReplayInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := servicing.DefaultProduct("P")
		p.Method = rapid.SampledFrom(schedule.Methods).Draw(t, "method")
		p.Prepayment = rapid.SampledFrom([]servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment}).Draw(t, "prepay")
		p.Compound = rapid.Bool().Draw(t, "compound")
		p.GraceDays = rapid.IntRange(0, 5).Draw(t, "grace")
		start := civil.Date(rapid.IntRange(19000, 21000).Draw(t, "start"))
		l := servicing.Loan{ID: 1, Principal: money.Amount(rapid.Int64Range(100_00, 1_000_000_00).Draw(t, "principal")),
			Rate: money.Rate(rapid.Int64Range(0, 2_400_000_000).Draw(t, "rate")), Term: rapid.IntRange(1, 36).Draw(t, "term"),
			Method: p.Method, Disbursed: start}
		horizon := start.AddDays(rapid.IntRange(1, 900).Draw(t, "horizon"))
		var txs []servicing.Tx
		n := rapid.IntRange(0, 25).Draw(t, "n")
		for i := 1; i <= n; i++ {
			d := start.AddDays(rapid.IntRange(0, horizon.Sub(start)).Draw(t, "date"))
			tx := servicing.Tx{Seq: int64(i), ValueDate: d}
			switch k := rapid.IntRange(0, 9).Draw(t, "kind"); {
			case k < 6:
				tx.Kind, tx.Amount = servicing.Repayment, money.Amount(rapid.Int64Range(1, int64(l.Principal)/2+1).Draw(t, "amount"))
			case k < 8 && i > 1:
				tx.Kind, tx.Reverses = servicing.Reversal, int64(rapid.IntRange(1, i-1).Draw(t, "target"))
				tx.ValueDate = horizon
			case k < 9:
				tx.Kind, tx.Amount = servicing.FeeCharge, money.Amount(rapid.Int64Range(1, 10000).Draw(t, "fee"))
			default:
				tx.Kind, tx.Component, tx.Amount = servicing.Waiver, servicing.Penalty, money.Amount(rapid.Int64Range(1, 1000).Draw(t, "waive"))
			}
			txs = append(txs, tx)
		}
		s := servicing.Replay(p, l, txs, horizon)
		for _, a := range s.Allocations {
			if a.Sum() != a.Amount {
				t.Fatalf("allocation %+v sums to %v, want %v", a, a.Sum(), a.Amount)
			}
		}
		var waived, moved money.Amount
		for _, in := range s.Installments {
			waived += in.WaivedPrincipal
			moved += in.MovedPrincipal
			if in.PrincipalDue() < 0 || in.InterestDue() < 0 || in.PenaltyDue() < 0 {
				t.Fatalf("negative due in %+v", in)
			}
		}
		if got := s.PaidPrincipal + s.PrincipalOutstanding + waived + moved; got != l.Principal {
			t.Fatalf("paid %v + outstanding %v + waived %v + moved %v = %v, want principal %v", s.PaidPrincipal, s.PrincipalOutstanding, waived, moved, got, l.Principal)
		}
		if s.Credit < 0 || s.DPD < 0 || s.MaxDPD < s.DPD {
			t.Fatalf("credit %v DPD %d max %d", s.Credit, s.DPD, s.MaxDPD)
		}
		shuffled := rapid.Permutation(txs).Draw(t, "order")
		s2 := servicing.Replay(p, l, shuffled, horizon)
		if diff := cmp.Diff(s, s2, cmpopts.EquateEmpty(), allFields); diff != "" {
			t.Fatalf("replay depends on input order:\n%s", diff)
		}
	})
}

// A year of history: monthly payments, one late, on a 24-month loan.
func BenchmarkReplayYear(b *testing.B) {
	p := servicing.DefaultProduct("P")
	l := servicing.Loan{ID: 1, Principal: amt("50000"), Rate: money.MustParseRate("0.089"), Term: 24, Method: schedule.EqualInstallment, Disbursed: day("2025-01-10")}
	s := servicing.Replay(p, l, nil, day("2025-01-10"))
	var txs []servicing.Tx
	for i := 0; i < 12; i++ {
		d := s.Installments[i].DueDate
		if i == 5 {
			d = d.AddDays(17)
		}
		txs = append(txs, servicing.Tx{Seq: int64(i + 1), Kind: servicing.Repayment, ValueDate: d, Amount: s.Installments[i].Principal + s.Installments[i].Interest + 500, Reference: "p"})
	}
	asOf := day("2026-01-09")
	b.ReportAllocs()
	for b.Loop() {
		servicing.Replay(p, l, txs, asOf)
	}
}

// Monthly maximum DPD, by hand: installment 1 is due 2028-01-15, so DPD is
// 16 on 31 January, 45 on 29 February (leap year) and 46 on 1 March. A
// payment on 10 February clearing installment 1 makes February's maximum
// the 25 days reached on the 9th; installment 2 (due the 15th) is then 14
// days late on the 29th.
func TestMonthlyMaxDPD(t *testing.T) {
	p, l := leapLoan()
	s := servicing.Replay(p, l, nil, day("2028-03-01"))
	if diff := cmp.Diff([]int32{0, 16, 45, 46}, s.MonthlyMaxDPD); diff != "" {
		t.Errorf("no payments (-want +got):\n%s", diff)
	}
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Repayment, ValueDate: day("2028-02-10"), Amount: amt("1050"), Reference: "x"}}
	s = servicing.Replay(p, l, txs, day("2028-03-01"))
	if diff := cmp.Diff([]int32{0, 16, 25, 15}, s.MonthlyMaxDPD); diff != "" {
		t.Errorf("paid on 10 February (-want +got):\n%s", diff)
	}
	if s.MaxDPD != 25 {
		t.Errorf("MaxDPD = %d, want 25", s.MaxDPD)
	}
}
