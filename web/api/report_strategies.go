package api

import (
	"net/http"

	"daihou/auth"
)

// GetStrategyReport answers GET /api/v1/reports/strategies?from=D1&to=D2
// (risk officer, manager, auditor): the champion/challenger comparison of
// the collection strategies over the business dates D1 to D2 (by default
// the month of the last close to it) — per strategy and segment each
// arm's episodes, cure and roll-forward rates with 95 % Wilson intervals,
// collected, cost per unit collected and complaints, and the difference
// of the rates with Newcombe's interval, a z-test p-value and a verdict.
func (a *API) GetStrategyReport(w http.ResponseWriter, r *http.Request) {
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
	rep, err := a.DB.StrategyReport(ctx, from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
