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
		var err error
		if b.full, err = b.tx.PrepareContext(ctx, b.stmt(b.perStmt)); err != nil {
			return err
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
	_, err := b.tx.ExecContext(ctx, b.stmt(len(b.args)/b.cols), b.args...)
	b.args = b.args[:0]
	return err
}
