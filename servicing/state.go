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
	N         int          `json:"n"`
	DueDate   civil.Date   `json:"due_date"`
	Principal money.Amount `json:"principal"` // scheduled
	Interest  money.Amount `json:"interest"`  // scheduled

	PaidPrincipal   money.Amount `json:"paid_principal"`
	PaidInterest    money.Amount `json:"paid_interest"`
	PaidPenalty     money.Amount `json:"paid_penalty"`
	PaidCompound    money.Amount `json:"paid_compound"`
	WaivedPrincipal money.Amount `json:"waived_principal"`
	WaivedInterest  money.Amount `json:"waived_interest"`
	WaivedPenalty   money.Amount `json:"waived_penalty"`
	WaivedCompound  money.Amount `json:"waived_compound"`
	// Moved is what a restructuring carried into the new schedule.
	MovedPrincipal money.Amount `json:"moved_principal"`
	MovedInterest  money.Amount `json:"moved_interest"`
	MovedPenalty   money.Amount `json:"moved_penalty"`
	MovedCompound  money.Amount `json:"moved_compound"`

	Penalty  money.Amount `json:"penalty"`  // 罚息 accrued on overdue principal to the as-of date
	Compound money.Amount `json:"compound"` // 复利 accrued on overdue interest to the as-of date
	// PaidOn is the later of the due date and the day the installment's
	// last fen was paid or waived; zero while it owes anything, before it
	// falls due, and once a restructuring closed it.
	PaidOn civil.Date `json:"paid_on"`
	Closed bool       `json:"closed"` // replaced by a restructuring

	// Exact accrual, rounded only when read: Σ overdue principal (or
	// interest) × days. pending* holds what the days of grace accrued
	// under GraceFromDue until the grace period decides whether it is owed.
	penaltyFenDays, compoundFenDays int64
	pendingPenalty, pendingCompound int64
	clearedOn                       civil.Date // the posting that paid or waived its last fen
}

// PrincipalDue returns the principal still owed on the installment.
func (i *InstallmentState) PrincipalDue() money.Amount {
	return i.Principal - i.PaidPrincipal - i.WaivedPrincipal - i.MovedPrincipal
}

// InterestDue returns the interest still owed on the installment.
func (i *InstallmentState) InterestDue() money.Amount {
	return i.Interest - i.PaidInterest - i.WaivedInterest - i.MovedInterest
}

// PenaltyDue returns the penalty interest (罚息) still owed.
func (i *InstallmentState) PenaltyDue() money.Amount {
	return i.Penalty - i.PaidPenalty - i.WaivedPenalty - i.MovedPenalty
}

// CompoundDue returns the compound interest (复利) still owed.
func (i *InstallmentState) CompoundDue() money.Amount {
	return i.Compound - i.PaidCompound - i.WaivedCompound - i.MovedCompound
}

// owes reports whether anything at all is still owed on the installment.
func (i *InstallmentState) owes() bool {
	return i.PrincipalDue() > 0 || i.InterestDue() > 0 || i.PenaltyDue() > 0 || i.CompoundDue() > 0
}

// Parts is an amount split by what it went to. What a posting applied, an
// allocation of money, a write-off and a restructuring are all Parts.
type Parts struct {
	Fee       money.Amount `json:"fee"`
	Penalty   money.Amount `json:"penalty"`   // 罚息
	Compound  money.Amount `json:"compound"`  // 复利
	Interest  money.Amount `json:"interest"`  // with the interest to date charged on a prepayment
	Principal money.Amount `json:"principal"` // of scheduled installments
	Prepaid   money.Amount `json:"prepaid"`   // principal repaid ahead of schedule
	Credit    money.Amount `json:"credit"`    // held as credit (negative: credit used)
	Recovery  money.Amount `json:"recovery"`  // recovered after write-off
}

// Sum returns the sum of the parts.
func (p Parts) Sum() money.Amount {
	return p.Fee + p.Penalty + p.Compound + p.Interest + p.Principal + p.Prepaid + p.Credit + p.Recovery
}

// Allocation records how one repayment, credit application or recovery was
// split. Its parts always sum to Amount; credit applied on a due date has
// Seq and Amount zero and a negative Credit.
type Allocation struct {
	Seq    int64        `json:"seq"` // the transaction; 0 for credit applied by the ledger
	Date   civil.Date   `json:"date"`
	Amount money.Amount `json:"amount"`
	Parts
}

// Restructuring is what the ledger records of one restructuring (重组) for
// classification's observation period.
type Restructuring struct {
	Seq       int64
	Date      civil.Date // value date
	DPDBefore int        // DPD at the end of the day before Date
	FirstDue  civil.Date // first due date of the new schedule: the observation starts here
	SecondDue civil.Date // second due date; zero when the new schedule has one installment
}

