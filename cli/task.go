package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/collection"
	"daihou/store"
	"daihou/web/api"
)

const taskUsage = `Usage:
  daihou task list [--mine] [--assignee U] [--state open|escalated|done|closed|cancelled]
                   [--kind K] [--loan L] [--limit N] [--json]
  daihou task show ID [--json]                the task in full
  daihou task take ID [--json]                take it into your own queue
  daihou task outcome ID --outcome O [flags]  record a contact attempt and what came of it
  daihou task check ID [--at T] [flags]       ask the compliance guard before dialling

Close of business makes the collection tasks (催收任务): the SOP's steps
(电话回访 a revisit on day 30, 征信比对, 初步催收 …), the periodic inspections
(贷后检查) and the strategy's actions on loans past due (短信, 智能语音, 人工电催,
上门, 律师函 …). A task a person works waits in the queue of whoever
assignment gave it to (its assignee) or of its team; one a channel sends
leaves through the outbox. A queue is worked most valuable first: escalated
(past its SLA), then by priority — the loan's expected loss, in yuan.

Every contact attempt passes the compliance guard before it is recorded.
Under the CN profile (the default): no contact 22:00–08:00 local without
the debtor's consent, at most 3 connected calls to a debtor a day, at most
6 unanswered attempts on a number a day, a third party only once the debtor
is unreachable, every call recorded (--recording). An attempt a rule
forbids is refused (exit 5) with the rule, the reason and when it is next
allowed, and nothing is recorded.

The outcomes: no-answer, wrong-number (the task stays open for the next
attempt), promise (with --promise-amount and --promise-date), refused,
dispute (holds contact about the debt for 30 days), hardship, complaint,
paid, done (a check or visit done, with --note).

You see the tasks on the loans you may see: a collector those assigned to
them, an account manager those of the loans they manage.`

func (m *Main) runTask(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, taskUsage, "task list|show|take|outcome|check", verbs{
		"list": m.taskList, "show": m.taskShow, "take": m.taskTake, "outcome": m.taskOutcome, "check": m.taskCheck,
	})
}

func (m *Main) taskList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("task list [flags]", "List the collection tasks on the loans you may see: escalated first, then by priority\n(the loan's expected loss).")
	b := m.bookFlags(fs)
	mine := fs.Bool("mine", false, "only the tasks in your own queue")
	assignee := fs.String("assignee", "", "only the tasks in this user's queue (or agency:CODE)")
	state := fs.String("state", "", "open (open or escalated), escalated, done, closed or cancelled")
	kind := fs.String("kind", "", "only tasks of this kind: "+kindNames())
	loan := fs.String("loan", "", "only the tasks on this loan: its id or the lender's loan number")
	limit := fs.Int("limit", 200, "at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("task list takes no arguments")
	}
	if err := checkLimit(*limit); err != nil {
		return err
	}
	if *mine && *assignee != "" {
		return usagef("--mine and --assignee: give one")
	}
	f := store.TaskFilter{Mine: *mine, Assignee: *assignee, State: *state, Kind: *kind, Limit: *limit}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if f.Loan, err = loanFilter(ctx, s, *loan); err != nil {
		return err
	}
	ts, err := s.Tasks(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.TasksOf(ts))
	}
	numbers := loanNumbers(ctx, s, ts)
	tw := &wideTable{w: m.Stdout}
	tw.row("id", "loan", "kind", "origin", "due", "SLA", "priority (¥)", "assignee", "state", "outcome")
	for _, t := range ts {
		tw.row(strconv.FormatInt(t.ID, 10), numbers[t.LoanID], kindText(t.Kind), t.Origin, t.Due.String(), t.SLA.String(),
			t.Priority.Grouped(), queueText(t), t.State, orDash(string(t.Outcome)))
	}
	if err := tw.flush(); err != nil {
		return err
	}
	m.listEnd(len(ts), *limit, "no tasks")
	return nil
}

// kindText is a task's kind in both languages: call 人工电催.
func kindText(k collection.Kind) string {
	if zh := k.Chinese(); zh != "" {
		return string(k) + " " + zh
	}
	return string(k)
}

