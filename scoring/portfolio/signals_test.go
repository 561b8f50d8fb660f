package portfolio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"daihou/civil"
	"daihou/scoring"
	"daihou/scoring/behaviour"
	"daihou/scoring/portfolio"
	"daihou/scoring/portfolio/portfoliotest"
	"daihou/scoring/trainer"
	"daihou/servicing"
	"daihou/signal"
)

// withLeadingSignal adds to b a bureau report of money overdue at other
// lenders, dated eight months before the borrower's loan first reaches 90
// DPD, for three in four such borrowers, and for one in thirty others at a
// random date: a signal that sees default coming long before the ledger
// does.
func withLeadingSignal(b *portfoliotest.Book) {
	until, _ := b.BusinessDate(context.Background())
	rng := rand.New(rand.NewPCG(7, 11))
	from := civil.MustParse("2024-10-01")
	var sigs []signal.Signal
	for k := range b.Loans() {
		l, p, txs := b.Loan(k)
		st := servicing.Replay(p, l, txs, until)
		var defaulted civil.Date
		for m, v := range st.MonthlyMaxDPD {
			if v >= 90 {
				defaulted = l.Disbursed.AddMonthsClamped(m, 1)
				break
			}
		}
		var at civil.Date
		switch {
		case defaulted != 0 && rng.Float64() < 0.75:
			at = defaulted.AddDays(-240)
		case defaulted == 0 && rng.Float64() < 1.0/30:
			at = from.AddDays(rng.IntN(until.Sub(from)))
		default:
			continue
		}
		sigs = append(sigs, signal.Signal{Borrower: l.BorrowerID, Kind: signal.OverdueElsewhere, Date: at, Known: at.AddDays(2), Value: 500_000 + rng.Int64N(5_000_000)})
	}
	b.AddSignals(sigs...)
}

