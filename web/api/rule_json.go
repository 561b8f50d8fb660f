package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"daihou"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/store"
	"daihou/warning"
)

// The JSON of early warning (风险预警): rules, warnings and the judge's
// numbers, as the API answers them and 'daihou rule|warning … --json'
// prints them, so that a script reads one shape from either.

// Rule is one version of a warning rule.
type Rule struct {
	Code        string `json:"code"`
	Version     int    `json:"version"`
	Name        string `json:"name"`
	Expr        string `json:"expr"`
	Severity    string `json:"severity"`    // red, orange or yellow
	SeverityZH  string `json:"severity_zh"` // 红, 橙 or 黄
	Cooldown    int    `json:"cooldown"`
	Owner       string `json:"owner"`
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
}

// RuleOf returns r as JSON shows it.
func RuleOf(r warning.Rule) Rule {
	return Rule{Code: r.Code, Version: r.Version, Name: r.Name, Expr: r.Expr, Severity: r.Severity.String(), SeverityZH: r.Severity.Chinese(),
		Cooldown: r.Cooldown, Owner: r.Owner, Enabled: r.Enabled, Description: r.Description}
}

// RulesOf returns rs as JSON shows them, [] for none.
func RulesOf(rs []warning.Rule) []Rule {
	out := make([]Rule, len(rs))
	for i, r := range rs {
		out[i] = RuleOf(r)
	}
	return out
}

// RuleRequest is a rule as it is written: the body of PUT
// /api/v1/rules/{code}, a draft of a back-test, an entry of the file
// 'daihou rule put' reads. The version is the store's to give.
type RuleRequest struct {
	// Code is the rule's code: optional in a PUT, whose path names it
	// (and must then be the same), required elsewhere.
	Code     string `json:"code,omitempty"`
	Name     string `json:"name"`
	Expr     string `json:"expr"`
	Severity string `json:"severity"` // red, orange, yellow or 红, 橙, 黄
	Cooldown int    `json:"cooldown"` // days
	Owner    string `json:"owner"`    // the role that handles its warnings
	// Enabled left out keeps the rule as it is, on or off; a new rule is
	// then off until it is switched on.
	Enabled     *bool  `json:"enabled,omitempty"`
	Description string `json:"description"`
}

// Rule returns the rule req describes, with enabled standing for an
// Enabled left out. Everything but the severity is checked where the rule
// is compiled (warning.Compile), which names the field at fault.
func (req RuleRequest) Rule(enabled bool) (warning.Rule, error) {
	r := warning.Rule{Code: req.Code, Version: 1, Name: req.Name, Expr: req.Expr, Cooldown: req.Cooldown, Owner: req.Owner,
		Enabled: enabled, Description: req.Description}
	if req.Enabled != nil {
		r.Enabled = *req.Enabled
	}
	sev, err := warning.ParseSeverity(req.Severity)
	if err != nil {
		return r, daihou.Invalid("severity", "rule %q: severity: %v", inputtext.Clip(req.Code, 40), err)
	}
	r.Severity = sev
	return r, nil
}

// DecodeRules reads a file of rules: one RuleRequest or a list of them,
// JSON, unknown fields refused (a misspelt "expresion" must not leave a
// rule without its expression). A mistake is named by its line and
// column.
func DecodeRules(data []byte) ([]RuleRequest, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, daihou.Errorf(daihou.EINVALID, "the file is empty: want a rule {\"code\":…} or a list of them")
	}
	list := trimmed[0] == '['
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var out []RuleRequest
	var err error
	if list {
		err = dec.Decode(&out)
	} else {
		var one RuleRequest
		if err = dec.Decode(&one); err == nil {
			out = []RuleRequest{one}
		}
	}
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("something follows the rules: want one rule or one list")
		}
	}
	if err != nil {
		line, col := position(data, dec.InputOffset())
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col = position(data, syn.Offset)
		}
		return nil, daihou.Errorf(daihou.EINVALID, "%d:%d: %s", line, col, inputtext.Clip(err.Error(), 200))
	}
	if len(out) == 0 {
		return nil, daihou.Errorf(daihou.EINVALID, "the list holds no rule")
	}
	for i, r := range out {
		if r.Code == "" {
			return nil, daihou.Invalid("code", "rule %d of the file has no code", i+1)
		}
	}
	return out, nil
}

