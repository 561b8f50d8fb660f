package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/channel"
	"daihou/civil"
	"daihou/collection"
	"daihou/compliance"
	"daihou/inputtext"
	"daihou/money"
	"daihou/pii"
)

// TaskFilter selects tasks. Zero fields select everything the actor may
// see; Mine keeps the actor's own queue.
type TaskFilter struct {
	Mine     bool
	Assignee string
	State    string // open (open or escalated), done, closed, or a state
	Kind     string
	Loan     int64
	Limit    int
}

// Tasks returns the tasks of the loans the actor in ctx may read, most
// valuable first (escalated, then by priority: expected loss).
func (db *DB) Tasks(ctx context.Context, f TaskFilter) ([]collection.Task, error) {
	actor := auth.FromContext(ctx)
	scope, args := scopeWhere(auth.ScopeFor(actor, auth.ReadLoan))
	where := []string{scope}
	if f.Mine {
		f.Assignee = actor.Name()
	}
	if f.Assignee != "" {
		where, args = append(where, "t.assignee = ?"), append(args, f.Assignee)
	}
	switch f.State {
	case "":
	case "open":
		where = append(where, "t.state IN ('open', 'escalated')")
	case collection.Escalated, collection.TaskDone, collection.Closed, collection.Cancelled:
		where, args = append(where, "t.state = ?"), append(args, f.State)
	default:
		return nil, daihou.Invalid("state", "state %q: want open, escalated, done, closed or cancelled", inputtext.Clip(f.State, 32))
	}
	if f.Kind != "" {
		k, err := collection.ParseKind(f.Kind)
		if err != nil {
			return nil, err
		}
		where, args = append(where, "t.kind = ?"), append(args, string(k))
	}
	if f.Loan != 0 {
		where, args = append(where, "t.loan_id = ?"), append(args, f.Loan)
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 200
	}
	cols := "t." + strings.ReplaceAll(taskColumns, ", ", ", t.")
	return queryRows(ctx, db.read, scanTask, `SELECT `+cols+` FROM tasks t JOIN loans l ON l.id = t.loan_id WHERE `+strings.Join(where, " AND ")+`
		ORDER BY CASE t.state WHEN 'escalated' THEN 0 WHEN 'open' THEN 1 ELSE 2 END, t.priority DESC, t.id LIMIT ?`, append(args, limit)...)
}

// Task returns task id, if the actor in ctx may read its loan.
func (db *DB) Task(ctx context.Context, id int64) (collection.Task, error) {
	t, err := scanTask(db.read.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, daihou.Errorf(daihou.ENOTFOUND, "task %d not found", id)
	}
	if err != nil {
		return t, err
	}
	if err := authorize(ctx, db.read, auth.FromContext(ctx), auth.ReadLoan, t.LoanID); err != nil {
		return collection.Task{}, hideTask(id, err)
	}
	return t, nil
}

// hideTask turns the not-found of a task's loan into the task's own: a
// task on a loan the actor may not see is, to them, no task at all, and
// the answer names no loan.
func hideTask(id int64, err error) error {
	if daihou.ErrorCode(err) == daihou.ENOTFOUND {
		return daihou.Errorf(daihou.ENOTFOUND, "task %d not found", id)
	}
	return err
}

// TakeTask gives task id to the actor in ctx, who must hold the role its
// kind is worked by and may record collection work on its loan.
func (db *DB) TakeTask(ctx context.Context, id int64) (collection.Task, error) {
	var out collection.Task
	err := db.inTx(ctx, func(t *wtx) error {
		tk, err := t.workTask(ctx, id)
		if err != nil {
			return err
		}
		if !tk.Active() {
			return daihou.Errorf(daihou.ECONFLICT, "task %d is %s: there is nothing left to take", id, tk.State)
		}
		if role := tk.Kind.Role(); role != "" && !t.actor.Has(auth.Role(role)) {
			return daihou.Errorf(daihou.EUNAUTHORIZED, "a %s task is worked by a %s; %s is not one", tk.Kind, role, t.actor)
		}
		if tk.Channel != collection.Person {
			return daihou.Errorf(daihou.ECONFLICT, "task %d is sent by the %s channel, not worked by a person", id, tk.Channel)
		}
		from := tk.Assignee
		tk.Assignee = t.actor.Name()
		if _, err := t.ExecContext(ctx, `UPDATE tasks SET assignee = ? WHERE id = ?`, tk.Assignee, id); err != nil {
			return err
		}
		out = tk
		return t.audit(ctx, string(auth.RecordCollection), audit.LoanObject(tk.LoanID), audit.DigestFields(strconv.FormatInt(id, 10), "take", tk.Assignee),
			fmt.Sprintf("task %d (%s) taken by %s from %s", id, tk.Kind, tk.Assignee, queueOr(from)))
	})
	return out, err
}

