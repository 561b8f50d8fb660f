package synth_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"

	"daihou/civil"
	"daihou/eod"
	"daihou/report"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/synth"
)

// digest hashes everything a generation emits, in order: borrowers, loans
// (with snapshots and records) and transactions each as one stream, so
// that batch boundaries do not matter.
func digest(t *testing.T, cfg synth.Config, opt synth.Options) (string, *synth.History) {
	t.Helper()
	hb, hl, ht := sha256.New(), sha256.New(), sha256.New()
	hist, err := synth.Generate(context.Background(), cfg, opt, func(b *synth.Batch) error {
		for i := range b.Borrowers {
			fmt.Fprintf(hb, "%v %v\n", b.Borrowers[i], b.Profiles[i])
		}
		for i := range b.Loans {
			fmt.Fprintf(hl, "%v %v %v\n", b.Loans[i], b.Snapshots[i], b.Records[i])
		}
		for i := range b.Txs {
			fmt.Fprintf(ht, "%v %s\n", b.Txs[i], b.PostedAt[i])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x %x %x", hb.Sum(nil), hl.Sum(nil), ht.Sum(nil)), hist
}

func TestDeterministicWhateverTheScheduling(t *testing.T) {
	cfg := synth.Config{Seed: 42, Loans: 3000, Months: 12, Until: civil.MustParse("2026-05-20")}
	a, ha := digest(t, cfg, synth.Options{Workers: 1, BatchSize: 1000})
	b, hb := digest(t, cfg, synth.Options{Workers: 4, BatchSize: 77})
	if a != b {
		t.Fatal("the same seed generated different portfolios with different workers and batch sizes")
	}
	for _, d := range ha.Dates {
		x, y := ha.Aggregates[d], hb.Aggregates[d]
		x.Prune()
		y.Prune()
		if fmt.Sprint(x) != fmt.Sprint(y) {
			t.Fatalf("aggregates of %v differ", d)
		}
	}
	cfg.Seed = 43
	if c, _ := digest(t, cfg, synth.Options{}); c == a {
		t.Error("another seed generated the same portfolio")
	}
}

// The generated book looks like a real one: for a fixed seed, month-end
// roll rates from M1 to M2 are 30–60 % (pooled over the last year and in
// every month with enough loans), cure rates fall with depth, and the
// behaviours a post-loan team sees are all there.
func TestPortfolioLooksReal(t *testing.T) {
	cfg := synth.Config{Seed: 1, Loans: 20000, Months: 24, Until: civil.MustParse("2026-06-15")}
	kinds := map[servicing.TxKind]int{}
	methods := map[schedule.Method]int{}
	products := map[string]int{}
	var backDated, partial, payments int
	h, err := synth.Generate(context.Background(), cfg, synth.Options{}, func(b *synth.Batch) error {
		for i, tx := range b.Txs {
			kinds[tx.Kind]++
			if tx.Kind == servicing.Repayment {
				payments++
				if b.PostedAt[i][:10] != tx.ValueDate.String() {
					backDated++
				}
				if tx.Amount%100 == 0 {
					partial++ // partial payments are round yuan; installments rarely are
				}
			}
		}
		for _, l := range b.Loans {
			methods[l.Method]++
			products[l.Product]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pooled report.Matrix
	for _, d := range cfg.MonthEnds()[12:] {
		m := report.NewMatrix(h.Aggregates[d].Roll, "")
		if n, _ := m.Row(1); n >= 150 {
			if r := m.RollForward(false, 1); r < 0.30 || r > 0.60 {
				t.Errorf("%v: M1→M2 roll rate %.3f of %d loans, want 30–60 %%", d, r, n)
			}
		}
		for f := range pooled.Loans {
			for to := range pooled.Loans[f] {
				pooled.Loans[f][to] += m.Loans[f][to]
				pooled.Balance[f][to] += m.Balance[f][to]
			}
		}
	}
	if r := pooled.RollForward(false, 1); r < 0.30 || r > 0.60 {
		t.Errorf("pooled M1→M2 roll rate %.3f, want 30–60 %%", r)
	}
	if r := pooled.RollForward(false, 0); r < 0.005 || r > 0.05 {
		t.Errorf("pooled M0→M1 roll rate %.4f, want 0.5–5 %%", r)
	}
	cure := func(from ...eod.FlowState) float64 {
		var n, c int64
		for _, f := range from {
			row, _ := pooled.Row(f)
			n += row
			c += pooled.Loans[f][0] + pooled.Loans[f][eod.FlowSettled]
		}
		return float64(c) / float64(n)
	}
	c1, c2, c3, c4 := cure(1), cure(2), cure(3), cure(4, 5, 6, 7)
	t.Logf("pooled roll M0→M1 %.4f M1→M2 %.3f; cure M1 %.3f M2 %.3f M3 %.3f M4+ %.3f", pooled.RollForward(false, 0), pooled.RollForward(false, 1), c1, c2, c3, c4)
	if !(c1 > c2 && c2 > c3 && c3 > c4) || c1 < 0.25 || c4 > 0.10 {
		t.Errorf("cure rates M1 %.3f M2 %.3f M3 %.3f M4+ %.3f: want falling with depth", c1, c2, c3, c4)
	}
	for _, k := range []servicing.TxKind{servicing.Disbursement, servicing.Repayment, servicing.Restructure, servicing.WriteOff, servicing.Recovery} {
		if kinds[k] == 0 {
			t.Errorf("no %s transaction generated", k)
		}
	}
	if backDated < payments/200 || partial < payments/500 {
		t.Errorf("%d back-dated and %d round (partial) payments of %d", backDated, partial, payments)
	}
	for _, m := range schedule.Methods {
		if methods[m] == 0 {
			t.Errorf("no loan repaid by %s", m)
		}
	}
	if products["CONSUMER"] < products["SME"] || products["SME"] < products["MORTGAGE"] || products["MORTGAGE"] == 0 {
		t.Errorf("product mix %v", products)
	}
	final := h.Aggregates[cfg.Until]
	settled, early := 0, 0
	for k, c := range final.Portfolio {
		if k.Status == servicing.StatusSettled {
			settled += int(c.Loans)
		}
	}
	for _, d := range cfg.MonthEnds() {
		m := report.NewMatrix(h.Aggregates[d].Roll, "")
		early += int(m.Loans[0][eod.FlowSettled])
	}
	if settled == 0 || early == 0 {
		t.Errorf("%d settled loans, %d settled during a month from current: want early payoffs", settled, early)
	}
}
