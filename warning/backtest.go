package warning

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"daihou"
	"daihou/civil"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/signal"
)

// BacktestConfig is how Backtest replays history.
type BacktestConfig struct {
	// Deriver derives the snapshots, as close of business does; nil
	// replays and classifies with the default contagion and no score.
	Deriver *loanstate.Deriver
	// AsOf is the date outcomes are known by: the loans are followed to
	// it for their milestones. Zero means the back-test's last date.
	AsOf civil.Date
	// ResolveAfter is how many days after it was raised a warning counts
	// as resolved, standing for the people who handle warnings; 0 leaves
	// every warning open, so that a rule raises at most once per loan.
	ResolveAfter int
	// Workers is how many borrowers are replayed at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// BorrowerBook is one borrower's history: its loans as close of business
// derives them (contract, product, transactions, override) and its
// signals.
type BorrowerBook struct {
	BorrowerID int64
	Loans      []loanstate.Input
	// Signals are the borrower's signals, each seen from its Known date.
	Signals []signal.Signal
}

// ErrBadBacktest is inside the error Backtest returns for dates or books
// it cannot replay.
var ErrBadBacktest = errors.New("invalid back-test")

// Backtest returns the warnings rules would have raised on the books from
// one date to another, raised exactly as close of business run every day
// would have raised them, and every loan's milestones as known by AsOf
// (cfg.AsOf, else to), for Judge. Warnings come in book order, then date,
// then rule code, with IDs from 1; Backtest of the same input is the same
// whatever the number of workers.
//
// Each borrower is replayed on its own — the loans of a borrower together,
// since borrower contagion classifies them together — on from and then
// only on the dates a loan of the borrower is awake: the earliest of its
// snapshot's wake date (loanstate.Wake), the rules' wake date
// (Set.Decide: a cooldown's end, a monthiversary), the next change of the
// borrower's signals with no new one (signal.NextChange), and the next
// event — a transaction's value date, a signal's Known date, a loan's
// disbursement, a warning's resolution. Rules decide on each date through
// to; the replay goes on to AsOf for the classes.
//
// Why that is what daily close of business gives: a rule is a function of
// its Input and the loan's Past, and Decide's answer also of the date
// through cooldowns and months_on_book alone. The snapshot can change with
// no event only on its wake date (loanstate.Wake's promise), the facts only
// on a NextChange date, the Past only when a warning is raised (on an
// evaluated date) or resolved (an event), a cooldown only on its end and
// months_on_book only on a monthiversary (both in Decide's wake). On any
// other day every input of every rule is what it was on the last evaluated
// date, and so is the answer: a rule that was false is still false; one
// that was true was raised then, or is still deduplicated by an open
// warning, or still held by a cooldown whose end is a wake date. Replaying
// a borrower's other loans on a day they are not awake gives the snapshots
// they already have, so deriving a borrower's loans together costs no
// correctness. The test holds Backtest to a replay of every day.
//
// Milestones: the days past due come from each loan's state replayed as
// of AsOf (MilestonesOf); the class milestone is the first replayed date
// on which the loan was 次级 or worse. A loan already that bad when the
// back-test first replays it, on from, went bad before from: its
// milestone is then the day its DPD first passed 90, or else the day
// before from — outside any window that starts at from.
func Backtest(cfg BacktestConfig, books []BorrowerBook, rules []Rule, from, to civil.Date) ([]Warning, map[int64]Milestones, error) {
	asOf := cfg.AsOf
	if asOf == 0 {
		asOf = to
	}
	switch {
	case to.Before(from):
		return nil, nil, daihou.Errorf(daihou.EINVALID, "%w: the back-test ends (%v) before it starts (%v)", ErrBadBacktest, to, from)
	case asOf.Before(to):
		return nil, nil, daihou.Errorf(daihou.EINVALID, "%w: outcomes as of %v, before the back-test ends (%v)", ErrBadBacktest, asOf, to)
	case cfg.ResolveAfter < 0:
		return nil, nil, daihou.Errorf(daihou.EINVALID, "%w: resolve-after of %d days", ErrBadBacktest, cfg.ResolveAfter)
	}
	seen := map[int64]bool{}
	for _, b := range books {
		for i := range b.Loans {
			id := b.Loans[i].Loan.ID
			if seen[id] {
				return nil, nil, daihou.Errorf(daihou.EINVALID, "%w: loan %d is in the books twice", ErrBadBacktest, id)
			}
			seen[id] = true
		}
	}
	set, err := CompileSet(rules)
	if err != nil {
		return nil, nil, err
	}
	d := loanstate.Deriver{Contagion: loanstate.DefaultContagion}
	if cfg.Deriver != nil {
		d = *cfg.Deriver
	}
	d.KeepState = false // what the rules read of a state is taken as it is replayed (Deriver.Inspect)
	bt := &backtest{set: set, d: &d, from: from, to: to, asOf: asOf, resolveAfter: cfg.ResolveAfter}

	out := make([]borrowerResult, len(books))
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(books)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(books) {
					return
				}
				out[i] = bt.borrower(&books[i])
			}
		}()
	}
	wg.Wait()

	var ws []Warning
	ms := make(map[int64]Milestones, len(seen))
	for _, r := range out {
		ws = append(ws, r.warnings...)
		for _, m := range r.milestones {
			ms[m.loan] = m.Milestones
		}
	}
	for i := range ws {
		ws[i].ID = int64(i + 1)
	}
	return ws, ms, nil
}

