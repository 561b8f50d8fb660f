package servicing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

func rate(s string) money.Rate { return money.MustParseRate(s) }

func pay(seq int64, date, amount string) servicing.Tx {
	return servicing.Tx{Seq: seq, Kind: servicing.Repayment, ValueDate: day(date), Amount: amt(amount), Reference: "r"}
}

func applied(t *testing.T, s servicing.State, seq int64) servicing.Parts {
	t.Helper()
	p, ok := s.Applied(seq)
	if !ok {
		t.Fatalf("transaction %d not applied", seq)
	}
	return p
}

// Paying Payoff() settles the loan that day under every prepayment rule,
// and it stays settled. As of 2028-01-25 nothing has been paid on the
// leap loan: installment 1 owes 1,000.00 + 30.00 and 10 days of penalty,
// 100000 × 10 × 0.18/360 = 500 fen; the 2,000.00 not yet due has accrued
// 10 days of interest since 2028-01-15, 200000 × 0.12 × 10/360 = 666.67 →
// 6.67 (under the 20.00 a whole month charges). Payoff 3,041.67. Under the
// credit rule the old ledger kept the 2,000.00 as credit, let installments
// 2 and 3 charge their scheduled interest, and left installment 3 short.
func TestPayoffSettlesWhateverTheRule(t *testing.T) {
	for _, rule := range []servicing.PrepaymentRule{servicing.HoldCredit, servicing.ReduceTerm, servicing.ReduceInstallment} {
		t.Run(string(rule), func(t *testing.T) {
			p, l := leapLoan()
			p.Prepayment = rule
			before := servicing.Replay(p, l, nil, day("2028-01-25"))
			if got, want := before.Payoff(), amt("3041.67"); got != want {
				t.Fatalf("payoff as of 2028-01-25 = %v, want %v", got, want)
			}
			if got, want := before.AccruedInterest, amt("6.67"); got != want {
				t.Errorf("accrued interest = %v, want %v", got, want)
			}
			txs := []servicing.Tx{pay(1, "2028-01-25", "3041.67")}
			s := servicing.Replay(p, l, txs, day("2030-01-25"))
			if s.Status != servicing.StatusSettled || s.SettledDate != day("2028-01-25") || s.DPD != 0 || s.Credit != 0 {
				t.Errorf("status %v on %v, DPD %d, credit %v; want settled on 2028-01-25, DPD 0, no credit", s.Status, s.SettledDate, s.DPD, s.Credit)
			}
			want := servicing.Parts{Penalty: amt("5"), Interest: amt("36.67"), Principal: amt("1000"), Prepaid: amt("2000")}
			if diff := cmp.Diff(want, applied(t, s, 1)); diff != "" {
				t.Errorf("allocation (-want +got):\n%s", diff)
			}
			if got, want := s.PaidInterest, amt("36.67"); got != want {
				t.Errorf("interest paid %v, want %v", got, want)
			}
			if n := len(s.Installments); n != 1 {
				t.Errorf("%d installments left, want 1: those not yet due leave a settled loan", n)
			}
		})
	}
}

// A payment plus credit held that covers the payoff settles; the rest is
// credit. 1,030.00 pays installment 1 on its due date; 2,000.00 on
// 2028-01-20 falls 3.33 short of the payoff (2000 + 200000 × 0.12 × 5/360 =
// 2,003.33), so it is held as credit; 30.00 on 2028-02-01 with it covers
// 2,000.00 + 17 days' interest (11.33) and leaves 18.67. A fee later reopens
// the loan and the credit pays it at once.
func TestPaymentAndCreditSettle(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{pay(1, "2028-01-15", "1030"), pay(2, "2028-01-20", "2000")}
	s := servicing.Replay(p, l, txs, day("2028-01-31"))
	if s.Status != servicing.StatusActive || s.Credit != amt("2000") {
		t.Fatalf("status %v credit %v, want active with 2000.00 credit", s.Status, s.Credit)
	}
	if got, want := s.Payoff(), amt("10.67"); got != want { // 2000 + 200000 × 0.12 × 16/360 = 2,010.67, less credit
		t.Errorf("payoff as of 2028-01-31 = %v, want %v", got, want)
	}
	txs = append(txs, pay(3, "2028-02-01", "30"))
	s = servicing.Replay(p, l, txs, day("2028-02-01"))
	if s.Status != servicing.StatusSettled || s.Credit != amt("18.67") {
		t.Errorf("status %v credit %v, want settled with 18.67", s.Status, s.Credit)
	}
	want := servicing.Parts{Interest: amt("11.33"), Prepaid: amt("2000"), Credit: amt("-1981.33")}
	if diff := cmp.Diff(want, applied(t, s, 3)); diff != "" {
		t.Errorf("allocation (-want +got):\n%s", diff)
	}
	txs = append(txs, servicing.Tx{Seq: 4, Kind: servicing.FeeCharge, ValueDate: day("2028-02-10"), Amount: amt("5")})
	s = servicing.Replay(p, l, txs, day("2028-02-10"))
	if s.Status != servicing.StatusSettled || s.SettledDate != day("2028-02-10") || s.Credit != amt("13.67") || s.PaidFees != amt("5") {
		t.Errorf("after the fee: status %v on %v credit %v fees paid %v, want settled on 2028-02-10, 13.67 credit, 5.00 paid", s.Status, s.SettledDate, s.Credit, s.PaidFees)
	}
}

