package servicing

import (
	"fmt"
	"strings"

	"daihou/money"
	"daihou/schedule"
)

// DayCount is the day-count basis of daily accrual.
type DayCount string

// Day-count conventions.
const (
	ACT360 DayCount = "ACT/360"
	ACT365 DayCount = "ACT/365"
)

// Days returns the year basis of dc.
func (dc DayCount) Days() int64 {
	if dc == ACT365 {
		return 365
	}
	return 360
}

// Component is a part of what a borrower owes.
type Component string

// Components, in the default allocation order. Compound is not a step
// of the waterfall: the Penalty step pays an installment's penalty and then
// its compound interest. It is a component of its own for waivers.
const (
	Fee       Component = "fee"
	Penalty   Component = "penalty"   // 罚息
	Compound  Component = "compound"  // 复利, on overdue interest
	Interest  Component = "interest"  // 利息
	Principal Component = "principal" // 本金
)

// DefaultAllocation is the default waterfall: fees, then 罚息 penalty, then
// 利息 interest, then 本金 principal, oldest installment first.
var DefaultAllocation = []Component{Fee, Penalty, Interest, Principal}

// PrepaymentRule says what happens to money beyond what is due.
type PrepaymentRule string

// Prepayment rules.
const (
	HoldCredit        PrepaymentRule = "credit"             // keep as credit, applied on later due dates
	ReduceTerm        PrepaymentRule = "reduce-term"        // prepay principal, keep the installment, finish earlier
	ReduceInstallment PrepaymentRule = "reduce-installment" // prepay principal, keep the term, lower installments
)

// GraceMode says what a grace period (宽限期) forgives.
type GraceMode string

// Grace conventions. Neither changes DPD, which counts from the due date.
const (
	// GraceAfter: penalty and compound interest accrue only for the days
	// after due + GraceDays, whenever the installment is paid. The zero
	// value means GraceAfter.
	GraceAfter GraceMode = "after-grace"
	// GraceFromDue is the common bank convention 宽限期内免罚息，超过宽限期自到期日起计收:
	// an installment whose principal and interest are paid by the end of
	// due + GraceDays owes no penalty; one still unpaid then owes penalty
	// and compound interest from the due date, on what was overdue each day.
	GraceFromDue GraceMode = "from-due"
)

// Product holds the parameters that govern a family of loans.
type Product struct {
	Code        string
	Name        string
	Currency    money.Currency
	Method      schedule.Method
	DayCount    DayCount   // for penalty and compound interest
	PenaltyRate money.Rate // annual; zero means contract rate × 1.5
	Compound    bool       // accrue compound interest (复利) on overdue interest
	GraceDays   int        // 宽限期: days after a due date before penalty is owed
	GraceMode   GraceMode  // what the grace period forgives; zero means GraceAfter
	Tolerance   money.Amount
	Allocation  []Component
	Prepayment  PrepaymentRule
	LGD         money.Rate // loss given default, as a fraction
}

// DefaultProduct returns a consumer instalment product with the default
// conventions; tests and the demo start from it.
func DefaultProduct(code string) Product {
	return Product{
		Code:       code,
		Name:       code,
		Currency:   money.CNY,
		Method:     schedule.EqualInstallment,
		DayCount:   ACT360,
		Allocation: DefaultAllocation,
		Prepayment: HoldCredit,
		GraceMode:  GraceAfter,
		LGD:        money.MustParseRate("0.45"),
	}
}

// Validate reports whether p's parameters are usable.
func (p Product) Validate() error {
	if p.Code == "" {
		return fmt.Errorf("product code is required")
	}
	if _, err := schedule.ParseMethod(string(p.Method)); err != nil {
		return fmt.Errorf("product %s: %w", p.Code, err)
	}
	if p.DayCount != ACT360 && p.DayCount != ACT365 {
		return fmt.Errorf("product %s: day count %q (want ACT/360 or ACT/365)", p.Code, p.DayCount)
	}
	if p.GraceDays < 0 || p.GraceDays > 90 {
		return fmt.Errorf("product %s: grace days %d (want 0 to 90)", p.Code, p.GraceDays)
	}
	switch p.GraceMode {
	case "", GraceAfter, GraceFromDue:
	default:
		return fmt.Errorf("product %s: grace mode %q (want %s or %s)", p.Code, p.GraceMode, GraceAfter, GraceFromDue)
	}
	if p.PenaltyRate < 0 || p.PenaltyRate > schedule.MaxRate {
		return fmt.Errorf("product %s: penalty rate %v (want 0 to 10; 0 means the contract rate × 1.5)", p.Code, p.PenaltyRate)
	}
	if p.Tolerance < 0 {
		return fmt.Errorf("product %s: negative DPD tolerance", p.Code)
	}
	if err := checkAllocation(p.Allocation); err != nil {
		return fmt.Errorf("product %s: %w", p.Code, err)
	}
	switch p.Prepayment {
	case HoldCredit, ReduceTerm, ReduceInstallment:
	default:
		return fmt.Errorf("product %s: prepayment rule %q (want credit, reduce-term or reduce-installment)", p.Code, p.Prepayment)
	}
	if p.LGD < 0 || p.LGD > money.RateScale {
		return fmt.Errorf("product %s: LGD %v (want 0 to 1)", p.Code, p.LGD)
	}
	return nil
}

func checkAllocation(order []Component) error {
	seen := map[Component]bool{}
	for _, c := range order {
		switch c {
		case Fee, Penalty, Interest, Principal:
		default:
			return fmt.Errorf("allocation: unknown component %q", c)
		}
		if seen[c] {
			return fmt.Errorf("allocation: %q listed twice", c)
		}
		seen[c] = true
	}
	if len(seen) != 4 {
		return fmt.Errorf("allocation must list fee, penalty, interest and principal once each")
	}
	return nil
}

// ParseAllocation parses "penalty,interest,principal[,fee]"; a missing fee
// goes first.
func ParseAllocation(s string) ([]Component, error) {
	var out []Component
	for _, f := range strings.Split(s, ",") {
		out = append(out, Component(strings.TrimSpace(f)))
	}
	has := false
	for _, c := range out {
		has = has || c == Fee
	}
	if !has {
		out = append([]Component{Fee}, out...)
	}
	return out, checkAllocation(out)
}

// FormatAllocation is the inverse of ParseAllocation.
func FormatAllocation(order []Component) string {
	parts := make([]string, len(order))
	for i, c := range order {
		parts[i] = string(c)
	}
	return strings.Join(parts, ",")
}

// penaltyRate returns the penalty rate for a loan at contract rate r.
func (p Product) penaltyRate(r money.Rate) money.Rate {
	if p.PenaltyRate > 0 {
		return p.PenaltyRate
	}
	return r.MulRatio(3, 2)
}
