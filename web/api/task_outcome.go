package api

import "net/http"

// PostOutcome answers POST /api/v1/tasks/{id}/outcome: the outcome of a
// contact attempt on the task (OutcomeRequest), recorded as the actor.
// The attempt passes the compliance guard first: one a rule forbids — a
// 4th connected call to the debtor today, a call in the quiet hours
// without consent, a call not recorded — stores nothing and answers 409
// with the rule, the reason and next_allowed (when waiting allows it). A
// promise to pay is stored with its amount and date, and settled by close
// of business. The answer is the task: done, or still open after no
// answer or a wrong number.
func (a *API) PostOutcome(w http.ResponseWriter, r *http.Request) {
	var req OutcomeRequest
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
	t, err := a.DB.RecordOutcome(r.Context(), id, o)
	if err != nil {
		a.fail(w, r, TaskError(err, id))
		return
	}
	writeJSON(w, http.StatusOK, TaskOf(t))
}
