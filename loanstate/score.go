package loanstate

import (
	"errors"
	"math"
	"strings"
	"sync"

	"daihou/money"
	"daihou/scoring"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/servicing"
	"daihou/signal"
)

// Scorer gives an active loan its behaviour score (B-card) from its
// replayed state and what external sources say about its borrower as of
// the same date. Implementations are safe for concurrent use.
type Scorer interface {
	// Score scores loan l in state s; f are its borrower's facts as of
	// s.AsOf, nil when no signal is known (every signal feature missing).
	Score(l servicing.Loan, s *servicing.State, f *signal.Facts) Score
	// ModelID is the registered model scoring.
	ModelID() int64
	// Horizon is the model's outcome horizon in months.
	Horizon() int
	// PDO is the model's points to double the odds, for the IFRS 9
	// significant-deterioration test.
	PDO() float64
}

// Score is one loan's behaviour score.
type Score struct {
	Points  int
	PD      float64 // over the model's horizon
	Reasons string  // reason codes, worst first, comma-separated
}

// ModelScorer scores with a model artefact over the behaviour features of
// the ledger and the borrower's signals (scoring/behaviour, AllNames).
type ModelScorer struct {
	id      int64
	horizon int
	art     *artefact.Artefact
	model   scoring.Model
	enc     *scoring.Encoder
	columns []int // for each model feature, its index in behaviour.AllNames
	signals bool  // some model feature is a signal feature
	bufs    sync.Pool
}

// ErrFeatureMissing is returned by NewModelScorer for a model that uses a
// feature neither the ledger nor the signals provide.
var ErrFeatureMissing = errors.New("model uses a feature the ledger does not provide")

// NewModelScorer returns the scorer of registered model id with outcome
// horizon months.
func NewModelScorer(id int64, horizon int, a *artefact.Artefact) (*ModelScorer, error) {
	m := a.Model()
	sc := &ModelScorer{id: id, horizon: horizon, art: a, model: m, enc: scoring.NewEncoder(m.Features())}
	for _, f := range m.Features() {
		k := -1
		for i, n := range behaviour.AllNames {
			if n == f.Name {
				k = i
			}
		}
		if k < 0 {
			return nil, errors.Join(ErrFeatureMissing, errors.New(f.Name))
		}
		sc.columns = append(sc.columns, k)
		sc.signals = sc.signals || k >= len(behaviour.Names)
	}
	nf, nr := len(sc.columns), max(a.Reasons, 0)
	sc.bufs.New = func() any { return &scoreBuf{x: make([]float64, nf), reasons: make([]scoring.Reason, nr)} }
	return sc, nil
}

type scoreBuf struct {
	x       []float64
	reasons []scoring.Reason
}

// Score implements Scorer.
func (sc *ModelScorer) Score(l servicing.Loan, st *servicing.State, f *signal.Facts) Score {
	row := behaviour.Row(l, st)
	if sc.signals {
		// Row then SignalRow is a row of AllNames; a model of the ledger
		// alone reads the same row it always did.
		row = append(row, behaviour.SignalRow(f)...)
	}
	b := sc.bufs.Get().(*scoreBuf)
	defer sc.bufs.Put(b)
	for j, k := range sc.columns {
		v, err := sc.enc.Value(j, row[k])
		if err != nil {
			v = math.NaN() // scored as missing
		}
		b.x[j] = v
	}
	r := sc.model.ScoreRow(b.x, b.reasons)
	names := make([]string, len(r.Reasons))
	for i, rc := range r.Reasons {
		names[i] = rc.Feature
	}
	return Score{Points: int(math.Round(r.Score)), PD: r.PD, Reasons: strings.Join(names, ",")}
}

// ModelID implements Scorer.
func (sc *ModelScorer) ModelID() int64 { return sc.id }

// Horizon implements Scorer.
func (sc *ModelScorer) Horizon() int { return sc.horizon }

// PDO implements Scorer.
func (sc *ModelScorer) PDO() float64 { return sc.art.Scaling.PDO }

// Artefact returns the model scored with.
func (sc *ModelScorer) Artefact() *artefact.Artefact { return sc.art }

// HorizonPD turns a model's probability of default over its horizon
// (months) into the PD IFRS 9 asks for: 12 months in stage 1, the remaining
// life in stage 2 (at least 12 months), certain default in stage 3. It
// assumes a constant hazard, PD(t) = 1 − (1 − p)^(t/horizon), and rounds to
// the 1e-10 of a Rate. A probability is not money; the float stops here,
// before the PD multiplies an exposure in ECL.
func HorizonPD(p float64, horizon, stage, remainingMonths int) money.Rate {
	if stage >= 3 || p >= 1 {
		return money.RateScale
	}
	if p <= 0 || horizon <= 0 {
		return 0
	}
	months := 12
	if stage == 2 {
		months = max(12, remainingMonths)
	}
	pd := 1 - math.Pow(1-p, float64(months)/float64(horizon))
	return money.Rate(math.Round(pd * money.RateScale))
}
