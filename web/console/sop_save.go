package console

import (
	"net/http"
	"net/url"

	"daihou/auth"
	"daihou/web/api"
)

// SOPSave answers POST /console/sop: the editor's SOP, read as the API
// reads it and checked by the engine, stored as the next version of its
// code; a mistake comes back with the engine's message and the SOP in
// force stays.
func (c *Console) SOPSave(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	text := r.PostForm.Get("body")
	if err := auth.Can(s.Actor, auth.ManageRules, auth.Book()).Err(); err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	sop, err := api.DecodeSOP([]byte(text))
	if err == nil {
		_, err = c.DB.PutSOP(r.Context(), sop)
	}
	if err != nil {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.sopPage(r, s, r.PostForm.Get("code"), text) })
		return
	}
	done(w, r, "/console/sop?code="+url.QueryEscape(sop.Code), "work.notice.sop_saved")
}
