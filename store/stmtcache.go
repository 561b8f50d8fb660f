package store

import (
	"context"
	"database/sql"
	"slices"
	"sync"
)

// Prepared statements, kept by query text. modernc's SQLite parses every
// statement it is given, and parsing was a third of the CPU of a posting
// through the API; database/sql keeps a *sql.Stmt prepared once on each
// connection that runs it, so a cached statement is parsed once per
// connection. PostgreSQL's driver (pgx) caches statements itself.
type stmtCache struct {
	db *sql.DB
	on bool

	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// Bounds of the cache: queries built with a varying number of
// placeholders have many texts, of which only the common ones are kept.
const (
	maxCachedStmts   = 1024
	maxCachedStmtLen = 16384
)

func newStmtCache(db *sql.DB, on bool) *stmtCache {
	return &stmtCache{db: db, on: on, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, nil when it is not cached
// (the cache is off or full, or preparing failed: the caller then runs the
// query unprepared, which reports any error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if !c.on || len(query) > maxCachedStmtLen {
		return nil
	}
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= maxCachedStmts
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	// Prepared without the lock: preparing waits for a free connection,
	// and a caller holding one (rows still open) may be asking for
	// another statement meanwhile.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.m[query]; ok {
		st.Close()
		return have
	}
	if len(c.m) >= maxCachedStmts {
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// lookup returns the cached statement of query, nil when there is none,
// without preparing it.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if !c.on {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// wants reports whether query would be cached.
func (c *stmtCache) wants(query string) bool {
	if !c.on || len(query) > maxCachedStmtLen {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.m[query]
	return !ok && len(c.m) < maxCachedStmts
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// cachedDB is a database handle whose queries run through the cache.
type cachedDB struct {
	*sql.DB
	stmts *stmtCache
}

func (c *cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmts.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.DB.ExecContext(ctx, query, args...)
}

func (c *cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.DB.QueryContext(ctx, query, args...)
}

func (c *cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.DB.QueryRowContext(ctx, query, args...)
}

// The write transaction's queries run through the write handle's cache,
// bound to the transaction's connection. A statement not cached yet runs
// unprepared and is prepared after the transaction ends: SQLite's write
// pool has one connection, which the transaction holds, so preparing on
// the pool meanwhile would wait for ever.

func (t *wtx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.db.writeStmts.lookup(query); st != nil {
		return t.Tx.StmtContext(ctx, st)
	}
	if t.db.writeStmts.wants(query) {
		t.unprepared = append(t.unprepared, query)
	}
	return nil
}

// prepareLater prepares the statements t ran unprepared, once the write
// pool is free again.
func (db *DB) prepareLater(ctx context.Context, queries []string) {
	for _, q := range queries {
		db.writeStmts.get(ctx, q)
	}
}

func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// rtx is a read transaction whose queries run through the read handle's
// cache, bound to the transaction's connection. A statement not cached
// yet runs unprepared and is prepared once the transaction has ended and
// given its connection back: preparing on the pool while holding one of
// its connections could wait on the others, each held by a reader doing
// the same.
type rtx struct {
	*sql.Tx
	stmts      *stmtCache
	unprepared []string
}

func (t *rtx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.stmts.lookup(query); st != nil {
		return t.Tx.StmtContext(ctx, st)
	}
	if t.stmts.wants(query) {
		t.unprepared = append(t.unprepared, query)
	}
	return nil
}

func (t *rtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *rtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// Rollback ends the transaction and prepares the statements it ran
// unprepared.
func (t *rtx) Rollback() error {
	err := t.Tx.Rollback()
	queries := slices.Compact(slices.Sorted(slices.Values(t.unprepared)))
	t.unprepared = nil
	for _, q := range queries {
		t.stmts.get(context.Background(), q)
	}
	return err
}
