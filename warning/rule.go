package warning

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/checker"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"daihou"
	"daihou/auth"
)

// Rule is one early-warning rule as the rule editor saves it: data, not
// code. A new version of a rule keeps its Code, so de-duplication and
// cooldown carry over from the warnings the old version raised.
type Rule struct {
	Code        string // [a-z0-9_]{1,40}, e.g. "court_case"
	Version     int    // from 1, raised on every change
	Name        string // short title, e.g. "Court case 涉诉"
	Expr        string // CEL over Vars, of type bool
	Severity    Severity
	Cooldown    int    // days after a warning is raised during which the rule raises no other on the loan
	Owner       string // the role that handles its warnings (auth role name), e.g. "risk-officer"
	Enabled     bool
	Description string
}

// Errors of rules, testable with errors.Is.
var (
	// ErrInvalidRule is inside every error Compile returns.
	ErrInvalidRule = errors.New("invalid rule")
	// ErrDuplicateRule is returned by CompileSet for two rules of one code.
	ErrDuplicateRule = errors.New("two rules have the same code")
	// ErrUnknownSeverity is returned by ParseSeverity.
	ErrUnknownSeverity = errors.New("unknown severity")
)

var codeRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// Validate checks everything about r but its expression.
func (r *Rule) Validate() error {
	bad := func(field, format string, args ...any) error {
		return daihou.Invalid(field, "rule %q: %w: "+format, append([]any{r.Code, ErrInvalidRule}, args...)...)
	}
	switch {
	case !codeRE.MatchString(r.Code):
		return bad("code", "the code must be 1 to 40 of a-z, 0-9 and _")
	case r.Version < 1:
		return bad("version", "the version must be 1 or more, not %d", r.Version)
	case strings.TrimSpace(r.Name) == "":
		return bad("name", "the rule needs a name")
	case !r.Severity.Valid():
		return bad("severity", "the severity must be red, orange or yellow")
	case r.Cooldown < 0:
		return bad("cooldown", "the cooldown must be 0 days or more, not %d", r.Cooldown)
	case r.Cooldown > 3660:
		return bad("cooldown", "a cooldown of %d days is over ten years", r.Cooldown)
	case strings.TrimSpace(r.Expr) == "":
		return bad("expr", "the rule needs an expression")
	}
	if role := auth.Role(r.Owner); !role.Valid() || role.IsSystem() {
		return bad("owner", "the owner %q is not a role (want one of %s)", r.Owner, roleNames())
	}
	return nil
}

func roleNames() string {
	var names []string
	for _, r := range auth.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// Problem is one thing wrong with an expression, at its 1-based line and
// column.
type Problem struct {
	Line, Column int
	Message      string
}

// String returns the problem as "line:column: message".
func (p Problem) String() string { return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message) }

// CompileError is why an expression was refused: each problem at its
// position, and the names it uses that are neither variables nor
// functions. Compile returns it inside a daihou.Error (EINVALID, field
// "expr"); errors.As finds it, errors.Is finds ErrInvalidRule.
type CompileError struct {
	Rule     string
	Problems []Problem
	Unknown  []string
}

// Error returns every problem and the unknown names in one line.
func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule %q: ", e.Rule)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if len(e.Unknown) > 0 {
		b.WriteString("; unknown variables: ")
		for i, n := range e.Unknown {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

// Unwrap returns ErrInvalidRule.
func (e *CompileError) Unwrap() error { return ErrInvalidRule }

// Program is a compiled rule: checked once, evaluated many times, safe for
// concurrent use.
type Program struct {
	Rule Rule
	prg  cel.Program
	// refs are the variables the expression reads, by index into Vars, in
	// the order they first appear: the reason sentence names them.
	refs []int
}

// env is the one CEL environment of rules: the variables of Vars and
// CEL's standard library, with optional values for custom[?"name"].
var env = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{cel.OptionalTypes()}
	for _, v := range Vars {
		opts = append(opts, cel.Variable(v.Name, v.Type.cel()))
	}
	return cel.NewEnv(opts...)
})

