package stream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// wideCSV is n rows of the shape of a behaviour extract: an id and
// numeric columns of integers and decimals.
func wideCSV(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("id,dpd,grade,income")
	for k := range 20 {
		fmt.Fprintf(&b, ",x%d", k)
	}
	b.WriteString("\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%d,%c,%.2f", i, rng.IntN(120), "ABCD"[rng.IntN(4)], rng.Float64()*1e5)
		for range 20 {
			fmt.Fprintf(&b, ",%d", rng.IntN(200000)-1000)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// BenchmarkScore streams 100,000 rows of 24 columns through each model
// kind, with and without reason codes, on every core.
func BenchmarkScore(b *testing.B) {
	in := wideCSV(100_000)
	for name, m := range models(b) {
		for _, n := range []int{0, 4} {
			b.Run(fmt.Sprintf("%s/reasons=%d", name, n), func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for range b.N {
					if _, err := Score(context.Background(), bytes.NewReader(in), io.Discard, m, Options{ID: "id", Reasons: n}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100_000), "ns/row")
			})
		}
	}
}
