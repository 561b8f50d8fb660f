package report_test

import (
	"math"
	"testing"

	"daihou/report"
)

func near4(a, b float64) bool { return math.Abs(a-b) < 0.00005 }

// The Wilson score interval against Newcombe (1998), "Two-sided confidence
// intervals for the single proportion", Table I, method 3 (score, no
// continuity correction), 95 %.
func TestWilsonNewcombeTableI(t *testing.T) {
	for _, c := range []struct {
		x, n   int64
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0.0000, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		lo, hi, ok := report.Wilson(c.x, c.n, report.Z95)
		if !ok || !near4(lo, c.lo) || !near4(hi, c.hi) {
			t.Errorf("Wilson(%d/%d) = %.4f–%.4f, %v; want %.4f–%.4f", c.x, c.n, lo, hi, ok, c.lo, c.hi)
		}
	}
}

// A case by hand: 0/20 has the closed form upper = z²/(n + z²) (the ±
// root collapses), 3.841459/23.841459 = 0.161125…; and 10/10 mirrors it,
// n/(n + z²) = 10/13.841459 = 0.722466… lower.
func TestWilsonByHand(t *testing.T) {
	z2 := report.Z95 * report.Z95
	if lo, hi, _ := report.Wilson(0, 20, report.Z95); lo != 0 || math.Abs(hi-z2/(20+z2)) > 1e-12 || !near4(hi, 0.1611) {
		t.Errorf("Wilson(0/20) = %v–%v, want 0–%v", lo, hi, z2/(20+z2))
	}
	if lo, hi, _ := report.Wilson(10, 10, report.Z95); hi != 1 || math.Abs(lo-10/(10+z2)) > 1e-12 || !near4(lo, 0.7225) {
		t.Errorf("Wilson(10/10) = %v–%v, want %v–1", lo, hi, 10/(10+z2))
	}
	// 50/100 is symmetric about 0.5: (100 + z² ± z√(z² + 100)) / (2(100 + z²)).
	lo, hi, _ := report.Wilson(50, 100, report.Z95)
	if !near4(lo, 0.4038) || !near4(hi, 0.5962) || math.Abs(lo+hi-1) > 1e-12 {
		t.Errorf("Wilson(50/100) = %v–%v, want 0.4038–0.5962", lo, hi)
	}
	if _, _, ok := report.Wilson(0, 0, report.Z95); ok {
		t.Error("Wilson(0/0) is ok, want no interval")
	}
}

// Newcombe's hybrid score interval for a difference of proportions
// against Newcombe (1998), "Interval estimation for the difference between
// independent proportions", Table II, method 10.
func TestNewcombeTableII(t *testing.T) {
	for _, c := range []struct {
		x1, n1, x2, n2 int64
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
	} {
		d, lo, hi, ok := report.Newcombe(c.x1, c.n1, c.x2, c.n2, report.Z95)
		want := float64(c.x1)/float64(c.n1) - float64(c.x2)/float64(c.n2)
		if !ok || math.Abs(d-want) > 1e-12 || !near4(lo, c.lo) || !near4(hi, c.hi) {
			t.Errorf("Newcombe(%d/%d − %d/%d) = %.4f (%.4f–%.4f), want %.4f (%.4f–%.4f)", c.x1, c.n1, c.x2, c.n2, d, lo, hi, want, c.lo, c.hi)
		}
	}
}

// The pooled z-test by hand on 56/70 against 48/80: p̂ = 104/150, z =
// 0.2 / √(p̂(1−p̂)(1/70 + 1/80)) = 2.6502, two-sided p = 0.00805.
func TestTwoProportionZByHand(t *testing.T) {
	z, p, ok := report.TwoProportionZ(56, 70, 48, 80)
	pooled := 104.0 / 150
	want := 0.2 / math.Sqrt(pooled*(1-pooled)*(1.0/70+1.0/80))
	if !ok || math.Abs(z-want) > 1e-12 || !near4(z, 2.6502) || math.Abs(p-0.00805) > 0.00001 {
		t.Errorf("z = %v, p = %v; want %v and 0.00805", z, p, want)
	}
	// No variance, nothing to test.
	if _, _, ok := report.TwoProportionZ(0, 10, 0, 20); ok {
		t.Error("0/10 against 0/20 gives a z, want none")
	}
}
