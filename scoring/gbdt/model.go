package gbdt

import (
	"errors"
	"fmt"
	"math"

	"daihou/scoring"
)

// Tree is one fitted tree as stored in the artefact, as parallel arrays
// indexed by node; node 0 is the root.
type Tree struct {
	// Feature is the split feature's index, or −1 for a leaf.
	Feature []int32 `json:"feature"`
	// Threshold: a value v goes left when v ≤ Threshold.
	Threshold []float64 `json:"threshold"`
	// MissingLeft says where missing values (and unseen categories) go.
	MissingLeft []bool  `json:"missing_left"`
	Left        []int32 `json:"left"`  // child node index, −1 for a leaf
	Right       []int32 `json:"right"` // child node index, −1 for a leaf
	// Value is a leaf's contribution to the log-odds of default. Internal
	// nodes keep the value they would have had as leaves, which is what
	// per-feature contributions are measured against.
	Value []float64 `json:"value"`
}

// Params is the fitted ensemble as stored in the model artefact.
type Params struct {
	BaseLogit float64 `json:"base_logit"` // log-odds of default before any tree
	Trees     []Tree  `json:"trees"`      // summed; bags are already averaged in
	// Gain is the total split gain per feature: a rough importance,
	// reported in the training summary.
	Gain   []float64 `json:"gain"`
	Config Config    `json:"config"` // the settings the model was fitted with
}

// node is a tree node laid out for scoring.
type node struct {
	thr         float64
	value       float64
	feat        int32 // −1 for a leaf
	left, right int32
	missLeft    bool
	cat         bool // categorical split: a negative code is unseen, i.e. missing
}

// Model is a fitted ensemble. It is immutable and safe for concurrent use.
type Model struct {
	features []scoring.Feature
	scaling  scoring.Scaling
	params   Params
	nodes    []node
	roots    []int32
	bias     float64 // BaseLogit plus every root's value
}

// New builds a Model from stored parameters, checking every index so that
// a damaged artefact is refused at load rather than crashing at scoring.
func New(features []scoring.Feature, s scoring.Scaling, p Params) (*Model, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if math.IsNaN(p.BaseLogit) || math.IsInf(p.BaseLogit, 0) {
		return nil, errors.New("gbdt: base logit is not finite")
	}
	m := &Model{features: features, scaling: s, params: p, bias: p.BaseLogit}
	for t, tr := range p.Trees {
		n := len(tr.Feature)
		if n == 0 || len(tr.Threshold) != n || len(tr.MissingLeft) != n || len(tr.Left) != n || len(tr.Right) != n || len(tr.Value) != n {
			return nil, fmt.Errorf("gbdt: tree %d: node arrays differ in length or are empty", t)
		}
		base := int32(len(m.nodes))
		m.roots = append(m.roots, base)
		m.bias += tr.Value[0]
		for k := 0; k < n; k++ {
			nd := node{feat: tr.Feature[k], thr: tr.Threshold[k], value: tr.Value[k], missLeft: tr.MissingLeft[k], left: -1, right: -1}
			if math.IsNaN(nd.value) || math.IsInf(nd.value, 0) || math.IsNaN(nd.thr) {
				return nil, fmt.Errorf("gbdt: tree %d node %d: value or threshold is not a number", t, k)
			}
			if nd.feat >= 0 {
				if int(nd.feat) >= len(features) {
					return nil, fmt.Errorf("gbdt: tree %d node %d: feature %d out of range", t, k, nd.feat)
				}
				// Children come after their parent, which rules out
				// cycles: every walk ends at a leaf.
				l, r := tr.Left[k], tr.Right[k]
				if l <= int32(k) || r <= int32(k) || int(l) >= n || int(r) >= n {
					return nil, fmt.Errorf("gbdt: tree %d node %d: bad child index", t, k)
				}
				nd.left, nd.right = base+l, base+r
				nd.cat = features[nd.feat].Type == scoring.Categorical
			} else {
				nd.feat = -1
			}
			m.nodes = append(m.nodes, nd)
		}
	}
	return m, nil
}

// Kind is scoring.KindGBDT.
func (m *Model) Kind() scoring.Kind { return scoring.KindGBDT }

