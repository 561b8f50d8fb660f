package gbdt

import (
	"context"
	"encoding/json"
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

// TestTuneNeverSeesTheTestFold: Tune is given the training fold only, so
// shuffling the test fold's labels — which changes every test measure —
// leaves the chosen settings, and the model, as they were.
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
	shuffled := append([]uint8(nil), bad...)
	// Reverse the test rows' labels in turn: a fixed permutation that
	// moves most of them.
	var test []int
	for i := range shuffled {
		if i%5 == 4 {
			test = append(test, i)
		}
	}
	for k := range test[:len(test)/2] {
		a, b := test[k], test[len(test)-1-k]
		shuffled[a], shuffled[b] = shuffled[b], shuffled[a]
	}
	trc, trb, tec, teb := split(bad)
	_, trb2, _, teb2 := split(shuffled)
	if !cmp.Equal(trb, trb2) || cmp.Equal(teb, teb2) {
		t.Fatal("the shuffle must move test labels only")
	}
	a := tune(t, trc, trb, features, TuneConfig{Budget: 400 * time.Millisecond, Seed: 1})
	b := tune(t, trc, trb2, features, TuneConfig{Budget: 400 * time.Millisecond, Seed: 1})
	if diff := cmp.Diff(a.Tuning, b.Tuning); diff != "" {
		t.Errorf("shuffled test labels changed the tuning:\n%s", diff)
	}
	pd := make([]float64, len(teb))
	if err := a.Model.ScoreColumns(tec, make([]float64, len(teb)), pd); err != nil {
		t.Fatal(err)
	}
	if auc, shuf := metrics.AUC(pd, teb), metrics.AUC(pd, teb2); auc < 0.75 || shuf > auc-0.1 {
		t.Errorf("test AUC %.3f on true labels, %.3f on shuffled: the shuffle must hurt the test fold only", auc, shuf)
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
