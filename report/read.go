package report

import (
	"context"
	"slices"

	"daihou"
	"daihou/civil"
	"daihou/eod"
)

// Source is where a report's figures come from: the daily aggregates that
// close of business writes.
type Source interface {
	// Aggregates returns the aggregates of d; ENOTFOUND if none were kept.
	Aggregates(ctx context.Context, d civil.Date) (*eod.Aggregates, error)
	// AggregateDates returns the dates with aggregates, in order.
	AggregateDates(ctx context.Context) ([]civil.Date, error)
}

// Read builds the report of d from the aggregates of d and of the month
// ends of the 24 months before it. A date without figures gets an error
// that says which dates have them.
func Read(ctx context.Context, src Source, d civil.Date) (Report, error) {
	dates, err := src.AggregateDates(ctx)
	if err != nil {
		return Report{}, err
	}
	if _, found := slices.BinarySearch(dates, d); !found {
		return Report{}, noFigures(d, dates)
	}
	at, err := src.Aggregates(ctx, d)
	if err != nil {
		return Report{}, err
	}
	ends := map[civil.Date]*eod.Aggregates{}
	for _, md := range dates {
		if md.After(d) || !isMonthEnd(md) || d.MonthIndex()-md.MonthIndex() > 24 {
			continue
		}
		if ends[md], err = src.Aggregates(ctx, md); err != nil {
			return Report{}, err
		}
	}
	return Build(d, at, ends), nil
}

// noFigures explains why d has no figures, and what to ask for instead.
func noFigures(d civil.Date, dates []civil.Date) error {
	if len(dates) == 0 {
		return daihou.Errorf(daihou.ENOTFOUND, "no business date has been closed yet: run 'daihou eod --date DATE' (or 'daihou gen')")
	}
	first, last := dates[0], dates[len(dates)-1]
	switch {
	case d.After(last):
		return daihou.Errorf(daihou.ENOTFOUND, "%v is not closed yet: business is closed through %v; run 'daihou eod --date %v' to close through it", d, last, d)
	case d.Before(first):
		return daihou.Errorf(daihou.ENOTFOUND, "no figures before %v, the first date with figures", first)
	}
	i, _ := slices.BinarySearch(dates, d)
	return daihou.Errorf(daihou.ENOTFOUND, "no figures were kept for %v: figures exist for every month end and every date closed since the book was opened; the nearest are %v and %v", d, dates[i-1], dates[i])
}
