package console

import (
	"net/http"
	"net/url"
	"strconv"

	"daihou"
	"daihou/auth"
	"daihou/collection"
	"daihou/store"
)

// queueView is what the queue shows above its table.
type queueView struct {
	Business string
}

// Tasks answers GET /console/tasks: the user's own queue (我的任务) — the
// open tasks assigned to them that are due today or overdue, escalated
// first and then the most valuable, a page at a time by cursor.
func (c *Console) Tasks(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	l := s.Locale
	if auth.ScopeFor(s.Actor, auth.RecordCollection).IsEmpty() {
		return nil, daihou.Errorf(daihou.EUNAUTHORIZED, "%s", l.T("work.tasks.no_queue"))
	}
	business, err := c.DB.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	page, err := c.DB.Queue(ctx, store.QueueFilter{Due: business, After: r.URL.Query().Get("after"), Limit: 50})
	if err != nil {
		return nil, err
	}
	t := &Table{ID: "tasks", Title: l.T("work.tasks.table"), Columns: []Column{
		{Label: l.T("work.col.task")}, {Label: l.T("work.col.loan")}, {Label: l.T("work.col.kind")}, {Label: l.T("work.col.due")},
		{Label: l.T("work.col.sla")}, {Label: l.T("work.col.priority"), Num: true}, {Label: l.T("work.col.state")}, {Label: l.T("work.col.escalations"), Num: true},
	}}
	for _, tk := range page.Tasks {
		state := TextCell(l.T("work.state." + tk.State))
		if tk.State == collection.Escalated {
			state.Class = "bad"
		}
		t.Rows = append(t.Rows, []Cell{
			LinkCell("#"+strconv.FormatInt(tk.ID, 10), "/console/tasks/"+strconv.FormatInt(tk.ID, 10)),
			LinkCell(strconv.FormatInt(tk.LoanID, 10), "/console/loans/"+strconv.FormatInt(tk.LoanID, 10)),
			TextCell(kindLabel(l, tk.Kind)),
			TextCell(l.Date(tk.Due)), TextCell(l.Date(tk.SLA)),
			MoneyCell(l, tk.Priority), state, IntCell(l, int64(tk.Escalations)),
		})
	}
	if page.Next != "" {
		t.Next = "/console/tasks?after=" + url.QueryEscape(page.Next)
	}
	return &Page{Name: "tasks", Title: "work.tasks.title", Data: queueView{Business: l.Date(business)}, Tables: []*Table{t}, Notice: workNotice(r, l)}, nil
}

// kindLabel is a task kind in the user's language.
func kindLabel(l *Locale, k collection.Kind) string { return l.T("work.kind." + string(k)) }
