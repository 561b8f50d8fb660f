package compliance

import (
	"strings"

	"daihou"
	"daihou/money"
	"daihou/schedule"
)

// The book held against the legal cap (利率上限核查). Three rates of a loan
// must each stay at or below the cap: its contract interest rate (利率),
// its penalty rate on overdue principal (罚息利率), and its all-in annual
// cost (综合年化成本), the contract rate with the fees charged annualised
// over what the schedule lends. The Supreme People's Court private-lending
// provisions hold each to four times the one-year LPR (art. 25 interest,
// art. 28 overdue interest, art. 29 overdue interest, penalties and fees
// together); the cost is what a borrower is charged to borrow, so it
// leaves the penalty, charged only on default, out.

// What exceeds the cap: the rates an Excess names.
const (
	OverInterest = "interest" // 利息: the contract rate
	OverPenalty  = "penalty"  // 罚息: the penalty rate on overdue principal
	OverCost     = "cost"     // 综合年化成本: the contract rate with the fees annualised
)

// LoanTerms are the terms of a loan CheckCap holds against the cap.
type LoanTerms struct {
	// Rate is the annual contract rate.
	Rate money.Rate
	// PenaltyRate is the product's penalty rate as the product stores it
	// (servicing.Product.PenaltyRate): an annual rate of its own, not a
	// multiple of the contract rate; zero means the contract rate × 1.5.
	PenaltyRate money.Rate
	// FeesFen is the fees charged, in fen, net of fees waived (减免).
	FeesFen int64
	// PrincipalDays is the principal the schedule lends, summed over
	// every day of the term, in fen-days (CostBase): the fees are
	// annualised over it. It may be zero when FeesFen is.
	PrincipalDays int64
}

// Excess is one of a loan's rates above the cap: which (OverInterest,
// OverPenalty, OverCost), its value and by how much it exceeds the cap.
type Excess struct {
	What string
	Rate money.Rate
	By   money.Rate
}

// CapCheck is what CheckCap found of one loan: the cap it used, the three
// rates it held against it, and those above it, in the order interest,
// penalty, cost (none when the loan is within the cap).
type CapCheck struct {
	Cap     Cap
	Rate    money.Rate // the contract rate
	Penalty money.Rate // the penalty rate in force: the product's, or 1.5 × Rate
	Cost    money.Rate // the all-in annual cost, AnnualCost of the fees
	Over    []Excess
}

// Within reports whether none of the loan's rates is above the cap.
func (c CapCheck) Within() bool { return len(c.Over) == 0 }

// Err returns nil for a loan within the cap, and otherwise an EINVALID
// error wrapping ErrRateAboveCap that names each rate above it, by how
// much, and the cap with the LPR and multiple it comes from.
func (c CapCheck) Err() error {
	if c.Within() {
		return nil
	}
	parts := make([]string, len(c.Over))
	for i, e := range c.Over {
		parts[i] = e.What + " " + percent(e.Rate) + " by " + percent(e.By)
	}
	return daihou.Invalid("rate", "%w: %s above the legal cap %s, %d × the one-year LPR %s (《民法典》 art. 680; SPC private-lending provisions arts. 25, 28, 29)",
		ErrRateAboveCap, strings.Join(parts, "; "), percent(c.Cap.Rate()), c.Cap.Multiple, percent(c.Cap.LPR))
}

// PenaltyRate returns the penalty rate in force for a loan at the annual
// contract rate of a product whose stored penalty rate is stored: stored
// itself when above zero, else the contract rate × 1.5 rounded half-up to
// the rate's last digit — the rule servicing applies when it accrues 罚息.
func PenaltyRate(stored, contract money.Rate) money.Rate {
	if stored > 0 {
		return stored
	}
	return contract.MulRatio(3, 2)
}

// CheckCap holds a loan's terms against limit: its contract rate, its
// penalty rate (PenaltyRate) and its all-in annual cost (AnnualCost of
// its fees over its principal-days), each allowed up to and including the
// cap. Terms it cannot price — a negative rate or fees, fees with no
// principal-days to annualise them over, a cost beyond any rate — are
// EINVALID.
func CheckCap(t LoanTerms, limit Cap) (CapCheck, error) {
	c := CapCheck{Cap: limit, Rate: t.Rate, Penalty: PenaltyRate(t.PenaltyRate, t.Rate), Cost: t.Rate}
	switch {
	case t.Rate < 0:
		return c, daihou.Invalid("rate", "the contract rate %s is negative", t.Rate)
	case t.PenaltyRate < 0:
		return c, daihou.Invalid("penalty_rate", "the penalty rate %s is negative", t.PenaltyRate)
	}
	if t.FeesFen != 0 {
		// AnnualCost annualises fees over principal × days; the
		// principal-days are that product already, over a day.
		cost, err := AnnualCost(t.Rate, t.FeesFen, t.PrincipalDays, 1)
		if err != nil {
			return c, err
		}
		c.Cost = cost
	}
	capRate := limit.Rate()
	for _, r := range []struct {
		what string
		rate money.Rate
	}{{OverInterest, c.Rate}, {OverPenalty, c.Penalty}, {OverCost, c.Cost}} {
		// The cost is named only when fees make it more than the rate:
		// without them it is the rate, already named.
		if r.rate > capRate && (r.what != OverCost || t.FeesFen > 0) {
			c.Over = append(c.Over, Excess{What: r.what, Rate: r.rate, By: r.rate - capRate})
		}
	}
	return c, nil
}

// MinPrincipalDaysPerMonth is a floor on the principal-days a schedule
// lends, per fen of principal and month of term: CostBase(t) is at least
// MinPrincipalDaysPerMonth × t.Principal × t.Term for every schedule.
// Every period is at least 28 days (a due date moves by a month, clamped
// to the month's end), and no method repays more than an even share of
// what is left before the last installment, so on average at least half
// the principal is outstanding: 28 ÷ 2 = 14. A query over a whole book
// uses it to leave out, before any schedule is laid, the loans whose fees
// cannot lift the cost over the cap.
const MinPrincipalDaysPerMonth = 14

// CostBase returns what the schedule of t lends, the base AnnualCost
// annualises fees over: the principal outstanding at the start of each
// period times the period's days, summed over the periods (fen-days), and
// the term in days, disbursement to the last due date. It is exact: the
// principal-days of a loan at the ceiling over 40 years are below 2e16.
// Terms schedule.Generate refuses are its error.
func CostBase(t schedule.Terms) (principalDays int64, days int, err error) {
	var b schedule.Builder
	inst, err := b.Generate(t)
	if err != nil {
		return 0, 0, daihou.Invalid("terms", "%w", err)
	}
	balance, from := int64(t.Principal), t.Start
	for _, in := range inst {
		principalDays += balance * int64(in.DueDate.Sub(from))
		balance -= int64(in.Principal)
		from = in.DueDate
	}
	return principalDays, from.Sub(t.Start), nil
}
