package gbdt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"daihou/scoring"
	"daihou/scoring/metrics"
)

// interaction returns data whose risk is an XOR of two features — which
// no additive model can learn — plus an informative missing pattern in a
// third and a categorical fourth.
func interaction(n int, seed uint64) ([]scoring.Feature, [][]float64, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 2))
	features := []scoring.Feature{
		{Name: "a", Type: scoring.Numeric},
		{Name: "b", Type: scoring.Numeric},
		{Name: "c", Type: scoring.Numeric},
		{Name: "d", Type: scoring.Categorical, Categories: []string{"x", "y", "z"}},
	}
	cols := make([][]float64, 4)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	bad := make([]uint8, n)
	for i := 0; i < n; i++ {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		c := rng.NormFloat64()
		d := float64(rng.IntN(3))
		logit := -1.0
		if (a > 0) != (b > 0) {
			logit += 2.5
		}
		if rng.Float64() < 0.1 {
			c = math.NaN()
			logit += 1.5
		} else {
			logit += 0.3 * c
		}
		logit += 0.5 * d
		cols[0][i], cols[1][i], cols[2][i], cols[3][i] = a, b, c, d
		if rng.Float64() < scoring.Sigmoid(logit) {
			bad[i] = 1
		}
	}
	return features, cols, bad
}

