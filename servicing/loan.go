package servicing

import (
	"errors"
	"fmt"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
)

// Borrower is a natural or legal person owing one or more loans. Name, ID
// number, phone and address are personal data: they are encrypted at rest
// and shown masked to roles that do not need them in full.
type Borrower struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	IDNumber   string `json:"id_number"` // 身份证号
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	Region     string `json:"region"`
}

// Loan is a disbursed loan's contract terms.
type Loan struct {
	ID         int64           `json:"id"`
	ExternalID string          `json:"external_id"`
	BorrowerID int64           `json:"borrower_id"`
	Product    string          `json:"product"`
	Currency   money.Currency  `json:"currency"`
	Principal  money.Amount    `json:"principal"`
	Rate       money.Rate      `json:"rate"` // annual contract rate
	Term       int             `json:"term"` // months
	Method     schedule.Method `json:"method"`
	Disbursed  civil.Date      `json:"disbursed"`
	Branch     string          `json:"branch"`
	Officer    string          `json:"officer"`
	Region     string          `json:"region"`
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
	Seq       int64        `json:"seq"`
	LoanID    int64        `json:"loan_id"`
	Kind      TxKind       `json:"kind"`
	ValueDate civil.Date   `json:"value_date"`
	Amount    money.Amount `json:"amount"`
	Channel   string       `json:"channel"`
	Reference string       `json:"reference"` // the external reference; the idempotency key of a repayment
	Reverses  int64        `json:"reverses"`  // Reversal: the Seq of the repayment or recovery it undoes
	Component Component    `json:"component"`
	// Restructure only: the new terms for the outstanding amount.
	NewRate   money.Rate      `json:"new_rate"`
	NewTerm   int             `json:"new_term"`
	NewMethod schedule.Method `json:"new_method"`
	// Applied is what the transaction applied to each component when it
	// was posted, as the ledger stores it (negative for what a reversal
	// took back). Replay never reads it: it derives what each transaction
	// does, and a later back-dated posting may change that.
	Applied Parts `json:"applied"`
}

// Business-rule errors returned by Check.
var (
	ErrNonPositiveAmount    = errors.New("amount must be positive")
	ErrBeforeDisbursal      = errors.New("value date is before the disbursement date")
	ErrAfterBusinessDate    = errors.New("value date is after the business date")
	ErrNothingToReverse     = errors.New("reversal must name an unreversed repayment or recovery of this loan")
	ErrReversalAmount       = errors.New("a reversal's amount must be the reversed transaction's amount, or 0")
	ErrWaiverExceedsDue     = errors.New("waiver exceeds the amount due for that component")
	ErrNotWrittenOff        = errors.New("recovery is only possible on a written-off loan")
	ErrWrittenOff           = errors.New("loan is written off: post a recovery instead")
	ErrWriteOffAmount       = errors.New("a write-off's amount must be what it writes off, or 0")
	ErrSettled              = errors.New("loan is settled")
	ErrBadRestructure       = errors.New("restructuring needs a positive new term and a repayment method")
	ErrRestructureAmount    = errors.New("a restructuring carries no amount: post it with amount 0")
	ErrNothingToRestructure = errors.New("nothing is outstanding to restructure")
)

// Check validates tx against the loan's transactions so far and its state
// on the business date. It is the gate every posting goes through, so that
// the ledger only ever holds transactions that make sense. A transaction
// may not carry an amount it does not use: a write-off's amount, when not
// 0, must be exactly what it writes off; a restructuring has none; a
// reversal's, when not 0, is the reversed transaction's.
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
	case Reversal:
		return checkReversal(txs, tx)
	case FeeCharge:
		if writtenOff {
			return ErrWrittenOff
		}
		return nil
	case Disbursement:
		return nil
	case Waiver, WriteOff, Restructure:
	default:
		return fmt.Errorf("unknown transaction kind %q", tx.Kind)
	}
	at := Replay(p, l, txs, tx.ValueDate)
	switch tx.Kind {
	case Waiver:
		if at.Status == StatusWrittenOff {
			return ErrWrittenOff
		}
		switch tx.Component {
		case Penalty, Compound, Interest, Principal, Fee:
		default:
			return fmt.Errorf("waiver component %q (want penalty, compound, interest, principal or fee)", tx.Component)
		}
		if due := at.Due(tx.Component); tx.Amount > due {
			return fmt.Errorf("%w: %s due on or before %v is %v, waiver %v", ErrWaiverExceedsDue, tx.Component, tx.ValueDate, due, tx.Amount)
		}
	case WriteOff:
		if at.Status == StatusWrittenOff {
			return ErrWrittenOff
		}
		if at.Status == StatusSettled {
			return ErrSettled
		}
		if tx.Amount != 0 {
			trial := tx
			trial.Seq = nextSeq(txs)
			st := Replay(p, l, append(txs[:len(txs):len(txs)], trial), tx.ValueDate)
			w, _ := st.Applied(trial.Seq)
			if tx.Amount != w.Sum() {
				return fmt.Errorf("%w: on %v it writes off %v (fee %v, penalty %v, compound %v, interest %v, principal %v) after applying credit; got %v",
					ErrWriteOffAmount, tx.ValueDate, w.Sum(), w.Fee, w.Penalty, w.Compound, w.Interest, w.Principal, tx.Amount)
			}
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
		capital := at.PrincipalOutstanding + at.Due(Interest) + at.PenaltyDue + at.CompoundDue
		if tx.Amount != 0 {
			return fmt.Errorf("%w: on %v it capitalises %v; got %v", ErrRestructureAmount, tx.ValueDate, capital, tx.Amount)
		}
		if capital == 0 {
			return fmt.Errorf("%w on %v: only fees are due", ErrNothingToRestructure, tx.ValueDate)
		}
		terms := schedule.Terms{Principal: capital, Rate: tx.NewRate, Term: tx.NewTerm, Method: tx.NewMethod, Start: tx.ValueDate}
		if err := terms.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadRestructure, err)
		}
	}
	return nil
}

func checkReversal(txs []Tx, tx Tx) error {
	for _, t := range txs {
		if t.Kind == Reversal && t.Reverses == tx.Reverses {
			return ErrNothingToReverse
		}
	}
	for _, t := range txs {
		if t.Seq != tx.Reverses || (t.Kind != Repayment && t.Kind != Recovery) || t.ValueDate.After(tx.ValueDate) {
			continue
		}
		if tx.Amount != 0 && tx.Amount != t.Amount {
			return fmt.Errorf("%w: %s #%d was %v; got %v", ErrReversalAmount, t.Kind, t.Seq, t.Amount, tx.Amount)
		}
		return nil
	}
	return ErrNothingToReverse
}

// nextSeq returns the seq the store will give the next posting.
func nextSeq(txs []Tx) int64 {
	var n int64
	for _, t := range txs {
		n = max(n, t.Seq)
	}
	return n + 1
}
