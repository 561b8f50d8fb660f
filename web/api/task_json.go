package api

import (
	"strings"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/compliance"
	"daihou/inputtext"
	"daihou/money"
	"daihou/store"
)

// The JSON of collection work (催收): tasks and the outcomes recorded on
// them, as the API answers them and 'daihou task … --json' prints them.

// Task is a task as JSON shows it. Priority is the loan's expected loss
// in yuan, the order a queue is worked in.
type Task struct {
	ID          int64        `json:"id"`
	LoanID      int64        `json:"loan_id"`
	BorrowerID  int64        `json:"borrower_id"`
	Kind        string       `json:"kind"`
	KindZH      string       `json:"kind_zh"`
	Role        string       `json:"role,omitempty"` // whose queue takes it; "" for a channel's
	Origin      string       `json:"origin"`
	Anchor      civil.Date   `json:"anchor,omitzero"`
	Episode     civil.Date   `json:"episode,omitzero"`
	Arm         string       `json:"arm,omitempty"`
	Channel     string       `json:"channel"` // person, or the channel that sends it
	Created     civil.Date   `json:"created"`
	Due         civil.Date   `json:"due"`
	SLA         civil.Date   `json:"sla"`
	Priority    money.Amount `json:"priority"`
	Assignee    string       `json:"assignee"`
	Team        string       `json:"team"`
	State       string       `json:"state"`
	Outcome     string       `json:"outcome,omitempty"`
	Escalations int          `json:"escalations"`
	Closed      civil.Date   `json:"closed,omitzero"`
	ClosedBy    string       `json:"closed_by,omitempty"`
	Note        string       `json:"note"`
}

// TaskOf returns t as JSON shows it.
func TaskOf(t collection.Task) Task {
	return Task{ID: t.ID, LoanID: t.LoanID, BorrowerID: t.BorrowerID, Kind: string(t.Kind), KindZH: t.Kind.Chinese(), Role: t.Kind.Role(),
		Origin: t.Origin, Anchor: t.Anchor, Episode: t.Episode, Arm: t.Arm, Channel: t.Channel, Created: t.Created, Due: t.Due, SLA: t.SLA,
		Priority: t.Priority, Assignee: t.Assignee, Team: t.Team, State: t.State, Outcome: string(t.Outcome), Escalations: t.Escalations,
		Closed: t.Closed, ClosedBy: t.ClosedBy, Note: t.Note}
}

// TasksOf returns ts as JSON shows them, [] for none.
func TasksOf(ts []collection.Task) []Task {
	out := make([]Task, len(ts))
	for i, t := range ts {
		out[i] = TaskOf(t)
	}
	return out
}

