package warning

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"

	"cel.dev/cel-go/interpreter"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/servicing"
)

// Set is a compiled rule set, in code order, safe for concurrent use:
// close of business compiles it once per run and decides every loan with
// it.
type Set struct {
	progs   []*Program // every rule, by code
	enabled []*Program // the enabled ones, by code
	// months is set when an enabled rule reads months_on_book, which
	// changes with no event: the loan must then wake on its monthiversary.
	months bool
	pool   sync.Pool // *activation
}

// CompileSet compiles rules into a Set. It refuses the set if any rule is
// invalid (every error is reported, joined) or two rules share a code.
func CompileSet(rules []Rule) (*Set, error) {
	s := &Set{pool: sync.Pool{New: func() any { return new(activation) }}}
	var errs []error
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.Code] {
			errs = append(errs, fmt.Errorf("rule %q: %w", r.Code, ErrDuplicateRule))
			continue
		}
		seen[r.Code] = true
		p, err := Compile(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.progs = append(s.progs, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(s.progs, func(a, b *Program) int { return cmp.Compare(a.Rule.Code, b.Rule.Code) })
	for _, p := range s.progs {
		if p.Rule.Enabled {
			s.enabled = append(s.enabled, p)
			s.months = s.months || slices.Contains(p.refs, vMonthsOnBook)
		}
	}
	return s, nil
}

// Rules returns the set's rules, in code order.
func (s *Set) Rules() []Rule {
	out := make([]Rule, len(s.progs))
	for i, p := range s.progs {
		out[i] = p.Rule
	}
	return out
}

// Program returns the compiled rule of a code, nil when the set has none.
func (s *Set) Program(code string) *Program {
	i, ok := slices.BinarySearchFunc(s.progs, code, func(p *Program, c string) int { return cmp.Compare(p.Rule.Code, c) })
	if !ok {
		return nil
	}
	return s.progs[i]
}

// Past is what Decide needs to know of a loan's latest warning of one rule
// (any version): the day it was raised and whether it is still open
// (raised, acknowledged or escalated).
type Past struct {
	Rule   string
	Raised civil.Date
	Open   bool
}

// PastOf returns the Past of a loan's warnings: per rule, its latest.
func PastOf(ws []Warning) []Past {
	var out []Past
	for i := range ws {
		w := &ws[i]
		k := slices.IndexFunc(out, func(p Past) bool { return p.Rule == w.Rule })
		switch {
		case k < 0:
			out = append(out, Past{Rule: w.Rule, Raised: w.Raised, Open: w.State.Open()})
		case w.Raised.After(out[k].Raised) || w.Raised == out[k].Raised && w.State.Open():
			out[k] = Past{Rule: w.Rule, Raised: w.Raised, Open: w.State.Open()}
		}
	}
	return out
}

// Hit is a warning Decide raises: the rule, its version, severity and
// owner, and the reason — the values that made it true.
type Hit struct {
	Rule     string
	Version  int
	Severity Severity
	Owner    string
	Reason   string
}

// Decide is close of business's decision for one loan on in.Date: the
// warnings to raise, in rule-code order, and the day the loan must be
// looked at again for what only the rules know — zero for never.
//
// A rule raises a warning when it is enabled and true, no warning of its
// code is open (de-duplication), and its cooldown since the last one
// raised is over: none within Cooldown days of it, and never two on one
// day. A rule true but held by its cooldown wakes the loan the day the
// cooldown ends. A rule that reads months_on_book wakes it on its next
// monthiversary. Every other input changes only with the loan's snapshot
// (loanstate.Wake) or its signals (signal.NextChange), or with an event
// (a posting, a signal, a warning resolved): close of business takes the
// earliest of all of them.
//
// A rule whose evaluation fails on the loan's values (a key missing from
// custom) is not true; Program.Eval reports the error. A settled loan
// raises nothing: nothing is left to warn about.
func (s *Set) Decide(in *Input, past []Past) (raise []Hit, wake civil.Date) {
	if in.Snapshot.Status == servicing.StatusSettled {
		return nil, 0
	}
	a := s.pool.Get().(*activation)
	a.reset(in)
	f, err := interpreter.NewExecutionFrame(a)
	if err != nil {
		panic("warning: " + err.Error()) // an *activation is always an Activation
	}
	defer func() {
		f.Close()
		a.in = nil
		s.pool.Put(a)
	}()
	for _, p := range s.enabled {
		r := &p.Rule
		var held civil.Date
		if k := slices.IndexFunc(past, func(x Past) bool { return x.Rule == r.Code }); k >= 0 {
			if past[k].Open {
				continue // open: nothing to decide, and its resolution is an event
			}
			if end := past[k].Raised.AddDays(max(r.Cooldown, 1)); in.Date.Before(end) {
				held = end
			}
		}
		if !p.evalIn(f) {
			continue
		}
		if held != 0 {
			wake = loanstate.Earliest(wake, held)
			continue
		}
		raise = append(raise, Hit{Rule: r.Code, Version: r.Version, Severity: r.Severity, Owner: r.Owner, Reason: p.reason(a)})
	}
	if s.months {
		_, next := monthsOnBook(in.Loan.Disbursed, in.Date)
		wake = loanstate.Earliest(wake, next)
	}
	return raise, wake
}