func fit(t testing.TB, cfg Config, seed uint64) (*Model, []scoring.Feature, [][]float64, []uint8) {
	t.Helper()
	features, cols, bad := interaction(4000, seed)
	m, _, err := Fit(context.Background(), features, cols, bad, scoring.DefaultScaling(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, features, cols, bad
}

func TestLearnsInteractionAndMissing(t *testing.T) {
	m, _, _, _ := fit(t, Config{}, 1)
	_, hold, bad := interaction(4000, 99)
	score := make([]float64, len(bad))
	pd := make([]float64, len(bad))
	if err := m.ScoreColumns(hold, score, pd); err != nil {
		t.Fatal(err)
	}
	// The true model's AUC on this data is about 0.80; an additive model
	// gets about 0.64.
	if auc := metrics.AUC(pd, bad); auc < 0.77 {
		t.Errorf("holdout AUC: got %.4f, want at least 0.77", auc)
	}
	present := m.ScoreRow([]float64{1, 1, 0, 0}, nil)
	missing := m.ScoreRow([]float64{1, 1, math.NaN(), 0}, nil)
	if !(missing.PD > present.PD) {
		t.Errorf("missing c: PD %v, want above %v (missing is risky in this data)", missing.PD, present.PD)
	}
	unseen := m.ScoreRow([]float64{1, 1, 0, scoring.Unseen}, nil)
	if math.IsNaN(unseen.PD) {
		t.Error("unseen category gave NaN")
	}
}

func TestDeterministic(t *testing.T) {
	a, _, _, _ := fit(t, Config{Seed: 5, Workers: 1}, 1)
	b, _, _, _ := fit(t, Config{Seed: 5, Workers: 4}, 1)
	ja, _ := json.Marshal(a.Params().Trees)
	jb, _ := json.Marshal(b.Params().Trees)
	if string(ja) != string(jb) {
		t.Error("same data and seed with different worker counts gave different trees")
	}
	c, _, _, _ := fit(t, Config{Seed: 6}, 1)
	jc, _ := json.Marshal(c.Params().Trees)
	if string(ja) == string(jc) {
		t.Error("different seeds gave identical trees")
	}
}

// TestContributionsAddUp: the contributions of every scored row sum to
// its margin (log-odds) minus the base value, the path walk equals the
// batch walk, each reason's points are the factor times its contribution,
// and the batch path of reason codes gives every row ScoreRow's figures
// bit for bit.
func TestContributionsAddUp(t *testing.T) {
	m, _, cols, bad := fit(t, Config{}, 3)
	score := make([]float64, len(bad))
	if err := m.ScoreColumns(cols, score, nil); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, len(cols))
	phi := make([]float64, len(cols))
	buf := make([]scoring.Reason, len(cols))
	for i := 0; i < 300; i++ {
		for j := range cols {
			x[j] = cols[j][i]
		}
		margin := m.Logit(x)
		got := m.Contributions(x, phi)
		var sum float64
		for _, c := range phi {
			sum += c
		}
		if math.Abs(got-margin) > 1e-9 || math.Abs(sum-(margin-m.BaseValue())) > 1e-9 {
			t.Fatalf("row %d: contributions sum to %v, margin %v minus base %v is %v", i, sum, margin, m.BaseValue(), margin-m.BaseValue())
		}
		with := m.ScoreRow(x, buf)
		without := m.ScoreRow(x, nil)
		if math.Abs(with.Score-without.Score) > 1e-9 || math.Abs(with.Score-score[i]) > 1e-9 {
			t.Fatalf("row %d: scores %v (reasons) %v (plain) %v (batch)", i, with.Score, without.Score, score[i])
		}
		for k, r := range with.Reasons {
			if r.PointsLost <= 0 {
				t.Fatalf("row %d: reason %+v with no points lost", i, r)
			}
			if k > 0 && r.PointsLost > with.Reasons[k-1].PointsLost {
				t.Fatalf("row %d: reasons out of order: %+v", i, with.Reasons)
			}
		}
		var positive float64
		for _, c := range phi {
			positive += max(c, 0)
		}
		var lost float64
		for _, r := range with.Reasons {
			lost += r.PointsLost
		}
		// With room for every feature, the reasons are exactly the
		// positive contributions in points.
		if want := positive * m.scaling.Factor(); math.Abs(lost-want) > 1e-6 {
			t.Fatalf("row %d: reasons cost %v points, want %v", i, lost, want)
		}
	}
	// The batch path of reason codes (model score's) gives every row
	// ScoreRow's figures bit for bit, over blocks and a short last one.
	n := len(bad) - 3
	sub := make([][]float64, len(cols))
	for j := range cols {
		sub[j] = cols[j][:n]
	}
	bscore, bpd := make([]float64, n), make([]float64, n)
	breasons := make([][]scoring.Reason, n)
	for i := range breasons {
		breasons[i] = make([]scoring.Reason, len(cols))
	}
	if err := m.ScoreColumnsReasons(sub, bscore, bpd, breasons); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		for j := range cols {
			x[j] = cols[j][i]
		}
		want := m.ScoreRow(x, buf)
		if bscore[i] != want.Score || bpd[i] != want.PD || !slices.Equal(breasons[i], want.Reasons) {
			t.Fatalf("row %d: batch gave %v %v %v, ScoreRow %v %v %v", i, bscore[i], bpd[i], breasons[i], want.Score, want.PD, want.Reasons)
		}
	}
	// On the XOR rows, a and b must be the main reasons for a risky row.
	r := m.ScoreRow([]float64{2, -2, 0, 0}, make([]scoring.Reason, 2))
	for _, reason := range r.Reasons {
		if reason.Feature != "a" && reason.Feature != "b" {
			t.Errorf("risky XOR row: reasons %+v, want a and b", r.Reasons)
		}
	}
	if a := testing.AllocsPerRun(100, func() { m.ScoreRow(x, buf) }); a != 0 {
		t.Errorf("ScoreRow allocations: got %v, want 0", a)
	}
	// Batch scoring takes its buffers from pools, which the race detector
	// empties at random; the count holds without it.
	if a := testing.AllocsPerRun(10, func() { m.ScoreColumns(cols, score, nil) }); a != 0 && !raceDetector {
		t.Errorf("ScoreColumns allocations: got %v, want 0", a)
	}
}

// walkStored is the reference walk of a stored tree, node by node as the
// artefact lists them.
func walkStored(tr Tree, features []scoring.Feature, x []float64) float64 {
	k := int32(0)
	for tr.Feature[k] >= 0 {
		v := x[tr.Feature[k]]
		left := v <= tr.Threshold[k]
		if v != v || (features[tr.Feature[k]].Type == scoring.Categorical && v < 0) {
			left = tr.MissingLeft[k]
		}
		if left {
			k = tr.Left[k]
		} else {
			k = tr.Right[k]
		}
	}
	return tr.Value[k]
}

