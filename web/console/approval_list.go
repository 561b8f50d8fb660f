package console

import (
	"net/http"
	"net/url"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/store"
)

// approvalsView is the inbox: each pending proposal the user may decide.
type approvalsView struct {
	Items []approvalItem
}

// approvalItem is one proposal of the inbox with its words in the user's
// language.
type approvalItem struct {
	approval.Proposal
	Kind, What, Created string
	Override            bool
}

// inboxPage is how many proposals a page of the inbox shows; the next
// page is a link.
const inboxPage = 50

// Approvals answers GET /console/approvals: a checker's inbox (审批) —
// the pending waivers, write-offs, restructurings and classification
// overrides the user may decide (made by someone else, on loans of their
// scope), each with its maker, loan, what and why, a page at a time by
// cursor. A user who decides no kind of proposal is refused.
func (c *Console) Approvals(r *http.Request, s *Session) (*Page, error) {
	p, err := c.approvalsPage(r, s)
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

func (c *Console) approvalsPage(r *http.Request, s *Session) (*Page, error) {
	l := s.Locale
	if !checker(s.Actor) {
		return nil, daihou.Errorf(daihou.EUNAUTHORIZED, "%s", l.T("work.approvals.not_checker"))
	}
	page, err := c.DB.Proposals(r.Context(), store.ProposalFilter{Status: approval.Pending, Inbox: true, After: r.URL.Query().Get("after"), Limit: inboxPage})
	if err != nil {
		return nil, err
	}
	var v approvalsView
	for _, p := range page.Proposals {
		v.Items = append(v.Items, approvalItem{Proposal: p, Kind: l.T("work.proposal." + string(p.Kind)), What: p.Describe(), Created: stampText(p.Created), Override: p.Kind == auth.ProposalOverride})
	}
	t := proposalTable(l, "approvals", l.T("work.approvals.table"), page.Proposals)
	if page.Next != "" {
		t.Next = "/console/approvals?after=" + url.QueryEscape(page.Next)
	}
	return &Page{Name: "approvals", Title: "work.approvals.title", Data: v, Tables: []*Table{t}}, nil
}

// checker reports whether actor decides some kind of proposal on some
// loan.
func checker(actor auth.Actor) bool {
	for _, k := range append([]auth.Proposal{auth.ProposalOverride}, approval.Kinds...) {
		if !auth.ScopeFor(actor, k.DecideAction()).IsEmpty() {
			return true
		}
	}
	return false
}
