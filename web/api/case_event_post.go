package api

import (
	"net/http"

	"daihou"
	"daihou/inputtext"
	"daihou/legal"
	"daihou/money"
	"daihou/store"
)

// CaseEventRequest records on a case: a move to a stage (with the court
// and its case number, 案号, when the court gives one), a cost, or a
// recovery (posted to the loan; reference is its idempotency key).
type CaseEventRequest struct {
	Kind      string `json:"kind"` // move, cost or recovery
	Stage     string `json:"stage,omitempty"`
	Court     string `json:"court,omitempty"`
	CourtRef  string `json:"court_ref,omitempty"`
	Amount    string `json:"amount,omitempty"` // yuan, a decimal string
	Reference string `json:"reference,omitempty"`
	Note      string `json:"note,omitempty"`
}

// CaseEventAnswer is a case after an event, and the event.
type CaseEventAnswer struct {
	Case  Case      `json:"case"`
	Event CaseEvent `json:"event"`
}

// PostCaseEvent answers POST /api/v1/cases/{id}/events: 201 with the case
// and its new event; 200 with the event a recovery's reference already
// made, changing nothing; 409 for a move the stages do not allow or a
// closed case.
func (a *API) PostCaseEvent(w http.ResponseWriter, r *http.Request) {
	var req CaseEventRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	var amount money.Amount
	if req.Kind == string(legal.Cost) || req.Kind == string(legal.Recovered) {
		var err error
		if amount, err = ParseAmount(req.Amount); err != nil {
			a.fail(w, r, daihou.Invalid("amount", "%v", err))
			return
		}
	}
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	var c legal.Case
	var e legal.Event
	st := http.StatusCreated
	switch req.Kind {
	case string(legal.Moved):
		c, e, err = a.DB.MoveCase(ctx, id, store.CaseMove{Stage: legal.Stage(req.Stage), Court: req.Court, CourtRef: req.CourtRef, Note: req.Note})
	case string(legal.Cost):
		c, e, err = a.DB.AddCaseCost(ctx, id, amount, req.Note)
	case string(legal.Recovered):
		var dup bool
		if c, e, dup, err = a.DB.RecordCaseRecovery(ctx, id, amount, req.Reference, req.Note); dup {
			st = http.StatusOK // the reference's recovery, recorded before
		}
	default:
		err = daihou.Invalid("kind", "kind: want move, cost or recovery, not %q", inputtext.Clip(req.Kind, 32))
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, st, CaseEventAnswer{Case: CaseOf(c), Event: CaseEventOf(e)})
}
