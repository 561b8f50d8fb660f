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
}, pAmount, true)

// PaymentFile is a parsed payments file.
type PaymentFile struct {
	Rows    []PaymentRow // valid rows, in file order
	Rejects []Reject     // rejected rows, in file order
	Summary
}

// ParsePaymentsFile reads a payments file in format f and returns its
// valid rows, its rejects and its Summary. Rows that repeat a reference
// are all returned: the reference is the idempotency key, and posting each
// reference once — within a file and across re-deliveries — is the
// storage's job, so it is not second-guessed here.
//
// If the file as a whole is malformed or does not match its trailer or
// opts, ParsePaymentsFile returns only an error wrapping ErrBadHeader,
// ErrBadEncoding, ErrTruncated, ErrEmpty, ErrBadTrailer,
// ErrControlMismatch or ErrUnknownFormat; a failure to read r is returned
// wrapped as it is.
func ParsePaymentsFile(r io.Reader, f Format, opts ParseOptions) (PaymentFile, error) {
	rows, rejects, sum, err := parseRows(r, f, paymentSchema, opts, func(x *row) PaymentRow {
		return PaymentRow{
			Line:      x.line,
			LoanID:    x.code(pLoanID),
			ValueDate: x.date(pValueDate),
			Amount:    x.amount(pAmount),
			Channel:   x.text(pChannel, maxIDLen, false),
			Reference: x.text(pReference, maxReferenceLen, false),
		}
	})
	return PaymentFile{Rows: rows, Rejects: rejects, Summary: sum}, err
}

// ParsePayments is ParsePaymentsFile without options, for callers that
// need only the rows and the rejects. A trailer in the file is still
// checked.
func ParsePayments(r io.Reader, f Format) ([]PaymentRow, []Reject, error) {
	file, err := ParsePaymentsFile(r, f, ParseOptions{})
	return file.Rows, file.Rejects, err
}
