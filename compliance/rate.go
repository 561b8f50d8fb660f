package compliance

import (
	"errors"
	"math"
	"math/bits"

	"daihou"
	"daihou/money"
)

// DefaultLPR is the one-year Loan Prime Rate (一年期贷款市场报价利率) the
// rate cap is computed from when the configuration names none: 3.0 %. The
// National Interbank Funding Center publishes the LPR monthly; the
// configuration carries the current figure, this is only its default.
const DefaultLPR money.Rate = 300_000_000 // 0.0300

// LPRMultiple is the multiple of the one-year LPR that private lending may
// not exceed (《民法典》 art. 680 forbids usury; the Supreme People's Court
// provisions on private-lending cases, art. 25, set the line at four times
// the one-year LPR at the time the contract is made).
const LPRMultiple = 4

// DaysPerYear is the year AnnualCost annualises over.
const DaysPerYear = 365

// ErrRateAboveCap is the cause of CheckRate's error: a rate or annual cost
// above the legal cap. Callers test for it with errors.Is.
var ErrRateAboveCap = errors.New("rate above the legal cap")

// Cap is a legal rate cap: Multiple times the one-year LPR. It keeps the
// LPR beside the product so that a refusal can name both; RateCap makes
// one, Rate gives its value.
type Cap struct {
	LPR      money.Rate
	Multiple int64
}

// RateCap returns the cap that is multiple times the one-year LPR
// (RateCap(DefaultLPR, LPRMultiple) is 12 %). A negative multiple or LPR
// is a programming error and panics.
func RateCap(lpr money.Rate, multiple int64) Cap {
	if lpr < 0 || multiple < 0 {
		panic("compliance: RateCap of a negative LPR or multiple")
	}
	return Cap{LPR: lpr, Multiple: multiple}
}

// Rate returns the cap's value, exact: an LPR of 1e-10 units times a
// small integer. It panics if that overflows, which no real LPR does.
func (c Cap) Rate() money.Rate {
	return money.Rate(money.MulDiv(int64(c.LPR), c.Multiple, 1, money.Down))
}

// CheckRate returns nil if annual is at or below the cap (the law says "not
// above"), and otherwise an EINVALID error wrapping ErrRateAboveCap that
// names the rate, the cap and the LPR it comes from.
func CheckRate(annual money.Rate, limit Cap) error {
	if c := limit.Rate(); annual > c {
		return daihou.Invalid("rate", "%w: the annual rate %s exceeds the legal cap %s, %d × the one-year LPR %s (《民法典》 art. 680; SPC private-lending provisions art. 25)",
			ErrRateAboveCap, percent(annual), percent(c), limit.Multiple, percent(limit.LPR))
	}
	return nil
}

// AnnualCost returns the effective annual cost (综合年化成本) of a loan:
// its contract rate plus its fees spread over the term, fees ÷ principal ×
// 365 ÷ days, so that CheckRate can hold the two together against the cap.
// It is exact in integers and rounded up to the rate's last digit (1e-10),
// so a cost over the cap by less than that digit is still over it.
//
// The annualisation is simple, on a principal outstanding for the whole
// term; for a loan repaid in instalments pass the average principal
// outstanding over the term, not the amount lent, or the cost is
// understated (roughly halved for an even amortisation). Fees and
// principal are in fen, days the term in days. A principal or term not
// above zero, negative fees or rate, or a cost beyond any rate is EINVALID.
func AnnualCost(rate money.Rate, feesFen, principalFen int64, days int) (money.Rate, error) {
	switch {
	case rate < 0:
		return 0, daihou.Invalid("rate", "the contract rate %s is negative", rate)
	case feesFen < 0:
		return 0, daihou.Invalid("fees", "fees of %d fen are negative", feesFen)
	case principalFen <= 0:
		return 0, daihou.Invalid("principal", "a principal of %d fen is not above zero", principalFen)
	case days <= 0:
		return 0, daihou.Invalid("days", "a term of %d days is not above zero", days)
	}
	// fees × 365 × RateScale ÷ (principal × days), rounded up, in two
	// divisions so that principal × days never has to fit in 64 bits:
	// ⌈⌈x ÷ a⌉ ÷ b⌉ = ⌈x ÷ ab⌉ for positive integers.
	hi, lo := bits.Mul64(uint64(feesFen), DaysPerYear*money.RateScale)
	if hi >= uint64(principalFen) {
		return 0, daihou.Invalid("fees", "fees of %d fen on %d fen are beyond any rate", feesFen, principalFen)
	}
	q, rem := bits.Div64(hi, lo, uint64(principalFen))
	if rem != 0 {
		q++
	}
	q = q/uint64(days) + min(q%uint64(days), 1)
	if q > math.MaxInt64-uint64(rate) {
		return 0, daihou.Invalid("fees", "fees of %d fen on %d fen over %d days are beyond any rate", feesFen, principalFen, days)
	}
	return rate + money.Rate(q), nil
}

// percent writes a rate as a fraction and a percentage: "0.12 (12 %)".
func percent(r money.Rate) string {
	return r.String() + " (" + money.Rate(int64(r)*100).String() + " %)"
}
