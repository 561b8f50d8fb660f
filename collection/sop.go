package collection

import (
	"fmt"
	"regexp"
	"strings"

	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
	"daihou/signal"
	"daihou/warning"
)

// Anchor is the date a SOP step counts its offset from.
type Anchor string

// The anchors.
const (
	FromDisbursement Anchor = "disbursement" // the loan's disbursement date
	FromOverdue      Anchor = "overdue"      // the first day of the current delinquency
	FromWarning      Anchor = "warning"      // the day the latest open warning was raised
)

// Step is one step of a SOP timeline: on Anchor + Offset days, when When
// holds, make a task of kind Action. A step whose day passed with the
// loan not looked at, or its condition false that day, may still be made
// for Window more days (default the kind's SLA); after that it is missed
// for that anchor.
type Step struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Anchor Anchor `json:"anchor"`
	Offset int    `json:"offset"`
	When   string `json:"when,omitempty"`
	Action Kind   `json:"action"`
	Window int    `json:"window,omitempty"`
}

// Inspections are the days between periodic post-loan inspections (贷后检查)
// by risk level (Input.Level): the riskier the loan, the more often it is
// inspected. Zero means no periodic inspection at that level.
type Inspections struct {
	Normal int `json:"normal"`
	Yellow int `json:"yellow"`
	Orange int `json:"orange"`
	Red    int `json:"red"`
}

func (i Inspections) every(l warning.Severity) int {
	switch l {
	case warning.Red:
		return i.Red
	case warning.Orange:
		return i.Orange
	case warning.Yellow:
		return i.Yellow
	}
	return i.Normal
}

