package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/config"
	"daihou/inputtext"
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

// SetSetting stores a setting, as a change of configuration by the actor
// in ctx.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ChangeConfig, auth.System()); err != nil {
			return err
		}
		old, err := setting(ctx, t, key)
		if err != nil || old == value {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.ChangeConfig), audit.Object("setting", key), audit.DigestFields(key, value), fmt.Sprintf("%s: %q → %q", key, inputtext.Clip(old, 200), inputtext.Clip(value, 200)))
	})
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
	v, err := setting(ctx, q, o.SettingKey())
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
	o, _ := config.Lookup(key) // Check has found it
	return db.SetSetting(ctx, o.SettingKey(), value)
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
