package metrics

import (
	"math"
	"slices"
)

// PSIEpsilon replaces a zero share in a PSI bin. PSI takes ln(actual /
// expected), which is infinite when a bin is empty on one side; flooring
// the share at 0.0001 (one in ten thousand) keeps the index finite and
// lets one empty bin add at most about 0.0009·ln-ratio instead of
// dominating. It is the floor most bank monitoring packs use.
const PSIEpsilon = 1e-4

// QuantileEdges returns up to n−1 cut points splitting x into n groups of
// about equal size. Bin k holds values v with edges[k−1] < v ≤ edges[k].
// Equal values are never split, so heavy ties give fewer bins.
func QuantileEdges(x []float64, n int) []float64 {
	s := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 || n < 2 {
		return nil
	}
	slices.Sort(s)
	var edges []float64
	for k := 1; k < n; k++ {
		// The last value of the k-th group of len(s)/n values.
		pos := max((k*len(s)+n-1)/n-1, 0)
		e := s[pos]
		if e == s[len(s)-1] {
			break
		}
		if len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	return edges
}

// BinIndex returns the bin of v for edges from QuantileEdges.
func BinIndex(edges []float64, v float64) int {
	// The first edge ≥ v: values equal to an edge belong to the lower bin.
	i, _ := slices.BinarySearch(edges, v)
	return i
}

// Shares returns the fraction of x in each of the len(edges)+1 bins.
func Shares(x []float64, edges []float64) []float64 {
	out := make([]float64, len(edges)+1)
	if len(x) == 0 {
		return out
	}
	for _, v := range x {
		out[BinIndex(edges, v)]++
	}
	for k := range out {
		out[k] /= float64(len(x))
	}
	return out
}

// PSI is the population stability index Σ (a−e)·ln(a/e) between the
// expected and actual shares of the same bins, each share floored at
// PSIEpsilon. Rules of thumb: below 0.1 stable, 0.1–0.25 watch, above 0.25
// the population has shifted.
func PSI(expected, actual []float64) float64 {
	var psi float64
	for k := range expected {
		e := max(expected[k], PSIEpsilon)
		a := PSIEpsilon
		if k < len(actual) {
			a = max(actual[k], PSIEpsilon)
		}
		psi += (a - e) * math.Log(a/e)
	}
	return psi
}

// PSIScores bins two score populations by deciles of the expected one and
// returns their PSI.
func PSIScores(expected, actual []float64) float64 {
	edges := QuantileEdges(expected, 10)
	return PSI(Shares(expected, edges), Shares(actual, edges))
}
