package scoring

import (
	"fmt"
	"math"
)

// Scaling is the points scale (评分刻度) that turns odds into a score:
// score = Offset + Factor·ln(odds_good), with odds_good = (1−PD)/PD, so
// that BasePoints is scored at BaseOdds and every PDO points double the
// odds. Both model kinds share it, which is what lets a challenger's PD be
// read on the champion's scale.
type Scaling struct {
	BasePoints float64 `json:"base_points"` // the score at BaseOdds
	BaseOdds   float64 `json:"base_odds"`   // good:bad, e.g. 50 for 50:1
	PDO        float64 `json:"pdo"`         // points to double the odds
}

// DefaultScaling is 600 points at 50:1 good:bad odds, 20 points to double.
func DefaultScaling() Scaling { return Scaling{BasePoints: 600, BaseOdds: 50, PDO: 20} }

// Validate reports a scale that cannot be used.
func (s Scaling) Validate() error {
	if !(s.PDO > 0) || math.IsInf(s.PDO, 0) {
		return fmt.Errorf("scaling: PDO must be positive, got %v", s.PDO)
	}
	if !(s.BaseOdds > 0) || math.IsInf(s.BaseOdds, 0) {
		return fmt.Errorf("scaling: base odds must be positive, got %v", s.BaseOdds)
	}
	if math.IsNaN(s.BasePoints) || math.IsInf(s.BasePoints, 0) {
		return fmt.Errorf("scaling: base points must be finite, got %v", s.BasePoints)
	}
	return nil
}

// Factor is the points per unit of ln(odds): PDO/ln 2.
func (s Scaling) Factor() float64 { return s.PDO / math.Ln2 }

// Offset is the score at odds 1:1.
func (s Scaling) Offset() float64 { return s.BasePoints - s.Factor()*math.Log(s.BaseOdds) }

// FromLogit returns the score of a customer whose log-odds of being bad
// are logit: ln(odds_good) is −logit.
func (s Scaling) FromLogit(logit float64) float64 { return s.Offset() - s.Factor()*logit }

// Score returns the score of a probability of default.
func (s Scaling) Score(pd float64) float64 {
	return s.FromLogit(math.Log(pd) - math.Log1p(-pd))
}

// PD returns the probability of default of a score.
func (s Scaling) PD(score float64) float64 {
	return Sigmoid((s.Offset() - score) / s.Factor())
}

// Sigmoid is the logistic function, written to stay accurate for large
// |x| where the naive form overflows or loses all digits.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	z := math.Exp(x)
	return z / (1 + z)
}
