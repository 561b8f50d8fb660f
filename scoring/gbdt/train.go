package gbdt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"

	"daihou/scoring"
)

// Config controls fitting. The zero value of a field means its default.
// The defaults were chosen by five-fold cross-validation on the training
// fold of the Taiwan benchmark: large leaves, strong L2 on leaf values,
// half the features per tree and three bags. On tens of thousands of noisy
// behaviour records regularisation pays more than depth.
type Config struct {
	Rounds       int     `json:"rounds"`        // most trees per bag; default 400
	LearningRate float64 `json:"learning_rate"` // shrinkage; default 0.1
	MaxDepth     int     `json:"max_depth"`     // default 6
	MaxLeaves    int     `json:"max_leaves"`    // default 31
	MinLeafRows  int     `json:"min_leaf_rows"` // default 100; capped at a tenth of the training rows
	// MinLeafHessian is the least sum of p(1−p) a leaf may have; it stops
	// leaves made only of customers the model is already sure about.
	// Default 1.
	MinLeafHessian float64 `json:"min_leaf_hessian"`
	L2             float64 `json:"l2"`        // on leaf values; default 30 (use a tiny value for none)
	Subsample      float64 `json:"subsample"` // rows per tree; default 0.8
	ColSample      float64 `json:"colsample"` // features per tree; default 0.5
	MaxBins        int     `json:"max_bins"`  // per feature, including the missing bin; at most (and default) 255
	// Validation is the share of rows held out for early stopping;
	// default 0.1, negative for none (then all Rounds are fitted).
	Validation float64 `json:"validation"`
	// Patience is how many rounds without a better validation loss end
	// the fit; default 20.
	Patience int `json:"patience"`
	// Bags is how many boosted ensembles are fitted, each holding out a
	// different validation share and drawing different subsamples, and
	// averaged. Early stopping on a tenth of the rows picks the tree count
	// with a lot of noise; averaging a few such fits cancels most of it
	// and costs a few times the fit time. Default 3.
	Bags int    `json:"bags"`
	Seed uint64 `json:"seed"` // for the validation split and subsamples
	// Workers is how many bags run at once and how many goroutines each
	// spreads its histograms over; default GOMAXPROCS. It does not change
	// the model.
	Workers int `json:"-"`
}

func (c Config) withDefaults() (Config, error) {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Rounds, 400)
	deff(&c.LearningRate, 0.1)
	def(&c.MaxDepth, 6)
	def(&c.MaxLeaves, 31)
	def(&c.MinLeafRows, 100)
	deff(&c.MinLeafHessian, 1)
	deff(&c.L2, 30)
	deff(&c.Subsample, 0.8)
	deff(&c.ColSample, 0.5)
	def(&c.MaxBins, 255)
	deff(&c.Validation, 0.1)
	def(&c.Patience, 20)
	def(&c.Bags, 3)
	def(&c.Workers, runtime.GOMAXPROCS(0))
	switch {
	case c.LearningRate < 0 || c.LearningRate > 1:
		return c, fmt.Errorf("gbdt: learning rate %v outside (0, 1]", c.LearningRate)
	case c.Subsample < 0 || c.Subsample > 1:
		return c, fmt.Errorf("gbdt: subsample %v outside (0, 1]", c.Subsample)
	case c.ColSample < 0 || c.ColSample > 1:
		return c, fmt.Errorf("gbdt: colsample %v outside (0, 1]", c.ColSample)
	case c.MaxBins < 3 || c.MaxBins > 255:
		return c, fmt.Errorf("gbdt: max bins %d outside 3..255", c.MaxBins)
	case c.L2 < 0 || c.MinLeafHessian < 0:
		return c, errors.New("gbdt: negative L2 or minimum leaf Hessian")
	case c.Validation >= 0.5:
		return c, fmt.Errorf("gbdt: validation share %v leaves too little to train on", c.Validation)
	case c.MaxLeaves < 2:
		return c, fmt.Errorf("gbdt: max leaves %d < 2", c.MaxLeaves)
	}
	return c, nil
}

