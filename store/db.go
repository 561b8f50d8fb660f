// Package store persists the servicing ledger in SQL: SQLite through the
// pure-Go modernc.org/sqlite driver by default, with the SQL kept portable
// to PostgreSQL. Schema migrations are embedded in the binary and applied on
// open; the program refuses a schema newer than it knows.
//
// Writes go through one connection (SQLite allows one writer at a time;
// queueing in Go is cheaper than busy-waiting in the driver); reads use a
// separate pool so that queries never wait behind a bulk import.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the embedded database driver

	"daihou"
	"daihou/civil"
)

//go:embed migrations
var migrations embed.FS

// DB is a daihou database.
type DB struct {
	dialect Dialect
	read    *sql.DB
	write   *sql.DB
	// Now is the wall clock, injected so tests control posted_at stamps.
	Now func() time.Time
}

// Open opens the database named by dsn — a postgres:// URL for
// PostgreSQL, otherwise a SQLite file path, created if needed — and applies
// pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	conn := "file:" + path + "?" + q.Encode()
	// Write transactions take the write lock when they begin, not at their
	// first write: a transaction that reads and then writes would otherwise
	// fail with SQLITE_BUSY when another process committed in between.
	write, err := sql.Open("sqlite", conn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", conn)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	db := &DB{dialect: SQLite, read: read, write: write, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openPostgres opens a PostgreSQL database. Reads and writes share one
// server but use separate pools, so a long bulk write never starves the
// queries of a console or an API.
func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	write, err := sql.Open(pgDriverName, dsn)
	if err != nil {
		return nil, daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	write.SetMaxOpenConns(8)
	read, err := sql.Open(pgDriverName, dsn)
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(8)
	db := &DB{dialect: Postgres, read: read, write: write, Now: time.Now}
	if err := write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Dialect returns the database's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the database.
func (db *DB) Close() error {
	err1 := db.read.Close()
	err2 := db.write.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(dialect string) ([]migration, error) {
	dir := "migrations/" + dialect
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, name, string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies every embedded migration not yet recorded, each in its
// own transaction, and refuses a database migrated by a newer daihou.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(string(db.dialect))
	if err != nil {
		return err
	}
	if db.dialect == Postgres {
		// Many serve and eod processes may start at once: one migrates,
		// the others wait on the lock and then find nothing to do.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7261001)`); err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7261001)`)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	var current int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if latest := ms[len(ms)-1].version; current > latest {
		return daihou.Errorf(daihou.ECONFLICT, "database schema version %d is newer than this daihou knows (%d): upgrade daihou", current, latest)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, db.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// BusinessDate returns the current business date: the last date close of
// business ran to, or today when it has never run.
func (db *DB) BusinessDate(ctx context.Context) (civil.Date, error) {
	return businessDate(ctx, db.read, db.Now)
}

func businessDate(ctx context.Context, q querier, now func() time.Time) (civil.Date, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'business_date'`).Scan(&v)
	if err == sql.ErrNoRows {
		return civil.FromTime(now()), nil
	}
	if err != nil {
		return 0, err
	}
	return civil.Parse(v)
}

// SetBusinessDate records d as the business date.
func (db *DB) SetBusinessDate(ctx context.Context, d civil.Date) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('business_date', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, d.String())
	return err
}

func (db *DB) stamp() string { return db.Now().UTC().Format(time.RFC3339Nano) }