type backtest struct {
	set            *Set
	d              *loanstate.Deriver
	from, to, asOf civil.Date
	resolveAfter   int
}

type borrowerResult struct {
	warnings   []Warning
	milestones []loanMilestones
}

type loanMilestones struct {
	loan int64
	Milestones
}

// borrower replays one borrower's book.
func (bt *backtest) borrower(b *BorrowerBook) borrowerResult {
	sigs := b.Signals
	if !slices.IsSortedFunc(sigs, signalOrder) {
		sigs = slices.Clone(sigs)
		slices.SortFunc(sigs, signalOrder)
	}
	ins := slices.Clone(b.Loans) // InitialScore moves on as close of business carries it
	all := make([][]servicing.Tx, len(ins))
	for i := range ins {
		all[i] = ins[i].Txs
	}
	events := bt.events(b, ins)
	var ws []Warning
	npl := make([]civil.Date, len(ins))
	seen := make([]Milestones, len(ins)) // as each derivation saw them, the first date kept, as close of business keeps them
	derived := make([]bool, len(ins))
	// What the rules and the milestones read of each loan's replayed
	// state, taken while it is replayed rather than kept.
	type look struct {
		pay    PaymentFacts
		ms     Milestones
		past90 civil.Date // the day it went 91 days past due, zero for never
	}
	looks := make([]look, len(ins))
	der := *bt.d
	der.Inspect = func(i int, st *servicing.State) {
		looks[i] = look{PaymentFactsOf(st), MilestonesOf(st, nil), firstDPD(st, 91)}
	}
	for day := bt.from; !day.After(bt.asOf); {
		facts := signal.Summarise(sigs, day)
		var scored *signal.Facts // what the score sees: nil when nothing is known
		if facts.Any {
			scored = &facts
		}
		for i := range ins {
			ins[i].Facts = scored
		}
		got, _ := der.Derive(day, knownBy(ins, all, day), nil)
		wake := civil.Date(0)
		for i := range got {
			g := &got[i]
			if !g.OK {
				continue
			}
			s := &g.Snapshot
			ins[i].InitialScore = s.InitialScore
			seen[i] = seen[i].merge(looks[i].ms)
			wake = loanstate.Earliest(wake, loanstate.Wake(s))
			if s.Class.NonPerforming() && npl[i] == 0 {
				npl[i] = day
				if !derived[i] && day == bt.from && ins[i].Loan.Disbursed.Before(bt.from) {
					npl[i] = bt.from.AddDays(-1)
					// Over 90 DPD is 次级 (classification.Floor).
					if d := looks[i].past90; d != 0 && d.Before(bt.from) {
						npl[i] = d
					}
				}
			}
			derived[i] = true
			if day.After(bt.to) {
				continue
			}
			l := &ins[i].Loan
			in := Input{Date: day, Loan: l, Snapshot: s, Facts: &facts, Payments: looks[i].pay}
			hits, w := bt.set.Decide(&in, bt.past(ws, l.ID, day))
			wake = loanstate.Earliest(wake, w)
			for _, h := range hits {
				ws = append(ws, h.New(l.ID, l.BorrowerID, day))
				if bt.resolveAfter > 0 {
					events = insertDate(events, day.AddDays(bt.resolveAfter))
				}
			}
		}
		wake = loanstate.Earliest(wake, signal.NextChange(sigs, day))
		if k, _ := slices.BinarySearch(events, day.AddDays(1)); k < len(events) {
			wake = loanstate.Earliest(wake, events[k])
		}
		if wake == 0 {
			break
		}
		day = wake
	}
	// A warning resolved by AsOf reads so.
	for i := range ws {
		if w := &ws[i]; bt.resolveAfter > 0 {
			if r := w.Raised.AddDays(bt.resolveAfter); !r.After(bt.asOf) {
				w.State, w.Changed, w.By, w.Note = Resolved, r, "backtest", fmt.Sprintf("resolved %d days after it was raised", bt.resolveAfter)
			}
		}
	}
	// The milestones as of AsOf.
	for i := range ins {
		ins[i].Facts = nil
	}
	clear(looks)
	final, _ := der.Derive(bt.asOf, knownBy(ins, all, bt.asOf), nil)
	res := borrowerResult{warnings: ws}
	for i := range ins {
		m := loanMilestones{loan: ins[i].Loan.ID}
		m.Milestones = seen[i]
		if final[i].OK {
			m.Milestones = m.merge(looks[i].ms)
		}
		m.Substandard = npl[i]
		res.milestones = append(res.milestones, m)
	}
	return res
}

