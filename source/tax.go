package source

import (
	"fmt"

	"daihou/money"
	"daihou/signal"
)

// tax reads the borrower's (or the borrower's business's) tax filings
// (纳税申报): whether a period was filed, and the tax overdue (欠税).
type tax struct{}

var taxFields = []Field{
	{Name: "period", Kind: Month, Required: true, Doc: "the tax period (所属期), its month; not after the month of the record's date"},
	{Name: "status", Kind: Enum, Required: true, Values: []string{"filed", "late", "unpaid"},
		Doc: "filed: filed and paid on time (按期申报); late: filed after the deadline (逾期申报); unpaid: tax is owed (欠缴)"},
	{Name: "arrears", Kind: Amount, Doc: "the tax overdue (欠税金额); absent or 0 when filed, required when late (0 if paid since), above 0 when unpaid"},
}

func (tax) Name() string    { return signal.Tax }
func (tax) Title() string   { return "Tax filings 税务" }
func (tax) Fields() []Field { return taxFields }
func (tax) about() string {
	return "One record per tax period and report; its date is the date of the report."
}
func (tax) yields() []yield {
	return []yield{{signal.TaxArrears, "`arrears` in fen, 0 when `filed` or not given"}}
}

// Signals gives the tax overdue as of the report. It is dated the
// report's date rather than the period's, because arrears are a
// balance outstanding now, not a figure of the period.
func (a tax) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	period := v.month("period")
	status := v.enum("status")
	arrears, has := v.optAmount("arrears", false)
	if v.ok() {
		switch {
		case period.MonthIndex() > r.Date.MonthIndex():
			v.fail("period", fmt.Sprintf("is %s, after the month of the record's date %s: a period is reported in or after it; check period and date",
				period.String()[:7], r.Date))
		case status == "filed" && arrears > 0:
			v.fail("arrears", fmt.Sprintf("is %s with status filed: a period filed and paid owes nothing; set status to late or unpaid, or correct arrears", money.Amount(arrears)))
		case status != "filed" && !has:
			v.fail("arrears", "required when status is "+status+": give the tax overdue (0 if a late filing has been paid since); "+amountForm)
		case status == "unpaid" && arrears == 0:
			v.fail("arrears", "is 0 with status unpaid: give the tax overdue, or set status to filed or late")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return []signal.Signal{v.signal(signal.TaxArrears, arrears)}, nil
}
