package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"daihou/civil"
	"daihou/money"
	"daihou/signal"
	"daihou/synth"
)

// Arrears is a loan in arrears on a day, as the world outside the book
// reacts to it.
type Arrears struct {
	LoanRef     string // the lender's loan number
	BorrowerRef string // the borrower's external id
	BorrowerID  int64
	DPD         int
	Outstanding money.Amount // principal outstanding
}

// courtOdds is the chance that another creditor files a case against a
// borrower on the day their loan here reaches 30, 60 or 90 days past due,
// at risk 0 (trouble rarely comes alone).
var courtOdds = map[int]float64{30: 0.03, 60: 0.06, 90: 0.10}

// Daily returns what the court and credit-bureau sources report on day d
// about the borrowers of loans in arrears: a credit report pulled on the
// first day past due, showing the borrower's other debts and whether they
// are overdue there too, and case filings of other creditors as arrears
// deepen, more often the riskier the borrower (seed's generated profile).
// It is the feed of the days after a generated history, for a simulator
// carrying the book on (daihou demo); the records are deterministic in
// seed, d and the loans.
func Daily(seed uint64, d civil.Date, loans []Arrears) []signal.Record {
	var out []signal.Record
	day := fmt.Sprintf("%04d%02d%02d", d.Year(), d.Month(), d.Day())
	for _, l := range loans {
		p, _ := synth.BorrowerProfile(seed, l.BorrowerID)
		r := rand.New(rand.NewPCG(seed^uint64(d)<<24, uint64(l.BorrowerID)<<8^uint64(l.DPD)))
		weight := math.Exp(0.5 * p.Risk)
		if l.DPD == 1 && r.Float64() < 0.4 {
			elsewhere := money.Amount(float64(max(l.Outstanding, 1000000)) * (0.5 + 2*r.Float64()))
			rec := signal.Record{Source: signal.Bureau, ID: l.LoanRef + "-bureau-" + day, Borrower: l.BorrowerRef, Date: d, Fields: map[string]string{
				"inquiries": fmt.Sprint(r.IntN(2 + int(3*weight))), "open_loans": fmt.Sprint(1 + r.IntN(4)),
				"balance": elsewhere.String(), "overdue_accounts": "0", "overdue_amount": "0.00"}}
			if r.Float64() < min(0.25*weight, 0.8) {
				rec.Fields["overdue_accounts"] = fmt.Sprint(1 + r.IntN(2))
				rec.Fields["overdue_amount"] = (elsewhere / money.Amount(5+r.IntN(10))).String()
			}
			out = append(out, rec)
		}
		if odds := courtOdds[l.DPD]; odds > 0 && r.Float64() < min(odds*weight, 0.5) {
			out = append(out, signal.Record{Source: signal.Court, ID: l.LoanRef + "-court-" + day, Borrower: l.BorrowerRef, Date: d, Fields: map[string]string{
				"event":   "case_filed",
				"case_no": fmt.Sprintf("(%d)%s执%d号", d.Year(), synth.CourtOf(p), 100+r.IntN(9900)),
				"amount":  (l.Outstanding * money.Amount(20+r.IntN(80)) / 100).String()}})
		}
	}
	return out
}

// FeedOf returns a feed of the given records, in the order given, for
// Pusher: the records of one day, say, rather than a portfolio's whole
// history. Records of a source the simulator does not serve are left out.
func FeedOf(recs []signal.Record) *Feed {
	f := &Feed{sources: map[string]*lines{}}
	for _, s := range Sources {
		f.sources[s] = &lines{}
	}
	for i := range recs {
		l := f.sources[recs[i].Source]
		if l == nil {
			continue
		}
		l.data = AppendLine(l.data, &recs[i])
		l.ends = append(l.ends, len(l.data))
	}
	return f
}
