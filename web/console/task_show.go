package console

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"daihou/auth"
	"daihou/collection"
	"daihou/compliance"
	"daihou/loanview"
	"daihou/store"
	"daihou/web/api"
)

// taskView is what a task's page shows: the task, its loan's essentials
// (the borrower masked as the store gives them), what was done on it, the
// compliance guard's answer on a contact now, and the outcome form.
type taskView struct {
	Task      collection.Task
	Kind      string
	Loan      *loanview.View
	History   store.TaskHistory
	Guard     *compliance.Decision
	GuardNext string
	// CanRecord: the user may record work on this task now; CanTake: they
	// may take it into their own queue.
	CanRecord, CanTake bool
	CanPay             bool // the user may post a payment on the loan
	Contacts           bool // the task contacts someone (a call, a visit …)
	Outcomes           []choice
	Channels           []choice
	Parties            []choice
	Form               url.Values // what the user typed, when a form comes back
}

// choice is one option of a select: its value and its label.
type choice struct{ Value, Label string }

// personOutcomes are the outcomes a person records; delivered is a
// channel's.
var personOutcomes = []collection.Outcome{collection.NoAnswer, collection.WrongNumber, collection.Promise, collection.Refused, collection.Dispute,
	collection.Hardship, collection.Complaint, collection.Paid, collection.Done, collection.Failed}

// TaskShow answers GET /console/tasks/{id}: one task of the user's scope
// (404 for any other, as for one that does not exist).
func (c *Console) TaskShow(r *http.Request, s *Session) (*Page, error) {
	id, err := pathID(r, "id", "task")
	if err != nil {
		return nil, err
	}
	p, err := c.taskPage(r, s, id, nil)
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

// taskPage builds task id's page, with form the values to show again.
func (c *Console) taskPage(r *http.Request, s *Session, id int64, form url.Values) (*Page, error) {
	ctx := r.Context()
	l := s.Locale
	t, err := c.DB.Task(ctx, id)
	if err != nil {
		return nil, api.TaskError(err, id)
	}
	v := &taskView{Task: t, Kind: kindLabel(l, t.Kind), Form: form}
	if v.Form == nil {
		v.Form = url.Values{}
	}
	if v.History, err = c.DB.TaskHistory(ctx, id); err != nil {
		return nil, err
	}
	if v.Loan, err = loanview.Build(ctx, c.DB, strconv.FormatInt(t.LoanID, 10), 0); err != nil {
		return nil, err
	}
	v.CanRecord = t.Active() && c.DB.Authorize(ctx, auth.RecordCollection, t.LoanID) == nil
	role := t.Kind.Role()
	v.CanTake = t.Active() && t.Channel == collection.Person && t.Assignee != s.Actor.Name() && v.CanRecord && (role == "" || s.Actor.Has(auth.Role(role)))
	v.Contacts = t.Kind.ContactChannel() != ""
	v.CanPay = c.DB.Authorize(ctx, auth.PostRepayment, t.LoanID) == nil
	if v.CanRecord && v.Contacts {
		// The guard's answer on a recorded contact now, before anyone
		// dials: what the collector needs to know first.
		o, err := api.CheckRequest{Recording: true}.Parse(c.now())
		if err != nil {
			return nil, err
		}
		d, err := c.DB.CheckContact(ctx, id, o)
		if err != nil {
			return nil, api.TaskError(err, id)
		}
		v.Guard = &d
		if !d.Allowed && !d.Next.IsZero() {
			v.GuardNext = d.Next.Format("2006-01-02 15:04 -07:00")
		}
	}
	for _, o := range personOutcomes {
		v.Outcomes = append(v.Outcomes, choice{string(o), l.T("work.outcome." + string(o))})
	}
	for _, ch := range []string{compliance.Call, compliance.Visit, compliance.SMS, compliance.Email, compliance.Letter} {
		v.Channels = append(v.Channels, choice{ch, l.T("work.channel." + ch)})
	}
	for _, p := range []compliance.Party{compliance.Debtor, compliance.ThirdParty} {
		v.Parties = append(v.Parties, choice{string(p), l.T("work.party." + string(p))})
	}
	contacts := &Table{ID: "contacts", Title: l.T("work.task.contacts"), Columns: []Column{
		{Label: l.T("work.col.at")}, {Label: l.T("work.col.channel")}, {Label: l.T("work.col.party")}, {Label: l.T("work.col.by")},
		{Label: l.T("work.col.outcome")}, {Label: l.T("work.col.recording")}, {Label: l.T("work.col.note")},
	}}
	for _, ct := range v.History.Contacts {
		contacts.Rows = append(contacts.Rows, []Cell{TextCell(ct.At.In(c.zone(v.Loan)).Format("2006-01-02 15:04")), TextCell(l.T("work.channel." + ct.Channel)),
			TextCell(l.T("work.party." + ct.Party)), TextCell(ct.By), TextCell(l.T("work.outcome." + string(ct.Outcome))), TextCell(ct.Recording), TextCell(ct.Note)})
	}
	promises := promiseTable(l, v.History.Promises)
	return &Page{Name: "task", Title: "work.task.title", Data: v, Tables: []*Table{contacts, promises}}, nil
}

// zone is the borrower's local time zone, the one the guard counts in.
func (c *Console) zone(v *loanview.View) *time.Location {
	return compliance.ZoneOf(v.Borrower.Region)
}

// promiseTable lists promises to pay.
func promiseTable(l *Locale, ps []collection.PromiseToPay) *Table {
	t := &Table{ID: "promises", Title: l.T("work.task.promises"), Columns: []Column{
		{Label: l.T("work.col.made")}, {Label: l.T("work.col.promise_due")}, {Label: l.T("work.col.amount"), Num: true},
		{Label: l.T("work.col.paid"), Num: true}, {Label: l.T("work.col.state")},
	}}
	for _, p := range ps {
		state := TextCell(l.T("work.promise." + p.State))
		switch p.State {
		case collection.PromiseBroken:
			state.Class = "bad"
		}
		t.Rows = append(t.Rows, []Cell{TextCell(l.Date(p.Made)), TextCell(l.Date(p.Due)), MoneyCell(l, p.Amount), MoneyCell(l, p.Paid), state})
	}
	return t
}
