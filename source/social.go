package source

import (
	"fmt"

	"daihou/civil"
	"daihou/signal"
)

// social reads social-security contributions (社保缴费): whether the
// borrower's employer paid a month's contribution, and on what base. A
// gap in contributions is one of the first signs of a lost job.
type social struct{}

var socialFields = []Field{
	{Name: "month", Kind: Month, Required: true, Doc: "the month the contribution is for (缴费月份); not after the month of the record's date"},
	{Name: "status", Kind: Enum, Required: true, Values: []string{"paid", "unpaid", "stopped"},
		Doc: "paid: the month was paid (已缴); unpaid: it is owed (欠缴); stopped: contributions have stopped (停缴, e.g. the borrower left the employer)"},
	{Name: "base", Kind: Amount, Doc: "the contribution base (缴费基数), the wage contributions are computed on; required, and above 0, when status is paid"},
}

func (social) Name() string    { return signal.Social }
func (social) Title() string   { return "Social-security contributions 社保" }
func (social) Fields() []Field { return socialFields }
func (social) about() string {
	return "One record per borrower and month; its date is the date the fund reported it."
}
func (social) yields() []yield {
	return []yield{{signal.SocialPaid, "`base` in fen when `paid`, 0 when `unpaid` or `stopped`; dated the last day of `month`"}}
}

// Signals gives the month's contribution, dated the last day of the
// month it is for, so that months line up however late they are
// reported. A paid month needs its base: the facts read a value of 0 as
// a month unpaid.
func (a social) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	month := v.month("month")
	status := v.enum("status")
	base, hasBase := v.optAmount("base", false)
	if v.ok() {
		switch {
		case month.MonthIndex() > r.Date.MonthIndex():
			v.fail("month", fmt.Sprintf("is %s, after the month of the record's date %s: a contribution is reported in or after its month; check month and date",
				month.String()[:7], r.Date))
		case status == "paid" && !hasBase:
			v.fail("base", "required when status is paid: give the contribution base; "+amountForm)
		case status == "paid" && base == 0:
			v.fail("base", "is 0 with status paid: a paid month has a base above 0 (a month with nothing paid is unpaid)")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	value := int64(0)
	if status == "paid" {
		value = base
	}
	y, m, _ := month.YMD()
	last := civil.New(y, m+1, 0) // day 0 of the next month is the last of this one
	return []signal.Signal{{Kind: signal.SocialPaid, Date: last, Value: value}}, nil
}
