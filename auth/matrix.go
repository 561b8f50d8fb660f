package auth

import "slices"

// grant is one row of the matrix: an action, the kind of resource it
// applies to, and the roles that may take it.
type grant struct {
	action Action
	target ResourceKind
	roles  []Role
}

// Short names for the columns, so that the table reads as a table.
const (
	am  = AccountManager
	col = Collector
	ro  = RiskOfficer
	leg = Legal
	mgr = Manager
	aud = Auditor
	adm = Admin
	itg = Integration
	eod = SystemEOD
	imp = SystemImport
	wh  = SystemWebhook
)

// matrix is the role × action table, the only place that grants anything.
// Least privilege: each role has what its work needs and nothing more. In
// particular a collector posts nothing but records contacts and proposes a
// waiver on its own loans; an auditor reads everything and changes nothing
// (and sees personal data masked); an admin runs the system but reads no
// loan; a token has only what its role grants. Waivers, write-offs and
// restructurings are proposed and decided inside daihou (maker-checker); the
// Post… actions for them are for facts decided upstream and sent by core
// banking, so only integration holds them.
var matrix = []grant{
	{ReadLoan, ResourceLoan, []Role{am, col, ro, leg, mgr, aud, itg}},
	// Masked views serve everyone's daily work; plain text is for those who
	// must contact or sue the borrower, one audited reveal at a time.
	{RevealPersonalData, ResourceLoan, []Role{am, leg}},
	{PostRepayment, ResourceLoan, []Role{am, itg, wh}},
	{PostReversal, ResourceLoan, []Role{am, itg}},
	{PostWaiver, ResourceLoan, []Role{itg}},
	{PostWriteOff, ResourceLoan, []Role{itg}},
	{PostRecovery, ResourceLoan, []Role{leg, itg}},
	{PostFee, ResourceLoan, []Role{am, itg}},
	{PostRestructure, ResourceLoan, []Role{itg}},

	// The 2023 classification rules let a risk officer raise a class; a
	// second risk officer or a manager signs it.
	{ProposeOverride, ResourceLoan, []Role{ro}},
	{DecideOverride, ResourceLoan, []Role{ro, mgr}},
	// Collectors negotiate settlements, so they may propose a waiver on
	// their loans; only risk or management decides it.
	{ProposeWaiver, ResourceLoan, []Role{am, col, leg}},
	{DecideWaiver, ResourceLoan, []Role{ro, mgr}},
	// A write-off (核销) takes a loss: management alone decides it.
	{ProposeWriteOff, ResourceLoan, []Role{am, ro, leg}},
	{DecideWriteOff, ResourceLoan, []Role{mgr}},
	{ProposeRestructure, ResourceLoan, []Role{am, ro}},
	{DecideRestructure, ResourceLoan, []Role{ro, mgr}},

	// Whoever works a task records what came of it: the collector and the
	// account manager their contacts, risk the write-off proposals, legal
	// the letters and suits; wh: a channel's results (POST
	// /api/v1/channels/{channel}/results).
	{RecordCollection, ResourceLoan, []Role{am, col, ro, leg, wh}},
	{AssignCollection, ResourceLoan, []Role{mgr}},
	// Legal works its cases; a manager, who assigns them, may open one
	// and record on it too.
	{RecordLegal, ResourceLoan, []Role{leg, mgr}},
	// A warning is handled by whoever works the loan: its account manager
	// or collector, risk, legal, management.
	{HandleWarning, ResourceLoan, []Role{am, col, ro, leg, mgr}},

	// Imports and close of business are machinery: integrations and
	// system actors run them, an admin may run them by hand. None of them
	// reads a loan back to the person who started them.
	{ImportLoans, ResourceBook, []Role{adm, itg, imp}},
	{ImportPayments, ResourceBook, []Role{adm, itg, imp}},
	{IngestSignals, ResourceBook, []Role{itg, imp, wh}},
	{RunEOD, ResourceBook, []Role{adm, eod}},
	{ReadReport, ResourceBook, []Role{ro, mgr, aud}},
	{TrainModel, ResourceBook, []Role{ro}},
	{RegisterModel, ResourceBook, []Role{ro}},
	{PromoteModel, ResourceBook, []Role{ro}},
	{ReadModels, ResourceBook, []Role{ro, mgr, aud}},
	{ReadRules, ResourceBook, []Role{ro, mgr, aud}},
	{ManageRules, ResourceBook, []Role{ro}},
	// The trail names every actor and object; reading it is the
	// auditor's work and no one else's.
	{ReadAudit, ResourceBook, []Role{aud}},
	{VerifyAudit, ResourceBook, []Role{aud}},

	{ReadProducts, ResourceSystem, []Role{am, col, ro, leg, mgr, aud, adm, itg}},
	{ManageProducts, ResourceSystem, []Role{adm}},
	{ReadUsers, ResourceSystem, []Role{adm, aud}},
	{ManageUsers, ResourceSystem, []Role{adm}},
	{ManageTokens, ResourceSystem, []Role{adm}},
	{ReadConfig, ResourceSystem, []Role{ro, mgr, aud, adm}},
	{ChangeConfig, ResourceSystem, []Role{adm}},
	{RotateKeys, ResourceSystem, []Role{adm}},
}

// grants indexes the matrix by action: Can runs on every request.
var grants = func() map[Action]*grant {
	m := make(map[Action]*grant, len(matrix))
	for i := range matrix {
		m[matrix[i].action] = &matrix[i]
	}
	return m
}()

func grantOf(a Action) *grant { return grants[a] }

// Granted reports whether role r may take action a (on resources within
// its scope).
func Granted(r Role, a Action) bool {
	g := grantOf(a)
	return g != nil && slices.Contains(g.roles, r)
}

// GrantedTo returns the roles that may take action a, in the matrix's
// order; nil for an unknown action.
func GrantedTo(a Action) []Role {
	if g := grantOf(a); g != nil {
		return slices.Clone(g.roles)
	}
	return nil
}
