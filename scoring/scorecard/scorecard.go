package scorecard

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"daihou/scoring"
	"daihou/scoring/binning"
	"daihou/scoring/logit"
)

// Config controls fitting. The zero value of a field means its default.
type Config struct {
	Binning binning.Config // how features are binned
	// MinIV drops features whose binned IV is below it. Default 0.002: the
	// textbook line of 0.02 drops features that are weak alone but useful
	// beside others (on the Taiwan benchmark the five bill amounts, with
	// IV 0.005–0.016, add 0.004 test AUC), so only features with
	// essentially no information are dropped. A negative value keeps all.
	MinIV float64
	// L2 is the ridge penalty of the regression (see logit.Config).
	L2 float64
	// DropWrongSign drops, one at a time with a refit after each, the
	// features whose coefficient has the sign opposite to their WOE. Such
	// a feature's points run against its own univariate bad rate: usually
	// it is correcting a correlated feature (a balance read against the
	// limit), which is real signal — on the Taiwan benchmark dropping them
	// costs 0.002–0.004 AUC — but a reviewer must be able to explain it.
	// By default they are kept and listed in the fit report.
	DropWrongSign bool
	Scaling       scoring.Scaling // default scoring.DefaultScaling
}

// Attribute is one bin of a characteristic with its points.
type Attribute struct {
	Label string `json:"label"` // how the bin reads in the table
	// Upper is the inclusive upper bound of a numeric bin; the last value
	// bin has none. Bins are in increasing order.
	Upper      *float64 `json:"upper,omitempty"`
	Categories []string `json:"categories,omitempty"` // a categorical bin's categories
	Missing    bool     `json:"missing,omitempty"`    // the bin of missing values
	Other      bool     `json:"other,omitempty"`      // rare and unseen categories
	Count      int      `json:"count"`                // training rows
	Bads       int      `json:"bads"`                 // of which bad
	WOE        float64  `json:"woe"`                  // weight of evidence
	Points     float64  `json:"points"`               // what the bin adds to the score
}

// Characteristic is one feature of the scorecard.
type Characteristic struct {
	Feature     string      `json:"feature"`     // the feature's name
	Coefficient float64     `json:"coefficient"` // on WOE, in the logit of bad
	IV          float64     `json:"iv"`          // information value of the binning
	Shape       string      `json:"shape"`       // of bad rate against value: increasing, decreasing, none; or categorical
	Attributes  []Attribute `json:"attributes"`  // value bins in order, then other, then missing
}

// Params is the fitted scorecard as stored in the model artefact.
type Params struct {
	Intercept       float64          `json:"intercept"`       // of the regression on WOE
	Characteristics []Characteristic `json:"characteristics"` // one per model feature, in order
}

// Model is a fitted scorecard. It is immutable and safe for concurrent use.
type Model struct {
	features []scoring.Feature
	scaling  scoring.Scaling
	params   Params
	chars    []compiled
}

// compiled is a characteristic laid out for scoring without allocation.
type compiled struct {
	name     string
	cuts     []float64 // numeric: upper bounds of all value bins but the last
	byCode   []int32   // categorical: category code -> attribute
	missing  int32     // attribute of a missing value
	other    int32     // attribute of an unseen category
	points   []float64 // per attribute
	labels   []string
	best     float64 // most points any attribute gives
	category bool
}

// New builds a Model from stored parameters, checking that they fit the
// features: one characteristic per feature, in the same order.
func New(features []scoring.Feature, s scoring.Scaling, p Params) (*Model, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(p.Characteristics) != len(features) {
		return nil, fmt.Errorf("scorecard: %d characteristics for %d features", len(p.Characteristics), len(features))
	}
	m := &Model{features: features, scaling: s, params: p, chars: make([]compiled, len(features))}
	for j, ch := range p.Characteristics {
		f := features[j]
		if ch.Feature != f.Name {
			return nil, fmt.Errorf("scorecard: characteristic %d is %q, feature %d is %q", j, ch.Feature, j, f.Name)
		}
		c, err := compile(f, ch)
		if err != nil {
			return nil, fmt.Errorf("scorecard: characteristic %s: %w", f.Name, err)
		}
		m.chars[j] = c
	}
	return m, nil
}

