package scoring

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestScalingArithmetic(t *testing.T) {
	s := DefaultScaling() // 600 points at 50:1, PDO 20
	// factor = 20/ln 2 = 28.8539; offset = 600 − 28.8539·ln 50 = 487.1229.
	if got, want := s.Factor(), 20/math.Ln2; math.Abs(got-want) > 1e-12 {
		t.Errorf("factor: got %v, want %v", got, want)
	}
	if got, want := s.Offset(), 487.1228762045; math.Abs(got-want) > 1e-9 {
		t.Errorf("offset: got %v, want %v", got, want)
	}
	tests := []struct {
		name     string
		oddsGood float64
		want     float64
	}{
		{"base odds score base points", 50, 600},
		{"double the odds, plus one PDO", 100, 620},
		{"four times the odds, plus two PDO", 200, 640},
		{"half the odds, minus one PDO", 25, 580},
		{"even odds score the offset", 1, 487.1228762045},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd := 1 / (1 + tt.oddsGood)
			if got := s.Score(pd); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Score(PD %v): got %v, want %v", pd, got, tt.want)
			}
			if got := s.PD(tt.want); math.Abs(got-pd) > 1e-12 {
				t.Errorf("PD(%v): got %v, want %v", tt.want, got, pd)
			}
			if got := s.FromLogit(-math.Log(tt.oddsGood)); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("FromLogit: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestScalingDoublesOddsEveryPDO checks the defining property on any
// valid scale: PDO more points means twice the good:bad odds.
func TestScalingDoublesOddsEveryPDO(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := Scaling{
			BasePoints: rapid.Float64Range(0, 1000).Draw(t, "base"),
			BaseOdds:   rapid.Float64Range(0.5, 200).Draw(t, "odds"),
			PDO:        rapid.Float64Range(5, 100).Draw(t, "pdo"),
		}
		score := rapid.Float64Range(s.BasePoints-3*s.PDO, s.BasePoints+3*s.PDO).Draw(t, "score")
		odds := func(sc float64) float64 { p := s.PD(sc); return (1 - p) / p }
		if r := odds(score+s.PDO) / odds(score); math.Abs(r-2) > 1e-6 {
			t.Fatalf("odds ratio over one PDO: got %v, want 2", r)
		}
		if got := odds(s.BasePoints); math.Abs(got-s.BaseOdds)/s.BaseOdds > 1e-9 {
			t.Fatalf("odds at base points: got %v, want %v", got, s.BaseOdds)
		}
	})
}

func TestScalingValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Scaling
		ok   bool
	}{
		{"default", DefaultScaling(), true},
		{"zero PDO", Scaling{600, 50, 0}, false},
		{"negative odds", Scaling{600, -1, 20}, false},
		{"NaN base", Scaling{math.NaN(), 50, 20}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate: got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSigmoidExtremes(t *testing.T) {
	for _, x := range []float64{-1000, -40, 0, 40, 1000} {
		y := Sigmoid(x)
		if math.IsNaN(y) || y < 0 || y > 1 {
			t.Errorf("Sigmoid(%v) = %v", x, y)
		}
	}
	if got := Sigmoid(0); got != 0.5 {
		t.Errorf("Sigmoid(0): got %v, want 0.5", got)
	}
}
