package loanstate

import (
	"daihou/civil"
	"daihou/servicing"
)

// Wake returns the first date after s.AsOf on which s can change with no
// new event — zero for never: tomorrow for a loan past due (penalty
// accrues, DPD grows) or written off (DPD keeps counting), the next due
// date for a current loan, the end of a restructured loan's observation
// hold, and, for a scored loan, the first of next month: the behaviour
// features count months on book and look back over calendar months, so
// the score is refreshed monthly for the whole active book, as B-cards
// are. Close of business takes a loan on its wake date (the earliest of
// every step's), so a day's batch is one index range.
func Wake(s *Snapshot) civil.Date {
	tomorrow := s.AsOf.AddDays(1)
	switch {
	case s.Status == servicing.StatusSettled:
		return 0
	case s.Status == servicing.StatusWrittenOff, s.DPD > 0, s.OverduePrincipal > 0, s.OverdueInterest > 0:
		return tomorrow
	}
	var w civil.Date
	if s.NextDueDate != 0 {
		w = max(s.NextDueDate, tomorrow)
	}
	if s.ModelID != 0 {
		y, m, _ := s.AsOf.YMD()
		w = Earliest(w, civil.New(y, m+1, 1))
	}
	if s.ObservationEnd.After(s.AsOf) {
		w = Earliest(w, s.ObservationEnd)
	}
	return w
}

// Earliest returns the earlier of two wake dates, zero meaning never.
func Earliest(a, b civil.Date) civil.Date {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}
