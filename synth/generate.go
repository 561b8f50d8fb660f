package synth

import (
	"context"
	"runtime"
	"sync"

	"daihou/civil"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/signal"
)

// Batch is a run of consecutive generated loans, ready to be written:
// borrowers (each with its first loan), loans, transactions in loan and
// posting order, and each loan's snapshot and aggregate record as of Until.
type Batch struct {
	First     int // index of the first loan; loan i has id i+1
	Borrowers []servicing.Borrower
	Profiles  []Profile
	Loans     []servicing.Loan
	Txs       []servicing.Tx
	PostedAt  []string // Txs[i] was posted at PostedAt[i] (RFC 3339)
	Snapshots []loanstate.Snapshot
	Records   []eod.Record
	// Signals are the batch's external-data records dated by Until, in loan
	// order (see SignalRecords); empty unless Options.Signals is set.
	Signals []signal.Record
}

func (b *Batch) reset(first int) {
	b.First = first
	b.Borrowers, b.Profiles, b.Loans = b.Borrowers[:0], b.Profiles[:0], b.Loans[:0]
	b.Txs, b.PostedAt, b.Snapshots, b.Records = b.Txs[:0], b.PostedAt[:0], b.Snapshots[:0], b.Records[:0]
	clear(b.Signals) // their field maps are the caller's, not to be kept alive
	b.Signals = b.Signals[:0]
}

// History is what generation learnt about the portfolio's past: the
// aggregates at every month end of the history and at Until, and counts.
type History struct {
	Dates      []civil.Date // month ends, then Until
	Aggregates map[civil.Date]*eod.Aggregates
	Loans      int64
	Borrowers  int64
	Txs        int64
}

func newHistory(dates []civil.Date) *History {
	h := &History{Dates: dates, Aggregates: map[civil.Date]*eod.Aggregates{}}
	for _, d := range dates {
		h.Aggregates[d] = eod.NewAggregates()
	}
	return h
}

func (h *History) merge(o *History) {
	for d, a := range o.Aggregates {
		h.Aggregates[d].Merge(a)
	}
	h.Loans += o.Loans
	h.Borrowers += o.Borrowers
	h.Txs += o.Txs
}

// Options tune a generation run; zero values pick defaults.
type Options struct {
	Workers   int // generating goroutines (default GOMAXPROCS)
	BatchSize int // loans per batch (default 2,000)
	// Signals generates each borrower's external-data records into
	// Batch.Signals as well.
	Signals bool
}

// Generate generates the portfolio cfg describes and calls emit with its
// batches in loan order, from the calling goroutine. A batch may be reused
// once emit returns. The output depends only on cfg, never on Workers or
// scheduling.
func Generate(ctx context.Context, cfg Config, opt Options, emit func(*Batch) error) (*History, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	size := opt.BatchSize
	if size <= 0 {
		size = 2000
	}
	e := newEnv(cfg)
	dates := append(append([]civil.Date{}, e.ends...), cfg.Until)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		first, n int
		out      chan *Batch
	}
	jobs := make(chan job)
	order := make(chan chan *Batch, 2*workers)
	pool := sync.Pool{New: func() any { return new(Batch) }}
	parts := make([]*History, workers)
	var wg sync.WaitGroup
	for w := range workers {
		parts[w] = newHistory(dates)
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newWorker(e, parts[w])
			if opt.Signals {
				g.sig = newSignalGen(e, size)
			}
			for j := range jobs {
				b := pool.Get().(*Batch)
				g.batch(b, j.first, j.n)
				j.out <- b
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for first := 0; first < cfg.Loans; first += size {
			out := make(chan *Batch, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{first, min(size, cfg.Loans-first), out}:
			case <-ctx.Done():
				close(out)
				return
			}
		}
	}()
	var err error
	for out := range order {
		b, ok := <-out
		if !ok {
			continue
		}
		if err == nil {
			if err = ctx.Err(); err == nil {
				err = emit(b)
			}
			if err != nil {
				cancel()
			}
		}
		pool.Put(b)
	}
	wg.Wait()
	if err != nil {
		return nil, err
	}
	h := newHistory(dates)
	for _, p := range parts {
		h.merge(p)
	}
	return h, nil
}

// worker generates batches with reusable buffers.
type worker struct {
	env  *env
	hist *History
	r    *stream
	br   *stream
	g    loanGen
	sig  *signalGen // nil unless signals are generated
}

func newWorker(e *env, h *History) *worker {
	w := &worker{env: e, hist: h, r: newStream(), br: newStream()}
	w.g.cfg, w.g.env, w.g.r = &e.cfg, e, w.r
	return w
}

func (w *worker) batch(b *Batch, first, n int) {
	b.reset(first)
	for i := first; i < first+n; i++ {
		w.loan(b, i)
	}
}

func (w *worker) loan(b *Batch, i int) {
	e := w.env
	cfg := &e.cfg
	bi := borrowerOf(cfg.Seed, i)
	bw, prof := person(w.br, cfg.Seed, bi, cfg.Until)
	if bi == i {
		b.Borrowers = append(b.Borrowers, bw)
		b.Profiles = append(b.Profiles, prof)
		w.hist.Borrowers++
	}
	r := w.r
	r.seed(cfg.Seed, tagLoan, i)
	reg := &regions[prof.region]
	l := servicing.Loan{ID: int64(i) + 1, ExternalID: "LN" + pad(int64(i)+1, 10), BorrowerID: bw.ID, Disbursed: e.cal.day(i), Region: reg.name}
	l.Branch = reg.branches[r.IntN(len(reg.branches))]
	l.Officer = l.Branch + "-" + pad(int64(1+r.IntN(12)), 2)
	risk := prof.Risk + r.NormFloat64()*0.35 + e.branch[l.Branch]
	kind := terms(r, &prof, &l, risk)

	g := &w.g
	g.p, g.kind, g.l, g.risk = &e.products[kind], kind, l, risk
	g.simulate()

	var prev *eod.Record
	var rec eod.Record
	for _, me := range e.ends {
		if me.Before(l.Disbursed) {
			continue
		}
		s := g.monthEndState(me)
		rec = eod.NewRecord(&l, &s, g.p.LGD, prev)
		if w.sig != nil {
			w.sig.observe(&s)
		}
		w.hist.Aggregates[me].Add(&rec, 1)
		prev = &rec
	}
	st := servicing.Replay(*g.p, l, g.txs, cfg.Until)
	snap := loanstate.FromState(&st, loanstate.Input{Product: *g.p, Loan: l, Txs: g.txs})
	// Each row records what it applied, as a posting's does.
	for k := range g.txs {
		t := &g.txs[k]
		if t.Kind == servicing.Disbursement {
			t.Applied.Principal = t.Amount
		} else if parts, ok := st.Applied(t.Seq); ok {
			t.Applied = parts
		}
	}
	final := eod.NewRecord(&l, &snap, g.p.LGD, prev)
	w.hist.Aggregates[cfg.Until].Add(&final, 1)
	w.hist.Loans++
	w.hist.Txs += int64(len(g.txs))

	b.Loans = append(b.Loans, l)
	b.Txs = append(b.Txs, g.txs...)
	b.PostedAt = append(b.PostedAt, g.posted...)
	b.Snapshots = append(b.Snapshots, snap)
	b.Records = append(b.Records, final)
	if w.sig != nil {
		w.sig.observe(&snap)
		b.Signals = w.sig.loan(b.Signals, i, bi == i, &bw, &prof, &l)
	}
}
