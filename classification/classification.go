// Package classification assigns the regulatory five-tier loan
// classification (五级分类, 《商业银行金融资产风险分类办法》 2023) and the IFRS 9
// impairment stage. It is pure: the inputs are a loan's derived state and
// any approved override, the output a class with the cause that set it —
// regulators ask why, so every result says.
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
	AsOf             civil.Date
	DPD              int
	WrittenOff       bool
	Restructured     bool
	ObservationStart civil.Date // first repayment date after the latest restructuring
	BorrowerNPL      bool       // contagion: the borrower's exposure is non-performing
	ContagionCause   string     // why, when BorrowerNPL: the share and the threshold
	Override         Class      // an approved override; 0 when none
	OverrideReason   string
}

// Result is a class and the cause that set it.
type Result struct {
	Class Class
	Cause string
}

// ObservationEnd returns the end of a restructured loan's observation
// period: at least two repayment periods and at least one year from the
// first repayment date after restructuring, so one year for monthly loans.
func ObservationEnd(start civil.Date) civil.Date {
	return start.AddMonthsClamped(12, start.Day())
}

// Classify returns the class for in: the worst of the DPD floor, the
// restructuring floor, borrower contagion and an approved override. An
// override can only move a loan above its floor, never below.
func Classify(in Input) Result {
	if in.WrittenOff {
		return Result{Loss, "written off (核销)"}
	}
	r := Result{Floor(in.DPD), fmt.Sprintf("DPD %d", in.DPD)}
	if in.Restructured && in.AsOf.Before(ObservationEnd(in.ObservationStart)) && r.Class < SpecialMention {
		r = Result{SpecialMention, fmt.Sprintf("restructured, in observation until %v", ObservationEnd(in.ObservationStart))}
	}
	if in.BorrowerNPL && r.Class < Substandard {
		cause := in.ContagionCause
		if cause == "" {
			cause = "borrower contagion: the borrower's exposure is non-performing"
		}
		r = Result{Substandard, cause}
	}
	if in.Override > r.Class {
		r = Result{in.Override, "override: " + in.OverrideReason}
	}
	return r
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
