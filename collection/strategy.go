package collection

import (
	"fmt"
	"hash/fnv"
	"strconv"

	"daihou/servicing"
	"daihou/warning"
)

// The arms of a strategy.
const (
	Champion   = "champion"
	Challenger = "challenger"
)

// Action is one action of a segment's plan, by days past due: first on
// DPD Day, then every Every days (0: once) up to DPD Until (0: no end),
// while the loan stays in the segment and When holds.
type Action struct {
	Day      int    `json:"day"`
	Every    int    `json:"every,omitempty"`
	Until    int    `json:"until,omitempty"`
	Kind     Kind   `json:"kind"`
	When     string `json:"when,omitempty"`
	Template string `json:"template,omitempty"`
}

// Segment is a set of loans past due (When: a CEL condition over
// warning.Vars — bucket, score, pd, outstanding, product, region, age,
// warning_level, class, willingness …) and their ordered action plan. A
// loan is in the first segment of its arm whose condition holds.
type Segment struct {
	Name    string   `json:"name"`
	When    string   `json:"when"`
	Actions []Action `json:"actions"`
}

// Strategy is a collection strategy (催收策略) with a champion and a
// challenger arm: Split per cent of loans, chosen by a stable hash of the
// loan id and the strategy code, get the challenger so the two can be
// compared on like loans (daihou report strategies).
type Strategy struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Split      int       `json:"split"`
	Champion   []Segment `json:"champion"`
	Challenger []Segment `json:"challenger,omitempty"`
}

// CompiledStrategy is a strategy checked and with its conditions compiled.
type CompiledStrategy struct {
	Strategy
	arms [2][]compiledSegment
}

type compiledSegment struct {
	*Segment
	when    *warning.Program
	actions []*warning.Program
}

// CompileStrategy checks s and compiles its conditions, naming where each
// problem is.
func CompileStrategy(s Strategy) (*CompiledStrategy, error) {
	if !codeRE.MatchString(s.Code) {
		return nil, invalid("code", "strategy code %q: want letters, digits, _ and -, at most 40", clip(s.Code))
	}
	if s.Split < 0 || s.Split > 100 {
		return nil, invalid("split", "split %d: want 0 to 100 per cent of loans in the challenger arm", s.Split)
	}
	if len(s.Champion) == 0 {
		return nil, invalid("champion", "the champion arm has no segment")
	}
	if s.Split > 0 && len(s.Challenger) == 0 {
		return nil, invalid("challenger", "split is %d%% but the challenger arm has no segment: give one or set split to 0", s.Split)
	}
	c := &CompiledStrategy{Strategy: s}
	for a, segs := range [2][]Segment{s.Champion, s.Challenger} {
		arm := [2]string{Champion, Challenger}[a]
		seen := map[string]bool{}
		for i := range segs {
			sg := &segs[i]
			where := fmt.Sprintf("%s[%d]", arm, i)
			if !codeRE.MatchString(sg.Name) || seen[sg.Name] {
				return nil, invalid(where+".name", "%s: segment name %q: want a unique name of letters, digits, _ and -", where, clip(sg.Name))
			}
			seen[sg.Name] = true
			when, err := warning.CompileCondition(sg.Name, sg.When)
			if err != nil {
				return nil, invalid(where+".when", "%s (%s): %v", where, sg.Name, err)
			}
			cs := compiledSegment{Segment: sg, when: when}
			for j, ac := range sg.Actions {
				aw := fmt.Sprintf("%s.actions[%d]", where, j)
				if _, err := ParseKind(string(ac.Kind)); err != nil {
					return nil, invalid(aw+".kind", "%s: %v", aw, err)
				}
				if ac.Day < 1 || ac.Day > 3650 || ac.Every < 0 || ac.Every > 365 || ac.Until < 0 || (ac.Until > 0 && ac.Until < ac.Day) {
					return nil, invalid(aw, "%s: day %d, every %d, until %d: want day 1 to 3650 (days past due), every 0 (once) to 365, until 0 (no end) or at least day", aw, ac.Day, ac.Every, ac.Until)
				}
				p, err := warning.CompileCondition(sg.Name, ac.When)
				if err != nil {
					return nil, invalid(aw+".when", "%s: %v", aw, err)
				}
				cs.actions = append(cs.actions, p)
			}
			c.arms[a] = append(c.arms[a], cs)
		}
	}
	return c, nil
}

// ArmOf returns the arm of loan id under a strategy with code and split:
// a stable hash, so a loan stays in its arm for as long as the split does
// not change, and the arms are like populations.
func ArmOf(loanID int64, code string, split int) string {
	if split <= 0 {
		return Champion
	}
	h := fnv.New64a()
	h.Write([]byte(code))
	h.Write([]byte{':'})
	h.Write(strconv.AppendInt(nil, loanID, 10))
	if int(h.Sum64()%100) < split {
		return Challenger
	}
	return Champion
}

// Segment returns the arm and segment loan in falls in, "" when it is in
// none or not past due.
func (c *CompiledStrategy) Segment(in *Input) (arm, segment string) {
	arm = ArmOf(in.Rule.Loan.ID, c.Code, c.Split)
	if seg := c.segment(in, arm); seg != nil {
		return arm, seg.Name
	}
	return arm, ""
}

func (c *CompiledStrategy) segment(in *Input, arm string) *compiledSegment {
	segs := c.arms[0]
	if arm == Challenger {
		segs = c.arms[1]
	}
	for i := range segs {
		if ok, _ := segs[i].when.Eval(&in.Rule); ok {
			return &segs[i]
		}
	}
	return nil
}

// Plan returns the tasks the strategy asks for on in's date for a loan
// past due: each action of its segment whose day (in days past due) is
// today, or was at most its kind's SLA days ago and has not been made. An
// action is anchored on the date of its day, so each occurrence is made
// once. A loan not past due gets nothing.
func (c *CompiledStrategy) Plan(in *Input) (arm, segment string, wants []Want) {
	s := in.Rule.Snapshot
	if s.Status != servicing.StatusActive || s.DPD <= 0 {
		return "", "", nil
	}
	arm = ArmOf(in.Rule.Loan.ID, c.Code, c.Split)
	seg := c.segment(in, arm)
	if seg == nil {
		return arm, "", nil
	}
	start := in.FirstOverdue()
	for i, ac := range seg.Actions {
		occ, ok := latestOccurrence(ac, s.DPD)
		if !ok || s.DPD-occ > ac.Kind.SLA() {
			continue
		}
		if ok, _ := seg.actions[i].Eval(&in.Rule); !ok {
			continue
		}
		tmpl := ac.Template
		if tmpl == "" {
			tmpl = string(ac.Kind)
		}
		wants = append(wants, Want{Kind: ac.Kind, Origin: StrategyOrigin + seg.Name + ":" + strconv.Itoa(i), Anchor: start.AddDays(occ - 1), Template: tmpl})
	}
	return arm, seg.Name, wants
}

// StrategyOrigin begins the origin of every task a strategy makes: then
// the segment's name and the action's place in it, the same for each
// occurrence of a repeated action.
const StrategyOrigin = "strategy:"

// latestOccurrence returns the last DPD on or before dpd on which action
// a falls.
func latestOccurrence(a Action, dpd int) (int, bool) {
	if dpd < a.Day {
		return 0, false
	}
	last := dpd
	if a.Until > 0 {
		last = min(last, a.Until)
	}
	if a.Every == 0 {
		return a.Day, true
	}
	return a.Day + (last-a.Day)/a.Every*a.Every, true
}
