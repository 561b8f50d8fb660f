package eod

import (
	"strings"

	"daihou/civil"
	"daihou/collection"
	"daihou/servicing"
	"daihou/signal"
	"daihou/warning"
)

// Collection is what the collection steps run with: the SOP of each
// product ("*" for the rest), the strategy, and who works tasks on the
// date. A nil *Collection switches the steps off.
type Collection struct {
	SOPs     map[string]*collection.CompiledSOP
	Strategy *collection.CompiledStrategy
	Roster   *collection.Roster
}

// SOP returns the SOP of product, nil when none applies.
func (c *Collection) SOP(product string) *collection.CompiledSOP {
	if s, ok := c.SOPs[product]; ok {
		return s
	}
	return c.SOPs["*"]
}

// LoanWork is what the collection steps read of one loan beyond its
// ledger: its active tasks and recent ones (for de-duplication and the
// last inspection), its open collection episode, every promise to pay it
// has (settlement replays them all), and its borrower's age.
type LoanWork struct {
	// Assignees are the people whose queue holds the loan, in the order
	// it was given to them.
	Assignees []string
	Tasks     []collection.Task
	Episode   *collection.Episode // the latest, open or ended
	// Earlier are the episodes before Episode that ended recently enough
	// to take in a back-dated repayment, by start.
	Earlier  []collection.Episode
	Promises []collection.PromiseToPay // by ID
	Age      int
}

// WorkOut is what the collection steps make of one loan: new tasks, tasks
// that moved (closed, escalated, reassigned), the episode when it changed
// and the promises whose settlement changed.
type WorkOut struct {
	New      []collection.Task
	Template []string // the message template of each of New (automated channels)
	Moved    []collection.Task
	Episode  *collection.Episode
	Opened   bool // Episode is new: the loan entered collection
	// Ended are the loan's ended episodes whose collected amount a
	// back-dated repayment changed.
	Ended    []collection.Episode
	Promises []collection.PromiseToPay
}

func (o *Output) work(i int) *WorkOut {
	r := &o.Rows[i]
	if r.Work == nil {
		r.Work = &WorkOut{}
	}
	return r.Work
}

// collectionInput returns what the plans read of row i, built once per
// row (after the promise step, whose settlements it reads) and shared by
// the SOP and strategy steps.
func (o *Output) collectionInput(date civil.Date, c *Chunk, i int) *collection.Input {
	if o.inputs == nil {
		o.inputs = make([]*collection.Input, len(o.Rows))
	}
	if o.inputs[i] == nil {
		o.inputs[i] = buildInput(date, c, o, i)
	}
	return o.inputs[i]
}

// buildInput builds what the plans read of row i.
func buildInput(date civil.Date, c *Chunk, out *Output, i int) *collection.Input {
	r, li := &out.Rows[i], &c.Loans[i]
	s := &r.Snapshot
	lw := c.Work[s.LoanID]
	if lw == nil {
		lw = &LoanWork{}
	}
	w := &warning.Work{Willingness: -1, Age: lw.Age}
	var latest civil.Date
	for _, x := range c.Warnings[s.LoanID] {
		if x.State.Open() {
			w.WarningLevel = max(w.WarningLevel, x.Severity)
			latest = max(latest, x.Raised)
		}
	}
	for _, x := range r.Raise {
		w.WarningLevel = max(w.WarningLevel, x.Severity)
		latest = max(latest, x.Raised)
	}
	ep := lw.Episode
	if r.Work != nil && r.Work.Episode != nil {
		ep = r.Work.Episode
	}
	if ep != nil && ep.Ended == 0 {
		w.Willingness = ep.Willingness
	}
	promises := lw.Promises
	if r.Work != nil && r.Work.Promises != nil {
		promises = settledPromises(lw.Promises, r.Work.Promises)
	}
	for _, p := range promises {
		switch {
		case p.State == collection.PromiseOpen:
			w.OpenPromises++
		case p.State == collection.PromiseBroken && ep != nil && !p.Made.Before(ep.Started):
			w.BrokenPromises++
		}
	}
	return &collection.Input{
		Rule:          warning.Input{Date: date, Loan: &li.Loan, Snapshot: s, Facts: out.FactsOf(c, li.Loan.BorrowerID, date), Work: w},
		Tasks:         lw.Tasks,
		LatestWarning: latest,
		Episode:       ep,
	}
}

