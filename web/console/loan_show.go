package console

import (
	"net/http"
	"strconv"
	"strings"

	"daihou/audit"
	"daihou/auth"
	"daihou/eod"
	"daihou/loanview"
	"daihou/money"
	"daihou/schedule"
	"daihou/scoring/behaviour"
	"daihou/servicing"
	"daihou/store"
)

// How much of a loan's longer histories the 360° page reads: a loan worked
// for years has more contacts than a screen shows, and the API pages them.
const (
	showLimit      = 200
	showAuditLimit = 500
)

// loanShowView is what the loan 360° page shows above its tables.
type loanShowView struct {
	V       *loanview.View
	ECL     money.Amount
	Overdue money.Amount
	Bucket  string
	Class   string
	Status  string
	Cause   string
	Rate    string
	Reasons string
	Method  string
	Reveal  bool // the user may reveal the borrower's personal data
	CanPay  bool // the user may post a payment on the loan
	// CanPropose: the user may propose a waiver, write-off,
	// restructuring or class override on it.
	CanPropose bool
	Audit      bool // the user may read the audit trail
	Revealed   *servicing.Borrower
	Reason     string
}

// LoanShow answers GET /console/loans/{id} (贷款全景, the loan 360°
// view): the borrower masked as the user's role sees them, the loan's
// terms and state as of the business date with its ECL and the payoff
// amount today, the schedule, the transactions, the class and score
// history with their causes and reasons, the borrower's signals, the
// warnings, tasks, contacts, promises and legal cases on the loan, and —
// for those who may read it — its audit trail. A loan outside the user's
// scope is not found, as one that does not exist.
func (c *Console) LoanShow(r *http.Request, s *Session) (*Page, error) {
	return c.loanShow(r, s, nil, "")
}

