package artefact

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"daihou/scoring"
	"daihou/scoring/gbdt"
	"daihou/scoring/scorecard"
)

func data(n int) ([]scoring.Feature, [][]float64, []uint8) {
	rng := rand.New(rand.NewPCG(1, 2))
	features := []scoring.Feature{
		{Name: "dpd", Type: scoring.Numeric},
		{Name: "grade", Type: scoring.Categorical, Categories: []string{"A", "B", "C"}},
	}
	cols := [][]float64{make([]float64, n), make([]float64, n)}
	bad := make([]uint8, n)
	for i := 0; i < n; i++ {
		dpd := float64(rng.IntN(90))
		if rng.Float64() < 0.05 {
			dpd = math.NaN()
		}
		g := float64(rng.IntN(3))
		cols[0][i], cols[1][i] = dpd, g
		logit := -2 + g*0.7
		if dpd == dpd {
			logit += dpd / 30
		}
		if rng.Float64() < scoring.Sigmoid(logit) {
			bad[i] = 1
		}
	}
	return features, cols, bad
}

func models(t *testing.T) map[string]scoring.Model {
	features, cols, bad := data(4000)
	sc, _, err := scorecard.Fit(features, cols, bad, scorecard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	gb, _, err := gbdt.Fit(context.Background(), features, cols, bad, scoring.DefaultScaling(), gbdt.Config{Bags: 1, Rounds: 40})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]scoring.Model{"scorecard": sc, "gbdt": gb}
}

func TestRoundTripScoresIdentically(t *testing.T) {
	_, cols, _ := data(500)
	for name, m := range models(t) {
		t.Run(name, func(t *testing.T) {
			a, err := New(m, "bad")
			if err != nil {
				t.Fatal(err)
			}
			a.Training.Notes = []string{"a <note> & more"}
			path := filepath.Join(t.TempDir(), "model.json")
			if err := a.Save(path); err != nil {
				t.Fatal(err)
			}
			b, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if b.Kind != m.Kind() || b.FormatVersion != FormatVersion || b.Target != "bad" {
				t.Errorf("header: got %s v%d %q", b.Kind, b.FormatVersion, b.Target)
			}
			if len(m.Features()) != len(cols) {
				t.Fatalf("model kept %d features, want %d", len(m.Features()), len(cols))
			}
			want := make([]float64, 500)
			got := make([]float64, 500)
			m.ScoreColumns(cols, want, nil)
			b.Model().ScoreColumns(cols, got, nil)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("row %d: loaded model scores %v, original %v", i, got[i], want[i])
				}
			}
			var buf bytes.Buffer
			if err := b.Write(&buf); err != nil {
				t.Fatal(err)
			}
			if s := buf.String(); !strings.Contains(s, `"format_version": 1`) || !strings.Contains(s, "a <note> & more") {
				t.Errorf("written artefact is not the readable form:\n%.400s", s)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	var good bytes.Buffer
	a, err := New(models(t)["scorecard"], "bad")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(&good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(string) string
		has  string
	}{
		{"not JSON", func(string) string { return "{" }, "not a usable"},
		{"no version", func(s string) string { return strings.Replace(s, `"format_version": 1,`, "", 1) }, "no format_version"},
		{"newer version", func(s string) string { return strings.Replace(s, `"format_version": 1`, `"format_version": 99`, 1) }, "newer than this daihou"},
		{"unknown kind", func(s string) string { return strings.Replace(s, `"kind": "scorecard"`, `"kind": "neural"`, 1) }, "unknown kind"},
		{"kind without parameters", func(s string) string { return strings.Replace(s, `"kind": "scorecard"`, `"kind": "gbdt"`, 1) }, "without gbdt parameters"},
		{"damaged parameters", func(s string) string { return strings.Replace(s, `"name": "grade"`, `"name": "grades"`, 1) }, "characteristic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.edit(good.String())))
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.has) {
				t.Errorf("got %v, want ErrFormat containing %q", err, tt.has)
			}
		})
	}
}
