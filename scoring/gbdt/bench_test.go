package gbdt

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"daihou/scoring"
)

// behaviour returns n rows shaped like the Taiwan credit-card file: a
// limit, three categorical codes, an age, six months of repayment status,
// bills and payments, with a few payments missing, and a default risk
// driven by recent delinquency, utilisation and how much of the bill is
// paid.
func behaviour(n int, seed uint64) ([]scoring.Feature, [][]float64, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var features []scoring.Feature
	num := func(name string) { features = append(features, scoring.Feature{Name: name, Type: scoring.Numeric}) }
	cat := func(name string, k int) {
		c := make([]string, k)
		for i := range c {
			c[i] = fmt.Sprint(i)
		}
		features = append(features, scoring.Feature{Name: name, Type: scoring.Categorical, Categories: c})
	}
	num("limit")
	cat("sex", 2)
	cat("education", 5)
	cat("marriage", 3)
	num("age")
	for m := range 6 {
		num(fmt.Sprint("pay_", m))
	}
	for m := range 6 {
		num(fmt.Sprint("bill_", m))
	}
	for m := range 6 {
		num(fmt.Sprint("paid_", m))
	}
	cols := make([][]float64, len(features))
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	bad := make([]uint8, n)
	for i := range n {
		limit := math.Round(math.Exp(11.5+0.8*rng.NormFloat64())/1e4) * 1e4
		cols[0][i] = limit
		cols[1][i] = float64(rng.IntN(2))
		cols[2][i] = float64(rng.IntN(5))
		cols[3][i] = float64(rng.IntN(3))
		cols[4][i] = float64(21 + rng.IntN(50))
		late := rng.NormFloat64() - 0.8
		logit := -1.6 - 0.25*math.Log(limit/1e5) + 0.1*cols[2][i]
		for m := range 6 {
			status := math.Max(-2, math.Min(8, math.Round(late+0.7*rng.NormFloat64())))
			cols[5+m][i] = status
			bill := math.Round(limit * math.Max(0, 0.4+0.3*rng.NormFloat64()))
			cols[11+m][i] = bill
			paid := math.Round(bill * math.Max(0, rng.Float64()-0.2*math.Max(status, 0)))
			cols[17+m][i] = paid
			if rng.Float64() < 0.03 {
				cols[17+m][i] = math.NaN()
			}
			w := 0.6 / float64(m+1)
			logit += w * math.Max(status, 0)
			if bill > 0 {
				logit -= 0.3 * w * paid / bill
			}
		}
		if util := cols[11][i] / limit; util > 0.7 && cols[5][i] > 0 {
			logit += 0.8
		}
		if rng.Float64() < scoring.Sigmoid(logit) {
			bad[i] = 1
		}
	}
	return features, cols, bad
}

// BenchmarkScoreColumns measures batch scoring of 300,000 rows (the
// Taiwan file ten times over) by two ensembles: the size the self-tuner
// picks on Taiwan (71 trees of depth 7 on 23 features, fitted here with
// those settings on rows of the same shape) and the untuned default (400
// rounds in 3 bags, early-stopped, depth 6, on the 4 features of the
// interaction data). ns/row and rows/s are wall time at the GOMAXPROCS
// the name ends in (-cpu 1,2 gives both); cpu-ns/row is the CPU time the
// process spent per row, which a machine shared with other work inflates
// less.
func BenchmarkScoreColumns(b *testing.B) {
	const rows = 300_000
	features, train, bad := behaviour(24_000, 1)
	taiwan, _, err := Fit(context.Background(), features, train, bad, scoring.DefaultScaling(), Config{
		Rounds: 71, MaxDepth: 7, MaxLeaves: 63, MinLeafRows: 100, LearningRate: 0.1, L2: 30, ColSample: 0.5,
		Bags: 1, Validation: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	_, taiwanRows, _ := behaviour(rows, 2)
	def, _, _, _ := fit(b, Config{}, 1)
	_, defRows, _ := interaction(rows, 99)
	for _, c := range []struct {
		name string
		m    *Model
		cols [][]float64
	}{{"taiwan", taiwan, taiwanRows}, {"default", def, defRows}} {
		b.Run(fmt.Sprintf("%s/trees=%d/depth=%d", c.name, c.m.Trees(), c.m.maxDepth), func(b *testing.B) {
			score := make([]float64, rows)
			pd := make([]float64, rows)
			var cpu0 time.Duration
			for b.Loop() {
				if cpu0 == 0 {
					cpu0 = cpuTime()
				}
				if err := c.m.ScoreColumns(c.cols, score, pd); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(sec*1e9/float64(b.N*rows), "ns/row")
			b.ReportMetric(float64(b.N*rows)/sec, "rows/s")
			if cpu := cpuTime() - cpu0; cpu0 > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*rows), "cpu-ns/row")
			}
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
		})
	}
}

// BenchmarkScoreColumnsReasons measures the batch path with four reason
// codes a row, the one `model score` takes, on the Taiwan-sized forest
// of BenchmarkScoreColumns and 30,000 rows: a block of a scored file.
func BenchmarkScoreColumnsReasons(b *testing.B) {
	const rows = 30_000
	features, train, bad := behaviour(24_000, 1)
	m, _, err := Fit(context.Background(), features, train, bad, scoring.DefaultScaling(), Config{
		Rounds: 71, MaxDepth: 7, MaxLeaves: 63, MinLeafRows: 100, LearningRate: 0.1, L2: 30, ColSample: 0.5,
		Bags: 1, Validation: -1,
	})
	if err != nil {
		b.Fatal(err)
	}
	_, cols, _ := behaviour(rows, 2)
	score, pd := make([]float64, rows), make([]float64, rows)
	buf := make([]scoring.Reason, 4*rows)
	reasons := make([][]scoring.Reason, rows)
	for b.Loop() {
		for i := range reasons {
			reasons[i] = buf[4*i : 4*i+4]
		}
		if err := m.ScoreColumnsReasons(cols, score, pd, reasons); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*rows), "ns/row")
}
