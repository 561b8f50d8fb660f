package gbdt

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"unsafe"

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
	// nodes keep the value they would have had as leaves; contributions
	// are measured against them when the tree has no Cover.
	Value []float64 `json:"value"`
	// Cover is how many training rows reached each node. It weighs the
	// two sides of a split when contributions (reason codes) are worked
	// out: a node's expected value is the cover-weighted mean of its
	// leaves. Artefacts written before it existed have none.
	Cover []float64 `json:"cover,omitempty"`
}

// Params is the fitted ensemble as stored in the model artefact.
type Params struct {
	BaseLogit float64 `json:"base_logit"` // log-odds of default before any tree
	Trees     []Tree  `json:"trees"`      // summed; bags are already averaged in
	// Gain is the total split gain per feature: a rough importance,
	// reported in the training summary.
	Gain   []float64 `json:"gain"`
	Config Config    `json:"config"` // the settings the model was fitted with
	// Tuning records how the settings in Config were chosen, when the
	// trainer tuned them by cross-validation.
	Tuning *Tuning `json:"tuning,omitempty"`
}

// fnode is one node of the flattened forest: 16 bytes, so four share a
// cache line, with both children side by side so that a step down the
// tree picks one of two neighbours. Nodes are named by their byte offset
// in the forest (index·16), which is what a walk adds to the forest's
// address, so that a step scales no index. A leaf points at
// itself with an infinite threshold, so every row can take the same
// number of steps down a tree with no test for having arrived.
type fnode struct {
	thr float64
	// left is the left child's offset; the right child's is left+16. A
	// leaf's is its own.
	left uint32
	// off is where the batch path finds the row's value for the split
	// in a block of rows, in bytes from the row's first: slot·8·scoreBlock,
	// slot being 2·feature + 1 when missing values (and unseen categories)
	// go right, 2·feature when they go left. A block holds its rows
	// column by column and every value twice — missing once as −Inf, once
	// as +Inf (see fillBlock) — so that one comparison decides a split,
	// missing or not.
	off uint32
}

// nodeSize is the size of an fnode, the unit of node offsets.
const nodeSize = 16

// The compiler checks that nodeSize is an fnode's size.
var (
	_ [nodeSize - unsafe.Sizeof(fnode{})]struct{}
	_ [unsafe.Sizeof(fnode{}) - nodeSize]struct{}
)

// slot is the node's slot in a block of rows (see off).
func (n *fnode) slot() int { return int(n.off / (8 * scoreBlock)) }

// feat is the node's split feature.
func (n *fnode) feat() int { return n.slot() >> 1 }

// Model is a fitted ensemble. It is immutable and safe for concurrent use.
type Model struct {
	features []scoring.Feature
	scaling  scoring.Scaling
	params   Params
	cat      []bool    // per feature: categorical, so a negative code is missing
	nodes    []fnode   // every tree, breadth first, one after another
	value    []float64 // per node: a leaf's output
	expect   []float64 // per node: the expected output below it
	cover    []float64 // per node: training rows, for exact contributions; nil without
	roots    []uint32  // offset of each tree's first node
	depth    []uint8   // steps from each tree's root to its deepest leaf
	maxDepth int
	base     float64   // BaseLogit plus every root's expected value
	scratch  sync.Pool // *[]float64 of scoreBlock rows, for ScoreColumns
}

// maxFeatures is the most features a model may have — far more than any
// scoring table has, few enough that a block of rows stays small and a
// value's offset in it fits the 32 bits of fnode.off — and maxNodes the
// most nodes a forest may have, so that a node's offset fits 32 bits too.
const (
	maxFeatures = math.MaxUint16 / 2
	maxNodes    = math.MaxUint32/nodeSize - 1
)

// New builds a Model from stored parameters, checking every index so that
// a damaged artefact is refused at load rather than crashing at scoring.
func New(features []scoring.Feature, s scoring.Scaling, p Params) (*Model, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if math.IsNaN(p.BaseLogit) || math.IsInf(p.BaseLogit, 0) {
		return nil, errors.New("gbdt: base logit is not finite")
	}
	if len(features) > maxFeatures {
		return nil, fmt.Errorf("gbdt: %d features, at most %d", len(features), maxFeatures)
	}
	m := &Model{features: features, scaling: s, params: p, base: p.BaseLogit, cat: make([]bool, len(features))}
	for j, f := range features {
		m.cat[j] = f.Type == scoring.Categorical
	}
	m.scratch.New = func() any { b := make([]float64, 2*scoreBlock*len(features)); return &b }
	withCover := len(p.Trees) > 0
	for _, tr := range p.Trees {
		withCover = withCover && len(tr.Cover) == len(tr.Feature)
	}
	nodes := 0
	for t, tr := range p.Trees {
		if err := checkTree(tr, len(features), withCover); err != nil {
			return nil, fmt.Errorf("gbdt: tree %d: %w", t, err)
		}
		if nodes += len(tr.Feature); nodes > maxNodes {
			return nil, fmt.Errorf("gbdt: more than %d nodes", maxNodes)
		}
		m.flatten(tr, withCover)
	}
	return m, nil
}

