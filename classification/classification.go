// Package classification assigns the regulatory five-tier loan
// classification (五级分类, 《商业银行金融资产风险分类办法》 2023) and the IFRS 9
// impairment stage. It is pure: the inputs are a loan's derived state —
// including the ledger's facts about restructurings (重组) and the
// delinquency after them, from which it works out the observation period
// (重组观察期) — and any approved override; the output is a class with the
// cause that set it, in a sentence a regulator can read, and the day a
// restructuring hold can lift.
package classification

import (
	"fmt"

	"daihou/civil"
)

// Class is a five-tier class; higher is worse.
type Class int

// The five tiers.
const (
	Normal         Class = 1 // 正常
	SpecialMention Class = 2 // 关注
	Substandard    Class = 3 // 次级
	Doubtful       Class = 4 // 可疑
	Loss           Class = 5 // 损失
)

var names = [...]string{"", "normal", "special-mention", "substandard", "doubtful", "loss"}
var namesZH = [...]string{"", "正常", "关注", "次级", "可疑", "损失"}

func (c Class) String() string {
	if c < Normal || c > Loss {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return names[c]
}

// Chinese returns the class's regulatory name (正常 … 损失).
func (c Class) Chinese() string {
	if c < Normal || c > Loss {
		return "?"
	}
	return namesZH[c]
}

// Parse returns the class named s, in English or Chinese.
func Parse(s string) (Class, error) {
	for c := Normal; c <= Loss; c++ {
		if names[c] == s || namesZH[c] == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown class %q (want normal, special-mention, substandard, doubtful or loss)", s)
}

// NonPerforming reports whether c is a non-performing (不良) class:
// 次级, 可疑 or 损失.
func (c Class) NonPerforming() bool { return c >= Substandard }

// Floor returns the lowest class the regulation allows for a loan this many
// days past due: overdue at all → 关注; over 90 → 次级; over 270 → 可疑;
// over 360 → 损失.
func Floor(dpd int) Class {
	switch {
	case dpd > 360:
		return Loss
	case dpd > 270:
		return Doubtful
	case dpd > 90:
		return Substandard
	case dpd > 0:
		return SpecialMention
	}
	return Normal
}

// Input is what classification looks at.
type Input struct {
	AsOf         civil.Date
	DPD          int
	WrittenOff   bool
	Restructured bool
	// ObservationStart is the first repayment date after the latest
	// restructuring. It is read only when Restructurings is empty, for
	// callers that know no more than that.
	ObservationStart civil.Date
	// Restructurings are the loan's restructurings in date order, and
	// Delinquency its days past due since the first of them: the facts the
	// observation period's rules need.
	Restructurings []Restructuring
	Delinquency    []Spell
	BorrowerNPL    bool   // contagion: the borrower's exposure is non-performing
	ContagionCause string // why, when BorrowerNPL: the borrower's non-performing loans
	Override       Class  // an approved override; 0 when none
	OverrideReason string
}

// Restructuring is one restructuring (重组) as the ledger records it.
type Restructuring struct {
	Date      civil.Date // value date
	DPDBefore int        // DPD at the end of the day before Date
	FirstDue  civil.Date // first repayment date of the new schedule: the observation starts here
	SecondDue civil.Date // its second; zero when the new schedule has one installment
}

// Spell is a run of days, From through To, on each of which the loan ended
// the day past due counting from Since: DPD d − Since on day d.
type Spell struct {
	From, To, Since civil.Date
}

// Result is a class and the cause that set it.
type Result struct {
	Class Class
	Cause string
	// ObservationEnd is, for a restructured loan in its observation period,
	// the first day out of it: the day its restructuring hold can lift, on
	// which close of business should look at the loan again. Zero when the
	// loan is not in observation.
	ObservationEnd civil.Date
}

// ObservationEnd returns the end of a restructured loan's observation
// period (the first day after it) from the new schedule's first two
// repayment dates: the period starts on the first, lasts at least two
// consecutive repayment periods and at least one year, so it ends on the
// later of a year after the first and the second. second is zero for a
// schedule of one installment.
func ObservationEnd(first, second civil.Date) civil.Date {
	return max(first.AddMonthsClamped(12, first.Day()), second)
}

// Classify returns the class for in: the worst of the DPD floor, the
// restructuring hold, borrower contagion and an approved override. An
// override can only move a loan above its floor, never below.
//
// The restructuring hold follows the 2023 rules (《商业银行金融资产风险分类办法》):
// a loan 正常 or 关注 at the end of the day before its restructuring is at
// least 关注 until its observation period ends; one 次级, 可疑 or 损失 then
// is held at that class. The class before counts the DPD floor and any
// hold of an earlier restructuring still running. During observation, more
// than 30 days past due makes the loan at least 次级, and restructuring it
// again (再次重组) at least 可疑; either restarts the observation, which
// then lasts a year from the last day the trigger held (or, for a new
// restructuring, its own period). The hold runs from the restructuring's
// value date.
func Classify(in Input) Result {
	if in.WrittenOff {
		return Result{Class: Loss, Cause: "written off (核销)"}
	}
	r := Result{Class: Floor(in.DPD), Cause: fmt.Sprintf("DPD %d", in.DPD)}
	if h := observe(in); h.active(in.AsOf) {
		r.ObservationEnd = h.end
		if h.class > r.Class {
			r.Class, r.Cause = h.class, h.cause()
		}
	}
	if in.BorrowerNPL && r.Class < Substandard {
		cause := in.ContagionCause
		if cause == "" {
			cause = "borrower contagion: the borrower's exposure is non-performing"
		}
		r.Class, r.Cause = Substandard, cause
	}
	if in.Override > r.Class {
		r.Class, r.Cause = in.Override, "override: "+in.OverrideReason
	}
	return r
}

// hold is a restructured loan's observation: at least class from start
// until the day before end, and why.
type hold struct {
	class      Class
	start, end civil.Date
	before     Class      // the class at the end of the day before start
	again      civil.Date // the earlier restructuring still in observation at start, if any
	overdue    civil.Date // the first day more than 30 days past due in observation, if any
}

func (h hold) active(d civil.Date) bool { return !d.Before(h.start) && d.Before(h.end) }

func (h hold) cause() string {
	if h.start == 0 {
		return fmt.Sprintf("restructured; held at %s in observation until %v", h.class.Chinese(), h.end)
	}
	s := fmt.Sprintf("restructured %v from %s", h.start, h.before.Chinese())
	if h.again != 0 {
		s += fmt.Sprintf(", again within the observation of the restructuring of %v (再次重组)", h.again)
	}
	if h.overdue != 0 {
		s += fmt.Sprintf("; over 30 days past due on %v in observation", h.overdue)
	}
	return s + fmt.Sprintf("; held at %s in observation until %v", h.class.Chinese(), h.end)
}

// observe replays the restructurings and the delinquency after them to
// the hold in force on in.AsOf.
func observe(in Input) hold {
	if len(in.Restructurings) == 0 {
		if !in.Restructured || in.ObservationStart == 0 {
			return hold{}
		}
		return hold{class: SpecialMention, end: ObservationEnd(in.ObservationStart, 0)}
	}
	var h hold
	for _, r := range in.Restructurings {
		if r.Date.After(in.AsOf) {
			break
		}
		eve := r.Date.AddDays(-1)
		h = h.triggered(in.Delinquency, eve)
		before := Floor(r.DPDBefore)
		if h.active(eve) {
			before = max(before, h.class)
		}
		next := hold{class: max(SpecialMention, before), start: r.Date, end: ObservationEnd(r.FirstDue, r.SecondDue), before: before}
		if h.active(r.Date) {
			next.class = max(next.class, Doubtful)
			next.again = h.start
		}
		h = next
	}
	return h.triggered(in.Delinquency, in.AsOf)
}

// triggered applies the DPD trigger to h over the days through until: a
// run of days more than 30 past due that begins in observation makes the
// loan at least 次级 and restarts the observation from the run's last day.
func (h hold) triggered(spells []Spell, until civil.Date) hold {
	if h.end == 0 {
		return h
	}
	for _, s := range spells {
		from := max(s.From, s.Since.AddDays(31), h.start)
		to := min(s.To, until)
		if to.Before(from) || !h.active(from) {
			continue
		}
		if h.overdue == 0 {
			h.overdue = from
		}
		h.class = max(h.class, Substandard)
		h.end = max(h.end, to.AddMonthsClamped(12, to.Day()))
	}
	return h
}

// Stage returns the IFRS 9 stage: 3 when credit-impaired (DPD over 90 or a
// non-performing class), 2 after a significant increase in credit risk (DPD
// over 30, 关注, or a significant score deterioration), else 1.
func Stage(dpd int, c Class, scoreDeteriorated bool) int {
	switch {
	case dpd > 90 || c.NonPerforming():
		return 3
	case dpd > 30 || c == SpecialMention || scoreDeteriorated:
		return 2
	}
	return 1
}

// ScoreDeteriorated reports a significant increase in credit risk since
// initial recognition by the behaviour score: the score has fallen by at
// least two PDO (points to double the odds) since the loan's first score,
// so its odds of going bad are at least four times what they were. It is
// one of the IFRS 9 stage 2 triggers; initial is 0 when the loan has no
// earlier score.
func ScoreDeteriorated(initial, current int, pdo float64) bool {
	return initial > 0 && pdo > 0 && float64(initial-current) >= 2*pdo
}