func compile(f scoring.Feature, ch Characteristic) (compiled, error) {
	c := compiled{name: f.Name, missing: -1, other: -1, category: f.Type == scoring.Categorical, best: math.Inf(-1)}
	if c.category {
		c.byCode = make([]int32, len(f.Categories))
		for i := range c.byCode {
			c.byCode[i] = -1
		}
	}
	code := make(map[string]int, len(f.Categories))
	for i, name := range f.Categories {
		code[name] = i
	}
	values := 0
	for a, at := range ch.Attributes {
		if math.IsNaN(at.Points) || math.IsInf(at.Points, 0) {
			return c, fmt.Errorf("attribute %q has points %v", at.Label, at.Points)
		}
		c.points = append(c.points, at.Points)
		c.labels = append(c.labels, at.Label)
		c.best = max(c.best, at.Points)
		switch {
		case at.Missing:
			c.missing = int32(a)
			continue
		case at.Other:
			c.other = int32(a)
		}
		if c.category {
			for _, cat := range at.Categories {
				k, ok := code[cat]
				if !ok {
					return c, fmt.Errorf("attribute %q names category %q the feature does not list", at.Label, cat)
				}
				c.byCode[k] = int32(a)
			}
			continue
		}
		if a != values {
			return c, errors.New("numeric value bins must come first, in order")
		}
		values++
		if at.Upper != nil {
			if len(c.cuts) > 0 && *at.Upper <= c.cuts[len(c.cuts)-1] {
				return c, fmt.Errorf("bin upper bounds are not increasing at %q", at.Label)
			}
			c.cuts = append(c.cuts, *at.Upper)
		} else if a != len(ch.Attributes)-1 && !ch.Attributes[a+1].Missing {
			return c, fmt.Errorf("only the last value bin may be unbounded, not %q", at.Label)
		}
	}
	if c.missing < 0 {
		return c, errors.New("no attribute for missing values")
	}
	if c.category {
		if c.other < 0 {
			return c, errors.New("no attribute for other categories")
		}
		for k, a := range c.byCode {
			if a < 0 {
				c.byCode[k] = c.other
			}
		}
	} else if values != len(c.cuts)+1 {
		return c, errors.New("the last value bin must be unbounded")
	}
	return c, nil
}

// attribute returns the attribute of encoded value v.
func (c *compiled) attribute(v float64) int32 {
	if v != v { // NaN: missing
		return c.missing
	}
	if c.category {
		k := int(v)
		if v < 0 || k >= len(c.byCode) {
			return c.other
		}
		return c.byCode[k]
	}
	// A linear scan beats binary search for the dozen cuts a scorecard
	// has: the cuts share a cache line or two, and stopping at the first
	// cut above v measured faster than a branch-free count of all cuts.
	for i, cut := range c.cuts {
		if v <= cut {
			return int32(i)
		}
	}
	return int32(len(c.cuts))
}

// Kind is scoring.KindScorecard.
func (m *Model) Kind() scoring.Kind { return scoring.KindScorecard }

// Features returns the scored features, one per characteristic.
func (m *Model) Features() []scoring.Feature { return m.features }

// Scaling returns the points scale.
func (m *Model) Scaling() scoring.Scaling { return m.scaling }

// Params returns the stored form of the scorecard.
func (m *Model) Params() Params { return m.params }

// ScoreRow implements scoring.Model. Reason codes are the characteristics
// where the customer's attribute is furthest below the best attribute of
// that characteristic; characteristics where they already have the best
// attribute never appear.
func (m *Model) ScoreRow(x []float64, reasons []scoring.Reason) scoring.Result {
	var score float64
	n := 0
	for j := range m.chars {
		c := &m.chars[j]
		a := c.attribute(x[j])
		pts := c.points[a]
		score += pts
		lost := c.best - pts
		if len(reasons) == 0 || lost <= 1e-9 {
			continue
		}
		n = scoring.InsertReason(reasons, n, scoring.Reason{Feature: c.name, Bin: c.labels[a], PointsLost: lost})
	}
	return scoring.Result{Score: score, PD: m.scaling.PD(score), Reasons: reasons[:n]}
}

