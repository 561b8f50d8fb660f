package cli

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"math"
	"testing"

	"daihou/civil"
	"daihou/eod"
	"daihou/scoring"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/servicing"
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
	out, errs, code := run(t, db, "model", "train", "--portfolio", "--as-of", "2026-01-31", "--horizon", "6m", "--oot-as-of", "2026-04-30", "--champion", "--json")
	if code != 0 {
		t.Fatalf("train --portfolio: exit %d %s\n%s", code, errs, out)
	}
	var trained struct {
		ModelID           int64           `json:"model_id"`
		Signals           bool            `json:"signals"`
		OOT               json.RawMessage `json:"oot"`
		OOTWithoutSignals json.RawMessage `json:"oot_without_signals"`
	}
	if err := json.Unmarshal([]byte(out), &trained); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	// The generated book has no signals: the model is the ledger's, and
	// there is nothing to compare it with.
	if trained.ModelID == 0 || trained.Signals || trained.OOT == nil || trained.OOTWithoutSignals != nil {
		t.Errorf("--json: got %s, want a model without signals evaluated out of time", out)
	}
	s, err := storetest.OpenDSN(storetest.Ctx(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := storetest.Ctx()
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

	if _, errs, code := run(t, db, "eod", "--date", "2026-10-31", "--full"); code != 0 {
		t.Fatalf("eod: %s", errs)
	}
	mon, err := s.ModelMonitoring(ctx, mv.ID)
	if err != nil || len(mon) != 1 || mon[0].Population == 0 || mon[0].PSI < 0 {
		t.Fatalf("month-end monitoring %+v, %v; want one month with a population and a PSI", mon, err)
	}
	// A loan's cached state carries its score and reasons, and its history
	// holds the same.
	// Two current stage 1 loans with nothing due before 2 November: one to
	// push into stage 2 by its score below, one to stay as it is.
	var control int64
	id := int64(1)
	for ; id < 6000; id++ {
		if snap, err := s.Snapshot(ctx, id); err == nil && snap.ModelID == mv.ID && snap.Stage == 1 && snap.DPD == 0 && snap.NextDueDate.After(civil.MustParse("2026-11-01")) {
			if control == 0 {
				control = id
				continue
			}
			hist, err := s.ScoreHistory(ctx, id)
			if err != nil || len(hist) == 0 || hist[len(hist)-1].Score != snap.Score || snap.Reasons == "" || snap.PD <= 0 {
				t.Fatalf("loan %d: snapshot score %d PD %v reasons %q, history %+v", id, snap.Score, snap.PD, snap.Reasons, hist)
			}
			break
		}
	}
	if id == 6000 {
		t.Fatal("no scored stage 1 loan after close of business")
	}
	// Close of business scores exactly as training sees a loan: the same
	// features from the full loan record give the same points, loan by loan.
	art, err := artefact.Read(bytes.NewReader(mv.Artefact))
	if err != nil {
		t.Fatal(err)
	}
	scorer := scoring.NewScorer(art.Model(), 0)
	prods, _ := s.Products(ctx)
	checked := 0
	for lid := int64(1); lid <= 6000 && checked < 300; lid++ {
		snap, err := s.Snapshot(ctx, lid)
		if err != nil || snap.ModelID != mv.ID {
			continue
		}
		l, _ := s.Loan(ctx, lid)
		txs, _ := s.Transactions(ctx, lid)
		st := servicing.Replay(prods[l.Product], l, txs, civil.MustParse("2026-10-31"))
		row := map[string]string{}
		for i, v := range behaviour.Row(l, &st) {
			row[behaviour.Names[i]] = v
		}
		res, err := scorer.ScoreStrings(row)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Score != int(math.Round(res.Score)) {
			t.Fatalf("loan %d: close of business scored %d, the training path %.0f", lid, snap.Score, res.Score)
		}
		checked++
	}
	if checked < 300 {
		t.Fatalf("only %d scored loans to check", checked)
	}
	// ECL is PD × LGD × EAD with the score's PD, not the placeholder's.
	recs, err := s.Records(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for lid, rec := range recs {
		snap, _ := s.Snapshot(ctx, lid)
		if snap.ModelID == 0 || snap.Status != servicing.StatusActive {
			continue
		}
		l, _ := s.Loan(ctx, lid)
		lgd := prods[l.Product].LGD
		if want := eod.ECL(&snap, lgd); rec.ECL != want {
			t.Fatalf("loan %d: ECL %v, want %v from PD %v", lid, rec.ECL, want, snap.PD)
		}
		unscored := snap
		unscored.PD = 0
		if eod.ECL(&unscored, lgd) != rec.ECL {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no loan's ECL differs from the placeholder PD's")
	}

	// IFRS 9 stage 2 by score: had the loan first scored 100 points higher
	// (odds of bad more than 4 times better, PDO 20), its current score is a
	// significant increase in credit risk.
	snap, _ := s.Snapshot(ctx, id)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE loan_state SET initial_score = ? WHERE loan_id = ?`, snap.Score+100, id); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := run(t, db, "eod", "--date", "2026-11-01", "--full"); code != 0 {
		t.Fatalf("eod: %s", errs)
	}
	after2, _ := s.Snapshot(ctx, id)
	if after2.Stage != 2 || after2.DPD != 0 || after2.Class.String() != "normal" {
		t.Errorf("loan %d after a 100-point fall since its first score: stage %d DPD %d class %v, want stage 2 while current and normal", id, after2.Stage, after2.DPD, after2.Class)
	}
	if c, _ := s.Snapshot(ctx, control); c.Stage != 1 {
		t.Errorf("control loan %d: stage %d, want 1", control, c.Stage)
	}
}
