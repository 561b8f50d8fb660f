package metrics

import (
	"math"
)

// Band is one score band of a calibration table.
type Band struct {
	Low     float64 `json:"low"`      // lowest score in the band
	High    float64 `json:"high"`     // highest score in the band
	Count   int     `json:"count"`    // rows in the band
	Bads    int     `json:"bads"`     // of which bad
	BadRate float64 `json:"bad_rate"` // observed
	MeanPD  float64 `json:"mean_pd"`  // predicted
	// MeanRawPD is the mean PD before calibration, when the model has
	// one (see Evaluate in the trainer).
	MeanRawPD float64 `json:"mean_raw_pd,omitempty"`
}

// Brier is the mean squared difference between the predicted PD and the
// outcome (1 bad, 0 good): lower is better, and unlike AUC it measures
// whether the PD is right, not only whether it ranks. NaN without rows.
func Brier(pd []float64, bad []uint8) float64 {
	var s float64
	for i, p := range pd {
		d := p - float64(bad[i])
		s += d * d
	}
	return s / float64(len(pd))
}

// Calibration groups rows into score bands cut at edges (band k holds
// scores s with edges[k−1] < s ≤ edges[k]) and compares, per band, the
// observed bad rate with the mean predicted PD. Empty bands are left out.
// A well-calibrated model has the two columns close in every band; a gap
// that grows towards one end is the usual sign of a drifted intercept.
func Calibration(score, pd []float64, bad []uint8, edges []float64) []Band {
	bands := make([]Band, len(edges)+1)
	for k := range bands {
		bands[k].Low = math.Inf(1)
		bands[k].High = math.Inf(-1)
	}
	for i, s := range score {
		if math.IsNaN(s) {
			continue
		}
		b := &bands[BinIndex(edges, s)]
		b.Count++
		if bad[i] != 0 {
			b.Bads++
		}
		b.MeanPD += pd[i]
		b.Low = min(b.Low, s)
		b.High = max(b.High, s)
	}
	out := bands[:0]
	for _, b := range bands {
		if b.Count == 0 {
			continue
		}
		b.BadRate = float64(b.Bads) / float64(b.Count)
		b.MeanPD /= float64(b.Count)
		out = append(out, b)
	}
	return out
}
