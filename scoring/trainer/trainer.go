package trainer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"daihou/scoring"
	"daihou/scoring/artefact"
	"daihou/scoring/binning"
	"daihou/scoring/dataset"
	"daihou/scoring/gbdt"
	"daihou/scoring/metrics"
	"daihou/scoring/scorecard"
)

// Options controls training. The zero value of a field means its default.
type Options struct {
	Kind      scoring.Kind     // default scorecard
	Target    string           // recorded in the artefact
	IDColumn  string           // recorded in the artefact, for score output
	Scaling   scoring.Scaling  // default scoring.DefaultScaling
	Reasons   int              // reason codes per scored row; 0 means 4, negative none
	Scorecard scorecard.Config // for kind scorecard; its Scaling is replaced by Scaling
	GBDT      gbdt.Config      // for kind gbdt; settings the tuner searches are ignored when it runs
	// Budget is the fit time the gbdt tuner plans its search for (see
	// gbdt.TuneConfig); default 5 s. Negative fits GBDT as it is, without
	// tuning.
	Budget time.Duration
}

// Candidate is what training made of one input column.
type Candidate struct {
	Feature  string              // column name
	Type     scoring.FeatureType // as read
	IV       float64             // of the scorecard binning, reported for both kinds
	Selected bool                // whether the model uses it
	Note     string              // why not, or a warning
}

// Report describes a training run for a person to read.
type Report struct {
	Kind       scoring.Kind           // what was fitted
	Rows, Bads int                    // training rows, and of those bad
	Rejected   []dataset.Issue        // rows the reader skipped
	Notes      []string               // decisions about columns
	Candidates []Candidate            // every input column, in file order
	Train      metrics.Discrimination // on the training rows
	FitTime    time.Duration          // feature preparation and fitting, not reading
	GBDT       *gbdt.Report           // for kind gbdt
	// Calibration is the PD calibration fitted on out-of-fold
	// predictions, nil when there is none.
	Calibration *scoring.Calibration
}

// ErrData is wrapped by errors about data that cannot be trained on.
var ErrData = errors.New("cannot train on this data")

// maxLevelsShare: a categorical column with more distinct values than this
// share of rows (and more than minIDLevels) is taken for an identifier —
// a customer number or a free-text field — which no model should learn.
const (
	maxLevelsShare = 0.5
	minIDLevels    = 50
)