// DelinquencySpell is a run of days, From through To, at the end of each of
// which the loan was past due counting from Since: its DPD on day d was
// d − Since. When the oldest unpaid due date changes, a new spell begins.
type DelinquencySpell struct {
	From, To, Since civil.Date
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
	PenaltyDue           money.Amount // penalty interest (罚息) owed
	CompoundDue          money.Amount // compound interest (复利) owed
	FeesDue              money.Amount
	// AccruedInterest is the interest accrued to AsOf on the principal not
	// yet due, since the last due date: what settling or prepaying today
	// charges on top of what is due.
	AccruedInterest money.Amount
	Credit          money.Amount // money held for the borrower

	DPD    int // days past due
	MaxDPD int // highest DPD reached so far
	// MonthlyMaxDPD[k] is the highest end-of-day DPD in the k-th calendar
	// month of the loan's life (0 = the month of disbursement), over the
	// days the loan ended active, through AsOf: the DPD history behind
	// behaviour-score features.
	MonthlyMaxDPD   []int32
	OldestUnpaidDue civil.Date // due date DPD counts from; zero when current
	NextDueDate     civil.Date // first open installment due on or after AsOf; zero when none
	NextDueAmount   money.Amount

	PaidPrincipal, PaidInterest, PaidPenalty, PaidCompound, PaidFees money.Amount
	PrepaidPrincipal                                                 money.Amount // included in PaidPrincipal
	PrepaidInterest                                                  money.Amount // interest to date on prepayments, included in PaidInterest

	WrittenOffDate  civil.Date
	WrittenOff      money.Amount // WrittenOffParts.Sum()
	WrittenOffParts Parts        // fee, penalty, compound, interest and principal written off
	Recovered       money.Amount

	Restructured     bool
	RestructureDate  civil.Date // the latest restructuring
	ObservationStart civil.Date // first repayment date after the latest restructuring
	Rate             money.Rate // contract rate in force (changes on restructuring)
	Restructurings   []Restructuring
	// Delinquency holds the days past due after the first restructuring,
	// for classification's observation-period triggers; it stays empty for
	// loans never restructured.
	Delinquency []DelinquencySpell

	SettledDate civil.Date

	applied []applied
}

type applied struct {
	seq   int64
	parts Parts
}

// Bucket returns the delinquency bucket of s.
func (s *State) Bucket() Bucket { return BucketOf(s.DPD) }

// Payoff returns what the borrower would pay to settle the loan at the end
// of AsOf (提前结清): all unpaid principal, interest due by AsOf, interest
// accrued to AsOf on principal not yet due, penalty, compound interest and
// fees, less credit held. A repayment of at least this amount on AsOf
// settles the loan whatever the product's prepayment rule.
func (s *State) Payoff() money.Amount {
	if s.Status != StatusActive {
		return 0
	}
	var interest money.Amount
	for i := range s.Installments {
		in := &s.Installments[i]
		if !in.Closed && !in.DueDate.After(s.AsOf) {
			interest += in.InterestDue()
		}
	}
	return money.Max(0, s.PrincipalOutstanding+interest+s.AccruedInterest+s.PenaltyDue+s.CompoundDue+s.FeesDue-s.Credit)
}

// Due returns what is due of component c on or before AsOf, unpaid and
// not waived: what a waiver on AsOf may forgive.
func (s *State) Due(c Component) money.Amount {
	if c == Fee {
		return s.FeesDue
	}
	var due money.Amount
	for i := range s.Installments {
		in := &s.Installments[i]
		if in.Closed || in.DueDate.After(s.AsOf) {
			continue
		}
		switch c {
		case Penalty:
			due += in.PenaltyDue()
		case Compound:
			due += in.CompoundDue()
		case Interest:
			due += in.InterestDue()
		case Principal:
			due += in.PrincipalDue()
		}
	}
	return due
}

// Applied returns what the transaction with that seq applied in this
// replay: a repayment's or recovery's allocation, what a waiver actually
// waived, what a write-off wrote off after applying credit, what a
// restructuring capitalised into its new schedule (Principal, Interest,
// Penalty, Compound), a fee's charge (Fee). ok is false for a transaction
// the replay did not apply: a reversal, one reversed, one dated after
// AsOf, or an unknown seq.
func (s *State) Applied(seq int64) (Parts, bool) {
	for _, a := range s.applied {
		if a.seq == seq {
			return a.parts, true
		}
	}
	return Parts{}, false
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
