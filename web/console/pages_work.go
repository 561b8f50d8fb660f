package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/inputtext"
	"daihou/store"
)

// workPages are the page templates of this part of the console.
var workPages = []string{"tasks", "task", "payment", "propose", "approvals", "rules", "rule", "strategy", "sop"}

// workMenu is this part's entries in the menu: the queue for whoever
// works tasks on some loan, the inbox for a checker, the editors for
// those who read rules.
var workMenu = []menuItem{
	{"/console/tasks", "work.nav.tasks", auth.RecordCollection, nil},
	{"/console/approvals", "work.nav.approvals", auth.DecideWaiver, nil},
	{"/console/rules", "work.nav.rules", auth.ReadRules, auth.Book},
	{"/console/strategy", "work.nav.strategy", auth.ReadRules, auth.Book},
	{"/console/sop", "work.nav.sop", auth.ReadRules, auth.Book},
}

// pathID reads the numeric id of the path; one that is not a number names
// nothing, so it is not found rather than invalid.
func pathID(r *http.Request, name, what string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, daihou.Errorf(daihou.ENOTFOUND, "no %s %q", what, inputtext.Clip(s, 32))
	}
	return id, nil
}

// workNotice is the message of a redirect's ?notice=work.notice.… — only
// this part's notices, so a link cannot put arbitrary words on a page.
func workNotice(r *http.Request, l *Locale) string {
	k := r.URL.Query().Get("notice")
	if !strings.HasPrefix(k, "work.notice.") {
		return ""
	}
	if _, ok := l.msgs[k]; !ok {
		return ""
	}
	return l.T(k)
}

// formError is what a form that failed says above the page and its
// status: the compliance guard's rule and reason for a refused contact,
// else the engine's own message. ok is false for an error that is not the
// form's (not found, internal), which the error page shows instead.
func formError(l *Locale, err error) (msg string, status int, ok bool) {
	var refused *store.RefusedError
	if errors.As(err, &refused) {
		msg = l.T("work.guard.refused", refused.Rule, refused.Reason)
		if !refused.Next.IsZero() {
			msg += " " + l.T("work.guard.next", refused.Next.Format("2006-01-02 15:04 -07:00"))
		}
		return msg, http.StatusConflict, true
	}
	switch daihou.ErrorCode(err) {
	case daihou.EINVALID:
		return daihou.ErrorMessage(err), http.StatusUnprocessableEntity, true
	case daihou.ECONFLICT:
		return daihou.ErrorMessage(err), http.StatusConflict, true
	case daihou.EUNAUTHORIZED:
		return daihou.ErrorMessage(err), http.StatusForbidden, true
	}
	return "", 0, false
}

// reshow renders a form's page again with what went wrong above it, or
// the error page when the page itself cannot be built or the error is not
// the form's.
func (c *Console) reshow(w http.ResponseWriter, r *http.Request, s *Session, err error, build func() (*Page, error)) {
	msg, status, ok := formError(s.Locale, err)
	if !ok {
		c.fail(w, r, s.Locale, err)
		return
	}
	p, berr := build()
	if berr != nil {
		c.fail(w, r, s.Locale, berr)
		return
	}
	p.Error, p.Status = msg, status
	c.render(w, r, status, &view{Locale: s.Locale, Page: p, S: s})
}

// done sends the browser on after a form that went well, with a notice.
func done(w http.ResponseWriter, r *http.Request, path, notice string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"notice="+notice, http.StatusSeeOther)
}