// Train fits a model of opts.Kind on ds, which must have a target.
func Train(ctx context.Context, ds *dataset.Dataset, opts Options) (*artefact.Artefact, *Report, error) {
	if opts.Kind == "" {
		opts.Kind = scoring.KindScorecard
	}
	if opts.Scaling == (scoring.Scaling{}) {
		opts.Scaling = scoring.DefaultScaling()
	}
	if err := opts.Scaling.Validate(); err != nil {
		return nil, nil, err
	}
	if opts.Reasons == 0 {
		opts.Reasons = 4
	}
	rep := &Report{Kind: opts.Kind, Rows: ds.Rows(), Bads: ds.Bads(), Rejected: ds.Issues, Notes: append([]string(nil), ds.Notes...)}
	if ds.Target == nil {
		return nil, rep, fmt.Errorf("%w: no target column", ErrData)
	}
	if rep.Bads == 0 || rep.Bads == rep.Rows {
		return nil, rep, fmt.Errorf("%w: need both 0 and 1 in the target, have %d rows of which %d are 1", ErrData, rep.Rows, rep.Bads)
	}

	start := time.Now()
	features := prepare(ds, rep)
	if len(features) == 0 {
		return nil, rep, fmt.Errorf("%w: no usable feature columns", ErrData)
	}
	cols, err := ds.Encode(features)
	if err != nil {
		return nil, rep, fmt.Errorf("%w: %w", ErrData, err)
	}

	var model scoring.Model
	var oof []float64 // out-of-fold log-odds, when the fit made them
	switch opts.Kind {
	case scoring.KindScorecard:
		cfg := opts.Scorecard
		cfg.Scaling = opts.Scaling
		m, cands, err := scorecard.Fit(features, cols, ds.Target, cfg)
		if err != nil {
			return nil, rep, fmt.Errorf("%w: %w", ErrData, err)
		}
		for j, c := range cands {
			rep.Candidates = append(rep.Candidates, Candidate{Feature: c.Feature, Type: features[j].Type, IV: c.IV, Selected: c.Selected, Note: c.Note})
		}
		model = m
	case scoring.KindGBDT:
		var m *gbdt.Model
		var gr *gbdt.Report
		if opts.Budget < 0 {
			m, gr, err = gbdt.Fit(ctx, features, cols, ds.Target, opts.Scaling, opts.GBDT)
		} else {
			var tr *gbdt.TuneResult
			tr, err = gbdt.Tune(ctx, features, cols, ds.Target, opts.Scaling, opts.GBDT, gbdt.TuneConfig{Budget: opts.Budget, Seed: opts.GBDT.Seed})
			if err == nil {
				m, gr, oof = tr.Model, tr.Report, tr.OOF
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, rep, err
			}
			return nil, rep, fmt.Errorf("%w: %w", ErrData, err)
		}
		rep.GBDT = gr
		model = m
	default:
		return nil, rep, fmt.Errorf("unknown model kind %q", opts.Kind)
	}
	rep.FitTime = time.Since(start)

	if opts.Kind == scoring.KindGBDT {
		// IV is not used by the trees but is the quickest way for a
		// person to see which columns carry signal.
		for j, f := range features {
			rep.Candidates = append(rep.Candidates, Candidate{
				Feature:  f.Name,
				Type:     f.Type,
				IV:       informationValue(f, cols[j], ds.Target, opts.Scorecard.Binning),
				Selected: true,
			})
		}
	}
	// Columns dropped before fitting are candidates too.
	rep.Candidates = append(rep.Candidates, dropped(ds, features)...)
	order := make(map[string]int, len(ds.Header))
	for i, h := range ds.Header {
		order[h] = i
	}
	slices.SortStableFunc(rep.Candidates, func(a, b Candidate) int { return cmp.Compare(order[a.Feature], order[b.Feature]) })

	a, err := artefact.New(model, opts.Target)
	if err != nil {
		return nil, rep, err
	}
	if opts.Kind == scoring.KindScorecard {
		oof, err = scorecardOOF(features, cols, ds.Target, opts, rep)
		switch {
		case errors.Is(err, errNoOOF):
			oof = nil
		case err != nil:
			return nil, rep, err
		}
	}
	if goods := rep.Rows - rep.Bads; oof != nil && min(rep.Bads, goods) < minCalibrationClass {
		rep.Notes = append(rep.Notes, fmt.Sprintf("PD not calibrated: %d bad and %d good rows are too few to fit a calibration on", rep.Bads, goods))
		oof = nil
	}
	if oof != nil {
		// Calibrate on honest predictions; a calibration that cannot be
		// fitted leaves the model's own PD and says so.
		cal, err := scoring.FitPlatt(oof, ds.Target)
		if err != nil {
			rep.Notes = append(rep.Notes, "PD not calibrated: "+err.Error())
		} else if err := a.SetCalibration(cal); err != nil {
			return nil, rep, err
		}
		rep.Calibration = a.Calibration
	}
	a.IDColumn = opts.IDColumn
	a.Reasons = max(opts.Reasons, 0)
	mcols, err := ds.Encode(model.Features())
	if err != nil {
		return nil, rep, err
	}
	score, pd, err := scoreAll(a.Model(), mcols)
	if err != nil {
		return nil, rep, err
	}
	rep.Train, _ = metrics.Discriminate(pd, ds.Target)
	a.Training = artefact.Training{
		Rows:       rep.Rows,
		Bads:       rep.Bads,
		Rejected:   len(rep.Rejected),
		Metrics:    rep.Train,
		FitSeconds: math.Round(rep.FitTime.Seconds()*1000) / 1000,
		ScoreEdges: metrics.QuantileEdges(score, 10),
		Notes:      rep.Notes,
	}
	a.Training.ScoreShares = metrics.Shares(score, a.Training.ScoreEdges)
	for _, c := range rep.Candidates {
		a.Training.Candidates = append(a.Training.Candidates, artefact.CandidateEntry{
			Feature: c.Feature, Type: string(c.Type), IV: math.Round(c.IV*1e4) / 1e4, Selected: c.Selected, Note: c.Note,
		})
	}
	return a, rep, nil
}