func queueOr(s string) string {
	if s == "" {
		return "the team queue"
	}
	return s
}

// workTask reads task id for t's actor to record work on: ENOTFOUND for
// none, and for one on a loan they may not see (hideTask).
func (t *wtx) workTask(ctx context.Context, id int64) (collection.Task, error) {
	tk, err := activeTask(ctx, t, id)
	if err != nil {
		return tk, err
	}
	if err := t.canLoan(ctx, auth.RecordCollection, tk.LoanID); err != nil {
		return tk, hideTask(id, err)
	}
	return tk, nil
}

func activeTask(ctx context.Context, t *wtx, id int64) (collection.Task, error) {
	tk, err := scanTask(t.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return tk, daihou.Errorf(daihou.ENOTFOUND, "task %d not found", id)
	}
	if err != nil {
		return tk, err
	}
	return tk, nil
}

// Outcome is what a person records of a task: the contact attempt it
// was (channel, party, the number dialled, when), what came of it and,
// for a promise to pay, its amount and date.
type Outcome struct {
	Outcome   collection.Outcome
	Note      string
	Channel   string // call, visit, sms, email, letter; default the task kind's (collection.Kind.ContactChannel)
	Party     compliance.Party
	Number    string // the number dialled; default the borrower's phone
	At        time.Time
	Agency    string
	Recording string
	Consent   bool // the debtor consented to be called in quiet hours
	// DisclosesDebt: a third-party contact that tells the debt — which the
	// guard never allows.
	DisclosesDebt bool
	PromiseAmount money.Amount
	PromiseDate   civil.Date
	Cost          money.Amount
	Satisfaction  int
}

// ErrContactRefused is wrapped by a refused contact attempt's error: the
// compliance guard's rule forbids it (daihou.Error code ECONFLICT, the
// message naming the rule and when it is next allowed).
var ErrContactRefused = errors.New("contact refused by the compliance guard")

// RefusedError is the compliance guard's refusal of a contact attempt.
type RefusedError struct {
	compliance.Decision
}

func (e *RefusedError) Error() string {
	s := fmt.Sprintf("%v (%s): %s", ErrContactRefused, e.Rule, e.Reason)
	if !e.Next.IsZero() {
		s += "; next allowed " + e.Next.Format(time.RFC3339)
	}
	return s
}

func (e *RefusedError) Unwrap() error { return ErrContactRefused }

// RecordOutcome records the outcome of task id as the actor in ctx: the
// contact attempt, checked by the compliance guard first (a refusal
// stores nothing and says which rule and when it is next allowed), the
// promise to pay it made, and the task's state — done, or still open
// after no answer or a wrong number. The loan is looked at again by the
// next close of business.
func (db *DB) RecordOutcome(ctx context.Context, id int64, o Outcome) (collection.Task, error) {
	if o.Party == "" {
		o.Party = compliance.Debtor
	}
	if err := checkOutcome(&o); err != nil {
		return collection.Task{}, err
	}
	var out collection.Task
	err := db.inTx(ctx, func(t *wtx) error {
		tk, err := t.workTask(ctx, id)
		if err != nil {
			return err
		}
		if !tk.Active() {
			return daihou.Errorf(daihou.ECONFLICT, "task %d is %s: nothing more to record on it", id, tk.State)
		}
		if o.At.IsZero() {
			o.At = t.now
		}
		if o.Channel == "" {
			o.Channel = tk.Kind.ContactChannel()
		}
		if o.Channel == "" {
			// Work that contacts nobody: its outcome, no contact attempt.
			if o.Outcome.Connected() && o.Outcome != collection.Done || o.Outcome == collection.Promise {
				return daihou.Invalid("outcome", "a %s task contacts nobody: its outcome is done (or failed), not %s", tk.Kind, o.Outcome)
			}
			business, err := t.needBusinessDate()
			if err != nil {
				return err
			}
			was := tk.State
			tk.State, tk.Outcome, tk.Closed, tk.ClosedBy, tk.Note = collection.TaskDone, o.Outcome, business, t.actor.Name(), joinText(tk.Note, o.Note)
			if err := t.moveTask(ctx, tk, was); err != nil {
				return err
			}
			out = tk
			return t.audit(ctx, string(auth.RecordCollection), audit.LoanObject(tk.LoanID), audit.DigestFields(strconv.FormatInt(id, 10), string(o.Outcome), o.Note),
				fmt.Sprintf("task %d (%s): %s", id, tk.Kind, o.Outcome))
		}
		c := contactIn{task: &tk, channel: o.Channel, party: o.Party, number: o.Number, at: o.At, by: t.actor.Name(), agency: o.Agency,
			outcome: o.Outcome, recording: o.Recording, cost: o.Cost, satisfaction: o.Satisfaction, willingness: -1, note: o.Note, consent: o.Consent, disclosesDebt: o.DisclosesDebt,
			promiseAmount: o.PromiseAmount, promiseDate: o.PromiseDate}
		if err := recordContact(ctx, t, &c); err != nil {
			return err
		}
		out = *c.task
		return t.audit(ctx, string(auth.RecordCollection), audit.LoanObject(tk.LoanID), audit.DigestFields(strconv.FormatInt(id, 10), string(o.Outcome), o.Note),
			fmt.Sprintf("task %d (%s): %s by %s", id, tk.Kind, o.Outcome, o.Channel))
	})
	return out, err
}

