package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"daihou/store"
	"daihou/store/storetest"
)

// The portfolio path end to end: generate a ledger, train a champion on
// its history with an out-of-time check, close a month end with it, and
// find every active loan scored, the scores' PD in ECL, and the month's
// population stability recorded.
func TestPortfolioModelThroughCloseOfBusiness(t *testing.T) {
	db := storetest.DSN(t, "sqlite")
	if _, errs, code := run(t, db, "gen", "--loans", "6000", "--months", "24", "--seed", "3", "--until", "2026-10-30"); code != 0 {
		t.Fatalf("gen: exit %d %s", code, errs)
	}
	out, errs, code := run(t, db, "model", "train", "--portfolio", "--as-of", "2026-01-31", "--horizon", "6m", "--oot-as-of", "2026-04-30", "--champion")
	if code != 0 {
		t.Fatalf("train --portfolio: exit %d %s\n%s", code, errs, out)
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	mv, err := s.Champion(ctx, "all")
	if err != nil {
		t.Fatal(err)
	}
	var metrics struct {
		TrainAUC float64 `json:"train_auc"`
		OOTAUC   float64 `json:"oot_auc"`
		OOTRows  int     `json:"oot_rows"`
	}
	if err := json.Unmarshal([]byte(mv.Metrics), &metrics); err != nil {
		t.Fatal(err)
	}
	if metrics.OOTAUC < 0.75 || metrics.OOTRows < 1000 {
		t.Errorf("out-of-time AUC %.3f on %d loans: the model must separate goods from bads", metrics.OOTAUC, metrics.OOTRows)
	}
	t.Logf("portfolio model: train AUC %.4f, out-of-time AUC %.4f on %d loans", metrics.TrainAUC, metrics.OOTAUC, metrics.OOTRows)

	before, _, _ := run(t, db, "report", "--json")
	if _, errs, code := run(t, db, "eod", "--date", "2026-10-31", "--full"); code != 0 {
		t.Fatalf("eod: %s", errs)
	}
	after, _, _ := run(t, db, "report", "--json")
	if before == after || !strings.Contains(after, "ecl") {
		t.Errorf("ECL must move from the placeholder PD to the scored PD")
	}
	mon, err := s.ModelMonitoring(ctx, mv.ID)
	if err != nil || len(mon) != 1 || mon[0].Population == 0 || mon[0].PSI < 0 {
		t.Fatalf("month-end monitoring %+v, %v; want one month with a population and a PSI", mon, err)
	}
	// A loan's cached state carries its score and reasons, and its history
	// holds the same.
	id := int64(1)
	for ; id < 6000; id++ {
		if snap, err := s.Snapshot(ctx, id); err == nil && snap.ModelID == mv.ID {
			hist, err := s.ScoreHistory(ctx, id)
			if err != nil || len(hist) == 0 || hist[len(hist)-1].Score != float64(snap.Score) || snap.Reasons == "" || snap.PD <= 0 {
				t.Fatalf("loan %d: snapshot score %d PD %v reasons %q, history %+v", id, snap.Score, snap.PD, snap.Reasons, hist)
			}
			return
		}
	}
	t.Fatal("no scored loan after close of business")
}