func kindNames() string {
	var out []string
	for _, k := range collection.Kinds() {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}

// queueText is whose queue holds a task: its assignee, the team's queue,
// or the channel that sends it.
func queueText(t collection.Task) string {
	switch {
	case t.Assignee != "":
		return t.Assignee
	case t.Channel != collection.Person:
		return "(" + t.Channel + ")"
	case t.Team != "":
		return "team " + t.Team
	}
	return "(queue)"
}

// loanNumbers returns the lender's loan number of each task's loan — the
// tasks are of loans the actor may read — or its id where it cannot be
// read.
//
// TODO: the console's queue will want the number too: a LoanNumber on
// the store's task, read by the join Tasks already makes, would save
// these reads.
func loanNumbers(ctx context.Context, s *store.DB, ts []collection.Task) map[int64]string {
	out := map[int64]string{}
	for _, t := range ts {
		if _, ok := out[t.LoanID]; ok {
			continue
		}
		out[t.LoanID] = strconv.FormatInt(t.LoanID, 10)
		if l, err := s.Loan(ctx, t.LoanID); err == nil && l.ExternalID != "" {
			out[t.LoanID] = l.ExternalID
		}
	}
	return out
}

func (m *Main) taskShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet("task show ID [--json]", "Show a task in full: what made it, when it is due, whose queue holds it, its state\nand outcome, the notes recorded on it, its contact attempts, and the promises to pay\nthey took with what close of business settled them as (open, kept or broken).")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "task", "task list")
	if err != nil {
		return err
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.Task(ctx, id)
	if err != nil {
		return api.TaskError(err, id)
	}
	h, err := s.TaskHistory(ctx, id)
	if err != nil {
		return api.TaskError(err, id)
	}
	if *asJSON {
		return writeJSON(m.Stdout, struct {
			api.Task
			Contacts []api.Contact `json:"contacts"`
			Promises []api.Promise `json:"promises"`
		}{api.TaskOf(t), api.ContactsOf(h.Contacts), api.PromisesOf(h.Promises)})
	}
	m.printTask(ctx, s, t)
	m.printTaskHistory(h)
	return nil
}

// printTaskHistory prints a task's contact attempts and promises to pay,
// oldest first, as 'task show' ends.
func (m *Main) printTaskHistory(h store.TaskHistory) {
	w := m.Stdout
	if len(h.Contacts) > 0 {
		fmt.Fprintln(w, "\nContacts")
		tw := textTable(w)
		fmt.Fprintln(tw, "  time (UTC)\tchannel\tparty\tby\toutcome\trecording")
		for _, c := range h.Contacts {
			by := c.By
			if c.Agency != "" {
				by += " (" + c.Agency + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", c.At.UTC().Format("2006-01-02 15:04"), c.Channel, c.Party, by, c.Outcome, orDash(c.Recording))
		}
		tw.Flush()
	}
	if len(h.Promises) > 0 {
		fmt.Fprintln(w, "\nPromises to pay")
		tw := textTable(w)
		fmt.Fprintln(tw, "  made\tdue\tamount\tpaid\tstate")
		for _, p := range h.Promises {
			state := p.State
			if p.Settled != 0 {
				state += " " + p.Settled.String()
			}
			fmt.Fprintf(tw, "  %v\t%v\t%s\t%s\t%s\n", p.Made, p.Due, p.Amount.Grouped(), p.Paid.Grouped(), state)
		}
		tw.Flush()
	}
}

// printTask prints a task as 'task show' does.
func (m *Main) printTask(ctx context.Context, s *store.DB, t collection.Task) {
	w := m.Stdout
	number := loanNumbers(ctx, s, []collection.Task{t})[t.LoanID]
	fmt.Fprintf(w, "task %d: %s on loan %s (id %d)\n", t.ID, kindText(t.Kind), number, t.LoanID)
	tw := textTable(w)
	row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, v) }
	row("state", t.State)
	if t.Outcome != "" {
		row("outcome", string(t.Outcome))
	}
	row("origin", t.Origin)
	if t.Arm != "" {
		row("strategy arm", t.Arm)
	}
	row("made", t.Created.String())
	row("due", t.Due.String())
	row("SLA", fmt.Sprintf("%v (escalated %d times)", t.SLA, t.Escalations))
	row("priority", "¥"+t.Priority.Grouped()+" expected loss")
	if t.Channel == collection.Person {
		row("worked by", t.Kind.Role())
	} else {
		row("sent by", "the "+t.Channel+" channel")
	}
	row("queue", queueText(t))
	if t.Closed != 0 {
		row("finished", fmt.Sprintf("%v by %s", t.Closed, t.ClosedBy))
	}
	if t.Note != "" {
		row("notes", t.Note)
	}
	tw.Flush()
}