// loanShow builds the 360° page; revealed, when not nil, is the borrower
// unmasked by a reveal just made, shown on this answer only.
func (c *Console) loanShow(r *http.Request, s *Session, revealed *servicing.Borrower, reason string) (*Page, error) {
	ctx := r.Context()
	l := s.Locale
	v, err := loanview.Build(ctx, c.DB, r.PathValue("id"), 0)
	if err != nil {
		return nil, err
	}
	id := v.Loan.ID
	prods, err := c.DB.Products(ctx)
	if err != nil {
		return nil, err
	}
	st := &v.State
	data := loanShowView{V: v, ECL: eod.ECL(st, prods[v.Loan.Product].LGD), Bucket: st.Bucket.String(), Class: classText(l, st.Class),
		Status: statusText(l, st.Status), Cause: st.ClassCause, Rate: l.Pct(float64(v.Loan.Rate) / float64(money.RateScale)),
		Overdue:  st.OverduePrincipal + st.OverdueInterest + st.PenaltyDue + st.CompoundDue + st.FeesDue,
		Reasons:  behaviour.ReasonTexts(st.Reasons, l.Lang),
		Method:   methodText(l, v.Loan.Method),
		Reveal:   c.DB.Authorize(ctx, auth.RevealPersonalData, id) == nil,
		Audit:    auth.Can(s.Actor, auth.ReadAudit, auth.Book()).Allowed,
		Revealed: revealed, Reason: reason,
		CanPay: c.DB.Authorize(ctx, auth.PostRepayment, id) == nil}
	for _, a := range []auth.Action{auth.ProposeWaiver, auth.ProposeWriteOff, auth.ProposeRestructure, auth.ProposeOverride} {
		data.CanPropose = data.CanPropose || c.DB.Authorize(ctx, a, id) == nil
	}

	p := &Page{Name: "loan_show", Title: "loan.show.title", Data: data}
	add := func(t *Table) { p.Tables = append(p.Tables, t) }
	add(scheduleTable(l, v))
	add(txTable(l, v))
	add(classHistoryTable(l, v))
	add(scoreTable(l, v))

	sigs, err := c.DB.BorrowerSignals(ctx, []int64{v.Borrower.ID}, 0)
	if err != nil {
		return nil, err
	}
	sig := &Table{ID: "signals", Title: l.T("loan.show.signals"), Columns: cols(l, "loan.col.date", "loan.col.kind", "#loan.col.value", "loan.col.known")}
	list := sigs[v.Borrower.ID]
	for i := len(list) - 1; i >= 0 && len(sig.Rows) < showLimit; i-- { // newest first
		g := list[i]
		sig.Rows = append(sig.Rows, []Cell{TextCell(l.Date(g.Date)), TextCell(string(g.Kind)), IntCell(l, g.Value), TextCell(l.Date(g.Known))})
	}
	add(sig)

	ws, err := c.DB.Warnings(ctx, store.WarningFilter{Loan: id, Limit: showLimit})
	if err != nil {
		return nil, err
	}
	wt := &Table{ID: "warnings", Title: l.T("loan.show.warnings"), Columns: cols(l, "loan.col.raised", "loan.col.rule", "loan.col.severity", "loan.col.state", "loan.col.reason", "loan.col.by", "loan.col.note")}
	for _, w := range ws {
		wt.Rows = append(wt.Rows, []Cell{TextCell(l.Date(w.Raised)), TextCell(w.Rule), TextCell(word(l, "severity", w.Severity.String())), TextCell(word(l, "wstate", w.State.String())), TextCell(w.Reason), TextCell(w.By), TextCell(w.Note)})
	}
	add(wt)

	ts, err := c.DB.Tasks(ctx, store.TaskFilter{Loan: id, Limit: showLimit})
	if err != nil {
		return nil, err
	}
	tt := &Table{ID: "tasks", Title: l.T("loan.show.tasks"), Columns: cols(l, "loan.col.task", "loan.col.kind", "loan.col.state", "loan.col.due", "loan.col.assignee", "#loan.col.priority", "loan.col.outcome", "loan.col.note")}
	for _, t := range ts {
		tt.Rows = append(tt.Rows, []Cell{LinkCell(strconv.FormatInt(t.ID, 10), "/console/tasks/"+strconv.FormatInt(t.ID, 10)), TextCell(word(l, "task", string(t.Kind))), TextCell(word(l, "tstate", t.State)), TextCell(l.Date(t.Due)), TextCell(t.Assignee), MoneyCell(l, t.Priority), TextCell(word(l, "outcome", string(t.Outcome))), TextCell(t.Note)})
	}
	add(tt)

	cs, err := c.DB.LoanContacts(ctx, id, showLimit)
	if err != nil {
		return nil, err
	}
	ct := &Table{ID: "contacts", Title: l.T("loan.show.contacts"), Columns: cols(l, "loan.col.at", "loan.col.channel", "loan.col.party", "loan.col.by", "loan.col.connected", "loan.col.outcome", "loan.col.note")}
	for _, x := range cs {
		ct.Rows = append(ct.Rows, []Cell{TextCell(x.At.Format("2006-01-02 15:04")), TextCell(word(l, "channel", x.Channel)), TextCell(word(l, "party", x.Party)), TextCell(x.By), TextCell(yesNo(l, x.Connected)), TextCell(word(l, "outcome", string(x.Outcome))), TextCell(x.Note)})
	}
	add(ct)

	ps, err := c.DB.LoanPromises(ctx, id)
	if err != nil {
		return nil, err
	}
	pt := &Table{ID: "promises", Title: l.T("loan.show.promises"), Columns: cols(l, "loan.col.made", "loan.col.due", "#loan.col.amount", "#loan.col.paid", "loan.col.state", "loan.col.settled")}
	for i := len(ps) - 1; i >= 0; i-- { // newest first
		x := ps[i]
		pt.Rows = append(pt.Rows, []Cell{TextCell(l.Date(x.Made)), TextCell(l.Date(x.Due)), MoneyCell(l, x.Amount), MoneyCell(l, x.Paid), TextCell(word(l, "promise", x.State)), TextCell(l.Date(x.Settled))})
	}
	add(pt)

	lc, err := c.DB.Cases(ctx, store.CaseFilter{LoanID: id, Limit: showLimit})
	if err != nil {
		return nil, err
	}
	lt := &Table{ID: "cases", Title: l.T("loan.show.cases"), Columns: cols(l, "loan.col.case", "loan.col.kind", "loan.col.case_stage", "loan.col.opened", "loan.col.court", "loan.col.assignee", "#loan.col.costs", "#loan.col.recovered")}
	for _, x := range lc {
		lt.Rows = append(lt.Rows, []Cell{IntCell(l, x.ID), TextCell(word(l, "case", string(x.Kind))), TextCell(word(l, "stage", string(x.Stage))), TextCell(l.Date(x.Opened)), TextCell(strings.TrimSpace(x.Court + " " + x.CourtRef)), TextCell(x.Assignee), MoneyCell(l, x.Costs), MoneyCell(l, x.Recovered)})
	}
	add(lt)

	if data.Audit {
		es, err := c.DB.AuditEntries(ctx, audit.LoanObject(id), 0, showAuditLimit)
		if err != nil {
			return nil, err
		}
		at := &Table{ID: "audit", Title: l.T("loan.show.audit"), Columns: cols(l, "#loan.col.seq", "loan.col.at", "loan.col.business", "loan.col.actor", "loan.col.action", "loan.col.detail")}
		for _, e := range es {
			at.Rows = append(at.Rows, []Cell{IntCell(l, e.Seq), TextCell(e.Time.Format("2006-01-02 15:04:05")), TextCell(l.Date(e.BusinessDate)), TextCell(e.Actor), TextCell(e.Action), TextCell(e.Detail)})
		}
		add(at)
	}
	p.Charts = loanCharts(l, v)
	return p, nil
}

