package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// warming is the progress of Warm while it reads.
type warming struct {
	on         atomic.Bool
	done, size atomic.Int64
}

// Warm reads the SQLite book once from start to end, so that the kernel's
// page cache holds it, and returns how many bytes it read. A server that
// starts on a book nobody has read since the machine booted otherwise
// answers its first minute of webhooks and postings from the disk, a
// random read per borrower: p99 over a second at 500 requests/s on a
// 1,000,000-loan book, against milliseconds warm. While it reads, Ready
// says so, so that a load balancer sends no traffic to a server that
// would answer it slowly. It reads only a book that fits in the memory
// budget (bytes; no book is read when it is 0 or less), so as not to push
// out what else runs on the machine, and does nothing on PostgreSQL, whose
// server keeps its own cache; it stops when ctx ends.
func (db *DB) Warm(ctx context.Context, budget int64) (int64, error) {
	if db.file == "" || budget <= 0 {
		return 0, nil
	}
	names := []string{db.file, db.file + "-wal"}
	var size int64
	for _, name := range names {
		if st, err := os.Stat(name); err == nil {
			size += st.Size()
		}
	}
	if size > budget {
		return 0, nil
	}
	db.warm.size.Store(size)
	db.warm.on.Store(true)
	defer db.warm.on.Store(false)
	buf := make([]byte, 4<<20)
	var read int64
	for _, name := range names {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return read, err
		}
		for ctx.Err() == nil {
			n, err := f.Read(buf)
			read += int64(n)
			db.warm.done.Store(read)
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return read, err
			}
		}
		f.Close()
	}
	return read, ctx.Err()
}

// warmingErr is Ready's answer while Warm reads.
func (db *DB) warmingErr() error {
	if !db.warm.on.Load() {
		return nil
	}
	return fmt.Errorf("reading the book into memory: %d of %d MiB", db.warm.done.Load()>>20, db.warm.size.Load()>>20)
}