var undeclaredRE = regexp.MustCompile(`^undeclared reference to '([^']+)'`)

// Compile checks r and compiles its expression. It refuses a rule whose
// fields are invalid, whose expression does not parse or type-check, or
// whose result is not a bool, saying where and why, and listing the names
// it uses that are not variables.
func Compile(r Rule) (*Program, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return compile(r)
}

// CompileCondition compiles a condition of another part of daihou over
// the same variables — a SOP step's or a strategy segment's — named name
// in its errors. An empty expression is "true".
func CompileCondition(name, expr string) (*Program, error) {
	if strings.TrimSpace(expr) == "" {
		expr = "true"
	}
	return compile(Rule{Code: name, Expr: expr})
}

func compile(r Rule) (*Program, error) {
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("warning: the rule environment: %w", err) // a bug: Vars declares it
	}
	ast, iss := e.Compile(r.Expr)
	if iss.Err() != nil {
		ce := &CompileError{Rule: r.Code}
		for _, x := range iss.Errors() {
			// CEL gives some problems (a macro's bad argument) no
			// column: they are then placed at the line's start.
			line, col := max(x.Location.Line(), 1), max(x.Location.Column()+1, 1)
			ce.Problems = append(ce.Problems, Problem{Line: line, Column: col, Message: x.Message})
			if m := undeclaredRE.FindStringSubmatch(x.Message); m != nil && !slices.Contains(ce.Unknown, m[1]) {
				ce.Unknown = append(ce.Unknown, m[1])
			}
		}
		return nil, refuse(ce)
	}
	if t := ast.OutputType(); !t.IsExactType(types.BoolType) {
		return nil, refuse(&CompileError{Rule: r.Code, Problems: []Problem{{Line: 1, Column: 1,
			Message: fmt.Sprintf("the expression is of type %s: a rule must be true or false (bool)", t)}}})
	}
	if c, err := e.EstimateCost(ast, sizes{}); err != nil || c.Max > MaxCost {
		msg := fmt.Sprintf("the expression may take up to %d steps on one loan, more than the %d a condition may: "+
			"it is evaluated for every loan every night, so a loop over a list inside a loop over a list multiplies; simplify it", c.Max, MaxCost)
		if err != nil {
			msg = "the expression's cost cannot be bounded: " + err.Error()
		}
		return nil, refuse(&CompileError{Rule: r.Code, Problems: []Problem{{Line: 1, Column: 1, Message: msg}}})
	}
	prg, err := e.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CustomDecoratorV2(readByIndex(ast)))
	if err != nil {
		return nil, refuse(&CompileError{Rule: r.Code, Problems: []Problem{{Line: 1, Column: 1, Message: err.Error()}}})
	}
	return &Program{Rule: r, prg: prg, refs: references(ast)}, nil
}

// MaxCost bounds the worst-case cost of a condition on one loan, in CEL's
// units (about one an operation; a comprehension costs its body once an
// element). The shipped rules cost 1 to 5; a rule that could cost a
// million would hold close of business for hours at ten million loans,
// so it is refused when it is saved rather than found out at night.
const MaxCost = 5000

// sizes gives CEL's cost estimate the largest a variable's value can be:
// the checker knows a literal's size, not a variable's, and would take a
// string or map of any length. Strings are codes and names, and the
// custom feed's map holds a few facts a record.
type sizes struct{}

func (sizes) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	if len(n.Path()) == 0 {
		return nil
	}
	return &checker.SizeEstimate{Min: 0, Max: 256}
}

func (sizes) EstimateCallCost(function, overloadID string, target *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	return nil
}

func refuse(ce *CompileError) error {
	return &daihou.Error{Code: daihou.EINVALID, Field: "expr", Message: ce.Error(), Err: ce}
}

