package store

import (
	"context"
	"database/sql"
	"errors"

	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
)

// PortfolioRow is one cell of the portfolio breakdown.
type PortfolioRow struct {
	Product     string
	Bucket      servicing.Bucket
	Class       classification.Class
	Stage       int
	Loans       int
	Outstanding money.Amount
}

// Portfolio returns active loans' count and outstanding principal by
// product, bucket, class and stage, from the cached state.
func (db *DB) Portfolio(ctx context.Context) ([]PortfolioRow, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT l.product, s.bucket, s.class, s.stage, COUNT(*), SUM(s.principal_outstanding)
		FROM loan_state s JOIN loans l ON l.id = s.loan_id
		WHERE s.status = 'active'
		GROUP BY l.product, s.bucket, s.class, s.stage
		ORDER BY l.product, s.bucket, s.class, s.stage`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PortfolioRow
	for rows.Next() {
		var r PortfolioRow
		var bucket string
		if err := rows.Scan(&r.Product, &bucket, &r.Class, &r.Stage, &r.Loans, &r.Outstanding); err != nil {
			return nil, err
		}
		r.Bucket, _ = servicing.ParseBucket(bucket)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Setting returns a stored setting, "" when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
