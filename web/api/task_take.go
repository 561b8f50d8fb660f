package api

import (
	"bytes"
	"io"
	"net/http"

	"daihou"
)

// TakeTask answers POST /api/v1/tasks/{id}/take: the task given to the
// actor, who must hold the role its kind is worked by (a collector's call,
// an account manager's revisit) and may record collection work on its
// loan; 409 for a task a channel sends. It takes no body: none, or {}.
func (a *API) TakeTask(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // through the route's limit: 413 above it
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if b := bytes.TrimSpace(body); len(b) > 0 && !bytes.Equal(b, []byte("{}")) {
		a.fail(w, r, daihou.Invalid("body", "body: taking a task takes no body; send none, or {}"))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.DB.TakeTask(r.Context(), id)
	if err != nil {
		a.fail(w, r, TaskError(err, id))
		return
	}
	writeJSON(w, http.StatusOK, TaskOf(t))
}
