package api

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/report"
)

// GetPortfolioReport answers GET /api/v1/reports/portfolio?date=D: the
// portfolio report of a closed business date (default the last one) —
// balances by bucket, class and stage, NPL ratio, ECL, roll rates and
// vintages.
func (a *API) GetPortfolioReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := can(ctx, auth.ReadReport, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	var d civil.Date
	var err error
	if s := r.URL.Query().Get("date"); s != "" {
		if d, err = civil.Parse(s); err != nil {
			a.fail(w, r, daihou.Invalid("date", "date: want a date YYYY-MM-DD, not %q", inputtext.Clip(s, 32)))
			return
		}
	} else if d, err = a.DB.LastClose(ctx); err != nil {
		a.fail(w, r, err)
		return
	} else if d == 0 {
		a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "no business date has been closed yet"))
		return
	}
	rep, err := report.Read(ctx, a.DB, d)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
