package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/store"
)

// A run split into partitions, worked one after the other in this
// process, interrupted every few chunks and resumed, ends exactly where a
// single-process run does: incremental days, then a full day.
func TestPartitionedEODEqualsSingleProcess(t *testing.T) {
	ctx := context.Background()
	d1, d2 := genConfig.Until.AddDays(3), genConfig.Until.AddDays(4)
	want := MustGen(t, genConfig)
	db := openPath(t, want)
	if _, err := db.CloseOfBusiness(ctx, d1, store.EODOptions{ChunkSize: 100}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CloseOfBusiness(ctx, d2, store.EODOptions{ChunkSize: 100, Full: true}); err != nil {
		t.Fatal(err)
	}
	wantSum, _ := db.EODSummary(ctx, d2)
	db.Close()

	got := MustGen(t, genConfig)
	stops := 0
	for _, step := range []struct {
		date civil.Date
		full bool
	}{{d1, false}, {d2, true}} {
		for {
			db = openPath(t, got)
			_, err := db.CloseOfBusiness(ctx, step.date, store.EODOptions{ChunkSize: 100, Full: step.full, Partitions: 5, StopAfterChunks: 3})
			db.Close()
			if err == nil {
				break
			}
			if !errors.Is(err, store.ErrEODStopped) {
				t.Fatal(err)
			}
			stops++
		}
	}
	if stops < 5 {
		t.Fatalf("stopped %d times: the test needs several interruptions", stops)
	}
	if diff := cmp.Diff(dump(t, want), dump(t, got)); diff != "" {
		t.Errorf("partitioned and resumed %d times, the result differs from a single-process run:\n%s", stops, diff)
	}
	db = openPath(t, got)
	parts, err := db.EODPartitions(ctx, d2)
	if err != nil || len(parts) != 5 {
		t.Fatalf("partitions of %v: %d, %v; want 5", d2, len(parts), err)
	}
	gotSum, err := db.EODSummary(ctx, d2)
	if err != nil {
		t.Fatal(err)
	}
	if gotSum.Touched != wantSum.Touched || gotSum.Changed != wantSum.Changed || gotSum.CellsHealed != 0 {
		t.Errorf("partitioned summary %+v, want the counts of %+v and no healed cells", gotSum, wantSum)
	}
	checkCache(t, db)
}

// A worker that lost its partition to another (its lease expired while it
// was slow, and the partition was handed on) stops at its next commit with
// ErrEODPartitionLost; the partition is worked once, and the date closes as
// a single-process run closes it.
func TestEODPartitionTakenOverIsNotCountedTwice(t *testing.T) {
	ctx := context.Background()
	d := genConfig.Until.AddDays(1)
	want := MustGen(t, genConfig)
	db := openPath(t, want)
	if _, err := db.CloseOfBusiness(ctx, d, store.EODOptions{ChunkSize: 50, Full: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	got := MustGen(t, genConfig)
	db = openPath(t, got)
	var slowErr error
	dispatch := func(ctx context.Context, job store.EODJob) error {
		if job.Parts != 3 {
			t.Errorf("dispatched %d partitions, want 3", job.Parts)
		}
		takenOver := false
		slow := store.EODOptions{Worker: "slow", AfterChunk: func(civil.Date, int64) {
			if takenOver {
				return
			}
			takenOver = true
			// The partition's lease expires and another worker runs it to
			// the end while the first is between two chunks.
			if err := db.RunEODPartition(ctx, job, 1, store.EODOptions{Worker: "fast"}); err != nil {
				t.Errorf("the worker taking over: %v", err)
			}
		}}
		slowErr = db.RunEODPartition(ctx, job, 1, slow)
		return nil // the rest is worked by the run's own process
	}
	if _, err := db.CloseOfBusiness(ctx, d, store.EODOptions{ChunkSize: 50, Full: true, Partitions: 3, Dispatch: dispatch}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(slowErr, store.ErrEODPartitionLost) {
		t.Errorf("the slow worker returned %v, want ErrEODPartitionLost", slowErr)
	}
	parts, err := db.EODPartitions(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 || parts[1].Worker != "fast" || !parts[1].Done {
		t.Errorf("partitions %+v: want partition 1 done by the worker that took it over", parts)
	}
	sum, err := db.EODSummary(ctx, d)
	if err != nil || sum.CellsHealed != 0 {
		t.Errorf("summary %+v, %v: a full run found %d aggregate cells wrong", sum, err, sum.CellsHealed)
	}
	db.Close()
	if diff := cmp.Diff(dump(t, want), dump(t, got)); diff != "" {
		t.Errorf("with a partition taken over, the result differs from a single-process run:\n%s", diff)
	}
}
