// Package civil provides Date, a calendar date without a time of day or
// a time zone. Business dates, due dates and value dates in daihou are
// civil dates: a loan falls due on 15 March, not at midnight UTC on it.
package civil

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Date is a calendar date stored as the number of days since 1970-01-01
// (the Unix epoch). The zero value is 1970-01-01; use IsZero to test for an
// unset date in contexts where that date is not meaningful.
type Date int32

// ErrInvalidDate is returned by Parse for text that is not a calendar date
// written YYYY-MM-DD, from 1900 on.
var ErrInvalidDate = errors.New("invalid date")

// New returns the date for a year, month and day. Out-of-range values are
// normalised the way time.Date normalises them (31 April is 1 May).
func New(year int, month time.Month, day int) Date {
	// Normalise the month into 1..12 first, then let the day overflow into
	// the day count, as time.Date does.
	m := int(month) - 1
	year += m / 12
	m %= 12
	if m < 0 {
		m += 12
		year--
	}
	return Date(daysFromCivil(year, m+1, 1) + day - 1)
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date, in integer arithmetic (H. Hinnant's days_from_civil): schedules and
// replays do date arithmetic millions of times a second, and going through
// time.Date cost more than the interest arithmetic.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// FromTime returns the calendar date of t in t's location.
func FromTime(t time.Time) Date {
	y, m, d := t.Date()
	return New(y, m, d)
}

// Parse parses an ISO 8601 calendar date (YYYY-MM-DD) from 1900 on. Its
// errors wrap ErrInvalidDate and say what is wrong: the layout, a month
// that is not 1 to 12, or a day the month does not have.
func Parse(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%w: want YYYY-MM-DD: %q", ErrInvalidDate, s)
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	switch {
	case !ok1 || !ok2 || !ok3:
		return 0, fmt.Errorf("%w: want YYYY-MM-DD: %q", ErrInvalidDate, s)
	case y < 1900:
		return 0, fmt.Errorf("%w: year %d is before 1900: %q", ErrInvalidDate, y, s)
	case m < 1 || m > 12:
		return 0, fmt.Errorf("%w: month %d is not 1 to 12: %q", ErrInvalidDate, m, s)
	case d < 1 || d > DaysIn(y, time.Month(m)):
		return 0, fmt.Errorf("%w: %v %d has %d days: %q", ErrInvalidDate, time.Month(m), y, DaysIn(y, time.Month(m)), s)
	}
	return New(y, time.Month(m), d), nil
}

// MustParse is Parse for literals in tests and tables; it panics on error.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// YMD returns the year, month and day of d.
func (d Date) YMD() (int, time.Month, int) {
	y, m, dd := civilFromDays(int(d))
	return y, time.Month(m), dd
}

// Year returns the year of d.
func (d Date) Year() int { y, _, _ := d.YMD(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.YMD(); return m }

// Day returns the day of the month of d.
func (d Date) Day() int { _, _, dd := d.YMD(); return dd }

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Sub returns the number of days from e to d (d − e).
func (d Date) Sub(e Date) int { return int(d - e) }

// IsZero reports whether d is the zero date (1970-01-01).
func (d Date) IsZero() bool { return d == 0 }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d < e }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d > e }

// DaysIn returns the number of days in a month.
func DaysIn(year int, m time.Month) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// AddMonthsClamped returns the date n months after d on day-of-month day,
// clamped to the end of a shorter month. Loan schedules anchor every due date
// on the disbursement day, so a loan paid out on 31 January falls due on
// 28 (or 29) February and on 31 March, not on 28 March.
func (d Date) AddMonthsClamped(n int, day int) Date {
	y, m, _ := d.YMD()
	total := int(m) - 1 + n
	y += total / 12
	mm := total % 12
	if mm < 0 {
		mm += 12
		y--
	}
	month := time.Month(mm + 1)
	if dim := DaysIn(y, month); day > dim {
		day = dim
	}
	return New(y, month, day)
}

// MonthIndex returns year*12 + month − 1, a month counter used for
// month-over-month figures such as months on book and vintages.
func (d Date) MonthIndex() int {
	y, m, _ := d.YMD()
	return y*12 + int(m) - 1
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	y, m, dd := d.YMD()
	var b [10]byte
	put := func(i, v, w int) {
		for k := w - 1; k >= 0; k-- {
			b[i+k] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(m), 2)
	b[7] = '-'
	put(8, dd, 2)
	return string(b[:])
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

var _ json.Marshaler = Date(0)

// MarshalJSON implements json.Marshaler.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }
