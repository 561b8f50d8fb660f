package warning_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
	"daihou/signal"
	"daihou/warning"
)

var today = civil.MustParse("2026-06-30")

// rule returns an enabled rule of an expression with valid fields.
func rule(code, expr string) warning.Rule {
	return warning.Rule{Code: code, Version: 1, Name: code, Expr: expr, Severity: warning.Orange, Cooldown: 30, Owner: "risk-officer", Enabled: true}
}

// hundred is a CEL list of a hundred ones.
var hundred = "[" + strings.TrimSuffix(strings.Repeat("1, ", 100), ", ") + "]"

// quiet returns the input of a current loan, disbursed 2026-01-15, with
// nothing known about its borrower.
func quiet() *warning.Input {
	l := &servicing.Loan{ID: 7, BorrowerID: 70, Product: "consumer", Branch: "sh01", Region: "east", Principal: 100_000_00,
		Disbursed: civil.MustParse("2026-01-15")}
	s := &loanstate.Snapshot{LoanID: 7, BorrowerID: 70, AsOf: today, Status: servicing.StatusActive, PrincipalOutstanding: 60_000_00,
		Class: classification.Normal, OwnClass: classification.Normal, Stage: 1, Bucket: servicing.M0}
	return &warning.Input{Date: today, Loan: l, Snapshot: s, Facts: &signal.Facts{}}
}

func TestCompileRefusesWithPosition(t *testing.T) {
	for _, tt := range []struct {
		name     string
		expr     string
		problems []warning.Problem
		unknown  []string
		says     string // in the error's text
	}{
		{"syntax", "dpd >", []warning.Problem{{Line: 1, Column: 6}}, nil, "1:6"},
		{"an unknown variable, on the second line", "dpd > 0 &&\n  cout_cases > 0", []warning.Problem{{Line: 2, Column: 3}}, []string{"cout_cases"}, "did you mean 'court_cases'?"},
		{"two unknown", "foo > 1 || bar", []warning.Problem{{Line: 1, Column: 1}, {Line: 1, Column: 12}}, []string{"foo", "bar"}, "unknown variables: foo, bar"},
		{"not a bool", "dpd + 1", []warning.Problem{{Line: 1, Column: 1}}, nil, "type int"},
		{"a string compared with a number", `bucket > 3`, []warning.Problem{{Line: 1, Column: 8}}, nil, "no matching overload"},
		{"money is an int of fen", `overdue_elsewhere > 1000.0`, []warning.Problem{{Line: 1, Column: 19}}, nil, "1:19"},
		// 100³ steps on every loan every night: hours at ten million loans.
		{"a loop in a loop in a loop", hundred + ".all(a, " + hundred + ".all(b, " + hundred + ".all(c, a + b + c > dpd)))", []warning.Problem{{Line: 1, Column: 1}}, nil, "steps on one loan, more than the 5000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := warning.Compile(rule("r", tt.expr))
			if err == nil {
				t.Fatal("compiled, want refused")
			}
			if !errors.Is(err, warning.ErrInvalidRule) || daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != "expr" {
				t.Errorf("err %v: want ErrInvalidRule, EINVALID on expr", err)
			}
			var ce *warning.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("err %T: want a *CompileError inside", err)
			}
			var pos []warning.Problem
			for _, p := range ce.Problems {
				if p.Message == "" {
					t.Errorf("problem at %d:%d has no reason", p.Line, p.Column)
				}
				pos = append(pos, warning.Problem{Line: p.Line, Column: p.Column})
			}
			if diff := cmp.Diff(tt.problems, pos); diff != "" {
				t.Errorf("positions (-want +got):\n%s\n%v", diff, err)
			}
			if diff := cmp.Diff(tt.unknown, ce.Unknown); diff != "" {
				t.Errorf("unknown (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%q: want it to say %q", err, tt.says)
			}
		})
	}
}

func TestValidateFields(t *testing.T) {
	for _, tt := range []struct {
		field string
		edit  func(*warning.Rule)
	}{
		{"code", func(r *warning.Rule) { r.Code = "Court Case" }},
		{"code", func(r *warning.Rule) { r.Code = strings.Repeat("a", 41) }},
		{"version", func(r *warning.Rule) { r.Version = 0 }},
		{"name", func(r *warning.Rule) { r.Name = " " }},
		{"severity", func(r *warning.Rule) { r.Severity = 0 }},
		{"cooldown", func(r *warning.Rule) { r.Cooldown = -1 }},
		{"owner", func(r *warning.Rule) { r.Owner = "risk" }},
		{"owner", func(r *warning.Rule) { r.Owner = "system-eod" }},
		{"expr", func(r *warning.Rule) { r.Expr = "" }},
	} {
		t.Run(tt.field, func(t *testing.T) {
			r := rule("ok", "dpd > 0")
			tt.edit(&r)
			_, err := warning.Compile(r)
			if !errors.Is(err, warning.ErrInvalidRule) || daihou.ErrorField(err) != tt.field {
				t.Errorf("err %v (field %q): want ErrInvalidRule on %s", err, daihou.ErrorField(err), tt.field)
			}
		})
	}
}

func TestCompileSet(t *testing.T) {
	if _, err := warning.CompileSet([]warning.Rule{rule("a", "dpd > 0"), rule("a", "dpd > 1")}); !errors.Is(err, warning.ErrDuplicateRule) {
		t.Errorf("two rules of one code: %v, want ErrDuplicateRule", err)
	}
	_, err := warning.CompileSet([]warning.Rule{rule("a", "dpd >"), rule("b", "nope")})
	if err == nil || !strings.Contains(err.Error(), `rule "a"`) || !strings.Contains(err.Error(), `rule "b"`) {
		t.Errorf("err %v: want both bad rules named", err)
	}
	set, err := warning.CompileSet([]warning.Rule{rule("z", "dpd > 0"), rule("a", "true")})
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Rules(); got[0].Code != "a" || got[1].Code != "z" {
		t.Errorf("rules %v: want them in code order", got)
	}
	if set.Program("z") == nil || set.Program("y") != nil {
		t.Error("Program: want z found and y not")
	}
}

// Every variable of the table evaluates, on a loan with every fact set, to
// a value of its declared type — the table and the evaluator agree.
func TestVarsMatchTheirTypes(t *testing.T) {
	in := quiet()
	in.Snapshot.ModelID, in.Snapshot.Score, in.Snapshot.InitialScore = 1, 600, 650
	in.Facts = &signal.Facts{Any: true, Custom: map[string]int64{"churn": 2}}
	seen := map[string]bool{}
	for _, v := range warning.Vars {
		if v.Name == "" || v.Doc == "" || v.Group == "" {
			t.Errorf("variable %+v: want a name, a group and a doc", v)
		}
		if seen[v.Name] {
			t.Errorf("variable %s twice", v.Name)
		}
		seen[v.Name] = true
		p, err := warning.Compile(rule("t", fmt.Sprintf("type(%s) == %s", v.Name, celType(v.Type))))
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		ok, err := p.Eval(in)
		if err != nil || !ok {
			t.Errorf("%s: type(%s) == %s is %v (%v)", v.Name, v.Name, v.Type, ok, err)
		}
	}
}

func celType(t warning.Type) string {
	switch t {
	case warning.IntMap:
		return "map"
	case warning.Money:
		return "int"
	}
	return t.String()
}

// Hand-built values: each variable reads what the table says it does.
func TestVarValues(t *testing.T) {
	in := quiet()
	s := in.Snapshot
	s.DPD, s.MaxDPD, s.Bucket, s.Class, s.Stage = 45, 60, servicing.M2, classification.SpecialMention, 2
	s.OverduePrincipal, s.OverdueInterest = 1_000_00, 50_50
	s.ModelID, s.Score, s.InitialScore, s.PD = 3, 580, 640, money.MustParseRate("0.125")
	s.Restructured = true
	in.Payments = warning.PaymentFacts{PartialPayments: 2, FirstPaymentDefault: true}
	in.Facts = &signal.Facts{Any: true, Inquiries1M: 1, Inquiries3M: 4, Inquiries6M: 6, OpenLoans: 3, OverdueElsewhere: 2_500_00,
		CourtCases: 2, CourtNew3M: 1, Dishonest: true, SocialGap: 3, SocialKnown: true, Arrears: 120_00,
		Inflow3M: 30_000_00, InflowPrev3M: 100_000_00, SalaryMonths: 4, StatementKnown: true, Custom: map[string]int64{"churn": 5}}
	for _, expr := range []string{
		`dpd == 45 && max_dpd == 60 && bucket == "M2" && class == "special-mention" && class_rank == 2 && stage == 2`,
		`outstanding == 6000000 && overdue == 105050`,
		// 2026-01-15 to 2026-06-30: five monthiversaries (06-15 the last).
		`months_on_book == 5`,
		`product == "consumer" && branch == "sh01" && region == "east" && restructured && status == "active"`,
		`scored && score == 580 && initial_score == 640 && score_drop == 60 && pd == 0.125`,
		`partial_payments == 2 && first_payment_default`,
		`signals_known && inquiries_1m == 1 && inquiries_3m == 4 && inquiries_6m == 6 && open_loans_elsewhere == 3`,
		`overdue_elsewhere == 250000 && court_cases == 2 && court_new_3m == 1 && dishonest && !identity_mismatch && !deceased`,
		`social_gap_months == 3 && social_known && utility_arrears == 12000`,
		`inflow_3m == 3000000 && inflow_prev_3m == 10000000 && inflow_drop_pct == 70 && salary_months_6m == 4 && statement_known`,
		`custom["churn"] == 5 && custom[?"other"].orValue(0) == 0 && !("other" in custom)`,
	} {
		p, err := warning.Compile(rule("t", expr))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := p.Eval(in); !ok || err != nil {
			t.Errorf("%s: false (%v), want true", expr, err)
		}
	}
	// No facts at all reads as zero facts; an unscored loan drops nothing.
	q := quiet()
	q.Facts = nil
	p, _ := warning.Compile(rule("t", `!signals_known && court_cases == 0 && !scored && score_drop == 0 && custom.size() == 0`))
	if ok, err := p.Eval(q); !ok {
		t.Errorf("a loan with no facts: false (%v)", err)
	}
}