// cols are a table's columns from message keys; a key starting with #
// is a number's column.
func cols(l *Locale, keys ...string) []Column {
	out := make([]Column, len(keys))
	for i, k := range keys {
		num := strings.HasPrefix(k, "#")
		out[i] = Column{Label: l.T(strings.TrimPrefix(k, "#")), Num: num}
	}
	return out
}

// word says an engine's code (a task kind, an outcome, a stage …) in the
// user's language, or as it is when the catalogue has no word for it: a
// code added later still shows.
func word(l *Locale, group, code string) string {
	if s, ok := l.msgs["loan."+group+"."+code]; ok {
		return s
	}
	return code
}

func yesNo(l *Locale, b bool) string {
	if b {
		return l.T("loan.yes")
	}
	return l.T("loan.no")
}

func scheduleTable(l *Locale, v *loanview.View) *Table {
	t := &Table{ID: "schedule", Title: l.T("loan.show.schedule"), Columns: cols(l, "#loan.col.n", "loan.col.due", "#loan.col.principal", "#loan.col.interest",
		"#loan.col.paid_principal", "#loan.col.paid_interest", "#loan.col.penalty", "loan.col.state")}
	for _, in := range v.Installments {
		t.Rows = append(t.Rows, []Cell{IntCell(l, int64(in.N)), TextCell(l.Date(in.DueDate)), MoneyCell(l, in.Principal), MoneyCell(l, in.Interest),
			MoneyCell(l, in.PaidPrincipal), MoneyCell(l, in.PaidInterest), MoneyCell(l, in.Penalty+in.Compound), TextCell(installmentText(l, in.Status))})
	}
	return t
}

// installmentText says loanview's word for an installment in the user's
// language.
func installmentText(l *Locale, s string) string {
	word, rest, _ := strings.Cut(s, " ")
	switch {
	case s == "":
		return ""
	case word == "paid" && rest != "":
		return l.T("loan.inst.paid_on", rest)
	case word == "overdue":
		return l.T("loan.inst.overdue", strings.TrimSuffix(rest, "d"))
	case s == "due today":
		return l.T("loan.inst.due_today")
	case s == "nothing due":
		return l.T("loan.inst.nothing_due")
	case s == "paid", s == "waived", s == "restructured":
		return l.T("loan.inst." + s)
	}
	return s
}

func txTable(l *Locale, v *loanview.View) *Table {
	t := &Table{ID: "transactions", Title: l.T("loan.show.transactions"), Columns: cols(l, "#loan.col.seq", "loan.col.value_date", "loan.col.kind", "#loan.col.amount",
		"loan.col.channel", "loan.col.reference", "#loan.col.principal", "#loan.col.interest", "#loan.col.penalty", "#loan.col.fee")}
	for _, x := range v.Transactions {
		a := x.Applied
		t.Rows = append(t.Rows, []Cell{IntCell(l, x.Seq), TextCell(l.Date(x.ValueDate)), TextCell(txKindText(l, x.Kind)), MoneyCell(l, x.Amount),
			TextCell(x.Channel), TextCell(x.Reference), MoneyCell(l, a.Principal), MoneyCell(l, a.Interest), MoneyCell(l, a.Penalty+a.Compound), MoneyCell(l, a.Fee)})
	}
	return t
}

