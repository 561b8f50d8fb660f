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
// because time.Date and strconv made dates and amounts a third of the cost
// of a payment row.

// fastDate parses YYYY-MM-DD, 1900 or later, as civil.Parse does.
func fastDate(s string) (civil.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	for _, i := range [8]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	y := atoi(s[0:4])
	m := atoi(s[5:7])
	d := atoi(s[8:10])
	if y < 1900 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return civil.Date(daysFromCivil(y, m, d)), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to a Gregorian date, for
// years from 0 on (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
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
