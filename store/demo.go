package store

import (
	"context"
	"sort"

	"daihou"
	"daihou/audit"
	"daihou/auth"
)

// ResetDemo empties a database that `daihou demo` created, so the demo can
// be run again. Any other database that holds loans is refused with
// ECONFLICT: a demo must never wipe a real book.
func (db *DB) ResetDemo(ctx context.Context) error {
	demo, err := db.Setting(ctx, "demo")
	if err != nil {
		return err
	}
	if demo != "1" {
		var n int
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return daihou.Errorf(daihou.ECONFLICT, "this database holds loans and was not made by the demo; pass --db with a new path")
		}
	}
	tables, err := db.tables(ctx)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *wtx) error {
		if err := tx.can(auth.ChangeConfig, auth.System()); err != nil {
			return err
		}
		// Children before parents, so foreign keys hold throughout. The
		// demo's audit trail starts again from the genesis hash, with the
		// reset as its first entry.
		order := []string{"transactions", "loan_state", "classification_overrides", "classification_history", "loans", "borrowers", "products"}
		done := map[string]bool{"schema_migrations": true, "audit_head": true}
		for _, t := range append(others(tables, order), order...) {
			if done[t] {
				continue
			}
			done[t] = true
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		g := audit.Genesis()
		if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, g.Seq, g.Hash.String()); err != nil {
			return err
		}
		tx.business = 0
		return tx.audit(ctx, "demo.reset", "book", audit.Hash{}, "the demo book was emptied to be built again")
	})
}

// others returns the tables not in known, so tables added by later
// migrations are emptied first.
func others(tables, known []string) []string {
	k := map[string]bool{}
	for _, t := range known {
		k[t] = true
	}
	var out []string
	for _, t := range tables {
		if !k[t] {
			out = append(out, t)
		}
	}
	return out
}

// tables lists the tables of the database's current schema.
func (db *DB) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.dialect == Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	return queryColumn[string](ctx, db.read, q)
}

// Columns returns every table of the schema with its columns, sorted: the
// shape the migrations gave the database.
func (db *DB) Columns(ctx context.Context) (map[string][]string, error) {
	tables, err := db.tables(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, t := range tables {
		q := `SELECT name FROM pragma_table_info(?)`
		if db.dialect == Postgres {
			q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`
		}
		cols, err := queryColumn[string](ctx, db.read, q, t)
		if err != nil {
			return nil, err
		}
		sort.Strings(cols)
		out[t] = cols
	}
	return out, nil
}