// Interest to date on a prepayment, the reference cases of the ledger
// spec, all ACT/360 at 6 %.
func TestInterestToDateOnPrepayment(t *testing.T) {
	t.Run("30,000.00 15 days after a due date", func(t *testing.T) {
		// 120,000.00 over 12 months equal installment from 2026-01-10: the
		// first installment (9,727.97 + 600.00) is paid on 2026-02-10,
		// leaving 110,272.03. On 2026-02-25 30,075.00 prepays 30,000.00 and
		// 30000 × 0.06 × 15/360 = 75.00 of interest (x = 30,000.01 would
		// need 30,075.01). The next installment charges the 80,272.03 left
		// for its whole month: 80272.03 × 0.005 = 401.36.
		p := servicing.DefaultProduct("T")
		p.Prepayment = servicing.ReduceInstallment
		l := servicing.Loan{ID: 1, Principal: amt("120000"), Rate: rate("0.06"), Term: 12, Method: schedule.EqualInstallment, Disbursed: day("2026-01-10")}
		txs := []servicing.Tx{pay(1, "2026-02-10", "10327.97"), pay(2, "2026-02-25", "30075")}
		s := servicing.Replay(p, l, txs, day("2026-02-25"))
		if diff := cmp.Diff(servicing.Parts{Interest: amt("75"), Prepaid: amt("30000")}, applied(t, s, 2)); diff != "" {
			t.Errorf("prepayment (-want +got):\n%s", diff)
		}
		if got, want := s.Installments[1].Interest, amt("401.36"); got != want {
			t.Errorf("next installment's interest %v, want %v", got, want)
		}
		if got, want := s.PrincipalOutstanding, amt("80272.03"); got != want {
			t.Errorf("outstanding %v, want %v", got, want)
		}
		if n := len(s.Installments); n != 12 {
			t.Errorf("%d installments, want 12 (reduce-installment keeps the term)", n)
		}
	})
	t.Run("bullet, 100,000.00 after 10 months", func(t *testing.T) {
		// 120,000.00 bullet over 12 months from 2026-01-10. On 2026-11-10,
		// 304 days in, 105,066.67 prepays 100,000.00 with
		// 100000 × 0.06 × 304/360 = 5,066.67 (under the cap of 6,000.00 a
		// whole year charges). At maturity the 20,000.00 left charges
		// 20000 × 0.06 = 1,200.00: 6,266.67 of interest in all, not 1,200.
		p := servicing.DefaultProduct("T")
		p.Method, p.Prepayment = schedule.Bullet, servicing.ReduceInstallment
		l := servicing.Loan{ID: 1, Principal: amt("120000"), Rate: rate("0.06"), Term: 12, Method: schedule.Bullet, Disbursed: day("2026-01-10")}
		txs := []servicing.Tx{pay(1, "2026-11-10", "105066.67")}
		s := servicing.Replay(p, l, txs, day("2026-11-10"))
		if diff := cmp.Diff(servicing.Parts{Interest: amt("5066.67"), Prepaid: amt("100000")}, applied(t, s, 1)); diff != "" {
			t.Errorf("prepayment (-want +got):\n%s", diff)
		}
		last := s.Installments[len(s.Installments)-1]
		if last.Principal != amt("20000") || last.Interest != amt("1200") || last.DueDate != day("2027-01-10") {
			t.Errorf("remaining installment %v %v on %v, want 20000.00 + 1200.00 on 2027-01-10", last.Principal, last.Interest, last.DueDate)
		}
		txs = append(txs, pay(2, "2027-01-10", "21200"))
		s = servicing.Replay(p, l, txs, day("2027-01-10"))
		if s.Status != servicing.StatusSettled || s.PaidInterest != amt("6266.67") {
			t.Errorf("status %v interest paid %v, want settled with 6266.67", s.Status, s.PaidInterest)
		}
	})
	t.Run("bullet, capped at the whole period", func(t *testing.T) {
		// On 2027-01-09, 364 days in, 100000 × 0.06 × 364/360 = 6,066.67
		// exceeds what the whole year charges on 100,000.00, 6,000.00.
		p := servicing.DefaultProduct("T")
		p.Method, p.Prepayment = schedule.Bullet, servicing.ReduceTerm
		l := servicing.Loan{ID: 1, Principal: amt("120000"), Rate: rate("0.06"), Term: 12, Method: schedule.Bullet, Disbursed: day("2026-01-10")}
		s := servicing.Replay(p, l, []servicing.Tx{pay(1, "2027-01-09", "106000")}, day("2027-01-09"))
		if diff := cmp.Diff(servicing.Parts{Interest: amt("6000"), Prepaid: amt("100000")}, applied(t, s, 1)); diff != "" {
			t.Errorf("prepayment (-want +got):\n%s", diff)
		}
	})
}

