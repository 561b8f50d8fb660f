package api

import (
	"net/http"

	"daihou/auth"
)

// GetWarningReport answers GET /api/v1/reports/warnings?from=D1&to=D2
// (risk officer, manager, auditor): the live numbers of the warnings
// raised in [from, to] — per rule and for the set, the warnings and loans
// warned, early-identification and hit rates — against the milestones
// close of business recorded, as of the business date.
func (a *API) GetWarningReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := can(ctx, auth.ReadReport, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	from, to, err := dateRange(q.Get("from"), q.Get("to"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := a.DB.WarningReport(ctx, from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ReportOf(rep))
}
