package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
)

// rowWriter is what the bulk loader writes rows through: multi-row INSERT
// statements (batcher) everywhere, COPY on PostgreSQL.
type rowWriter interface {
	add(ctx context.Context, row ...any) error
	flush(ctx context.Context) error
}

// copier writes rows with PostgreSQL's COPY FROM STDIN inside the open
// transaction of conn — several times faster than INSERT for bulk loads.
type copier struct {
	conn  *sql.Conn
	table string
	cols  []string
	rows  [][]any
}

// copyRows is how many rows a copier buffers before it sends them.
const copyRows = 20_000

// newRowWriter returns a COPY writer on PostgreSQL when conn is given and
// the statement is a plain insert, and a multi-row INSERT batcher
// otherwise. head is "INSERT INTO table (col, …) VALUES".
func newRowWriter(d Dialect, tx *sql.Tx, conn *sql.Conn, head, tail string, cols int) rowWriter {
	if d != Postgres || conn == nil || tail != "" {
		return newBatcher(tx, head, tail, cols)
	}
	rest := strings.TrimPrefix(head, "INSERT INTO ")
	table, list, _ := strings.Cut(rest, " (")
	list, _, _ = strings.Cut(list, ")")
	var names []string
	for _, c := range strings.Split(list, ",") {
		names = append(names, strings.TrimSpace(c))
	}
	if len(names) != cols {
		panic(fmt.Sprintf("store: %d columns in %q, want %d", len(names), head, cols))
	}
	return &copier{conn: conn, table: strings.TrimSpace(table), cols: names}
}

func (c *copier) add(ctx context.Context, row ...any) error {
	vals := make([]any, len(row))
	for i, v := range row {
		vals[i] = plain(v)
	}
	c.rows = append(c.rows, vals)
	if len(c.rows) >= copyRows {
		return c.flush(ctx)
	}
	return nil
}

func (c *copier) flush(ctx context.Context) error {
	if len(c.rows) == 0 {
		return nil
	}
	err := c.conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("store: COPY needs the PostgreSQL driver, got %T", dc)
		}
		_, err := pc.Conn.Conn().CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows))
		return err
	})
	c.rows = c.rows[:0]
	return err
}

// plain converts daihou's named integer and string types (money.Amount,
// civil.Date …) to int64 and string, the types COPY encodes directly.
func plain(v any) any {
	switch v.(type) {
	case nil, int64, string, float64, bool, []byte:
		return v
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(rv.Uint())
	case reflect.String:
		return rv.String()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return v
}