func checkOutcome(o *Outcome) error {
	if _, err := collection.ParseOutcome(string(o.Outcome)); err != nil {
		return err
	}
	switch o.Channel {
	case "", compliance.Call, compliance.AIVoice, compliance.Dialer, compliance.SMS, compliance.Email, compliance.Visit, compliance.Letter:
	default:
		return daihou.Invalid("channel", "channel %q: want call, visit, sms, email, letter, ai-voice or dialer", inputtext.Clip(o.Channel, 32))
	}
	switch o.Party {
	case compliance.Debtor, compliance.ThirdParty:
	default:
		return daihou.Invalid("party", "party %q: want debtor or third-party", inputtext.Clip(string(o.Party), 32))
	}
	if len(o.Note) > 4000 {
		return daihou.Invalid("note", "note: at most 4000 bytes, not %d", len(o.Note))
	}
	if o.Satisfaction < 0 || o.Satisfaction > 5 {
		return daihou.Invalid("satisfaction", "satisfaction %d: want 1 to 5, or 0 for none", o.Satisfaction)
	}
	if o.Cost < 0 || o.Cost > 100_000_00 {
		return daihou.Invalid("cost", "cost %s: want 0 to 100,000.00", o.Cost)
	}
	if o.Outcome == collection.Promise {
		if o.PromiseAmount <= 0 || o.PromiseAmount > maxPromise {
			return daihou.Invalid("promise_amount", "a promise to pay needs an amount above 0 and at most %s", maxPromise)
		}
		if o.PromiseDate == 0 {
			return daihou.Invalid("promise_date", "a promise to pay needs the date it is to be paid by (YYYY-MM-DD)")
		}
	} else if o.PromiseAmount != 0 || o.PromiseDate != 0 {
		return daihou.Invalid("outcome", "a promise amount or date is given but the outcome is %s, not promise", o.Outcome)
	}
	return nil
}

const maxPromise = money.Amount(1e12)

// maxPromiseDays bounds how far ahead a promise may be dated.
const maxPromiseDays = 90

// contactIn is one contact attempt to record on a task.
type contactIn struct {
	task          *collection.Task
	channel       string
	party         compliance.Party
	number        string
	at            time.Time
	by, agency    string
	outcome       collection.Outcome
	recording     string
	cost          money.Amount
	satisfaction  int
	willingness   int
	note          string
	consent       bool
	disclosesDebt bool
	promiseAmount money.Amount
	promiseDate   civil.Date
	automated     bool // a channel's result: its send was already let through the guard
}

