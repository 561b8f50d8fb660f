package synth

import (
	"math"
	"testing"

	"daihou/civil"
)

// PaysDue misses at the generator's monthly rate for the product and the
// borrower's risk, gives the same answer when asked again, and draws each
// due date afresh.
func TestPaysDueMissesAtTheGeneratorsRate(t *testing.T) {
	due := civil.MustParse("2026-11-19")
	for _, c := range []struct {
		product string
		kind    int
		risk    float64
	}{{"CONSUMER", consumer, 0}, {"SME", sme, 1.5}, {"MORTGAGE", mortgage, -0.5}, {"OTHER", consumer, 2}} {
		p := Profile{Risk: c.risk}
		const n = 40000
		missed, changed := 0, 0
		for loan := int64(1); loan <= n; loan++ {
			pays := PaysDue(3, p, loan, c.product, due)
			if pays != PaysDue(3, p, loan, c.product, due) {
				t.Fatalf("%s loan %d: two answers", c.product, loan)
			}
			if !pays {
				missed++
			}
			if pays != PaysDue(3, p, loan, c.product, due.AddDays(31)) {
				changed++
			}
		}
		want := sigmoid(missLogit[c.kind] + 0.85*c.risk)
		got := float64(missed) / n
		if sd := math.Sqrt(want * (1 - want) / n); math.Abs(got-want) > 4*sd {
			t.Errorf("%s at risk %.1f: missed %.4f, the generator's rate is %.4f", c.product, c.risk, got, want)
		}
		if changed == 0 {
			t.Errorf("%s: the next month's answers are this month's", c.product)
		}
	}
}
