package auth

// postActions maps the ledger's transaction kinds (servicing.TxKind) to
// the action of posting one.
var postActions = map[string]Action{
	"repayment":   PostRepayment,
	"reversal":    PostReversal,
	"waiver":      PostWaiver,
	"write-off":   PostWriteOff,
	"recovery":    PostRecovery,
	"fee":         PostFee,
	"restructure": PostRestructure,
}

// PostAction returns the action of posting a ledger transaction of kind
// (repayment, reversal, waiver, write-off, recovery, fee, restructure);
// false for any other kind — a disbursement is never posted, it comes
// with the loan.
func PostAction(kind string) (Action, bool) {
	a, ok := postActions[kind]
	return a, ok
}
