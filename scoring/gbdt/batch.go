package gbdt

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkRows is how many rows a goroutine takes from a large batch at a
// time: a few milliseconds of work for a forest of a hundred trees, so
// that handing a chunk over costs nothing by comparison, and a batch is
// cut into enough chunks that a core slowed by other work takes fewer of
// them rather than holding the others up at the end. A multiple of
// scoreBlock, so that only the batch's last block is short.
const chunkRows = 128 * scoreBlock

// batch is one large ScoreColumns call shared between goroutines: each
// claims the next chunk until none is left.
type batch struct {
	m         *Model
	cols      [][]float64
	score, pd []float64
	chunks    int
	next      atomic.Int64
	helpers   sync.WaitGroup // scorers that have yet to let go of the batch
}

// work scores chunks of the batch until every chunk is claimed.
func (b *batch) work() {
	n := len(b.score)
	for {
		c := int(b.next.Add(1)) - 1
		if c >= b.chunks {
			return
		}
		b.m.scoreRows(b.cols, b.score, b.pd, c*chunkRows, min((c+1)*chunkRows, n))
	}
}

// scorers are the goroutines that help with large batches, shared by
// every model: started when first needed, up to one fewer than
// GOMAXPROCS (the caller works too), and kept, waiting for batches.
// Handing a batch over sends a pointer, and batches are pooled, so a
// large ScoreColumns allocates nothing, as scoring.Model promises. A
// scorer only ever scores, so a caller waiting for one always gets it
// back.
var scorers struct {
	mu      sync.Mutex
	started int
	jobs    chan *batch
}

var batches = sync.Pool{New: func() any { return new(batch) }}

// startScorers makes sure that at least n scorers are running and
// returns their queue.
func startScorers(n int) chan *batch {
	scorers.mu.Lock()
	defer scorers.mu.Unlock()
	if scorers.jobs == nil {
		scorers.jobs = make(chan *batch, 64)
	}
	for ; scorers.started < n; scorers.started++ {
		go func() {
			for b := range scorers.jobs {
				b.work()
				b.helpers.Done()
			}
		}()
	}
	return scorers.jobs
}

// scoreParallel scores a batch of two chunks or more on up to GOMAXPROCS
// goroutines, the caller's among them, and reports whether it did; a
// smaller batch is left to the caller. Rows do not depend on each other,
// so the figures are the same however the chunks fall.
func (m *Model) scoreParallel(cols [][]float64, score, pd []float64) bool {
	chunks := (len(score) + chunkRows - 1) / chunkRows
	helpers := min(runtime.GOMAXPROCS(0), chunks) - 1
	if helpers < 1 {
		return false
	}
	jobs := startScorers(helpers)
	b := batches.Get().(*batch)
	b.m, b.cols, b.score, b.pd, b.chunks = m, cols, score, pd, chunks
	b.next.Store(0)
	b.helpers.Add(helpers)
	for range helpers {
		jobs <- b
	}
	b.work()
	b.helpers.Wait()
	// The pool must not keep the caller's slices alive.
	b.m, b.cols, b.score, b.pd = nil, nil, nil, nil
	batches.Put(b)
	return true
}
