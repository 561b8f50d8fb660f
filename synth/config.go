package synth

import (
	"fmt"
	"math"
	"sort"
	"time"

	"daihou/civil"
)

// Config says what to generate.
type Config struct {
	Seed   uint64
	Loans  int        // number of loans
	Months int        // history length: loans are disbursed over the Months before Until
	Until  civil.Date // the last day of history and the business date afterwards
}

// Validate reports whether c can be generated.
func (c Config) Validate() error {
	switch {
	case c.Loans < 1:
		return fmt.Errorf("loans must be positive (got %d)", c.Loans)
	case c.Loans > 100_000_000:
		return fmt.Errorf("at most 100,000,000 loans (got %d)", c.Loans)
	case c.Months < 1 || c.Months > 120:
		return fmt.Errorf("months must be 1 to 120 (got %d)", c.Months)
	case c.Until.Year() < 1990 || c.Until.Year() > 2200:
		return fmt.Errorf("until %v is out of range", c.Until)
	}
	return nil
}

// First returns the first possible disbursement date: the day after Until
// less Months months.
func (c Config) First() civil.Date {
	return c.Until.AddMonthsClamped(-c.Months, c.Until.Day()).AddDays(1)
}

// MonthEnds returns the month ends of the history strictly before Until,
// oldest first: the dates whose aggregates generation records besides Until.
func (c Config) MonthEnds() []civil.Date {
	var out []civil.Date
	first := c.First()
	for m := first.MonthIndex(); ; m++ {
		e := monthEnd(m)
		if !e.Before(c.Until) {
			return out
		}
		if !e.Before(first) {
			out = append(out, e)
		}
	}
}

// monthEnd returns the last day of month index m (year*12 + month − 1).
func monthEnd(m int) civil.Date {
	return civil.New(m/12, time.Month(m%12+2), 0)
}

// calendar spreads loans over the disbursement days: volume grows about
// 2.5 % a month and weekends see 40 % of a weekday's. Loan i is disbursed
// on the first day whose cumulative count exceeds i, so loan ids follow
// disbursement dates as a lender's loan numbers do.
type calendar struct {
	first civil.Date
	ends  []int // ends[k]: loans disbursed on or before day first+k
}

func newCalendar(c Config) calendar {
	first := c.First()
	days := c.Until.Sub(first) + 1
	weights := make([]float64, days)
	var total float64
	for k := range weights {
		d := first.AddDays(k)
		w := math.Pow(1.025, float64(k)/30.4)
		if wd := weekday(d); wd == 0 || wd == 6 {
			w *= 0.4
		}
		weights[k] = w
		total += w
	}
	cal := calendar{first: first, ends: make([]int, days)}
	var cum float64
	for k, w := range weights {
		cum += w
		cal.ends[k] = int(math.Floor(float64(c.Loans) * cum / total))
	}
	cal.ends[days-1] = c.Loans
	return cal
}

// day returns the disbursement date of loan index i.
func (cal calendar) day(i int) civil.Date {
	k := sort.SearchInts(cal.ends, i+1)
	return cal.first.AddDays(k)
}

// weekday returns 0 for Sunday … 6 for Saturday (1970-01-01 was a Thursday).
func weekday(d civil.Date) int {
	w := (int(d) + 4) % 7
	if w < 0 {
		w += 7
	}
	return w
}
