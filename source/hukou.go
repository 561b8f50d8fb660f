package source

import (
	"daihou/signal"
)

// hukou reads the answer of an identity check against the household
// registration of the public security bureau (公安户籍 / 身份核查): does
// the identity the borrower gave exist as given, and is its holder alive.
type hukou struct{}

var hukouFields = []Field{
	{Name: "result", Kind: Enum, Required: true, Values: []string{"match", "mismatch", "deceased"},
		Doc: "match: the registry holds the identity as given (一致); mismatch: it does not (不一致); deceased: its holder is registered as deceased (已死亡)"},
}

func (hukou) Name() string    { return signal.Hukou }
func (hukou) Title() string   { return "Identity check against household registration 公安户籍" }
func (hukou) Fields() []Field { return hukouFields }
func (hukou) about() string {
	return "One record per check; its date is the date of the check."
}
func (hukou) yields() []yield {
	return []yield{
		{signal.Mismatch, "1 for `mismatch`, 0 for `match` and `deceased`"},
		{signal.Deceased, "1 for `deceased`, 0 for `match`; none for `mismatch`, which says nothing of it"},
	}
}

// Signals gives what the check says. A deceased holder is a match of the
// identity (the registry found it) that brings worse news, so it is
// Mismatch 0 with Deceased 1. A mismatch says nothing about whether the
// holder is alive — the registry found no such identity — so it yields no
// Deceased signal and leaves an earlier one standing.
func (a hukou) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	result := v.enum("result")
	if err := v.err(); err != nil {
		return nil, err
	}
	switch result {
	case "mismatch":
		return []signal.Signal{v.signal(signal.Mismatch, 1)}, nil
	case "deceased":
		return []signal.Signal{v.signal(signal.Mismatch, 0), v.signal(signal.Deceased, 1)}, nil
	}
	return []signal.Signal{v.signal(signal.Mismatch, 0), v.signal(signal.Deceased, 0)}, nil
}
