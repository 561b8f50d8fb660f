package console

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/loanview"
)

// LoanReveal answers POST /console/loans/{id}/reveal: the borrower's
// personal data unmasked, for the roles that may see it, recorded in the
// audit trail with the reason given (the store's RevealBorrower, in the
// transaction that reads the data). The plain values are on this answer
// alone: reloading the 360° page shows them masked again. A role that may
// not reveal is refused (403) and nothing is recorded as revealed.
func (c *Console) LoanReveal(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	l, err := loanview.Find(r.Context(), c.DB, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	// A role that may not reveal is refused before its reason is read.
	if err := c.DB.Authorize(r.Context(), auth.RevealPersonalData, l.ID); err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	reason := r.PostFormValue("reason")
	// The answer is the loan's page: its export links and the language
	// switch go back to it, not to this form.
	r.URL.Path = loanPath(l.ID)
	b, err := c.DB.RevealBorrower(r.Context(), l.ID, reason)
	if daihou.ErrorCode(err) == daihou.EINVALID {
		p, perr := c.loanShow(r, s, nil, reason)
		if perr != nil {
			c.fail(w, r, s.Locale, perr)
			return
		}
		p.Error, p.Status = daihou.ErrorMessage(err), http.StatusUnprocessableEntity
		c.render(w, r, p.Status, &view{Locale: s.Locale, Page: p, S: s})
		return
	}
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	p, err := c.loanShow(r, s, &b, reason)
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	p.Notice = s.Locale.T("loan.reveal.done")
	// Plain personal data must not linger in a cache or the history.
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, http.StatusOK, &view{Locale: s.Locale, Page: p, S: s})
}
