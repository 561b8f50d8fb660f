package gbdt

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"daihou/scoring"
	"daihou/scoring/metrics"
)

func tune(t *testing.T, cols [][]float64, bad []uint8, features []scoring.Feature, tc TuneConfig) *TuneResult {
	t.Helper()
	r, err := Tune(context.Background(), features, cols, bad, scoring.DefaultScaling(), Config{}, tc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTuneIsDeterministic: the same rows, seed and budget choose the same
// settings and fit the same trees, whatever the number of workers.
func TestTuneIsDeterministic(t *testing.T) {
	features, cols, bad := interaction(3000, 1)
	a := tune(t, cols, bad, features, TuneConfig{Budget: 400 * time.Millisecond, Seed: 4, Workers: 1})
	b := tune(t, cols, bad, features, TuneConfig{Budget: 400 * time.Millisecond, Seed: 4, Workers: 3})
	if diff := cmp.Diff(a.Tuning, b.Tuning); diff != "" {
		t.Errorf("tuning differs between 1 and 3 workers (-1 +3):\n%s", diff)
	}
	ja, _ := json.Marshal(a.Model.Params().Trees)
	jb, _ := json.Marshal(b.Model.Params().Trees)
	if string(ja) != string(jb) {
		t.Error("same rows, seed and budget fitted different trees")
	}
	tr := a.Tuning
	if len(tr.Trials) < 2 || tr.Chosen < 0 || tr.Chosen >= len(tr.Trials) {
		t.Fatalf("tuning %+v: want several trials and one chosen", tr)
	}
	for i, x := range tr.Trials {
		if x.LogLoss < tr.Trials[tr.Chosen].LogLoss {
			t.Errorf("trial %d has a lower cross-validated loss (%v) than the chosen one (%v)", i, x.LogLoss, tr.Trials[tr.Chosen].LogLoss)
		}
	}
	if got, want := a.Model.Params().Tuning, &a.Tuning; !cmp.Equal(got, want) {
		t.Errorf("the model records tuning %+v, want %+v", got, want)
	}
	if got, want := len(a.Model.Params().Trees), tr.Trials[tr.Chosen].Rounds; got != want {
		t.Errorf("trees: got %d, want the chosen round count %d", got, want)
	}
}

// TestTuneNeverSeesTheTestFold: the benchmark's protocol hands Tune the
// training fold only, so shuffling the test fold's labels — which changes
// every test measure — leaves the chosen settings, and the model, as they
// were; while the same shuffle among the training rows does change them,
// so the comparison would catch a tuner that read the test fold (through
// state kept between calls, say). What keeps the tuner's own held-out
// folds honest is TestCrossValidationHoldsOut.
func TestTuneNeverSeesTheTestFold(t *testing.T) {
	features, cols, bad := interaction(4000, 2)
	split := func(bad []uint8) (trc [][]float64, trb []uint8, tec [][]float64, teb []uint8) {
		trc, tec = make([][]float64, len(cols)), make([][]float64, len(cols))
		for i := range bad {
			dst, lab := &trc, &trb
			if i%5 == 4 {
				dst, lab = &tec, &teb
			}
			for j := range cols {
				(*dst)[j] = append((*dst)[j], cols[j][i])
			}
			*lab = append(*lab, bad[i])
		}
		return
	}
	// reverse reverses the labels of the rows i with test(i) in turn: a
	// fixed permutation that moves most of them.
	reverse := func(test func(i int) bool) []uint8 {
		out := append([]uint8(nil), bad...)
		var rows []int
		for i := range out {
			if test(i) {
				rows = append(rows, i)
			}
		}
		for k := range rows[:len(rows)/2] {
			a, b := rows[k], rows[len(rows)-1-k]
			out[a], out[b] = out[b], out[a]
		}
		return out
	}
	trc, trb, tec, teb := split(bad)
	_, trb2, _, teb2 := split(reverse(func(i int) bool { return i%5 == 4 }))
	_, trb3, _, teb3 := split(reverse(func(i int) bool { return i%5 != 4 }))
	if !cmp.Equal(trb, trb2) || cmp.Equal(teb, teb2) || cmp.Equal(trb, trb3) || !cmp.Equal(teb, teb3) {
		t.Fatal("each shuffle must move the labels of its own fold only")
	}
	tc := TuneConfig{Budget: 400 * time.Millisecond, Seed: 1}
	a := tune(t, trc, trb, features, tc)
	b := tune(t, trc, trb2, features, tc)
	if diff := cmp.Diff(a.Tuning, b.Tuning); diff != "" {
		t.Errorf("shuffled test labels changed the tuning:\n%s", diff)
	}
	if c := tune(t, trc, trb3, features, tc); cmp.Equal(a.Tuning, c.Tuning) {
		t.Error("shuffled training labels left the tuning as it was: the comparison above could not see a leak")
	}
	pd := make([]float64, len(teb))
	if err := a.Model.ScoreColumns(tec, make([]float64, len(teb)), pd); err != nil {
		t.Fatal(err)
	}
	if auc, shuf := metrics.AUC(pd, teb), metrics.AUC(pd, teb2); auc < 0.75 || shuf > auc-0.1 {
		t.Errorf("test AUC %.3f on true labels, %.3f on shuffled: the shuffle must hurt the test fold only", auc, shuf)
	}
}

// TestCrossValidationHoldsOut: the tuner scores each setting on rows held
// out of the trees that predict them. A fold's booster grows the same
// trees, and predicts its held-out rows the same, whatever their labels
// are; a change to one training label changes its trees.
func TestCrossValidationHoldsOut(t *testing.T) {
	features, cols, bad := interaction(3000, 5)
	cfg, err := Config{Seed: 1, Workers: 1}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	data := &binned{nf: len(features)}
	data.binAll(features, cols, len(bad), cfg.MaxBins, 1)
	fold := assignFolds(bad, 4, 1)
	var train, val []int32
	for i, f := range fold {
		if f == 0 {
			val = append(val, int32(i))
		} else {
			train = append(train, int32(i))
		}
	}
	grow := func(bad []uint8) ([][]tnode, []float64) {
		f := &fitter{binned: data, cfg: cfg, workers: 1}
		b, err := f.newBooster(rand.New(rand.NewPCG(7, 7)), train, val, bad)
		if err != nil {
			t.Fatal(err)
		}
		for range 40 {
			b.round(bad)
		}
		held := make([]float64, len(val))
		for k, r := range val {
			held[k] = b.raw[r]
		}
		return b.out.trees, held
	}
	trees, held := grow(bad)
	relabel := func(rows []int32) []uint8 {
		out := append([]uint8(nil), bad...)
		for _, r := range rows {
			out[r] = 1 - out[r]
		}
		return out
	}
	trees2, held2 := grow(relabel(val))
	if !reflect.DeepEqual(trees, trees2) || !slices.Equal(held, held2) {
		t.Error("relabelling the held-out rows changed the trees fitted without them, or their predictions")
	}
	if trees3, _ := grow(relabel(train[:1])); reflect.DeepEqual(trees, trees3) {
		t.Error("relabelling a training row left the trees as they were: the comparison above could not see a leak")
	}
}

// TestTuneOutOfFold: the out-of-fold log-odds rank rows nearly as well as
// the cross-validated AUC says, and they are not the final model's
// in-sample predictions (which rank better than any honest prediction).
func TestTuneOutOfFold(t *testing.T) {
	features, cols, bad := interaction(3000, 3)
	r := tune(t, cols, bad, features, TuneConfig{Budget: 400 * time.Millisecond})
	if got, want := len(r.OOF), len(bad); got != want {
		t.Fatalf("out-of-fold predictions: got %d, want %d", got, want)
	}
	chosen := r.Tuning.Trials[r.Tuning.Chosen]
	if got := metrics.AUC(r.OOF, bad); got != chosen.AUC {
		t.Errorf("out-of-fold AUC %v, the chosen trial records %v", got, chosen.AUC)
	}
	in := make([]float64, len(bad))
	r.Model.ScoreColumns(cols, make([]float64, len(bad)), in)
	if metrics.AUC(in, bad) <= chosen.AUC {
		t.Errorf("in-sample AUC %.4f not above out-of-fold %.4f: the out-of-fold predictions look in-sample", metrics.AUC(in, bad), chosen.AUC)
	}
}