// position returns the 1-based line and column of byte offset off of data.
func position(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// RuleVersion is one version of a rule with who put it and when, as the
// audit trail of the rule records them.
type RuleVersion struct {
	Rule
	By string `json:"by,omitempty"`
	At string `json:"at,omitempty"` // RFC 3339, UTC
}

// RuleHistory is a rule: its latest version, the variables it reads and
// every version, newest first.
type RuleHistory struct {
	Rule     Rule          `json:"rule"`
	Vars     []string      `json:"vars"`
	Versions []RuleVersion `json:"versions"`
}

// Warning is one warning raised on one loan.
type Warning struct {
	ID         int64      `json:"id"`
	LoanID     int64      `json:"loan_id"`
	BorrowerID int64      `json:"borrower_id"`
	Rule       string     `json:"rule"`
	Version    int        `json:"version"`
	Severity   string     `json:"severity"`
	SeverityZH string     `json:"severity_zh"`
	Owner      string     `json:"owner"`
	Raised     civil.Date `json:"raised"`
	State      string     `json:"state"` // raised, acknowledged, escalated or resolved
	Reason     string     `json:"reason"`
	// Changed is the date of the latest move (the raising until one is
	// made), By who made it and Note what they said.
	Changed civil.Date `json:"changed"`
	By      string     `json:"by"`
	Note    string     `json:"note"`
}

// WarningOf returns w as JSON shows it.
func WarningOf(w warning.Warning) Warning {
	return Warning{ID: w.ID, LoanID: w.LoanID, BorrowerID: w.BorrowerID, Rule: w.Rule, Version: w.Version, Severity: w.Severity.String(),
		SeverityZH: w.Severity.Chinese(), Owner: w.Owner, Raised: w.Raised, State: w.State.String(), Reason: w.Reason,
		Changed: w.Changed, By: w.By, Note: w.Note}
}

// WarningsOf returns ws as JSON shows them, [] for none.
func WarningsOf(ws []warning.Warning) []Warning {
	out := make([]Warning, len(ws))
	for i, w := range ws {
		out[i] = WarningOf(w)
	}
	return out
}

// Ratio is a share with its numerator and denominator.
type Ratio struct {
	Num  int     `json:"num"`
	Den  int     `json:"den"`
	Rate float64 `json:"rate"` // num/den, 0 when den is 0
}

// Stat is the judge's numbers of one rule, or of the whole set (rule "").
type Stat struct {
	Rule     string `json:"rule"`
	Warnings int    `json:"warnings"`
	Loans    int    `json:"loans"`
	// Early90 and EarlyNPL are the early-identification rates (提前识别率)
	// of 90+ DPD and of 次级 substandard or worse; Hit30 and Hit90 the hit
	// rates (命中率) within warning.HitDays of the first warning.
	Early90  Ratio `json:"early_90"`
	EarlyNPL Ratio `json:"early_npl"`
	Hit30    Ratio `json:"hit_30"`
	Hit90    Ratio `json:"hit_90"`
}

// WarningReport is what warning.Judge finds: the numbers of the set and
// of each rule over the warnings raised in [from, to], outcomes known by
// as_of.
type WarningReport struct {
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	AsOf  civil.Date `json:"as_of"`
	Set   Stat       `json:"set"`
	Rules []Stat     `json:"rules"`
}

// ReportOf returns r as JSON shows it.
func ReportOf(r warning.Report) WarningReport {
	out := WarningReport{From: r.From, To: r.To, AsOf: r.AsOf, Set: statOf(r.Set), Rules: make([]Stat, len(r.Rules))}
	for i, s := range r.Rules {
		out.Rules[i] = statOf(s)
	}
	return out
}

func statOf(s warning.Stat) Stat {
	ratio := func(r warning.Ratio) Ratio { return Ratio{r.Num, r.Den, r.Rate()} }
	return Stat{Rule: s.Rule, Warnings: s.Warnings, Loans: s.Loans, Early90: ratio(s.Early90), EarlyNPL: ratio(s.EarlyNPL), Hit30: ratio(s.Hit30), Hit90: ratio(s.Hit90)}
}

// Backtest is what a rule set would have done over history, beside as
// many warnings raised at random on the same dates.
type Backtest struct {
	Report   WarningReport `json:"report"`
	Random   WarningReport `json:"random"`
	Warnings int           `json:"warnings"` // raised by the rules over the whole back-test
	Loans    int           `json:"loans"`    // in the book
}

// BacktestOf returns bt as JSON shows it.
func BacktestOf(bt store.Backtest) Backtest {
	return Backtest{Report: ReportOf(bt.Report), Random: ReportOf(bt.Random), Warnings: len(bt.Warnings), Loans: bt.Loans}
}

// DraftRules returns the rules of a back-test's drafts: each switched on,
// since a draft is back-tested to see what it would raise.
func DraftRules(drafts []RuleRequest) ([]warning.Rule, error) {
	out := make([]warning.Rule, 0, len(drafts))
	for i, d := range drafts {
		if d.Code == "" {
			return nil, daihou.Invalid("rules", "rules[%d]: a draft needs its code", i)
		}
		r, err := d.Rule(true)
		if err != nil {
			return nil, err
		}
		r.Enabled = true
		out = append(out, r)
	}
	return out, nil
}

// EnabledRules returns the rules of the book that are on.
func EnabledRules(rs []warning.Rule) []warning.Rule {
	var on []warning.Rule
	for _, r := range rs {
		if r.Enabled {
			on = append(on, r)
		}
	}
	return on
}
