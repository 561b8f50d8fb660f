package api

import (
	"net/http"

	"daihou"
	"daihou/collection"
	"daihou/inputtext"
	"daihou/store"
)

// ListTasks answers GET /api/v1/tasks: the tasks on the loans the actor
// may see (a collector: the loans assigned to them), the most valuable
// first — escalated, then by priority — filtered by mine=true (the
// actor's own queue), assignee, state (open for open or escalated, or a
// state), kind, loan (id or loan number), at most limit (default 200, up
// to 10000).
func (a *API) ListTasks(w http.ResponseWriter, r *http.Request) {
	f, err := a.taskFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ts, err := a.DB.Tasks(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Task{"tasks": TasksOf(ts)})
}

// taskFilter reads the filters of GET /api/v1/tasks, each mistake a 400
// naming its parameter.
func (a *API) taskFilter(r *http.Request) (store.TaskFilter, error) {
	q := r.URL.Query()
	var f store.TaskFilter
	var err error
	if f.Mine, err = queryBool(r, "mine"); err != nil {
		return f, err
	}
	if s := q.Get("assignee"); s != "" {
		if len(s) > 64 {
			return f, daihou.Invalid("assignee", "assignee: a user's name or agency:CODE, at most 64 bytes")
		}
		f.Assignee = s
	}
	switch s := q.Get("state"); s {
	case "", "open", collection.Escalated, collection.TaskDone, collection.Closed, collection.Cancelled:
		f.State = s
	default:
		return f, daihou.Invalid("state", "state: want open (open or escalated), escalated, done, closed or cancelled, not %q", inputtext.Clip(s, 32))
	}
	if s := q.Get("kind"); s != "" {
		k, err := collection.ParseKind(s)
		if err != nil {
			return f, err
		}
		f.Kind = string(k)
	}
	if f.Loan, err = a.queryLoan(r); err != nil {
		return f, err
	}
	limit, err := queryInt(r, "limit", 200, 1, 10000)
	if err != nil {
		return f, err
	}
	f.Limit = int(limit)
	return f, nil
}