// A leftover that no x + accrued(x) fills exactly leaves its few fen as
// credit, and the prepayment's parts always sum to the payment.
func TestPrepaymentRemainderIsCredit(t *testing.T) {
	p := servicing.DefaultProduct("T")
	p.Prepayment = servicing.ReduceTerm
	l := servicing.Loan{ID: 1, Principal: amt("120000"), Rate: rate("0.06"), Term: 12, Method: schedule.EqualInstallment, Disbursed: day("2026-01-10")}
	for extra := money.Amount(1); extra < 5000; extra += 37 {
		txs := []servicing.Tx{pay(1, "2026-02-10", "10327.97"), {Seq: 2, Kind: servicing.Repayment, ValueDate: day("2026-02-27"), Amount: amt("20000") + extra}}
		s := servicing.Replay(p, l, txs, day("2026-02-27"))
		a := applied(t, s, 2)
		if a.Sum() != amt("20000")+extra || a.Credit < 0 || a.Credit > 1 {
			t.Fatalf("payment %v split %+v: want parts summing to it and at most 0.01 credit", amt("20000")+extra, a)
		}
	}
}

// After a restructuring every re-laying of the schedule uses the
// restructured method and term. A 120,000.00 bullet from 2026-01-10 is
// unpaid at maturity; on 2027-02-01 it is restructured into 12 equal
// installments at 6 % (capitalising 120,000.00, 7,200.00 of interest and
// 22 days of penalty at 9 %, 660.00). A 20,000.00 prepayment on 2027-02-15
// must re-lay 12 installments, not one; with nothing paid after it the
// loan is 187 days past due on 2027-09-04 (first new due date 2027-03-01).
func TestRestructuredBulletRelays(t *testing.T) {
	p := servicing.DefaultProduct("T")
	p.Method, p.Prepayment = schedule.Bullet, servicing.ReduceInstallment
	l := servicing.Loan{ID: 1, Principal: amt("120000"), Rate: rate("0.06"), Term: 12, Method: schedule.Bullet, Disbursed: day("2026-01-10")}
	txs := []servicing.Tx{
		{Seq: 1, Kind: servicing.Restructure, ValueDate: day("2027-02-01"), NewRate: rate("0.06"), NewTerm: 12, NewMethod: schedule.EqualInstallment},
		pay(2, "2027-02-15", "20000"),
	}
	s := servicing.Replay(p, l, txs, day("2027-09-04"))
	if diff := cmp.Diff(servicing.Parts{Principal: amt("120000"), Interest: amt("7200"), Penalty: amt("660")}, applied(t, s, 1)); diff != "" {
		t.Errorf("capitalised (-want +got):\n%s", diff)
	}
	open := 0
	for _, in := range s.Installments {
		if !in.Closed {
			open++
		}
	}
	if open != 12 {
		t.Errorf("%d installments after the prepayment, want 12", open)
	}
	if s.DPD != 187 || s.OldestUnpaidDue != day("2027-03-01") {
		t.Errorf("DPD %d from %v, want 187 from 2027-03-01", s.DPD, s.OldestUnpaidDue)
	}
}

