package imports

import (
	"daihou/inputtext"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"daihou/civil"
	"daihou/money"
)

// kind is what a column holds; it decides which JSON value types a key
// may carry (text must be a JSON string; an amount or a whole number may
// also be a JSON number, read from its literal text).
type kind uint8

const (
	kindText kind = iota
	kindAmount
	kindRate
	kindInt
	kindDate
)

// maxFields bounds the columns of any schema so that a row's values fit
// in a fixed array and a bit mask, with no allocation per row.
const maxFields = 16

// schema describes one import file type: its columns, in the order the
// expected-columns message lists them, and which are required.
type schema struct {
	what     string // "loans" or "payments", for messages
	names    []string
	kinds    []kind
	required uint32 // bit i set: names[i] is required
	index    map[string]int
	// totalCol is the money column whose sum is the file's control
	// total (a trailer's total=), or noTotal for a file type without
	// one; totalRequired says whether a trailer must state it.
	totalCol      int
	totalRequired bool
}

// noTotal is the totalCol of a file type whose trailer states rows only:
// a signals file has no one money column whose sum means anything.
const noTotal = -1

func newSchema(what string, cols []column, totalCol int, totalRequired bool) *schema {
	if len(cols) > maxFields {
		panic("imports: too many columns")
	}
	if totalCol == noTotal && totalRequired || totalCol != noTotal && cols[totalCol].kind != kindAmount {
		panic("imports: the total column must hold amounts")
	}
	s := &schema{what: what, index: make(map[string]int, len(cols)), totalCol: totalCol, totalRequired: totalRequired}
	for i, c := range cols {
		s.names = append(s.names, c.name)
		s.kinds = append(s.kinds, c.kind)
		if c.required {
			s.required |= 1 << i
		}
		s.index[c.name] = i
	}
	return s
}

type column struct {
	name     string
	kind     kind
	required bool
}

// expected lists the columns for a header error message.
func (s *schema) expected() string {
	var req, opt []string
	for i, n := range s.names {
		if s.required&(1<<i) != 0 {
			req = append(req, n)
		} else {
			opt = append(opt, n)
		}
	}
	return "expected columns: " + strings.Join(req, ", ") + " (required); " + strings.Join(opt, ", ") + " (optional)"
}

// row is one row on its way from the file to a typed struct: the trimmed
// text of each column, and the reasons collected so far. It is reused for
// every row of a file.
type row struct {
	s    *schema
	line int
	val  [maxFields]string
	bad  uint32 // columns already reported (a JSON type error); not validated again
	errs []string
	// cut is set for a last line without a line end: the row may be
	// incomplete, so it is rejected whatever its fields hold.
	cut bool
	// amt is the row's value in the schema's total column, if it could
	// be read (hasAmt), whether or not the row is valid.
	amt    money.Amount
	hasAmt bool
}

func (r *row) reset(line int, cut bool) {
	r.line = line
	r.val = [maxFields]string{}
	r.bad = 0
	r.errs = r.errs[:0]
	r.cut = cut
	r.amt, r.hasAmt = 0, false
}

// ok reports whether the row has no reasons to be rejected so far.
func (r *row) ok() bool { return len(r.errs) == 0 && !r.cut }

func (r *row) fail(col int, msg string) {
	r.errs = append(r.errs, r.s.names[col]+": "+msg)
}

// get returns the column's text and whether there is a value to validate.
// A missing required value is reported here, so every kind of column
// reports it the same way.
func (r *row) get(col int) (string, bool) {
	if r.bad&(1<<col) != 0 {
		return "", false
	}
	v := r.val[col]
	if v == "" {
		if r.s.required&(1<<col) != 0 {
			r.fail(col, "required, but empty or missing")
		}
		return "", false
	}
	return v, true
}

// Length limits of free-text columns, in characters. They are generous for
// real data and stop a misaligned column or a pasted paragraph from being
// stored as a name.
const (
	maxIDLen        = 64  // loan_id, borrower_id, product and other codes
	maxNameLen      = 100 // borrower_name
	maxReferenceLen = 128 // reference, the payment's idempotency key
)