// recordContact checks the attempt against the compliance guard and
// stores it, the promise it made and the task's new state, and marks the
// loan for close of business.
func recordContact(ctx context.Context, t *wtx, c *contactIn) error {
	tk := c.task
	a, err := attemptOn(ctx, t, t.db.keys, tk, c.channel, c.party, c.number, c.at)
	if err != nil {
		return err
	}
	a.Agency, a.Consent, a.Recorded, a.DisclosesDebt = c.agency, c.consent, c.recording != "" || !telephoneChannel(c.channel), c.disclosesDebt
	business, err := t.needBusinessDate()
	if err != nil {
		return err
	}
	if !c.automated {
		d, err := guard(ctx, t, a)
		if err != nil {
			return err
		}
		if !d.Allowed {
			return &daihou.Error{Code: daihou.ECONFLICT, Field: "contact", Message: (&RefusedError{d}).Error(), Err: &RefusedError{d}}
		}
	}
	key := a.Number
	if c.outcome == collection.Promise {
		if c.promiseDate.Before(business) || c.promiseDate.After(business.AddDays(maxPromiseDays)) {
			return daihou.Invalid("promise_date", "promise date %s: want from the business date %s to %d days after it", c.promiseDate, business, maxPromiseDays)
		}
	}
	connected := c.outcome.Connected()
	var contactID int64
	if err := t.QueryRowContext(ctx, `INSERT INTO contacts (loan_id, borrower_id, task_id, at, business, channel, party, number_key, by_name, agency, connected, rpc,
		outcome, recording, cost, satisfaction, willingness, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tk.LoanID, tk.BorrowerID, tk.ID, c.at.Unix(), int64(business), c.channel, string(c.party), key, c.by, c.agency, boolInt(connected),
		boolInt(c.outcome.RightParty() && c.party == compliance.Debtor), string(c.outcome), c.recording, int64(c.cost), c.satisfaction, c.willingness, inputtext.Clip(c.note, 4000)).Scan(&contactID); err != nil {
		return err
	}
	if c.outcome == collection.Promise {
		if _, err := t.ExecContext(ctx, `INSERT INTO promises (loan_id, task_id, contact_id, made, due, amount, state, by_name) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)`,
			tk.LoanID, tk.ID, contactID, int64(business), int64(c.promiseDate), int64(c.promiseAmount), c.by); err != nil {
			return err
		}
	}
	if c.willingness >= 0 {
		if _, err := t.ExecContext(ctx, `UPDATE collection_episodes SET willingness = ? WHERE loan_id = ? AND ended = 0`, c.willingness, tk.LoanID); err != nil {
			return err
		}
	}
	if c.outcome == collection.Dispute {
		// A dispute holds all contact about the debt until someone
		// resolves it (contact flags).
		if _, err := t.ExecContext(ctx, `INSERT INTO contact_flags (borrower_id, dispute_until, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (borrower_id) DO UPDATE SET dispute_until = excluded.dispute_until, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			tk.BorrowerID, int64(business.AddDays(disputeHoldDays)), c.by, t.stamp()); err != nil {
			return err
		}
	}
	// No answer and a wrong number leave a person's task open for the
	// next attempt; anything else is its outcome.
	if !tk.Active() {
		return markDirty(ctx, t.Tx, []int64{tk.LoanID})
	}
	was := tk.State
	if tk.Channel != collection.Person || (c.outcome != collection.NoAnswer && c.outcome != collection.WrongNumber) {
		tk.State, tk.Outcome, tk.Closed, tk.ClosedBy = collection.TaskDone, c.outcome, business, c.by
	}
	if c.note != "" {
		tk.Note = joinText(tk.Note, c.note)
	}
	if err := t.moveTask(ctx, *tk, was); err != nil {
		return err
	}
	return markDirty(ctx, t.Tx, []int64{tk.LoanID})
}

// attemptOn is a contact attempt on task tk's borrower as the guard
// counts it: in the borrower's local time, the number dialled as its
// keyed hash (the borrower's phone unless another number is given; none
// for a visit, an e-mail or a letter).
func attemptOn(ctx context.Context, q querier, keys *pii.KeyRing, tk *collection.Task, channel string, party compliance.Party, number string, at time.Time) (compliance.Attempt, error) {
	var phoneKey, region string
	if err := q.QueryRowContext(ctx, `SELECT phone_hash, region FROM borrowers WHERE id = ?`, tk.BorrowerID).Scan(&phoneKey, &region); err != nil {
		return compliance.Attempt{}, err
	}
	key := phoneKey
	if number != "" {
		key = numberKey(keys, number)
	}
	if channel == compliance.Email || channel == compliance.Letter || channel == compliance.Visit {
		key = ""
	}
	return compliance.Attempt{At: at, Zone: compliance.ZoneOf(region), Channel: channel, Party: party, Number: key, LoanID: tk.LoanID, BorrowerID: tk.BorrowerID}, nil
}

