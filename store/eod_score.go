package store

import (
	"bytes"
	"context"
	"database/sql"
	"math"
	"strings"
	"sync"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/scoring"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/scoring/metrics"
	"daihou/servicing"
)

// eodScorer scores loans during close of business with the champion model
// of segment "all": every loan close of business re-derives — those whose
// inputs changed — gets a fresh score, PD and reason codes.
type eodScorer struct {
	mv      ModelVersion
	art     *artefact.Artefact
	model   scoring.Model
	enc     *scoring.Encoder
	columns []int // for each model feature, its index in behaviour.Names
	bufs    sync.Pool
}

// loadEODScorer returns the champion's scorer, or nil when there is none.
func (db *DB) loadEODScorer(ctx context.Context) (*eodScorer, error) {
	mv, err := db.Champion(ctx, "all")
	if daihou.ErrorCode(err) == daihou.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a, err := artefact.Read(bytes.NewReader(mv.Artefact))
	if err != nil {
		return nil, err
	}
	m := a.Model()
	sc := &eodScorer{mv: mv, art: a, model: m, enc: scoring.NewEncoder(m.Features())}
	for _, f := range m.Features() {
		k := -1
		for i, n := range behaviour.Names {
			if n == f.Name {
				k = i
			}
		}
		if k < 0 {
			return nil, daihou.Errorf(daihou.EINVALID, "champion model %d uses feature %q, which the ledger does not provide", mv.ID, f.Name)
		}
		sc.columns = append(sc.columns, k)
	}
	nf, nr := len(sc.columns), max(a.Reasons, 0)
	sc.bufs.New = func() any { return &scoreBuf{x: make([]float64, nf), reasons: make([]scoring.Reason, nr)} }
	return sc, nil
}

type scoreBuf struct {
	x       []float64
	reasons []scoring.Reason
}

// derive replays a loan, classifies it and, with a scorer, scores it.
func (sc *eodScorer) derive(p servicing.Product, l servicing.Loan, txs []servicing.Tx, date civil.Date, x loanstate.Extra) loanstate.Snapshot {
	st := servicing.Replay(p, l, txs, date)
	if sc == nil || st.Status != servicing.StatusActive {
		return loanstate.FromState(&st, x)
	}
	row := behaviour.Row(l, &st)
	b := sc.bufs.Get().(*scoreBuf)
	defer sc.bufs.Put(b)
	for j, k := range sc.columns {
		v, err := sc.enc.Value(j, row[k])
		if err != nil {
			v = math.NaN() // scored as missing
		}
		b.x[j] = v
	}
	r := sc.model.ScoreRow(b.x, b.reasons)
	remaining := 0
	for i := range st.Installments {
		if in := &st.Installments[i]; !in.Closed && in.DueDate.After(date) {
			remaining++
		}
	}
	names := make([]string, len(r.Reasons))
	for i, rc := range r.Reasons {
		names[i] = rc.Feature
	}
	score := int(math.Round(r.Score))
	// The score feeds classification like any other input: a significant
	// increase in credit risk moves the IFRS 9 stage there.
	x.ScoreDeteriorated = classification.ScoreDeteriorated(x.InitialScore, score, sc.art.Scaling.PDO)
	snap := loanstate.FromState(&st, x)
	snap.ModelID = sc.mv.ID
	snap.Score = score
	snap.PD = eod.HorizonPD(r.PD, sc.mv.Horizon, snap.Stage, remaining)
	snap.Reasons = strings.Join(names, ",")
	return snap
}

// scoreHistory appends a loan_scores row whenever close of business changes
// a loan's score, PD or reasons.
type scoreHistory struct{ b *batcher }

func newScoreHistory(tx *sql.Tx) *scoreHistory {
	return &scoreHistory{newBatcher(tx, `INSERT INTO loan_scores (loan_id, as_of, model_id, score, pd, reasons) VALUES`,
		`ON CONFLICT (loan_id, as_of) DO UPDATE SET model_id = excluded.model_id, score = excluded.score, pd = excluded.pd, reasons = excluded.reasons`, 6)}
}

func (h *scoreHistory) add(ctx context.Context, old, s *loanstate.Snapshot) error {
	if s.ModelID == 0 || (old != nil && old.ModelID == s.ModelID && old.Score == s.Score && old.PD == s.PD && old.Reasons == s.Reasons) {
		return nil
	}
	return h.b.add(ctx, s.LoanID, s.AsOf, s.ModelID, float64(s.Score), float64(s.PD)/1e10, s.Reasons)
}

func (h *scoreHistory) flush(ctx context.Context) error { return h.b.flush(ctx) }

// monitor records, on a month's last day, the population stability of
// the champion's scored loans against its training population.
func (sc *eodScorer) monitor(ctx context.Context, tx *sql.Tx, date civil.Date) error {
	if sc == nil || date.AddDays(1).Day() != 1 || len(sc.art.Training.ScoreEdges) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT score, pd FROM loan_state WHERE status = 'active' AND model_id = ?`, sc.mv.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var scores []float64
	var sumPD float64
	for rows.Next() {
		var score, pd int64
		if err := rows.Scan(&score, &pd); err != nil {
			return err
		}
		scores = append(scores, float64(score))
		sumPD += float64(pd) / 1e10
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(scores) == 0 {
		return nil
	}
	psi := metrics.PSI(sc.art.Training.ScoreShares, metrics.Shares(scores, sc.art.Training.ScoreEdges))
	_, err = tx.ExecContext(ctx, `INSERT INTO model_monitoring (model_id, month, population, psi, mean_pd) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (model_id, month) DO UPDATE SET population = excluded.population, psi = excluded.psi, mean_pd = excluded.mean_pd`,
		sc.mv.ID, date.MonthIndex(), len(scores), psi, sumPD/float64(len(scores)))
	return err
}

// Monitoring is one month of a model's population stability.
type Monitoring struct {
	ModelID    int64
	Month      int // civil.Date.MonthIndex
	Population int
	PSI        float64
	MeanPD     float64
}

// ModelMonitoring returns the monthly monitoring of a model, oldest first.
func (db *DB) ModelMonitoring(ctx context.Context, modelID int64) ([]Monitoring, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT model_id, month, population, psi, mean_pd FROM model_monitoring WHERE model_id = ? ORDER BY month`, modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Monitoring
	for rows.Next() {
		var m Monitoring
		if err := rows.Scan(&m.ModelID, &m.Month, &m.Population, &m.PSI, &m.MeanPD); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ScoreEntry is one entry of a loan's score history.
type ScoreEntry struct {
	AsOf    civil.Date
	ModelID int64
	Score   float64
	PD      float64
	Reasons string
}

// ScoreHistory returns a loan's scores, oldest first.
func (db *DB) ScoreHistory(ctx context.Context, loanID int64) ([]ScoreEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, model_id, score, pd, reasons FROM loan_scores WHERE loan_id = ? ORDER BY as_of`, loanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScoreEntry
	for rows.Next() {
		var e ScoreEntry
		if err := rows.Scan(&e.AsOf, &e.ModelID, &e.Score, &e.PD, &e.Reasons); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
