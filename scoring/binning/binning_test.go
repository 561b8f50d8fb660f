package binning

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// valueBins returns the non-empty value bins (not missing, not other).
func valueBins(b *Binning) []Bin {
	var out []Bin
	for _, bin := range b.Bins {
		if !bin.Missing && !bin.Other && bin.Count > 0 {
			out = append(out, bin)
		}
	}
	return out
}

func monotone(bins []Bin, dir Monotone) bool {
	for i := 1; i < len(bins); i++ {
		// WOE rises with the share of goods, so an increasing bad rate is
		// a decreasing WOE.
		if dir == Increasing && bins[i].WOE >= bins[i-1].WOE {
			return false
		}
		if dir == Decreasing && bins[i].WOE <= bins[i-1].WOE {
			return false
		}
	}
	return true
}

// TestForcedMonotoneProperty: whatever the data, a forced direction (or
// Auto with Strict) yields value bins whose WOE moves one way only, and
// the bins account for every row.
func TestForcedMonotoneProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(50, 600).Draw(t, "n")
		slope := rapid.Float64Range(-3, 3).Draw(t, "slope")
		wiggle := rapid.Float64Range(0, 3).Draw(t, "wiggle")
		levels := rapid.IntRange(2, 400).Draw(t, "levels")
		x := make([]float64, n)
		bad := make([]uint8, n)
		for i := range x {
			if rapid.Float64Range(0, 1).Draw(t, "missing") < 0.05 {
				x[i] = math.NaN()
			} else {
				x[i] = float64(rapid.IntRange(0, levels).Draw(t, "x"))
			}
			v := x[i] / float64(levels)
			if math.IsNaN(v) {
				v = 0.5
			}
			p := 1 / (1 + math.Exp(-(slope*(v-0.5) + wiggle*math.Sin(12*v))))
			if rapid.Float64Range(0, 1).Draw(t, "u") < p {
				bad[i] = 1
			}
		}
		bad[0], bad[1] = 0, 1
		mode := rapid.SampledFrom([]Monotone{Increasing, Decreasing, Auto}).Draw(t, "mode")
		b, err := Numeric(x, bad, Config{Monotone: mode, Strict: true, FineBins: rapid.IntRange(2, 80).Draw(t, "fine")})
		if err != nil {
			t.Fatal(err)
		}
		dir := b.Direction
		if mode != Auto && dir != mode {
			t.Fatalf("direction: got %s, want %s", dir, mode)
		}
		if vb := valueBins(b); !monotone(vb, dir) {
			t.Fatalf("WOE not %s: %+v", dir, vb)
		}
		total := 0
		for i, bin := range b.Bins {
			total += bin.Count
			if bin.IV < -1e-12 {
				t.Fatalf("bin %d has negative IV %v", i, bin.IV)
			}
		}
		if total != n {
			t.Fatalf("bins hold %d rows, want %d", total, n)
		}
		if last := b.Bins[len(b.Bins)-1]; !last.Missing {
			t.Fatal("last bin is not the missing bin")
		}
		// Every row falls in the bin whose bounds hold it.
		for i, v := range x {
			k := b.Find(v)
			bin := b.Bins[k]
			if math.IsNaN(v) != bin.Missing || !math.IsNaN(v) && !(v > bin.Low && v <= bin.High) {
				t.Fatalf("row %d value %v found in bin %+v", i, v, bin)
			}
		}
	})
}

// codeFeature mimics a repayment-status code: "paid in full" (−1) is
// riskier than "revolving" (0), and being late (1) far riskier — a real,
// large reversal that strict monotonicity would erase.
func codeFeature() ([]float64, []uint8) {
	var x []float64
	var bad []uint8
	add := func(v float64, n, bads int) {
		for i := 0; i < n; i++ {
			x = append(x, v)
			b := uint8(0)
			if i < bads {
				b = 1
			}
			bad = append(bad, b)
		}
	}
	add(-1, 4000, 680) // 17%
	add(0, 8000, 960)  // 12%
	add(1, 2000, 700)  // 35%
	return x, bad
}

