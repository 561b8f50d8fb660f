package source

import (
	"fmt"

	"daihou/money"
	"daihou/signal"
)

// utility reads the payment status of the borrower's water, electricity
// and gas accounts (水电燃气缴费): arrears on them come before arrears on
// a loan, more often than not.
type utility struct{}

var utilityFields = []Field{
	{Name: "utility", Kind: Enum, Required: true, Values: []string{"water", "electricity", "gas"}, Doc: "which account: water (水), electricity (电), gas (燃气)"},
	{Name: "status", Kind: Enum, Required: true, Values: []string{"on_time", "arrears"}, Doc: "on_time: paid up (按时缴费); arrears: bills are overdue (欠费)"},
	{Name: "arrears", Kind: Amount, Doc: "the amount overdue (欠费金额); required, and above 0, when status is arrears; absent or 0 when on_time"},
}

func (utility) Name() string    { return signal.Utility }
func (utility) Title() string   { return "Water, electricity and gas 水电燃气" }
func (utility) Fields() []Field { return utilityFields }
func (utility) about() string {
	return "One record per account and statement; its date is the statement date."
}
func (utility) yields() []yield {
	return []yield{{signal.Arrears, "`arrears` in fen when `status` is `arrears`, 0 when `on_time`"}}
}

// Signals gives the arrears outstanding, 0 when paid on time, so that a
// statement paid up clears an earlier one's arrears.
func (a utility) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	v.enum("utility")
	status := v.enum("status")
	arrears, has := v.optAmount("arrears", false)
	if v.ok() {
		switch {
		case status == "arrears" && !has:
			v.fail("arrears", "required when status is arrears: give the amount overdue; "+amountForm)
		case status == "arrears" && arrears == 0:
			v.fail("arrears", "is 0 with status arrears: give the amount overdue, or set status to on_time")
		case status == "on_time" && arrears > 0:
			v.fail("arrears", fmt.Sprintf("is %s with status on_time: an account paid on time owes nothing; correct status or arrears", money.Amount(arrears)))
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return []signal.Signal{v.signal(signal.Arrears, arrears)}, nil
}
