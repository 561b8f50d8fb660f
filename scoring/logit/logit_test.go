package logit

import (
	"math"
	"testing"
)

// TestBinaryFeatureClosedForm: with one 0/1 feature the maximum-likelihood
// fit reproduces the two groups' log-odds exactly — intercept = logit of
// the bad rate where x=0, coefficient = the difference of the logits.
func TestBinaryFeatureClosedForm(t *testing.T) {
	// x=0: 100 rows, 20 bad → logit(0.2) = ln(20/80) = −1.386294
	// x=1: 100 rows, 50 bad → logit(0.5) = 0, so coefficient = 1.386294
	var x []float64
	var bad []uint8
	for i := 0; i < 100; i++ {
		x = append(x, 0, 1)
		bad = append(bad, b(i < 20), b(i < 50))
	}
	fit, err := Train([][]float64{x}, bad, Config{L2: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fit.Intercept, math.Log(20.0/80); math.Abs(got-want) > 1e-6 {
		t.Errorf("intercept: got %v, want %v", got, want)
	}
	if got, want := fit.Coef[0], -math.Log(20.0/80); math.Abs(got-want) > 1e-6 {
		t.Errorf("coefficient: got %v, want %v", got, want)
	}
}

func b(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

func TestL2ShrinksAndKeepsSeparationFinite(t *testing.T) {
	// x perfectly separates the classes: without a penalty the
	// coefficient would run off to infinity.
	x := []float64{-2, -1, -0.5, 0.5, 1, 2}
	bad := []uint8{0, 0, 0, 1, 1, 1}
	weak, err := Train([][]float64{x}, bad, Config{L2: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	strong, err := Train([][]float64{x}, bad, Config{L2: 10})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(weak.Coef[0], 0) || math.IsNaN(weak.Coef[0]) || weak.Coef[0] <= 0 {
		t.Fatalf("coefficient under separation: got %v, want finite and positive", weak.Coef[0])
	}
	if !(strong.Coef[0] < weak.Coef[0]) {
		t.Errorf("stronger L2 did not shrink: %v vs %v", strong.Coef[0], weak.Coef[0])
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		cols [][]float64
		bad  []uint8
		cfg  Config
	}{
		{"no rows", [][]float64{{}}, nil, Config{}},
		{"one class", [][]float64{{1, 2}}, []uint8{1, 1}, Config{}},
		{"ragged", [][]float64{{1}}, []uint8{0, 1}, Config{}},
		{"negative penalty", [][]float64{{1, 2}}, []uint8{0, 1}, Config{L2: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Train(tt.cols, tt.bad, tt.cfg); err == nil {
				t.Error("got no error, want one")
			}
		})
	}
}