// Report describes a fit.
type Report struct {
	Trees          int     // kept after early stopping, over all bags
	TrainRows      int     // rows each bag's trees were grown on
	ValidationRows int     // rows each bag held out for early stopping
	ValidationLoss float64 // mean over bags of the log-loss at the kept tree count
}

// hbin is one histogram cell.
type hbin struct {
	g, h float64
	n    int32
}

// stride is the histogram width per feature: 255 bins fit in a uint8.
const stride = 256

// split is a candidate split of a leaf.
type split struct {
	feat     int
	bin      int // value bins 0..bin go left
	missLeft bool
	gain     float64
	gl, hl   float64
	nl       int32
}

// tnode is a tree node during training, on binned data.
type tnode struct {
	feat        int32
	bin         uint8
	missLeft    bool
	left, right int32
	value       float64
	cover       float64 // in-bag rows that reached the node
}

// leaf is a growing leaf: its rows are idx[start:end].
type leaf struct {
	node       int32
	start, end int
	depth      int
	g, h       float64
	n          int32
	hist       []hbin
	best       split
}

// binned is the training matrix cut into bins, shared read-only by the
// bags.
type binned struct {
	nf    int
	nbins []int       // value bins per feature; the missing bin comes after
	edges [][]float64 // upper boundary of each value bin but the last
	bins  []uint8     // binned matrix, row-major, for histograms
	cols  [][]uint8   // the same, column-major, for partitioning
}

// fitter holds the state of one bag's fit.
type fitter struct {
	*binned
	cfg     Config
	grad    []float64
	hess    []float64
	idx     []int32
	tmp     []int32
	feats   []int // features of the current tree
	pool    [][]hbin
	workers int
	// work counts histogram cells filled (rows × features): the cost
	// model of the tuner's budget, which must not depend on the clock.
	work int64
}

// Fit fits an ensemble. cols[j] is the encoded column of features[j] (see
// scoring.Encoder) and bad the 0/1 target. It stops early, returning the
// context's error, if ctx is cancelled.
func Fit(ctx context.Context, features []scoring.Feature, cols [][]float64, bad []uint8, s scoring.Scaling, cfg Config) (*Model, *Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	n := len(bad)
	if len(cols) != len(features) || len(features) == 0 {
		return nil, nil, fmt.Errorf("gbdt: %d features but %d columns", len(features), len(cols))
	}
	for j, c := range cols {
		if len(c) != n {
			return nil, nil, fmt.Errorf("gbdt: column %s has %d rows, want %d", features[j].Name, len(c), n)
		}
	}
	data := &binned{nf: len(features)}
	data.binAll(features, cols, n, cfg.MaxBins, cfg.Workers)

	// Bags are independent, so up to Workers of them run at once, each
	// still spreading its histograms across features: the serial parts of
	// one bag (partitioning rows, updating scores) then overlap with the
	// parallel parts of another. Every bag has its own generator and
	// buffers, and bags are combined in order, so the model does not
	// depend on scheduling.
	bags := make([]*bag, cfg.Bags)
	errs := make([]error, cfg.Bags)
	slots := make(chan struct{}, max(1, min(cfg.Workers, cfg.Bags)))
	var wg sync.WaitGroup
	for b := range cfg.Bags {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			f := &fitter{binned: data, cfg: cfg, workers: cfg.Workers}
			bags[b], errs[b] = f.boost(ctx, cfg.Seed+uint64(b)*0x9e3779b97f4a7c15, bad)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}

	p := Params{Config: cfg, Gain: make([]float64, len(features))}
	rep := &Report{}
	w := 1 / float64(cfg.Bags)
	for _, bag := range bags {
		// Averaging bags is averaging their log-odds: every value, leaf or
		// internal, is scaled by 1/Bags and the trees concatenated.
		p.BaseLogit += w * bag.base
		for t, tree := range bag.trees {
			for k := range tree {
				tree[k].value *= w
			}
			p.Trees = append(p.Trees, data.export(tree))
			for _, g := range bag.gains[t] {
				p.Gain[g.feat] += w * g.gain
			}
		}
		rep.Trees += len(bag.trees)
		rep.TrainRows, rep.ValidationRows = bag.ntrain, bag.nval
		rep.ValidationLoss += w * bag.loss
	}
	m, err := New(features, s, p)
	if err != nil {
		return nil, nil, err
	}
	return m, rep, nil
}

