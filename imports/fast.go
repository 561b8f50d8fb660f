package imports

import (
	"daihou/civil"
	"daihou/money"
)

// Fast paths for the two values every payment row carries. They accept
// only the plain forms core banking writes ("2024-03-15", "1234.50") and
// leave everything else, including every error, to civil.Parse and
// money.ParseAmount, so the rules and messages stay those of the civil and
// money packages; tests check that both agree on every input. They exist
// because strconv made amounts a large part of the cost of a payment row.

// fastDate parses YYYY-MM-DD, 1900 or later. civil.Parse is itself
// allocation-free and integer-only on success, so the fast path is it.
func fastDate(s string) (civil.Date, bool) {
	d, err := civil.Parse(s)
	return d, err == nil
}

// fastAmount parses an unsigned amount with up to two decimals and up to
// 16 integer digits, as money.ParseAmount does.
func fastAmount(s string) (money.Amount, bool) {
	var v int64
	i := 0
	for ; i < len(s) && s[i] != '.'; i++ {
		c := s[i]
		if c < '0' || c > '9' || i >= 16 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if i == 0 {
		return 0, false
	}
	v *= 100
	if i == len(s) {
		return money.Amount(v), true
	}
	switch frac := s[i+1:]; len(frac) {
	case 1:
		if frac[0] < '0' || frac[0] > '9' {
			return 0, false
		}
		v += int64(frac[0]-'0') * 10
	case 2:
		if frac[0] < '0' || frac[0] > '9' || frac[1] < '0' || frac[1] > '9' {
			return 0, false
		}
		v += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	default:
		return 0, false
	}
	return money.Amount(v), true
}