// checkTree checks a stored tree's shape and numbers.
func checkTree(tr Tree, nf int, withCover bool) error {
	n := len(tr.Feature)
	if n == 0 || len(tr.Threshold) != n || len(tr.MissingLeft) != n || len(tr.Left) != n || len(tr.Right) != n || len(tr.Value) != n {
		return errors.New("node arrays differ in length or are empty")
	}
	for k := 0; k < n; k++ {
		if v, thr := tr.Value[k], tr.Threshold[k]; math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(thr) {
			return fmt.Errorf("node %d: value or threshold is not a number", k)
		}
		if withCover && !(tr.Cover[k] >= 0) {
			return fmt.Errorf("node %d: cover %v", k, tr.Cover[k])
		}
		if tr.Feature[k] < 0 {
			continue
		}
		if int(tr.Feature[k]) >= nf {
			return fmt.Errorf("node %d: feature %d out of range", k, tr.Feature[k])
		}
		// Children come after their parent, which rules out cycles:
		// every walk ends at a leaf.
		l, r := tr.Left[k], tr.Right[k]
		if l <= int32(k) || r <= int32(k) || int(l) >= n || int(r) >= n || l == r {
			return fmt.Errorf("node %d: bad child index", k)
		}
	}
	return nil
}

// flatten appends a checked tree to the forest, breadth first with the
// children of each node side by side, and works out its nodes' expected
// values.
func (m *Model) flatten(tr Tree, withCover bool) {
	base := len(m.nodes)
	m.roots = append(m.roots, uint32(base)*nodeSize)
	// Breadth-first order: order[i] is the stored index of flat node
	// base+i, and depths follow along.
	order := []int32{0}
	depth := []int{0}
	treeDepth := 0
	for i := 0; i < len(order); i++ {
		k := order[i]
		if tr.Feature[k] >= 0 {
			order = append(order, tr.Left[k], tr.Right[k])
			depth = append(depth, depth[i]+1, depth[i]+1)
			treeDepth = max(treeDepth, depth[i]+1)
		}
	}
	// A stored tree may hold nodes no walk reaches (a hand-edited file);
	// they are left out.
	child := base + 1
	for _, k := range order {
		nd := fnode{left: uint32(len(m.nodes)) * nodeSize, thr: math.Inf(1)}
		if f := tr.Feature[k]; f >= 0 {
			slot := 2 * uint32(f)
			if !tr.MissingLeft[k] {
				slot++
			}
			nd = fnode{thr: tr.Threshold[k], left: uint32(child) * nodeSize, off: slot * 8 * scoreBlock}
			child += 2
		}
		m.nodes = append(m.nodes, nd)
		m.value = append(m.value, tr.Value[k])
		if withCover {
			m.cover = append(m.cover, tr.Cover[k])
		}
	}
	m.depth = append(m.depth, uint8(min(treeDepth, math.MaxUint8)))
	m.maxDepth = max(m.maxDepth, treeDepth)
	// Expected values bottom up; breadth-first order puts children after
	// parents, so a backwards pass sees children first.
	n := len(order)
	ex := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		nd := &m.nodes[base+i]
		l := int(nd.left / nodeSize)
		if l == base+i {
			ex[i] = m.value[base+i]
			continue
		}
		if withCover {
			cl, cr := m.cover[l], m.cover[l+1]
			if cl+cr > 0 {
				ex[i] = (cl*ex[l-base] + cr*ex[l+1-base]) / (cl + cr)
				continue
			}
		}
		// Without cover, contributions are measured against the value
		// the node would have had as a leaf.
		ex[i] = m.value[base+i]
	}
	m.expect = append(m.expect, ex...)
	m.base += ex[0]
}

// Kind is scoring.KindGBDT.
func (m *Model) Kind() scoring.Kind { return scoring.KindGBDT }