// Every restructuring transition re-lays a prepayment by the new method:
// after the prepayment the open installments are what the schedule
// package lays out for the new method over the remaining due dates.
func TestRestructuringTransitions(t *testing.T) {
	for _, from := range schedule.Methods {
		for _, to := range schedule.Methods {
			for _, rule := range []servicing.PrepaymentRule{servicing.ReduceTerm, servicing.ReduceInstallment} {
				t.Run(string(from)+" to "+string(to)+" "+string(rule), func(t *testing.T) {
					p := servicing.DefaultProduct("T")
					p.Method, p.Prepayment = from, rule
					l := servicing.Loan{ID: 1, Principal: amt("60000"), Rate: rate("0.08"), Term: 12, Method: from, Disbursed: day("2026-01-10")}
					restructured := servicing.Tx{Seq: 1, Kind: servicing.Restructure, ValueDate: day("2026-04-20"), NewRate: rate("0.05"), NewTerm: 10, NewMethod: to}
					before := servicing.Replay(p, l, []servicing.Tx{restructured}, day("2026-04-20"))
					s := servicing.Replay(p, l, []servicing.Tx{restructured, pay(2, "2026-05-05", "15000")}, day("2026-05-05"))
					var open []servicing.InstallmentState
					for _, in := range s.Installments {
						if !in.Closed {
							open = append(open, in)
						}
					}
					var dues []civil.Date
					var fresh []servicing.InstallmentState
					for _, in := range before.Installments {
						if !in.Closed {
							dues = append(dues, in.DueDate)
							fresh = append(fresh, in)
						}
					}
					balance := s.PrincipalOutstanding
					var want []schedule.Installment
					switch {
					case to == schedule.Bullet:
						want = []schedule.Installment{{N: 1, DueDate: dues[0], Principal: balance, Interest: schedule.PeriodInterest(balance, rate("0.05"), 10)}}
					case rule == servicing.ReduceTerm && to == schedule.EqualInstallment:
						want = schedule.Build(to, balance, rate("0.05"), dues, fresh[0].Principal+fresh[0].Interest)
					case rule == servicing.ReduceTerm && to == schedule.EqualPrincipal:
						want = schedule.Build(to, balance, rate("0.05"), dues, fresh[0].Principal)
					default:
						want = schedule.Build(to, balance, rate("0.05"), dues, 0)
					}
					if len(open) != len(want) {
						t.Fatalf("%d open installments, want %d", len(open), len(want))
					}
					for i := range want {
						if open[i].DueDate != want[i].DueDate || open[i].Principal != want[i].Principal || open[i].Interest != want[i].Interest {
							t.Errorf("installment %d: %v %v + %v, want %v %v + %v", i+1, open[i].DueDate, open[i].Principal, open[i].Interest, want[i].DueDate, want[i].Principal, want[i].Interest)
						}
					}
				})
			}
		}
	}
}

// A written-off loan that had been restructured keeps counting DPD from
// the oldest installment of the new schedule unpaid at write-off. The leap
// loan restructured on 2028-03-01 into 6 months at 6 % first falls due on
// 2028-04-01; written off unpaid on 2028-06-01, it is 91 days past due on
// 2028-07-01.
func TestWriteOffAfterRestructure(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{
		{Seq: 1, Kind: servicing.Restructure, ValueDate: day("2028-03-01"), NewRate: rate("0.06"), NewTerm: 6, NewMethod: schedule.EqualInstallment},
		{Seq: 2, Kind: servicing.WriteOff, ValueDate: day("2028-06-01")},
	}
	s := servicing.Replay(p, l, txs, day("2028-07-01"))
	if s.Status != servicing.StatusWrittenOff || s.DPD != 91 || s.OldestUnpaidDue != day("2028-04-01") {
		t.Errorf("status %v DPD %d from %v, want written off, 91 from 2028-04-01", s.Status, s.DPD, s.OldestUnpaidDue)
	}
	w := applied(t, s, 2)
	if w != s.WrittenOffParts || w.Sum() != s.WrittenOff || w.Principal != amt("3080.50") {
		t.Errorf("written off %v as %+v, recorded %+v: want the 3,080.50 capitalised as principal", s.WrittenOff, w, s.WrittenOffParts)
	}
}

