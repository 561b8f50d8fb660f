package trainer

import (
	"fmt"

	"daihou/scoring/artefact"
	"daihou/scoring/dataset"
	"daihou/scoring/metrics"
)

// Evaluation is a model's performance on a labelled population.
type Evaluation struct {
	Kind     string  `json:"kind"`          // of the model
	Rows     int     `json:"rows"`          // rows scored
	Bads     int     `json:"bads"`          // of which bad
	Rejected int     `json:"rejected_rows"` // rows the reader skipped
	AUC      float64 `json:"auc"`           // see metrics.AUC
	KS       float64 `json:"ks"`            // see metrics.KS
	Gini     float64 `json:"gini"`          // 2·AUC − 1
	// PSI compares this population's scores with the training scores, by
	// training score decile; 0 when the artefact has no training
	// distribution.
	PSI float64 `json:"psi"`
	// Brier is the Brier score of the PD the model reports (calibrated
	// when it has a calibration), BrierRaw of its uncalibrated PD.
	Brier    float64        `json:"brier"`
	BrierRaw float64        `json:"brier_raw"`
	MeanPD   float64        `json:"mean_pd"` // over the rows, to set against Bads/Rows
	Bands    []metrics.Band `json:"bands"`   // calibration, lowest scores first
}

// Evaluate scores ds, which must have a target, with the artefact's model.
// Calibration bands are the training score deciles, so that evaluations of
// one model at different dates line up band for band.
func Evaluate(a *artefact.Artefact, ds *dataset.Dataset) (*Evaluation, error) {
	if ds.Target == nil {
		return nil, fmt.Errorf("%w: no target column to evaluate against", ErrData)
	}
	m := a.Model()
	cols, err := ds.Encode(m.Features())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	score, pd, err := scoreAll(m, cols)
	if err != nil {
		return nil, err
	}
	d, err := metrics.Discriminate(pd, ds.Target)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	ev := &Evaluation{Kind: string(a.Kind), Rows: d.Rows, Bads: d.Bads, Rejected: len(ds.Issues), AUC: d.AUC, KS: d.KS, Gini: d.Gini}
	edges := a.Training.ScoreEdges
	if len(edges) == 0 {
		edges = metrics.QuantileEdges(score, 10)
	}
	ev.Bands = metrics.Calibration(score, pd, ds.Target, edges)
	ev.Brier = metrics.Brier(pd, ds.Target)
	ev.BrierRaw = ev.Brier
	for _, p := range pd {
		ev.MeanPD += p / float64(len(pd))
	}
	if a.Calibration != nil {
		_, raw, err := scoreAll(a.Raw(), cols)
		if err != nil {
			return nil, err
		}
		ev.BrierRaw = metrics.Brier(raw, ds.Target)
		for k, b := range metrics.Calibration(score, raw, ds.Target, edges) {
			ev.Bands[k].MeanRawPD = b.MeanPD
		}
	}
	if len(a.Training.ScoreShares) == len(a.Training.ScoreEdges)+1 && len(a.Training.ScoreEdges) > 0 {
		ev.PSI = metrics.PSI(a.Training.ScoreShares, metrics.Shares(score, a.Training.ScoreEdges))
	}
	return ev, nil
}
