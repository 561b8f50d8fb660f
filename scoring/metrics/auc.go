package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Discrimination holds the rank-based measures of one set of scores.
type Discrimination struct {
	Rows int     `json:"rows"` // scored rows
	Bads int     `json:"bads"` // of which bad
	AUC  float64 `json:"auc"`  // see AUC
	KS   float64 `json:"ks"`   // see KS
	Gini float64 `json:"gini"` // 2·AUC − 1
}

// Discriminate computes AUC, KS and Gini in one sort. risk[i] is larger for
// customers more likely bad; bad[i] is 1 for a bad customer, 0 for good.
// It returns an error when the lengths differ, a risk is NaN, or either
// class is empty (neither AUC nor KS is defined then).
func Discriminate(risk []float64, bad []uint8) (Discrimination, error) {
	d := Discrimination{Rows: len(risk)}
	if len(risk) != len(bad) {
		return d, fmt.Errorf("metrics: %d scores but %d labels", len(risk), len(bad))
	}
	idx := make([]int32, len(risk))
	for i := range idx {
		if math.IsNaN(risk[i]) {
			return d, fmt.Errorf("metrics: score of row %d is NaN", i)
		}
		idx[i] = int32(i)
		if bad[i] != 0 {
			d.Bads++
		}
	}
	goods := d.Rows - d.Bads
	if d.Bads == 0 || goods == 0 {
		return d, fmt.Errorf("metrics: need both classes, have %d bad and %d good", d.Bads, goods)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		ra, rb := risk[a], risk[b]
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return int(a - b)
	})
	// Walk groups of equal risk from low to high. A bad customer ranks
	// above every good with lower risk (a win) and level with goods of the
	// same risk (half a win) — the Mann–Whitney count.
	var wins float64
	var cumBad, cumGood float64
	for i := 0; i < len(idx); {
		r := risk[idx[i]]
		var gb, gg float64
		for ; i < len(idx) && risk[idx[i]] == r; i++ {
			if bad[idx[i]] != 0 {
				gb++
			} else {
				gg++
			}
		}
		wins += gb*cumGood + 0.5*gb*gg
		cumBad += gb
		cumGood += gg
		// KS is only measured between groups: a cut inside a tie cannot be
		// applied to real customers.
		if ks := math.Abs(cumGood/float64(goods) - cumBad/float64(d.Bads)); ks > d.KS {
			d.KS = ks
		}
	}
	d.AUC = wins / (float64(d.Bads) * float64(goods))
	d.Gini = 2*d.AUC - 1
	return d, nil
}

// AUC is the probability that a random bad customer has a higher risk than
// a random good one, ties counting one half. It is NaN when undefined.
func AUC(risk []float64, bad []uint8) float64 {
	d, err := Discriminate(risk, bad)
	if err != nil {
		return math.NaN()
	}
	return d.AUC
}