// TestFlatLayoutScoresAsStored: on any stored forest — random shapes,
// missing directions, categorical splits, node orders — the flattened
// forest scores every row exactly as the stored trees do, in ScoreRow and
// ScoreColumns alike, with or without covers.
func TestFlatLayoutScoresAsStored(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nf := rapid.IntRange(1, 4).Draw(t, "features")
		features := make([]scoring.Feature, nf)
		for j := range features {
			features[j] = scoring.Feature{Name: fmt.Sprint("f", j), Type: scoring.Numeric}
			if rapid.Bool().Draw(t, "categorical") {
				features[j] = scoring.Feature{Name: fmt.Sprint("f", j), Type: scoring.Categorical, Categories: []string{"a", "b", "c"}}
			}
		}
		withCover := rapid.Bool().Draw(t, "cover")
		p := Params{BaseLogit: rapid.Float64Range(-3, 3).Draw(t, "base")}
		for range rapid.IntRange(1, 5).Draw(t, "trees") {
			p.Trees = append(p.Trees, randomTree(t, nf, withCover))
		}
		m, err := New(features, scoring.DefaultScaling(), p)
		if err != nil {
			t.Fatal(err)
		}
		rows := rapid.IntRange(1, 300).Draw(t, "rows")
		cols := make([][]float64, nf)
		for j := range cols {
			cols[j] = make([]float64, rows)
			for i := range cols[j] {
				switch rapid.IntRange(0, 5).Draw(t, "kind") {
				case 0:
					cols[j][i] = math.NaN()
				case 1:
					cols[j][i] = scoring.Unseen
				default:
					cols[j][i] = float64(rapid.IntRange(0, 3).Draw(t, "v"))
				}
			}
		}
		score := make([]float64, rows)
		if err := m.ScoreColumns(cols, score, nil); err != nil {
			t.Fatal(err)
		}
		x := make([]float64, nf)
		for i := 0; i < rows; i++ {
			for j := range cols {
				x[j] = cols[j][i]
			}
			want := p.BaseLogit
			for _, tr := range p.Trees {
				want += walkStored(tr, features, x)
			}
			if got := m.Logit(x); math.Abs(got-want) > 1e-12 {
				t.Fatalf("row %d: Logit %v, stored trees %v", i, got, want)
			}
			if got := m.scaling.FromLogit(want); math.Abs(score[i]-got) > 1e-9 {
				t.Fatalf("row %d: ScoreColumns %v, stored trees %v", i, score[i], got)
			}
		}
	})
}

// randomTree draws a valid stored tree whose nodes are numbered in a
// random order (children after parents).
func randomTree(t *rapid.T, nf int, withCover bool) Tree {
	var tr Tree
	add := func() int32 {
		tr.Feature = append(tr.Feature, -1)
		tr.Threshold = append(tr.Threshold, 0)
		tr.MissingLeft = append(tr.MissingLeft, false)
		tr.Left = append(tr.Left, -1)
		tr.Right = append(tr.Right, -1)
		tr.Value = append(tr.Value, rapid.Float64Range(-1, 1).Draw(t, "value"))
		tr.Cover = append(tr.Cover, float64(rapid.IntRange(1, 50).Draw(t, "cover")))
		return int32(len(tr.Feature) - 1)
	}
	open := []int32{add()}
	for len(open) > 0 && len(tr.Feature) < 15 {
		k := open[0]
		open = open[1:]
		if !rapid.Bool().Draw(t, "split") {
			continue
		}
		tr.Feature[k] = int32(rapid.IntRange(0, nf-1).Draw(t, "feature"))
		tr.Threshold[k] = float64(rapid.IntRange(0, 3).Draw(t, "threshold")) + 0.5
		tr.MissingLeft[k] = rapid.Bool().Draw(t, "missing left")
		l, r := add(), add()
		if rapid.Bool().Draw(t, "swap") {
			l, r = r, l
		}
		tr.Left[k], tr.Right[k] = l, r
		open = append(open, l, r)
	}
	if !withCover {
		tr.Cover = nil
	}
	return tr
}

