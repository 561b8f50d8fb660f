package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/scoring/portfolio"
	"daihou/scoring/portfolio/portfoliotest"
	"daihou/signal"
	"daihou/synth"
)

// The risk officer sees out-of-time AUC and KS with the signal features
// and without them, in text and in JSON.
func TestPrintPortfolioTrainSignals(t *testing.T) {
	ctx := context.Background()
	b, err := portfoliotest.Generate(ctx, synth.Config{Seed: 3, Loans: 3000, Months: 24, Until: civil.MustParse("2026-10-30")})
	if err != nil {
		t.Fatal(err)
	}
	var sigs []signal.Signal
	for k := 0; k < b.Loans(); k += 3 {
		l, _, _ := b.Loan(k)
		sigs = append(sigs, signal.Signal{Borrower: l.BorrowerID, Kind: signal.OpenLoans, Date: civil.MustParse("2025-12-01"), Known: civil.MustParse("2025-12-02"), Value: int64(k % 5)})
	}
	b.AddSignals(sigs...)
	asOf, oot := civil.MustParse("2026-01-31"), civil.MustParse("2026-04-30")
	res, err := portfolio.Train(ctx, b, portfolio.Options{AsOf: asOf, OOTAsOf: oot, Horizon: 6, Signals: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Signals || res.OOTWithoutSignals == nil {
		t.Fatalf("Signals %v, without %v: want both", res.Signals, res.OOTWithoutSignals)
	}
	var out bytes.Buffer
	(&Main{Stdout: &out}).printPortfolioTrain(res, asOf, oot, 6, true, "")
	for _, want := range []string{"Trained with the external-signal features", "Out of time (as of 2026-04-30): AUC", "without the signal features (same trainer, ledger alone): AUC", "the signals add"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := writeJSON(&out, portfolioTrainJSON(res, asOf, oot, 6, "")); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Signals           bool   `json:"signals"`
		OOTAsOf           string `json:"oot_as_of"`
		OOT               struct{ AUC, KS float64 }
		OOTWithoutSignals struct{ AUC, KS float64 } `json:"oot_without_signals"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Signals || got.OOTAsOf != "2026-04-30" || got.OOT.AUC != res.OOT.AUC || got.OOTWithoutSignals.AUC != res.OOTWithoutSignals.AUC || got.OOTWithoutSignals.KS != res.OOTWithoutSignals.KS {
		t.Errorf("JSON %s: want the signals flag and both evaluations", out.String())
	}
}
