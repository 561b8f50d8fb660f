package api

import (
	"net/http"
	"time"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/civil"
	"daihou/money"
	"daihou/store"
)

// Approval is a proposal of the approvals inbox as the API answers it: a
// waiver, write-off or restructuring, or a classification override (kind
// override, with its class).
type Approval struct {
	ID           int64        `json:"id"`
	LoanID       int64        `json:"loan_id"`
	Kind         string       `json:"kind"`
	Summary      string       `json:"summary"`
	Component    string       `json:"component,omitempty"`
	Amount       money.Amount `json:"amount,omitempty"` // a waiver's; what a write-off would take when proposed
	NewRate      string       `json:"new_rate,omitempty"`
	NewTerm      int          `json:"new_term,omitempty"`
	NewMethod    string       `json:"new_method,omitempty"`
	Class        string       `json:"class,omitempty"`
	Reason       string       `json:"reason"`
	Maker        string       `json:"maker"`
	CreatedAt    string       `json:"created_at"`
	BusinessDate civil.Date   `json:"business_date,omitzero"`
	Status       string       `json:"status"`
	Checker      string       `json:"checker,omitempty"`
	DecidedAt    string       `json:"decided_at,omitempty"`
	Note         string       `json:"note,omitempty"`
	PostedSeq    int64        `json:"posted_seq,omitempty"`
	CanDecide    bool         `json:"can_decide"`
}

// ApprovalOf returns p as JSON shows it.
func ApprovalOf(p approval.Proposal) Approval {
	out := Approval{ID: p.ID, LoanID: p.LoanID, Kind: string(p.Kind), Summary: p.Describe(), Component: string(p.Component), Amount: p.Amount,
		NewTerm: p.NewTerm, NewMethod: string(p.NewMethod), Reason: p.Reason, Maker: p.Maker, CreatedAt: stamp(p.Created), BusinessDate: p.Business,
		Status: string(p.Status), Checker: p.Checker, DecidedAt: stamp(p.Decided), Note: p.Note, PostedSeq: p.PostedSeq, CanDecide: p.CanDecide}
	if p.Kind == auth.ProposalRestructure {
		out.NewRate = p.NewRate.String()
	}
	if p.Kind == auth.ProposalOverride {
		out.Class = p.Class.String()
	}
	return out
}

// ApprovalsOf returns ps as JSON shows them, [] for none.
func ApprovalsOf(ps []approval.Proposal) []Approval {
	out := make([]Approval, len(ps))
	for i, p := range ps {
		out[i] = ApprovalOf(p)
	}
	return out
}

// stamp is a wall time as the API gives it; "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ListApprovals answers GET /api/v1/approvals: the approvals inbox — the
// proposals on the loans the actor may see, newest first, with the
// classification overrides — filtered by status, kind, loan (id or loan
// number) and inbox=true (only those the actor may decide), at most limit
// (default 100, up to 10000) a page; next_cursor, when given, reads the
// next page (?cursor=…).
func (a *API) ListApprovals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.ProposalFilter{}
	if s := q.Get("status"); s != "" {
		st, err := approval.ParseStatus(s)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		f.Status = st
	}
	if s := q.Get("kind"); s != "" {
		k, err := approval.ParseKind(s)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		f.Kind = k
	}
	var err error
	if f.LoanID, err = a.queryLoan(r); err != nil {
		a.fail(w, r, err)
		return
	}
	if f.Inbox, err = queryBool(r, "inbox"); err != nil {
		a.fail(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1, 10000)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f.Limit = int(limit)
	f.After = q.Get("cursor")
	page, err := a.DB.Proposals(r.Context(), f)
	if err != nil {
		if daihou.ErrorField(err) == "after" {
			err = daihou.Invalid("cursor", "cursor: pass back the next_cursor of the previous page")
		}
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ApprovalPage{Approvals: ApprovalsOf(page.Proposals), NextCursor: page.Next})
}

// ApprovalPage is a page of the approvals list.
type ApprovalPage struct {
	Approvals []Approval `json:"approvals"`
	// NextCursor, when not empty, fetches the next page (?cursor=…).
	NextCursor string `json:"next_cursor,omitempty"`
}
