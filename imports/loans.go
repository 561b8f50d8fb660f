package imports

import (
	"fmt"
	"io"

	"daihou/civil"
	"daihou/money"
)

// LoanRow is one loan from a loans file (贷款台账): a loan paid out by core
// banking that daihou takes over for servicing. Every field has been
// validated; optional fields not given are "".
type LoanRow struct {
	Line             int          // line the row starts on, for messages and the audit trail
	LoanID           string       // loan_id: external loan number, required, ≤64 of [A-Za-z0-9_-.]
	BorrowerID       string       // borrower_id: required, ≤64 characters
	BorrowerName     string       // borrower_name: optional, ≤100 characters
	IDNumber         string       // id_number: optional; 18-character resident ID (GB 11643 check digit), X upper-case
	Phone            string       // phone: optional; 11-digit mainland mobile, without +86
	Product          string       // product: product code, required, ≤64 of [A-Za-z0-9_-.]
	Principal        money.Amount // principal: > 0
	Rate             money.Rate   // rate: annual contract rate as a decimal fraction ("0.0435"), 0 to 0.36
	Term             int          // term: months, 1 to 480
	Method           string       // method: optional override; one of the Method constants (Chinese names accepted)
	DisbursementDate civil.Date   // disbursement_date: YYYY-MM-DD
	Branch           string       // branch: optional, ≤64 characters
	Officer          string       // officer: optional, ≤64 characters
	Region           string       // region: optional, ≤64 characters
}

// Columns of a loans file, in LoanRow order.
const (
	lLoanID = iota
	lBorrowerID
	lBorrowerName
	lIDNumber
	lPhone
	lProduct
	lPrincipal
	lRate
	lTerm
	lMethod
	lDisbursementDate
	lBranch
	lOfficer
	lRegion
)

var loanSchema = newSchema("loans", []column{
	lLoanID:           {"loan_id", kindText, true},
	lBorrowerID:       {"borrower_id", kindText, true},
	lBorrowerName:     {"borrower_name", kindText, false},
	lIDNumber:         {"id_number", kindText, false},
	lPhone:            {"phone", kindText, false},
	lProduct:          {"product", kindText, true},
	lPrincipal:        {"principal", kindAmount, true},
	lRate:             {"rate", kindRate, true},
	lTerm:             {"term", kindInt, true},
	lMethod:           {"method", kindText, false},
	lDisbursementDate: {"disbursement_date", kindDate, true},
	lBranch:           {"branch", kindText, false},
	lOfficer:          {"officer", kindText, false},
	lRegion:           {"region", kindText, false},
}, lPrincipal, false)

// LoanFile is a parsed loans file.
type LoanFile struct {
	Rows    []LoanRow // valid rows, in file order
	Rejects []Reject  // rejected rows, in file order
	Summary
}

// ParseLoansFile reads a loans file in format f and returns its valid
// rows, its rejects and its Summary. A loan_id that appears twice is
// rejected at its second appearance, naming the first, whether or not the
// first was valid: two versions of one loan in one delivery cannot both be
// right, and picking one would be a guess.
//
// If the file as a whole is malformed or does not match its trailer or
// opts, ParseLoansFile returns only an error wrapping ErrBadHeader,
// ErrBadEncoding, ErrTruncated, ErrEmpty, ErrBadTrailer,
// ErrControlMismatch or ErrUnknownFormat; a failure to read r is returned
// wrapped as it is.
func ParseLoansFile(r io.Reader, f Format, opts ParseOptions) (LoanFile, error) {
	first := make(map[string]int) // loan_id → line of its first row
	rows, rejects, sum, err := parseRows(r, f, loanSchema, opts, func(x *row) LoanRow {
		l := LoanRow{
			Line:             x.line,
			LoanID:           x.code(lLoanID),
			BorrowerID:       x.text(lBorrowerID, maxIDLen, false),
			BorrowerName:     x.text(lBorrowerName, maxNameLen, true),
			IDNumber:         x.idNumber(lIDNumber),
			Phone:            x.phone(lPhone),
			Product:          x.code(lProduct),
			Principal:        x.amount(lPrincipal),
			Rate:             x.rate(lRate),
			Term:             x.term(lTerm),
			Method:           x.method(lMethod),
			DisbursementDate: x.date(lDisbursementDate),
			Branch:           x.text(lBranch, maxIDLen, false),
			Officer:          x.text(lOfficer, maxIDLen, false),
			Region:           x.text(lRegion, maxIDLen, false),
		}
		if l.LoanID != "" {
			if line, dup := first[l.LoanID]; dup {
				x.fail(lLoanID, fmt.Sprintf("%s is already on line %d: a loan appears once in a file; remove one of the two", quote(l.LoanID), line))
			} else {
				first[l.LoanID] = x.line
			}
		}
		return l
	})
	return LoanFile{Rows: rows, Rejects: rejects, Summary: sum}, err
}

// ParseLoans is ParseLoansFile without options, for callers that need
// only the rows and the rejects. A trailer in the file is still checked.
func ParseLoans(r io.Reader, f Format) ([]LoanRow, []Reject, error) {
	file, err := ParseLoansFile(r, f, ParseOptions{})
	return file.Rows, file.Rejects, err
}