// featureGain is the gain of one split.
type featureGain struct {
	feat int
	gain float64
}

// bag is one boosted ensemble before averaging.
type bag struct {
	base         float64
	trees        [][]tnode
	gains        [][]featureGain
	loss         float64
	ntrain, nval int
}

// boost fits one bag: a seeded validation split, then boosting rounds with
// early stopping.
func (f *fitter) boost(ctx context.Context, seed uint64, bad []uint8) (*bag, error) {
	cfg := f.cfg
	n := len(bad)
	// Hold out a seeded random share for early stopping; both parts are
	// kept in row order so that memory is walked forwards.
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	perm := rng.Perm(n)
	nval := 0
	if cfg.Validation > 0 {
		nval = int(math.Round(cfg.Validation * float64(n)))
	}
	val := make([]int32, nval)
	train := make([]int32, 0, n-nval)
	for k, r := range perm {
		if k < nval {
			val[k] = int32(r)
		} else {
			train = append(train, int32(r))
		}
	}
	slices.Sort(val)
	slices.Sort(train)
	b, err := f.newBooster(rng, train, val, bad)
	if err != nil {
		return nil, err
	}
	bestLoss, bestRound := math.Inf(1), 0
	for round := 0; round < cfg.Rounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		loss := b.round(bad)
		if nval == 0 {
			bestRound = len(b.out.trees)
			continue
		}
		if loss < bestLoss-1e-9 {
			bestLoss, bestRound = loss, len(b.out.trees)
		} else if len(b.out.trees)-bestRound >= cfg.Patience {
			break
		}
	}
	b.out.trees = b.out.trees[:bestRound]
	b.out.gains = b.out.gains[:bestRound]
	if nval > 0 {
		b.out.loss = bestLoss
	}
	return b.out, nil
}

// booster grows one ensemble a round at a time on the rows train,
// tracking its log-odds on every row so that the rows val can be scored
// as it goes.
type booster struct {
	f          *fitter
	rng        *rand.Rand
	train, val []int32
	raw        []float64 // current log-odds of every row
	oob        []int32
	out        *bag
}

// newBooster starts an ensemble on train, measured on val.
func (f *fitter) newBooster(rng *rand.Rand, train, val []int32, bad []uint8) (*booster, error) {
	n := len(bad)
	var pos float64
	for _, r := range train {
		pos += float64(bad[r])
	}
	if pos == 0 || pos == float64(len(train)) {
		return nil, fmt.Errorf("gbdt: need both good and bad rows to train on, have %v bad of %d", pos, len(train))
	}
	if len(train) < 10*f.cfg.MinLeafRows {
		// A small table still deserves a few splits rather than an error.
		f.cfg.MinLeafRows = max(1, len(train)/10)
	}
	b := &booster{f: f, rng: rng, train: train, val: val,
		out: &bag{base: math.Log(pos / (float64(len(train)) - pos)), ntrain: len(train), nval: len(val)}}
	b.raw = make([]float64, n)
	for i := range b.raw {
		b.raw[i] = b.out.base
	}
	f.grad = make([]float64, n)
	f.hess = make([]float64, n)
	f.idx = make([]int32, 0, n)
	f.tmp = make([]int32, n)
	return b, nil
}