// settledPromises returns ps with the changed ones replaced.
func settledPromises(ps, changed []collection.PromiseToPay) []collection.PromiseToPay {
	out := append([]collection.PromiseToPay(nil), ps...)
	for _, c := range changed {
		for k := range out {
			if out[k].ID == c.ID {
				out[k] = c
			}
		}
	}
	return out
}

// paymentsOf returns row i's repayments (payments), worked out once per
// row for the promise and strategy steps.
func (o *Output) paymentsOf(c *Chunk, i int) []collection.Payment {
	if o.pays == nil {
		o.pays = make([][]collection.Payment, len(o.Rows))
		o.paid = make([]bool, len(o.Rows))
	}
	if !o.paid[i] {
		o.pays[i], o.paid[i] = payments(c.Loans[i].Txs), true
	}
	return o.pays[i]
}

// payments returns a loan's repayments as promises and episodes count
// them: in value-date order, without those reversed.
func payments(txs []servicing.Tx) []collection.Payment {
	reversed := map[int64]bool{}
	for _, t := range txs {
		if t.Kind == servicing.Reversal {
			reversed[t.Reverses] = true
		}
	}
	var out []collection.Payment
	for _, t := range txs {
		if t.Kind == servicing.Repayment && !reversed[t.Seq] {
			out = append(out, collection.Payment{Date: t.ValueDate, Amount: t.Amount})
		}
	}
	// Txs come in (value date, seq) order from the store, which is what
	// settlement needs; a stable insertion sort keeps a hand-built list
	// right too.
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k].Date.Before(out[k-1].Date); k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out
}

// PromiseStep settles every promise to pay (承诺还款) of the derived loans
// from their repayments (collection.Settle): kept, broken, or still open.
// It runs before the plans so that a promise broken today moves the loan
// to a person today. An open promise wakes its loan the day after it is
// due, when it breaks.
type PromiseStep struct{}

// Name implements Step.
func (PromiseStep) Name() string { return "promises" }

// Run implements Step.
func (PromiseStep) Run(date civil.Date, cfg *Config, c *Chunk, out *Output) {
	if cfg.Collection == nil {
		return
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		if !r.Derived {
			continue
		}
		lw := c.Work[r.Snapshot.LoanID]
		if lw == nil || len(lw.Promises) == 0 {
			continue
		}
		got := collection.Settle(lw.Promises, out.paymentsOf(c, i), date)
		for k, p := range got {
			if p != lw.Promises[k] {
				out.work(i).Promises = append(out.work(i).Promises, p)
			}
			if p.State == collection.PromiseOpen {
				wakeAfter(out, i, date, p.Due.AddDays(1))
			}
		}
	}
}

// SOPStep runs the SOP timeline of each derived loan's product: the tasks
// whose day has come (电话回访, 征信比对, 初步催收, 贷后检查 …) and the next
// day a step needs the loan, as its wake date.
type SOPStep struct{}

// Name implements Step.
func (SOPStep) Name() string { return "sop" }

// Run implements Step.
func (SOPStep) Run(date civil.Date, cfg *Config, c *Chunk, out *Output) {
	if cfg.Collection == nil {
		return
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		if !r.Derived {
			continue
		}
		sop := cfg.Collection.SOP(c.Loans[i].Loan.Product)
		if sop == nil {
			continue
		}
		in := out.collectionInput(date, c, i)
		li := &c.Loans[i]
		in.AtDisbursement = func() *signal.Facts { return signalFactsAt(c, li, li.Loan.Disbursed) }
		wants, wake := sop.Plan(in)
		out.Wake(i, wake)
		addTasks(date, cfg, c, out, i, in, wants, nil)
	}
}