// SOP is a product's timeline of post-loan steps (贷后 SOP). Code is the
// product it is for, or "*" for every product without its own.
type SOP struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Steps       []Step      `json:"steps"`
	Inspections Inspections `json:"inspections"`
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_*-]{1,40}$`)

// CompiledSOP is a SOP checked and with its conditions compiled.
type CompiledSOP struct {
	SOP
	when []*warning.Program
}

// CompileSOP checks s and compiles its conditions; every problem is named
// with the step it is in.
func CompileSOP(s SOP) (*CompiledSOP, error) {
	if !codeRE.MatchString(s.Code) {
		return nil, invalid("code", "SOP code %q: want a product code or *, letters, digits, _ and -, at most 40", clip(s.Code))
	}
	c := &CompiledSOP{SOP: s}
	seen := map[string]bool{}
	for i, st := range s.Steps {
		where := fmt.Sprintf("steps[%d]", i)
		if !codeRE.MatchString(st.Code) || strings.Contains(st.Code, "*") {
			return nil, invalid(where+".code", "%s: step code %q: want letters, digits, _ and -, at most 40", where, clip(st.Code))
		}
		if seen[st.Code] {
			return nil, invalid(where+".code", "%s: step code %q is used twice", where, st.Code)
		}
		seen[st.Code] = true
		switch st.Anchor {
		case FromDisbursement, FromOverdue, FromWarning:
		default:
			return nil, invalid(where+".anchor", "%s (%s): anchor %q: want disbursement, overdue or warning", where, st.Code, clip(string(st.Anchor)))
		}
		if st.Offset < 0 || st.Offset > 3650 {
			return nil, invalid(where+".offset", "%s (%s): offset %d: want 0 to 3650 days after the anchor", where, st.Code, st.Offset)
		}
		if st.Window < 0 || st.Window > 365 {
			return nil, invalid(where+".window", "%s (%s): window %d: want 0 to 365 days", where, st.Code, st.Window)
		}
		if _, err := ParseKind(string(st.Action)); err != nil {
			return nil, invalid(where+".action", "%s (%s): %v", where, st.Code, err)
		}
		p, err := warning.CompileCondition(st.Code, st.When)
		if err != nil {
			return nil, invalid(where+".when", "%s (%s): %v", where, st.Code, err)
		}
		c.when = append(c.when, p)
	}
	for _, d := range []int{s.Inspections.Normal, s.Inspections.Yellow, s.Inspections.Orange, s.Inspections.Red} {
		if d < 0 || d > 3650 {
			return nil, invalid("inspections", "inspections: %d days: want 0 (none) to 3650", d)
		}
	}
	return c, nil
}

func (st *Step) window() int {
	if st.Window > 0 {
		return st.Window
	}
	return st.Action.SLA()
}

// Plan returns the tasks the SOP asks for on in's date and the next date
// it needs the loan (zero for never): a step's day, the next inspection.
// Only an active loan has SOP tasks.
func (c *CompiledSOP) Plan(in *Input) (wants []Want, wake civil.Date) {
	date, s := in.Rule.Date, in.Rule.Snapshot
	if s.Status != servicing.StatusActive {
		return nil, 0
	}
	for i := range c.Steps {
		st := &c.Steps[i]
		var anchor civil.Date
		switch st.Anchor {
		case FromDisbursement:
			anchor = in.Rule.Loan.Disbursed
		case FromOverdue:
			anchor = in.FirstOverdue()
		case FromWarning:
			anchor = in.LatestWarning
		}
		if anchor == 0 {
			continue
		}
		day := anchor.AddDays(st.Offset)
		if date.Before(day) {
			wake = earliest(wake, day)
			continue
		}
		if date.After(day.AddDays(st.window())) {
			continue
		}
		if ok, _ := c.when[i].Eval(&in.Rule); !ok {
			continue
		}
		w := Want{Kind: st.Action, Origin: "sop:" + st.Code, Anchor: anchor, Template: st.Code}
		if st.Action == BureauCheck {
			var then *signal.Facts
			if in.AtDisbursement != nil {
				then = in.AtDisbursement()
			}
			w.Note = BureauComparison(then, in.Rule.Facts)
		}
		wants = append(wants, w)
	}
	if every := c.Inspections.every(in.Level()); every > 0 {
		last := in.Rule.Loan.Disbursed
		for i := range in.Tasks {
			if t := &in.Tasks[i]; t.Kind == Inspection && t.Anchor.After(last) {
				last = t.Anchor
			}
		}
		next := last.AddDays(every)
		if date.Before(next) {
			wake = earliest(wake, next)
		} else {
			wants = append(wants, Want{Kind: Inspection, Origin: "inspection", Anchor: date, Template: "inspection"})
			wake = earliest(wake, date.AddDays(every))
		}
	}
	return wants, wake
}

// BureauComparison is the credit-report comparison (征信比对): the latest
// bureau report against the one at disbursement, naming new debt and
// overdue elsewhere.
func BureauComparison(then, now *signal.Facts) string {
	if now == nil || !now.BureauKnown {
		return "no credit-bureau report on file (无征信报告): request one"
	}
	if then == nil || !then.BureauKnown {
		then = &signal.Facts{}
	}
	var flags []string
	if now.OpenLoans > then.OpenLoans {
		flags = append(flags, fmt.Sprintf("new debt (新增负债): %d more loans elsewhere", now.OpenLoans-then.OpenLoans))
	}
	if now.BalanceElsewhere > then.BalanceElsewhere {
		flags = append(flags, fmt.Sprintf("balance elsewhere up %s", money.Amount(now.BalanceElsewhere-then.BalanceElsewhere)))
	}
	if now.OverdueElsewhere > 0 {
		flags = append(flags, fmt.Sprintf("overdue elsewhere (他行逾期) %s", money.Amount(now.OverdueElsewhere)))
	}
	base := fmt.Sprintf("loans elsewhere %d → %d, balance %s → %s, overdue %s → %s",
		then.OpenLoans, now.OpenLoans, money.Amount(then.BalanceElsewhere), money.Amount(now.BalanceElsewhere),
		money.Amount(then.OverdueElsewhere), money.Amount(now.OverdueElsewhere))
	if len(flags) == 0 {
		return "no change of note; " + base
	}
	return "FLAGGED: " + strings.Join(flags, "; ") + "; " + base
}

func earliest(a, b civil.Date) civil.Date {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}
