package api

import (
	"net/http"

	"daihou/auth"
	"daihou/collection"
)

// SOPList is the answer of GET /api/v1/sop: the SOP timelines in force.
type SOPList struct {
	SOPs []collection.SOP `json:"sops"`
}

// GetSOP answers GET /api/v1/sop: the SOP timelines (贷后 SOP) in force,
// the latest version of each product's and of the default "*" — the
// built-in default while none has been put. Reading them takes a role
// that reads rules (risk officer, manager, auditor).
func (a *API) GetSOP(w http.ResponseWriter, r *http.Request) {
	if err := can(r.Context(), auth.ReadRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	sops, err := a.DB.SOPs(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, SOPList{SOPs: sops})
}
