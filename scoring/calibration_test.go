package scoring

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitPlattRecoversTheMap: a model whose log-odds are off by an affine
// map — too confident and biased — is put right: the fit finds the map,
// and the Brier score falls.
func TestFitPlattRecoversTheMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 50000
	logit := make([]float64, n)
	bad := make([]uint8, n)
	const a, b = -0.8, 0.6
	for i := range n {
		z := 2 * rng.NormFloat64()
		logit[i] = z
		if rng.Float64() < Sigmoid(a+b*z) {
			bad[i] = 1
		}
	}
	c, err := FitPlatt(logit, bad)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.A-a) > 0.05 || math.Abs(c.B-b) > 0.05 {
		t.Errorf("fitted A %.3f B %.3f, want about %v and %v", c.A, c.B, a, b)
	}
	if !(c.BrierAfter < c.BrierBefore) || c.Rows != n {
		t.Errorf("Brier %.5f before, %.5f after on %d rows: want it lower after", c.BrierBefore, c.BrierAfter, c.Rows)
	}
}

func TestFitPlattRefuses(t *testing.T) {
	tests := []struct {
		name  string
		logit []float64
		bad   []uint8
	}{
		{"no rows", nil, nil},
		{"lengths differ", []float64{1, 2}, []uint8{1}},
		{"one outcome", []float64{1, 2, 3}, []uint8{0, 0, 0}},
	}
	for _, tt := range tests {
		if _, err := FitPlatt(tt.logit, tt.bad); err == nil {
			t.Errorf("%s: got no error", tt.name)
		}
	}
}

// flat is a one-feature model whose log-odds is its input.
type flat struct{}

func (flat) Kind() Kind          { return KindGBDT }
func (flat) Features() []Feature { return []Feature{{Name: "x", Type: Numeric}} }
func (flat) Scaling() Scaling    { return DefaultScaling() }
func (f flat) ScoreRow(x []float64, _ []Reason) Result {
	return Result{Score: f.Scaling().FromLogit(x[0]), PD: Sigmoid(x[0])}
}
func (f flat) ScoreColumns(cols [][]float64, score, pd []float64) error {
	for i, v := range cols[0] {
		r := f.ScoreRow([]float64{v}, nil)
		score[i] = r.Score
		if pd != nil {
			pd[i] = r.PD
		}
	}
	return nil
}

// TestCalibratedKeepsScores: calibration moves the PD, every path alike,
// and leaves the score where the model put it.
func TestCalibratedKeepsScores(t *testing.T) {
	cal := &Calibration{Method: "platt", A: 0.3, B: 0.5}
	m := Calibrated{Model: flat{}, Cal: cal}
	xs := []float64{-4, -1, 0, 2.5}
	score, pd := make([]float64, len(xs)), make([]float64, len(xs))
	if err := m.ScoreColumns([][]float64{xs}, score, pd); err != nil {
		t.Fatal(err)
	}
	reasons := make([][]Reason, len(xs))
	rscore, rpd := make([]float64, len(xs)), make([]float64, len(xs))
	if err := ScoreReasons(m, [][]float64{xs}, rscore, rpd, reasons); err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		r := m.ScoreRow([]float64{x}, nil)
		want := Sigmoid(0.3 + 0.5*x)
		if math.Abs(r.PD-want) > 1e-12 || math.Abs(pd[i]-want) > 1e-12 || math.Abs(rpd[i]-want) > 1e-12 {
			t.Errorf("x %v: PD %v (row) %v (columns) %v (reasons), want %v", x, r.PD, pd[i], rpd[i], want)
		}
		if got, want := r.Score, DefaultScaling().FromLogit(x); math.Abs(got-want) > 1e-9 || score[i] != got || rscore[i] != got {
			t.Errorf("x %v: score %v, want the model's %v", x, got, want)
		}
	}
}