// events returns the dates after from on which something happens to a
// borrower's book, sorted and distinct: transactions' value dates,
// signals' Known dates, disbursements.
func (bt *backtest) events(b *BorrowerBook, ins []loanstate.Input) []civil.Date {
	var ds []civil.Date
	add := func(d civil.Date) {
		if d.After(bt.from) && !d.After(bt.asOf) {
			ds = append(ds, d)
		}
	}
	for i := range ins {
		add(ins[i].Loan.Disbursed)
		for _, t := range ins[i].Txs {
			add(Known(t))
		}
	}
	for _, s := range b.Signals {
		add(s.Known)
	}
	slices.Sort(ds)
	return slices.Compact(ds)
}

// Known returns the first date close of business sees transaction t on.
// The business date is a closed date whenever the book is open for
// postings (close of business opens the next date and closes it in one
// run), so a posting dated its business date D is seen by the close of
// D+1; a disbursement comes with its loan, on its date. The ledger keeps
// no posting date, so a back-dated posting is taken as seen the day after
// its value date, where live close of business saw it the day after it was
// posted: the back-test replays history as it is now known.
func Known(t servicing.Tx) civil.Date {
	if t.Kind == servicing.Disbursement {
		return t.ValueDate
	}
	return t.ValueDate.AddDays(1)
}

// knownBy sets each input's transactions to those of all known by day.
func knownBy(ins []loanstate.Input, all [][]servicing.Tx, day civil.Date) []loanstate.Input {
	for i := range ins {
		txs := all[i][:0:0]
		for _, t := range all[i] {
			if !Known(t).After(day) {
				txs = append(txs, t)
			}
		}
		ins[i].Txs = txs
	}
	return ins
}

func insertDate(ds []civil.Date, d civil.Date) []civil.Date {
	k, found := slices.BinarySearch(ds, d)
	if found {
		return ds
	}
	return slices.Insert(ds, k, d)
}

// past returns a loan's Past on a day from the warnings the back-test has
// raised so far: a warning is open until ResolveAfter days have passed.
func (bt *backtest) past(ws []Warning, loan int64, day civil.Date) []Past {
	var out []Past
	for i := range ws {
		w := &ws[i]
		if w.LoanID != loan {
			continue
		}
		open := bt.resolveAfter == 0 || day.Before(w.Raised.AddDays(bt.resolveAfter))
		p := Past{Rule: w.Rule, Raised: w.Raised, Open: open}
		if k := slices.IndexFunc(out, func(x Past) bool { return x.Rule == w.Rule }); k >= 0 {
			out[k] = p // ws is in date order: the later one wins
		} else {
			out = append(out, p)
		}
	}
	return out
}

func signalOrder(a, b signal.Signal) int {
	if signal.Less(&a, &b) {
		return -1
	}
	if signal.Less(&b, &a) {
		return 1
	}
	return 0
}

// merge returns m with the dates of n it has not reached yet.
func (m Milestones) merge(n Milestones) Milestones {
	if m.DPD30 == 0 {
		m.DPD30 = n.DPD30
	}
	if m.DPD90 == 0 {
		m.DPD90 = n.DPD90
	}
	if m.Substandard == 0 {
		m.Substandard = n.Substandard
	}
	return m
}
