package store

import (
	"context"
	"database/sql"
	"errors"

	"daihou"
	"daihou/config"
	"daihou/loanstate"
	"daihou/money"
)

// Setting returns a stored setting, "" when unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	return setting(ctx, db.read, key)
}

func setting(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
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

// Option returns the value of configuration option key (config.Options),
// its default when unset.
func (db *DB) Option(ctx context.Context, key string) (string, error) {
	return option(ctx, db.read, key)
}

func option(ctx context.Context, q querier, key string) (string, error) {
	o, err := config.Lookup(key)
	if err != nil {
		return "", daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	v, err := setting(ctx, q, "config."+key)
	if v == "" {
		v = o.Default
	}
	return v, err
}

// SetOption validates and stores configuration option key.
func (db *DB) SetOption(ctx context.Context, key, value string) error {
	if err := config.Check(key, value); err != nil {
		return daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	return db.SetSetting(ctx, "config."+key, value)
}

// maxRate returns the configured rate limit.
func maxRate(ctx context.Context, q querier) (money.Rate, error) {
	v, err := option(ctx, q, config.MaxRate)
	if err != nil {
		return 0, err
	}
	return config.Rate(config.MaxRate, v)
}

// contagion returns the configured contagion rule.
func contagion(ctx context.Context, q querier) (loanstate.Contagion, error) {
	v, err := option(ctx, q, config.Contagion)
	if err != nil || v == "off" {
		return loanstate.Contagion{Off: true}, err
	}
	r, err := config.Rate(config.Contagion, v)
	return loanstate.Contagion{Threshold: r}, err
}
