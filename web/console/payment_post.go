package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/loanview"
	"daihou/servicing"
	"daihou/store"
	"daihou/web/api"
)

// PaymentPost answers POST /console/loans/{id}/payments: one repayment,
// whose reference (the bank's transaction number) is its idempotency
// key, as the API's Idempotency-Key is — the same payment sent again
// posts nothing, the reference reused for another payment is refused.
func (c *Console) PaymentPost(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	ctx := r.Context()
	f := r.PostForm
	back := func(err error) {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.paymentPage(r, f) })
	}
	l, err := loanview.Find(ctx, c.DB, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	t, err := parsePayment(f)
	if err != nil {
		back(err)
		return
	}
	t.LoanID = l.ID
	_, dup, err := c.DB.PostShared(ctx, t)
	if errors.Is(err, store.ErrLoanNotFound) {
		err = loanview.NotFound(r.PathValue("id"))
	}
	if err != nil {
		back(err)
		return
	}
	notice := "work.notice.payment"
	if dup {
		notice = "work.notice.payment_dup"
	}
	done(w, r, "/console/loans/"+strconv.FormatInt(l.ID, 10)+"/payment", notice)
}

// parsePayment reads the payment form, each mistake naming its field,
// with the API's bounds.
func parsePayment(f map[string][]string) (servicing.Tx, error) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	t := servicing.Tx{Kind: servicing.Repayment, Channel: get("channel"), Reference: get("reference")}
	a, err := api.ParseAmount(get("amount"))
	if err != nil {
		return t, daihou.Invalid("amount", "%v", err)
	}
	t.Amount = a
	if s := get("value_date"); s != "" {
		if t.ValueDate, err = civil.Parse(s); err != nil {
			return t, daihou.Invalid("value_date", "value_date: want a date YYYY-MM-DD, not %q", inputtext.Clip(s, 32))
		}
	}
	if err := api.CheckChannel(t.Channel); err != nil {
		return t, err
	}
	// The reference is the ledger's idempotency key: required, so that a
	// form sent twice posts once.
	if !api.SaneReference(t.Reference) {
		return t, daihou.Invalid("reference", "reference: required, the bank's transaction number — 1 to 64 printable ASCII characters without spaces — so that a payment sent twice posts once")
	}
	return t, nil
}
