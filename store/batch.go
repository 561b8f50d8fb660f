package store

import (
	"context"
	"database/sql"
	"strings"
)

// batcher turns many single-row inserts into multi-row INSERT statements:
// the per-statement cost of the driver, not SQLite's b-tree work,
// dominates bulk paths, so writing a hundred rows per statement is several
// times faster than one.
type batcher struct {
	tx      batchTx
	head    string // INSERT INTO t (cols) VALUES
	tail    string // ON CONFLICT … or ""
	cols    int
	perStmt int
	full    *sql.Stmt
	args    []any
}

// batchTx is what a batcher writes through: a *sql.Tx, or a write
// transaction whose statements are cached.
type batchTx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func newBatcher(tx batchTx, head, tail string, cols int) *batcher {
	per := max(1, 2000/cols)
	return &batcher{tx: tx, head: head, tail: tail, cols: cols, perStmt: per, args: make([]any, 0, per*cols)}
}

func (b *batcher) stmt(rows int) string {
	row := "(" + placeholders(b.cols) + ")"
	return b.head + " " + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ") + " " + b.tail
}

// add queues one row, flushing a full statement's worth.
func (b *batcher) add(ctx context.Context, row ...any) error {
	b.args = append(b.args, row...)
	if len(b.args) < b.perStmt*b.cols {
		return nil
	}
	if b.full == nil {
		// A write transaction's cache keeps the full statement from one
		// batch to the next: close of business writes each table in a
		// statement or two of a few thousand placeholders, a chunk at a
		// time, and parsing them anew cost it a thirtieth of its time.
		text := b.stmt(b.perStmt)
		if w, ok := b.tx.(*wtx); ok {
			b.full = w.stmt(ctx, text)
		}
		if b.full == nil {
			var err error
			if b.full, err = b.tx.PrepareContext(ctx, text); err != nil {
				return err
			}
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

// flush writes the queued rows and releases the prepared statement.
func (b *batcher) flush(ctx context.Context) error {
	defer func() {
		if b.full != nil {
			b.full.Close()
			b.full = nil
		}
	}()
	if len(b.args) == 0 {
		return nil
	}
	// A last, partial statement of many rows is seldom seen again and not
	// worth a place in the cache; one of a few rows (a posting's) is the
	// common case.
	rows := len(b.args) / b.cols
	exec := b.tx.ExecContext
	if w, ok := b.tx.(*wtx); ok && rows > 4 {
		exec = w.Tx.ExecContext
	}
	_, err := exec(ctx, b.stmt(rows), b.args...)
	b.args = b.args[:0]
	return err
}