// round grows one tree and returns the mean log-loss on val (0 without).
func (b *booster) round(bad []uint8) float64 {
	f, cfg, raw := b.f, b.f.cfg, b.raw
	f.idx = f.idx[:0]
	b.oob = b.oob[:0]
	if cfg.Subsample >= 1 {
		f.idx = append(f.idx, b.train...)
	} else {
		// Four 16-bit draws per 64-bit random number: the bag is drawn
		// for every row of every round, and a call per row costs more
		// than the gradients.
		cut := uint64(cfg.Subsample * 65536)
		var bits uint64
		for k, r := range b.train {
			if k%4 == 0 {
				bits = b.rng.Uint64()
			}
			if bits&0xffff < cut {
				f.idx = append(f.idx, r)
			} else {
				b.oob = append(b.oob, r)
			}
			bits >>= 16
		}
	}
	// Only in-bag rows need gradients. The exp in each is the costliest
	// per-row step outside the histograms, so it is shared out across
	// the workers too.
	f.forChunks(len(f.idx), func(lo, hi int) {
		for _, r := range f.idx[lo:hi] {
			p := scoring.Sigmoid(raw[r])
			f.grad[r] = p - float64(bad[r])
			f.hess[r] = max(p*(1-p), 1e-16)
		}
	})
	f.pickFeatures(b.rng)
	tree, leaves, gains := f.grow()
	for _, l := range leaves {
		v := tree[l.node].value
		for _, r := range f.idx[l.start:l.end] {
			raw[r] += v
		}
	}
	for _, r := range b.oob {
		raw[r] += f.predictBinned(tree, r)
	}
	b.out.trees = append(b.out.trees, tree)
	b.out.gains = append(b.out.gains, gains)
	if len(b.val) == 0 {
		return 0
	}
	var loss float64
	for _, r := range b.val {
		raw[r] += f.predictBinned(tree, r)
		loss += logLoss(raw[r], bad[r])
	}
	return loss / float64(len(b.val))
}

func logLoss(logit float64, bad uint8) float64 {
	if bad == 0 {
		logit = -logit
	}
	// −log σ(logit), stable for large |logit|.
	if logit > 30 {
		return math.Exp(-logit)
	}
	return math.Log1p(math.Exp(-logit))
}

// binAll cuts every feature into quantile bins, in parallel.
func (f *binned) binAll(features []scoring.Feature, cols [][]float64, n, maxBins, workers int) {
	f.nbins = make([]int, f.nf)
	f.edges = make([][]float64, f.nf)
	f.bins = make([]uint8, n*f.nf)
	f.cols = make([][]uint8, f.nf)
	parallel(f.nf, workers, func(j int) {
		col := make([]uint8, n)
		f.cols[j] = col
		e := quantileEdges(cols[j], maxBins-1)
		f.edges[j] = e
		f.nbins[j] = len(e) + 1
		miss := uint8(len(e) + 1)
		cat := features[j].Type == scoring.Categorical
		for i, v := range cols[j] {
			b := miss
			if v == v && !(cat && v < 0) {
				b = uint8(sort.SearchFloat64s(e, v))
			}
			col[i] = b
			f.bins[i*f.nf+j] = b
		}
	})
}

