package store

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// inBatches hands every id once, in order, in IN lists of a few lengths
// whose padding repeats the batch's last id.
func TestInBatchesPadsToFewLengths(t *testing.T) {
	allowed := map[int]bool{batchSize: true}
	for n := 1; n < batchSize; n *= 2 {
		allowed[n] = true
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		ids := make([]int64, r.IntN(3*batchSize))
		for i := range ids {
			ids[i] = r.Int64N(1_000_000)
		}
		var got []int64
		err := inBatches(ids, func(batch []int64, args []any, marks string) error {
			if !allowed[len(args)] {
				t.Fatalf("an IN list of %d for a batch of %d", len(args), len(batch))
			}
			if strings.Count(marks, "?") != len(args) {
				t.Fatalf("%d placeholders for %d arguments", strings.Count(marks, "?"), len(args))
			}
			for i, a := range args {
				want := batch[min(i, len(batch)-1)]
				if a.(int64) != want {
					t.Fatalf("argument %d is %v, want %d", i, a, want)
				}
			}
			got = append(got, batch...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("batches hold %d ids, want the %d given in order", len(got), len(ids))
		}
	}
}

// A read transaction runs a new query unprepared, prepares it once it
// has given its connection back, and runs it prepared the next time,
// with the same answer.
func TestReadTransactionPreparesAfterItEnds(t *testing.T) {
	db, ctx := openBook(t, t.TempDir()+"/book.db")
	const q = `SELECT COUNT(*) FROM products WHERE code = ?`
	count := func() int {
		tx, err := db.readTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var n int
		if err := tx.QueryRowContext(ctx, q, "CL").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if db.read.stmts.lookup(q) != nil {
		t.Fatal("prepared before it ran")
	}
	if n := count(); n != 1 {
		t.Fatalf("unprepared: %d products CL, want 1", n)
	}
	if db.read.stmts.lookup(q) == nil {
		t.Fatal("not prepared after the transaction ended")
	}
	if n := count(); n != 1 {
		t.Fatalf("prepared: %d products CL, want 1", n)
	}
}
