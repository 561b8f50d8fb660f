package console

import "net/http"

// Logout answers POST /console/logout: this session ends. With
// everywhere=1 every session of the user ends (a lost laptop).
func (c *Console) Logout(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	var err error
	if r.PostFormValue("everywhere") == "1" {
		_, err = c.DB.EndSessions(r.Context())
	} else if ck, e := r.Cookie(sessionCookie); e == nil {
		err = c.DB.EndSession(r.Context(), ck.Value)
	}
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	c.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}
