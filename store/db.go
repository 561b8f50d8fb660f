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
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // the embedded database driver

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/pii"
)

//go:embed migrations
var migrations embed.FS

// DB is a daihou database.
type DB struct {
	dialect Dialect
	read    *cachedDB
	write   *sql.DB
	// writeStmts caches the write transactions' statements.
	writeStmts *stmtCache
	// Now is the wall clock, the one every transaction reads (once, when
	// it begins); tests inject their own.
	Now func() time.Time

	readOnly bool
	file     string       // the SQLite file; "" on PostgreSQL
	warm     warming      // Warm's progress
	keys     *pii.KeyRing // seals and opens personal data; nil for none

	mu       sync.Mutex
	champion *loanstate.ModelScorer // the parsed champion, kept between derivations
	// arrival is the configuration warnings on arrival derive with, kept
	// for arrivalTTL: a webhook's every request would otherwise read the
	// products and the model and compile the rules again.
	arrival     *eod.Config
	arrivalTill time.Time

	// cells keeps the portfolio cells dashboards read on every request.
	cells cellCache

	groupOnce sync.Once
	group     chan *postRequest // postings for the group committer (PostShared)
	closed    chan struct{}     // closed by Close: the committer stops
	// checkpointed is closed when the checkpointer has stopped (SQLite
	// writers; nil otherwise).
	checkpointed chan struct{}
	closeOnce    sync.Once
}

// Open opens the database named by dsn — a postgres:// URL for
// PostgreSQL, otherwise a SQLite file path, created if needed — and applies
// pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, false)
}

// OpenReadOnly opens an existing database for reading only: no migration
// runs and nothing can be written, so a read-only file (or a replica) can
// be reported on. It refuses a schema older or newer than this daihou's.
func OpenReadOnly(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, true)
}

func open(ctx context.Context, dsn string, readOnly bool) (*DB, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn, readOnly)
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if dir := filepath.Dir(path); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, daihou.Errorf(daihou.EINVALID, "cannot open database %s: the folder %s does not exist (create it, or pass --db with another path)", path, dir)
		}
	}
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, daihou.Errorf(daihou.ENOTFOUND, "no database at %s: pass --db (or set DAIHOU_DB), or create one with 'daihou demo' or 'daihou gen'", path)
		}
	}
	return openSQLite(ctx, path, readOnly, time.Now().Add(10*time.Second))
}

// openSQLite opens the SQLite file at path, trying again until busyUntil
// while another process holds it busy.
func openSQLite(ctx context.Context, path string, readOnly bool, busyUntil time.Time) (*DB, error) {
	q := url.Values{}
	pragmas := []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}
	if readOnly {
		pragmas = []string{"busy_timeout(10000)"}
		q.Set("mode", "ro")
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	conn := "file:" + path + "?" + q.Encode()
	// Readers map the file (the bulk reads of close of business then cost
	// no system call per page) and keep up to 64 MiB of pages each; the
	// writer does not map it, as a mapped writer gains little and would
	// make its pages count as its memory.
	read, err := sql.Open("sqlite", conn+"&_pragma=cache_size(-65536)&_pragma=mmap_size(17179869184)")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	// Write transactions take the write lock when they begin, not at their
	// first write: a transaction that reads and then writes would otherwise
	// fail with SQLITE_BUSY when another process committed in between.
	//
	// The writer keeps 16 MiB of pages, which holds a chunk's changes. A
	// page it has not held before is fresh memory that its first write
	// faults in; past 16 MiB it reuses the memory of pages it held. With
	// 64 MiB a steady night at 1,000,000 loans took a tenth longer and a
	// signal import of 100,000 records two fifths longer. A page it no
	// longer holds is read again from the operating system's cache.
	write := read
	if !readOnly {
		if write, err = sql.Open("sqlite", conn+"&_txlock=immediate&_pragma=cache_size(-16384)&_pragma=wal_autocheckpoint(0)"); err != nil {
			read.Close()
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		write.SetMaxOpenConns(1)
	}
	db := newDB(SQLite, read, write, readOnly)
	db.file = path
	err = db.migrate(ctx)
	if isBusy(err) && time.Now().Before(busyUntil) {
		// Processes starting at once on a new file: the one turning it to
		// WAL holds it for a moment, and SQLite answers busy without
		// waiting on the busy timeout. Open again shortly.
		db.Close()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(20+rand.IntN(80)) * time.Millisecond):
		}
		return openSQLite(ctx, path, readOnly, busyUntil)
	}
	if readOnly && isReadOnlyFile(err) && !strings.Contains(conn, "immutable=1") {
		// A WAL database in a folder we cannot write: SQLite cannot make
		// its shared-memory file, so it is read as immutable — no process
		// can write a file that nobody may write.
		db.Close()
		q.Set("immutable", "1")
		return openSQLiteReadOnly(ctx, path, "file:"+path+"?"+q.Encode()+"&_pragma=cache_size(-65536)")
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if !readOnly {
		db.checkpointInBackground()
	}
	return db, nil
}

// newDB returns the store over the read and write pools of a database.
func newDB(d Dialect, read, write *sql.DB, readOnly bool) *DB {
	cache := d == SQLite
	return &DB{dialect: d, read: &cachedDB{read, newStmtCache(read, cache)}, write: write, writeStmts: newStmtCache(write, cache && !readOnly),
		Now: time.Now, readOnly: readOnly, closed: make(chan struct{})}
}

