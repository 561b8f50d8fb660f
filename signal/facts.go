package signal

import (
	"daihou/civil"
)

// Windows of Facts, in days before the as-of date (the as-of date counts).
const (
	Window1M = 30
	Window3M = 90
	Window6M = 180
)

// Facts is what a borrower's signals say as of a date: the variables of
// warning rules and the external features of the behaviour score. Counts
// and sums over windows count signals whose Date falls in the window;
// "latest" facts take the most recent signal of their kind. A borrower no
// source has reported on has zero Facts with Any false.
type Facts struct {
	Any         bool // some signal is known about the borrower
	BureauKnown bool // the credit bureau has reported on the borrower

	Inquiries1M, Inquiries3M, Inquiries6M int64 // new credit inquiries
	OpenLoans                             int64 // open loans elsewhere, latest report
	BalanceElsewhere                      int64 // their balance (fen), latest report
	OverdueElsewhere                      int64 // overdue elsewhere (fen), latest report

	CourtCases      int64 // cases open: filed less closed, never below zero
	CourtNew3M      int64 // cases filed in the last 3 months
	Dishonest       bool  // on the dishonest-debtor list
	Mismatch        bool  // identity does not match the registry
	Deceased        bool
	SocialGap       int64 // months unpaid since the last paid contribution (latest months first)
	SocialBase      int64 // the last paid contribution base (fen)
	SocialKnown     bool  // social security has reported on the borrower
	Arrears         int64 // utility arrears (fen), latest per report
	Inflow3M        int64 // statement inflow (fen), last 3 months
	InflowPrev3M    int64 // the 3 months before that
	Outflow3M       int64
	SalaryMonths    int64 // distinct calendar months with a salary credit in the last 6 months
	StatementKnown  bool  // bank statements have reported on the borrower
	TaxArrears      int64
	BusinessAnomaly bool
	Spend3M         int64 // e-commerce spend, last 3 months
	Trips3M         int64 // transport trips, last 3 months

	// Custom holds each custom measure's latest value, by name.
	Custom map[string]int64
}

// InflowDrop returns the fall of statement inflow over the last 3 months
// against the 3 before, in per cent (0 … 100; 0 when it did not fall or
// there is nothing to compare with).
func (f *Facts) InflowDrop() int64 {
	if f.InflowPrev3M <= 0 || f.Inflow3M >= f.InflowPrev3M {
		return 0
	}
	return (f.InflowPrev3M - f.Inflow3M) * 100 / f.InflowPrev3M
}

// Summarise returns the Facts of one borrower's signals as of asOf, using
// only those known by then. sigs must be in Less order (as the store reads
// them); signals of other borrowers must not be among them.
func Summarise(sigs []Signal, asOf civil.Date) Facts {
	var f Facts
	in := func(s *Signal, days int) bool { return s.Date.After(asOf.AddDays(-days)) && !s.Date.After(asOf) }
	var salary [7]bool // months back from asOf's month
	var social []int64 // contributions in date order
	am := asOf.MonthIndex()
	for i := range sigs {
		s := &sigs[i]
		if s.Known.After(asOf) || s.Date.After(asOf) {
			continue
		}
		f.Any = true
		switch s.Kind {
		case Inquiries, OpenLoans, BalanceElsewhere, OverdueElsewhere:
			f.BureauKnown = true
		}
		switch s.Kind {
		case Inquiries:
			if in(s, Window1M) {
				f.Inquiries1M += s.Value
			}
			if in(s, Window3M) {
				f.Inquiries3M += s.Value
			}
			if in(s, Window6M) {
				f.Inquiries6M += s.Value
			}
		case OpenLoans:
			f.OpenLoans = s.Value
		case BalanceElsewhere:
			f.BalanceElsewhere = s.Value
		case OverdueElsewhere:
			f.OverdueElsewhere = s.Value
		case CourtCase:
			f.CourtCases = max(f.CourtCases+s.Value, 0)
			if s.Value > 0 && in(s, Window3M) {
				f.CourtNew3M += s.Value
			}
		case Dishonest:
			f.Dishonest = s.Value != 0
		case Mismatch:
			f.Mismatch = s.Value != 0
		case Deceased:
			f.Deceased = s.Value != 0
		case SocialPaid:
			f.SocialKnown = true
			social = append(social, s.Value)
		case Arrears:
			f.Arrears = s.Value
		case Inflow:
			f.StatementKnown = true
			if in(s, Window3M) {
				f.Inflow3M += s.Value
			} else if in(s, Window6M) {
				f.InflowPrev3M += s.Value
			}
		case Outflow:
			f.StatementKnown = true
			if in(s, Window3M) {
				f.Outflow3M += s.Value
			}
		case Salary:
			f.StatementKnown = true
			if back := am - s.Date.MonthIndex(); back >= 0 && back < 6 {
				salary[back] = true
			}
		case TaxArrears:
			f.TaxArrears = s.Value
		case BusinessAnomaly:
			f.BusinessAnomaly = s.Value != 0
		case Spend:
			if in(s, Window3M) {
				f.Spend3M += s.Value
			}
		case Trips:
			if in(s, Window3M) {
				f.Trips3M += s.Value
			}
		default:
			if name, ok := s.Kind.IsCustom(); ok {
				if f.Custom == nil {
					f.Custom = map[string]int64{}
				}
				f.Custom[name] = s.Value
			}
		}
	}
	for i := len(social) - 1; i >= 0 && social[i] == 0; i-- {
		f.SocialGap++
	}
	for i := len(social) - 1; i >= 0; i-- {
		if social[i] > 0 {
			f.SocialBase = social[i]
			break
		}
	}
	for _, ok := range salary[:6] {
		if ok {
			f.SalaryMonths++
		}
	}
	return f
}

// NextChange returns the first date after asOf on which Summarise of the
// same signals can differ with no new signal — a windowed signal leaving a
// window, or one dated or known later coming in — zero for never. Close of
// business wakes a loan then, so that a rule over a window is evaluated
// exactly when its value can move.
func NextChange(sigs []Signal, asOf civil.Date) civil.Date {
	var next civil.Date
	lower := func(d civil.Date) {
		if d.After(asOf) && (next == 0 || d < next) {
			next = d
		}
	}
	for i := range sigs {
		s := &sigs[i]
		lower(s.Date)
		lower(s.Known)
		switch s.Kind {
		case Inquiries:
			lower(s.Date.AddDays(Window1M))
			lower(s.Date.AddDays(Window3M))
			lower(s.Date.AddDays(Window6M))
		case CourtCase, Spend, Trips, Outflow:
			lower(s.Date.AddDays(Window3M))
		case Inflow:
			lower(s.Date.AddDays(Window3M))
			lower(s.Date.AddDays(Window6M))
		case Salary:
			y, m, _ := s.Date.YMD()
			lower(civil.New(y, m+6, 1))
		}
	}
	return next
}
