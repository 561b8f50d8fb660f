package imports

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// bigFile builds a payments file of n rows from the sample file's rows,
// with a distinct reference per row, so the benchmark parses realistic
// text rather than one line repeated.
func bigFile(tb testing.TB, sample string, n int) []byte {
	tb.Helper()
	data, err := os.ReadFile(sample)
	if err != nil {
		tb.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	var header string
	var body []string
	for sc.Scan() {
		l := sc.Text()
		if strings.TrimSpace(l) == "" {
			continue
		}
		if header == "" && strings.HasSuffix(sample, ".csv") {
			header = l
			continue
		}
		body = append(body, l)
	}
	var b bytes.Buffer
	if header != "" {
		b.WriteString(header + "\n")
	}
	for i := 0; i < n; i++ {
		l := body[i%len(body)]
		// The last '0' of a sample line is in its reference, the last
		// field; the row number put there makes every reference unique.
		j := strings.LastIndex(l, "0")
		fmt.Fprintf(&b, "%s%08d%s\n", l[:j], i, l[j+1:])
	}
	return b.Bytes()
}

func benchmarkPayments(b *testing.B, sample string, f Format) {
	const n = 100_000
	data := bigFile(b, sample, n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows, rejects, err := ParsePayments(bytes.NewReader(data), f)
		if err != nil || len(rejects) != 0 || len(rows) != n {
			b.Fatalf("got %d rows, %d rejects (%v), %v; want %d rows", len(rows), len(rejects), rejects[:min(len(rejects), 1)], err, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParsePayments measures the bulk-import path: the target is over
// 50,000 payments/s end to end, so parsing must cost a small fraction of
// that budget (aim: over 1,000,000 rows/s for CSV).
func BenchmarkParsePayments(b *testing.B) {
	b.Run("csv", func(b *testing.B) { benchmarkPayments(b, "testdata/payments_good.csv", FormatCSV) })
	b.Run("jsonl", func(b *testing.B) { benchmarkPayments(b, "testdata/payments_good.jsonl", FormatJSONL) })
}
