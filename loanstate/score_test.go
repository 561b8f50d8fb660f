package loanstate_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/scoring"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/scoring/portfolio"
	"daihou/scoring/portfolio/portfoliotest"
	"daihou/scoring/trainer"
	"daihou/servicing"
	"daihou/signal"
	"daihou/synth"
)

var (
	trainAsOf = civil.MustParse("2026-01-31")
	scoreAsOf = civil.MustParse("2026-10-30")
)

func scoringBook(t *testing.T) *portfoliotest.Book {
	t.Helper()
	b, err := portfoliotest.Generate(context.Background(), synth.Config{Seed: 5, Loans: 3000, Months: 24, Until: scoreAsOf})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func train(t *testing.T, b *portfoliotest.Book, kind scoring.Kind) *artefact.Artefact {
	t.Helper()
	res, err := portfolio.Train(context.Background(), b, portfolio.Options{AsOf: trainAsOf, Horizon: 6, Signals: true, Train: trainer.Options{Kind: kind, Budget: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Artefact
}

// reference scores a row by feature name through scoring.Scorer, the path
// training and `daihou model score` take: what ModelScorer must agree with.
func reference(t *testing.T, a *artefact.Artefact, names, row []string) loanstate.Score {
	t.Helper()
	byName := map[string]string{}
	for i, n := range names {
		byName[n] = row[i]
	}
	r, err := scoring.NewScorer(a.Model(), a.Reasons).ScoreStrings(byName)
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]string, len(r.Reasons))
	for i, rc := range r.Reasons {
		codes[i] = rc.Feature
	}
	return loanstate.Score{Points: int(math.Round(r.Score)), PD: r.PD, Reasons: strings.Join(codes, ",")}
}

// eachActive calls fn with the state at scoreAsOf of up to n active loans.
func eachActive(b *portfoliotest.Book, n int, fn func(l servicing.Loan, st *servicing.State)) {
	for k := 0; k < b.Loans() && n > 0; k++ {
		l, p, txs := b.Loan(k)
		if st := servicing.Replay(p, l, txs, scoreAsOf); st.Status == servicing.StatusActive {
			fn(l, &st)
			n--
		}
	}
}

// A model trained on the ledger alone scores exactly as it did before the
// scorer took signals — behaviour.Row by name — whatever the facts.
func TestModelScorerLedgerModelIgnoresFacts(t *testing.T) {
	b := scoringBook(t)
	for _, kind := range []scoring.Kind{scoring.KindScorecard, scoring.KindGBDT} {
		t.Run(string(kind), func(t *testing.T) {
			a := train(t, b, kind)
			for _, f := range a.Model().Features() {
				if slices.Contains(behaviour.SignalNames, f.Name) {
					t.Fatalf("a book without signals trained a model on %s", f.Name)
				}
			}
			sc, err := loanstate.NewModelScorer(1, 6, a)
			if err != nil {
				t.Fatal(err)
			}
			rich := &signal.Facts{Any: true, Inquiries3M: 9, OpenLoans: 7, OverdueElsewhere: 9_000_000, Dishonest: true, SocialKnown: true, SocialGap: 6}
			checked := 0
			eachActive(b, 500, func(l servicing.Loan, st *servicing.State) {
				want := reference(t, a, behaviour.Names, behaviour.Row(l, st))
				for _, f := range []*signal.Facts{nil, {}, rich} {
					if got := sc.Score(l, st, f); got != want {
						t.Fatalf("loan %d with facts %+v: got %+v, want %+v", l.ID, f, got, want)
					}
				}
				checked++
			})
			if checked < 100 {
				t.Fatalf("only %d active loans scored", checked)
			}
		})
	}
}

// A model trained with signal features reads them from the facts given,
// and a loan without facts scores as every signal feature missing.
func TestModelScorerSignalModel(t *testing.T) {
	b := scoringBook(t)
	rng := rand.New(rand.NewPCG(1, 2))
	facts := map[int64]*signal.Facts{}
	var sigs []signal.Signal
	for k := range b.Loans() {
		l, _, _ := b.Loan(k)
		if _, done := facts[l.BorrowerID]; done || rng.IntN(2) == 0 {
			continue
		}
		sigs = append(sigs, signal.Signal{Borrower: l.BorrowerID, Kind: signal.OpenLoans, Date: trainAsOf.AddDays(-30), Known: trainAsOf.AddDays(-29), Value: rng.Int64N(6)})
		f := signal.Summarise(sigs[len(sigs)-1:], scoreAsOf)
		facts[l.BorrowerID] = &f
	}
	b.AddSignals(sigs...)
	a := train(t, b, scoring.KindGBDT) // the trees use every column that varies
	if !slices.ContainsFunc(a.Model().Features(), func(f scoring.Feature) bool { return f.Name == "open_loans_elsewhere" }) {
		t.Fatal("the model does not use open_loans_elsewhere")
	}
	sc, err := loanstate.NewModelScorer(1, 6, a)
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	eachActive(b, 500, func(l servicing.Loan, st *servicing.State) {
		f := facts[l.BorrowerID]
		row := append(behaviour.Row(l, st), behaviour.SignalRow(f)...)
		got, want := sc.Score(l, st, f), reference(t, a, behaviour.AllNames, row)
		if got != want {
			t.Fatalf("loan %d: got %+v, want %+v", l.ID, got, want)
		}
		none := reference(t, a, behaviour.AllNames, append(behaviour.Row(l, st), behaviour.SignalRow(nil)...))
		if got := sc.Score(l, st, nil); got != none {
			t.Fatalf("loan %d without facts: got %+v, want %+v", l.ID, got, none)
		}
		if f != nil && none != want {
			moved++
		}
	})
	if moved == 0 {
		t.Error("no loan's score depends on its facts")
	}
}

// factsScorer scores a loan by the open loans elsewhere of its facts, −1
// without facts, so a test can see which facts reached it.
type factsScorer struct{}

func (factsScorer) Score(_ servicing.Loan, _ *servicing.State, f *signal.Facts) loanstate.Score {
	if f == nil {
		return loanstate.Score{Points: -1}
	}
	return loanstate.Score{Points: int(f.OpenLoans)}
}
func (factsScorer) ModelID() int64 { return 1 }
func (factsScorer) Horizon() int   { return 6 }
func (factsScorer) PDO() float64   { return 20 }

// Derive hands each loan's Input.Facts to the scorer.
func TestDeriveScoresWithFacts(t *testing.T) {
	d := loanstate.Deriver{Scorer: factsScorer{}}
	with, without := current(1, "10000"), current(2, "10000")
	with.Facts = &signal.Facts{Any: true, OpenLoans: 4}
	out, _ := d.Derive(asOf, []loanstate.Input{with, without}, nil)
	if got, want := out[0].Snapshot.Score, 4; got != want {
		t.Errorf("with facts: score %d, want %d", got, want)
	}
	if got, want := out[1].Snapshot.Score, -1; got != want {
		t.Errorf("without facts: score %d, want %d", got, want)
	}
}