func TestAutoKeepsSignificantReversal(t *testing.T) {
	x, bad := codeFeature()
	tests := []struct {
		name     string
		cfg      Config
		wantBins int
	}{
		// z for 17% vs 12% on 4,000 and 8,000 rows is about 7.5, well
		// above the default 4: the reversal stays.
		{"auto keeps it", Config{}, 3},
		{"strict merges it", Config{Strict: true}, 2},
		{"a higher bar merges it", Config{ViolationZ: 10}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Numeric(x, bad, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(valueBins(b)); got != tt.wantBins {
				t.Errorf("value bins: got %d, want %d (%+v)", got, tt.wantBins, b.Bins)
			}
		})
	}
}

func TestWOEAndIVByHand(t *testing.T) {
	// Two values, 100 rows each: x=1 has 10 bads, x=2 has 40. Goods
	// 90+60=150, bads 50. With half-row smoothing:
	//   WOE(1) = ln((90.5/150)/(10.5/50)) = ln(0.60333/0.21) = 1.05543
	//   WOE(2) = ln((60.5/150)/(40.5/50)) = ln(0.40333/0.81) = −0.69729
	//   IV uses the same smoothed shares:
	//   (0.60333−0.21)·1.05543 + (0.40333−0.81)·(−0.69729)
	//     = 0.41514 + 0.28357 = 0.69871
	var x []float64
	var bad []uint8
	for i := 0; i < 100; i++ {
		x = append(x, 1, 2)
		bad = append(bad, b2u(i < 10), b2u(i < 40))
	}
	b, err := Numeric(x, bad, Config{FineBins: 2, MinBinShare: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	vb := valueBins(b)
	if len(vb) != 2 {
		t.Fatalf("bins: got %+v, want two", vb)
	}
	for i, want := range []float64{1.05543, -0.69729} {
		if math.Abs(vb[i].WOE-want) > 1e-4 {
			t.Errorf("WOE of bin %d: got %.5f, want %.5f", i, vb[i].WOE, want)
		}
	}
	if math.Abs(b.IV-0.69871) > 1e-4 {
		t.Errorf("IV: got %.5f, want 0.69871", b.IV)
	}
	if b.Direction != Increasing {
		t.Errorf("direction: got %s, want increasing", b.Direction)
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func TestCategorical(t *testing.T) {
	// Codes 0..3 are common with bad rates 10%, 30%, 20%, 50%; codes 4
	// and 5 are rare and pooled into "other"; 50 rows are missing.
	var codes []float64
	var bad []uint8
	add := func(c float64, n, bads int) {
		for i := 0; i < n; i++ {
			codes = append(codes, c)
			bad = append(bad, b2u(i < bads))
		}
	}
	add(0, 1000, 100)
	add(1, 1000, 300)
	add(2, 1000, 200)
	add(3, 1000, 500)
	add(4, 10, 5)
	add(5, 10, 1)
	add(math.NaN(), 50, 10)
	b, err := Categorical(codes, 6, bad, Config{})
	if err != nil {
		t.Fatal(err)
	}
	// Bins run from best to worst WOE.
	for i := 1; i < len(b.Bins)-1; i++ {
		if b.Bins[i].WOE > b.Bins[i-1].WOE && !b.Bins[i].Other && !b.Bins[i-1].Other {
			t.Errorf("bin %d WOE %v above bin %d WOE %v", i, b.Bins[i].WOE, i-1, b.Bins[i-1].WOE)
		}
	}
	other := b.Find(-1) // an unseen category
	if !b.Bins[other].Other {
		t.Fatalf("unseen category went to %+v, want the other bin", b.Bins[other])
	}
	for _, c := range []float64{4, 5} {
		if got := b.Find(c); got != other {
			t.Errorf("rare code %v in bin %d, want other bin %d", c, got, other)
		}
	}
	if got := b.Bins[b.Find(math.NaN())]; !got.Missing || got.Count != 50 {
		t.Errorf("missing bin: got %+v", got)
	}
	if got := b.Bins[b.Find(0)].Categories; len(got) != 1 || got[0] != 0 {
		t.Errorf("code 0 shares a bin: %v", got)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Numeric([]float64{1, 2}, []uint8{0, 0}, Config{}); err == nil {
		t.Error("one class: got no error")
	}
	if _, err := Numeric([]float64{1, 2}, []uint8{0}, Config{}); err == nil {
		t.Error("length mismatch: got no error")
	}
	if _, err := Categorical([]float64{0, 7}, 2, []uint8{0, 1}, Config{}); err == nil {
		t.Error("code out of range: got no error")
	}
}
