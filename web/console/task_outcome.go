package console

import (
	"net/http"
	"strconv"

	"daihou/web/api"
)

// TaskOutcome answers POST /console/tasks/{id}/outcome: what came of a
// contact attempt, or a promise to pay with its amount and date, parsed as
// the API parses it. The store's compliance guard checks the attempt
// first: a refused one records nothing and the page says the rule and the
// reason.
func (c *Console) TaskOutcome(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	id, err := pathID(r, "id", "task")
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	f := r.PostForm
	req := api.OutcomeRequest{Outcome: f.Get("outcome"), Note: f.Get("note"), Channel: f.Get("channel"), Party: f.Get("party"),
		Recording: f.Get("recording"), Consent: f.Get("consent") == "on", PromiseAmount: f.Get("promise_amount"), PromiseDate: f.Get("promise_date")}
	o, err := req.Parse(c.now())
	if err == nil {
		_, err = c.DB.RecordOutcome(r.Context(), id, o)
	}
	if err != nil {
		err = api.TaskError(err, id)
		c.reshow(w, r, s, err, func() (*Page, error) { return c.taskPage(r, s, id, f) })
		return
	}
	done(w, r, "/console/tasks/"+strconv.FormatInt(id, 10), "work.notice.outcome")
}
