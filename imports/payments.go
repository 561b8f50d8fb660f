package imports

import (
	"io"

	"daihou/civil"
	"daihou/money"
)

// PaymentRow is one repayment from a payments file (还款流水): money
// received for a loan, to be posted through the allocation waterfall.
// Every field has been validated; optional fields not given are "".
type PaymentRow struct {
	Line      int          // line the row starts on, for messages and the audit trail
	LoanID    string       // loan_id: required, ≤64 of [A-Za-z0-9_-.]
	ValueDate civil.Date   // value_date: required, YYYY-MM-DD; may be in the past (back-dated)
	Amount    money.Amount // amount: > 0
	Channel   string       // channel: optional, ≤64 characters (e.g. bank-transfer, withholding, counter)
	Reference string       // reference: required, ≤128 characters; the idempotency key
}

// Columns of a payments file, in PaymentRow order.
const (
	pLoanID = iota
	pValueDate
	pAmount
	pChannel
	pReference
)

var paymentSchema = newSchema("payments", []column{
	pLoanID:    {"loan_id", kindText, true},
	pValueDate: {"value_date", kindDate, true},
	pAmount:    {"amount", kindAmount, true},
	pChannel:   {"channel", kindText, false},
	pReference: {"reference", kindText, true},
})

// ParsePayments reads a payments file in format f and returns its valid
// rows and its rejects, each in file order. Rows that repeat a reference
// are all returned: the reference is the idempotency key, and posting each
// reference once — within a file and across re-deliveries — is the
// storage's job, so it is not second-guessed here.
//
// If the file as a whole is malformed, ParsePayments returns only an error
// wrapping ErrBadHeader, ErrBadEncoding, ErrTruncated, ErrEmpty or
// ErrUnknownFormat; a failure to read r is returned wrapped as it is.
func ParsePayments(r io.Reader, f Format) ([]PaymentRow, []Reject, error) {
	var rows collector[PaymentRow]
	rejects, err := parseFile(r, f, paymentSchema, func(x *row) {
		p := PaymentRow{
			Line:      x.line,
			LoanID:    x.code(pLoanID),
			ValueDate: x.date(pValueDate),
			Amount:    x.amount(pAmount),
			Channel:   x.text(pChannel, maxIDLen, false),
			Reference: x.text(pReference, maxReferenceLen, false),
		}
		if x.ok() {
			rows.add(p)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return rows.rows(), rejects, nil
}
