package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"daihou/scoring"
	"daihou/scoring/dataset"
)

// portfolioCSV writes a small behaviour table with the usual problems: a
// categorical grade, missing incomes, a constant column, a free-text
// column and a few broken rows.
func portfolioCSV(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 3))
	var b strings.Builder
	b.WriteString("loan_id,grade,income,utilisation,branch_code,memo,bad\n")
	for i := 0; i < n; i++ {
		g := "ABCD"[rng.IntN(4)]
		income := ""
		if rng.Float64() > 0.1 {
			income = fmt.Sprint(math.Round(math.Exp(10 + 0.5*rng.NormFloat64())))
		}
		util := rng.Float64()
		logit := -2.5 + float64(g-'A')*0.8 + 2*util
		if income == "" {
			logit += 0.5
		}
		bad := 0
		if rng.Float64() < scoring.Sigmoid(logit) {
			bad = 1
		}
		fmt.Fprintf(&b, "L%05d,%c,%s,%.3f,0101,note %d,%d\n", i, g, income, util, i, bad)
	}
	b.WriteString("L99998,A,1000,0.5,0101,short row\n")
	b.WriteString("L99999,Z,1000,0.5,0101,bad target,yes\n")
	return b.String()
}

func read(t *testing.T, csv string) *dataset.Dataset {
	t.Helper()
	ds, err := dataset.Read(strings.NewReader(csv), dataset.Options{Target: "bad", Exclude: []string{"loan_id"}})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestTrainGeneric(t *testing.T) {
	ds := read(t, portfolioCSV(3000, 1))
	if len(ds.Issues) != 2 {
		t.Fatalf("issues: got %v, want the two broken rows", ds.Issues)
	}
	for _, kind := range []scoring.Kind{scoring.KindScorecard, scoring.KindGBDT} {
		t.Run(string(kind), func(t *testing.T) {
			a, rep, err := Train(context.Background(), ds, Options{Kind: kind, Target: "bad", IDColumn: "loan_id"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != kind || a.Target != "bad" || a.IDColumn != "loan_id" || a.Reasons != 4 {
				t.Errorf("artefact header: %s %q %q %d", a.Kind, a.Target, a.IDColumn, a.Reasons)
			}
			notes := strings.Join(rep.Notes, "\n")
			for _, want := range []string{"branch_code dropped: constant", "memo dropped", "identifier"} {
				if !strings.Contains(notes, want) {
					t.Errorf("notes lack %q:\n%s", want, notes)
				}
			}
			names := map[string]scoring.Feature{}
			for _, f := range a.Features {
				names[f.Name] = f
			}
			if _, ok := names["memo"]; ok {
				t.Error("free-text memo became a feature")
			}
			g, ok := names["grade"]
			if !ok || g.Type != scoring.Categorical {
				t.Fatalf("grade: got %+v, want a categorical feature", g)
			}
			// Categories are ordered from best to worst bad rate.
			if got := strings.Join(g.Categories, ""); got != "ABCD" {
				t.Errorf("grade categories: got %q, want ABCD", got)
			}
			if rep.Train.AUC < 0.7 {
				t.Errorf("training AUC: got %.3f, want above 0.7", rep.Train.AUC)
			}
			if len(a.Training.ScoreEdges) == 0 || len(a.Training.ScoreShares) != len(a.Training.ScoreEdges)+1 {
				t.Errorf("training score distribution: %v / %v", a.Training.ScoreEdges, a.Training.ScoreShares)
			}
			if len(rep.Candidates) != 5 {
				t.Errorf("candidates: got %d, want 5 (grade, income, utilisation, branch_code, memo)", len(rep.Candidates))
			}

			hold, err := dataset.Read(strings.NewReader(portfolioCSV(2000, 2)), dataset.Options{Target: "bad", Schema: a.Features})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := Evaluate(a, hold)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Rows != hold.Rows() || ev.AUC < 0.68 || ev.PSI > 0.1 || len(ev.Bands) < 5 {
				t.Errorf("evaluation: %+v", ev)
			}
			var rows int
			for _, b := range ev.Bands {
				rows += b.Count
			}
			if rows != ev.Rows {
				t.Errorf("bands hold %d rows, want %d", rows, ev.Rows)
			}

			// An unseen grade scores, through the same model, without error.
			s := scoring.NewScorer(a.Model(), 4)
			r, err := s.ScoreStrings(map[string]string{"grade": "Z", "income": "", "utilisation": "0.9"})
			if err != nil || math.IsNaN(r.Score) || r.PD <= 0 || r.PD >= 1 {
				t.Errorf("unseen grade: %+v, %v", r, err)
			}
		})
	}
}

func TestTrainRefusesUnusableData(t *testing.T) {
	tests := []struct {
		name string
		csv  string
	}{
		{"one class", "loan_id,x,bad\na,1,0\nb,2,0\nc,3,0\n"},
		{"only constant columns", "loan_id,x,bad\na,1,0\nb,1,1\nc,1,0\n"},
		{"no rows", "loan_id,x,bad\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := read(t, tt.csv)
			_, _, err := Train(context.Background(), ds, Options{})
			if !errors.Is(err, ErrData) {
				t.Errorf("got %v, want ErrData", err)
			}
		})
	}
}
