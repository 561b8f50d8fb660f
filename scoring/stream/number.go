package stream

import (
	"math"

	"daihou/scoring"
)

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses a trimmed, non-missing cell as scoring.ParseNumber
// does, returning false where it returns an error. Plain decimals of up
// to 15 significant digits — nearly every cell of a bank's extract — take
// a fast path: the digits form an integer that a float64 holds exactly,
// and dividing it by an exact power of ten is one correctly rounded
// operation, so the result is the one strconv gives (the same argument as
// strconv's own fast path). Anything else goes to strconv.
func parseNumber(b []byte) (float64, bool) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits, frac := 0, 0
	seenDot, any := false, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			any = true
			if mant == 0 && c == '0' {
				if seenDot {
					frac++
				}
				continue // leading zeros add no significant digit
			}
			digits++
			if digits > 15 {
				return slow(b)
			}
			mant = mant*10 + uint64(c-'0')
			if seenDot {
				frac++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return slow(b)
		}
	}
	if !any || frac >= len(pow10) {
		return slow(b)
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

func slow(b []byte) (float64, bool) {
	v, err := scoring.ParseNumber(string(b))
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}
