package warning

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
	"daihou/signal"
)

// Input is what the rules of one loan are evaluated on, as of Date: the
// loan's contract, its snapshot derived as of Date, what its borrower's
// signals say as of Date, and the few facts about its installments that
// the snapshot does not carry. Loan and Snapshot are required.
type Input struct {
	Date     civil.Date
	Loan     *servicing.Loan
	Snapshot *loanstate.Snapshot
	// Facts is signal.Summarise of the borrower's signals as of Date; nil
	// reads as no signal at all.
	Facts    *signal.Facts
	Payments PaymentFacts
	// Work is what collections know of the loan; nil reads as nothing
	// (warning rules are evaluated without it: only SOP and strategy
	// conditions read the collection variables).
	Work *Work
}

// Work is what collections (催收) know of a loan beyond its ledger: the
// highest severity of its open warnings, the willingness to pay the last
// AI-voice call scored, its promises to pay, and the borrower's age.
type Work struct {
	WarningLevel   Severity // 0 when no warning is open
	Willingness    int      // 0–100, -1 when never scored
	OpenPromises   int
	BrokenPromises int // in the current collection episode
	Age            int // the borrower's age in years, 0 when unknown
}

var noWork = Work{Willingness: -1}

// PaymentFacts are the facts about a loan's installments that rules read
// and a Snapshot does not hold: close of business takes them from the
// replayed state (PaymentFactsOf), derived with loanstate.Deriver.KeepState.
type PaymentFacts struct {
	// PartialPayments counts the installments due by the as-of date that
	// have been partly, not fully, paid (部分还款). Repayments go to the
	// oldest installment first, so it is 0 or 1 under that waterfall.
	PartialPayments int
	// FirstPaymentDefault is set while the contract's first installment is
	// past due and still owes principal or interest (首期违约, FPD).
	FirstPaymentDefault bool
}

// PaymentFactsOf returns the PaymentFacts of a replayed state. An
// installment carried unpaid into a restructuring stays a first-payment
// default: the restructuring did not pay it.
func PaymentFactsOf(st *servicing.State) PaymentFacts {
	var f PaymentFacts
	for i := range st.Installments {
		in := &st.Installments[i]
		if in.Closed || in.DueDate.After(st.AsOf) {
			continue
		}
		paid := in.PaidPrincipal + in.PaidInterest + in.WaivedPrincipal + in.WaivedInterest
		if paid > 0 && in.PrincipalDue()+in.InterestDue() > 0 {
			f.PartialPayments++
		}
	}
	if len(st.Installments) > 0 {
		first := &st.Installments[0]
		if first.DueDate.Before(st.AsOf) {
			switch {
			case !first.Closed:
				f.FirstPaymentDefault = first.PrincipalDue()+first.InterestDue() > 0
			case len(st.Restructurings) > 0 && first.DueDate.Before(st.Restructurings[0].Date):
				f.FirstPaymentDefault = first.MovedPrincipal+first.MovedInterest > 0
			}
		}
	}
	return f
}

// Type is the CEL type of a variable.
type Type int

// The types variables have. Amounts of money are exact integers of fen
// (分, minor units) as everywhere in daihou — a rule reads
// "overdue_elsewhere >= 100000" for 1,000 yuan — and reasons show them in
// yuan; counts and days are ints; only a probability is a double.
const (
	Int    Type = iota + 1 // int
	Double                 // double
	Bool                   // bool
	String                 // string
	IntMap                 // map(string, int)
	Money                  // int of fen
)