// ScoreColumns implements scoring.Model. It walks one characteristic at a
// time down its column, so each points table stays in cache.
func (m *Model) ScoreColumns(cols [][]float64, score, pd []float64) error {
	if err := scoring.CheckColumns(len(m.chars), cols, score, pd); err != nil {
		return err
	}
	clear(score)
	for j := range m.chars {
		c := &m.chars[j]
		for i, v := range cols[j] {
			score[i] += c.points[c.attribute(v)]
		}
	}
	if pd != nil {
		for i, s := range score {
			pd[i] = m.scaling.PD(s)
		}
	}
	return nil
}

// Candidate reports what fitting made of one input feature.
type Candidate struct {
	Feature  string  // the feature's name
	IV       float64 // information value of its binning
	Bins     int     // bins including missing (and other)
	Selected bool    // whether the scorecard uses it
	Note     string  // why it was dropped, or a warning about it
}

// Fit fits a scorecard. cols[j] is the encoded column of features[j] (see
// scoring.Encoder) and bad the 0/1 target. It returns the model and what
// became of every candidate feature.
func Fit(features []scoring.Feature, cols [][]float64, bad []uint8, cfg Config) (*Model, []Candidate, error) {
	if len(features) != len(cols) {
		return nil, nil, fmt.Errorf("scorecard: %d features but %d columns", len(features), len(cols))
	}
	if cfg.Scaling == (scoring.Scaling{}) {
		cfg.Scaling = scoring.DefaultScaling()
	}
	if err := cfg.Scaling.Validate(); err != nil {
		return nil, nil, err
	}
	if cfg.MinIV == 0 {
		cfg.MinIV = 0.002
	}

	bins, err := binAll(features, cols, bad, cfg.Binning)
	if err != nil {
		return nil, nil, err
	}
	cands := make([]Candidate, len(features))
	var sel []int
	for j, b := range bins {
		cands[j] = Candidate{Feature: features[j].Name, IV: b.IV, Bins: len(b.Bins)}
		if b.IV < cfg.MinIV {
			cands[j].Note = fmt.Sprintf("IV %.4f below %.4g", b.IV, cfg.MinIV)
			continue
		}
		sel = append(sel, j)
	}
	if len(sel) == 0 {
		return nil, cands, fmt.Errorf("scorecard: no feature reaches the minimum IV %.4g", cfg.MinIV)
	}
	fit, sel, err := regress(bins, cols, bad, sel, cands, cfg)
	if err != nil {
		return nil, cands, err
	}
	for _, j := range sel {
		cands[j].Selected = true
	}
	var picked []scoring.Feature
	var pickedBins []*binning.Binning
	for _, j := range sel {
		picked = append(picked, features[j])
		pickedBins = append(pickedBins, bins[j])
	}
	m, err := New(picked, cfg.Scaling, points(picked, pickedBins, fit, cfg.Scaling))
	if err != nil {
		return nil, cands, err
	}
	return m, cands, nil
}

// regress fits the logistic regression of bad on the WOE of the selected
// features, dropping wrong-signed ones first if cfg asks, and notes what
// it did in cands. It returns the fit and the features it used.
func regress(bins []*binning.Binning, cols [][]float64, bad []uint8, sel []int, cands []Candidate, cfg Config) (*logit.Fit, []int, error) {
	woe := make(map[int][]float64, len(sel))
	for _, j := range sel {
		woe[j] = woeColumn(bins[j], cols[j])
	}
	for {
		x := make([][]float64, len(sel))
		for k, j := range sel {
			x[k] = woe[j]
		}
		fit, err := logit.Train(x, bad, logit.Config{L2: cfg.L2})
		if err != nil && !errors.Is(err, logit.ErrNotConverged) {
			return nil, nil, fmt.Errorf("scorecard: %w", err)
		}
		// WOE grows with the share of goods, so its coefficient in the
		// logit of bad should be negative.
		worst := -1
		for k, c := range fit.Coef {
			if c > 0 && (worst < 0 || c > fit.Coef[worst]) {
				worst = k
			}
		}
		if !cfg.DropWrongSign || worst < 0 || len(sel) == 1 {
			for k, c := range fit.Coef {
				if c > 0 {
					cands[sel[k]].Note = fmt.Sprintf("coefficient %+.3f runs against its WOE (collinear with other features?); review before use", c)
				}
			}
			return fit, sel, nil
		}
		j := sel[worst]
		cands[j].Note = fmt.Sprintf("dropped: coefficient %+.3f runs against its WOE", fit.Coef[worst])
		sel = slices.Delete(sel, worst, worst+1)
	}
}