// references returns the variables a checked expression reads, in the
// order they appear in its source.
func references(ast *cel.Ast) []int {
	native := ast.NativeRep()
	type ref struct{ line, col, v int }
	var rs []ref
	for id, info := range native.ReferenceMap() {
		v, ok := varIndex[info.Name]
		if !ok || len(info.OverloadIDs) > 0 {
			continue
		}
		loc := native.SourceInfo().GetStartLocation(id)
		rs = append(rs, ref{loc.Line(), loc.Column(), v})
	}
	slices.SortFunc(rs, func(a, b ref) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col), cmp.Compare(a.v, b.v))
	})
	var out []int
	for _, r := range rs {
		if !slices.Contains(out, r.v) {
			out = append(out, r.v)
		}
	}
	return out
}

// readByIndex replaces each reading of a scalar variable with one that
// reads it from the activation by its index, not its name: the name's
// hash and map lookup were a tenth of a rule's evaluation. Inside a
// comprehension, where a local variable could shadow a global one, it
// resolves by name as CEL would.
func readByIndex(ast *cel.Ast) interpreter.InterpretableDecoratorV2 {
	idents := map[int64]int{}
	for id, info := range ast.NativeRep().ReferenceMap() {
		if v, ok := varIndex[info.Name]; ok && len(info.OverloadIDs) == 0 && Vars[v].Type != IntMap {
			idents[id] = v
		}
	}
	return func(i interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
		if _, ok := i.(interpreter.InterpretableAttribute); !ok {
			return i, nil
		}
		if v, ok := idents[i.ID()]; ok {
			return &varNode{id: i.ID(), v: v}, nil
		}
		return i, nil
	}
}

// varNode reads variable v.
type varNode struct {
	id int64
	v  int
}

func (n *varNode) ID() int64 { return n.id }

// Exec reads the variable from the frame's activation.

func (n *varNode) Exec(f *interpreter.ExecutionFrame) ref.Val {
	if a, ok := f.Scope().(*activation); ok {
		return a.get(n.v)
	}
	return n.Eval(f)
}

func (n *varNode) Eval(vars interpreter.Activation) ref.Val {
	if a, ok := vars.(*activation); ok {
		return a.get(n.v)
	}
	obj, ok := vars.ResolveName(Vars[n.v].Name)
	if !ok {
		return types.NewErr("no such attribute: %s", Vars[n.v].Name)
	}
	if v, ok := obj.(ref.Val); ok {
		return v
	}
	return types.DefaultTypeAdapter.NativeToValue(obj)
}

// Vars returns the names of the variables the rule reads, in the order
// they first appear.
func (p *Program) Vars() []string {
	out := make([]string, len(p.refs))
	for i, v := range p.refs {
		out[i] = Vars[v].Name
	}
	return out
}

// Eval evaluates the rule on in. An error is the expression failing on
// these values (a key missing from custom, an overflow): the rule is then
// not true. Set.Decide evaluates without this call's allocations.
func (p *Program) Eval(in *Input) (bool, error) {
	a := new(activation)
	a.reset(in)
	return p.eval(a)
}

// evalIn evaluates the rule in a frame made for a's Input: Set.Decide
// makes one frame for all its rules.
func (p *Program) evalIn(f *interpreter.ExecutionFrame) bool {
	out, _, err := p.prg.Eval(f)
	return err == nil && out == types.True
}

// Reason returns the sentence a warning of the rule on in carries: the
// values of the variables the rule reads, "court_cases=1, dpd=0".
func (p *Program) Reason(in *Input) string {
	a := new(activation)
	a.reset(in)
	return p.reason(a)
}

func (p *Program) eval(a *activation) (bool, error) {
	out, _, err := p.prg.Eval(a)
	if err != nil {
		return false, fmt.Errorf("rule %q: %w", p.Rule.Code, err)
	}
	return out == types.True, nil
}

func (p *Program) reason(a *activation) string {
	var b strings.Builder
	for k, v := range p.refs {
		if k > 0 {
			b.WriteString(", ")
		}
		a.format(&b, v)
	}
	return b.String()
}
