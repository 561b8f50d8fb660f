package console

import (
	"net/http"

	"daihou/auth"
	"daihou/web/api"
)

// StrategySave answers POST /console/strategy: the editor's strategy,
// read as the API reads it and checked by the engine, stored as the next
// version; a mistake comes back with the engine's message and the
// strategy in force stays.
func (c *Console) StrategySave(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	text := r.PostForm.Get("body")
	if err := auth.Can(s.Actor, auth.ManageRules, auth.Book()).Err(); err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	st, err := api.DecodeStrategy([]byte(text))
	if err == nil {
		_, err = c.DB.PutStrategy(r.Context(), st)
	}
	if err != nil {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.strategyPage(r, s, text) })
		return
	}
	done(w, r, "/console/strategy", "work.notice.strategy_saved")
}