// code validates an identifier that must match between systems (loan
// number, product code): letters, digits, '_', '-' and '.', nothing that
// an export could mangle or a lookup could trip over.
func (r *row) code(col int) string {
	v, ok := r.get(col)
	if !ok {
		return ""
	}
	if !isCode(v) {
		r.fail(col, badCode(v))
		return ""
	}
	return v
}

// text validates free text: any printable characters up to max. Control
// characters (a line break inside a quoted field, a NUL) are refused
// because they would corrupt the console, exports and reports; invisible
// formatting characters because they make two values that look the same
// differ, which for a reference (the idempotency key) means a payment
// posted twice. If personal is set the value is personal data and is not
// quoted in the reason.
func (r *row) text(col int, max int, personal bool) string {
	v, ok := r.get(col)
	if !ok {
		return ""
	}
	n := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				r.fail(col, badText(v))
				return ""
			}
			i++
		} else {
			rn, size := utf8.DecodeRuneInString(v[i:])
			if unicode.IsControl(rn) || unicode.Is(unicode.Cf, rn) || rn == utf8.RuneError {
				r.fail(col, badText(v))
				return ""
			}
			i += size
		}
		n++
	}
	if n > max {
		if personal {
			r.fail(col, fmt.Sprintf("is longer than %d characters (it has %d)", max, n))
		} else {
			r.fail(col, fmt.Sprintf("%s is longer than %d characters (it has %d)", quote(v), max, n))
		}
		return ""
	}
	return v
}

// amount validates a positive money amount in major units. Zero and
// negative amounts are refused: a repayment or principal of zero is an
// export error, and reversals are their own transaction type. Every
// amount that parses, positive or not, is kept in r.amt for the file's
// control total when col is the schema's total column.
func (r *row) amount(col int) money.Amount {
	v, ok := r.get(col)
	if !ok {
		return 0
	}
	a, ok := fastAmount(v)
	if !ok {
		var err error
		if a, err = money.ParseAmount(v); err != nil {
			r.fail(col, badAmount(v))
			return 0
		}
	}
	if col == r.s.totalCol {
		r.amt, r.hasAmt = a, true
	}
	switch {
	case a == 0:
		r.fail(col, fmt.Sprintf("%s is zero; it must be greater than 0: correct the amount or remove the row", quote(v)))
		return 0
	case a < 0:
		r.fail(col, fmt.Sprintf("%s is negative; it must be greater than 0 (a refund or reversal is not imported as a negative amount)", quote(v)))
		return 0
	}
	return a
}

// maxRate is the highest annual rate accepted: 36 % is China's ceiling for
// any interest a court will support, and above it the likeliest cause by
// far is a percentage typed where a fraction belongs (4.35 for 0.0435).
var maxRate = money.MustParseRate("0.36")

func (r *row) rate(col int) money.Rate {
	v, ok := r.get(col)
	if !ok {
		return 0
	}
	// ParseRate reads no sign, so a negative rate fails it too.
	x, err := money.ParseRate(v)
	if err != nil || x > maxRate {
		r.fail(col, badRate(v))
		return 0
	}
	return x
}

// Term limits, in months: 480 is a 40-year mortgage.
const (
	minTerm = 1
	maxTerm = 480
)

func (r *row) term(col int) int {
	v, ok := r.get(col)
	if !ok {
		return 0
	}
	digits := strings.TrimLeft(v, "0")
	if !inputtext.AllDigits(v) || len(digits) > 3 || inputtext.Atoi(digits) < minTerm || inputtext.Atoi(digits) > maxTerm {
		r.fail(col, badTerm(v))
		return 0
	}
	return inputtext.Atoi(digits)
}

func (r *row) date(col int) civil.Date {
	v, ok := r.get(col)
	if !ok {
		return 0
	}
	d, ok := fastDate(v)
	if !ok {
		r.fail(col, badDate(v))
		return 0
	}
	return d
}

