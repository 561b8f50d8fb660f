package api

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
)

// GetCollectionReport answers GET /api/v1/reports/collections?from=D1&to=D2&by=DIM
// (risk officer, manager, auditor): the collection KPIs (催收考核) of the
// business dates D1 to D2 — by default the month of the last close to it
// — each a ratio with its numerator and denominator (value null when the
// denominator is 0), the book-wide figures, the daily trend, and the lines
// of dimension by (collector, team, arm, bucket or channel; every one when
// by is not given). The definitions are package report's.
func (a *API) GetCollectionReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := can(ctx, auth.ReadReport, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	from, to, err := reportDates(q.Get("from"), q.Get("to"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := a.DB.CollectionReport(ctx, from, to, q.Get("by"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// reportDates parses a report's optional from and to dates; zero for
// those not given.
func reportDates(fromText, toText string) (from, to civil.Date, err error) {
	parse := func(field, s string) (civil.Date, error) {
		if s == "" {
			return 0, nil
		}
		d, err := civil.Parse(s)
		if err != nil {
			return 0, daihou.Invalid(field, "%s: want a date YYYY-MM-DD, not %q", field, inputtext.Clip(s, 32))
		}
		return d, nil
	}
	if from, err = parse("from", fromText); err != nil {
		return
	}
	to, err = parse("to", toText)
	return
}