// CheckContact asks the compliance guard, before anyone dials, whether
// the contact attempt o describes (channel, party, number, agency,
// consent, recording; at o.At, default now) may be made on task id's
// borrower, as the actor in ctx, who must be allowed to record it: the
// decision names the rule that forbids it and when it is next allowed.
// Nothing is stored. A task that contacts nobody is EINVALID.
func (db *DB) CheckContact(ctx context.Context, id int64, o Outcome) (compliance.Decision, error) {
	if o.Party == "" {
		o.Party = compliance.Debtor
	}
	o.Outcome = collection.Done // the check is of the attempt, not of what came of it
	if err := checkOutcome(&o); err != nil {
		return compliance.Decision{}, err
	}
	tk, err := scanTask(db.read.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return compliance.Decision{}, daihou.Errorf(daihou.ENOTFOUND, "task %d not found", id)
	}
	if err != nil {
		return compliance.Decision{}, err
	}
	if err := authorize(ctx, db.read, auth.FromContext(ctx), auth.RecordCollection, tk.LoanID); err != nil {
		return compliance.Decision{}, hideTask(id, err)
	}
	if o.Channel == "" {
		o.Channel = tk.Kind.ContactChannel()
	}
	if o.Channel == "" {
		return compliance.Decision{}, daihou.Invalid("channel", "a %s task contacts nobody: there is no attempt to check", tk.Kind)
	}
	if o.At.IsZero() {
		o.At = db.Now()
	}
	a, err := attemptOn(ctx, db.read, db.keys, &tk, o.Channel, o.Party, o.Number, o.At)
	if err != nil {
		return compliance.Decision{}, err
	}
	a.Agency, a.Consent, a.Recorded, a.DisclosesDebt = o.Agency, o.Consent, o.Recording != "" || !telephoneChannel(o.Channel), o.DisclosesDebt
	return guard(ctx, db.read, a)
}

// disputeHoldDays is how long a dispute holds contact unless resolved
// sooner.
const disputeHoldDays = 30