// openSQLiteReadOnly opens path through conn for reading only.
func openSQLiteReadOnly(ctx context.Context, path, conn string) (*DB, error) {
	read, err := sql.Open("sqlite", conn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	db := newDB(SQLite, read, read, true)
	db.file = path
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// isReadOnlyFile reports whether err is SQLite's refusal to touch a file
// (or its folder) it may not write.
func isReadOnlyFile(err error) bool { return sqliteCode(err) == 8 } // SQLITE_READONLY

// isBusy reports whether err is SQLite's SQLITE_BUSY.
func isBusy(err error) bool { return sqliteCode(err) == 5 }

// sqliteCode is the primary result code of a SQLite error in err (its
// extended codes folded in), 0 for any other error.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return 0
	}
	return se.Code() & 0xff
}

// openPostgres opens a PostgreSQL database. Reads and writes share one
// server but use separate pools, so a long bulk write never starves the
// queries of a console or an API.
func openPostgres(ctx context.Context, dsn string, readOnly bool) (*DB, error) {
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
	db := newDB(Postgres, read, write, readOnly)
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
	db.closeOnce.Do(func() { close(db.closed) })
	if db.checkpointed != nil {
		<-db.checkpointed
	}
	db.read.stmts.close()
	db.writeStmts.close()
	err1 := db.read.Close()
	var err2 error
	if db.write != db.read.DB {
		err2 = db.write.Close()
	}
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
// own transaction, and refuses a database migrated by a newer daihou. Many
// processes may start on one new database at once: on PostgreSQL they
// queue on an advisory lock; on SQLite each migration's transaction takes
// the write lock at BEGIN and reads the version inside it, so a migration
// another process applied meanwhile is skipped, not applied twice.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(string(db.dialect))
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	if db.readOnly {
		current, err := db.SchemaVersion(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("not a daihou database, or not readable: %w", err)
		case current > latest:
			return daihou.Errorf(daihou.ECONFLICT, "database schema version %d is newer than this daihou knows (%d): upgrade daihou", current, latest)
		case current < latest:
			return daihou.Errorf(daihou.ECONFLICT, "database schema version %d is older than this daihou's (%d): run 'daihou migrate' with write access first", current, latest)
		}
		return nil
	}
	if db.dialect == Postgres {
		// Many serve and eod processes may start at once: one migrates,
		// the others wait on the lock and then find nothing to do.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7261001)`); err != nil {
			return err
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7261001)`)
	}
	for _, m := range ms {
		done, err := db.applyMigration(ctx, m, latest)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// applyMigration applies m unless the database has it, in one
// transaction; done reports that the database is already at latest.
func (db *DB) applyMigration(ctx context.Context, m migration, latest int) (done bool, err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return false, err
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return false, err
	}
	if current > latest {
		return false, daihou.Errorf(daihou.ECONFLICT, "database schema version %d is newer than this daihou knows (%d): upgrade daihou", current, latest)
	}
	if current >= latest {
		return true, nil
	}
	if m.version <= current {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, db.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	return false, tx.Commit()
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// BusinessDate returns the business date: the date the last close of
// business opened, or the date the book was opened on. It returns
// ErrNoBusinessDate (ECONFLICT) on a book not opened yet.
func (db *DB) BusinessDate(ctx context.Context) (civil.Date, error) {
	d, err := businessDate(ctx, db.read)
	if err == nil && d == 0 {
		err = ErrNoBusinessDate
	}
	return d, err
}

// OpenBook sets the business date of a book that has none yet, or that
// close of business has never run on: the date the book is taken over on.
// After a close of business only close of business moves the date
// (ECONFLICT otherwise).
func (db *DB) OpenBook(ctx context.Context, d civil.Date) error {
	return db.inTx(ctx, func(t *wtx) error {
		// Opening a book is the first step of taking it over: whoever may
		// import loans or close business may do it.
		if t.can(auth.ImportLoans, auth.Book()) != nil {
			if err := t.can(auth.RunEOD, auth.Book()); err != nil {
				return err
			}
		}
		var closed int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM eod_runs`).Scan(&closed); err != nil {
			return err
		}
		if closed > 0 && t.business != d {
			return daihou.Errorf(daihou.ECONFLICT, "the business date is %v and moves only by close of business: run 'daihou eod --date %v'", t.business, d)
		}
		if t.business == d {
			return nil
		}
		if err := setBusinessDate(ctx, t, d); err != nil {
			return err
		}
		t.business = d
		return t.audit(ctx, "book.open", "book", audit.DigestFields(d.String()), "business date set to "+d.String())
	})
}

// Ready reports whether the database answers and carries the schema this
// binary knows, and has been read into memory if Warm is reading it.
func (db *DB) Ready(ctx context.Context) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	ms, err := loadMigrations(string(db.dialect))
	if err != nil {
		return err
	}
	if latest := ms[len(ms)-1].version; v != latest {
		return fmt.Errorf("schema version %d, this daihou needs %d: run 'daihou migrate'", v, latest)
	}
	return db.warmingErr()
}

// checkpointEvery is how often a writing process moves SQLite's
// write-ahead log into the database.
const checkpointEvery = 500 * time.Millisecond

// checkpointInBackground moves SQLite's write-ahead log into the database
// every checkpointEvery, from a reader's connection, until Close. The
// writer's connections do not checkpoint (wal_autocheckpoint 0): left to
// itself SQLite checkpoints in the commit that takes the log past 1,000
// pages, and that commit waits for the copy and its fsync — under a
// steady stream of postings every few hundredth one took tens of
// milliseconds, and a bulk import's or close of business's every chunk
// paid one, a fifth of a signal import's time. Close waits for it, so no
// connection of it outlives the book.
func (db *DB) checkpointInBackground() {
	db.checkpointed = make(chan struct{})
	go func() {
		defer close(db.checkpointed)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-db.closed:
				return
			case <-t.C:
				// PASSIVE copies what no reader still needs and never
				// waits for the writer; what it leaves, the next one
				// takes. The writer starts the log afresh once a
				// checkpoint has taken all of it.
				db.read.DB.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
}