// Features returns the model's features.
func (m *Model) Features() []scoring.Feature { return m.features }

// Scaling returns the points scale the PD is mapped onto.
func (m *Model) Scaling() scoring.Scaling { return m.scaling }

// Params returns the stored form of the ensemble.
func (m *Model) Params() Params { return m.params }

// Trees is the number of trees in the ensemble.
func (m *Model) Trees() int { return len(m.roots) }

// BaseValue is the log-odds of default that contributions are measured
// from: the model's expected output over its training rows (when the
// artefact records covers). For every row, the base value plus the row's
// contributions is its log-odds.
func (m *Model) BaseValue() float64 { return m.base }

// step returns the offset of the child of node n that value v goes to.
func (n *fnode) step(v float64) uint32 {
	// Both comparisons compile to flag reads, not branches: which side a
	// row goes is data the branch predictor cannot learn.
	var r uint32
	if v > n.thr {
		r = 1
	}
	var miss uint32
	if v != v {
		miss = uint32(n.slot() & 1)
	}
	return n.left + (r|miss)*nodeSize
}

// missing encodes unseen categories as NaN, so that a tree needs only one
// test for "no usable value".
func (m *Model) missing(j int, v float64) float64 {
	if m.cat[j] && v < 0 {
		return math.NaN()
	}
	return v
}

// Logit returns the log-odds of default of an encoded row.
func (m *Model) Logit(x []float64) float64 {
	s := m.params.BaseLogit
	for t, r := range m.roots {
		k := r
		for d := m.depth[t]; d > 0; d-- {
			n := &m.nodes[k/nodeSize]
			f := n.feat()
			k = n.step(m.missing(f, x[f]))
		}
		s += m.value[k/nodeSize]
	}
	return s
}

// stackFeatures is how many features' contributions ScoreRow keeps on the
// stack; wider models allocate one buffer per call.
const stackFeatures = 128

// Contributions writes into phi (one slot per feature) how much each
// feature moved the row's log-odds of default away from BaseValue along
// the paths the row takes (Saabas' path attribution, with each node's
// expected value weighed by the training rows that reached it), and
// returns the log-odds. The contributions add up exactly:
// BaseValue + Σ phi = log-odds. It costs one walk down each tree, the same
// as scoring, which is why close of business can give every loan its
// reason codes; SHAP gives the exact Shapley values at a higher cost.
func (m *Model) Contributions(x, phi []float64) float64 {
	clear(phi)
	logit := m.base
	for _, r := range m.roots {
		k := r
		for {
			n := &m.nodes[k/nodeSize]
			if n.left == k {
				break
			}
			f := n.feat()
			next := n.step(m.missing(f, x[f]))
			d := m.expect[next/nodeSize] - m.expect[k/nodeSize]
			phi[f] += d
			logit += d
			k = next
		}
	}
	return logit
}

// ScoreRow implements scoring.Model. Reason codes are the features whose
// contributions (see Contributions) raised the log-odds of default the
// most, each converted to the points it cost on the model's scale.
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
	logit := m.Contributions(x, contrib)
	factor := m.scaling.Factor()
	n := 0
	for j, c := range contrib {
		if lost := c * factor; lost > 1e-9 {
			n = scoring.InsertReason(reasons, n, scoring.Reason{Feature: m.features[j].Name, PointsLost: lost})
		}
	}
	return scoring.Result{Score: m.scaling.FromLogit(logit), PD: scoring.Sigmoid(logit), Reasons: reasons[:n]}
}

// scoreBlock is how many rows ScoreColumns walks through each tree at a
// time: enough to keep one tree's nodes hot in cache across many rows,
// few enough that the block stays in L1 beside them — 64 rows of
// Taiwan's 23 features, each twice, are 23 KiB; 256 rows are not. A power
// of two, so that a node's slot is its offset shifted.
const scoreBlock = 64

// ScoreColumns implements scoring.Model. It goes tree by tree over blocks
// of rows rather than row by row over all trees, because a few hundred
// trees do not fit in cache but one tree does; it walks eight rows down a
// tree at once, so that eight independent chains of loads keep the core
// busy where one would wait on each; and a large batch is cut into chunks
// scored on every processor (see scoreParallel). Each row's figures are
// the same however the batch is cut.
func (m *Model) ScoreColumns(cols [][]float64, score, pd []float64) error {
	if err := scoring.CheckColumns(len(m.features), cols, score, pd); err != nil {
		return err
	}
	if !m.scoreParallel(cols, score, pd) {
		m.scoreRows(cols, score, pd, 0, len(score))
	}
	return nil
}

