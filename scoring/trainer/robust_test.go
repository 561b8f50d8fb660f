package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"daihou/scoring"
	"daihou/scoring/dataset"
)

// TestTrainAnyTable: on any small table — few rows, missing values, mixed
// types, constant columns, one class — training either succeeds or fails
// with ErrData, and a model that comes out scores any row to a finite
// score and a PD in (0, 1).
func TestTrainAnyTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rows := rapid.IntRange(0, 80).Draw(t, "rows")
		ncol := rapid.IntRange(1, 4).Draw(t, "cols")
		kinds := make([]int, ncol) // 0 numeric, 1 categorical, 2 constant, 3 mostly missing
		for j := range kinds {
			kinds[j] = rapid.IntRange(0, 3).Draw(t, "kind")
		}
		var b strings.Builder
		for j := range kinds {
			fmt.Fprintf(&b, "c%d,", j)
		}
		b.WriteString("bad\n")
		for i := 0; i < rows; i++ {
			for _, k := range kinds {
				v := ""
				switch k {
				case 0:
					v = fmt.Sprint(rapid.IntRange(-5, 5).Draw(t, "num"))
				case 1:
					v = rapid.SampledFrom([]string{"a", "b", "c", "", "NA"}).Draw(t, "cat")
				case 2:
					v = "7"
				case 3:
					if rapid.IntRange(0, 9).Draw(t, "miss") == 0 {
						v = "1.5"
					}
				}
				b.WriteString(v + ",")
			}
			fmt.Fprintf(&b, "%d\n", rapid.IntRange(0, 1).Draw(t, "bad"))
		}
		ds, err := dataset.Read(strings.NewReader(b.String()), dataset.Options{Target: "bad"})
		if err != nil {
			t.Fatal(err)
		}
		kind := rapid.SampledFrom([]scoring.Kind{scoring.KindScorecard, scoring.KindGBDT}).Draw(t, "model")
		a, _, err := Train(context.Background(), ds, Options{Kind: kind})
		if err != nil {
			if !errors.Is(err, ErrData) {
				t.Fatalf("error not ErrData: %v", err)
			}
			return
		}
		s := scoring.NewScorer(a.Model(), 4)
		row := map[string]string{}
		for _, f := range a.Features {
			row[f.Name] = rapid.SampledFrom([]string{"", "3", "z", "a", "-100"}).Draw(t, "value")
		}
		r, err := s.ScoreStrings(row)
		if err != nil {
			if errors.Is(err, scoring.ErrNotNumber) {
				return
			}
			t.Fatal(err)
		}
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) || !(r.PD > 0 && r.PD < 1) {
			t.Fatalf("scored %+v", r)
		}
	})
}