// A write-off applies credit first: here 500.00 of credit arrives before
// the first due date (under the credit rule), pays installment 1's
// 1,030.00 as far as it goes on 2028-01-15, and the rest is written off on
// 2028-03-01: installment 1's 530.00 principal, installment 2's 1,000.00
// and 20.00, installment 3's 1,000.00, penalty and no interest not yet due.
func TestWriteOffAppliesCreditFirst(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{pay(1, "2028-01-10", "500"), {Seq: 2, Kind: servicing.WriteOff, ValueDate: day("2028-03-01")}}
	s := servicing.Replay(p, l, txs, day("2028-03-01"))
	// Penalty: 53000 × 46 × 0.0005 = 1219 fen; 100000 × 15 × 0.0005 = 750.
	want := servicing.Parts{Penalty: amt("19.69"), Interest: amt("20"), Principal: amt("2530")}
	if diff := cmp.Diff(want, s.WrittenOffParts); diff != "" {
		t.Errorf("written off (-want +got):\n%s", diff)
	}
	if s.Credit != 0 || s.WrittenOff != amt("2569.69") {
		t.Errorf("credit %v written off %v, want 0 and 2569.69", s.Credit, s.WrittenOff)
	}

	// With enough credit nothing is left to write off: 3,100.00 before
	// the first due date covers the payoff (3,000.00 + 26 days' interest,
	// 26.00) and settles the loan; the write-off is then refused.
	txs = []servicing.Tx{pay(1, "2028-01-10", "3100")}
	err := servicing.Check(p, l, txs, servicing.Tx{Kind: servicing.WriteOff, ValueDate: day("2028-03-01")}, day("2028-03-01"))
	if !errors.Is(err, servicing.ErrSettled) {
		t.Errorf("write-off of a settled loan: %v, want ErrSettled", err)
	}
}

// What falls due on the value date may be waived that day.
func TestWaiveWhatFallsDueToday(t *testing.T) {
	p, l := leapLoan()
	for _, tt := range []struct {
		c      servicing.Component
		amount string
	}{
		{servicing.Interest, "30"},
		{servicing.Principal, "1000"},
	} {
		tx := servicing.Tx{Seq: 1, Kind: servicing.Waiver, Component: tt.c, ValueDate: day("2028-01-15"), Amount: amt(tt.amount)}
		if err := servicing.Check(p, l, nil, tx, day("2028-01-15")); err != nil {
			t.Errorf("waive %s %s on its due date: %v", tt.amount, tt.c, err)
		}
		s := servicing.Replay(p, l, []servicing.Tx{tx}, day("2028-01-15"))
		if got := applied(t, s, 1).Sum(); got != amt(tt.amount) {
			t.Errorf("waived %v, want %s", got, tt.amount)
		}
	}
	tx := servicing.Tx{Kind: servicing.Waiver, Component: servicing.Interest, ValueDate: day("2028-01-15"), Amount: amt("30.01")}
	err := servicing.Check(p, l, nil, tx, day("2028-01-15"))
	if !errors.Is(err, servicing.ErrWaiverExceedsDue) || !strings.Contains(err.Error(), "is 30.00") {
		t.Errorf("waiving 30.01 of 30.00: %v", err)
	}
}

// Penalty and compound interest are two charges, each rounded once. As of
// 2028-03-01 on the leap loan with compound interest: penalty 100000 × 46 ×
// 0.0005 + 100000 × 15 × 0.0005 = 23.00 + 7.50; compound 3000 × 46 ×
// 0.0005 = 69 fen and 2000 × 15 × 0.0005 = 15 fen. A 25.00 payment pays
// installment 1's penalty, then its compound, then 1.31 of interest.
func TestCompoundIsItsOwnCharge(t *testing.T) {
	p, l := leapLoan()
	p.Compound = true
	s := servicing.Replay(p, l, nil, day("2028-03-01"))
	if s.PenaltyDue != amt("30.50") || s.CompoundDue != amt("0.84") {
		t.Errorf("penalty %v compound %v, want 30.50 and 0.84", s.PenaltyDue, s.CompoundDue)
	}
	if in := s.Installments[0]; in.Penalty != amt("23") || in.Compound != amt("0.69") || in.CompoundDue() != amt("0.69") {
		t.Errorf("installment 1 penalty %v compound %v", in.Penalty, in.Compound)
	}
	txs := []servicing.Tx{pay(1, "2028-03-01", "25")}
	s = servicing.Replay(p, l, txs, day("2028-03-01"))
	a := s.Allocations[0]
	if want := (servicing.Parts{Penalty: amt("23"), Compound: amt("0.69"), Interest: amt("1.31")}); a.Parts != want || a.Sum() != a.Amount {
		t.Errorf("allocation %+v, want %+v summing to 25.00", a.Parts, want)
	}
	if s.PaidCompound != amt("0.69") {
		t.Errorf("compound paid %v, want 0.69", s.PaidCompound)
	}
	waive := servicing.Tx{Seq: 2, Kind: servicing.Waiver, Component: servicing.Compound, ValueDate: day("2028-03-01"), Amount: amt("0.15")}
	if err := servicing.Check(p, l, txs, waive, day("2028-03-01")); err != nil {
		t.Fatalf("waive the compound of installment 2: %v", err)
	}
	s = servicing.Replay(p, l, append(txs, waive), day("2028-03-01"))
	if s.CompoundDue != 0 || s.Installments[1].WaivedCompound != amt("0.15") {
		t.Errorf("compound due %v waived %v, want 0 and 0.15", s.CompoundDue, s.Installments[1].WaivedCompound)
	}
}

