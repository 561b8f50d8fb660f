package synth

import (
	"math"

	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// Products returns the generated bank's product catalogue. Prepayment
// reduces the term or the installment, so early payoffs settle a loan.
func Products() []servicing.Product {
	consumer := servicing.DefaultProduct("CONSUMER")
	consumer.Name = "消费分期 consumer instalment"
	consumer.Compound = true
	consumer.Prepayment = servicing.ReduceTerm
	consumer.LGD = money.MustParseRate("0.60")
	sme := servicing.DefaultProduct("SME")
	sme.Name = "小微经营贷 small business"
	sme.Method = schedule.InterestOnly
	sme.GraceDays = 3
	sme.Prepayment = servicing.ReduceTerm
	sme.LGD = money.MustParseRate("0.45")
	mortgage := servicing.DefaultProduct("MORTGAGE")
	mortgage.Name = "住房按揭 mortgage"
	mortgage.DayCount = servicing.ACT365
	mortgage.Prepayment = servicing.ReduceInstallment
	mortgage.LGD = money.MustParseRate("0.20")
	return []servicing.Product{consumer, sme, mortgage}
}

// Product indexes into Products.
const (
	consumer = iota
	sme
	mortgage
)

// behaviour constants per product: the logit of a current borrower's
// monthly chance to miss at risk 0, of a monthly early payoff, and the
// chance a deep arrears case is restructured in a month.
var (
	missLogit    = [3]float64{-4.7, -4.5, -5.8}
	payoffRate   = [3]float64{0.010, 0.008, 0.0035}
	restructureP = [3]float64{0.05, 0.06, 0.04}
)

// terms draws the product and contract terms of a loan for a borrower.
func terms(r *stream, prof *Profile, l *servicing.Loan, risk float64) int {
	var kind int
	switch {
	case prof.owner:
		kind = r.pick([]float64{30, 65, 5})
	case prof.Occupation == "student":
		kind = consumer
	default:
		mortgageShare := 6 + 5*float64(prof.IncomeBand-1)
		kind = r.pick([]float64{92 - mortgageShare, 4, mortgageShare})
	}
	lognormal := func(median, sigma float64, lo, hi, step int64) money.Amount {
		v := median * math.Exp(r.NormFloat64()*sigma)
		x := min(max(int64(v)/step*step, lo), hi)
		return money.Amount(x * 100)
	}
	rate := func(base, slope, lo, hi float64) money.Rate {
		v := min(max(base+slope*(risk+1), lo), hi)
		return money.Rate(int64(v*10000) * (money.RateScale / 10000))
	}
	switch kind {
	case consumer:
		l.Product = "CONSUMER"
		l.Principal = lognormal(30000, 0.8, 3000, 300000, 100)
		l.Term = []int{6, 12, 12, 18, 24, 24, 36}[r.IntN(7)]
		l.Method = schedule.EqualInstallment
		if r.chance(0.15) {
			l.Method = schedule.EqualPrincipal
		}
		l.Rate = rate(0.072, 0.022, 0.06, 0.18)
	case sme:
		l.Product = "SME"
		l.Principal = lognormal(300000, 0.9, 20000, 5000000, 1000)
		l.Method = []schedule.Method{schedule.InterestOnly, schedule.EqualInstallment, schedule.EqualPrincipal, schedule.Bullet}[r.pick([]float64{45, 30, 10, 15})]
		l.Term = []int{12, 24, 36}[r.IntN(3)]
		if l.Method == schedule.Bullet {
			l.Term = []int{6, 12}[r.IntN(2)]
		}
		l.Rate = rate(0.04, 0.012, 0.035, 0.10)
	default:
		l.Product = "MORTGAGE"
		l.Principal = lognormal(1000000, 0.6, 200000, 8000000, 10000)
		l.Method = schedule.EqualInstallment
		if r.chance(0.35) {
			l.Method = schedule.EqualPrincipal
		}
		l.Term = []int{120, 180, 240, 300, 360}[r.pick([]float64{10, 15, 20, 15, 40})]
		l.Rate = rate(0.031, 0.004, 0.03, 0.049)
	}
	l.Currency = money.CNY
	return kind
}