// scoreRows scores rows lo..hi of a batch.
func (m *Model) scoreRows(cols [][]float64, score, pd []float64, lo, hi int) {
	bp := m.scratch.Get().(*[]float64)
	defer m.scratch.Put(bp)
	xs := *bp
	for ; lo < hi; lo += scoreBlock {
		end := min(lo+scoreBlock, hi)
		m.fillBlock(cols, lo, end, xs)
		acc := score[lo:end]
		for i := range acc {
			acc[i] = m.params.BaseLogit
		}
		m.walkBlock(xs, acc)
		for i, logit := range acc {
			if pd != nil {
				pd[lo+i] = scoring.Sigmoid(logit)
			}
			acc[i] = m.scaling.FromLogit(logit)
		}
	}
}

// fillBlock lays rows lo..hi of cols out in xs column by column, each
// value twice, scoreBlock slots apart whatever the number of rows: in
// slot 2j a missing value (or an unseen category) is −Inf, where a split
// that sends missing left reads it, and in slot 2j+1 it is +Inf, for the
// splits that send it right. Values are finite otherwise (the encoder
// refuses infinities), so no real value is mistaken for missing.
func (m *Model) fillBlock(cols [][]float64, lo, hi int, xs []float64) {
	for j, c := range cols {
		a := xs[2*j*scoreBlock : 2*j*scoreBlock+hi-lo]
		b := xs[(2*j+1)*scoreBlock : (2*j+1)*scoreBlock+hi-lo]
		cat := m.cat[j]
		for i, v := range c[lo:hi] {
			a[i], b[i] = v, v
			if v != v || cat && v < 0 {
				a[i], b[i] = math.Inf(-1), math.Inf(1)
			}
		}
	}
}

// walkBlock adds every tree's output for the rows of a block (see
// fillBlock) to acc, one per row. It is the innermost loop of batch
// scoring and reads nodes and values through unsafe pointers: New checked
// every child and feature of every node, and the block has a slot for
// every feature, so no offset can leave its slice, and the bounds checks
// the compiler would add cost a third of the time.
func (m *Model) walkBlock(xs []float64, acc []float64) {
	nodes := unsafe.Pointer(unsafe.SliceData(m.nodes))
	value := unsafe.Pointer(unsafe.SliceData(m.value))
	rows := len(acc)
	// step moves row j of the block at xb one node down from the node at
	// offset k. The comparison compiles to a flag read, not a branch:
	// which side a row goes is data the branch predictor cannot learn.
	step := func(xb unsafe.Pointer, j uintptr, k uintptr) uintptr {
		n := (*fnode)(unsafe.Add(nodes, k))
		var r uintptr
		if *(*float64)(unsafe.Add(xb, uintptr(n.off)+8*j)) > n.thr {
			r = 1
		}
		return uintptr(n.left) + r*nodeSize
	}
	leaf := func(k uintptr) float64 { return *(*float64)(unsafe.Add(value, k/2)) }
	for t, r := range m.roots {
		root := uintptr(r)
		depth := int(m.depth[t])
		i := 0
		for ; i+8 <= rows; i += 8 {
			xb := unsafe.Pointer(&xs[i])
			k0, k1, k2, k3, k4, k5, k6, k7 := root, root, root, root, root, root, root, root
			for d := depth; d > 0; d-- {
				k0 = step(xb, 0, k0)
				k1 = step(xb, 1, k1)
				k2 = step(xb, 2, k2)
				k3 = step(xb, 3, k3)
				k4 = step(xb, 4, k4)
				k5 = step(xb, 5, k5)
				k6 = step(xb, 6, k6)
				k7 = step(xb, 7, k7)
			}
			a := acc[i : i+8 : i+8]
			a[0] += leaf(k0)
			a[1] += leaf(k1)
			a[2] += leaf(k2)
			a[3] += leaf(k3)
			a[4] += leaf(k4)
			a[5] += leaf(k5)
			a[6] += leaf(k6)
			a[7] += leaf(k7)
		}
		for ; i < rows; i++ {
			xb := unsafe.Pointer(&xs[i])
			k := root
			for d := depth; d > 0; d-- {
				k = step(xb, 0, k)
			}
			acc[i] += leaf(k)
		}
	}
}