// The principal ceiling keeps penalty exact: 10,000,000,000.00 at 1000 %
// over one month, unpaid for 36,000 days, owes penalty at 15 (1.5 × 10) of
// 1e12 × 36000 × 15/360 = 1.5e15 fen and compound on the month's interest
// 1e12 × 10/12 = 833,333,333,333 fen of 833333333333 × 36000 × 15/360 =
// 1,249,999,999,999,500 fen; above the ceiling the loan has no schedule.
func TestPenaltyAtTheCeiling(t *testing.T) {
	p := servicing.DefaultProduct("T")
	p.Compound = true
	l := servicing.Loan{ID: 1, Principal: schedule.MaxPrincipal, Rate: schedule.MaxRate, Term: 1, Method: schedule.EqualInstallment, Disbursed: day("2026-01-10")}
	s := servicing.Replay(p, l, nil, day("2026-02-10").AddDays(36000))
	if s.PenaltyDue != 1_500_000_000_000_000 || s.CompoundDue != 1_249_999_999_999_500 {
		t.Errorf("penalty %d compound %d fen, want 1500000000000000 and 1249999999999500", s.PenaltyDue, s.CompoundDue)
	}
	l.Principal++
	if s := servicing.Replay(p, l, nil, day("2027-01-01")); len(s.Installments) != 0 || s.PenaltyDue != 0 {
		t.Errorf("a loan above the ceiling replays %d installments, penalty %v", len(s.Installments), s.PenaltyDue)
	}
}

// Grace conventions at the boundary, 3 days of grace on the leap loan's
// first installment (due 2028-01-15, 1,030.00, penalty 0.0005 a day,
// compound interest on): paid in full on due + 3 or due + 4.
func TestGraceModes(t *testing.T) {
	tests := []struct {
		name              string
		mode              servicing.GraceMode
		paid              string
		penalty, compound string
	}{
		{"after grace, paid on due+3", servicing.GraceAfter, "2028-01-18", "0", "0"},
		// One day past grace: 100000 × 1 × 0.0005 = 50 fen; 3000 × 0.0005 = 1.5 → 2 fen.
		{"after grace, paid on due+4", servicing.GraceAfter, "2028-01-19", "0.50", "0.02"},
		{"zero value is after grace", "", "2028-01-19", "0.50", "0.02"},
		{"from due, paid on due+3", servicing.GraceFromDue, "2028-01-18", "0", "0"},
		// Past grace it runs from the due date: 100000 × 4 × 0.0005 = 200
		// fen; 3000 × 4 × 0.0005 = 6 fen.
		{"from due, paid on due+4", servicing.GraceFromDue, "2028-01-19", "2.00", "0.06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, l := leapLoan()
			p.GraceDays, p.GraceMode, p.Compound = 3, tt.mode, true
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			txs := []servicing.Tx{pay(1, tt.paid, "1040")}
			s := servicing.Replay(p, l, txs, day("2028-01-31"))
			a := applied(t, s, 1)
			if a.Penalty != amt(tt.penalty) || a.Compound != amt(tt.compound) || s.PenaltyDue != 0 || s.CompoundDue != 0 {
				t.Errorf("paid penalty %v compound %v (due %v, %v), want %s and %s", a.Penalty, a.Compound, s.PenaltyDue, s.CompoundDue, tt.penalty, tt.compound)
			}
			if s.MaxDPD != day(tt.paid).Sub(day("2028-01-15"))-1 {
				t.Errorf("MaxDPD %d: grace must not change DPD", s.MaxDPD)
			}
		})
	}
	// From due, past grace, on what was overdue each day: 500.00 on due+1
	// pays 30.00 interest and 470.00 principal after that day's accrual on
	// 1,000.00; the 530.00 left is overdue 4 more days to due+5:
	// 100000 + 53000 × 4 = 312000 fen-days × 0.0005 = 1.56.
	p, l := leapLoan()
	p.GraceDays, p.GraceMode = 3, servicing.GraceFromDue
	s := servicing.Replay(p, l, []servicing.Tx{pay(1, "2028-01-16", "500")}, day("2028-01-18"))
	if s.PenaltyDue != 0 {
		t.Errorf("within grace penalty due %v, want 0 until the grace period decides", s.PenaltyDue)
	}
	s = servicing.Replay(p, l, []servicing.Tx{pay(1, "2028-01-16", "500")}, day("2028-01-20"))
	if got, want := s.PenaltyDue, amt("1.56"); got != want {
		t.Errorf("penalty as of due+5 %v, want %v", got, want)
	}
	p.GraceMode = "sometimes"
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "after-grace or from-due") {
		t.Errorf("Validate(grace mode sometimes) = %v", err)
	}
}