// quantileEdges returns at most maxBins−1 bin boundaries, each halfway
// between two neighbouring distinct values, so that a value never seen in
// training falls on the nearer side. Equal values are never split.
func quantileEdges(col []float64, maxBins int) []float64 {
	vals := make([]float64, 0, len(col))
	for _, v := range col {
		if v == v {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	slices.Sort(vals)
	type run struct {
		v float64
		n int
	}
	var runs []run
	for _, v := range vals {
		if len(runs) > 0 && runs[len(runs)-1].v == v {
			runs[len(runs)-1].n++
		} else {
			runs = append(runs, run{v, 1})
		}
	}
	var edges []float64
	if len(runs) <= maxBins {
		for k := 1; k < len(runs); k++ {
			edges = append(edges, runs[k-1].v+(runs[k].v-runs[k-1].v)/2)
		}
		return edges
	}
	target := float64(len(vals)) / float64(maxBins)
	acc := 0
	done := 0.0
	for k := 0; k+1 < len(runs); k++ {
		acc += runs[k].n
		if float64(acc) >= done+target {
			edges = append(edges, runs[k].v+(runs[k+1].v-runs[k].v)/2)
			done = float64(acc)
			if len(edges) == maxBins-1 {
				break
			}
		}
	}
	return edges
}

// pickFeatures draws the features the next tree may split on.
func (f *fitter) pickFeatures(rng *rand.Rand) {
	f.feats = f.feats[:0]
	k := max(1, int(math.Round(f.cfg.ColSample*float64(f.nf))))
	if k >= f.nf {
		for j := 0; j < f.nf; j++ {
			f.feats = append(f.feats, j)
		}
		return
	}
	f.feats = append(f.feats, rng.Perm(f.nf)[:k]...)
	slices.Sort(f.feats)
}

func (f *fitter) getHist() []hbin {
	if k := len(f.pool); k > 0 {
		h := f.pool[k-1]
		f.pool = f.pool[:k-1]
		return h
	}
	return make([]hbin, f.nf*stride)
}

func (f *fitter) putHist(h []hbin) { f.pool = append(f.pool, h) }

// grow grows one tree best-first on the rows in f.idx and returns its
// nodes and its leaves (whose row ranges in f.idx give each in-bag row's
// leaf).
func (f *fitter) grow() ([]tnode, []*leaf, []featureGain) {
	cfg := f.cfg
	root := &leaf{start: 0, end: len(f.idx), hist: f.getHist()}
	for _, r := range f.idx {
		root.g += f.grad[r]
		root.h += f.hess[r]
	}
	root.n = int32(len(f.idx))
	tree := []tnode{{feat: -1, value: f.leafValue(root.g, root.h), cover: float64(root.n)}}
	f.buildAndSplit(root, nil, nil)
	leaves := []*leaf{root}
	var gains []featureGain
	for len(leaves) < cfg.MaxLeaves {
		bi := -1
		for i, l := range leaves {
			if l.best.gain > 0 && (bi < 0 || l.best.gain > leaves[bi].best.gain) {
				bi = i
			}
		}
		if bi < 0 {
			break
		}
		p := leaves[bi]
		s := p.best
		gains = append(gains, featureGain{s.feat, s.gain})
		mid := f.partition(p, s)
		left := &leaf{start: p.start, end: mid, depth: p.depth + 1, g: s.gl, h: s.hl, n: s.nl}
		right := &leaf{start: mid, end: p.end, depth: p.depth + 1, g: p.g - s.gl, h: p.h - s.hl, n: p.n - s.nl}
		left.node, right.node = int32(len(tree)), int32(len(tree)+1)
		tree[p.node] = tnode{feat: int32(s.feat), bin: uint8(s.bin), missLeft: s.missLeft, left: left.node, right: right.node, value: tree[p.node].value, cover: tree[p.node].cover}
		tree = append(tree, tnode{feat: -1, value: f.leafValue(left.g, left.h), cover: float64(left.n)}, tnode{feat: -1, value: f.leafValue(right.g, right.h), cover: float64(right.n)})
		// Build the smaller child's histogram from its rows and get the
		// larger one's by subtracting from the parent, in the parent's
		// memory: half the work of building both.
		small, large := left, right
		if right.n < left.n {
			small, large = right, left
		}
		small.hist = f.getHist()
		large.hist = p.hist
		p.hist = nil
		f.buildAndSplit(small, large, large.hist)
		leaves[bi] = left
		leaves = append(leaves, right)
	}
	for _, l := range leaves {
		if l.hist != nil {
			f.putHist(l.hist)
			l.hist = nil
		}
	}
	return tree, leaves, gains
}

func (f *fitter) leafValue(g, h float64) float64 { return -g / (h + f.cfg.L2) * f.cfg.LearningRate }

// buildAndSplit fills a's histogram from its rows, turns parent (which
// holds the parent's histogram, when b is not nil) into b's histogram by
// subtraction, and finds the best split of a and of b. Features are shared
// out between goroutines in contiguous chunks; each chunk's best split is
// merged in chunk order, so the result does not depend on scheduling.
func (f *fitter) buildAndSplit(a, b *leaf, parent []hbin) {
	rows := f.idx[a.start:a.end]
	f.work += int64(len(rows)) * int64(len(f.feats))
	chunks := f.workers
	if len(rows)*len(f.feats) < 32768 || chunks > len(f.feats) {
		chunks = 1
	}
	bestA := make([]split, chunks)
	bestB := make([]split, chunks)
	work := func(c int) {
		lo, hi := c*len(f.feats)/chunks, (c+1)*len(f.feats)/chunks
		feats := f.feats[lo:hi]
		f.build(a.hist, rows, feats)
		if b != nil {
			for _, j := range feats {
				ph := parent[j*stride : j*stride+f.nbins[j]+1]
				ah := a.hist[j*stride:]
				for k := range ph {
					ph[k].g -= ah[k].g
					ph[k].h -= ah[k].h
					ph[k].n -= ah[k].n
				}
			}
		}
		bestA[c] = f.bestSplit(a, a.hist, feats)
		if b != nil {
			bestB[c] = f.bestSplit(b, b.hist, feats)
		}
	}
	if chunks == 1 {
		work(0)
	} else {
		var wg sync.WaitGroup
		for c := 1; c < chunks; c++ {
			wg.Add(1)
			go func() { defer wg.Done(); work(c) }()
		}
		work(0)
		wg.Wait()
	}
	a.best = pick(bestA)
	if b != nil {
		b.best = pick(bestB)
	}
}

func pick(s []split) split {
	best := s[0]
	for _, c := range s[1:] {
		if c.gain > best.gain {
			best = c
		}
	}
	return best
}

// build fills the histograms of feats from rows.
func (f *fitter) build(hist []hbin, rows []int32, feats []int) {
	for _, j := range feats {
		clear(hist[j*stride : j*stride+f.nbins[j]+1])
	}
	nf := f.nf
	// Row by row: one row's bins share a cache line, and the histograms
	// of a few dozen features stay in L2.
	if len(feats) == nf {
		for _, r := range rows {
			g, h := f.grad[r], f.hess[r]
			row := f.bins[int(r)*nf : int(r)*nf+nf]
			for j, b := range row {
				c := &hist[j*stride+int(b)]
				c.g += g
				c.h += h
				c.n++
			}
		}
		return
	}
	for _, r := range rows {
		g, h := f.grad[r], f.hess[r]
		row := f.bins[int(r)*nf : int(r)*nf+nf]
		for _, j := range feats {
			c := &hist[j*stride+int(row[j])]
			c.g += g
			c.h += h
			c.n++
		}
	}
}

// bestSplit scans the histograms of feats for l's best split. Missing
// values are tried on both sides; with none in the node they go to the
// side with more rows, the safer guess for a customer scored later.
func (f *fitter) bestSplit(l *leaf, hist []hbin, feats []int) split {
	cfg := f.cfg
	best := split{feat: -1}
	if l.depth >= cfg.MaxDepth || int(l.n) < 2*cfg.MinLeafRows {
		return best
	}
	lam := cfg.L2
	parentScore := l.g * l.g / (l.h + lam)
	minRows := int32(cfg.MinLeafRows)
	for _, j := range feats {
		nb := f.nbins[j]
		h := hist[j*stride : j*stride+nb+1]
		miss := h[nb]
		var gl, hl float64
		var nl int32
		for b := 0; b < nb; b++ {
			gl += h[b].g
			hl += h[b].h
			nl += h[b].n
			for side := 0; side < 2; side++ {
				lg, lh, ln := gl, hl, nl
				if side == 1 {
					if miss.n == 0 {
						break
					}
					lg, lh, ln = gl+miss.g, hl+miss.h, nl+miss.n
				}
				rg, rh, rn := l.g-lg, l.h-lh, l.n-ln
				if ln < minRows || rn < minRows || lh < cfg.MinLeafHessian || rh < cfg.MinLeafHessian {
					continue
				}
				gain := lg*lg/(lh+lam) + rg*rg/(rh+lam) - parentScore
				if gain > best.gain+1e-12 {
					ml := side == 1
					if miss.n == 0 {
						ml = ln >= rn
					}
					best = split{feat: j, bin: b, missLeft: ml, gain: gain, gl: lg, hl: lh, nl: ln}
				}
			}
		}
	}
	return best
}

// partition reorders l's rows so that those going left come first, keeping
// row order within each side, and returns where the right side starts.
func (f *fitter) partition(l *leaf, s split) int {
	rows := f.idx[l.start:l.end]
	col := f.cols[s.feat]
	missBin := uint8(f.nbins[s.feat])
	thr := uint8(s.bin)
	k, t := 0, 0
	for _, r := range rows {
		b := col[r]
		left := b <= thr
		if b == missBin {
			left = s.missLeft
		}
		if left {
			rows[k] = r
			k++
		} else {
			f.tmp[t] = r
			t++
		}
	}
	copy(rows[k:], f.tmp[:t])
	return l.start + k
}

// predictBinned returns the tree's output for row r of the binned matrix.
func (f *fitter) predictBinned(tree []tnode, r int32) float64 {
	k := int32(0)
	for {
		n := &tree[k]
		if n.feat < 0 {
			return n.value
		}
		b := f.cols[n.feat][r]
		left := b <= n.bin
		if int(b) == f.nbins[n.feat] {
			left = n.missLeft
		}
		if left {
			k = n.left
		} else {
			k = n.right
		}
	}
}

// export converts a training tree to its stored form, with bin indices
// replaced by value thresholds.
func (f *binned) export(t []tnode) Tree {
	out := Tree{
		Feature:     make([]int32, len(t)),
		Threshold:   make([]float64, len(t)),
		MissingLeft: make([]bool, len(t)),
		Left:        make([]int32, len(t)),
		Right:       make([]int32, len(t)),
		Value:       make([]float64, len(t)),
		Cover:       make([]float64, len(t)),
	}
	for k, n := range t {
		out.Feature[k] = n.feat
		out.Value[k] = n.value
		out.Cover[k] = n.cover
		out.Left[k], out.Right[k] = n.left, n.right
		if n.feat < 0 {
			out.Left[k], out.Right[k] = -1, -1
			continue
		}
		out.MissingLeft[k] = n.missLeft
		e := f.edges[n.feat]
		if int(n.bin) < len(e) {
			out.Threshold[k] = e[n.bin]
		} else {
			// Every value left, only missing right: JSON has no
			// infinity, and no real value exceeds the largest float.
			out.Threshold[k] = math.MaxFloat64
		}
	}
	return out
}

// forChunks splits [0, n) into one contiguous chunk per worker and runs fn
// on each concurrently; small n runs inline, where a goroutine would cost
// more than it saves.
func (f *fitter) forChunks(n int, fn func(lo, hi int)) {
	w := f.workers
	if w < 2 || n < 4096 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for c := 1; c < w; c++ {
		wg.Add(1)
		go func() { defer wg.Done(); fn(c*n/w, (c+1)*n/w) }()
	}
	fn(0, n/w)
	wg.Wait()
}

// parallel runs fn(0..n−1) on up to workers goroutines.
func parallel(n, workers int, fn func(int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				fn(j)
			}
		}()
	}
	for j := 0; j < n; j++ {
		next <- j
	}
	close(next)
	wg.Wait()
}