func methodText(l *Locale, m schedule.Method) string {
	switch m {
	case schedule.EqualInstallment, schedule.EqualPrincipal, schedule.InterestOnly, schedule.Bullet:
		return l.T("loan.method." + string(m))
	}
	return string(m)
}

func txKindText(l *Locale, k servicing.TxKind) string {
	switch k {
	case servicing.Disbursement, servicing.Repayment, servicing.Reversal, servicing.Waiver, servicing.WriteOff, servicing.Recovery, servicing.Restructure, servicing.FeeCharge:
		return l.T("loan.tx." + string(k))
	}
	return string(k)
}

func classHistoryTable(l *Locale, v *loanview.View) *Table {
	t := &Table{ID: "classes", Title: l.T("loan.show.class_history"), Columns: cols(l, "loan.col.date", "loan.col.from", "loan.col.to", "loan.col.cause")}
	for i := len(v.ClassHistory) - 1; i >= 0; i-- {
		h := v.ClassHistory[i]
		t.Rows = append(t.Rows, []Cell{TextCell(l.Date(h.AsOf)), TextCell(classText(l, h.From)), classCell(l, h.To), TextCell(h.Cause)})
	}
	return t
}

func scoreTable(l *Locale, v *loanview.View) *Table {
	t := &Table{ID: "scores", Title: l.T("loan.show.scores"), Columns: cols(l, "loan.col.date", "#loan.col.score", "#loan.col.pd", "loan.col.reasons")}
	for i := len(v.Scores) - 1; i >= 0; i-- {
		h := v.Scores[i]
		t.Rows = append(t.Rows, []Cell{TextCell(l.Date(h.AsOf)), IntCell(l, int64(h.Score)), PctCell(l, h.PD), TextCell(strings.Join(loanview.Reasons(h.Reasons, l.Lang), "；"))})
	}
	return t
}

// loanCharts draws the principal outstanding by due date — as scheduled,
// and as it stands after what was paid — and the score over time.
func loanCharts(l *Locale, v *loanview.View) []Chart {
	var out []Chart
	if len(v.Installments) > 0 {
		var dates []string
		var planned, actual []any
		plan, left := v.Loan.Principal, v.Loan.Principal
		for _, in := range v.Installments {
			plan -= in.Principal
			left -= in.PaidPrincipal + in.WaivedPrincipal + in.MovedPrincipal
			dates = append(dates, in.DueDate.String())
			planned = append(planned, plan.String())
			if in.DueDate.After(v.AsOf) {
				actual = append(actual, nil)
			} else {
				actual = append(actual, left.String())
			}
		}
		out = append(out, Chart{ID: "balance", Option: map[string]any{
			"tooltip": map[string]any{"trigger": "axis"},
			"legend":  map[string]any{"data": []string{l.T("loan.chart.planned"), l.T("loan.chart.actual")}},
			"xAxis":   map[string]any{"type": "category", "data": dates},
			"yAxis":   map[string]any{"type": "value"},
			"series": []any{
				map[string]any{"name": l.T("loan.chart.planned"), "type": "line", "step": "end", "data": planned},
				map[string]any{"name": l.T("loan.chart.actual"), "type": "line", "step": "end", "data": actual},
			},
		}})
	}
	if len(v.Scores) > 0 {
		var dates []string
		var scores []any
		for _, h := range v.Scores {
			dates = append(dates, h.AsOf.String())
			scores = append(scores, h.Score)
		}
		out = append(out, Chart{ID: "score", Option: map[string]any{
			"tooltip": map[string]any{"trigger": "axis"},
			"xAxis":   map[string]any{"type": "category", "data": dates},
			"yAxis":   map[string]any{"type": "value", "scale": true},
			"series":  []any{map[string]any{"name": l.T("loan.col.score"), "type": "line", "data": scores}},
		}})
	}
	return out
}

// HasChart reports whether the page has chart id, so that a template
// shows a chart's card only when there is something to draw.
func (v loanShowView) HasChart(p *Page, id string) bool {
	for _, ch := range p.Charts {
		if ch.ID == id {
			return true
		}
	}
	return false
}