// points turns the regression into attribute points:
//
//	score = offset − factor·(intercept + Σ coef·WOE)
//	      = Σ over characteristics of [(offset − factor·intercept)/k − factor·coef·WOE]
//
// so the intercept and offset are spread evenly over the k
// characteristics and one attribute from each adds up to the score.
func points(features []scoring.Feature, bins []*binning.Binning, fit *logit.Fit, s scoring.Scaling) Params {
	p := Params{Intercept: fit.Intercept}
	factor := s.Factor()
	share := (s.Offset() - factor*fit.Intercept) / float64(len(features))
	for k, f := range features {
		shape := string(bins[k].Direction)
		if f.Type == scoring.Categorical {
			shape = "categorical"
		}
		ch := Characteristic{Feature: f.Name, Coefficient: fit.Coef[k], IV: bins[k].IV, Shape: shape}
		for _, b := range bins[k].Bins {
			at := Attribute{Count: b.Count, Bads: b.Bads, WOE: b.WOE, Missing: b.Missing, Other: b.Other}
			at.Points = share - factor*fit.Coef[k]*b.WOE
			if f.Type == scoring.Categorical {
				for _, c := range b.Categories {
					at.Categories = append(at.Categories, f.Categories[c])
				}
			} else if !b.Missing && !math.IsInf(b.High, 1) {
				u := b.High
				at.Upper = &u
			}
			at.Label = label(f, b)
			ch.Attributes = append(ch.Attributes, at)
		}
		p.Characteristics = append(p.Characteristics, ch)
	}
	return p
}

// binAll bins every feature, in parallel: binning sorts each column and
// the columns are independent.
func binAll(features []scoring.Feature, cols [][]float64, bad []uint8, cfg binning.Config) ([]*binning.Binning, error) {
	out := make([]*binning.Binning, len(features))
	errs := make([]error, len(features))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if features[j].Type == scoring.Categorical {
					out[j], errs[j] = binning.Categorical(cols[j], len(features[j].Categories), bad, cfg)
				} else {
					out[j], errs[j] = binning.Numeric(cols[j], bad, cfg)
				}
			}
		}()
	}
	for j := range features {
		next <- j
	}
	close(next)
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("scorecard: feature %s: %w", features[j].Name, err)
		}
	}
	return out, nil
}

func woeColumn(b *binning.Binning, col []float64) []float64 {
	out := make([]float64, len(col))
	for i, v := range col {
		out[i] = b.Bins[b.Find(v)].WOE
	}
	return out
}

// label is how an attribute reads in the printed table.
func label(f scoring.Feature, b binning.Bin) string {
	switch {
	case b.Missing:
		return "missing"
	case f.Type == scoring.Categorical:
		names := make([]string, 0, len(b.Categories))
		for _, c := range b.Categories {
			names = append(names, f.Categories[c])
		}
		const show = 6
		s := strings.Join(names[:min(len(names), show)], ", ")
		if len(names) > show {
			s += fmt.Sprintf(", … (%d more)", len(names)-show)
		}
		if b.Other {
			if s == "" {
				return "other"
			}
			return "other: " + s
		}
		return s
	case math.IsInf(b.Low, -1) && math.IsInf(b.High, 1):
		return "any value"
	case math.IsInf(b.Low, -1):
		return "<= " + num(b.High)
	case math.IsInf(b.High, 1):
		return "> " + num(b.Low)
	}
	return "(" + num(b.Low) + ", " + num(b.High) + "]"
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