func (m *Main) taskTake(ctx context.Context, args []string) error {
	fs := m.newFlagSet("task take ID [--json]", "Take a task into your own queue, from the team's queue or from someone else's.\nYou must hold the role its kind is worked by (a call: collector; a revisit:\naccount manager) and be allowed to record collection work on its loan.\nThe move is audited.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "task", "task list")
	if err != nil {
		return err
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.TakeTask(ctx, id)
	if err != nil {
		return api.TaskError(err, id)
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.TaskOf(t))
	}
	fmt.Fprintf(m.Stdout, "task %d (%s) on loan %d is in %s's queue, due %v, SLA %v\n", t.ID, kindText(t.Kind), t.LoanID, t.Assignee, t.Due, t.SLA)
	return nil
}

func (m *Main) taskOutcome(ctx context.Context, args []string) error {
	fs := m.newFlagSet("task outcome ID --outcome O [flags]", `Record a contact attempt on a task and what came of it. The compliance guard
checks the attempt first; one a rule forbids is refused (exit 5) with the
rule, the reason and when it is next allowed, and nothing is recorded.
No answer and a wrong number leave the task open for the next attempt; any
other outcome finishes it. A promise to pay needs its amount and date, and
close of business settles it as kept or broken.

Example:
  daihou task outcome 42 --outcome promise --promise-amount 1066.19 --promise-date 2026-03-10 \
      --recording REC-20260302-0042 --note "will pay after payday"`)
	b := m.bookFlags(fs)
	var req api.OutcomeRequest
	fs.StringVar(&req.Outcome, "outcome", "", "what came of it: no-answer, wrong-number, promise, refused, dispute, hardship, complaint, paid, done (required)")
	fs.StringVar(&req.Note, "note", "", "what was said or found (at most 4000 bytes)")
	fs.StringVar(&req.Channel, "channel", "call", "how: call, visit, sms, email or letter")
	fs.StringVar(&req.Party, "party", "debtor", "whom it reached: debtor or third-party")
	fs.StringVar(&req.Number, "number", "", "the number dialled (default the borrower's phone)")
	fs.StringVar(&req.At, "at", "", "when the contact was made, RFC 3339 with its offset (default now), e.g. 2026-03-02T10:15:00+08:00")
	fs.StringVar(&req.Recording, "recording", "", "the reference of the call's recording: every call is recorded")
	fs.BoolVar(&req.Consent, "consent", false, "the debtor consented to be contacted in the quiet hours")
	fs.BoolVar(&req.DisclosesDebt, "discloses-debt", false, "a third-party contact that told the debt (the guard refuses it: a third party is never told)")
	fs.StringVar(&req.PromiseAmount, "promise-amount", "", "a promise to pay: the amount in yuan, e.g. 1066.19")
	fs.StringVar(&req.PromiseDate, "promise-date", "", "a promise to pay: the date, YYYY-MM-DD, within 90 days of the business date")
	fs.StringVar(&req.Cost, "cost", "", "what the contact cost in yuan, e.g. 1.20")
	fs.IntVar(&req.Satisfaction, "satisfaction", 0, "the debtor's survey reply, 1 to 5")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "task", "task list")
	if err != nil {
		return err
	}
	if req.Outcome == "" {
		fs.Usage()
		return usagef("want --outcome")
	}
	o, err := req.Parse(now())
	if err != nil {
		return flagError(err)
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.RecordOutcome(ctx, id, o)
	if err != nil {
		return refusal(api.TaskError(err, id))
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.TaskOf(t))
	}
	fmt.Fprintf(m.Stdout, "task %d (%s) on loan %d: %s recorded", t.ID, kindText(t.Kind), t.LoanID, o.Outcome)
	if o.Outcome == collection.Promise {
		fmt.Fprintf(m.Stdout, ", a promise of ¥%s by %v", o.PromiseAmount.Grouped(), o.PromiseDate)
	}
	if t.Active() {
		fmt.Fprintf(m.Stdout, "; the task stays %s for the next attempt\n", t.State)
	} else {
		fmt.Fprintf(m.Stdout, "; the task is %s\n", t.State)
	}
	return nil
}

