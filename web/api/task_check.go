package api

import (
	"net/http"
	"strings"
	"time"

	"daihou"
	"daihou/compliance"
	"daihou/inputtext"
	"daihou/store"
)

// CheckRequest is a contact attempt to check before it is made: the body
// of POST /api/v1/tasks/{id}/check and what 'daihou task check' reads
// from its flags.
type CheckRequest struct {
	Channel   string `json:"channel,omitempty"` // default the task kind's: call, visit, letter …
	Party     string `json:"party,omitempty"`   // debtor (default) or third-party
	Number    string `json:"number,omitempty"`  // default the borrower's phone
	At        string `json:"at,omitempty"`      // RFC 3339; default now — a planned attempt may be later
	Recording bool   `json:"recording,omitempty"`
	Consent   bool   `json:"consent,omitempty"`
	// DisclosesDebt: a third-party contact that would tell the debt.
	DisclosesDebt bool `json:"discloses_debt,omitempty"`
}

// CheckAnswer is the compliance guard's decision on a contact attempt.
type CheckAnswer struct {
	Allowed     bool   `json:"allowed"`
	Rule        string `json:"rule,omitempty"`
	Reason      string `json:"reason,omitempty"`
	NextAllowed string `json:"next_allowed,omitempty"` // RFC 3339; absent when only a person's act allows it
}

// AnswerOf is the answer of decision d.
func AnswerOf(d compliance.Decision) CheckAnswer {
	a := CheckAnswer{Allowed: d.Allowed, Rule: d.Rule, Reason: d.Reason}
	if !d.Allowed && !d.Next.IsZero() {
		a.NextAllowed = d.Next.Format(time.RFC3339)
	}
	return a
}

// Parse checks req, each mistake naming its field, as an outcome the
// store checks the attempt of.
func (req CheckRequest) Parse(now time.Time) (store.Outcome, error) {
	rec := ""
	if req.Recording {
		rec = "planned"
	}
	o, err := OutcomeRequest{Outcome: "done", Channel: req.Channel, Party: req.Party, Number: req.Number, Recording: rec, Consent: req.Consent, DisclosesDebt: req.DisclosesDebt}.Parse(now)
	if err != nil {
		return o, err
	}
	if strings.TrimSpace(req.Channel) == "" {
		o.Channel = "" // the task kind's
	}
	if req.At != "" {
		if o.At, err = time.Parse(time.RFC3339, req.At); err != nil {
			return o, daihou.Invalid("at", "at %q: want an RFC 3339 instant with its offset, e.g. 2026-03-02T10:15:00+08:00", inputtext.Clip(req.At, 40))
		}
	}
	return o, nil
}

// PostCheck answers POST /api/v1/tasks/{id}/check: may the contact
// attempt (CheckRequest) be made on the task's borrower now, or at the
// time given? 200 with allowed, and for a refusal the rule, the reason and
// next_allowed; nothing is stored. A dialer or a collector's screen asks
// before each call.
func (a *API) PostCheck(w http.ResponseWriter, r *http.Request) {
	var req CheckRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	o, err := req.Parse(a.now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.DB.CheckContact(r.Context(), id, o)
	if err != nil {
		a.fail(w, r, TaskError(err, id))
		return
	}
	writeJSON(w, http.StatusOK, AnswerOf(d))
}
