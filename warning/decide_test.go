package warning_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/servicing"
	"daihou/warning"
)

// Each default rule, true on the input that should set it off and false
// on the quiet loan and on the input just short of its threshold.
func TestDefaults(t *testing.T) {
	rules := warning.Defaults()
	set, err := warning.CompileSet(rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if !r.Enabled || !strings.ContainsFunc(r.Description, func(c rune) bool { return c >= 0x4e00 && c <= 0x9fff }) || !strings.Contains(r.Description, ". ") {
			t.Errorf("%s: want it enabled with an English and a Chinese description", r.Code)
		}
	}
	type edit func(*warning.Input)
	for _, tt := range []struct {
		rule      string
		fire, not edit
	}{
		{"score_drop",
			func(in *warning.Input) {
				in.Snapshot.ModelID, in.Snapshot.InitialScore, in.Snapshot.Score = 1, 650, 600
			},
			func(in *warning.Input) {
				in.Snapshot.ModelID, in.Snapshot.InitialScore, in.Snapshot.Score = 1, 650, 601
			}},
		{"first_payment_default",
			func(in *warning.Input) { in.Payments.FirstPaymentDefault, in.Snapshot.DPD = true, 1 },
			func(in *warning.Input) { in.Snapshot.DPD = 10 }}, // late, but not on the first installment
		{"partial_payments",
			func(in *warning.Input) { in.Payments.PartialPayments, in.Snapshot.DPD = 1, 3 },
			func(in *warning.Input) { in.Payments.PartialPayments = 1 }}, // part paid on the due date: not late yet
		{"court_case",
			func(in *warning.Input) { in.Facts.CourtCases, in.Facts.CourtNew3M = 1, 1 },
			func(in *warning.Input) { in.Facts.CourtCases = 1 }}, // an old case, known for months
		{"dishonest",
			func(in *warning.Input) { in.Facts.Dishonest = true },
			func(in *warning.Input) { in.Facts.CourtCases = 3 }},
		{"social_security_stopped",
			func(in *warning.Input) { in.Facts.SocialKnown, in.Facts.SocialGap = true, 3 },
			func(in *warning.Input) { in.Facts.SocialKnown, in.Facts.SocialGap = true, 2 }},
		{"inflow_drop",
			func(in *warning.Input) {
				in.Facts.StatementKnown, in.Facts.InflowPrev3M, in.Facts.Inflow3M = true, 30_000_00, 15_000_00
			},
			func(in *warning.Input) {
				in.Facts.StatementKnown, in.Facts.InflowPrev3M, in.Facts.Inflow3M = true, 30_000_00, 15_000_01
			}},
		{"many_inquiries",
			func(in *warning.Input) { in.Facts.Inquiries1M, in.Facts.Inquiries3M = 4, 4 },
			func(in *warning.Input) { in.Facts.Inquiries1M, in.Facts.Inquiries3M = 3, 7 }},
		{"overdue_elsewhere",
			func(in *warning.Input) { in.Facts.OverdueElsewhere = 1_000_00 },
			func(in *warning.Input) { in.Facts.OverdueElsewhere = 999_99 }},
		{"identity_mismatch",
			func(in *warning.Input) { in.Facts.Mismatch = true },
			func(in *warning.Input) { in.Facts.Any = true }},
		{"deceased",
			func(in *warning.Input) { in.Facts.Deceased = true },
			func(in *warning.Input) { in.Facts.Any = true }},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			p := set.Program(tt.rule)
			if p == nil {
				t.Fatalf("no default rule %s", tt.rule)
			}
			for _, c := range []struct {
				name string
				edit edit
				want bool
			}{{"quiet", func(*warning.Input) {}, false}, {"fire", tt.fire, true}, {"short", tt.not, false}} {
				in := quiet()
				c.edit(in)
				got, err := p.Eval(in)
				if err != nil || got != c.want {
					t.Errorf("%s: %v (%v), want %v", c.name, got, err, c.want)
				}
			}
			// Only this rule fires on its input.
			in := quiet()
			tt.fire(in)
			hits, _ := set.Decide(in, nil)
			if len(hits) != 1 || hits[0].Rule != tt.rule {
				t.Errorf("Decide: %v, want %s alone", hits, tt.rule)
			}
		})
	}
}

