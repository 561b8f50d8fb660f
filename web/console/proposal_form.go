package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"daihou/approval"
	"daihou/classification"
	"daihou/loanview"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
)

// proposeView is what the proposal page shows: the loan, the forms of a
// waiver, write-off or restructuring and of a classification override,
// and the loan's proposals so far.
type proposeView struct {
	Loan       *loanview.View
	Kinds      []choice
	Components []choice
	Methods    []choice
	Classes    []choice
	Form       url.Values
}

// ProposalForm answers GET /console/loans/{id}/propose: a maker's forms
// to propose a waiver, write-off, restructuring or classification
// override on a loan of their scope; another user decides it.
func (c *Console) ProposalForm(r *http.Request, s *Session) (*Page, error) {
	p, err := c.proposePage(r, s, nil)
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

func (c *Console) proposePage(r *http.Request, s *Session, form url.Values) (*Page, error) {
	ctx := r.Context()
	l := s.Locale
	v, err := loanview.Build(ctx, c.DB, r.PathValue("id"), 0)
	if err != nil {
		return nil, err
	}
	if form == nil {
		form = url.Values{}
	}
	pv := proposeView{Loan: v, Form: form}
	for _, k := range approval.Kinds {
		pv.Kinds = append(pv.Kinds, choice{string(k), l.T("work.proposal." + string(k))})
	}
	for _, cp := range []servicing.Component{servicing.Penalty, servicing.Compound, servicing.Interest, servicing.Fee, servicing.Principal} {
		pv.Components = append(pv.Components, choice{string(cp), l.T("work.component." + string(cp))})
	}
	for _, m := range []schedule.Method{schedule.EqualInstallment, schedule.EqualPrincipal, schedule.InterestOnly, schedule.Bullet} {
		pv.Methods = append(pv.Methods, choice{string(m), l.T("work.method." + string(m))})
	}
	for cl := classification.SpecialMention; cl <= classification.Loss; cl++ {
		label := cl.Chinese()
		if l.Lang == "en" {
			label = cl.String()
		}
		pv.Classes = append(pv.Classes, choice{cl.String(), label})
	}
	page, err := c.DB.Proposals(ctx, store.ProposalFilter{LoanID: v.Loan.ID, After: r.URL.Query().Get("after"), Limit: 100})
	if err != nil {
		return nil, err
	}
	t := proposalTable(l, "proposals", l.T("work.propose.list"), page.Proposals)
	if page.Next != "" {
		// This page also answers a refused form's POST: its next page is
		// the propose page's, not the form's path.
		t.Next = fmt.Sprintf("/console/loans/%d/propose?after=%s", v.Loan.ID, url.QueryEscape(page.Next))
	}
	return &Page{Name: "propose", Title: "work.propose.title", Data: pv, Tables: []*Table{t}}, nil
}

// proposalTable lists proposals: what, why, who made and decided them.
func proposalTable(l *Locale, id, title string, ps []approval.Proposal) *Table {
	t := &Table{ID: id, Title: title, Columns: []Column{
		{Label: l.T("work.col.id")}, {Label: l.T("work.col.loan")}, {Label: l.T("work.col.kind")}, {Label: l.T("work.col.what")},
		{Label: l.T("work.col.reason")}, {Label: l.T("work.col.maker")}, {Label: l.T("work.col.created")}, {Label: l.T("work.col.status")}, {Label: l.T("work.col.checker")},
	}}
	for _, p := range ps {
		t.Rows = append(t.Rows, []Cell{TextCell(strconv.FormatInt(p.ID, 10)), TextCell(strconv.FormatInt(p.LoanID, 10)), TextCell(l.T("work.proposal." + string(p.Kind))),
			TextCell(p.Describe()), TextCell(p.Reason), TextCell(p.Maker), TextCell(stampText(p.Created)), TextCell(l.T("work.status." + string(p.Status))), TextCell(p.Checker)})
	}
	return t
}
