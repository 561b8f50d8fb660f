package scoring

import (
	"errors"
	"fmt"
	"math"
)

// Calibration maps a model's log-odds of default to a calibrated
// probability of default (违约概率校准). Expected credit loss multiplies
// the PD, so the PD must be right on average in every score band, not
// only rank customers well; a model's own PD rarely is — boosted trees
// shrink towards the mean, a scorecard's WOE fitted on the same rows is
// over-confident. Platt scaling fits logit′ = A + B·logit by logistic
// regression on out-of-fold predictions: rows the model being calibrated
// never saw. It keeps the ranking (B > 0), so AUC, KS and the points
// scale are untouched; only the PD moves.
type Calibration struct {
	Method string  `json:"method"` // "platt"
	A      float64 `json:"a"`      // intercept on the model's log-odds
	B      float64 `json:"b"`      // slope on the model's log-odds
	Rows   int     `json:"rows"`   // out-of-fold rows it was fitted on
	// BrierBefore and BrierAfter are the Brier scores of those rows'
	// PDs before and after calibration.
	BrierBefore float64 `json:"brier_before"`
	BrierAfter  float64 `json:"brier_after"`
}

// Validate reports a calibration that cannot be used.
func (c *Calibration) Validate() error {
	if c.Method != "platt" {
		return fmt.Errorf("calibration: unknown method %q", c.Method)
	}
	if math.IsNaN(c.A) || math.IsInf(c.A, 0) || !(c.B > 0) || math.IsInf(c.B, 0) {
		return fmt.Errorf("calibration: A %v, B %v (want finite, B positive)", c.A, c.B)
	}
	return nil
}

// PD returns the calibrated probability of default for log-odds logit.
func (c *Calibration) PD(logit float64) float64 { return Sigmoid(c.A + c.B*logit) }

// FitPlatt fits a Platt calibration to out-of-fold log-odds and their
// outcomes by Newton's method on the two parameters.
func FitPlatt(logit []float64, bad []uint8) (*Calibration, error) {
	if len(logit) != len(bad) || len(logit) == 0 {
		return nil, fmt.Errorf("calibration: %d predictions, %d outcomes", len(logit), len(bad))
	}
	var bads int
	for _, b := range bad {
		bads += int(b)
	}
	if bads == 0 || bads == len(bad) {
		return nil, errors.New("calibration: need both outcomes")
	}
	a, b := 0.0, 1.0
	for iter := 0; iter < 50; iter++ {
		// Gradient and Hessian of the log-loss in (a, b), with a tiny
		// ridge that keeps the step finite on separable data.
		var ga, gb, haa, hab, hbb float64
		for i, z := range logit {
			p := Sigmoid(a + b*z)
			r := p - float64(bad[i])
			w := max(p*(1-p), 1e-12)
			ga += r
			gb += r * z
			haa += w
			hab += w * z
			hbb += w * z * z
		}
		haa += 1e-9
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if !(det > 0) {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a -= da
		b -= db
		if math.Abs(da) < 1e-10 && math.Abs(db) < 1e-10 {
			break
		}
	}
	if !(b > 0) {
		// A model whose out-of-fold ranking runs backwards is not one to
		// calibrate: keep its own PD.
		a, b = 0, 1
	}
	c := &Calibration{Method: "platt", A: a, B: b, Rows: len(logit)}
	for i, z := range logit {
		y := float64(bad[i])
		raw, cal := Sigmoid(z)-y, c.PD(z)-y
		c.BrierBefore += raw * raw
		c.BrierAfter += cal * cal
	}
	c.BrierBefore /= float64(len(logit))
	c.BrierAfter /= float64(len(logit))
	return c, c.Validate()
}

// Calibrated is a Model whose PD is calibrated; scores and reason codes
// are the inner model's.
type Calibrated struct {
	Model
	Cal *Calibration
}

// Logit returns the inner model's log-odds of a score on its scale.
func (c Calibrated) logit(score float64) float64 {
	s := c.Model.Scaling()
	return (s.Offset() - score) / s.Factor()
}

// ScoreRow implements Model.
func (c Calibrated) ScoreRow(x []float64, reasons []Reason) Result {
	r := c.Model.ScoreRow(x, reasons)
	r.PD = c.Cal.PD(c.logit(r.Score))
	return r
}

// ScoreColumns implements Model.
func (c Calibrated) ScoreColumns(cols [][]float64, score, pd []float64) error {
	if err := c.Model.ScoreColumns(cols, score, nil); err != nil {
		return err
	}
	c.fix(score, pd)
	return nil
}

// ScoreColumnsReasons implements ReasonBatcher, through the inner model's
// batch path where it has one.
func (c Calibrated) ScoreColumnsReasons(cols [][]float64, score, pd []float64, reasons [][]Reason) error {
	if err := ScoreReasons(c.Model, cols, score, nil, reasons); err != nil {
		return err
	}
	c.fix(score, pd)
	return nil
}

func (c Calibrated) fix(score, pd []float64) {
	for i := range pd {
		pd[i] = c.Cal.PD(c.logit(score[i]))
	}
}