// ScoreColumnsReasons implements scoring.ReasonBatcher. It walks the
// forest tree by tree over blocks of rows, as ScoreColumns does, adding
// each step's change of expected value to the row's contributions in the
// order Contributions adds them, so every figure is bit for bit
// ScoreRow's.
func (m *Model) ScoreColumnsReasons(cols [][]float64, score, pd []float64, reasons [][]scoring.Reason) error {
	if err := scoring.CheckColumns(len(m.features), cols, score, pd); err != nil {
		return err
	}
	if len(reasons) != len(score) {
		return fmt.Errorf("score: %d reason buffers for %d rows", len(reasons), len(score))
	}
	nf := len(m.features)
	xs := make([]float64, 2*scoreBlock*nf)
	phi := make([]float64, scoreBlock*nf)
	logit := make([]float64, scoreBlock)
	factor := m.scaling.Factor()
	for lo := 0; lo < len(score); lo += scoreBlock {
		hi := min(lo+scoreBlock, len(score))
		rows := hi - lo
		m.fillBlock(cols, lo, hi, xs)
		clear(phi)
		for i := range rows {
			logit[i] = m.base
		}
		m.explainBlock(xs, phi[:rows*nf], nf, logit[:rows])
		for i := range rows {
			out := reasons[lo+i][:cap(reasons[lo+i])]
			cnt := 0
			for j, c := range phi[i*nf : (i+1)*nf] {
				if lost := c * factor; lost > 1e-9 && len(out) > 0 {
					cnt = scoring.InsertReason(out, cnt, scoring.Reason{Feature: m.features[j].Name, PointsLost: lost})
				}
			}
			reasons[lo+i] = out[:cnt]
			score[lo+i] = m.scaling.FromLogit(logit[i])
			if pd != nil {
				pd[lo+i] = scoring.Sigmoid(logit[i])
			}
		}
	}
	return nil
}

// explainBlock adds every tree's path contributions for the rows of a
// block (see fillBlock) to phi (nf per row) and to logit. Like walkBlock
// it takes every row the same number of steps down a tree — a leaf's step
// adds nothing, its expected value minus its own — so that four rows go
// down together without a branch on where each has got to.
func (m *Model) explainBlock(xs []float64, phi []float64, nf int, logit []float64) {
	nodes := unsafe.Pointer(unsafe.SliceData(m.nodes))
	expect := unsafe.Pointer(unsafe.SliceData(m.expect))
	ex := func(k uintptr) float64 { return *(*float64)(unsafe.Add(expect, k/2)) }
	// step moves row j of the block at xb (its contributions p) one node
	// down from the node at offset k and returns the child and the change
	// of expected value.
	step := func(xb unsafe.Pointer, j uintptr, p unsafe.Pointer, k uintptr) (uintptr, float64) {
		n := (*fnode)(unsafe.Add(nodes, k))
		var r uintptr
		if *(*float64)(unsafe.Add(xb, uintptr(n.off)+8*j)) > n.thr {
			r = 1
		}
		next := uintptr(n.left) + r*nodeSize
		d := ex(next) - ex(k)
		*(*float64)(unsafe.Add(p, uintptr(n.feat())*8)) += d
		return next, d
	}
	rows := len(logit)
	for t, r := range m.roots {
		root := uintptr(r)
		depth := int(m.depth[t])
		i := 0
		for ; i+4 <= rows; i += 4 {
			xb := unsafe.Pointer(&xs[i])
			p0 := unsafe.Pointer(&phi[i*nf])
			p1, p2, p3 := unsafe.Add(p0, nf*8), unsafe.Add(p0, 2*nf*8), unsafe.Add(p0, 3*nf*8)
			k0, k1, k2, k3 := root, root, root, root
			l := logit[i : i+4 : i+4]
			for d := 0; d < depth; d++ {
				var d0, d1, d2, d3 float64
				k0, d0 = step(xb, 0, p0, k0)
				k1, d1 = step(xb, 1, p1, k1)
				k2, d2 = step(xb, 2, p2, k2)
				k3, d3 = step(xb, 3, p3, k3)
				l[0] += d0
				l[1] += d1
				l[2] += d2
				l[3] += d3
			}
		}
		for ; i < rows; i++ {
			xb := unsafe.Pointer(&xs[i])
			p := unsafe.Pointer(&phi[i*nf])
			k := root
			for d := 0; d < depth; d++ {
				var dd float64
				k, dd = step(xb, 0, p, k)
				logit[i] += dd
			}
		}
	}
}