func joinText(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func telephoneChannel(ch string) bool {
	return ch == compliance.Call || ch == compliance.AIVoice || ch == compliance.Dialer
}

// numberKey is the keyed hash a number is counted by, never the number.
func numberKey(k *pii.KeyRing, number string) string {
	if k != nil {
		return k.Search(pii.Phone, number)
	}
	h := sha256.Sum256([]byte(pii.Normalize(pii.Phone, number)))
	return hex.EncodeToString(h[:16])
}

// guard runs the compliance guard on an attempt, with the borrower's
// contacts of the last eight days and flags, under the book's
// jurisdiction profile.
func guard(ctx context.Context, q querier, a compliance.Attempt) (compliance.Decision, error) {
	prof, err := jurisdiction(ctx, q)
	if err != nil {
		return compliance.Decision{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT at, channel, party, number_key, loan_id, agency, connected, rpc FROM contacts WHERE borrower_id = ? AND at >= ?`,
		a.BorrowerID, a.At.Add(-8*24*time.Hour).Unix())
	if err != nil {
		return compliance.Decision{}, err
	}
	var hist []compliance.Contact
	for rows.Next() {
		var c compliance.Contact
		var at int64
		var party string
		var connected, rpc int
		if err := rows.Scan(&at, &c.Channel, &party, &c.Number, &c.LoanID, &c.Agency, &connected, &rpc); err != nil {
			rows.Close()
			return compliance.Decision{}, err
		}
		c.At, c.Party, c.Connected, c.Conversation, c.BorrowerID = time.Unix(at, 0), compliance.Party(party), connected != 0, rpc != 0, a.BorrowerID
		hist = append(hist, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return compliance.Decision{}, err
	}
	var f compliance.Flags
	var dnc int
	var dispute int64
	err = q.QueryRowContext(ctx, `SELECT do_not_contact, dispute_until FROM contact_flags WHERE borrower_id = ?`, a.BorrowerID).Scan(&dnc, &dispute)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return compliance.Decision{}, err
	}
	business, err := businessDate(ctx, q)
	if err != nil {
		return compliance.Decision{}, err
	}
	f.DoNotContact, f.DisputeHold = dnc != 0, dispute != 0 && !business.After(civil.Date(dispute))
	if f.Agencies, err = queryColumn[string](ctx, q, `SELECT code FROM agencies WHERE active = 1`); err != nil {
		return compliance.Decision{}, err
	}
	return prof.Check(a, hist, f), nil
}

// jurisdiction is the book's compliance profile: the setting
// 'collection.jurisdiction' (config.Jurisdiction), CN unless set.
func jurisdiction(ctx context.Context, q querier) (compliance.Profile, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'collection.jurisdiction'`).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		code = "CN"
	} else if err != nil {
		return compliance.Profile{}, err
	}
	return compliance.ProfileOf(code)
}

// RecordResult records what a channel reports of its message: a delivery
// receipt or a call's result, as the contact attempt it was, with the
// willingness to pay the AI voice scored and the promise it took. A
// result already recorded (the same key, status and time) changes
// nothing and reports false: a channel may deliver a callback twice.
func (db *DB) RecordResult(ctx context.Context, channelName string, r channel.Result) (bool, error) {
	id, ok := taskOfKey(r.Key)
	if !ok {
		return false, daihou.Invalid("key", "key %q: want the key of the message, task-<id>", inputtext.Clip(r.Key, 40))
	}
	if r.TaskID != 0 && r.TaskID != id {
		return false, daihou.Invalid("task_id", "task_id %d does not match key %s", r.TaskID, r.Key)
	}
	at, err := time.Parse(time.RFC3339, r.At)
	if err != nil {
		return false, daihou.Invalid("at", "at %q: want an RFC 3339 instant, e.g. 2026-03-02T10:15:00+08:00", inputtext.Clip(r.At, 40))
	}
	var outcome collection.Outcome
	switch r.Status {
	case channel.Delivered:
		outcome = collection.Delivered
	case channel.Failed:
		outcome = collection.Failed
	case channel.Called:
		if outcome, err = collection.ParseOutcome(r.Outcome); err != nil {
			return false, err
		}
	default:
		return false, daihou.Invalid("status", "status %q: want delivered, failed or called", inputtext.Clip(r.Status, 32))
	}
	o := Outcome{Outcome: outcome, Satisfaction: r.Satisfaction, Cost: money.Amount(r.Cost), PromiseAmount: money.Amount(r.PromiseAmount)}
	if r.PromiseDate != "" {
		if o.PromiseDate, err = civil.Parse(r.PromiseDate); err != nil {
			return false, daihou.Invalid("promise_date", "promise_date: %v", err)
		}
	}
	o.Party = compliance.Debtor
	if err := checkOutcome(&o); err != nil {
		return false, err
	}
	if r.Willingness < -1 || r.Willingness > 100 {
		return false, daihou.Invalid("willingness", "willingness %d: want 0 to 100, or -1 for none", r.Willingness)
	}
	fresh := false
	err = db.inTx(ctx, func(t *wtx) error {
		tk, err := activeTask(ctx, t, id)
		if err != nil {
			return err
		}
		if tk.Channel != channelName {
			return daihou.Errorf(daihou.ENOTFOUND, "task %d is not a message of the %s channel", id, channelName)
		}
		if err := t.canLoan(ctx, auth.RecordCollection, tk.LoanID); err != nil {
			return err
		}
		var n int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM contacts WHERE task_id = ? AND at = ? AND outcome = ?`, id, at.Unix(), string(outcome)).Scan(&n); err != nil || n > 0 {
			return err
		}
		fresh = true
		contactChannel := channelName
		if channelName == channel.Dialer {
			contactChannel = compliance.Dialer
		}
		c := contactIn{task: &tk, channel: contactChannel, party: compliance.Debtor, at: at, by: "channel:" + channelName, outcome: outcome,
			recording: r.Recording, cost: o.Cost, satisfaction: r.Satisfaction, willingness: r.Willingness, note: r.Note,
			promiseAmount: o.PromiseAmount, promiseDate: o.PromiseDate, automated: true}
		// A late receipt of a task closed since (a cure) still counts as a
		// contact; the task keeps its state (recordContact).
		if err := recordContact(ctx, t, &c); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.RecordCollection), audit.LoanObject(tk.LoanID), audit.DigestFields(r.Key, r.Status, string(outcome), r.At),
			fmt.Sprintf("%s result of task %d: %s %s", channelName, id, r.Status, outcome))
	})
	return fresh, err
}
