package console

import (
	"net/http"

	"daihou"
)

// ApprovalDecide answers POST /console/approvals/{id}/decision: the user
// (the checker) approves or rejects a waiver, write-off or restructuring
// with a note (required to reject); an approval posts its transaction in
// the same database transaction. The store refuses the maker deciding
// their own, which the inbox then says.
func (c *Console) ApprovalDecide(w http.ResponseWriter, r *http.Request) { c.decide(w, r, false) }

// OverrideDecide answers POST /console/overrides/{id}/decision: the user
// approves or rejects a classification override of the inbox, whose ids
// are its own; its reason is the maker's, so it takes no note.
func (c *Console) OverrideDecide(w http.ResponseWriter, r *http.Request) { c.decide(w, r, true) }

func (c *Console) decide(w http.ResponseWriter, r *http.Request, override bool) {
	s := sessionOf(r.Context())
	back := func(err error) {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.approvalsPage(r, s) })
	}
	id, err := pathID(r, "id", "proposal")
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	var approve bool
	switch r.PostForm.Get("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		back(daihou.Invalid("decision", "decision: want approve or reject"))
		return
	}
	if override {
		_, err = c.DB.DecideOverrideID(r.Context(), id, approve)
	} else {
		_, err = c.DB.DecideProposal(r.Context(), id, approve, r.PostForm.Get("note"))
	}
	if err != nil {
		back(err)
		return
	}
	notice := "work.notice.rejected"
	if approve {
		notice = "work.notice.approved"
	}
	done(w, r, "/console/approvals", notice)
}