// String returns the type as CEL spells it.
func (t Type) String() string {
	switch t {
	case Int:
		return "int"
	case Double:
		return "double"
	case Bool:
		return "bool"
	case String:
		return "string"
	case IntMap:
		return "map(string, int)"
	case Money:
		return "int (fen)"
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

func (t Type) cel() *cel.Type {
	switch t {
	case Int, Money:
		return cel.IntType
	case Double:
		return cel.DoubleType
	case Bool:
		return cel.BoolType
	case String:
		return cel.StringType
	case IntMap:
		return cel.MapType(cel.StringType, cel.IntType)
	}
	panic("warning: unknown variable type " + t.String())
}

// Var is one variable rules can read.
type Var struct {
	Name  string
	Type  Type
	Group string // loan, score, payments or signals: where it comes from
	Doc   string
}

// The variables' indexes in Vars; value reads each from an Input.
const (
	vDPD = iota
	vMaxDPD
	vBucket
	vClass
	vClassRank
	vStage
	vOutstanding
	vOverdue
	vMonthsOnBook
	vProduct
	vBranch
	vRegion
	vRestructured
	vStatus
	vScore
	vPD
	vInitialScore
	vScoreDrop
	vScored
	vPartialPayments
	vFirstPaymentDefault
	vSignalsKnown
	vInquiries1M
	vInquiries3M
	vInquiries6M
	vOpenLoans
	vBalanceElsewhere
	vOverdueElsewhere
	vCourtCases
	vCourtNew3M
	vDishonest
	vMismatch
	vDeceased
	vSocialGap
	vSocialKnown
	vUtilityArrears
	vInflow3M
	vInflowPrev3M
	vInflowDrop
	vOutflow3M
	vSalaryMonths
	vStatementKnown
	vTaxArrears
	vBusinessAnomaly
	vSpend3M
	vTrips3M
	vCustom
	vWarningLevel
	vWillingness
	vOpenPromises
	vBrokenPromises
	vAge
	nVars
)

// Vars is every variable a rule can read, in one table: the console's
// rule editor shows it, Compile declares exactly these (typed, so a rule
// that compares a string with a number is refused when it is written, not
// when it runs), and the tests hold the evaluator to it.
var Vars = [nVars]Var{
	vDPD:                 {"dpd", Int, "loan", "days past due (逾期天数) as of the date"},
	vMaxDPD:              {"max_dpd", Int, "loan", "highest DPD the loan has reached"},
	vBucket:              {"bucket", String, "loan", `delinquency bucket: "M0" current, "M1" 1–30 DPD … "M7+" over 180`},
	vClass:               {"class", String, "loan", `five-tier class (五级分类): "normal", "special-mention", "substandard", "doubtful", "loss"`},
	vClassRank:           {"class_rank", Int, "loan", "the class as a number: 1 normal (正常) … 3 substandard (次级) … 5 loss (损失)"},
	vStage:               {"stage", Int, "loan", "IFRS 9 stage, 1 to 3"},
	vOutstanding:         {"outstanding", Money, "loan", "principal outstanding, fen"},
	vOverdue:             {"overdue", Money, "loan", "principal and interest past due, fen"},
	vMonthsOnBook:        {"months_on_book", Int, "loan", "whole months since disbursement (账龄)"},
	vProduct:             {"product", String, "loan", "product code"},
	vBranch:              {"branch", String, "loan", "branch code"},
	vRegion:              {"region", String, "loan", "region code"},
	vRestructured:        {"restructured", Bool, "loan", "the loan has been restructured (重组)"},
	vStatus:              {"status", String, "loan", `"active", "settled" (结清) or "written-off" (核销)`},
	vScore:               {"score", Int, "score", "behaviour score points (B卡); 0 when not scored"},
	vPD:                  {"pd", Double, "score", "probability of default over the stage's horizon, 0 to 1"},
	vInitialScore:        {"initial_score", Int, "score", "the loan's first behaviour score"},
	vScoreDrop:           {"score_drop", Int, "score", "initial_score − score when both are set, else 0"},
	vScored:              {"scored", Bool, "score", "a champion model scored the loan"},
	vPartialPayments:     {"partial_payments", Int, "payments", "installments due and partly but not fully paid (部分还款)"},
	vFirstPaymentDefault: {"first_payment_default", Bool, "payments", "the first installment is past due and unpaid (首期违约)"},
	vSignalsKnown:        {"signals_known", Bool, "signals", "some source has reported on the borrower"},
	vInquiries1M:         {"inquiries_1m", Int, "signals", "new credit inquiries (征信查询) in the last 30 days"},
	vInquiries3M:         {"inquiries_3m", Int, "signals", "new credit inquiries in the last 90 days"},
	vInquiries6M:         {"inquiries_6m", Int, "signals", "new credit inquiries in the last 180 days"},
	vOpenLoans:           {"open_loans_elsewhere", Int, "signals", "open loans at other lenders (多头借贷), latest bureau report"},
	vBalanceElsewhere:    {"balance_elsewhere", Money, "signals", "their outstanding balance, fen"},
	vOverdueElsewhere:    {"overdue_elsewhere", Money, "signals", "amount overdue at other lenders, fen"},
	vCourtCases:          {"court_cases", Int, "signals", "court cases open against the borrower (涉诉)"},
	vCourtNew3M:          {"court_new_3m", Int, "signals", "court cases filed in the last 90 days"},
	vDishonest:           {"dishonest", Bool, "signals", "on the dishonest-debtor list (失信被执行人)"},
	vMismatch:            {"identity_mismatch", Bool, "signals", "identity does not match the household registry (身份不符)"},
	vDeceased:            {"deceased", Bool, "signals", "registered as deceased (死亡)"},
	vSocialGap:           {"social_gap_months", Int, "signals", "months of social-security contributions unpaid since the last paid one (社保断缴)"},
	vSocialKnown:         {"social_known", Bool, "signals", "social security has reported on the borrower"},
	vUtilityArrears:      {"utility_arrears", Money, "signals", "utility arrears (水电欠费), fen"},
	vInflow3M:            {"inflow_3m", Money, "signals", "bank-statement inflow (流水) in the last 90 days, fen"},
	vInflowPrev3M:        {"inflow_prev_3m", Money, "signals", "inflow in the 90 days before that, fen"},
	vInflowDrop:          {"inflow_drop_pct", Int, "signals", "fall of inflow against the 3 months before, per cent (0 when it did not fall)"},
	vOutflow3M:           {"outflow_3m", Money, "signals", "bank-statement outflow in the last 90 days, fen"},
	vSalaryMonths:        {"salary_months_6m", Int, "signals", "calendar months with a salary credit in the last 6"},
	vStatementKnown:      {"statement_known", Bool, "signals", "bank statements have reported on the borrower"},
	vTaxArrears:          {"tax_arrears", Money, "signals", "tax overdue (欠税), fen"},
	vBusinessAnomaly:     {"business_anomaly", Bool, "signals", "listed for abnormal operation (工商经营异常)"},
	vSpend3M:             {"ecommerce_spend_3m", Money, "signals", "e-commerce spending in the last 90 days, fen"},
	vTrips3M:             {"transport_trips_3m", Int, "signals", "transport trips in the last 90 days"},
	vCustom:              {"custom", IntMap, "signals", `each custom feed's latest value by name: custom[?"name"].orValue(0) > 3`},
	vWarningLevel:        {"warning_level", Int, "collection", "highest severity of the loan's open warnings: 0 none, 1 yellow (黄), 2 orange (橙), 3 red (红); SOP and strategy conditions only"},
	vWillingness:         {"willingness", Int, "collection", "willingness to pay (还款意愿) the last AI-voice call scored, 0–100; -1 never scored; SOP and strategy conditions only"},
	vOpenPromises:        {"open_promises", Int, "collection", "promises to pay (承诺还款) still open; SOP and strategy conditions only"},
	vBrokenPromises:      {"broken_promises", Int, "collection", "promises broken in the current collection episode; SOP and strategy conditions only"},
	vAge:                 {"age", Int, "collection", "the borrower's age in years, 0 when unknown; SOP and strategy conditions only"},
}

var varIndex = func() map[string]int {
	m := make(map[string]int, nVars)
	for i, v := range Vars {
		m[v.Name] = i
	}
	return m
}()

// Values that never change, boxed once: a rule evaluation allocates for
// nothing it can avoid.
var (
	bucketVals = func() (out [servicing.M7 + 1]ref.Val) {
		for b := servicing.M0; b <= servicing.M7; b++ {
			out[b] = types.String(b.String())
		}
		return out
	}()
	classVals = func() (out [classification.Loss + 1]ref.Val) {
		for c := range out {
			out[c] = types.String(classification.Class(c).String())
		}
		return out
	}()
	statusActive     ref.Val = types.String(servicing.StatusActive)
	statusSettled    ref.Val = types.String(servicing.StatusSettled)
	statusWrittenOff ref.Val = types.String(servicing.StatusWrittenOff)
	emptyCustom      ref.Val = types.NewMap(types.DefaultTypeAdapter, map[string]int64{})
)

func fen(a money.Amount) ref.Val { return types.Int(a) }
func fenOf(v int64) ref.Val      { return types.Int(v) }

// noFacts stands for a borrower no source has reported on.
var noFacts signal.Facts

// value returns variable i of in.
func value(i int, in *Input) ref.Val {
	s, l, f, w := in.Snapshot, in.Loan, in.Facts, in.Work
	if f == nil {
		f = &noFacts
	}
	if w == nil {
		w = &noWork
	}
	switch i {
	case vDPD:
		return types.Int(s.DPD)
	case vMaxDPD:
		return types.Int(s.MaxDPD)
	case vBucket:
		if s.Bucket >= servicing.M0 && s.Bucket <= servicing.M7 {
			return bucketVals[s.Bucket]
		}
		return types.String(s.Bucket.String())
	case vClass:
		if s.Class >= classification.Normal && s.Class <= classification.Loss {
			return classVals[s.Class]
		}
		return types.String(s.Class.String())
	case vClassRank:
		return types.Int(s.Class)
	case vStage:
		return types.Int(s.Stage)
	case vOutstanding:
		return fen(s.PrincipalOutstanding)
	case vOverdue:
		return fen(s.OverduePrincipal + s.OverdueInterest)
	case vMonthsOnBook:
		n, _ := monthsOnBook(l.Disbursed, in.Date)
		return types.Int(n)
	case vProduct:
		return types.String(l.Product)
	case vBranch:
		return types.String(l.Branch)
	case vRegion:
		return types.String(l.Region)
	case vRestructured:
		return types.Bool(s.Restructured)
	case vStatus:
		switch s.Status {
		case servicing.StatusActive:
			return statusActive
		case servicing.StatusSettled:
			return statusSettled
		case servicing.StatusWrittenOff:
			return statusWrittenOff
		}
		return types.String(s.Status)
	case vScore:
		return types.Int(s.Score)
	case vPD:
		return types.Double(float64(s.PD) / money.RateScale)
	case vInitialScore:
		return types.Int(s.InitialScore)
	case vScoreDrop:
		if s.Score != 0 && s.InitialScore != 0 {
			return types.Int(s.InitialScore - s.Score)
		}
		return types.IntZero
	case vScored:
		return types.Bool(s.ModelID != 0)
	case vPartialPayments:
		return types.Int(in.Payments.PartialPayments)
	case vFirstPaymentDefault:
		return types.Bool(in.Payments.FirstPaymentDefault)
	case vSignalsKnown:
		return types.Bool(f.Any)
	case vInquiries1M:
		return types.Int(f.Inquiries1M)
	case vInquiries3M:
		return types.Int(f.Inquiries3M)
	case vInquiries6M:
		return types.Int(f.Inquiries6M)
	case vOpenLoans:
		return types.Int(f.OpenLoans)
	case vBalanceElsewhere:
		return fenOf(f.BalanceElsewhere)
	case vOverdueElsewhere:
		return fenOf(f.OverdueElsewhere)
	case vCourtCases:
		return types.Int(f.CourtCases)
	case vCourtNew3M:
		return types.Int(f.CourtNew3M)
	case vDishonest:
		return types.Bool(f.Dishonest)
	case vMismatch:
		return types.Bool(f.Mismatch)
	case vDeceased:
		return types.Bool(f.Deceased)
	case vSocialGap:
		return types.Int(f.SocialGap)
	case vSocialKnown:
		return types.Bool(f.SocialKnown)
	case vUtilityArrears:
		return fenOf(f.Arrears)
	case vInflow3M:
		return fenOf(f.Inflow3M)
	case vInflowPrev3M:
		return fenOf(f.InflowPrev3M)
	case vInflowDrop:
		return types.Int(f.InflowDrop())
	case vOutflow3M:
		return fenOf(f.Outflow3M)
	case vSalaryMonths:
		return types.Int(f.SalaryMonths)
	case vStatementKnown:
		return types.Bool(f.StatementKnown)
	case vTaxArrears:
		return fenOf(f.TaxArrears)
	case vBusinessAnomaly:
		return types.Bool(f.BusinessAnomaly)
	case vSpend3M:
		return fenOf(f.Spend3M)
	case vTrips3M:
		return types.Int(f.Trips3M)
	case vCustom:
		if len(f.Custom) == 0 {
			return emptyCustom
		}
		return types.NewMap(types.DefaultTypeAdapter, f.Custom)
	case vWarningLevel:
		return types.Int(w.WarningLevel)
	case vWillingness:
		return types.Int(w.Willingness)
	case vOpenPromises:
		return types.Int(w.OpenPromises)
	case vBrokenPromises:
		return types.Int(w.BrokenPromises)
	case vAge:
		return types.Int(w.Age)
	}
	panic("warning: no variable " + strconv.Itoa(i))
}

// monthsOnBook returns the whole months from disbursed to date — the
// monthiversaries passed, each on the disbursement's day clamped to a
// shorter month's end — and the date of the next one.
func monthsOnBook(disbursed, date civil.Date) (int, civil.Date) {
	if date.Before(disbursed) {
		return 0, disbursed.AddMonthsClamped(1, disbursed.Day())
	}
	day := disbursed.Day()
	n := date.MonthIndex() - disbursed.MonthIndex()
	if disbursed.AddMonthsClamped(n, day).After(date) {
		n--
	}
	return n, disbursed.AddMonthsClamped(n+1, day)
}

// activation is the variables of one Input as CEL reads them: each
// variable read at most once per Input, into an array — no map is built
// per loan. reset moves it to the next Input.
type activation struct {
	in   *Input
	gen  uint32
	seen [nVars]uint32
	vals [nVars]ref.Val
}

var _ interpreter.Activation = (*activation)(nil)

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	i, ok := varIndex[name]
	if !ok {
		return nil, false
	}
	return a.get(i), true
}

func (a *activation) get(i int) ref.Val {
	if a.seen[i] != a.gen {
		a.vals[i], a.seen[i] = value(i, a.in), a.gen
	}
	return a.vals[i]
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

func (a *activation) reset(in *Input) {
	a.in = in
	a.gen++
	if a.gen == 0 { // wrapped: forget every generation
		a.seen = [nVars]uint32{}
		a.gen = 1
	}
}

// format writes variable i's value as a reason shows it.
func (a *activation) format(b *strings.Builder, i int) {
	b.WriteString(Vars[i].Name)
	b.WriteByte('=')
	switch v := a.get(i).(type) {
	case types.Int:
		if Vars[i].Type == Money {
			b.WriteString(money.Amount(v).String()) // yuan, as people read money
			break
		}
		b.WriteString(strconv.FormatInt(int64(v), 10))
	case types.Double:
		b.WriteString(strconv.FormatFloat(float64(v), 'f', -1, 64))
	case types.Bool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case types.String:
		b.WriteString(string(v))
	default:
		f := a.in.Facts
		if f == nil {
			f = &noFacts
		}
		b.WriteByte('{')
		for k, name := range slices.Sorted(maps.Keys(f.Custom)) {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strconv.FormatInt(f.Custom[name], 10))
		}
		b.WriteByte('}')
	}
}