// A signal that predicts default lifts the out-of-time AUC over the same
// trainer on the ledger alone, and Train reports both.
func TestTrainSignalsAddToOutOfTime(t *testing.T) {
	b := bookOf(t, 12000) // enough signalled bads for the trees' 100-row leaves
	withLeadingSignal(b)
	ctx := context.Background()
	for _, kind := range []scoring.Kind{scoring.KindScorecard, scoring.KindGBDT} {
		t.Run(string(kind), func(t *testing.T) {
			res, err := portfolio.Train(ctx, b, portfolio.Options{
				AsOf: civil.MustParse("2026-01-31"), OOTAsOf: civil.MustParse("2026-04-30"), Horizon: 6,
				Train: trainer.Options{Kind: kind, Budget: -1}, Signals: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Signals || res.OOT == nil || res.OOTWithoutSignals == nil {
				t.Fatalf("Signals %v, OOT %v, without %v: want signals used and both evaluations", res.Signals, res.OOT, res.OOTWithoutSignals)
			}
			with, without := res.OOT, res.OOTWithoutSignals
			t.Logf("out of time: AUC %.4f KS %.4f with signals, AUC %.4f KS %.4f without", with.AUC, with.KS, without.AUC, without.KS)
			if with.AUC < without.AUC+0.01 {
				t.Errorf("out-of-time AUC %.4f with signals, %.4f without: want the signal to add at least 0.01", with.AUC, without.AUC)
			}
			if with.Rows != without.Rows || with.Bads != without.Bads {
				t.Errorf("evaluated on %d/%d and %d/%d rows/bads: want the same population", with.Rows, with.Bads, without.Rows, without.Bads)
			}
			if !slices.ContainsFunc(res.Artefact.Model().Features(), func(f scoring.Feature) bool { return f.Name == "overdue_elsewhere_k" }) {
				t.Error("the model does not use overdue_elsewhere_k")
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(res.Model.Metrics), &m); err != nil {
				t.Fatal(err)
			}
			if m["signals"] != true || m["oot_auc_without_signals"] != without.AUC || m["oot_ks_without_signals"] != without.KS {
				t.Errorf("registered metrics %s: want signals and the comparison", res.Model.Metrics)
			}
		})
	}
	// Told not to, Train leaves the signals out and compares nothing.
	res, err := portfolio.Train(ctx, b, portfolio.Options{AsOf: civil.MustParse("2026-01-31"), OOTAsOf: civil.MustParse("2026-04-30"), Horizon: 6})
	if err != nil {
		t.Fatal(err)
	}
	if res.Signals || res.OOTWithoutSignals != nil {
		t.Errorf("Signals false: got Signals %v, without %+v", res.Signals, res.OOTWithoutSignals)
	}
	for _, f := range res.Artefact.Model().Features() {
		if slices.Contains(behaviour.SignalNames, f.Name) {
			t.Errorf("Signals false: the model uses %s", f.Name)
		}
	}
}

// A loan's row holds what its borrower's signals said as of the
// observation date: a signal stored after it, or describing a later date,
// is not in it.
func TestWriteCSVSignalsAsOf(t *testing.T) {
	b := book(t)
	ctx := context.Background()
	asOf := civil.MustParse("2026-01-31")
	// Two loans eligible on asOf of different borrowers: one with signals,
	// one without.
	var loan, other servicing.Loan
	for k := range b.Loans() {
		l, p, txs := b.Loan(k)
		if l.Disbursed.After(asOf) {
			continue
		}
		if st := servicing.Replay(p, l, txs, asOf); !behaviour.Eligible(&st) {
			continue
		}
		if loan.ID == 0 {
			loan = l
		} else if l.BorrowerID != loan.BorrowerID {
			other = l
			break
		}
	}
	if other.ID == 0 {
		t.Fatal("no two eligible loans of different borrowers")
	}
	bw := loan.BorrowerID
	b.AddSignals(
		signal.Signal{Borrower: bw, Kind: signal.OpenLoans, Date: asOf.AddDays(-10), Known: asOf.AddDays(-9), Value: 3},
		signal.Signal{Borrower: bw, Kind: signal.OpenLoans, Date: asOf.AddDays(-1), Known: asOf.AddDays(1), Value: 9}, // stored the day after
		signal.Signal{Borrower: bw, Kind: signal.Dishonest, Date: asOf.AddDays(-5), Known: asOf.AddDays(1), Value: 1}, // stored the day after
		signal.Signal{Borrower: bw, Kind: signal.CourtCase, Date: asOf.AddDays(3), Known: asOf, Value: 1},             // about a later date
		signal.Signal{Borrower: bw, Kind: signal.SocialPaid, Date: asOf.AddDays(-20), Known: asOf.AddDays(-15), Value: 600_000},
	)
	rows := func(asOf civil.Date) map[string]map[string]string {
		t.Helper()
		var buf bytes.Buffer
		if _, err := portfolio.WriteCSV(ctx, b, asOf, 6, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string]string{}
		for _, r := range recs[1:] {
			m := map[string]string{}
			for i, h := range recs[0] {
				m[h] = r[i]
			}
			out[r[0]] = m
		}
		return out
	}
	got := rows(asOf)
	row, ok := got[loan.ExternalID]
	if !ok {
		t.Fatalf("loan %s not in the table", loan.ExternalID)
	}
	for k, want := range map[string]string{"open_loans_elsewhere": "3", "dishonest": "0", "court_cases": "0", "social_gap_months": "0", "inflow_drop_pct": "NA"} {
		if row[k] != want {
			t.Errorf("as of %v: %s = %q, want %q", asOf, k, row[k], want)
		}
	}
	for _, n := range behaviour.SignalNames {
		if v := got[other.ExternalID][n]; v != "NA" {
			t.Errorf("a borrower without signals: %s = %q, want NA", n, v)
		}
	}
	// A few days later all of them are known.
	later := asOf.AddDays(5)
	if row, ok := rows(later)[loan.ExternalID]; ok {
		for k, want := range map[string]string{"open_loans_elsewhere": "9", "dishonest": "1", "court_cases": "1"} {
			if row[k] != want {
				t.Errorf("as of %v: %s = %q, want %q", later, k, row[k], want)
			}
		}
	}
}
