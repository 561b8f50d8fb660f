// Package behaviour builds the behaviour-score (B-card, 行为评分卡) features of
// a loan from its replayed servicing state (Row) and from what external
// sources say about its borrower (SignalRow: bureau inquiries and loans
// elsewhere 多头借贷, court cases, social security, bank statements …), and
// the target a portfolio model learns: whether the loan reaches 90+ days
// past due within a horizon after an observation date. It is pure — the
// ledger and the borrower's signal.Facts come in, a table row goes out — so
// training, back-testing and the nightly scoring build exactly the same
// features.
package behaviour

import (
	"strconv"

	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
)

// Names are the feature columns, in order.
var Names = []string{
	"product", "method", "region", "term", "rate_pct", "principal_k", "months_on_book",
	"utilisation", "arrears_ratio", "paid_due_ratio", "dpd",
	"max_dpd_3m", "max_dpd_6m", "max_dpd_12m", "times_30p_12m", "times_60p_12m", "times_90p_12m",
	"months_since_delinquent", "restructured", "credit_held",
}

// Row returns the features of loan l as of s.AsOf, aligned with Names.
// Numbers are formatted as decimal text so the row feeds the generic
// trainer's reader unchanged.
func Row(l servicing.Loan, s *servicing.State) []string {
	mob := s.AsOf.MonthIndex() - l.Disbursed.MonthIndex()
	hist := s.MonthlyMaxDPD
	last := len(hist) - 1
	window := func(months int) (maxDPD int32, over30, over60, over90 int) {
		for k := last; k >= 0 && k > last-months; k-- {
			v := hist[k]
			maxDPD = max(maxDPD, v)
			if v >= 30 {
				over30++
			}
			if v >= 60 {
				over60++
			}
			if v >= 90 {
				over90++
			}
		}
		return
	}
	m3, _, _, _ := window(3)
	m6, _, _, _ := window(6)
	m12, t30, t60, t90 := window(12)
	since := "NA" // never delinquent: missing, its own bin
	for k := last; k >= 0; k-- {
		if hist[k] > 0 {
			since = strconv.Itoa(last - k)
			break
		}
	}
	var due, paid, scheduledLeft money.Amount
	for i := range s.Installments {
		in := &s.Installments[i]
		if !in.DueDate.After(s.AsOf) {
			due += in.Principal + in.Interest - in.MovedPrincipal - in.MovedInterest
		} else if !in.Closed {
			scheduledLeft += in.Principal
		}
		paid += in.PaidPrincipal + in.PaidInterest
	}
	return []string{
		l.Product,
		string(l.Method),
		l.Region,
		strconv.Itoa(l.Term),
		ratio(int64(s.Rate)*100, money.RateScale),
		strconv.FormatInt(int64(l.Principal)/100_000, 10),
		strconv.Itoa(mob),
		ratio(int64(s.PrincipalOutstanding), int64(l.Principal)),
		ratio(int64(s.OverduePrincipal+s.OverdueInterest), int64(max(s.NextDueAmount, 1))),
		ratioOr(int64(paid), int64(due), "NA"),
		strconv.Itoa(s.DPD),
		strconv.Itoa(int(m3)),
		strconv.Itoa(int(m6)),
		strconv.Itoa(int(m12)),
		strconv.Itoa(t30),
		strconv.Itoa(t60),
		strconv.Itoa(t90),
		since,
		boolText(s.Restructured),
		boolText(s.Credit > 0),
	}
}

func ratio(a, b int64) string { return ratioOr(a, b, "0") }

// ratioOr formats a/b with four decimals, or missing when b is zero. A
// feature is a model input, not money, so a rounded decimal is right here.
func ratioOr(a, b int64, missing string) string {
	if b == 0 {
		return missing
	}
	return strconv.FormatFloat(float64(a)/float64(b), 'f', 4, 64)
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Eligible reports whether a loan is in the scored population on the
// observation date: active and not already in default (under 90 DPD).
func Eligible(s *servicing.State) bool {
	return s.Status == servicing.StatusActive && s.DPD < 90
}

// Bad reports whether a loan observed at asOf went 90+ days past due, or
// was written off, in the months after asOf up to end (s is its state as
// of end).
func Bad(s *servicing.State, disbursed, asOf civil.Date) bool {
	if s.Status == servicing.StatusWrittenOff && s.WrittenOffDate.After(asOf) {
		return true
	}
	from := asOf.MonthIndex() - disbursed.MonthIndex() + 1
	for k := max(from, 0); k < len(s.MonthlyMaxDPD); k++ {
		if s.MonthlyMaxDPD[k] >= 90 {
			return true
		}
	}
	return false
}
