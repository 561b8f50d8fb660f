package store

import (
	"database/sql"
	"fmt"
	"strconv"
)

// rowReader scans rows into the driver's own values and converts them by
// type assertion. database/sql converts a column into *int64, *civil.Date
// or *money.Amount by reflection, which on the bulk reads of close of
// business cost more than the database did; into *any it only copies.
type rowReader struct {
	vals []any
	ptrs []any
	err  error
}

func newRowReader(cols int) *rowReader {
	r := &rowReader{vals: make([]any, cols), ptrs: make([]any, cols)}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

func (r *rowReader) scan(rows *sql.Rows) error { return rows.Scan(r.ptrs...) }

// int returns column i as an integer; a value of another type records an
// error, reported by failed.
func (r *rowReader) int(i int) int64 {
	switch v := r.vals[i].(type) {
	case int64:
		return v
	case nil:
		return 0
	case float64:
		return int64(v)
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		r.fail(i, err)
		return n
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		r.fail(i, err)
		return n
	}
	r.fail(i, fmt.Errorf("unexpected %T", r.vals[i]))
	return 0
}

// text returns column i as bytes, without copying when the driver gave
// bytes; the slice is valid until the next scan.
func (r *rowReader) bytes(i int) []byte {
	switch v := r.vals[i].(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	case nil:
		return nil
	}
	r.fail(i, fmt.Errorf("unexpected %T", r.vals[i]))
	return nil
}

// word returns column i as one of the words a ledger repeats millions of
// times (a kind, a component, a method), interned: no allocation for the
// known ones.
func (r *rowReader) word(i int) string {
	switch v := r.vals[i].(type) {
	case string:
		if w, ok := interned[v]; ok {
			return w
		}
		return v
	case []byte:
		return internText(v)
	case nil:
		return ""
	}
	r.fail(i, fmt.Errorf("unexpected %T", r.vals[i]))
	return ""
}

// str returns column i as a string.
func (r *rowReader) str(i int) string {
	switch v := r.vals[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	r.fail(i, fmt.Errorf("unexpected %T", r.vals[i]))
	return ""
}

// float returns column i as a float.
func (r *rowReader) float(i int) float64 {
	switch v := r.vals[i].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case nil:
		return 0
	}
	r.fail(i, fmt.Errorf("unexpected %T", r.vals[i]))
	return 0
}

func (r *rowReader) fail(i int, err error) {
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("column %d: %w", i, err)
	}
}

// failed returns the first conversion error since the reader was made.
func (r *rowReader) failed() error { return r.err }
