package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/inputtext"
)

// The open tasks (open or escalated) counted by their loan's product and
// branch and by their due date, in task_due_counts: what the overview
// reads as the tasks due today and late. Every write that opens or ends a
// task adds its difference in its own transaction — close of business a
// chunk's at once, a person's outcome its one — so the figure is exact at
// any moment and costs a sum over cells, not a count over the open tasks.

// taskCell is one cell of task_due_counts.
type taskCell struct {
	product, branch string
	due             civil.Date
}

// taskCounts is a transaction's differences to task_due_counts.
type taskCounts map[taskCell]int64

// moved counts a task of a loan of product and branch going from state
// was to state now: one more open task, one fewer, or no difference.
func (c taskCounts) moved(product, branch string, due civil.Date, was, now string) {
	d := counted(now) - counted(was)
	if d == 0 {
		return
	}
	k := taskCell{product, branch, due}
	if c[k] += d; c[k] == 0 {
		delete(c, k)
	}
}

// counted is 1 for a state the counts keep, 0 for any other; "" is a
// task not yet made.
func counted(state string) int64 {
	if state == collection.Open || state == collection.Escalated {
		return 1
	}
	return 0
}

// addToCount is how a difference is added to its cell of task_due_counts,
// made at its first difference.
const addToCount = `ON CONFLICT (product, branch, due) DO UPDATE SET n = task_due_counts.n + excluded.n`

// write adds the differences to task_due_counts, cell by cell in one
// order, so that two writers on PostgreSQL lock the cells they share in
// the same order.
func (c taskCounts) write(ctx context.Context, t batchTx) error {
	if len(c) == 0 {
		return nil
	}
	keys := slices.SortedFunc(maps.Keys(c), func(a, b taskCell) int {
		return cmp.Or(strings.Compare(a.product, b.product), strings.Compare(a.branch, b.branch), cmp.Compare(a.due, b.due))
	})
	b := newBatcher(t, `INSERT INTO task_due_counts (product, branch, due, n) VALUES`, addToCount, 4)
	for _, k := range keys {
		if err := b.add(ctx, k.product, k.branch, int64(k.due), c[k]); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// taskMoved adds to task_due_counts what moving task tk from state was to
// its state now changes, in the transaction that moves it.
func (t *wtx) taskMoved(ctx context.Context, tk collection.Task, was string) error {
	d := counted(tk.State) - counted(was)
	if d == 0 {
		return nil
	}
	_, err := t.ExecContext(ctx, `INSERT INTO task_due_counts (product, branch, due, n) SELECT product, branch, ?, ? FROM loans WHERE id = ? `+addToCount,
		int64(tk.Due), d, tk.LoanID)
	return err
}

// moveTask writes task tk's state, outcome, closing and note, provided
// its state is still was — as this transaction read it — and keeps the
// counts. A task another writer moved in between is a conflict to try
// again, not a change written over theirs.
func (t *wtx) moveTask(ctx context.Context, tk collection.Task, was string) error {
	res, err := t.ExecContext(ctx, `UPDATE tasks SET state = ?, outcome = ?, closed = ?, closed_by = ?, note = ? WHERE id = ? AND state = ?`,
		tk.State, string(tk.Outcome), int64(tk.Closed), tk.ClosedBy, inputtext.Clip(tk.Note, 4000), tk.ID, was)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return daihou.Errorf(daihou.ECONFLICT, "task %d changed while this was being recorded: look at it again ('daihou task show %d') and record it again", tk.ID, tk.ID)
	}
	return t.taskMoved(ctx, tk, was)
}

// dropEmptyTaskCells removes the cells no open task is left in, so that
// the sum the overview reads stays over the dates that still have open
// tasks.
func dropEmptyTaskCells(ctx context.Context, q querier) error {
	_, err := q.ExecContext(ctx, `DELETE FROM task_due_counts WHERE n = 0`)
	return err
}

// CheckTaskCounts compares the kept counts of open tasks with a count over
// the tasks themselves and returns an EINTERNAL error naming the first
// cell that differs: a check for tests and for an operator who doubts the
// overview. It reads every open task. The actor in ctx must be allowed to
// read reports.
func (db *DB) CheckTaskCounts(ctx context.Context) error {
	if err := canDashboard(ctx); err != nil {
		return err
	}
	read := func(q string) (map[taskCell]int64, error) {
		rows, err := db.read.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[taskCell]int64{}
		for rows.Next() {
			var k taskCell
			var due, n int64
			if err := rows.Scan(&k.product, &k.branch, &due, &n); err != nil {
				return nil, err
			}
			k.due = civil.Date(due)
			if n != 0 {
				out[k] = n
			}
		}
		return out, rows.Err()
	}
	kept, err := read(`SELECT product, branch, due, n FROM task_due_counts`)
	if err != nil {
		return err
	}
	real, err := read(`SELECT l.product, l.branch, t.due, COUNT(*) FROM tasks t JOIN loans l ON l.id = t.loan_id WHERE t.state IN ('open', 'escalated') GROUP BY l.product, l.branch, t.due`)
	if err != nil {
		return err
	}
	for _, m := range []map[taskCell]int64{real, kept} {
		for k := range m {
			if kept[k] != real[k] {
				return daihou.Errorf(daihou.EINTERNAL, "open tasks of product %q, branch %q, due %s: %d counted, %d kept", k.product, k.branch, k.due, real[k], kept[k])
			}
		}
	}
	return nil
}
