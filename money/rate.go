package money

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// RateScale is the fixed-point scale of a Rate: 10 decimal places, enough
// for any contract rate, LPR spread or daily rate a product states.
const RateScale = 10_000_000_000

// Rate is an exact decimal rate in units of 1e-10 (0.0435 is 435_000_000).
type Rate int64

// Errors returned by ParseRate.
var (
	ErrRateSyntax    = errors.New("rate is not a decimal number")
	ErrRatePrecision = errors.New("rate has more than 10 decimal places")
	ErrRateRange     = errors.New("rate is out of range (0 to 10)")
)

// ParseRate parses a decimal fraction such as "0.0435" (4.35 % a year). It
// accepts 0 to 10 inclusive and up to ten decimal places. Text that is not
// a plain decimal number ("abc", "4.35%", "1e-2") is ErrRateSyntax, not a
// rate out of range: the fix is to write the number differently.
func ParseRate(s string) (Rate, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	if neg {
		intPart = intPart[1:]
	}
	if intPart == "" || (hasDot && frac == "") || !digits(intPart) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q (write a decimal fraction such as 0.0435 for 4.35 %%)", ErrRateSyntax, s)
	}
	if neg {
		return 0, fmt.Errorf("%w: %q is negative", ErrRateRange, s)
	}
	if len(frac) > 10 {
		return 0, fmt.Errorf("%w: %q", ErrRatePrecision, s)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 2 {
		return 0, fmt.Errorf("%w: %q", ErrRateRange, s)
	}
	var v int64
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			v = v*10 + int64(part[i]-'0')
		}
	}
	for i := len(frac); i < 10; i++ {
		v *= 10
	}
	if v > 10*RateScale {
		return 0, fmt.Errorf("%w: %q", ErrRateRange, s)
	}
	return Rate(v), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustParseRate is ParseRate for literals; it panics on error.
func MustParseRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// String formats r as a decimal without trailing zeros ("0.0435").
func (r Rate) String() string {
	s := fmt.Sprintf("%d.%010d", int64(r)/RateScale, int64(r)%RateScale)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// MarshalText implements encoding.TextMarshaler.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MulRatio returns r × num / den, rounded half-up, for derived rates such
// as the default penalty rate (contract rate × 3/2).
func (r Rate) MulRatio(num, den int64) Rate {
	return Rate(MulDiv(int64(r), num, den, HalfUp))
}

// Rounding selects how MulDiv rounds a quotient that is not exact.
type Rounding int

// Rounding modes. HalfUp rounds halves away from zero (四舍五入), the
// convention of Chinese bank interest calculation.
const (
	HalfUp Rounding = iota
	Down            // toward zero
	Up              // away from zero
)

// MulDiv returns a × b / c rounded by mode, using a 128-bit intermediate so
// that an amount times a scaled rate cannot overflow. It panics if c is zero
// or the result does not fit in an int64 — both are programming errors.
func MulDiv(a, b, c int64, mode Rounding) int64 {
	if c == 0 {
		panic("money: MulDiv by zero")
	}
	neg := (a < 0) != (b < 0) != (c < 0)
	ua, ub, uc := abs(a), abs(b), abs(c)
	hi, lo := bits.Mul64(ua, ub)
	if hi >= uc {
		panic("money: MulDiv overflow")
	}
	q, rem := bits.Div64(hi, lo, uc)
	if rem != 0 {
		switch mode {
		case HalfUp:
			// rem*2 >= uc, computed without overflowing rem*2.
			if rem >= uc-rem {
				q++
			}
		case Up:
			q++
		}
	}
	if q > 1<<63-1 {
		panic("money: MulDiv overflow")
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}