// Repayment methods (还款方式) a loans file may name in its method column
// to override the product's; LoanRow.Method is always one of these, the
// Chinese names being mapped to them.
const (
	MethodEqualInstallment = "equal-installment" // 等额本息
	MethodEqualPrincipal   = "equal-principal"   // 等额本金
	MethodInterestOnly     = "interest-only"     // 先息后本
	MethodBullet           = "bullet"            // 到期一次还本付息
)

// methodNames maps every accepted spelling to the canonical name; the
// Chinese names are what core-banking exports in China usually carry.
var methodNames = map[string]string{
	MethodEqualInstallment: MethodEqualInstallment,
	MethodEqualPrincipal:   MethodEqualPrincipal,
	MethodInterestOnly:     MethodInterestOnly,
	MethodBullet:           MethodBullet,
	"等额本息":                 MethodEqualInstallment,
	"等额本金":                 MethodEqualPrincipal,
	"先息后本":                 MethodInterestOnly,
	"按月付息到期还本":             MethodInterestOnly,
	"到期一次还本付息":             MethodBullet,
}

func (r *row) method(col int) string {
	v, ok := r.get(col)
	if !ok {
		return ""
	}
	m, ok := methodNames[v]
	if !ok {
		if m, ok := methodNames[strings.ToLower(v)]; ok {
			r.fail(col, fmt.Sprintf("%s must be written in lower case: write %s", quote(v), m))
			return ""
		}
		r.fail(col, fmt.Sprintf("%s is not a repayment method; want one of %s, %s, %s, %s (or 等额本息, 等额本金, 先息后本, 到期一次还本付息)",
			quote(v), MethodEqualInstallment, MethodEqualPrincipal, MethodInterestOnly, MethodBullet))
		return ""
	}
	return m
}

// idNumber validates an 18-character resident identity number (居民身份证
// 号码, GB 11643-1999): 17 digits, the holder's birth date in digits 7–14,
// and a check digit (0–9 or X) over the first 17. A lower-case x is
// accepted and stored upper-case. The number is personal data, so reasons
// never quote it.
func (r *row) idNumber(col int) string {
	v, ok := r.get(col)
	if !ok {
		return ""
	}
	if _, ok := inputtext.FoldWidth(v); ok {
		r.fail(col, "has full-width characters: write the number in ASCII digits (and X)")
		return ""
	}
	if len(v) == 15 && inputtext.AllDigits(v) {
		r.fail(col, "is a 15-digit number from before 1999, which is not accepted: give the holder's 18-character number")
		return ""
	}
	if len(v) != 18 || !inputtext.AllDigits(v[:17]) {
		r.fail(col, badIDForm(v))
		return ""
	}
	y := inputtext.Atoi(v[6:10])
	m := inputtext.Atoi(v[10:12])
	d := inputtext.Atoi(v[12:14])
	if y < 1900 || m < 1 || m > 12 || d < 1 || d > civil.DaysIn(y, time.Month(m)) {
		r.fail(col, "digits 7 to 14 are not a birth date (YYYYMMDD): the number is mistyped; check it against the identity card")
		return ""
	}
	last := v[17]
	if last == 'x' {
		last = 'X'
	}
	if want := inputtext.IDCheckDigit(v[:17]); last != want {
		r.fail(col, "the check digit (GB 11643) does not match: the number is mistyped; check it against the identity card")
		return ""
	}
	if v[17] == 'x' {
		return v[:17] + "X"
	}
	return v
}

// phone validates a mainland mobile number: 11 digits starting 13 to 19.
// A leading "+86" country code, with or without a space or hyphen, is
// accepted and dropped, because exports from international systems add it.
// The number is personal data, so reasons never quote it.
func (r *row) phone(col int) string {
	v, ok := r.get(col)
	if !ok {
		return ""
	}
	if rest, ok := strings.CutPrefix(v, "+86"); ok {
		rest = strings.TrimLeft(rest, " -")
		v = rest
	}
	if !isMobile(v) {
		r.fail(col, badPhone(v))
		return ""
	}
	return v
}

// isDecimal reports whether s is digits with at most one decimal point.
func isDecimal(s string) bool {
	intPart, frac, _ := strings.Cut(s, ".")
	return intPart != "" && inputtext.AllDigits(intPart) && inputtext.AllDigits(frac)
}
