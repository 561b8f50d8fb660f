package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"daihou/civil"
	"daihou/classification"
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

// ModelMonitoring returns the monthly monitoring of a model, oldest first,
// without the bands (ModelMonitoringBands has them).
func (db *DB) ModelMonitoring(ctx context.Context, modelID int64) ([]eod.Monitoring, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT model_id, month, population, psi, mean_pd, horizon, observed, bads, auc, ks FROM model_monitoring WHERE model_id = ? ORDER BY month`, modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eod.Monitoring
	for rows.Next() {
		var m eod.Monitoring
		var auc, ks sql.NullFloat64
		if err := rows.Scan(&m.ModelID, &m.Month, &m.Population, &m.PSI, &m.MeanPD, &m.Horizon, &m.Observed, &m.Bads, &auc, &ks); err != nil {
			return nil, err
		}
		m.Measured = auc.Valid && ks.Valid
		m.AUC, m.KS = auc.Float64, ks.Float64
		out = append(out, m)
	}
	return out, rows.Err()
}

// ModelMonitoringBands returns the calibration by score band of a model's
// back-test in month (civil.Date.MonthIndex), lowest band first; none for
// a month without a back-test.
func (db *DB) ModelMonitoringBands(ctx context.Context, modelID int64, month int) ([]eod.Band, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT band, low, high, loans, bads, mean_pd, bad_rate FROM model_monitoring_bands WHERE model_id = ? AND month = ? ORDER BY band`, modelID, month)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eod.Band
	for rows.Next() {
		var b eod.Band
		if err := rows.Scan(&b.Band, &b.Low, &b.High, &b.Loans, &b.Bads, &b.MeanPD, &b.BadRate); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// saveMonitoring records a month of monitoring, replacing what a previous
// close of the month recorded (a rerun measures again).
func saveMonitoring(ctx context.Context, t *wtx, m *eod.Monitoring) error {
	var auc, ks sql.NullFloat64
	if m.Measured {
		auc, ks = sql.NullFloat64{Float64: m.AUC, Valid: true}, sql.NullFloat64{Float64: m.KS, Valid: true}
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO model_monitoring (model_id, month, population, psi, mean_pd, horizon, observed, bads, auc, ks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (model_id, month) DO UPDATE SET population = excluded.population, psi = excluded.psi, mean_pd = excluded.mean_pd,
			horizon = excluded.horizon, observed = excluded.observed, bads = excluded.bads, auc = excluded.auc, ks = excluded.ks`,
		m.ModelID, m.Month, m.Population, m.PSI, m.MeanPD, m.Horizon, m.Observed, m.Bads, auc, ks); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM model_monitoring_bands WHERE model_id = ? AND month = ?`, m.ModelID, m.Month); err != nil {
		return err
	}
	for _, b := range m.Bands {
		if _, err := t.ExecContext(ctx, `INSERT INTO model_monitoring_bands (model_id, month, band, low, high, loans, bads, mean_pd, bad_rate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ModelID, m.Month, b.Band, b.Low, b.High, b.Loans, b.Bads, b.MeanPD, b.BadRate); err != nil {
			return err
		}
	}
	return nil
}

// Outcomes implements eod.Store. It is one pass over the loans disbursed
// by start and not settled by then, each looked up by key: its latest
// score by start (loan_scores' primary key), its class then and the worst
// class after (its classification_history, by loan). So it grows with the
// book at start and the class changes of its loans, not with the days
// closed; close of business calls it at month ends only.
func (db *DB) Outcomes(ctx context.Context, model int64, start, end civil.Date) ([]eod.Outcome, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, s.score, s.pd,
			COALESCE(
				(SELECT h.to_class FROM classification_history h WHERE h.loan_id = l.id AND h.as_of <= ? ORDER BY h.as_of DESC, h.id DESC LIMIT 1),
				(SELECT h.from_class FROM classification_history h WHERE h.loan_id = l.id AND h.as_of > ? ORDER BY h.as_of, h.id LIMIT 1),
				ls.class),
			COALESCE((SELECT MAX(h.to_class) FROM classification_history h WHERE h.loan_id = l.id AND h.as_of > ? AND h.as_of <= ?), 0)
		FROM loans l
		JOIN loan_state ls ON ls.loan_id = l.id
		JOIN loan_scores s ON s.loan_id = l.id AND s.as_of = (SELECT MAX(x.as_of) FROM loan_scores x WHERE x.loan_id = l.id AND x.as_of <= ?)
		WHERE l.disbursed <= ? AND (ls.settled_date = 0 OR ls.settled_date > ?) AND s.model_id = ?
		ORDER BY l.id`, start, start, start, end, start, start, start, model)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []eod.Outcome
	for rows.Next() {
		var o eod.Outcome
		var then, worst int64
		if err := rows.Scan(&o.LoanID, &o.Score, &o.PD, &then, &worst); err != nil {
			return nil, err
		}
		o.ClassThen, o.WorstAfter = classification.Class(then), classification.Class(worst)
		out = append(out, o)
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
