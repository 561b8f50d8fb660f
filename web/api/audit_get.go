package api

import (
	"net/http"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
)

// AuditPage is a page of the audit trail.
type AuditPage struct {
	Entries    []audit.Entry `json:"entries"`
	NextCursor int64         `json:"next_cursor,omitempty"`
}

// GetAudit answers GET /api/v1/audit?object=loan:42&cursor=N&limit=M
// (auditor, manager, admin): the trail's entries in order, all of them or
// those about one object.
func (a *API) GetAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := can(ctx, auth.ReadAudit, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	object := r.URL.Query().Get("object")
	if len(object) > 200 || object != "" && !strings.Contains(object, ":") {
		a.fail(w, r, daihou.Invalid("object", "object: want KIND:ID, e.g. loan:42, user:alice or eod:2026-06-30"))
		return
	}
	after, err := queryInt(r, "cursor", 0, 0, 1<<62)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	es, err := a.DB.AuditEntries(ctx, object, after, int(limit))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := AuditPage{Entries: nonNil(es)}
	if len(es) == int(limit) {
		page.NextCursor = es[len(es)-1].Seq
	}
	writeJSON(w, http.StatusOK, page)
}
