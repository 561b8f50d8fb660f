package scorecard

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable prints the scorecard as the table a credit officer reads: for
// every characteristic its attributes with training count, bad rate, WOE
// and points. A customer's score is the sum of the points of the one
// attribute they fall in per characteristic.
func (m *Model) WriteTable(w io.Writer) error {
	s := m.scaling
	fmt.Fprintf(w, "Scorecard: %d characteristics; %g points at odds %g:1 (good:bad), %g points to double the odds.\n",
		len(m.params.Characteristics), s.BasePoints, s.BaseOdds, s.PDO)
	lo, hi := m.Range()
	fmt.Fprintf(w, "Score = sum of one attribute's points per characteristic; range %.1f to %.1f.\n\n", lo, hi)
	fw, bw := len("feature"), len("bin")
	for _, ch := range m.params.Characteristics {
		fw = max(fw, len([]rune(ch.Feature)))
		for _, at := range ch.Attributes {
			bw = max(bw, len([]rune(clip(at.Label, 48))))
		}
	}
	var b strings.Builder
	row := func(feature, bin, rows, rate, woe, points string) {
		fmt.Fprintf(&b, "%s  %s  %8s  %8s  %7s  %7s\n", pad(feature, fw), pad(bin, bw), rows, rate, woe, points)
	}
	row("feature", "bin", "rows", "bad rate", "WOE", "points")
	for _, ch := range m.params.Characteristics {
		fmt.Fprintf(&b, "%s  IV %.3f, %s\n", pad(ch.Feature, fw), ch.IV, ch.Shape)
		for _, at := range ch.Attributes {
			rate := "-"
			if at.Count > 0 {
				rate = fmt.Sprintf("%.1f%%", 100*float64(at.Bads)/float64(at.Count))
			}
			row("", clip(at.Label, 48), fmt.Sprint(at.Count), rate, fmt.Sprintf("%+.3f", at.WOE), fmt.Sprintf("%.1f", at.Points))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pad pads s with spaces to n runes: fmt pads by bytes, which misaligns
// names in Chinese.
func pad(s string, n int) string {
	if k := len([]rune(s)); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// Range returns the lowest and highest score the scorecard can give.
func (m *Model) Range() (lo, hi float64) {
	for _, c := range m.chars {
		mn, mx := c.points[0], c.points[0]
		for _, p := range c.points {
			mn, mx = min(mn, p), max(mx, p)
		}
		lo += mn
		hi += mx
	}
	return lo, hi
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