// Features returns the model's features.
func (m *Model) Features() []scoring.Feature { return m.features }

// Scaling returns the points scale the PD is mapped onto.
func (m *Model) Scaling() scoring.Scaling { return m.scaling }

// Params returns the stored form of the ensemble.
func (m *Model) Params() Params { return m.params }

// goLeft decides one split for value v.
func (n *node) goLeft(v float64) bool {
	if v != v || (n.cat && v < 0) {
		return n.missLeft
	}
	return v <= n.thr
}

// Logit returns the log-odds of default of an encoded row.
func (m *Model) Logit(x []float64) float64 {
	s := m.params.BaseLogit
	for _, r := range m.roots {
		k := r
		for {
			n := &m.nodes[k]
			if n.feat < 0 {
				s += n.value
				break
			}
			if n.goLeft(x[n.feat]) {
				k = n.left
			} else {
				k = n.right
			}
		}
	}
	return s
}

// stackFeatures is how many features' contributions ScoreRow keeps on the
// stack; wider models allocate one buffer per call.
const stackFeatures = 128

// ScoreRow implements scoring.Model. Reason codes are the features whose
// contributions raised the log-odds of default the most, each converted to
// the points it cost on the model's scale.
func (m *Model) ScoreRow(x []float64, reasons []scoring.Reason) scoring.Result {
	if len(reasons) == 0 {
		logit := m.Logit(x)
		return scoring.Result{Score: m.scaling.FromLogit(logit), PD: scoring.Sigmoid(logit)}
	}
	var buf [stackFeatures]float64
	var contrib []float64
	if len(m.features) <= stackFeatures {
		contrib = buf[:len(m.features)]
	} else {
		contrib = make([]float64, len(m.features))
	}
	logit := m.bias
	for _, r := range m.roots {
		k := r
		for {
			n := &m.nodes[k]
			if n.feat < 0 {
				break
			}
			next := n.right
			if n.goLeft(x[n.feat]) {
				next = n.left
			}
			d := m.nodes[next].value - n.value
			contrib[n.feat] += d
			logit += d
			k = next
		}
	}
	factor := m.scaling.Factor()
	cnt := 0
	for j, c := range contrib {
		lost := c * factor
		if lost <= 1e-9 {
			continue
		}
		pos := cnt
		for pos > 0 && reasons[pos-1].PointsLost < lost {
			pos--
		}
		if pos >= len(reasons) {
			continue
		}
		if cnt < len(reasons) {
			cnt++
		}
		copy(reasons[pos+1:cnt], reasons[pos:cnt-1])
		reasons[pos] = scoring.Reason{Feature: m.features[j].Name, PointsLost: lost}
	}
	return scoring.Result{Score: m.scaling.FromLogit(logit), PD: scoring.Sigmoid(logit), Reasons: reasons[:cnt]}
}

// scoreBlock is how many rows ScoreColumns walks through each tree at a
// time: enough to keep one tree's nodes hot in cache across many rows,
// few enough that the rows' running sums stay in L1.
const scoreBlock = 256

// ScoreColumns implements scoring.Model. It goes tree by tree over blocks
// of rows rather than row by row over all trees, because a few hundred
// trees do not fit in cache but one tree does.
func (m *Model) ScoreColumns(cols [][]float64, score, pd []float64) error {
	if err := scoring.CheckColumns(len(m.features), cols, score, pd); err != nil {
		return err
	}
	for lo := 0; lo < len(score); lo += scoreBlock {
		hi := min(lo+scoreBlock, len(score))
		acc := score[lo:hi]
		for i := range acc {
			acc[i] = m.params.BaseLogit
		}
		for _, r := range m.roots {
			for i := lo; i < hi; i++ {
				k := r
				for {
					n := &m.nodes[k]
					if n.feat < 0 {
						acc[i-lo] += n.value
						break
					}
					if n.goLeft(cols[n.feat][i]) {
						k = n.left
					} else {
						k = n.right
					}
				}
			}
		}
		for i, logit := range acc {
			if pd != nil {
				pd[lo+i] = scoring.Sigmoid(logit)
			}
			acc[i] = m.scaling.FromLogit(logit)
		}
	}
	return nil
}
