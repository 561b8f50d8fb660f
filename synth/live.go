package synth

import "daihou/civil"

// tagDue seeds the draws of PaysDue.
const tagDue = 0x64756520 // "due "

// PaysDue says whether a borrower of profile p pays loan's installment due
// on due in full on the day (the withholding run finds the money). The chance to
// miss is the generator's monthly one for the product and the borrower's
// risk, so a simulator carrying a generated book on past its history
// (daihou demo's last weeks) keeps the history's arrears rates. The answer
// depends only on seed, p, loan, product and due: asking again on a later
// day gives the same.
func PaysDue(seed uint64, p Profile, loan int64, product string, due civil.Date) bool {
	kind := consumer
	switch product {
	case "SME":
		kind = sme
	case "MORTGAGE":
		kind = mortgage
	}
	r := profileStreams.Get().(*stream)
	defer profileStreams.Put(r)
	r.seed(seed^uint64(due)<<20, tagDue, int(loan))
	return !r.chance(sigmoid(missLogit[kind] + 0.85*p.Risk))
}