// scoreAll scores encoded columns in parallel row ranges: a model is safe
// for concurrent use, and a forest of a few hundred trees takes a
// noticeable fraction of a second per core on tens of thousands of rows.
func scoreAll(m scoring.Model, cols [][]float64) (score, pd []float64, err error) {
	n := 0
	if len(cols) > 0 {
		n = len(cols[0])
	}
	score = make([]float64, n)
	pd = make([]float64, n)
	w := runtime.GOMAXPROCS(0)
	if n < 4096 || w < 2 {
		return score, pd, m.ScoreColumns(cols, score, pd)
	}
	errs := make([]error, w)
	var wg sync.WaitGroup
	for c := range w {
		lo, hi := c*n/w, (c+1)*n/w
		sub := make([][]float64, len(cols))
		for j := range cols {
			sub[j] = cols[j][lo:hi]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[c] = m.ScoreColumns(sub, score[lo:hi], pd[lo:hi])
		}()
	}
	wg.Wait()
	return score, pd, errors.Join(errs...)
}

// prepare turns the dataset's columns into features: constant and
// identifier-like columns are dropped with a note, and each categorical
// feature lists its categories from best to worst training bad rate.
func prepare(ds *dataset.Dataset, rep *Report) []scoring.Feature {
	var out []scoring.Feature
	for _, c := range ds.Features {
		switch c.Type {
		case scoring.Numeric:
			first, distinct := math.NaN(), 0
			for _, v := range c.Num {
				if v != v {
					continue
				}
				if distinct == 0 {
					first, distinct = v, 1
				} else if v != first {
					distinct = 2
					break
				}
			}
			if distinct < 2 {
				rep.Notes = append(rep.Notes, constantNote(c.Name, distinct, fmt.Sprint(first)))
				continue
			}
			out = append(out, scoring.Feature{Name: c.Name, Type: scoring.Numeric})
		case scoring.Categorical:
			type level struct {
				name      string
				n, bads   int
				smoothedR float64
			}
			levels := map[string]*level{}
			for i, s := range c.Text {
				if s == "" {
					continue
				}
				l := levels[s]
				if l == nil {
					l = &level{name: s}
					levels[s] = l
				}
				l.n++
				l.bads += int(ds.Target[i])
			}
			if len(levels) < 2 {
				var only string
				for k := range levels {
					only = k
				}
				rep.Notes = append(rep.Notes, constantNote(c.Name, len(levels), only))
				continue
			}
			if len(levels) > minIDLevels && float64(len(levels)) > maxLevelsShare*float64(ds.Rows()) {
				rep.Notes = append(rep.Notes, fmt.Sprintf("column %s dropped: %d distinct values in %d rows looks like an identifier or free text", c.Name, len(levels), ds.Rows()))
				continue
			}
			// Order by bad rate shrunk towards the overall rate, so that a
			// category seen twice does not sort to an extreme on luck.
			prior := float64(ds.Bads()) / float64(ds.Rows())
			list := make([]*level, 0, len(levels))
			for _, l := range levels {
				l.smoothedR = (float64(l.bads) + 10*prior) / (float64(l.n) + 10)
				list = append(list, l)
			}
			slices.SortFunc(list, func(a, b *level) int {
				if r := cmp.Compare(a.smoothedR, b.smoothedR); r != 0 {
					return r
				}
				return cmp.Compare(a.name, b.name)
			})
			f := scoring.Feature{Name: c.Name, Type: scoring.Categorical}
			for _, l := range list {
				f.Categories = append(f.Categories, l.name)
			}
			out = append(out, f)
		}
	}
	return out
}