// signalFactsAt summarises a borrower's signals as of another date than
// the run's (the credit-report comparison's reference).
func signalFactsAt(c *Chunk, li *LoanIn, at civil.Date) *signal.Facts {
	f := signal.Summarise(c.Signals[li.Loan.BorrowerID], at)
	return &f
}

// StrategyStep runs the collection strategy on each derived loan: it opens,
// follows and ends the loan's collection episode (the first day past due
// to the cure, settlement or write-off), makes the tasks of its segment's
// plan, closes the episode's tasks when it ends (a cured loan's tasks close
// themselves), escalates tasks past their SLA, and gives work whose
// assignee left (disabled, absent) to someone who can take it.
type StrategyStep struct{}

// Name implements Step.
func (StrategyStep) Name() string { return "strategy" }

// Run implements Step.
func (StrategyStep) Run(date civil.Date, cfg *Config, c *Chunk, out *Output) {
	col := cfg.Collection
	if col == nil {
		return
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		if !r.Derived {
			continue
		}
		s := &r.Snapshot
		lw := c.Work[s.LoanID]
		if lw == nil {
			lw = &LoanWork{}
		}
		in := out.collectionInput(date, c, i)
		var arm, segment string
		var wants []collection.Want
		if col.Strategy != nil {
			arm, segment, wants = col.Strategy.Plan(in)
		}
		code := ""
		if col.Strategy != nil {
			code = col.Strategy.Code
		}
		pays := out.paymentsOf(c, i)
		// An episode that ended still takes in a repayment value-dated
		// within it that arrived after it ended — also when the loan has
		// gone past due again since and a later episode is the latest.
		for _, e := range lw.Earlier {
			if again := e.Recount(pays); again != e {
				out.work(i).Ended = append(out.work(i).Ended, again)
			}
		}
		cur := lw.Episode
		if cur != nil && cur.Ended != 0 {
			if again := cur.Recount(pays); again != *cur {
				out.work(i).Ended = append(out.work(i).Ended, again)
			}
			cur = nil
		}
		ep, changed := collection.Track(cur, in, code, arm, segment, pays)
		if changed {
			out.work(i).Episode = ep
			out.work(i).Opened = cur == nil
		}
		var epStart civil.Date
		if ep != nil && ep.Ended == 0 {
			epStart = ep.Started
		}
		addTasks(date, cfg, c, out, i, in, wants, func(t *collection.Task) { t.Episode, t.Arm = epStart, arm })
		ended := ep != nil && ep.Ended != 0 && changed
		for _, t := range lw.Tasks {
			if !t.Active() {
				continue
			}
			switch next, again := supersededBy(r.Work, &t); {
			case again:
				// A repeated action's new attempt takes the place of the
				// one no one got to: a queue holds one call of a loan,
				// not one for every third day it went unworked.
				t.State, t.Closed, t.ClosedBy = collection.Closed, date, "eod"
				t.Note = joinNote(t.Note, "superseded by the attempt of "+next.String())
			case ended && t.Episode == ep.Started:
				t.State, t.Closed, t.ClosedBy, t.Outcome = collection.Closed, date, "eod", ""
				t.Note = joinNote(t.Note, "closed by close of business: "+ep.Outcome)
			case s.Status != servicing.StatusActive:
				t.State, t.Closed, t.ClosedBy = collection.Closed, date, "eod"
				t.Note = joinNote(t.Note, "closed by close of business: loan "+string(s.Status))
			case t.Channel == collection.Person && t.State == collection.Open && date.After(t.SLA):
				t.State, t.Escalations = collection.Escalated, t.Escalations+1
				t.Priority *= 2 // a missed SLA goes to the top of its queue
				t.Note = joinNote(t.Note, "escalated: SLA "+t.SLA.String()+" missed")
				if a := assignee(col.Roster, lw, &t, &c.Loans[i].Loan, date); a != "" && a != t.Assignee && !col.Roster.Available(t.Assignee, date) {
					t.Assignee, t.Team = a, col.Roster.TeamOf(a)
				}
			case t.Channel == collection.Person && !col.Roster.Available(t.Assignee, date):
				a := assignee(col.Roster, lw, &t, &c.Loans[i].Loan, date)
				if a == "" || a == t.Assignee {
					wakeAfter(out, i, date, t.SLA.AddDays(1))
					continue
				}
				t.Note = joinNote(t.Note, "reassigned from "+orNobody(t.Assignee)+" to "+a)
				t.Assignee, t.Team = a, col.Roster.TeamOf(a)
			default:
				if t.Channel == collection.Person && t.State == collection.Open {
					wakeAfter(out, i, date, t.SLA.AddDays(1))
				}
				continue
			}
			out.work(i).Moved = append(out.work(i).Moved, t)
		}
	}
}

