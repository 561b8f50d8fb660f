package api

import "net/http"

// GetTask answers GET /api/v1/tasks/{id}: one task, 404 for a task on a
// loan outside the actor's scope as for one that does not exist.
func (a *API) GetTask(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.DB.Task(r.Context(), id)
	if err != nil {
		a.fail(w, r, TaskError(err, id))
		return
	}
	writeJSON(w, http.StatusOK, TaskOf(t))
}