func TestDecideDedupCooldownWake(t *testing.T) {
	r := rule("court", `court_cases > 0`)
	r.Cooldown, r.Severity, r.Version = 30, warning.Red, 3
	set, err := warning.CompileSet([]warning.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	on := quiet()
	on.Facts.CourtCases = 1
	raised := today.AddDays(-10)
	for _, tt := range []struct {
		name     string
		in       *warning.Input
		past     []warning.Past
		hits     int
		wake     civil.Date
		describe string
	}{
		{"true, no warning before: raised", on, nil, 1, 0, ""},
		{"false: nothing", quiet(), nil, 0, 0, ""},
		{"open warning: deduplicated, no wake (its resolution is an event)", on, []warning.Past{{Rule: "court", Raised: raised, Open: true}}, 0, 0, ""},
		{"resolved within the cooldown: held, wake when it ends", on, []warning.Past{{Rule: "court", Raised: raised, Open: false}}, 0, raised.AddDays(30), ""},
		{"false within the cooldown: no wake", quiet(), []warning.Past{{Rule: "court", Raised: raised}}, 0, 0, ""},
		{"the cooldown's last day is its end: raised", on, []warning.Past{{Rule: "court", Raised: today.AddDays(-30)}}, 1, 0, ""},
		{"another rule's warning: no effect", on, []warning.Past{{Rule: "other", Raised: today, Open: true}}, 1, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hits, wake := set.Decide(tt.in, tt.past)
			if len(hits) != tt.hits || wake != tt.wake {
				t.Errorf("hits %v wake %v, want %d hits wake %v", hits, wake, tt.hits, tt.wake)
			}
			if len(hits) == 1 {
				want := warning.Hit{Rule: "court", Version: 3, Severity: warning.Red, Owner: "risk-officer", Reason: "court_cases=1"}
				if diff := cmp.Diff(want, hits[0]); diff != "" {
					t.Errorf("hit (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// A cooldown of 0 still raises at most one warning a day: running close of
// business twice on a date changes nothing, even if the warning was
// resolved in between.
func TestZeroCooldownOncePerDay(t *testing.T) {
	r := rule("court", `court_cases > 0`)
	r.Cooldown = 0
	set, _ := warning.CompileSet([]warning.Rule{r})
	on := quiet()
	on.Facts.CourtCases = 1
	if hits, wake := set.Decide(on, []warning.Past{{Rule: "court", Raised: today}}); len(hits) != 0 || wake != today.AddDays(1) {
		t.Errorf("same day: %v %v, want held until tomorrow", hits, wake)
	}
	if hits, _ := set.Decide(on, []warning.Past{{Rule: "court", Raised: today.AddDays(-1)}}); len(hits) != 1 {
		t.Errorf("the next day: %v, want raised", hits)
	}
}

func TestDecideOnlyEnabledInCodeOrder(t *testing.T) {
	off := rule("b_off", `true`)
	off.Enabled = false
	set, _ := warning.CompileSet([]warning.Rule{rule("c", "true"), off, rule("a", "dpd == 0")})
	hits, _ := set.Decide(quiet(), nil)
	var codes []string
	for _, h := range hits {
		codes = append(codes, h.Rule)
	}
	if !cmp.Equal(codes, []string{"a", "c"}) {
		t.Errorf("hits %v, want a and c in that order, the disabled rule not", codes)
	}
	settled := quiet()
	settled.Snapshot.Status = servicing.StatusSettled
	if hits, wake := set.Decide(settled, nil); len(hits) != 0 || wake != 0 {
		t.Errorf("a settled loan: %v %v, want nothing", hits, wake)
	}
}

// A rule over months_on_book can turn true with no event: the loan wakes
// on its next monthiversary.
func TestMonthsOnBookWakes(t *testing.T) {
	set, _ := warning.CompileSet([]warning.Rule{rule("young", `months_on_book >= 6 && dpd == 0`)})
	in := quiet() // disbursed 2026-01-15, on 2026-06-30: 5 months
	hits, wake := set.Decide(in, nil)
	if len(hits) != 0 || wake != civil.MustParse("2026-07-15") {
		t.Errorf("hits %v wake %v, want none and 2026-07-15", hits, wake)
	}
	other, _ := warning.CompileSet([]warning.Rule{rule("x", `dpd > 0`)})
	if _, wake := other.Decide(in, nil); wake != 0 {
		t.Errorf("a set that does not read months_on_book: wake %v, want none", wake)
	}
}

func TestPastOf(t *testing.T) {
	d := civil.MustParse("2026-03-01")
	ws := []warning.Warning{
		{Rule: "a", Raised: d, State: warning.Resolved},
		{Rule: "a", Raised: d.AddDays(40), State: warning.Acknowledged},
		{Rule: "b", Raised: d.AddDays(5), State: warning.Resolved},
		{Rule: "a", Raised: d.AddDays(10), State: warning.Resolved},
	}
	want := []warning.Past{{Rule: "a", Raised: d.AddDays(40), Open: true}, {Rule: "b", Raised: d.AddDays(5)}}
	if diff := cmp.Diff(want, warning.PastOf(ws)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLifeCycle(t *testing.T) {
	d := civil.MustParse("2026-03-01")
	newW := func() warning.Warning {
		return warning.Hit{Rule: "court", Version: 2, Severity: warning.Red, Owner: "legal", Reason: "court_cases=1"}.New(7, 70, d)
	}
	w := newW()
	if w.State != warning.Raised || !w.State.Open() || w.LoanID != 7 || w.BorrowerID != 70 || w.Raised != d {
		t.Fatalf("new warning %+v", w)
	}
	type move struct {
		to   warning.State
		on   int // days after raised
		want error
	}
	for _, tt := range []struct {
		name  string
		moves []move
	}{
		{"raised → acknowledged → resolved", []move{{warning.Acknowledged, 1, nil}, {warning.Resolved, 5, nil}}},
		{"raised → acknowledged → escalated → resolved", []move{{warning.Acknowledged, 1, nil}, {warning.Escalated, 2, nil}, {warning.Resolved, 9, nil}}},
		{"raised → escalated, raised → resolved at once", []move{{warning.Escalated, 0, nil}, {warning.Resolved, 0, nil}}},
		{"resolved is final", []move{{warning.Resolved, 1, nil}, {warning.Acknowledged, 2, warning.ErrBadTransition}, {warning.Resolved, 2, warning.ErrBadTransition}}},
		{"no way back", []move{{warning.Escalated, 1, nil}, {warning.Acknowledged, 2, warning.ErrBadTransition}}},
		{"not to itself", []move{{warning.Acknowledged, 1, nil}, {warning.Acknowledged, 2, warning.ErrBadTransition}}},
		{"not to raised", []move{{warning.Raised, 1, warning.ErrBadTransition}}},
		{"not back-dated", []move{{warning.Acknowledged, 3, nil}, {warning.Resolved, 2, warning.ErrBackdated}}},
		{"not before raised", []move{{warning.Acknowledged, -1, warning.ErrBackdated}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newW()
			for _, m := range tt.moves {
				before := w
				err := w.Move(m.to, d.AddDays(m.on), "li.lei", "called")
				if !errors.Is(err, m.want) || (m.want == nil) != (err == nil) {
					t.Fatalf("→ %v on +%d: %v, want %v", m.to, m.on, err, m.want)
				}
				if err != nil && w != before {
					t.Errorf("a refused move changed the warning: %+v", w)
				}
				if err == nil && (w.State != m.to || w.Changed != d.AddDays(m.on) || w.By != "li.lei") {
					t.Errorf("after → %v: %+v", m.to, w)
				}
			}
		})
	}
	w = newW()
	if w.Acknowledge(d, "a", "") != nil || w.Escalate(d, "b", "") != nil || w.Resolve(d.AddDays(1), "c", "paid") != nil || w.State.Open() {
		t.Errorf("the named moves: %+v", w)
	}
	for _, s := range []warning.State{warning.Raised, warning.Acknowledged, warning.Escalated, warning.Resolved} {
		if got, err := warning.ParseState(s.String()); got != s || err != nil {
			t.Errorf("ParseState(%s) = %v, %v", s, got, err)
		}
	}
}
