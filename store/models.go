package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
)

// ModelVersion is one registered model.
type ModelVersion struct {
	ID        int64
	Segment   string // "all" or a product code
	Version   int    // 1, 2, … within the segment
	Kind      string // scorecard or gbdt
	CreatedAt string
	AsOf      civil.Date // observation date of the training data
	Horizon   int        // months
	Metrics   string     // JSON
	Artefact  []byte     // the model file
	Champion  bool
}

// RegisterModel stores a new model version in its segment and returns it
// with its id and version.
// The id comes from the database's sequence; the version is the next in
// the segment, and two registrations racing for it meet on the segment's
// unique key: the later one tries the next version.
func (db *DB) RegisterModel(ctx context.Context, m ModelVersion) (ModelVersion, error) {
	for attempt := 0; ; attempt++ {
		err := db.inTx(ctx, func(t *wtx) error {
			if err := t.can(auth.RegisterModel, auth.Book()); err != nil {
				return err
			}
			if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM models WHERE segment = ?`, m.Segment).Scan(&m.Version); err != nil {
				return err
			}
			m.CreatedAt = t.stamp()
			if err := t.QueryRowContext(ctx, `INSERT INTO models (segment, version, kind, created_at, as_of, horizon, metrics, artefact, champion)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`, m.Segment, m.Version, m.Kind, m.CreatedAt, m.AsOf, m.Horizon, m.Metrics, string(m.Artefact)).Scan(&m.ID); err != nil {
				return err
			}
			return t.audit(ctx, string(auth.RegisterModel), audit.Object("model", strconv.FormatInt(m.ID, 10)), audit.Digest(m.Artefact),
				fmt.Sprintf("%s model, segment %s version %d, trained as of %s", m.Kind, m.Segment, m.Version, m.AsOf))
		})
		if err == nil || !isUniqueViolation(err) || attempt == 5 {
			return m, err
		}
	}
}

// SetChampion makes model id the champion of its segment, and no other.
func (db *DB) SetChampion(ctx context.Context, id int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.can(auth.PromoteModel, auth.Book()); err != nil {
		return err
	}
	var segment string
	err = tx.QueryRowContext(ctx, `SELECT segment FROM models WHERE id = ?`, id).Scan(&segment)
	if errors.Is(err, sql.ErrNoRows) {
		return daihou.Errorf(daihou.ENOTFOUND, "model %d not found", id)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE models SET champion = CASE WHEN id = ? THEN 1 ELSE 0 END WHERE segment = ?`, id, segment); err != nil {
		return err
	}
	if err := tx.audit(ctx, string(auth.PromoteModel), audit.Object("model", strconv.FormatInt(id, 10)), audit.Hash{}, "champion of segment "+segment); err != nil {
		return err
	}
	return tx.Commit()
}

const modelColumns = `id, segment, version, kind, created_at, as_of, horizon, metrics, artefact, champion`

func scanModel(sc interface{ Scan(...any) error }) (ModelVersion, error) {
	var m ModelVersion
	var art string
	var champ int
	err := sc.Scan(&m.ID, &m.Segment, &m.Version, &m.Kind, &m.CreatedAt, &m.AsOf, &m.Horizon, &m.Metrics, &art, &champ)
	m.Artefact, m.Champion = []byte(art), champ != 0
	return m, err
}

// Champion returns the champion of a segment; ENOTFOUND when it has none.
func (db *DB) Champion(ctx context.Context, segment string) (ModelVersion, error) {
	m, err := scanModel(db.read.QueryRowContext(ctx, `SELECT `+modelColumns+` FROM models WHERE segment = ? AND champion = 1`, segment))
	if errors.Is(err, sql.ErrNoRows) {
		return m, daihou.Errorf(daihou.ENOTFOUND, "no champion model for segment %q: train one with 'daihou model train --portfolio --champion'", segment)
	}
	return m, err
}

// Models lists the registered models, newest first, without artefacts.
func (db *DB) Models(ctx context.Context) ([]ModelVersion, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+modelColumns+` FROM models ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ModelVersion
	for rows.Next() {
		m, err := scanModel(rows)
		if err != nil {
			return nil, err
		}
		m.Artefact = nil
		out = append(out, m)
	}
	return out, rows.Err()
}
