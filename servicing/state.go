package servicing

import (
	"daihou/civil"
	"daihou/money"
)

// Status is a loan's lifecycle status.
type Status string

// Loan statuses.
const (
	StatusActive     Status = "active"
	StatusSettled    Status = "settled"     // 结清: nothing left to pay
	StatusWrittenOff Status = "written-off" // 核销
)

// InstallmentState is one installment of the current schedule with what has
// been paid, waived and accrued against it.
type InstallmentState struct {
	N         int
	DueDate   civil.Date
	Principal money.Amount // scheduled
	Interest  money.Amount // scheduled

	PaidPrincipal, PaidInterest, PaidPenalty       money.Amount
	WaivedPrincipal, WaivedInterest, WaivedPenalty money.Amount
	// Moved is what a restructuring carried into the new schedule.
	MovedPrincipal, MovedInterest, MovedPenalty money.Amount

	Penalty money.Amount // accrued penalty and compound interest to the as-of date
	PaidOn  civil.Date   // the day the installment was fully paid; zero while open
	Closed  bool         // replaced by a restructuring

	penaltyFenDays  int64 // Σ overdue principal × days, after grace
	compoundFenDays int64 // Σ overdue interest × days, after grace
	accruedTo       civil.Date
}

// PrincipalDue returns the principal still owed on the installment.
func (i *InstallmentState) PrincipalDue() money.Amount {
	return i.Principal - i.PaidPrincipal - i.WaivedPrincipal - i.MovedPrincipal
}

// InterestDue returns the interest still owed on the installment.
func (i *InstallmentState) InterestDue() money.Amount {
	return i.Interest - i.PaidInterest - i.WaivedInterest - i.MovedInterest
}

// PenaltyDue returns the penalty (and compound interest) still owed.
func (i *InstallmentState) PenaltyDue() money.Amount {
	return i.Penalty - i.PaidPenalty - i.WaivedPenalty - i.MovedPenalty
}

// Allocation records how one repayment, credit application or recovery was
// split. Its parts always sum to Amount.
type Allocation struct {
	Seq       int64 // the transaction; 0 for credit applied on a due date
	Date      civil.Date
	Amount    money.Amount
	Fee       money.Amount
	Penalty   money.Amount
	Interest  money.Amount
	Principal money.Amount // of installments due by the value date
	Prepaid   money.Amount // principal repaid ahead of schedule
	Credit    money.Amount // held as credit (negative: credit used)
	Recovery  money.Amount // recovered after write-off
}

// Sum returns the sum of the allocation's parts.
func (a Allocation) Sum() money.Amount {
	return a.Fee + a.Penalty + a.Interest + a.Principal + a.Prepaid + a.Credit + a.Recovery
}

// State is a loan's derived state at the end of a business date.
type State struct {
	LoanID int64
	AsOf   civil.Date
	Status Status

	Installments []InstallmentState
	Allocations  []Allocation

	PrincipalOutstanding money.Amount // all unpaid principal, due or not; zero once written off
	OverduePrincipal     money.Amount // principal of installments due before AsOf
	OverdueInterest      money.Amount // interest of installments due before AsOf
	DueToday             money.Amount // principal and interest falling due on AsOf
	PenaltyDue           money.Amount // penalty and compound interest owed
	FeesDue              money.Amount
	Credit               money.Amount // money held for the borrower

	DPD    int // days past due
	MaxDPD int // highest DPD reached so far
	// MonthlyMaxDPD[k] is the highest end-of-day DPD in the k-th calendar
	// month of the loan's life (0 = the month of disbursement), through
	// AsOf: the DPD history behind behaviour-score features.
	MonthlyMaxDPD   []int32
	OldestUnpaidDue civil.Date // due date DPD counts from; zero when current
	NextDueDate     civil.Date // first open installment due on or after AsOf; zero when none
	NextDueAmount   money.Amount

	PaidPrincipal, PaidInterest, PaidPenalty, PaidFees money.Amount
	PrepaidPrincipal                                   money.Amount

	WrittenOffDate civil.Date
	WrittenOff     money.Amount // principal, interest, penalty and fees written off
	Recovered      money.Amount

	Restructured     bool
	RestructureDate  civil.Date
	ObservationStart civil.Date // first repayment date after the latest restructuring
	Rate             money.Rate // contract rate in force (changes on restructuring)

	SettledDate civil.Date
}

// Bucket returns the delinquency bucket of s.
func (s *State) Bucket() Bucket { return BucketOf(s.DPD) }

// Payoff returns what the borrower would pay to settle the loan today:
// every unpaid principal, interest due by today, penalty and fees, less
// credit held.
func (s *State) Payoff() money.Amount {
	if s.Status != StatusActive {
		return 0
	}
	var interest money.Amount
	for i := range s.Installments {
		in := &s.Installments[i]
		if !in.DueDate.After(s.AsOf) {
			interest += in.InterestDue()
		}
	}
	return money.Max(0, s.PrincipalOutstanding+interest+s.PenaltyDue+s.FeesDue-s.Credit)
}

// Bucket is a delinquency bucket: M0 current, M1 1–30 DPD … M7+ over 180.
type Bucket int

// Buckets.
const (
	M0 Bucket = iota
	M1
	M2
	M3
	M4
	M5
	M6
	M7
)

// BucketOf returns the bucket for a DPD.
func BucketOf(dpd int) Bucket {
	if dpd <= 0 {
		return M0
	}
	b := (dpd + 29) / 30
	if b > 7 {
		b = 7
	}
	return Bucket(b)
}

func (b Bucket) String() string {
	if b >= M7 {
		return "M7+"
	}
	return "M" + string(rune('0'+b))
}

// ParseBucket is the inverse of Bucket.String.
func ParseBucket(s string) (Bucket, bool) {
	for b := M0; b <= M7; b++ {
		if b.String() == s {
			return b, true
		}
	}
	return 0, false
}