// What each kind of transaction applied, as stored on its row.
func TestApplied(t *testing.T) {
	p, l := leapLoan()
	p.Compound = true
	txs := []servicing.Tx{
		{Seq: 1, Kind: servicing.FeeCharge, ValueDate: day("2028-01-20"), Amount: amt("15")},
		{Seq: 2, Kind: servicing.Waiver, Component: servicing.Fee, ValueDate: day("2028-01-21"), Amount: amt("5")},
		// 1,000.00 on 2028-02-01 (17 days late): fee 10.00, penalty
		// 100000 × 17 × 0.0005 = 8.50, compound 3000 × 17 × 0.0005 =
		// 25.5 → 0.26, interest 30.00, principal 951.24.
		pay(3, "2028-02-01", "1000"),
		{Seq: 4, Kind: servicing.Waiver, Component: servicing.Penalty, ValueDate: day("2028-02-01"), Amount: amt("5")},
		{Seq: 5, Kind: servicing.Restructure, ValueDate: day("2028-03-01"), NewRate: rate("0.06"), NewTerm: 6, NewMethod: schedule.EqualPrincipal},
		pay(6, "2028-03-02", "10"),
		{Seq: 7, Kind: servicing.Reversal, ValueDate: day("2028-03-03"), Reverses: 6},
	}
	s := servicing.Replay(p, l, txs, day("2028-03-05"))
	for _, tt := range []struct {
		seq  int64
		want servicing.Parts
		ok   bool
	}{
		{1, servicing.Parts{Fee: amt("15")}, true},
		{2, servicing.Parts{Fee: amt("5")}, true},
		{3, servicing.Parts{Fee: amt("10"), Penalty: amt("8.50"), Compound: amt("0.26"), Interest: amt("30"), Principal: amt("951.24")}, true},
		{4, servicing.Parts{}, true}, // nothing left due to waive
		// Capitalised on 2028-03-01: 48.76 + 2,000.00 principal, 20.00
		// interest due; penalty 4876 × 29 × 0.0005 = 70.7 → 0.71 and
		// 100000 × 15 × 0.0005 = 7.50; compound 2000 × 15 × 0.0005 = 15 fen.
		{5, servicing.Parts{Principal: amt("2048.76"), Interest: amt("20"), Penalty: amt("8.21"), Compound: amt("0.15")}, true},
		{6, servicing.Parts{}, false}, // reversed
		{7, servicing.Parts{}, false}, // a reversal applies nothing itself
	} {
		got, ok := s.Applied(tt.seq)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Applied(%d) = %+v, %v; want %+v, %v", tt.seq, got, ok, tt.want, tt.ok)
		}
	}
}

