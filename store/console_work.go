package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/collection"
	"daihou/inputtext"
)

// QueueFilter selects a page of the actor's own queue: the open tasks
// assigned to them, due by Due, most valuable first.
type QueueFilter struct {
	Due   civil.Date // the last due date kept: the business date, so today and overdue
	After string     // the cursor of the page before (QueuePage.Next); "" for the first
	Limit int        // default 50, at most 500
}

// QueuePage is one page of a queue and the cursor of the next ("" on the
// last).
type QueuePage struct {
	Tasks []collection.Task
	Next  string
}

// Queue returns a page of the actor's own queue in the order Tasks gives
// (escalated first, then by priority), read by keyset so a long queue
// pages in constant time.
func (db *DB) Queue(ctx context.Context, f QueueFilter) (QueuePage, error) {
	actor := auth.FromContext(ctx)
	scope, args := scopeWhere(auth.ScopeFor(actor, auth.ReadLoan))
	where := []string{scope, "t.assignee = ?", "t.state IN ('open', 'escalated')"}
	args = append(args, actor.Name())
	if f.Due != 0 {
		where, args = append(where, "t.due <= ?"), append(args, int64(f.Due))
	}
	const rank = "CASE t.state WHEN 'escalated' THEN 0 ELSE 1 END"
	if f.After != "" {
		r, p, id, err := parseQueueCursor(f.After)
		if err != nil {
			return QueuePage{}, err
		}
		where = append(where, "("+rank+" > ? OR ("+rank+" = ? AND (t.priority < ? OR (t.priority = ? AND t.id > ?))))")
		args = append(args, r, r, p, p, id)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	cols := "t." + strings.ReplaceAll(taskColumns, ", ", ", t.")
	ts, err := queryRows(ctx, db.read, scanTask, `SELECT `+cols+` FROM tasks t JOIN loans l ON l.id = t.loan_id WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+rank+`, t.priority DESC, t.id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return QueuePage{}, err
	}
	page := QueuePage{Tasks: ts}
	if len(ts) > limit {
		page.Tasks = ts[:limit]
		last := ts[limit-1]
		r := 1
		if last.State == collection.Escalated {
			r = 0
		}
		page.Next = fmt.Sprintf("%d.%d.%d", r, int64(last.Priority), last.ID)
	}
	return page, nil
}

func parseQueueCursor(s string) (rank int, priority, id int64, err error) {
	parts := strings.Split(s, ".")
	bad := daihou.Invalid("after", "after: not a cursor this list gave (%q)", inputtext.Clip(s, 40))
	if len(parts) != 3 {
		return 0, 0, 0, bad
	}
	r, err1 := strconv.Atoi(parts[0])
	p, err2 := strconv.ParseInt(parts[1], 10, 64)
	i, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || r < 0 || r > 1 {
		return 0, 0, 0, bad
	}
	return r, p, i, nil
}

// TaskContact is one contact attempt recorded on a task, as the task's
// history shows it: never the number, only whether one was dialled.
type TaskContact struct {
	ID        int64
	At        time.Time
	Business  civil.Date
	Channel   string
	Party     string
	By        string
	Agency    string
	Connected bool
	Outcome   collection.Outcome
	Recording string
	Note      string
}

// TaskHistory is what was done on a task: its contact attempts and the
// promises to pay they took, oldest first.
type TaskHistory struct {
	Contacts []TaskContact
	Promises []collection.PromiseToPay
}

// TaskHistory returns the history of task id, if the actor in ctx may
// read its loan (ENOTFOUND otherwise, as Task).
func (db *DB) TaskHistory(ctx context.Context, id int64) (TaskHistory, error) {
	var h TaskHistory
	if _, err := db.Task(ctx, id); err != nil {
		return h, err
	}
	cs, err := queryRows(ctx, db.read, func(sc interface{ Scan(...any) error }) (TaskContact, error) {
		var c TaskContact
		var at, business int64
		var connected int
		var outcome string
		err := sc.Scan(&c.ID, &at, &business, &c.Channel, &c.Party, &c.By, &c.Agency, &connected, &outcome, &c.Recording, &c.Note)
		c.At, c.Business, c.Connected, c.Outcome = time.Unix(at, 0), civil.Date(business), connected != 0, collection.Outcome(outcome)
		return c, err
	}, `SELECT id, at, business, channel, party, by_name, agency, connected, outcome, recording, note FROM contacts WHERE task_id = ? ORDER BY at, id`, id)
	if err != nil {
		return h, err
	}
	h.Contacts = cs
	h.Promises, err = queryRows(ctx, db.read, scanPromise, `SELECT `+promiseColumns+` FROM promises WHERE task_id = ? ORDER BY id`, id)
	return h, err
}

// LoanPromises returns the promises to pay made on loan id, oldest first,
// if the actor in ctx may read the loan.
func (db *DB) LoanPromises(ctx context.Context, id int64) ([]collection.PromiseToPay, error) {
	if err := db.Authorize(ctx, auth.ReadLoan, id); err != nil {
		return nil, err
	}
	return queryRows(ctx, db.read, scanPromise, `SELECT `+promiseColumns+` FROM promises WHERE loan_id = ? ORDER BY id`, id)
}

// PlanVersion is the latest version of one collection plan (a SOP of a
// product, or the strategy): who put it and when. A plan never put has
// version 0, the built-in default.
type PlanVersion struct {
	Kind, Code string
	Version    int
	By         string
	At         time.Time
}

// PlanVersions returns the latest version of each plan of kind (sop or
// strategy) put so far, by code, if the actor in ctx may read rules.
func (db *DB) PlanVersions(ctx context.Context, kind string) ([]PlanVersion, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ReadRules, auth.Book()).Err(); err != nil {
		return nil, err
	}
	if kind != planSOP && kind != planStrategy {
		return nil, daihou.Invalid("kind", "kind %q: want sop or strategy", inputtext.Clip(kind, 32))
	}
	return queryRows(ctx, db.read, func(sc interface{ Scan(...any) error }) (PlanVersion, error) {
		var v PlanVersion
		var at string
		err := sc.Scan(&v.Kind, &v.Code, &v.Version, &v.By, &at)
		v.At = parseStamp(at)
		return v, err
	}, `SELECT kind, code, version, created_by, created_at FROM collection_plans p WHERE kind = ?
		AND version = (SELECT MAX(version) FROM collection_plans v WHERE v.kind = p.kind AND v.code = p.code) ORDER BY code`, kind)
}
