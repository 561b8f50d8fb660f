package console

import (
	"net/http"
	"net/url"

	"daihou/auth"
	"daihou/loanview"
)

// paymentView is what the payment form shows: the loan's essentials and
// what the user typed, when the form comes back.
type paymentView struct {
	Loan     *loanview.View
	Business string
	Form     url.Values
}

// PaymentForm answers GET /console/loans/{id}/payment: the form that
// posts a repayment on the loan, for a user who may post one on it.
func (c *Console) PaymentForm(r *http.Request, s *Session) (*Page, error) {
	p, err := c.paymentPage(r, nil)
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

func (c *Console) paymentPage(r *http.Request, form url.Values) (*Page, error) {
	ctx := r.Context()
	v, err := loanview.Build(ctx, c.DB, r.PathValue("id"), 0)
	if err != nil {
		return nil, err
	}
	if err := c.DB.Authorize(ctx, auth.PostRepayment, v.Loan.ID); err != nil {
		return nil, err
	}
	if form == nil {
		form = url.Values{"value_date": {v.Business.String()}}
	}
	return &Page{Name: "payment", Title: "work.payment.title", Data: paymentView{Loan: v, Business: v.Business.String(), Form: form}}, nil
}