func TestMonthsOnBook(t *testing.T) {
	for _, tt := range []struct {
		disbursed, date string
		months          int64
	}{
		{"2026-01-31", "2026-02-27", 0},
		{"2026-01-31", "2026-02-28", 1}, // clamped to February's end
		{"2026-01-31", "2026-03-30", 1},
		{"2026-01-31", "2026-03-31", 2},
		{"2025-06-30", "2026-06-30", 12},
	} {
		in := quiet()
		in.Loan.Disbursed, in.Date = civil.MustParse(tt.disbursed), civil.MustParse(tt.date)
		p, _ := warning.Compile(rule("t", fmt.Sprintf("months_on_book == %d", tt.months)))
		if ok, _ := p.Eval(in); !ok {
			t.Errorf("disbursed %s, on %s: want %d months on book", tt.disbursed, tt.date, tt.months)
		}
	}
}

func TestReasonNamesTheValues(t *testing.T) {
	in := quiet()
	in.Facts.CourtCases = 1
	in.Facts.Custom = map[string]int64{"b": 2, "a": 1}
	p, err := warning.Compile(rule("t", `court_cases > 0 && dpd == 0 && (court_cases < 5 || overdue_elsewhere > 50) && custom.size() >= 0`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Reason(in), "court_cases=1, dpd=0, overdue_elsewhere=0.00, custom={a:1, b:2}"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	if got, want := p.Vars(), []string{"court_cases", "dpd", "overdue_elsewhere", "custom"}; !cmp.Equal(got, want) {
		t.Errorf("vars %v, want %v", got, want)
	}
}

// A comprehension's own variable named like a rule variable is the
// comprehension's, not the loan's.
func TestComprehensionShadowing(t *testing.T) {
	in := quiet()
	in.Snapshot.DPD = 5
	p, err := warning.Compile(rule("t", `[1, 2].exists(dpd, dpd == 2) && dpd == 5`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Eval(in); !ok {
		t.Errorf("false (%v), want true", err)
	}
}

func TestEvalError(t *testing.T) {
	p, err := warning.Compile(rule("t", `custom["missing"] > 0`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Eval(quiet()); ok || err == nil {
		t.Errorf("a missing key: %v, %v; want false with an error", ok, err)
	}
	set, _ := warning.CompileSet([]warning.Rule{rule("t", `custom["missing"] > 0`)})
	if hits, _ := set.Decide(quiet(), nil); len(hits) != 0 {
		t.Errorf("hits %v: a rule that fails is not true", hits)
	}
}

func TestSeverity(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want warning.Severity
	}{{"red", warning.Red}, {"红", warning.Red}, {"红色", warning.Red}, {" Orange ", warning.Orange}, {"橙", warning.Orange}, {"yellow", warning.Yellow}, {"黄色", warning.Yellow}} {
		got, err := warning.ParseSeverity(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := warning.ParseSeverity("blue"); !errors.Is(err, warning.ErrUnknownSeverity) {
		t.Errorf("blue: %v, want ErrUnknownSeverity", err)
	}
	if warning.Red.String() != "red" || warning.Red.Chinese() != "红" || warning.Yellow.Chinese() != "黄" {
		t.Error("names")
	}
	if !(warning.Red > warning.Orange && warning.Orange > warning.Yellow) {
		t.Error("red must be the most severe")
	}
	var s warning.Severity
	if err := s.UnmarshalText([]byte("橙")); err != nil || s != warning.Orange {
		t.Errorf("UnmarshalText: %v %v", s, err)
	}
}

// Whatever expression a risk officer types, Compile refuses it naming
// lines and columns inside it, or compiles a program that stays within
// MaxCost and evaluates on a loan without panicking.
func FuzzCompile(f *testing.F) {
	for _, r := range warning.Defaults() {
		f.Add(r.Expr)
	}
	for _, s := range []string{"", "dpd >", "true", "dpd + 1", `custom[?"x"].orValue(0) > 1`, `custom.exists(k, k.startsWith("a"))`,
		hundred + ".all(a, " + hundred + ".all(b, a > b))", `bucket.matches("^M[2-6]")`, "1 / 0 == 1", "9223372036854775807 + dpd > 0",
		`size("日本語") == 3`, "dpd > 0 &&\n  cout_cases > 0", "[1,2,3].map(x, x * dpd).exists(y, y > 10)"} {
		f.Add(s)
	}
	in := quiet()
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := warning.Compile(rule("fuzz", expr))
		if err != nil {
			var ce *warning.CompileError
			if !errors.As(err, &ce) {
				return // a field other than the expression (an empty one)
			}
			lines := strings.Count(expr, "\n") + 1
			for _, pr := range ce.Problems {
				if pr.Line < 1 || pr.Line > lines || pr.Column < 1 || pr.Message == "" {
					t.Fatalf("%q: problem %+v outside the expression's %d lines or without a reason", expr, pr, lines)
				}
			}
			return
		}
		p.Eval(in)
		p.Reason(in)
	})
}
