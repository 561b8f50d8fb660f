package eod

import (
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
)

// FlowState is a loan's state in a roll-rate (flow) matrix: the bucket of
// an active loan, settled, or written off.
type FlowState int8

// Flow states besides the buckets M0 … M7+ (0 … 7).
const (
	FlowNone       FlowState = -1 // not on the book (not yet disbursed, or unknown)
	FlowSettled    FlowState = 8  // 结清
	FlowWrittenOff FlowState = 9  // 核销
)

// FlowOf returns the flow state of a loan with status and bucket.
func FlowOf(status servicing.Status, b servicing.Bucket) FlowState {
	switch status {
	case servicing.StatusSettled:
		return FlowSettled
	case servicing.StatusWrittenOff:
		return FlowWrittenOff
	}
	return FlowState(b)
}

// Active reports whether f is the bucket of an active loan.
func (f FlowState) Active() bool { return f >= 0 && f <= 7 }

func (f FlowState) String() string {
	switch {
	case f.Active():
		return servicing.Bucket(f).String()
	case f == FlowSettled:
		return "settled"
	case f == FlowWrittenOff:
		return "written-off"
	}
	return "-"
}

// ParseFlowState is the inverse of FlowState.String.
func ParseFlowState(s string) (FlowState, bool) {
	for f := FlowNone; f <= FlowWrittenOff; f++ {
		if f.String() == s {
			return f, true
		}
	}
	return 0, false
}

// Record is what close of business counted in the aggregates for one loan:
// its snapshot reduced to the aggregate dimensions and measures, and its
// state at the end of the previous month for the roll-rate matrix. The
// store keeps the latest Record of every loan so that a re-derived loan can
// be moved from its old cells to its new ones.
type Record struct {
	LoanID      int64
	Product     string
	Branch      string
	Vintage     int          // disbursement month (civil.Date.MonthIndex)
	Principal   money.Amount // disbursed
	Status      servicing.Status
	Bucket      servicing.Bucket
	Class       classification.Class
	Stage       int
	DPD         int
	MaxDPD      int
	Outstanding money.Amount // principal outstanding
	Overdue     money.Amount // overdue principal and interest
	ECL         money.Amount
	WrittenOff  money.Amount
	Recovered   money.Amount
	// FromMonth is the month (MonthIndex) the From fields belong to: From is
	// the loan's state at the end of the month before it.
	FromMonth   int
	From        FlowState
	FromBalance money.Amount
	// FromClass is the loan's five-tier class at that month end, for the
	// migration matrix; 0 when unknown (a record kept before it was).
	FromClass classification.Class
}

// Flow returns the record's current flow state.
func (r *Record) Flow() FlowState { return FlowOf(r.Status, r.Bucket) }

// NewRecord builds the Record of loan l whose snapshot s was derived as of
// s.AsOf. prev is the loan's previous Record, nil if it has none. A loan not
// re-derived since prev was recorded has not changed since, so when prev
// belongs to an earlier month its state is also the loan's state at the end
// of the previous month: that is where From comes from.
func NewRecord(l *servicing.Loan, s *loanstate.Snapshot, lgd money.Rate, prev *Record) Record {
	r := Record{
		LoanID:      l.ID,
		Product:     l.Product,
		Branch:      l.Branch,
		Vintage:     l.Disbursed.MonthIndex(),
		Principal:   l.Principal,
		Status:      s.Status,
		Bucket:      s.Bucket,
		Class:       s.Class,
		Stage:       s.Stage,
		DPD:         s.DPD,
		MaxDPD:      s.MaxDPD,
		Outstanding: s.PrincipalOutstanding,
		Overdue:     s.OverduePrincipal + s.OverdueInterest,
		ECL:         ECL(s, lgd),
		WrittenOff:  s.WrittenOff,
		Recovered:   s.Recovered,
		FromMonth:   s.AsOf.MonthIndex(),
		From:        FlowNone,
	}
	if prev != nil {
		p := prev.InMonth(r.FromMonth)
		r.From, r.FromBalance, r.FromClass = p.From, p.FromBalance, p.FromClass
	}
	return r
}

// InMonth returns r as it counts in a later month m: a loan not re-derived
// since r was recorded was in r's state at the end of every month since, so
// r's own state becomes its month-start state.
func (r Record) InMonth(m int) Record {
	if r.FromMonth < m {
		r.From, r.FromBalance, r.FromMonth, r.FromClass = r.Flow(), r.Outstanding, m, r.Class
	}
	return r
}

// SameCounts reports whether a and b contribute identically to every
// aggregate and carry the same month-start state.
func SameCounts(a, b *Record) bool { return *a == *b }

// PD returns the placeholder probability of default for a loan in IFRS 9
// stage and bucket: a 12-month PD in stage 1, lifetime PDs in stages 2 and 3.
// It stands in for the calibrated behaviour score until scoring lands.
func PD(stage int, b servicing.Bucket) money.Rate {
	switch {
	case stage >= 3:
		return money.RateScale
	case stage == 2:
		switch b {
		case servicing.M0:
			return pdM0Stage2
		case servicing.M1:
			return pdM1
		case servicing.M2:
			return pdM2
		default:
			return pdM3
		}
	}
	return pdStage1
}

var (
	pdStage1   = money.MustParseRate("0.015")
	pdM0Stage2 = money.MustParseRate("0.12")
	pdM1       = money.MustParseRate("0.25")
	pdM2       = money.MustParseRate("0.45")
	pdM3       = money.MustParseRate("0.65")
)

// ECL returns the expected credit loss PD × LGD × EAD of a loan, with EAD
// its outstanding principal, rounded half-up to the fen once: PD × LGD is
// kept to 1e-10 before it multiplies the exposure.
func ECL(s *loanstate.Snapshot, lgd money.Rate) money.Amount {
	if s.Status != servicing.StatusActive || s.PrincipalOutstanding <= 0 {
		return 0
	}
	pd := PD(s.Stage, s.Bucket)
	if s.PD > 0 {
		pd = s.PD // the behaviour score's PD over the stage's horizon
	}
	rate := money.MulDiv(int64(pd), int64(lgd), money.RateScale, money.HalfUp)
	return money.Amount(money.MulDiv(int64(s.PrincipalOutstanding), rate, money.RateScale, money.HalfUp))
}
