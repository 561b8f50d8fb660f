package eod_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/civil"
	"daihou/eod"
	"daihou/store/storetest"
)

// A run split into partitions, worked one after the other in this
// process, interrupted every few chunks and resumed, ends exactly where a
// single-process run does: incremental days, then a full day.
func TestPartitionedEODEqualsSingleProcess(t *testing.T) {
	ctx := storetest.Ctx()
	d1, d2 := genConfig.Until.AddDays(3), genConfig.Until.AddDays(4)
	want := storetest.Gen(t, genConfig)
	db := openPath(t, want)
	if _, err := closeBusiness(db, d1, false, chunks(30)); err != nil {
		t.Fatal(err)
	}
	if _, err := closeBusiness(db, d2, true, chunks(30)); err != nil {
		t.Fatal(err)
	}
	wantSum, _, _ := db.EODSummary(ctx, d2)
	db.Close()

	got := storetest.Gen(t, genConfig)
	stops := 0
	defer stopAfter(3)()
	for _, step := range []struct {
		date civil.Date
		full bool
	}{{d1, false}, {d2, true}} {
		for {
			db = openPath(t, got)
			_, err := (&eod.Runner{Store: db, ChunkSize: chunks(30), Partitions: 5}).Close(ctx, step.date, step.full)
			db.Close()
			if err == nil {
				break
			}
			if !errors.Is(err, errStopped) {
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
	parts, err := db.Partitions(ctx, d2)
	if err != nil || len(parts) != 5 {
		t.Fatalf("partitions of %v: %d, %v; want 5", d2, len(parts), err)
	}
	gotSum, _, err := db.EODSummary(ctx, d2)
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
// eod.ErrPartitionLost; the partition is worked once, and the date closes as
// a single-process run closes it.
func TestEODPartitionTakenOverIsNotCountedTwice(t *testing.T) {
	ctx := storetest.Ctx()
	d := genConfig.Until.AddDays(1)
	want := storetest.Gen(t, genConfig)
	db := openPath(t, want)
	if _, err := closeBusiness(db, d, true, chunks(60)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	got := storetest.Gen(t, genConfig)
	db = openPath(t, got)
	var slowErr error
	dispatch := func(ctx context.Context, job eod.Job) error {
		if job.Parts != 3 {
			t.Errorf("dispatched %d partitions, want 3", job.Parts)
		}
		takenOver := false
		defer eod.SetAfterCommit(func(run *eod.Run, _ int) error {
			if takenOver || run.Part == nil || run.Part.Worker != "slow" {
				return nil
			}
			takenOver = true
			// The partition's lease expires and another worker runs it to
			// the end while the first is between two chunks.
			if err := (&eod.Runner{Store: db, Worker: "fast"}).RunPartition(ctx, job, 1); err != nil {
				t.Errorf("the worker taking over: %v", err)
			}
			return nil
		})()
		slowErr = (&eod.Runner{Store: db, Worker: "slow"}).RunPartition(ctx, job, 1)
		return nil // the rest is worked by the run's own process
	}
	if _, err := (&eod.Runner{Store: db, ChunkSize: chunks(60), Partitions: 3, Dispatch: dispatch}).Close(ctx, d, true); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(slowErr, eod.ErrPartitionLost) {
		t.Errorf("the slow worker returned %v, want ErrEODPartitionLost", slowErr)
	}
	parts, err := db.Partitions(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 || parts[1].Worker != "fast" || !parts[1].Done {
		t.Errorf("partitions %+v: want partition 1 done by the worker that took it over", parts)
	}
	sum, _, err := db.EODSummary(ctx, d)
	if err != nil || sum.CellsHealed != 0 {
		t.Errorf("summary %+v, %v: a full run found %d aggregate cells wrong", sum, err, sum.CellsHealed)
	}
	db.Close()
	if diff := cmp.Diff(dump(t, want), dump(t, got)); diff != "" {
		t.Errorf("with a partition taken over, the result differs from a single-process run:\n%s", diff)
	}
}
