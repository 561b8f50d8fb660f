package corpus

import (
	"context"
	"strings"
	"testing"
	"time"

	"daihou/scoring"
	"daihou/scoring/dataset"
	"daihou/scoring/metrics"
	"daihou/scoring/trainer"
)

// TestDaihouSide runs daihou's half of the model benchmark on every
// synthetic set — the half CI can run without Python: the self-tuned
// trees and the scorecard train on the training fold, and on the test
// fold the trees get most of the way from chance to the AUC of the true
// probability of default, the best any model could do, and fall no more
// than noise behind the scorecard.
func TestDaihouSide(t *testing.T) {
	if raceDetector {
		t.Skip("the corpus's fits take minutes under the race detector; the trainers' concurrency is raced in scoring/gbdt and scoring/trainer")
	}
	sets, err := Synthetic(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		t.Run(s.Name, func(t *testing.T) {
			train, err := dataset.Read(strings.NewReader(s.Train), dataset.Options{Target: s.Target, Exclude: s.Exclude})
			if err != nil {
				t.Fatal(err)
			}
			auc := map[scoring.Kind]float64{}
			for _, kind := range []scoring.Kind{scoring.KindScorecard, scoring.KindGBDT} {
				a, _, err := trainer.Train(context.Background(), train, trainer.Options{Kind: kind, Target: s.Target, Budget: 500 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				test, err := dataset.Read(strings.NewReader(s.Test), dataset.Options{Target: s.Target, Schema: a.Features})
				if err != nil {
					t.Fatal(err)
				}
				ev, err := trainer.Evaluate(a, test)
				if err != nil {
					t.Fatal(err)
				}
				auc[kind] = ev.AUC
			}
			gb, sc := auc[scoring.KindGBDT], auc[scoring.KindScorecard]
			if s.TestPD != nil {
				test, _ := dataset.Read(strings.NewReader(s.Test), dataset.Options{Target: s.Target})
				oracle := metrics.AUC(s.TestPD, test.Target)
				t.Logf("%s: gbdt %.4f, scorecard %.4f, true PD %.4f", s.Name, gb, sc, oracle)
				// Two thirds of the best lift over chance: rare merchants'
				// own risks, say, no model can learn from a handful of loans.
				if gb-0.5 < 0.65*(oracle-0.5) {
					t.Errorf("gbdt test AUC %.4f, want two thirds of the way from 0.5 to the true PD's %.4f", gb, oracle)
				}
			} else {
				t.Logf("%s: gbdt %.4f, scorecard %.4f", s.Name, gb, sc)
			}
			if gb < sc-0.015 {
				t.Errorf("gbdt test AUC %.4f, scorecard %.4f: the tuned trees must not fall behind", gb, sc)
			}
		})
	}
}
