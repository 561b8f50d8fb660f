package auth

import (
	"errors"
	"strings"

	"daihou"
)

// Action is one thing an actor can do in daihou. The list is closed: Can
// denies any action that is not in the matrix.
type Action string

// Actions on one loan: the resource is a Loan and the actor's scope must
// contain it.
const (
	// ReadLoan shows a loan: schedule, transactions, state, signals,
	// tasks, with personal data masked by role (package pii).
	ReadLoan Action = "loan.read"
	// RevealPersonalData shows a borrower's name, ID number, phone or
	// address unmasked. Each reveal is an audited act.
	RevealPersonalData Action = "pii.reveal"
	// PostRepayment posts a repayment (还款).
	PostRepayment Action = "repayment.post"
	// PostReversal reverses a repayment (冲正).
	PostReversal Action = "reversal.post"
	// PostWaiver posts a waiver or reduction (减免) decided outside
	// daihou; inside it a waiver is proposed and decided.
	PostWaiver Action = "waiver.post"
	// PostWriteOff posts a write-off (核销) decided outside daihou.
	PostWriteOff Action = "writeoff.post"
	// PostRecovery posts a recovery after write-off.
	PostRecovery Action = "recovery.post"
	// PostFee posts a fee.
	PostFee Action = "fee.post"
	// PostRestructure posts a restructuring (重组) decided outside daihou.
	PostRestructure Action = "restructure.post"

	// ProposeOverride proposes a classification above the regulatory floor.
	ProposeOverride Action = "override.propose"
	// DecideOverride approves or rejects a proposed override.
	DecideOverride Action = "override.decide"
	// ProposeWaiver proposes a waiver (减免).
	ProposeWaiver Action = "waiver.propose"
	// DecideWaiver approves or rejects a proposed waiver.
	DecideWaiver Action = "waiver.decide"
	// ProposeWriteOff proposes a write-off (核销).
	ProposeWriteOff Action = "writeoff.propose"
	// DecideWriteOff approves or rejects a proposed write-off.
	DecideWriteOff Action = "writeoff.decide"
	// ProposeRestructure proposes a restructuring (重组).
	ProposeRestructure Action = "restructure.propose"
	// DecideRestructure approves or rejects a proposed restructuring.
	DecideRestructure Action = "restructure.decide"

	// RecordCollection records a contact attempt, its outcome or a
	// promise to pay (承诺还款).
	RecordCollection Action = "collection.record"
	// AssignCollection assigns a loan's collection work to a collector,
	// a lawyer or an agency.
	AssignCollection Action = "collection.assign"
	// RecordLegal records litigation and asset preservation (诉讼保全).
	RecordLegal Action = "legal.record"
	// HandleWarning acknowledges, escalates or resolves a warning (预警)
	// raised on a loan.
	HandleWarning Action = "warning.handle"
)

// Actions on the whole book: the resource is Book and the actor needs a
// role that sees every loan.
const (
	// ImportLoans imports a loans file (贷款台账).
	ImportLoans Action = "import.loans"
	// ImportPayments imports a payments file (还款流水).
	ImportPayments Action = "import.payments"
	// IngestSignals takes in external data about borrowers (征信, court
	// lists, social security …) as signals.
	IngestSignals Action = "signal.ingest"
	// RunEOD runs close of business (日终批处理).
	RunEOD Action = "eod.run"
	// ReadReport reads portfolio reports and dashboards and exports them.
	ReadReport Action = "report.read"
	// TrainModel trains a scoring model on the book's history.
	TrainModel Action = "model.train"
	// RegisterModel adds a trained model to the registry.
	RegisterModel Action = "model.register"
	// PromoteModel makes a registered model the champion of its segment.
	PromoteModel Action = "model.promote"
	// ReadModels reads the model registry and its monitoring.
	ReadModels Action = "model.read"
	// ReadRules reads warning rules, strategies and SOP timelines.
	ReadRules Action = "rule.read"
	// ManageRules edits, back-tests and switches on warning rules,
	// strategies and SOP timelines.
	ManageRules Action = "rule.manage"
	// ReadAudit reads the audit trail.
	ReadAudit Action = "audit.read"
	// VerifyAudit verifies the audit trail's hash chain.
	VerifyAudit Action = "audit.verify"
)

// Actions on the system itself, which touch no loan: the resource is
// System.
const (
	// ReadProducts reads product definitions.
	ReadProducts Action = "product.read"
	// ManageProducts creates and changes products.
	ManageProducts Action = "product.manage"
	// ReadUsers lists users, their roles and scopes, and tokens (never a
	// secret).
	ReadUsers Action = "user.read"
	// ManageUsers creates, changes and disables users and their roles.
	ManageUsers Action = "user.manage"
	// ManageTokens issues and revokes API tokens.
	ManageTokens Action = "token.manage"
	// ReadConfig reads the configuration.
	ReadConfig Action = "config.read"
	// ChangeConfig changes the configuration.
	ChangeConfig Action = "config.change"
	// RotateKeys adds a personal-data key, re-encrypts under it and
	// retires the old one (daihou key rotate).
	RotateKeys Action = "key.rotate"
)

// ErrUnknownAction is returned (inside a daihou.Error with code EINVALID)
// by ParseAction for a name that is not an action.
var ErrUnknownAction = errors.New("unknown action")

// Actions returns every action, in the order of the matrix's rows.
func Actions() []Action {
	out := make([]Action, len(matrix))
	for i, g := range matrix {
		out[i] = g.action
	}
	return out
}

// Valid reports whether a is one of the actions daihou knows.
func (a Action) Valid() bool { return grantOf(a) != nil }

// Target returns the kind of resource a applies to; "" for an unknown
// action.
func (a Action) Target() ResourceKind {
	if g := grantOf(a); g != nil {
		return g.target
	}
	return ""
}

// ParseAction returns the action named s (surrounding space and case
// ignored).
func ParseAction(s string) (Action, error) {
	a := Action(strings.ToLower(strings.TrimSpace(s)))
	if !a.Valid() {
		return "", daihou.Errorf(daihou.EINVALID, "%w %q: actions are named like loan.read or writeoff.propose; see auth.Actions", ErrUnknownAction, s)
	}
	return a, nil
}