// Contact is a contact attempt recorded on a task as JSON shows it: when,
// how, whom it reached, who made it and what came of it — never the
// number dialled.
type Contact struct {
	ID        int64      `json:"id"`
	At        time.Time  `json:"at"`
	Business  civil.Date `json:"business_date"`
	Channel   string     `json:"channel"`
	Party     string     `json:"party"`
	By        string     `json:"by"`
	Agency    string     `json:"agency,omitempty"`
	Connected bool       `json:"connected"`
	Outcome   string     `json:"outcome"`
	Recording string     `json:"recording,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// ContactsOf returns cs as JSON shows them, [] for none.
func ContactsOf(cs []store.TaskContact) []Contact {
	out := make([]Contact, len(cs))
	for i, c := range cs {
		out[i] = Contact{ID: c.ID, At: c.At.UTC(), Business: c.Business, Channel: c.Channel, Party: c.Party, By: c.By, Agency: c.Agency,
			Connected: c.Connected, Outcome: string(c.Outcome), Recording: c.Recording, Note: c.Note}
	}
	return out
}

// Promise is a promise to pay (承诺还款) as JSON shows it: made on a
// contact, for an amount by a date, and open until close of business
// settles it kept (the day the payments toward it reached the amount) or
// broken (the day after its date).
type Promise struct {
	ID      int64        `json:"id"`
	TaskID  int64        `json:"task_id"`
	Made    civil.Date   `json:"made"`
	Due     civil.Date   `json:"due"`
	Amount  money.Amount `json:"amount"`
	Paid    money.Amount `json:"paid"`
	State   string       `json:"state"` // open, kept or broken
	Settled civil.Date   `json:"settled,omitzero"`
}

// PromisesOf returns ps as JSON shows them, [] for none.
func PromisesOf(ps []collection.PromiseToPay) []Promise {
	out := make([]Promise, len(ps))
	for i, p := range ps {
		out[i] = Promise{ID: p.ID, TaskID: p.TaskID, Made: p.Made, Due: p.Due, Amount: p.Amount, Paid: p.Paid, State: p.State, Settled: p.Settled}
	}
	return out
}

// OutcomeRequest is the outcome of a task as a person records it: the
// body of POST /api/v1/tasks/{id}/outcome and what 'daihou task outcome'
// reads from its flags. Amounts are decimal strings in yuan.
type OutcomeRequest struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
	// Channel is how the contact was made: call (default), visit, sms,
	// email or letter.
	Channel string `json:"channel,omitempty"`
	// Party is whom it reached: debtor (default) or third-party.
	Party string `json:"party,omitempty"`
	// Number is the number dialled; default the borrower's phone.
	Number string `json:"number,omitempty"`
	// At is when the contact was made (RFC 3339); default now.
	At string `json:"at,omitempty"`
	// Recording references the call's recording: every call is recorded.
	Recording string `json:"recording,omitempty"`
	// Consent: the debtor consented to be called in the quiet hours.
	Consent bool `json:"consent,omitempty"`
	// DisclosesDebt: a third-party contact that tells the debt, which the
	// compliance guard refuses.
	DisclosesDebt bool   `json:"discloses_debt,omitempty"`
	PromiseAmount string `json:"promise_amount,omitempty"`
	PromiseDate   string `json:"promise_date,omitempty"` // YYYY-MM-DD
	Cost          string `json:"cost,omitempty"`
	Satisfaction  int    `json:"satisfaction,omitempty"` // 1 to 5
}

// outcomeChannels are the channels a person records a contact by.
var outcomeChannels = []string{compliance.Call, compliance.Visit, compliance.SMS, compliance.Email, compliance.Letter}

// maxClockSkew is how far after now a contact may be dated: a caller's
// clock a little ahead, not a contact yet to be made.
const maxClockSkew = 5 * time.Minute

// Parse checks req and returns the outcome to record, as of now; each
// mistake names its field. The store checks the rest (the outcome and the
// promise against the business date, the note's length).
func (req OutcomeRequest) Parse(now time.Time) (store.Outcome, error) {
	o := store.Outcome{Note: req.Note, Recording: strings.TrimSpace(req.Recording), Consent: req.Consent, DisclosesDebt: req.DisclosesDebt, Satisfaction: req.Satisfaction}
	var err error
	if o.Outcome, err = collection.ParseOutcome(req.Outcome); err != nil {
		return o, err
	}
	switch ch := strings.TrimSpace(req.Channel); ch {
	case "":
		o.Channel = compliance.Call
	case compliance.Call, compliance.Visit, compliance.SMS, compliance.Email, compliance.Letter:
		o.Channel = ch
	default:
		return o, daihou.Invalid("channel", "channel %q: want one of %s", inputtext.Clip(ch, 32), strings.Join(outcomeChannels, ", "))
	}
	switch p := compliance.Party(strings.TrimSpace(req.Party)); p {
	case "":
		o.Party = compliance.Debtor
	case compliance.Debtor, compliance.ThirdParty:
		o.Party = p
	default:
		return o, daihou.Invalid("party", "party %q: want debtor or third-party", inputtext.Clip(string(p), 32))
	}
	if o.Number = strings.TrimSpace(req.Number); o.Number != "" && !phoneNumber(o.Number) {
		return o, daihou.Invalid("number", "number: want the number dialled, digits with an optional leading + (spaces and - allowed), at most 20 digits")
	}
	if len(o.Recording) > 200 {
		return o, daihou.Invalid("recording", "recording: at most 200 bytes, not %d", len(o.Recording))
	}
	if req.At != "" {
		if o.At, err = time.Parse(time.RFC3339, req.At); err != nil {
			return o, daihou.Invalid("at", "at %q: want an RFC 3339 instant with its offset, e.g. 2026-03-02T10:15:00+08:00", inputtext.Clip(req.At, 40))
		}
		if o.At.After(now.Add(maxClockSkew)) {
			return o, daihou.Invalid("at", "at %s is in the future: record a contact once it is made", o.At.Format(time.RFC3339))
		}
	}
	if req.PromiseAmount != "" {
		if o.PromiseAmount, err = ParseAmount(req.PromiseAmount); err != nil {
			return o, daihou.Invalid("promise_amount", "promise_%v", err)
		}
	}
	if req.PromiseDate != "" {
		if o.PromiseDate, err = civil.Parse(req.PromiseDate); err != nil {
			return o, daihou.Invalid("promise_date", "promise_date: want a date YYYY-MM-DD, not %q", inputtext.Clip(req.PromiseDate, 32))
		}
	}
	if req.Cost != "" {
		if o.Cost, err = money.ParseAmount(req.Cost); err != nil || o.Cost < 0 {
			return o, daihou.Invalid("cost", "cost: want a decimal string in yuan with at most two decimals, e.g. \"1.20\", not %q", inputtext.Clip(req.Cost, 32))
		}
	}
	return o, nil
}

// phoneNumber reports whether s looks like a number one dials.
func phoneNumber(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-':
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}

// TaskError returns err with one answer for every task the actor may not
// see: a task on a loan outside their scope is not found with the same
// message as one that does not exist, so that nobody learns which tasks
// exist, or on which loans, outside their queue.
func TaskError(err error, id int64) error {
	if daihou.ErrorCode(err) != daihou.ENOTFOUND {
		return err
	}
	return daihou.Errorf(daihou.ENOTFOUND, "no task %d you may see", id)
}
