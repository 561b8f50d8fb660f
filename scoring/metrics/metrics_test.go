package metrics

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestDiscriminate(t *testing.T) {
	tests := []struct {
		name    string
		risk    []float64
		bad     []uint8
		auc, ks float64
		wantErr bool
	}{
		{
			// Pairs (bad, good): 0.35 beats 0.1, loses to 0.4; 0.8 beats
			// both: 3 wins of 4 → AUC 0.75. Walking up the sorted risks
			// 0.1g 0.35b 0.4g 0.8b, cumulative (good, bad) shares are
			// (.5,0) (.5,.5) (1,.5) (1,1): the largest gap is 0.5.
			name: "no ties", risk: []float64{0.1, 0.4, 0.35, 0.8}, bad: []uint8{0, 0, 1, 1},
			auc: 0.75, ks: 0.5,
		},
		{
			// Goods 0.2, 0.5; bads 0.2, 0.5, 0.9. Bad 0.2: tie with good
			// 0.2 (½), loses to 0.5 → ½. Bad 0.5: beats 0.2, ties 0.5 →
			// 1½. Bad 0.9: beats both → 2. Total 4 of 6 pairs → ⅔.
			// Groups 0.2 (1g,1b), 0.5 (1g,1b), 0.9 (1b): shares after
			// each (½,⅓) (1,⅔) (1,1) → KS ⅓, measured only between groups.
			name: "ties count one half", risk: []float64{0.2, 0.2, 0.5, 0.5, 0.9}, bad: []uint8{0, 1, 0, 1, 1},
			auc: 4.0 / 6, ks: 1.0 / 3,
		},
		{
			name: "all tied", risk: []float64{1, 1, 1, 1}, bad: []uint8{0, 1, 0, 1},
			auc: 0.5, ks: 0,
		},
		{
			name: "perfectly reversed", risk: []float64{3, 4, 1, 2}, bad: []uint8{0, 0, 1, 1},
			auc: 0, ks: 1,
		},
		{name: "one class", risk: []float64{1, 2}, bad: []uint8{0, 0}, wantErr: true},
		{name: "length mismatch", risk: []float64{1, 2}, bad: []uint8{0}, wantErr: true},
		{name: "NaN risk", risk: []float64{1, math.NaN()}, bad: []uint8{0, 1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Discriminate(tt.risk, tt.bad)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got no error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !near(d.AUC, tt.auc) {
				t.Errorf("AUC: got %v, want %v", d.AUC, tt.auc)
			}
			if !near(d.KS, tt.ks) {
				t.Errorf("KS: got %v, want %v", d.KS, tt.ks)
			}
			if want := 2*tt.auc - 1; !near(d.Gini, want) {
				t.Errorf("Gini: got %v, want %v", d.Gini, want)
			}
			if got := AUC(tt.risk, tt.bad); !near(got, tt.auc) {
				t.Errorf("AUC(): got %v, want %v", got, tt.auc)
			}
		})
	}
}

// TestAUCMatchesPairCount checks the sort-based AUC against the definition:
// the share of (bad, good) pairs ranked right, ties counting one half.
func TestAUCMatchesPairCount(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 40).Draw(t, "n")
		risk := make([]float64, n)
		bad := make([]uint8, n)
		for i := range risk {
			risk[i] = float64(rapid.IntRange(0, 5).Draw(t, "risk")) // small range: many ties
			bad[i] = uint8(rapid.IntRange(0, 1).Draw(t, "bad"))
		}
		bad[0], bad[1] = 0, 1
		var wins, pairs float64
		for i := range risk {
			for j := range risk {
				if bad[i] == 1 && bad[j] == 0 {
					pairs++
					switch {
					case risk[i] > risk[j]:
						wins++
					case risk[i] == risk[j]:
						wins += 0.5
					}
				}
			}
		}
		if got, want := AUC(risk, bad), wins/pairs; !near(got, want) {
			t.Fatalf("AUC: got %v, want %v", got, want)
		}
	})
}

func TestPSI(t *testing.T) {
	tests := []struct {
		name             string
		expected, actual []float64
		want             float64
	}{
		// (.4−.5)·ln(.4/.5) + (.4−.3)·ln(.4/.3) + 0
		//   = 0.1·0.223144 + 0.1·0.287682 = 0.0510826
		{"shift between two bins", []float64{0.5, 0.3, 0.2}, []float64{0.4, 0.4, 0.2}, 0.0510826},
		{"identical", []float64{0.25, 0.25, 0.5}, []float64{0.25, 0.25, 0.5}, 0},
		// The empty expected bin is floored at 1e-4:
		// (.1−.0001)·ln(.1/.0001) + (.4−.5)·ln(.4/.5)
		//   = 0.0999·6.907755 + 0.022314 = 0.690085 + 0.022314 = 0.712399
		{"empty bin uses epsilon", []float64{0.5, 0.5, 0}, []float64{0.5, 0.4, 0.1}, 0.712399},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PSI(tt.expected, tt.actual); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("PSI: got %.7f, want %.7f", got, tt.want)
			}
		})
	}
}

func TestQuantileEdgesAndShares(t *testing.T) {
	x := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	edges := QuantileEdges(x, 5)
	want := []float64{2, 4, 6, 8}
	if len(edges) != len(want) {
		t.Fatalf("edges: got %v, want %v", edges, want)
	}
	for i := range want {
		if edges[i] != want[i] {
			t.Fatalf("edges: got %v, want %v", edges, want)
		}
	}
	for k, s := range Shares(x, edges) {
		if !near(s, 0.2) {
			t.Errorf("share of bin %d: got %v, want 0.2", k, s)
		}
	}
	// Heavy ties give fewer bins instead of splitting equal values.
	tied := []float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 2}
	if got := QuantileEdges(tied, 10); len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("tied edges: got %v, want [0 1]", got)
	}
	if got := PSIScores(x, x); !near(got, 0) {
		t.Errorf("PSI of a population with itself: got %v, want 0", got)
	}
}

func TestCalibration(t *testing.T) {
	score := []float64{500, 510, 520, 600, 610, 620}
	pd := []float64{0.5, 0.4, 0.3, 0.1, 0.05, 0.15}
	bad := []uint8{1, 1, 0, 0, 0, 1}
	bands := Calibration(score, pd, bad, []float64{550})
	if len(bands) != 2 {
		t.Fatalf("bands: got %d, want 2", len(bands))
	}
	// Band 1: three rows, two bad; mean PD (0.5+0.4+0.3)/3 = 0.4.
	// Band 2: three rows, one bad; mean PD (0.1+0.05+0.15)/3 = 0.1.
	want := []Band{
		{Low: 500, High: 520, Count: 3, Bads: 2, BadRate: 2.0 / 3, MeanPD: 0.4},
		{Low: 600, High: 620, Count: 3, Bads: 1, BadRate: 1.0 / 3, MeanPD: 0.1},
	}
	for i, w := range want {
		g := bands[i]
		if g.Low != w.Low || g.High != w.High || g.Count != w.Count || g.Bads != w.Bads || !near(g.BadRate, w.BadRate) || !near(g.MeanPD, w.MeanPD) {
			t.Errorf("band %d: got %+v, want %+v", i, g, w)
		}
	}
}
