package collection

import (
	"fmt"
	"slices"
	"strings"

	"daihou"
)

// Kind is what a task asks for.
type Kind string

// The kinds of task.
const (
	Revisit          Kind = "revisit"           // 电话回访: a care call after disbursement
	BureauCheck      Kind = "bureau-check"      // 征信比对: the latest bureau report against the one at disbursement
	Inspection       Kind = "inspection"        // 贷后检查: a periodic post-loan inspection
	Preliminary      Kind = "preliminary"       // 初步催收: the start of preliminary collection
	WarningCheck     Kind = "warning-check"     // 预警核实: verify a warning with the borrower
	SMS              Kind = "sms"               // 短信提醒
	AIVoice          Kind = "ai-voice"          // 智能语音提醒
	Email            Kind = "email"             // 邮件提醒
	Call             Kind = "call"              // 人工电催
	Visit            Kind = "visit"             // 上门催收
	LegalLetter      Kind = "legal-letter"      // 律师函
	Outsource        Kind = "outsource"         // 委外催收
	RestructureOffer Kind = "restructure-offer" // 重组方案
	Litigation       Kind = "litigation"        // 诉讼保全
	WriteOffProposal Kind = "writeoff-proposal" // 核销申请
)

type kindInfo struct {
	channel string // automated channel, "" for a person
	role    string // the role whose queue takes it
	sla     int    // days to do it
	zh      string
}

var kinds = map[Kind]kindInfo{
	Revisit:          {"", "account-manager", 5, "电话回访"},
	BureauCheck:      {"", "account-manager", 5, "征信比对"},
	Inspection:       {"", "account-manager", 10, "贷后检查"},
	Preliminary:      {"", "collector", 3, "初步催收"},
	WarningCheck:     {"", "account-manager", 3, "预警核实"},
	SMS:              {"sms", "", 1, "短信提醒"},
	AIVoice:          {"ai-voice", "", 1, "智能语音"},
	Email:            {"email", "", 1, "邮件提醒"},
	Call:             {"", "collector", 2, "人工电催"},
	Visit:            {"", "collector", 7, "上门催收"},
	LegalLetter:      {"", "legal", 5, "律师函"},
	Outsource:        {"", "agency", 30, "委外催收"},
	RestructureOffer: {"", "collector", 10, "重组方案"},
	Litigation:       {"", "legal", 30, "诉讼保全"},
	WriteOffProposal: {"", "risk-officer", 15, "核销申请"},
}

// Kinds lists every kind, sorted.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.TrimSpace(s))
	if _, ok := kinds[k]; !ok {
		return "", daihou.Invalid("kind", "kind %q: want one of %s", clip(s), kindList())
	}
	return k, nil
}

func kindList() string {
	ks := Kinds()
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}

// Channel returns the automated channel that does a task of kind k (sms,
// ai-voice, email), or Person when a person does it.
func (k Kind) Channel() string {
	if c := kinds[k].channel; c != "" {
		return c
	}
	return Person
}

// Person is the channel of a task a person does.
const Person = "person"

// Automated reports whether a channel, not a person, does tasks of kind k.
func (k Kind) Automated() bool { return kinds[k].channel != "" }

// ContactChannel returns the channel (as package compliance names them) a
// task of kind k reaches the borrower by — call, visit, letter, sms,
// ai-voice, email — or "" for work that contacts nobody: a credit-report
// comparison, placing with an agency, a restructuring offer drawn up, a
// suit, a write-off proposal.
func (k Kind) ContactChannel() string {
	switch k {
	case Revisit, Preliminary, WarningCheck, Call:
		return "call"
	case Inspection, Visit:
		return "visit"
	case LegalLetter:
		return "letter"
	case SMS, AIVoice, Email:
		return string(k)
	}
	return ""
}

// Role returns the role whose queue takes tasks of kind k: "collector",
// "account-manager", "legal", "risk-officer", "agency" (an outsourcing
// agency), or "" for an automated channel.
func (k Kind) Role() string { return kinds[k].role }

// SLA returns the days a task of kind k has before it is overdue and
// escalates.
func (k Kind) SLA() int { return kinds[k].sla }

// Chinese returns the kind's Chinese name.
func (k Kind) Chinese() string { return kinds[k].zh }

// Outcome is what came of a task or a contact.
type Outcome string

// The outcomes.
const (
	NoAnswer    Outcome = "no-answer"    // 无人接听
	WrongNumber Outcome = "wrong-number" // 号码错误
	Promise     Outcome = "promise"      // 承诺还款
	Refused     Outcome = "refused"      // 拒绝还款
	Dispute     Outcome = "dispute"      // 有异议
	Hardship    Outcome = "hardship"     // 困难
	Complaint   Outcome = "complaint"    // 投诉
	Paid        Outcome = "paid"         // 已还款
	Done        Outcome = "done"         // a check or visit done, with notes
	Delivered   Outcome = "delivered"    // a text delivered
	Failed      Outcome = "failed"       // could not be delivered or placed
)

var outcomes = []Outcome{NoAnswer, WrongNumber, Promise, Refused, Dispute, Hardship, Complaint, Paid, Done, Delivered, Failed}

// ParseOutcome returns the outcome named s.
func ParseOutcome(s string) (Outcome, error) {
	o := Outcome(strings.TrimSpace(s))
	if !slices.Contains(outcomes, o) {
		parts := make([]string, len(outcomes))
		for i, x := range outcomes {
			parts[i] = string(x)
		}
		return "", daihou.Invalid("outcome", "outcome %q: want one of %s", clip(s), strings.Join(parts, ", "))
	}
	return o, nil
}

// Connected reports whether an outcome means someone answered.
func (o Outcome) Connected() bool {
	switch o {
	case Promise, Refused, Dispute, Hardship, Complaint, Paid, Done, WrongNumber:
		return true
	}
	return false
}

// RightParty reports whether an outcome means the debtor was reached.
func (o Outcome) RightParty() bool {
	switch o {
	case Promise, Refused, Dispute, Hardship, Complaint, Paid, Done:
		return true
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// errorf is fmt.Errorf for this package's invalid configurations.
func invalid(field, format string, args ...any) error {
	return daihou.Invalid(field, "%s", fmt.Sprintf(format, args...))
}