// Check refuses amounts a transaction does not use, naming the amount
// that would apply.
func TestCheckRefusesUnusedAmounts(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{pay(1, "2028-01-20", "1000")}
	business := day("2028-03-01")
	tests := []struct {
		name string
		tx   servicing.Tx
		err  error
		msg  string
	}{
		{"write-off for whatever is outstanding", servicing.Tx{Kind: servicing.WriteOff, ValueDate: business}, nil, ""},
		// 1,000.00 five days late paid 2.50 penalty, 30.00 interest and
		// 967.50 principal; left: 32.50 + 2,000.00 principal, 20.00
		// interest, penalty (100000 × 5 + 3250 × 41) × 0.0005 = 316.6 →
		// 3.17 less 2.50 paid, and 100000 × 15 × 0.0005 = 7.50.
		{"write-off for the exact amount", servicing.Tx{Kind: servicing.WriteOff, ValueDate: business, Amount: amt("2060.67")}, nil, ""},
		{"write-off for another amount", servicing.Tx{Kind: servicing.WriteOff, ValueDate: business, Amount: amt("2000")}, servicing.ErrWriteOffAmount, "writes off 2060.67"},
		{"negative write-off", servicing.Tx{Kind: servicing.WriteOff, ValueDate: business, Amount: -1}, servicing.ErrWriteOffAmount, "writes off 2060.67"},
		{"restructure with an amount", servicing.Tx{Kind: servicing.Restructure, ValueDate: business, Amount: 1, NewRate: rate("0.06"), NewTerm: 6, NewMethod: schedule.EqualInstallment}, servicing.ErrRestructureAmount, "capitalises 2060.67"},
		{"restructure into a bullet charging more than the ceiling", servicing.Tx{Kind: servicing.Restructure, ValueDate: business, NewRate: schedule.MaxRate, NewTerm: 480, NewMethod: schedule.Bullet}, nil, ""},
		{"reversal for the reversed amount", servicing.Tx{Kind: servicing.Reversal, ValueDate: business, Reverses: 1, Amount: amt("1000")}, nil, ""},
		{"reversal without an amount", servicing.Tx{Kind: servicing.Reversal, ValueDate: business, Reverses: 1}, nil, ""},
		{"reversal for another amount", servicing.Tx{Kind: servicing.Reversal, ValueDate: business, Reverses: 1, Amount: amt("999")}, servicing.ErrReversalAmount, "repayment #1 was 1000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := servicing.Check(p, l, txs, tt.tx, business)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Check = %v, want it to say %q", err, tt.msg)
			}
		})
	}

	// A restructuring may not capitalise more than the principal ceiling:
	// a loan at the ceiling with a month's interest overdue cannot.
	big := servicing.Loan{ID: 2, Principal: schedule.MaxPrincipal, Rate: rate("0.12"), Term: 12, Method: schedule.InterestOnly, Disbursed: day("2026-01-10")}
	err := servicing.Check(p, big, nil, servicing.Tx{Kind: servicing.Restructure, ValueDate: day("2026-02-11"), NewRate: rate("0.12"), NewTerm: 12, NewMethod: schedule.EqualInstallment}, day("2026-02-11"))
	if !errors.Is(err, servicing.ErrBadRestructure) || !errors.Is(err, schedule.ErrPrincipal) {
		t.Errorf("restructuring above the ceiling: %v, want ErrBadRestructure wrapping ErrPrincipal", err)
	}
}

// The facts classification's observation period needs. The leap loan,
// 45 days past due at the end of 2028-02-29, is restructured on
// 2028-03-01 into 6 monthly installments first due 2028-04-01 and
// 2028-05-01. Nothing is paid until 2028-05-10, when installment 1 of the
// new schedule is paid in full: the loan was past due from 2028-04-02
// counting from 2028-04-01, and from 2028-05-10 counting from 2028-05-01.
func TestRestructuringFacts(t *testing.T) {
	p, l := leapLoan()
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Restructure, ValueDate: day("2028-03-01"), NewRate: rate("0.06"), NewTerm: 6, NewMethod: schedule.EqualInstallment}}
	s := servicing.Replay(p, l, txs, day("2028-05-10"))
	var first servicing.InstallmentState
	for _, in := range s.Installments {
		if !in.Closed {
			first = in
			break
		}
	}
	owed := first.PrincipalDue() + first.InterestDue() + first.PenaltyDue()
	txs = append(txs, servicing.Tx{Seq: 2, Kind: servicing.Repayment, ValueDate: day("2028-05-10"), Amount: owed, Reference: "r"})
	s = servicing.Replay(p, l, txs, day("2028-06-10"))
	want := []servicing.Restructuring{{Seq: 1, Date: day("2028-03-01"), DPDBefore: 45, FirstDue: day("2028-04-01"), SecondDue: day("2028-05-01")}}
	if diff := cmp.Diff(want, s.Restructurings); diff != "" {
		t.Errorf("restructurings (-want +got):\n%s", diff)
	}
	spells := []servicing.DelinquencySpell{
		{From: day("2028-04-02"), To: day("2028-05-09"), Since: day("2028-04-01")},
		{From: day("2028-05-10"), To: day("2028-06-10"), Since: day("2028-05-01")},
	}
	if diff := cmp.Diff(spells, s.Delinquency); diff != "" {
		t.Errorf("delinquency (-want +got):\n%s", diff)
	}
	if s.DPD != 40 || s.ObservationStart != day("2028-04-01") {
		t.Errorf("DPD %d observation start %v, want 40 and 2028-04-01", s.DPD, s.ObservationStart)
	}
	if plain := servicing.Replay(p, l, nil, day("2028-06-10")); plain.Delinquency != nil {
		t.Errorf("a loan never restructured tracks delinquency spells: %v", plain.Delinquency)
	}
}
