package servicing

import (
	"errors"
	"fmt"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
)

// Borrower is a natural or legal person owing one or more loans. Name, ID
// number and phone are personal data: they are encrypted at rest and shown
// masked to roles that do not need them in full.
type Borrower struct {
	ID         int64
	ExternalID string
	Name       string
	IDNumber   string // 身份证号
	Phone      string
	Region     string
}

// Loan is a disbursed loan's contract terms.
type Loan struct {
	ID         int64
	ExternalID string
	BorrowerID int64
	Product    string
	Currency   money.Currency
	Principal  money.Amount
	Rate       money.Rate // annual contract rate
	Term       int        // months
	Method     schedule.Method
	Disbursed  civil.Date
	Branch     string
	Officer    string
	Region     string
}

// Terms returns the schedule terms of the original contract.
func (l Loan) Terms() schedule.Terms {
	return schedule.Terms{Principal: l.Principal, Rate: l.Rate, Term: l.Term, Method: l.Method, Start: l.Disbursed}
}

// TxKind is the kind of a ledger transaction.
type TxKind string

// Transaction kinds. Transactions are append-only: a correction is a
// reversal plus a new transaction.
const (
	Disbursement TxKind = "disbursement"
	Repayment    TxKind = "repayment"
	Reversal     TxKind = "reversal"    // undoes a repayment or recovery
	Waiver       TxKind = "waiver"      // 减免
	WriteOff     TxKind = "write-off"   // 核销
	Recovery     TxKind = "recovery"    // cash recovered after write-off
	Restructure  TxKind = "restructure" // 重组: new terms for what is outstanding
	FeeCharge    TxKind = "fee"
)

// Tx is one ledger transaction. Seq orders transactions with the same value
// date (it is the posting sequence).
type Tx struct {
	Seq       int64
	LoanID    int64
	Kind      TxKind
	ValueDate civil.Date
	Amount    money.Amount
	Channel   string
	Reference string // the external reference; the idempotency key of a repayment
	Reverses  int64  // Reversal: the Seq of the repayment or recovery it undoes
	Component Component
	// Restructure only: the new terms for the outstanding amount.
	NewRate   money.Rate
	NewTerm   int
	NewMethod schedule.Method
}

// Business-rule errors returned by Check.
var (
	ErrNonPositiveAmount = errors.New("amount must be positive")
	ErrBeforeDisbursal   = errors.New("value date is before the disbursement date")
	ErrAfterBusinessDate = errors.New("value date is after the business date")
	ErrNothingToReverse  = errors.New("reversal must name an unreversed repayment or recovery of this loan")
	ErrWaiverExceedsDue  = errors.New("waiver exceeds the amount due for that component")
	ErrNotWrittenOff     = errors.New("recovery is only possible on a written-off loan")
	ErrWrittenOff        = errors.New("loan is written off: post a recovery instead")
	ErrSettled           = errors.New("loan is settled")
	ErrBadRestructure    = errors.New("restructuring needs a positive new term and a repayment method")
)

// Check validates tx against the loan's transactions so far and its state
// on the business date. It is the gate every posting goes through, so that
// the ledger only ever holds transactions that make sense.
func Check(p Product, l Loan, txs []Tx, tx Tx, business civil.Date) error {
	if tx.ValueDate.Before(l.Disbursed) {
		return fmt.Errorf("%w (%v < %v)", ErrBeforeDisbursal, tx.ValueDate, l.Disbursed)
	}
	if tx.ValueDate.After(business) {
		return fmt.Errorf("%w (%v > %v)", ErrAfterBusinessDate, tx.ValueDate, business)
	}
	if tx.Kind != Reversal && tx.Kind != Restructure && tx.Kind != WriteOff && tx.Amount <= 0 {
		return ErrNonPositiveAmount
	}
	// Write-offs are never reversed, so "written off by the value date" is
	// a scan, not a replay: the bulk import checks every payment this way.
	writtenOff := false
	for _, t := range txs {
		if t.Kind == WriteOff && !t.ValueDate.After(tx.ValueDate) {
			writtenOff = true
		}
	}
	switch tx.Kind {
	case Repayment:
		if writtenOff {
			return ErrWrittenOff
		}
		return nil
	case Recovery:
		if !writtenOff {
			return ErrNotWrittenOff
		}
		return nil
	}
	at := Replay(p, l, txs, tx.ValueDate)
	switch tx.Kind {
	case Reversal:
		reversed := map[int64]bool{}
		for _, t := range txs {
			if t.Kind == Reversal {
				reversed[t.Reverses] = true
			}
		}
		ok := false
		for _, t := range txs {
			if t.Seq == tx.Reverses && (t.Kind == Repayment || t.Kind == Recovery) && !reversed[t.Seq] && !t.ValueDate.After(tx.ValueDate) {
				ok = true
			}
		}
		if !ok {
			return ErrNothingToReverse
		}
	case Waiver:
		if at.Status == StatusWrittenOff {
			return ErrWrittenOff
		}
		var due money.Amount
		switch tx.Component {
		case Penalty:
			due = at.PenaltyDue
		case Interest:
			due = at.OverdueInterest
		case Principal:
			due = at.OverduePrincipal
		case Fee:
			due = at.FeesDue
		default:
			return fmt.Errorf("waiver component %q (want penalty, interest, principal or fee)", tx.Component)
		}
		if tx.Amount > due {
			return fmt.Errorf("%w: %s due %v, waiver %v", ErrWaiverExceedsDue, tx.Component, due, tx.Amount)
		}
	case WriteOff:
		if at.Status == StatusWrittenOff {
			return ErrWrittenOff
		}
		if at.Status == StatusSettled {
			return ErrSettled
		}
	case Restructure:
		if at.Status != StatusActive {
			return ErrSettled
		}
		if tx.NewTerm < 1 || tx.NewTerm > schedule.MaxTerm || tx.NewMethod == "" || tx.NewRate < 0 {
			return ErrBadRestructure
		}
		if _, err := schedule.ParseMethod(string(tx.NewMethod)); err != nil {
			return fmt.Errorf("%w: %w", ErrBadRestructure, err)
		}
	case FeeCharge, Disbursement:
	default:
		return fmt.Errorf("unknown transaction kind %q", tx.Kind)
	}
	return nil
}
