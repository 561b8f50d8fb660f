package gbdt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"daihou/scoring"
	"daihou/scoring/metrics"
)

// Tuning records how a model's settings were chosen by cross-validation
// on its training rows.
type Tuning struct {
	Folds         int     `json:"folds"`          // cross-validation folds
	Seed          uint64  `json:"seed"`           // of the fold assignment and subsamples
	BudgetSeconds float64 `json:"budget_seconds"` // the fit-time budget the search was planned for
	Trials        []Trial `json:"trials"`         // every setting tried, in order
	Chosen        int     `json:"chosen"`         // index in Trials of the setting fitted
}

// Trial is one setting tried and how it did out of fold.
type Trial struct {
	MaxDepth     int     `json:"max_depth"`
	MinLeafRows  int     `json:"min_leaf_rows"`
	LearningRate float64 `json:"learning_rate"`
	L2           float64 `json:"l2"`
	ColSample    float64 `json:"colsample"`
	Rounds       int     `json:"rounds"`   // at the lowest mean fold loss
	LogLoss      float64 `json:"log_loss"` // mean over folds at Rounds
	AUC          float64 `json:"auc"`      // of the out-of-fold predictions at Rounds
}

// TuneConfig controls Tune. The zero value of a field means its default.
type TuneConfig struct {
	// Budget is the fit time the search is planned for on the 2-core
	// machine daihou is measured on (default 5 s). It is converted into
	// histogram work by a fixed rate, never read off the clock, so the
	// same data, seed and budget choose the same settings on any
	// machine; a faster one finishes sooner.
	Budget time.Duration
	Folds  int    // cross-validation folds; default 4
	Seed   uint64 // for the folds and every subsample
	// Workers is how many goroutines the folds share; default
	// GOMAXPROCS. It does not change the model.
	Workers int
}

// workPerSecond is the work the 2-core reference machine does in a second
// while boosting, in histogram cells filled (rows × features), measured on
// the benchmark corpus; it turns the budget into work. Each row a round
// touches outside the histograms — its gradient, its partition, its
// prediction — counts as rowCells cells: on tables of few columns and
// many rounds those steps cost more than the histograms.
const (
	workPerSecond = 5e8
	rowCells      = 16
)

// minTuneRows is the fewest training rows worth cross-validating: below
// it every fold is too small to say one setting beats another, and the
// defaults are fitted as they are.
const minTuneRows = 400

// Folds below minFoldBads bad rows make the fold losses noise.
const minFoldBads = 10

// candidate is a setting to try; zero fields take Config's defaults.
type candidate struct {
	depth, minLeaf int
	lr, l2, col    float64
}

// searchPlan is the order settings are tried in: first a spread of
// regimes — shallow and deep trees, small and large leaves, weak and
// strong L2 — so that whatever the data favour is found early; the
// search then refines around the best (see refine). The spread includes
// the defaults, chosen for tens of thousands of noisy behaviour records.
func searchPlan(n int) []candidate {
	small := max(5, n/800)   // leaves of a few rows: interactions, few thousand rows
	medium := max(20, n/200) // the middle ground
	return []candidate{
		{depth: 6, minLeaf: 100, lr: 0.1, l2: 30, col: 0.5}, // the defaults
		{depth: 6, minLeaf: small, lr: 0.1, l2: 1, col: 0.8},
		{depth: 3, minLeaf: medium, lr: 0.1, l2: 1, col: 0.8},
		{depth: 4, minLeaf: medium, lr: 0.1, l2: 10, col: 0.8},
		{depth: 8, minLeaf: small, lr: 0.1, l2: 3, col: 0.8},
		{depth: 2, minLeaf: medium, lr: 0.2, l2: 1, col: 1},
	}
}

// refine proposes neighbours of the best setting so far: half the
// learning rate (more, smaller steps usually win a little), one level
// deeper and shallower, leaves half and twice as large.
func refine(b candidate) []candidate {
	out := []candidate{}
	add := func(c candidate) {
		c.depth = min(max(c.depth, 2), 10)
		c.minLeaf = max(c.minLeaf, 2)
		out = append(out, c)
	}
	c := b
	c.depth++
	add(c)
	c = b
	c.depth--
	add(c)
	c = b
	c.minLeaf = b.minLeaf / 2
	add(c)
	c = b
	c.minLeaf = b.minLeaf * 2
	add(c)
	c = b
	c.l2 = b.l2 * 4
	add(c)
	c = b
	c.lr = b.lr / 2
	add(c)
	return out
}

