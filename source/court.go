package source

import (
	"daihou/signal"
)

// court reads court enforcement records (法院执行): cases filed against
// the borrower and closed, and the list of dishonest judgment debtors
// (失信被执行人名单), as published by the courts.
type court struct{}

var courtFields = []Field{
	{Name: "event", Kind: Enum, Required: true, Values: []string{"case_filed", "case_closed", "listed", "delisted"},
		Doc: "case_filed: a case against the borrower is filed (立案); case_closed: it is closed (结案); " +
			"listed: the borrower is put on the dishonest-debtor list (纳入失信被执行人名单); delisted: taken off it (移出)"},
	{Name: "case_no", Kind: Text, Required: true, Doc: "the court's case number (案号), e.g. (2026)京0105执1234号"},
	{Name: "amount", Kind: Amount, Doc: "the amount at stake (执行标的), when the court publishes it"},
}

func (court) Name() string { return signal.Court }
func (court) Title() string {
	return "Court enforcement and dishonest-debtor list 法院执行 / 失信被执行人"
}
func (court) Fields() []Field { return courtFields }
func (court) about() string {
	return "One record per event of one case; its date is the date of the event (filing, closing, listing)."
}
func (court) yields() []yield {
	return []yield{
		{signal.CourtCase, "+1 for `case_filed`, -1 for `case_closed`"},
		{signal.Dishonest, "1 for `listed`, 0 for `delisted`"},
	}
}

// Signals gives one signal for the event. A case counts +1 when filed
// and -1 when closed, so that the facts can count the cases open without
// matching each closing to its filing.
func (a court) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	event := v.enum("event")
	v.text("case_no", true)
	v.optAmount("amount", false)
	if err := v.err(); err != nil {
		return nil, err
	}
	var s signal.Signal
	switch event {
	case "case_filed":
		s = v.signal(signal.CourtCase, 1)
	case "case_closed":
		s = v.signal(signal.CourtCase, -1)
	case "listed":
		s = v.signal(signal.Dishonest, 1)
	case "delisted":
		s = v.signal(signal.Dishonest, 0)
	}
	return []signal.Signal{s}, nil
}
