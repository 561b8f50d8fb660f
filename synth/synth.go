// Package synth generates synthetic loan portfolios (模拟数据) for demos,
// tests and benchmarks: borrowers, products, loans and payment behaviour
// driven by a per-borrower latent risk, deterministic for a seed.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// Products returns the generated portfolio's product catalogue.
func Products() []servicing.Product {
	consumer := servicing.DefaultProduct("CONSUMER")
	consumer.Name = "消费分期 consumer instalment"
	sme := servicing.DefaultProduct("SME")
	sme.Name = "小微经营贷 small business"
	sme.Method = schedule.InterestOnly
	sme.GraceDays = 3
	sme.LGD = money.MustParseRate("0.55")
	mortgage := servicing.DefaultProduct("MORTGAGE")
	mortgage.Name = "住房按揭 mortgage"
	mortgage.Method = schedule.EqualPrincipal
	mortgage.DayCount = servicing.ACT365
	mortgage.Prepayment = servicing.ReduceInstallment
	mortgage.LGD = money.MustParseRate("0.20")
	return []servicing.Product{consumer, sme, mortgage}
}

// Loan is a generated loan with its borrower and its latent risk.
type Loan struct {
	Borrower servicing.Borrower
	Loan     servicing.Loan
	Risk     float64 // latent monthly propensity to miss a payment
}

var (
	regions  = []string{"北京", "上海", "广东", "浙江", "四川", "河南", "湖北", "山东"}
	branches = []string{"BJ01", "SH01", "GZ01", "HZ01", "CD01", "ZZ01", "WH01", "JN01"}
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚")
)

// Loans generates n loans disbursed between from and until.
func Loans(seed uint64, n int, from, until civil.Date) []Loan {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	out := make([]Loan, n)
	span := until.Sub(from)
	for i := range out {
		region := r.IntN(len(regions))
		risk := math.Exp(r.NormFloat64()*0.9 - 4.0) // median ~1.8 % a month, fat right tail
		var l servicing.Loan
		switch k := r.IntN(10); {
		case k < 7:
			l.Product, l.Term = "CONSUMER", []int{6, 12, 12, 24, 36}[r.IntN(5)]
			l.Principal = money.Amount(r.IntN(190)+10) * 1000_00
			l.Rate = money.Rate(int64(r.IntN(1400)+600) * money.RateScale / 10000)
			l.Method = schedule.EqualInstallment
		case k < 9:
			l.Product, l.Term = "SME", []int{12, 24, 36}[r.IntN(3)]
			l.Principal = money.Amount(r.IntN(95)+5) * 10000_00
			l.Rate = money.Rate(int64(r.IntN(500)+400) * money.RateScale / 10000)
			l.Method = schedule.InterestOnly
			risk *= 1.3
		default:
			l.Product, l.Term = "MORTGAGE", []int{120, 240, 360}[r.IntN(3)]
			l.Principal = money.Amount(r.IntN(250)+50) * 10000_00
			l.Rate = money.Rate(int64(r.IntN(150)+350) * money.RateScale / 10000)
			l.Method = schedule.EqualPrincipal
			risk *= 0.4
		}
		l.ExternalID = fmt.Sprintf("LN%08d", i+1)
		l.Disbursed = from.AddDays(r.IntN(max(span, 1)))
		l.Branch, l.Region = branches[region], regions[region]
		l.Officer = fmt.Sprintf("OF%03d", r.IntN(40)+1)
		name := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
		out[i] = Loan{
			Borrower: servicing.Borrower{ExternalID: fmt.Sprintf("BR%08d", i+1), Name: name, Phone: fmt.Sprintf("13%09d", r.IntN(1e9)), Region: regions[region]},
			Loan:     l,
			Risk:     min(risk, 0.6),
		}
	}
	return out
}

// Payments returns the repayments a loan's borrower makes up to until:
// most installments on the due date, some a few days late, some missed and
// caught up later, a risky borrower sometimes stopping for good.
func Payments(seed uint64, g Loan, p servicing.Product, until civil.Date) []servicing.Tx {
	r := rand.New(rand.NewPCG(seed, uint64(g.Loan.ID)*0x9e3779b97f4a7c15+1))
	s := servicing.Replay(p, g.Loan, nil, g.Loan.Disbursed)
	var out []servicing.Tx
	var arrears money.Amount
	stopped := false
	for _, in := range s.Installments {
		if in.DueDate.After(until) {
			break
		}
		due := in.Principal + in.Interest
		if stopped || r.Float64() < g.Risk {
			arrears += due
			if !stopped && r.Float64() < 0.35 {
				stopped = true
			}
			continue
		}
		d := in.DueDate
		if r.Float64() < 0.15 {
			d = d.AddDays(r.IntN(12) + 1)
			due += due / 100 // a late payer pays the penalty billed too (≈ 18 %/360 a day)
		}
		if d.After(until) {
			arrears += due
			continue
		}
		amount := due + arrears + arrears/15 // catch up, with the penalty accrued on arrears
		if arrears > 0 && r.Float64() < 0.5 {
			amount = due + arrears/2 // a partial catch-up
		}
		arrears = due + arrears - amount
		if arrears < 0 {
			arrears = 0
		}
		out = append(out, servicing.Tx{LoanID: g.Loan.ID, Kind: servicing.Repayment, ValueDate: d, Amount: amount,
			Channel: "withholding", Reference: fmt.Sprintf("%s-%d", g.Loan.ExternalID, in.N)})
	}
	return out
}