func (c candidate) config(base Config) Config {
	base.MaxDepth, base.MinLeafRows, base.LearningRate, base.L2, base.ColSample = c.depth, c.minLeaf, c.lr, c.l2, c.col
	base.MaxLeaves = min(1<<c.depth, 63)
	return base
}

// TuneResult is what Tune made.
type TuneResult struct {
	Model  *Model
	Report *Report
	Tuning Tuning
	// OOF is every training row's log-odds of default from the fold
	// model that did not see it, at the chosen setting and tree count:
	// honest predictions to calibrate the probability of default on.
	OOF []float64
}

// Tune chooses the depth, minimum leaf size, learning rate, L2 and
// feature share by cross-validation on the rows it is given — the
// training fold only; it never sees anything else — then fits one model
// on all of them with the chosen settings and the tree count at which the
// mean fold loss was lowest. Each setting's folds boost in lock step, so
// that early stopping watches the mean of the fold losses rather than
// each fold's noise. Settings are tried in a fixed order until the budget
// of work is spent; the same data, seed and budget give the same model.
// base supplies every setting Tune does not search (subsample, bins,
// minimum leaf Hessian); its Seed is replaced by the tuning seed.
func Tune(ctx context.Context, features []scoring.Feature, cols [][]float64, bad []uint8, s scoring.Scaling, base Config, tc TuneConfig) (*TuneResult, error) {
	if tc.Budget <= 0 {
		tc.Budget = 5 * time.Second
	}
	if tc.Folds <= 0 {
		tc.Folds = 4
	}
	if tc.Workers <= 0 {
		tc.Workers = runtime.GOMAXPROCS(0)
	}
	base.Seed, base.Workers = tc.Seed, tc.Workers
	cfg, err := base.withDefaults()
	if err != nil {
		return nil, err
	}
	n := len(bad)
	if len(cols) != len(features) || len(features) == 0 {
		return nil, fmt.Errorf("gbdt: %d features but %d columns", len(features), len(cols))
	}
	for j, c := range cols {
		if len(c) != n {
			return nil, fmt.Errorf("gbdt: column %s has %d rows, want %d", features[j].Name, len(c), n)
		}
	}
	bads := 0
	for _, b := range bad {
		bads += int(b)
	}
	folds := tc.Folds
	if n < minTuneRows || min(bads, n-bads) < folds*minFoldBads {
		m, rep, err := Fit(ctx, features, cols, bad, s, base)
		if err != nil {
			return nil, err
		}
		return &TuneResult{Model: m, Report: rep, Tuning: Tuning{BudgetSeconds: tc.Budget.Seconds()}}, nil
	}

	data := &binned{nf: len(features)}
	data.binAll(features, cols, n, cfg.MaxBins, cfg.Workers)
	fold := assignFolds(bad, folds, tc.Seed)
	budget := int64(tc.Budget.Seconds() * workPerSecond)
	tun := Tuning{Folds: folds, Seed: tc.Seed, BudgetSeconds: tc.Budget.Seconds()}
	var spent int64
	var bestOOF []float64
	best := -1
	var bestCand candidate
	tried := map[candidate]bool{}
	try := func(c candidate) error {
		if tried[c] {
			return nil
		}
		tried[c] = true
		ccfg := c.config(cfg)
		ccfg.Rounds = tuneRounds
		tr, oof, work, err := crossValidate(ctx, data, ccfg, fold, folds, bad)
		if err != nil {
			return err
		}
		spent += work
		tun.Trials = append(tun.Trials, tr)
		if best < 0 || tr.LogLoss < tun.Trials[best].LogLoss {
			best, bestOOF, bestCand = len(tun.Trials)-1, oof, c
		}
		return nil
	}
	plan := searchPlan(n)
	for _, c := range plan {
		// The first setting is always tried, so there is a model
		// whatever the budget.
		if best >= 0 && spent >= budget {
			break
		}
		if err := try(c); err != nil {
			return nil, err
		}
	}
	// Refine around the best while the budget lasts, until no neighbour
	// improves on it.
	for spent < budget {
		before := best
		for _, c := range refine(bestCand) {
			if spent >= budget {
				break
			}
			if err := try(c); err != nil {
				return nil, err
			}
		}
		if best == before {
			break
		}
	}
	tun.Chosen = best
	chosen := tun.Trials[best]
	final := bestCand.config(base)
	final.Rounds, final.Validation, final.Bags = chosen.Rounds, -1, 1
	m, rep, err := Fit(ctx, features, cols, bad, s, final)
	if err != nil {
		return nil, err
	}
	m.params.Tuning = &tun
	rep.ValidationLoss = chosen.LogLoss
	return &TuneResult{Model: m, Report: rep, Tuning: tun, OOF: bestOOF}, nil
}

