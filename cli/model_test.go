package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCreditCSV writes n rows where the log-odds of bad rise with dpd and
// utilisation and depend on the region, plus a few messy rows.
func writeCreditCSV(t *testing.T, path string, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString("id,dpd_max,utilisation,region,income,bad\n")
	regions := []string{"north", "south", "east", "west"}
	for i := 0; i < n; i++ {
		dpd := r.IntN(120)
		util := r.Float64()
		reg := r.IntN(4)
		logit := -3 + 0.03*float64(dpd) + 2*util + 0.4*float64(reg)
		bad := 0
		if r.Float64() < 1/(1+math.Exp(-logit)) {
			bad = 1
		}
		income := fmt.Sprint(r.IntN(50000) + 3000)
		if i%50 == 0 {
			income = "NA"
		}
		fmt.Fprintf(&b, "C%05d,%d,%.3f,%s,%s,%d\n", i, dpd, util, regions[reg], income, bad)
	}
	b.WriteString("C99998,12,0.5,north\n")          // wrong column count
	b.WriteString("C99999,12,0.5,north,4000,yes\n") // target not 0/1
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModelTrainEvalScore(t *testing.T) {
	dir := t.TempDir()
	train, test := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	writeCreditCSV(t, train, 4000, 1)
	writeCreditCSV(t, test, 2000, 2)
	for _, kind := range []string{"scorecard", "gbdt"} {
		t.Run(kind, func(t *testing.T) {
			model := filepath.Join(dir, kind+".json")
			out, errs, code := run(t, "", "model", "train", "--data", train, "--target", "bad", "--exclude", "id", "--kind", kind, "--out", model)
			if code != 0 {
				t.Fatalf("train: exit %d %s\n%s", code, errs, out)
			}
			if !strings.Contains(out+errs, "line 4002") || !strings.Contains(out+errs, "line 4003") {
				t.Errorf("train must report both bad rows by line:\n%s%s", out, errs)
			}
			out, errs, code = run(t, "", "model", "eval", "--model", model, "--data", test, "--target", "bad", "--json")
			if code != 0 {
				t.Fatalf("eval: exit %d %s", code, errs)
			}
			var ev struct {
				AUC, KS float64
				Rows    int
			}
			if err := json.Unmarshal([]byte(out), &ev); err != nil {
				t.Fatalf("eval --json: %v\n%s", err, out)
			}
			if ev.AUC < 0.7 || ev.KS < 0.25 || ev.Rows != 2000 {
				t.Errorf("eval: AUC %.3f KS %.3f rows %d; want a model that separates (AUC ≥ 0.7) on 2000 rows", ev.AUC, ev.KS, ev.Rows)
			}
			scored := filepath.Join(dir, kind+"-scores.csv")
			if _, errs, code = run(t, "", "model", "score", "--model", model, "--data", test, "--out", scored); code != 0 {
				t.Fatalf("score: exit %d %s", code, errs)
			}
			b, _ := os.ReadFile(scored)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			// Scoring needs no target: the row whose target is "yes" is
			// scored too; only the short row is refused.
			if !strings.HasPrefix(lines[0], "id,score,pd,reason_1") || len(lines)-1 != 2001 {
				t.Errorf("scores file: header %q, %d rows; want id,score,pd,reason_1… and 2001 rows", lines[0], len(lines)-1)
			}
		})
	}
	if _, _, code := run(t, "", "model", "train", "--data", train, "--target", "nope", "--out", filepath.Join(dir, "x.json")); code != 3 {
		t.Errorf("unknown target column: exit %d, want 3", code)
	}
}