// supersededBy returns the anchor of the task of the strategy that w
// makes anew for the same action as t, a person's task from an earlier
// occurrence, and whether there is one.
func supersededBy(w *WorkOut, t *collection.Task) (civil.Date, bool) {
	if w == nil || t.Channel != collection.Person || !strings.HasPrefix(t.Origin, collection.StrategyOrigin) {
		return 0, false
	}
	for _, n := range w.New {
		if n.Origin == t.Origin && n.Anchor.After(t.Anchor) {
			return n.Anchor, true
		}
	}
	return 0, false
}

// assignee is who takes task t on loan l: someone whose queue holds the
// loan already, else whom the roster gives it to.
func assignee(r *collection.Roster, lw *LoanWork, t *collection.Task, l *servicing.Loan, date civil.Date) string {
	if lw != nil {
		if a := r.Prefer(lw.Assignees, t, date); a != "" {
			return a
		}
	}
	return r.Assign(t, l, date)
}

// wakeAfter lowers row i's wake date to w when w is after date: a date
// already passed wakes nothing.
func wakeAfter(out *Output, i int, date, w civil.Date) {
	if w.After(date) {
		out.Wake(i, w)
	}
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// addTasks makes the tasks wants ask for on row i that the loan does not
// have yet, prioritised by expected loss and assigned; set adjusts each.
func addTasks(date civil.Date, cfg *Config, c *Chunk, out *Output, i int, in *collection.Input, wants []collection.Want, set func(*collection.Task)) {
	if len(wants) == 0 {
		return
	}
	s := &out.Rows[i].Snapshot
	li := &c.Loans[i]
	pd := s.PD
	if pd <= 0 {
		pd = PD(s.Stage, s.Bucket)
	}
	exposure := s.PrincipalOutstanding + s.OverdueInterest + s.PenaltyDue + s.CompoundDue + s.FeesDue
	prio := collection.Priority(pd, exposure)
next:
	for _, w := range wants {
		for _, t := range in.Tasks {
			if t.Origin == w.Origin && t.Anchor == w.Anchor {
				continue next
			}
		}
		t := w.Task(s.LoanID, li.Loan.BorrowerID, date, prio)
		if set != nil {
			set(&t)
		}
		if !t.Kind.Automated() {
			t.Assignee = assignee(cfg.Collection.Roster, c.Work[s.LoanID], &t, &li.Loan, date)
			t.Team = cfg.Collection.Roster.TeamOf(t.Assignee)
			wakeAfter(out, i, date, t.SLA.AddDays(1))
		}
		wo := out.work(i)
		wo.New = append(wo.New, t)
		wo.Template = append(wo.Template, w.Template)
	}
}

// countWork adds what the collection steps made of one loan.
func (s *Summary) countWork(w *WorkOut) {
	s.Tasks += int64(len(w.New))
	for _, t := range w.Moved {
		switch t.State {
		case collection.Closed:
			s.TasksClosed++
		case collection.Escalated:
			s.TasksEscalated++
		}
	}
	for _, p := range w.Promises {
		switch p.State {
		case collection.PromiseKept:
			s.PromisesKept++
		case collection.PromiseBroken:
			s.PromisesBroken++
		}
	}
	if w.Opened {
		s.Episodes++
	}
}
