package stream

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/scoring"
	"daihou/scoring/dataset"
	"daihou/scoring/gbdt"
	"daihou/scoring/scorecard"
)

// messyCSV is a scoring file with what real extracts have: quoted ids,
// missing spellings, unknown categories, text in a numeric column, short
// rows, blank lines, CRLF.
func messyCSV(n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("\ufeffid , dpd,grade,income,note,bad\r\n")
	for i := range n {
		dpd := strconv.Itoa(rng.IntN(120))
		switch rng.IntN(30) {
		case 0:
			dpd = "NA"
		case 1:
			dpd = " 12 "
		case 2:
			dpd = "twelve"
		}
		grade := string("ABCDZ"[rng.IntN(5)])
		income := strconv.FormatFloat(rng.Float64()*1e5, 'f', 2, 64)
		if rng.IntN(10) == 0 {
			income = ""
		}
		id := fmt.Sprintf("L%05d", i)
		if i%17 == 0 {
			id = fmt.Sprintf("\"L,%05d\"", i)
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,\"free, text\",%d\r\n", id, dpd, grade, income, rng.IntN(2))
		if i%101 == 0 {
			b.WriteString("short,row\r\n\r\n")
		}
	}
	return b.String()
}

func trainData(n int) ([]scoring.Feature, [][]float64, []uint8) {
	rng := rand.New(rand.NewPCG(9, 9))
	features := []scoring.Feature{
		{Name: "dpd", Type: scoring.Numeric},
		{Name: "grade", Type: scoring.Categorical, Categories: []string{"A", "B", "C", "D"}},
		{Name: "income", Type: scoring.Numeric},
	}
	cols := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
	bad := make([]uint8, n)
	for i := range n {
		cols[0][i] = float64(rng.IntN(120))
		cols[1][i] = float64(rng.IntN(4))
		cols[2][i] = rng.Float64() * 1e5
		if rng.Float64() < scoring.Sigmoid(-3+cols[0][i]/40+cols[1][i]/2-cols[2][i]/1e5) {
			bad[i] = 1
		}
	}
	return features, cols, bad
}

func models(t testing.TB) map[string]scoring.Model {
	features, cols, bad := trainData(3000)
	sc, _, err := scorecard.Fit(features, cols, bad, scorecard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	gb, _, err := gbdt.Fit(context.Background(), features, cols, bad, scoring.DefaultScaling(), gbdt.Config{Rounds: 60, Bags: 1})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]scoring.Model{"scorecard": sc, "gbdt": gb}
}

// reference scores in through the dataset reader and ScoreRow, one row at
// a time: what `model score` did before it streamed.
func reference(t *testing.T, in string, m scoring.Model, id string, n int, text func(string) string) (string, []dataset.Issue) {
	ds, err := dataset.Read(strings.NewReader(in), dataset.Options{Schema: m.Features(), Keep: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	cols, err := ds.Encode(m.Features())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cw := csv.NewWriter(&out)
	rec := []string{id, "score", "pd"}
	for k := 1; k <= n; k++ {
		rec = append(rec, "reason_"+strconv.Itoa(k))
	}
	cw.Write(rec)
	x := make([]float64, len(cols))
	buf := make([]scoring.Reason, n)
	for i := range ds.Rows() {
		for j := range cols {
			x[j] = cols[j][i]
		}
		r := m.ScoreRow(x, buf)
		rec = append(rec[:0], ds.Text[id][i], strconv.FormatFloat(r.Score, 'f', 2, 64), strconv.FormatFloat(r.PD, 'g', 6, 64))
		for k := range n {
			s := ""
			if k < len(r.Reasons) {
				s = text(r.Reasons[k].Feature)
			}
			rec = append(rec, s)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return out.String(), ds.Issues
}

// TestScoreAsTheDatasetReader: streamed in any block size on any number of
// workers, with and without reasons, the output and the rejected rows are
// exactly those of reading the file whole and scoring row by row.
func TestScoreAsTheDatasetReader(t *testing.T) {
	in := messyCSV(3000, 1)
	text := func(code string) string { return "why: " + code + ", really" }
	for name, m := range models(t) {
		for _, n := range []int{0, 2} {
			want, wantIssues := reference(t, in, m, "id", n, text)
			if len(wantIssues) < 10 {
				t.Fatalf("the messy file has only %d bad rows", len(wantIssues))
			}
			for _, o := range []Options{{BlockSize: 1 << 20, Workers: 1}, {BlockSize: 97, Workers: 3}, {BlockSize: 4096, Workers: 2}} {
				t.Run(fmt.Sprintf("%s/reasons=%d/block=%d/workers=%d", name, n, o.BlockSize, o.Workers), func(t *testing.T) {
					o.ID, o.Reasons, o.ReasonText = "id", n, text
					var out bytes.Buffer
					sum, err := Score(context.Background(), strings.NewReader(in), &out, m, o)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, out.String()); diff != "" {
						t.Errorf("output differs (-reference +stream):\n%s", diff)
					}
					if diff := cmp.Diff(wantIssues, sum.Issues); diff != "" {
						t.Errorf("issues differ (-reference +stream):\n%s", diff)
					}
					if got, want := sum.Rows, strings.Count(want, "\n")-1; got != want {
						t.Errorf("rows: got %d, want %d", got, want)
					}
				})
			}
		}
	}
}

func TestScoreRefusesFiles(t *testing.T) {
	m := models(t)["scorecard"]
	tests := []struct{ name, in, id, has string }{
		{"empty", "", "", "empty"},
		{"missing feature", "id,dpd,grade\n1,2,A\n", "", "lacks: income"},
		{"duplicate column", "dpd,grade,income,dpd\n", "", "twice"},
		{"unnamed column", "dpd,,grade,income\n", "", "no name"},
		{"no id column", "dpd,grade,income\n", "loan", "no column \"loan\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Score(context.Background(), strings.NewReader(tt.in), &bytes.Buffer{}, m, Options{ID: tt.id})
			if err == nil || !strings.Contains(err.Error(), tt.has) {
				t.Errorf("got %v, want an error containing %q", err, tt.has)
			}
		})
	}
}
