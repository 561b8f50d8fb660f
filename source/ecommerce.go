package source

import (
	"fmt"

	"daihou/money"
	"daihou/signal"
)

// ecommerce reads the borrower's spending on e-commerce platforms
// (电商消费), summed over a period: a sharp change in spending tells of
// a change in means.
type ecommerce struct{}

var ecommerceFields = []Field{
	{Name: "orders", Kind: Int, Required: true, Doc: "orders placed in the period (订单数)"},
	{Name: "spend", Kind: Amount, Required: true, Doc: "the amount spent on them (消费金额); 0 when orders is 0"},
}

func (ecommerce) Name() string    { return signal.Ecommerce }
func (ecommerce) Title() string   { return "E-commerce orders 电商" }
func (ecommerce) Fields() []Field { return ecommerceFields }
func (ecommerce) about() string {
	return "One record per borrower and period (a day, a week, a month); its date is the last day of the period."
}
func (ecommerce) yields() []yield {
	return []yield{{signal.Spend, "`spend` in fen"}}
}

// Signals gives the period's spending, dated the period's last day.
func (a ecommerce) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	orders, spend := v.int("orders"), v.amount("spend")
	if v.ok() && orders == 0 && spend > 0 {
		v.fail("spend", fmt.Sprintf("is %s with orders 0: money is spent on some order; correct orders or spend", money.Amount(spend)))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return []signal.Signal{v.signal(signal.Spend, spend)}, nil
}
