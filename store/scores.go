package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"daihou/eod"
	"daihou/loanstate"
	"daihou/scoring/artefact"
)

// deriver returns the derivation of the book read through q: the contagion
// rule of the settings and the champion model's scorer (nil without a
// champion). The parsed champion is kept between calls and read again only
// when another model becomes champion.
func (db *DB) deriver(ctx context.Context) (*loanstate.Deriver, *loanstate.ModelScorer, error) {
	return db.deriverQ(ctx, db.read)
}

func (db *DB) deriverQ(ctx context.Context, q querier) (*loanstate.Deriver, *loanstate.ModelScorer, error) {
	c, err := contagion(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	d := &loanstate.Deriver{Contagion: c}
	var id int64
	var horizon int
	err = q.QueryRowContext(ctx, `SELECT id, horizon FROM models WHERE segment = 'all' AND champion = 1`).Scan(&id, &horizon)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	db.mu.Lock()
	sc := db.champion
	db.mu.Unlock()
	if sc == nil || sc.ModelID() != id {
		var text string
		if err := q.QueryRowContext(ctx, `SELECT artefact FROM models WHERE id = ?`, id).Scan(&text); err != nil {
			return nil, nil, err
		}
		a, err := artefact.Read(bytes.NewReader([]byte(text)))
		if err != nil {
			return nil, nil, fmt.Errorf("champion model %d: %w", id, err)
		}
		if sc, err = loanstate.NewModelScorer(id, horizon, a); err != nil {
			return nil, nil, fmt.Errorf("champion model %d: %w", id, err)
		}
		db.mu.Lock()
		db.champion = sc
		db.mu.Unlock()
	}
	d.Scorer = sc
	return d, sc, nil
}

// ModelMonitoring returns the monthly monitoring of a model, oldest first.
func (db *DB) ModelMonitoring(ctx context.Context, modelID int64) ([]eod.Monitoring, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT model_id, month, population, psi, mean_pd FROM model_monitoring WHERE model_id = ? ORDER BY month`, modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eod.Monitoring
	for rows.Next() {
		var m eod.Monitoring
		if err := rows.Scan(&m.ModelID, &m.Month, &m.Population, &m.PSI, &m.MeanPD); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ScoreHistory returns a loan's scores, oldest first.
func (db *DB) ScoreHistory(ctx context.Context, loanID int64) ([]loanstate.ScoreChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, model_id, score, pd, reasons FROM loan_scores WHERE loan_id = ? ORDER BY as_of`, loanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []loanstate.ScoreChange
	for rows.Next() {
		e := loanstate.ScoreChange{LoanID: loanID}
		var score float64
		if err := rows.Scan(&e.AsOf, &e.ModelID, &score, &e.PD, &e.Reasons); err != nil {
			return nil, err
		}
		e.Score = int(score)
		out = append(out, e)
	}
	return out, rows.Err()
}
