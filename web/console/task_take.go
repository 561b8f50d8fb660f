package console

import (
	"net/http"
	"strconv"

	"daihou/web/api"
)

// TaskTake answers POST /console/tasks/{id}/take: the task into the
// user's own queue, if they hold the role its kind is worked by.
func (c *Console) TaskTake(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	id, err := pathID(r, "id", "task")
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	if _, err := c.DB.TakeTask(r.Context(), id); err != nil {
		err = api.TaskError(err, id)
		c.reshow(w, r, s, err, func() (*Page, error) { return c.taskPage(r, s, id, nil) })
		return
	}
	done(w, r, "/console/tasks/"+strconv.FormatInt(id, 10), "work.notice.taken")
}