// assignFolds deals the rows into folds at random, bads and goods
// separately, so that every fold has the overall bad rate.
func assignFolds(bad []uint8, folds int, seed uint64) []uint8 {
	rng := rand.New(rand.NewPCG(seed, 0x6c8e9cf570932bd5))
	out := make([]uint8, len(bad))
	for class := range uint8(2) {
		var rows []int
		for i, b := range bad {
			if b == class {
				rows = append(rows, i)
			}
		}
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for k, r := range rows {
			out[r] = uint8(k % folds)
		}
	}
	return out
}

// tunePatience is how many rounds without a better mean fold loss end a
// setting's cross-validation; the mean of several folds is steadier than
// one validation split, so it can be waited on longer.
const tunePatience = 30

// tuneRounds is the most rounds a setting is cross-validated for; with a
// learning rate of 0.05 the best tree count is rarely past a thousand.
const tuneRounds = 2000

// crossValidate boosts one model per fold in lock step and returns the
// trial at the round of lowest mean fold loss, with the out-of-fold
// log-odds at that round and the histogram work done.
func crossValidate(ctx context.Context, data *binned, cfg Config, fold []uint8, folds int, bad []uint8) (Trial, []float64, int64, error) {
	n := len(bad)
	tr := Trial{MaxDepth: cfg.MaxDepth, MinLeafRows: cfg.MinLeafRows, LearningRate: cfg.LearningRate, L2: cfg.L2, ColSample: cfg.ColSample}
	boosters := make([]*booster, folds)
	fitters := make([]*fitter, folds)
	// Workers are shared out between folds: folds run side by side, each
	// with its share of goroutines for histograms.
	per := max(1, cfg.Workers/folds)
	for k := range folds {
		var train, val []int32
		for i, f := range fold {
			if int(f) == k {
				val = append(val, int32(i))
			} else {
				train = append(train, int32(i))
			}
		}
		fitters[k] = &fitter{binned: data, cfg: cfg, workers: per}
		rng := rand.New(rand.NewPCG(cfg.Seed+uint64(k)*0x9e3779b97f4a7c15, 0x2545f4914f6cdd1d))
		b, err := fitters[k].newBooster(rng, train, val, bad)
		if err != nil {
			return tr, nil, 0, err
		}
		boosters[k] = b
	}
	oof := make([]float64, n)
	losses := make([]float64, folds)
	bestLoss, bestRound := math.Inf(1), 0
	slots := make(chan struct{}, max(1, min(cfg.Workers, folds)))
	for round := 1; round <= cfg.Rounds; round++ {
		if err := ctx.Err(); err != nil {
			return tr, nil, 0, err
		}
		var wg sync.WaitGroup
		for k, b := range boosters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				slots <- struct{}{}
				defer func() { <-slots }()
				losses[k] = b.round(bad)
			}()
		}
		wg.Wait()
		// Folds are within one row of the same size, so the mean of fold
		// means is the mean over rows to well within the noise.
		var mean float64
		for _, l := range losses {
			mean += l / float64(folds)
		}
		if mean < bestLoss-1e-9 {
			bestLoss, bestRound = mean, round
			for _, b := range boosters {
				for _, r := range b.val {
					oof[r] = b.raw[r]
				}
			}
		} else if round-bestRound >= tunePatience {
			break
		}
	}
	var work, rowWork int64
	for _, f := range fitters {
		work += f.work
	}
	for _, b := range boosters {
		rowWork += int64(len(b.train)+len(b.val)) * int64(len(b.out.trees))
	}
	work += rowCells * rowWork
	tr.Rounds, tr.LogLoss = bestRound, bestLoss
	if tr.Rounds == 0 {
		return tr, nil, work, errors.New("gbdt: cross-validation found no round that fits")
	}
	tr.AUC = metrics.AUC(oof, bad)
	tr.MinLeafRows = fitters[0].cfg.MinLeafRows
	if i := slices.IndexFunc(fitters, func(f *fitter) bool { return f.cfg.MinLeafRows != tr.MinLeafRows }); i >= 0 {
		tr.MinLeafRows = min(tr.MinLeafRows, fitters[i].cfg.MinLeafRows)
	}
	return tr, oof, work, nil
}
