package console

import "net/http"

// SaveLang answers POST /console/lang: the user's console language, kept
// with the user so that it follows them to another browser.
func (c *Console) SaveLang(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	if err := c.DB.SetLanguage(r.Context(), r.PostFormValue("lang")); err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	c.setCookie(w, r, langCookie, r.PostFormValue("lang"), 365*24*3600)
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
}

// LoginLang answers POST /console/login/lang: the language of the login
// page, before anyone is known (a cookie only).
func (c *Console) LoginLang(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(loginCookie); err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		c.loginPage(w, r, http.StatusForbidden, "", "", c.locale(pickLang(r)).T("error.csrf"))
		return
	}
	for _, l := range langs {
		if r.PostFormValue("lang") == l {
			c.setCookie(w, r, langCookie, l, 365*24*3600)
		}
	}
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}