func (m *Main) taskCheck(ctx context.Context, args []string) error {
	fs := m.newFlagSet("task check ID [--at T] [--channel C] [--party P] [--number N] [--recording] [--consent] [--json]",
		`Ask the compliance guard whether a contact attempt on the task's borrower may be
made now, or at --at: allowed, or the rule that forbids it, the reason and when
it is next allowed (exit 5). Nothing is recorded.

Example:
  daihou task check 42 --recording --at 2026-03-02T21:30:00+08:00`)
	b := m.bookFlags(fs)
	var req api.CheckRequest
	fs.StringVar(&req.Channel, "channel", "", "how: call, visit, sms, email or letter (default the task kind's)")
	fs.StringVar(&req.Party, "party", "debtor", "whom: debtor or third-party")
	fs.StringVar(&req.Number, "number", "", "the number to dial (default the borrower's phone)")
	fs.StringVar(&req.At, "at", "", "when, RFC 3339 with its offset (default now)")
	fs.BoolVar(&req.Recording, "recording", false, "the call will be recorded")
	fs.BoolVar(&req.Consent, "consent", false, "the debtor consented to be contacted in the quiet hours")
	fs.BoolVar(&req.DisclosesDebt, "discloses-debt", false, "a third-party contact that would tell the debt (never allowed)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "task", "task list")
	if err != nil {
		return err
	}
	o, err := req.Parse(now())
	if err != nil {
		return flagError(err)
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := s.CheckContact(ctx, id, o)
	if err != nil {
		return api.TaskError(err, id)
	}
	if *asJSON {
		if err := writeJSON(m.Stdout, api.AnswerOf(d)); err != nil || d.Allowed {
			return err
		}
		return daihou.Errorf(daihou.ECONFLICT, "%s: %s", d.Rule, d.Reason)
	}
	if d.Allowed {
		fmt.Fprintf(m.Stdout, "task %d: allowed\n", id)
		return nil
	}
	return refusal(&store.RefusedError{Decision: d})
}

// flagError names an input field by its flag: promise_amount is
// --promise-amount on the command line.
func flagError(err error) error {
	field := daihou.ErrorField(err)
	if field == "" {
		return err
	}
	flag := "--" + strings.ReplaceAll(field, "_", "-")
	msg := daihou.ErrorMessage(err)
	if rest, ok := strings.CutPrefix(msg, field); ok {
		msg = flag + rest
	} else {
		msg = flag + ": " + msg
	}
	return &daihou.Error{Code: daihou.ErrorCode(err), Field: field, Message: msg, Err: err}
}

// refusal spells out the compliance guard's refusal of a contact attempt
// — the rule, the reason and when the same attempt is next allowed — and
// returns any other error as it is.
func refusal(err error) error {
	var re *store.RefusedError
	if !errors.As(err, &re) {
		return err
	}
	next := "not by waiting: only a person's act allows it (lifting a flag, engaging an agency, reaching the debtor first)"
	if !re.Next.IsZero() {
		next = re.Next.Format(time.RFC3339)
	}
	msg := fmt.Sprintf("refused by the compliance guard; nothing was recorded\n  rule:         %s\n  reason:       %s\n  next allowed: %s", re.Rule, re.Reason, next)
	return &daihou.Error{Code: daihou.ECONFLICT, Field: "contact", Message: msg, Err: err}
}

// wideTable is a table whose columns stay aligned with Chinese in them:
// text/tabwriter counts a character as one column, and a terminal shows a
// Han character in two.
type wideTable struct {
	w    io.Writer
	rows [][]string
}

func (t *wideTable) row(cells ...string) { t.rows = append(t.rows, cells) }

// flush writes the rows, each column as wide as its widest cell and two
// spaces apart.
func (t *wideTable) flush() error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	t.rows = nil
	_, err := io.WriteString(t.w, b.String())
	return err
}

// displayWidth is the columns s takes on a terminal: two for an East Asian
// wide character (Han, kana, Hangul, full-width forms), one otherwise.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF,
			r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, r >= 0x20000 && r <= 0x3FFFD:
			n += 2
		default:
			n++
		}
	}
	return n
}