func TestConfigAndInputErrors(t *testing.T) {
	features, cols, bad := interaction(500, 1)
	tests := []struct {
		name string
		cfg  Config
		cols [][]float64
	}{
		{"learning rate above one", Config{LearningRate: 2}, cols},
		{"too many bins", Config{MaxBins: 300}, cols},
		{"validation share too large", Config{Validation: 0.6}, cols},
		{"column count", Config{}, cols[:2]},
		{"ragged column", Config{}, [][]float64{cols[0], cols[1][:10], cols[2], cols[3]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Fit(context.Background(), features, tt.cols, bad, scoring.DefaultScaling(), tt.cfg); err == nil {
				t.Error("got no error, want one")
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Fit(ctx, features, cols, bad, scoring.DefaultScaling(), Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v, want context.Canceled", err)
	}
}

func TestNewRejectsDamagedTrees(t *testing.T) {
	features := []scoring.Feature{{Name: "a", Type: scoring.Numeric}}
	leafy := func() Tree {
		return Tree{
			Feature: []int32{0, -1, -1}, Threshold: []float64{0.5, 0, 0}, MissingLeft: []bool{true, false, false},
			Left: []int32{1, -1, -1}, Right: []int32{2, -1, -1}, Value: []float64{0, -0.1, 0.1},
		}
	}
	if _, err := New(features, scoring.DefaultScaling(), Params{Trees: []Tree{leafy()}}); err != nil {
		t.Fatalf("good tree rejected: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Tree)
	}{
		{"child points back", func(tr *Tree) { tr.Left[0] = 0 }},
		{"child out of range", func(tr *Tree) { tr.Right[0] = 9 }},
		{"feature out of range", func(tr *Tree) { tr.Feature[0] = 3 }},
		{"arrays differ", func(tr *Tree) { tr.Value = tr.Value[:2] }},
		{"NaN value", func(tr *Tree) { tr.Value[1] = math.NaN() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := leafy()
			tt.mutate(&tr)
			if _, err := New(features, scoring.DefaultScaling(), Params{Trees: []Tree{tr}}); err == nil {
				t.Error("got no error, want one")
			}
		})
	}
}

func TestQuantileEdges(t *testing.T) {
	// Few distinct values: one bin each, edges halfway between.
	got := quantileEdges([]float64{3, 1, 2, 2, math.NaN(), 1}, 254)
	want := []float64{1.5, 2.5}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("edges: got %v, want %v", got, want)
	}
	// Many distinct values: at most maxBins bins, increasing edges.
	many := make([]float64, 10000)
	for i := range many {
		many[i] = float64(i % 997)
	}
	e := quantileEdges(many, 16)
	if len(e) > 15 {
		t.Errorf("edges for 16 bins: got %d, want at most 15", len(e))
	}
	for i := 1; i < len(e); i++ {
		if e[i] <= e[i-1] {
			t.Fatalf("edges not increasing: %v", e)
		}
	}
}

// TestScoreColumnsMatchesReferenceWalk: batch scoring gives, bit for bit,
// the figures of the plainest walk of the stored trees summed in order —
// on a batch large enough to be cut into chunks on several goroutines,
// with missing values, unseen categories and a short last block — and
// allocates nothing doing it.
func TestScoreColumnsMatchesReferenceWalk(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	features, train, bad := behaviour(6000, 3)
	m, _, err := Fit(context.Background(), features, train, bad, scoring.DefaultScaling(), Config{Rounds: 40, MaxDepth: 7, MaxLeaves: 63, Bags: 1, Validation: -1})
	if err != nil {
		t.Fatal(err)
	}
	n := 3*chunkRows + scoreBlock + 5
	_, cols, _ := behaviour(n, 4)
	for i := 0; i < n; i += 7 {
		cols[i%len(cols)][i] = math.NaN()
		cols[2][(i*5)%n] = scoring.Unseen
	}
	score, pd := make([]float64, n), make([]float64, n)
	if err := m.ScoreColumns(cols, score, pd); err != nil {
		t.Fatal(err)
	}
	p := m.Params()
	x := make([]float64, len(cols))
	for i := range n {
		for j := range cols {
			x[j] = cols[j][i]
		}
		logit := p.BaseLogit
		for _, tr := range p.Trees {
			logit += walkStored(tr, features, x)
		}
		if got, want := score[i], m.Scaling().FromLogit(logit); got != want {
			t.Fatalf("row %d: score %v, reference walk %v", i, got, want)
		}
		if got, want := pd[i], scoring.Sigmoid(logit); got != want {
			t.Fatalf("row %d: PD %v, reference walk %v", i, got, want)
		}
	}
	if a := testing.AllocsPerRun(10, func() { m.ScoreColumns(cols, score, pd) }); a != 0 && !raceDetector { // pools: see TestContributionsAddUp
		t.Errorf("ScoreColumns allocations on %d rows: got %v, want 0", n, a)
	}
}
