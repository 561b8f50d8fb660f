package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a sum of money in minor units of its currency (fen for CNY).
type Amount int64

// Currency is an ISO 4217 alphabetic code.
type Currency string

// CNY is the default currency.
const CNY Currency = "CNY"

// MinorDigits is the number of decimal places of the minor unit. Every
// currency daihou supports today has two; the code is kept beside the amount
// so that a three-digit currency is a table change, not a rewrite.
func (c Currency) MinorDigits() int { return 2 }

// Money is an Amount together with its currency.
type Money struct {
	Amount   Amount
	Currency Currency
}

// Errors returned by ParseAmount.
var (
	ErrAmountSyntax    = errors.New("amount is not a decimal number")
	ErrAmountPrecision = errors.New("amount has more decimal places than the currency's minor unit")
	ErrAmountRange     = errors.New("amount is out of range")
)

// ParseAmount parses a decimal string in major units ("1234.5", "-0.01",
// "1000000") into minor units with two decimal places. It rejects more than
// two decimal places rather than rounding: a payment file that says 10.005
// is wrong, and silently rounding it would hide that.
func ParseAmount(s string) (Amount, error) {
	in := s
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrAmountSyntax)
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("%w: %q", ErrAmountSyntax, in)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%w: %q", ErrAmountPrecision, in)
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("%w: %q", ErrAmountSyntax, in)
			}
		}
	}
	if len(intPart) > 16 {
		return 0, fmt.Errorf("%w: %q", ErrAmountRange, in)
	}
	major, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrAmountRange, in)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	minor, _ := strconv.ParseInt(frac, 10, 64)
	v := major*100 + minor
	if neg {
		v = -v
	}
	return Amount(v), nil
}

// MustParseAmount is ParseAmount for literals; it panics on error.
func MustParseAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String formats a in major units with exactly two decimals ("5307.27").
func (a Amount) String() string {
	v := int64(a)
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = uint64(-v)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Grouped formats a with thousands separators for tables ("1,000,000.00").
func (a Amount) Grouped() string {
	s := a.String()
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	return sign + groupDigits(intPart) + "." + frac
}

// Group formats a count with thousands separators ("1,000,000"), as
// Grouped does an amount's yuan.
func Group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if s[0] == '-' {
		return "-" + groupDigits(s[1:])
	}
	return groupDigits(s)
}

func groupDigits(digits string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// MarshalText writes the amount as a decimal string in major units, so JSON
// carries "5307.27" and never a binary float.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses a decimal string in major units.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Min returns the smaller of a and b.
func Min(a, b Amount) Amount {
	if a < b {
		return a
	}
	return b
}

// Max returns the larger of a and b.
func Max(a, b Amount) Amount {
	if a > b {
		return a
	}
	return b
}