func constantNote(name string, distinct int, value string) string {
	if distinct == 0 {
		return fmt.Sprintf("column %s dropped: every value is missing", name)
	}
	return fmt.Sprintf("column %s dropped: constant (every value is %s)", name, value)
}

// dropped lists the dataset columns that prepare left out.
func dropped(ds *dataset.Dataset, features []scoring.Feature) []Candidate {
	var out []Candidate
	for _, c := range ds.Features {
		if !slices.ContainsFunc(features, func(f scoring.Feature) bool { return f.Name == c.Name }) {
			out = append(out, Candidate{Feature: c.Name, Type: c.Type, Note: "dropped before fitting (see notes)"})
		}
	}
	return out
}

// informationValue bins one encoded column as the scorecard would and
// returns its IV, or 0 when it cannot be binned.
func informationValue(f scoring.Feature, col []float64, bad []uint8, cfg binning.Config) float64 {
	var b *binning.Binning
	var err error
	if f.Type == scoring.Categorical {
		b, err = binning.Categorical(col, len(f.Categories), bad, cfg)
	} else {
		b, err = binning.Numeric(col, bad, cfg)
	}
	if err != nil {
		return 0
	}
	return b.IV
}

// errNoOOF: the out-of-fold predictions a calibration needs could not be
// made; the model is then left uncalibrated.
var errNoOOF = errors.New("no out-of-fold predictions")

// minCalibrationClass is the fewest rows of each outcome a calibration is
// fitted on: with fewer, a fold that separates by luck makes the slope
// run away and the PD jump to 0 or 1.
const minCalibrationClass = 30

// calibrationFolds is how many scorecards are refitted for out-of-fold
// predictions to calibrate the champion's PD on.
const calibrationFolds = 4

// scorecardOOF refits the scorecard on all but one of calibrationFolds
// folds of the training rows, in turn, and returns every row's log-odds
// from the scorecard that did not see it. A fold that cannot be fitted
// leaves the calibration out: errNoOOF, with a note in rep saying why.
func scorecardOOF(features []scoring.Feature, cols [][]float64, bad []uint8, opts Options, rep *Report) ([]float64, error) {
	n := len(bad)
	fold := make([]int, n)
	for i := range fold {
		// Rows in file order are dealt round-robin: deterministic, and
		// every fold spans the whole file.
		fold[i] = i % calibrationFolds
	}
	oof := make([]float64, n)
	cfg := opts.Scorecard
	cfg.Scaling = opts.Scaling
	for k := range calibrationFolds {
		var tr, va []int
		for i, f := range fold {
			if f == k {
				va = append(va, i)
			} else {
				tr = append(tr, i)
			}
		}
		sub := func(rows []int) ([][]float64, []uint8) {
			c := make([][]float64, len(cols))
			for j, col := range cols {
				c[j] = make([]float64, len(rows))
				for r, i := range rows {
					c[j][r] = col[i]
				}
			}
			b := make([]uint8, len(rows))
			for r, i := range rows {
				b[r] = bad[i]
			}
			return c, b
		}
		tc, tb := sub(tr)
		m, _, err := scorecard.Fit(features, tc, tb, cfg)
		if err != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("PD not calibrated: fold %d of %d: %v", k+1, calibrationFolds, err))
			return nil, errNoOOF
		}
		vc, _ := sub(va)
		// The fold's scorecard may keep fewer features than the full one;
		// it scores on its own.
		keep := make([][]float64, 0, len(m.Features()))
		for _, f := range m.Features() {
			keep = append(keep, vc[slices.IndexFunc(features, func(g scoring.Feature) bool { return g.Name == f.Name })])
		}
		score := make([]float64, len(va))
		if err := m.ScoreColumns(keep, score, nil); err != nil {
			return nil, err
		}
		s := m.Scaling()
		for r, i := range va {
			oof[i] = (s.Offset() - score[r]) / s.Factor()
		}
	}
	return oof, nil
}
