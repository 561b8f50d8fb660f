package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/channel"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/inputtext"
	"daihou/loanstate"
	"daihou/servicing"
)

// The kinds of collection plan.
const (
	planSOP      = "sop"
	planStrategy = "strategy"
)

// SOPs returns the SOP timelines in force, by code: the latest version of
// each put, or the default (collection.DefaultSOP) while none has been.
func (db *DB) SOPs(ctx context.Context) ([]collection.SOP, error) {
	var out []collection.SOP
	err := latestPlans(ctx, db.read, planSOP, func(body []byte) error {
		var s collection.SOP
		if err := json.Unmarshal(body, &s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The default applies to every product without a SOP of its own until
	// one for "*" is put.
	if !slices.ContainsFunc(out, func(s collection.SOP) bool { return s.Code == "*" }) {
		out = append(out, collection.DefaultSOP())
	}
	return out, nil
}

// Strategy returns the collection strategy in force: the latest put, or
// the default two-track strategy (collection.DefaultStrategy) while none
// has been.
func (db *DB) Strategy(ctx context.Context) (collection.Strategy, error) {
	var out []collection.Strategy
	err := latestPlans(ctx, db.read, planStrategy, func(body []byte) error {
		var s collection.Strategy
		if err := json.Unmarshal(body, &s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil || len(out) == 0 {
		return collection.DefaultStrategy(), err
	}
	return out[0], nil
}

func latestPlans(ctx context.Context, q querier, kind string, fn func([]byte) error) error {
	rows, err := q.QueryContext(ctx, `SELECT body FROM collection_plans p WHERE kind = ?
		AND version = (SELECT MAX(version) FROM collection_plans v WHERE v.kind = p.kind AND v.code = p.code) ORDER BY code`, kind)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return err
		}
		if err := fn(body); err != nil {
			return fmt.Errorf("a stored %s does not decode: %w", kind, err)
		}
	}
	return rows.Err()
}

// PutSOP checks and stores a SOP as a new version of its code, as the
// actor in ctx (who must be allowed to manage rules), and returns the
// version.
func (db *DB) PutSOP(ctx context.Context, s collection.SOP) (int, error) {
	if _, err := collection.CompileSOP(s); err != nil {
		return 0, err
	}
	return db.putPlan(ctx, planSOP, s.Code, s)
}

// PutStrategy checks and stores the collection strategy as a new
// version, as the actor in ctx. There is one strategy in force: the
// latest put, whatever its code.
func (db *DB) PutStrategy(ctx context.Context, s collection.Strategy) (int, error) {
	if _, err := collection.CompileStrategy(s); err != nil {
		return 0, err
	}
	return db.putPlan(ctx, planStrategy, "current", s)
}

func (db *DB) putPlan(ctx context.Context, kind, code string, v any) (int, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	var version int
	err = db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageRules, auth.Book()); err != nil {
			return err
		}
		if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM collection_plans WHERE kind = ? AND code = ?`, kind, code).Scan(&version); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO collection_plans (kind, code, version, body, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			kind, code, version, string(body), t.actor.String(), t.stamp()); err != nil {
			return err
		}
		// A new plan applies to every loan: close of business looks at all
		// of them again on its next run.
		if err := markAllPlans(ctx, t); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.ManageRules), "plan:"+kind+":"+code, audit.DigestFields(kind, code, strconv.Itoa(version), string(body)),
			fmt.Sprintf("%s %s version %d put", kind, code, version))
	})
	return version, err
}

// plansChanged is the setting that marks a plan put since the last close
// of business was opened.
const plansChanged = "collection_plans_changed"

// markAllPlans makes the next close of business a full one, which looks
// at every loan: a plan changed (Open consumes the mark).
func markAllPlans(ctx context.Context, t *wtx) error {
	_, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('`+plansChanged+`', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, t.stamp())
	return err
}

// Collector is a person's working profile for assignment.
type Collector struct {
	Name        string     `json:"name"`
	Team        string     `json:"team"`
	Capacity    int        `json:"capacity"`
	Skills      []string   `json:"skills"`
	Regions     []string   `json:"regions"`
	AbsentFrom  civil.Date `json:"absent_from"`
	AbsentUntil civil.Date `json:"absent_until"`
}

// PutCollector sets a user's working profile, as the actor in ctx (an
// admin, who manages users). Capacity is the user's share of new work, 1 to
// 10,000; an absence runs from AbsentFrom to AbsentUntil inclusive (both
// zero: none).
func (db *DB) PutCollector(ctx context.Context, c Collector) error {
	if c.Capacity < 0 || c.Capacity > 10000 {
		return daihou.Invalid("capacity", "capacity %d: want 0 (takes no new work) to 10000", c.Capacity)
	}
	for _, k := range c.Skills {
		if _, err := collection.ParseKind(k); err != nil {
			return err
		}
	}
	if c.AbsentUntil != 0 && c.AbsentUntil.Before(c.AbsentFrom) {
		return daihou.Invalid("absent_until", "the absence ends %s, before it starts %s", c.AbsentUntil, c.AbsentFrom)
	}
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageUsers, auth.System()); err != nil {
			return err
		}
		u, err := userByName(ctx, t, c.Name)
		if err != nil {
			return err
		}
		_, err = t.ExecContext(ctx, `INSERT INTO collectors (name, team, capacity, skills, regions, absent_from, absent_until, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET team = excluded.team, capacity = excluded.capacity,
			skills = excluded.skills, regions = excluded.regions, absent_from = excluded.absent_from, absent_until = excluded.absent_until,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			u.Name, c.Team, c.Capacity, strings.Join(c.Skills, ","), strings.Join(c.Regions, ","), int64(c.AbsentFrom), int64(c.AbsentUntil), t.actor.String(), t.stamp())
		if err != nil {
			return err
		}
		return t.audit(ctx, string(auth.ManageUsers), "user:"+u.Name, audit.DigestFields(u.Name, c.Team, strconv.Itoa(c.Capacity)),
			fmt.Sprintf("collector profile of %s: team %q, capacity %d, absent %s–%s", u.Name, c.Team, c.Capacity, c.AbsentFrom, c.AbsentUntil))
	})
}

// PutAgency adds or changes an outsourcing agency (委外催收机构), as the
// actor in ctx (an admin: agencies are configuration); only an active one is given work
// or may contact debtors.
func (db *DB) PutAgency(ctx context.Context, code, name string, active bool) error {
	if !planCodeRE(code) {
		return daihou.Invalid("code", "agency code %q: want letters, digits, _ and -, at most 40", inputtext.Clip(code, 40))
	}
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ChangeConfig, auth.System()); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO agencies (code, name, active, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, active = excluded.active, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			code, name, boolInt(active), t.actor.String(), t.stamp()); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.ChangeConfig), "agency:"+code, audit.DigestFields(code, name, strconv.FormatBool(active)), fmt.Sprintf("agency %s (%s) active=%v", code, name, active))
	})
}

func planCodeRE(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// collectionConfig is what close of business's collection steps run with.
func (db *DB) collectionConfig(ctx context.Context) (*eod.Collection, error) {
	sops, err := db.SOPs(ctx)
	if err != nil {
		return nil, err
	}
	col := &eod.Collection{SOPs: map[string]*collection.CompiledSOP{}}
	for _, s := range sops {
		c, err := collection.CompileSOP(s)
		if err != nil {
			return nil, fmt.Errorf("SOP %s: %w", s.Code, err)
		}
		col.SOPs[s.Code] = c
	}
	st, err := db.Strategy(ctx)
	if err != nil {
		return nil, err
	}
	if col.Strategy, err = collection.CompileStrategy(st); err != nil {
		return nil, fmt.Errorf("strategy %s: %w", st.Code, err)
	}
	col.Roster, err = roster(ctx, db.read)
	return col, err
}

// roster reads who works tasks: every user, with their collector profile
// where they have one (readCollectors).
func roster(ctx context.Context, q querier) (*collection.Roster, error) {
	people, err := readCollectors(ctx, q)
	if err != nil {
		return nil, err
	}
	ms := make([]collection.Member, 0, len(people))
	for _, p := range people {
		m := collection.Member{Name: p.Name, Officer: p.Officer, Team: p.Team, Roles: p.Roles, Capacity: p.Capacity,
			Regions: p.Regions, AbsentFrom: p.AbsentFrom, AbsentUntil: p.AbsentUntil, Disabled: p.Disabled}
		for _, k := range p.Skills {
			m.Skills = append(m.Skills, collection.Kind(k))
		}
		ms = append(ms, m)
	}
	agencies, err := queryColumn[string](ctx, q, `SELECT code FROM agencies WHERE active = 1 ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return collection.NewRoster(ms, agencies), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// taskColumns are the columns of tasks a Task reads.
const taskColumns = `id, loan_id, borrower_id, kind, origin, anchor, episode, arm, channel, created, due, sla, priority, assignee, team, state, outcome, escalations, closed, closed_by, note`

func scanTask(sc interface{ Scan(...any) error }) (collection.Task, error) {
	var t collection.Task
	var kind, outcome string
	var anchor, episode, created, due, sla, closed int64
	err := sc.Scan(&t.ID, &t.LoanID, &t.BorrowerID, &kind, &t.Origin, &anchor, &episode, &t.Arm, &t.Channel, &created, &due, &sla,
		&t.Priority, &t.Assignee, &t.Team, &t.State, &outcome, &t.Escalations, &closed, &t.ClosedBy, &t.Note)
	t.Kind, t.Outcome = collection.Kind(kind), collection.Outcome(outcome)
	t.Anchor, t.Episode, t.Created, t.Due, t.SLA, t.Closed = civil.Date(anchor), civil.Date(episode), civil.Date(created), civil.Date(due), civil.Date(sla), civil.Date(closed)
	return t, err
}

// recentTasks is how far back close of business reads a loan's finished
// tasks: beyond the longest window a plan looks back for a task it made.
const recentTasks = 400

// recentEpisode is how long after it ended an episode still takes in a
// back-dated repayment (one value-dated on or before its end that arrives
// after it).
const recentEpisode = 31

// loadWork reads what the collection steps need of loans ids as of date.
func loadWork(ctx context.Context, q querier, ids []int64, date civil.Date) (map[int64]*eod.LoanWork, error) {
	out := map[int64]*eod.LoanWork{}
	get := func(id int64) *eod.LoanWork {
		w := out[id]
		if w == nil {
			w = &eod.LoanWork{}
			out[id] = w
		}
		return w
	}
	from := date.AddDays(-recentTasks)
	err := selectIDsWith(ctx, q, ids, `SELECT `+taskColumns+` FROM tasks WHERE (state IN ('open', 'escalated') OR created >= ?) AND `, []any{int64(from)}, "loan_id", ` ORDER BY loan_id, id`, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			t, err := scanTask(rows)
			if err != nil {
				return err
			}
			if want(t.LoanID) {
				get(t.LoanID).Tasks = append(get(t.LoanID).Tasks, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	recent := date.AddDays(-recentEpisode)
	err = selectIDs(ctx, q, ids, `SELECT `+episodeColumns+` FROM collection_episodes WHERE `, "loan_id", ` ORDER BY loan_id, started`, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			e, err := scanEpisode(rows)
			if err != nil {
				return err
			}
			if want(e.LoanID) && (e.Ended == 0 || !e.Ended.Before(recent)) {
				w := get(e.LoanID)
				if w.Episode != nil {
					w.Earlier = append(w.Earlier, *w.Episode)
				}
				w.Episode = &e // the latest, by started
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = selectIDs(ctx, q, ids, `SELECT `+promiseColumns+` FROM promises WHERE `, "loan_id", ` ORDER BY loan_id, id`, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			p, err := scanPromise(rows)
			if err != nil {
				return err
			}
			if want(p.LoanID) {
				get(p.LoanID).Promises = append(get(p.LoanID).Promises, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = selectIDs(ctx, q, ids, `SELECT loan_id, assignee FROM loan_assignments WHERE `, "loan_id", ` ORDER BY loan_id, since, assignee`, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			if want(id) {
				get(id).Assignees = append(get(id).Assignees, name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = selectIDs(ctx, q, ids, `SELECT l.id, p.age FROM loans l JOIN borrower_profiles p ON p.borrower_id = l.borrower_id WHERE `, "l.id", ``, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			var id int64
			var age int
			if err := rows.Scan(&id, &age); err != nil {
				return err
			}
			if want(id) {
				get(id).Age = age
			}
		}
		return nil
	})
	return out, err
}

const episodeColumns = `loan_id, started, ended, outcome, strategy, arm, segment, entry_bucket, max_bucket, entry_overdue, collected, willingness`

func scanEpisode(sc interface{ Scan(...any) error }) (collection.Episode, error) {
	var e collection.Episode
	var started, ended int64
	var entry, worst int
	err := sc.Scan(&e.LoanID, &started, &ended, &e.Outcome, &e.Strategy, &e.Arm, &e.Segment, &entry, &worst, &e.EntryOverdue, &e.Collected, &e.Willingness)
	e.Started, e.Ended, e.EntryBucket, e.MaxBucket = civil.Date(started), civil.Date(ended), servicing.Bucket(entry), servicing.Bucket(worst)
	return e, err
}

const promiseColumns = `id, loan_id, task_id, made, due, amount, paid, state, settled`

func scanPromise(sc interface{ Scan(...any) error }) (collection.PromiseToPay, error) {
	var p collection.PromiseToPay
	var made, due, settled int64
	err := sc.Scan(&p.ID, &p.LoanID, &p.TaskID, &made, &due, &p.Amount, &p.Paid, &p.State, &settled)
	p.Made, p.Due, p.Settled = civil.Date(made), civil.Date(due), civil.Date(settled)
	return p, err
}

// writeWork writes what the collection steps made of a chunk: new tasks
// (and the messages of the automated ones, into the outbox in the same
// transaction), tasks moved, episodes and promises.
func writeWork(ctx context.Context, t *wtx, date civil.Date, c *eod.Chunk, out *eod.Output) error {
	var fresh []pendingMessage
	counts := taskCounts{}
	// A task moves only from the state this chunk read: one a person
	// moved since (an outcome recorded as the chunk was derived) is theirs.
	updQ := `UPDATE tasks SET state = ?, outcome = ?, escalations = ?, priority = ?, assignee = ?, team = ?, closed = ?, closed_by = ?, note = ? WHERE id = ? AND state = ?`
	prQ := `UPDATE promises SET paid = ?, state = ?, settled = ? WHERE id = ?`
	eps := newBatcher(t, `INSERT INTO collection_episodes (`+episodeColumns+`) VALUES`,
		`ON CONFLICT (loan_id, started) DO UPDATE SET ended = excluded.ended, outcome = excluded.outcome, max_bucket = excluded.max_bucket, collected = excluded.collected`, 12)
	for i := range out.Rows {
		w := out.Rows[i].Work
		if w == nil {
			continue
		}
		loan := &c.Loans[i].Loan
		for k, tk := range w.New {
			fresh = append(fresh, pendingMessage{task: tk, template: w.Template[k], snap: &out.Rows[i].Snapshot, loan: loan})
		}
		for _, tk := range w.Moved {
			was := readState(c.Work[tk.LoanID], tk.ID)
			res, err := t.ExecContext(ctx, updQ, tk.State, string(tk.Outcome), tk.Escalations, int64(tk.Priority), tk.Assignee, tk.Team, int64(tk.Closed), tk.ClosedBy, inputtext.Clip(tk.Note, 4000), tk.ID, was)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				counts.moved(loan.Product, loan.Branch, tk.Due, was, tk.State)
			}
		}
		// An ended episode that opens again from the same first overdue
		// date (the payment that cured it reversed) is one row: the open
		// one. PostgreSQL refuses one statement that upserts a row twice.
		episodes := w.Ended
		if e := w.Episode; e != nil {
			episodes = slices.DeleteFunc(slices.Clone(episodes), func(x collection.Episode) bool { return x.Started == e.Started })
			episodes = append(episodes, *e)
		}
		for _, e := range episodes {
			if err := eps.add(ctx, e.LoanID, int64(e.Started), int64(e.Ended), e.Outcome, e.Strategy, e.Arm, e.Segment, int(e.EntryBucket), int(e.MaxBucket),
				int64(e.EntryOverdue), int64(e.Collected), e.Willingness); err != nil {
				return err
			}
		}
		for _, p := range w.Promises {
			if _, err := t.ExecContext(ctx, prQ, int64(p.Paid), p.State, int64(p.Settled), p.ID); err != nil {
				return err
			}
		}
	}
	if err := eps.flush(ctx); err != nil {
		return err
	}
	if err := assignLoans(ctx, t, date, out); err != nil {
		return err
	}
	msgs, err := insertTasks(ctx, t, fresh, counts)
	if err != nil {
		return err
	}
	if msgs, err = failEmail(ctx, t, date, msgs, counts); err != nil {
		return err
	}
	if err := counts.write(ctx, t); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	built, err := buildMessages(ctx, t, date, msgs)
	if err != nil {
		return err
	}
	return enqueueMessages(ctx, t, built)
}

// failEmail fails the e-mail tasks of msgs at once, saying why — the book
// keeps no e-mail addresses — rather than leaving a message no one can
// deliver, and returns the others.
func failEmail(ctx context.Context, t *wtx, date civil.Date, msgs []pendingMessage, counts taskCounts) ([]pendingMessage, error) {
	keep := msgs[:0]
	for _, m := range msgs {
		if m.task.Channel != channel.Email {
			keep = append(keep, m)
			continue
		}
		if _, err := t.ExecContext(ctx, `UPDATE tasks SET state = ?, outcome = ?, closed = ?, closed_by = 'eod', note = ? WHERE id = ?`,
			collection.TaskDone, string(collection.Failed), int64(date), "no e-mail address on file for the borrower", m.task.ID); err != nil {
			return nil, err
		}
		counts.moved(m.loan.Product, m.loan.Branch, m.task.Due, m.task.State, collection.TaskDone)
	}
	return keep, nil
}

// assignLoans puts each loan a person was given a task on into that
// person's queue (loan_assignments), so that a collector or a lawyer, who
// sees only the loans assigned to them, sees the loans of their tasks.
func assignLoans(ctx context.Context, t *wtx, date civil.Date, out *eod.Output) error {
	b := newBatcher(t, `INSERT INTO loan_assignments (assignee, loan_id, kind, since) VALUES`, `ON CONFLICT (assignee, loan_id) DO NOTHING`, 4)
	seen := map[[2]any]bool{}
	for i := range out.Rows {
		w := out.Rows[i].Work
		if w == nil {
			continue
		}
		for _, tasks := range [][]collection.Task{w.New, w.Moved} {
			for _, tk := range tasks {
				if tk.Assignee == "" || tk.Channel != collection.Person || strings.HasPrefix(tk.Assignee, collection.AgencyPrefix) || !tk.Active() {
					continue
				}
				k := [2]any{tk.Assignee, tk.LoanID}
				if seen[k] {
					continue
				}
				seen[k] = true
				kind := AssignCollection
				if tk.Kind.Role() == "legal" {
					kind = AssignLegal
				}
				if err := b.add(ctx, tk.Assignee, tk.LoanID, kind, int64(date)); err != nil {
					return err
				}
			}
		}
	}
	return b.flush(ctx)
}

// taskRows is how many tasks one INSERT carries.
const taskRows = 120

// readState is the state of task id as the chunk read it; "" for none.
func readState(w *eod.LoanWork, id int64) string {
	if w == nil {
		return ""
	}
	for _, tk := range w.Tasks {
		if tk.ID == id {
			return tk.State
		}
	}
	return ""
}

// insertTasks inserts new tasks, many to a statement, counts those
// inserted into counts, and returns those of automated channels that were
// inserted — not made already by an earlier run of the date — with their
// ids, for their messages.
func insertTasks(ctx context.Context, t *wtx, ps []pendingMessage, counts taskCounts) ([]pendingMessage, error) {
	type key struct {
		loan   int64
		origin string
		anchor int64
	}
	var auto []pendingMessage
	for lo := 0; lo < len(ps); lo += taskRows {
		part := ps[lo:min(lo+taskRows, len(ps))]
		var b strings.Builder
		b.WriteString(`INSERT INTO tasks (loan_id, borrower_id, kind, origin, anchor, episode, arm, channel, created, due, sla, priority, assignee, team, state, note) VALUES `)
		args := make([]any, 0, 16*len(part))
		for k, p := range part {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(16) + ")")
			tk := &p.task
			args = append(args, tk.LoanID, tk.BorrowerID, string(tk.Kind), tk.Origin, int64(tk.Anchor), int64(tk.Episode), tk.Arm, tk.Channel,
				int64(tk.Created), int64(tk.Due), int64(tk.SLA), int64(tk.Priority), tk.Assignee, tk.Team, tk.State, tk.Note)
		}
		b.WriteString(` ON CONFLICT (loan_id, origin, anchor) DO NOTHING RETURNING id, loan_id, origin, anchor`)
		rows, err := t.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("tasks: %w", err)
		}
		ids := map[key]int64{}
		for rows.Next() {
			var id int64
			var k key
			if err := rows.Scan(&id, &k.loan, &k.origin, &k.anchor); err != nil {
				rows.Close()
				return nil, err
			}
			ids[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, p := range part {
			// A task not returned was made by an earlier run of the date,
			// which counted it and sent its message.
			id, ok := ids[key{p.task.LoanID, p.task.Origin, int64(p.task.Anchor)}]
			if !ok {
				continue
			}
			counts.moved(p.loan.Product, p.loan.Branch, p.task.Due, "", p.task.State)
			if p.task.Kind.Automated() {
				p.task.ID = id
				auto = append(auto, p)
			}
		}
	}
	return auto, nil
}

type pendingMessage struct {
	task     collection.Task
	template string
	snap     *loanstate.Snapshot
	loan     *servicing.Loan
}

// buildMessages makes the channel messages of new automated tasks: the
// borrower's phone (or e-mail address) and name are opened here, for the
// outbox, which seals the whole message again.
func buildMessages(ctx context.Context, t *wtx, date civil.Date, ps []pendingMessage) ([]channel.Message, error) {
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.task.BorrowerID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// Only the name and the phone: the rest of the borrower stays sealed.
	people := map[int64]servicing.Borrower{}
	err := selectIDs(ctx, t, ids, `SELECT id, name, phone FROM borrowers WHERE `, "id", ``, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			var b servicing.Borrower
			if err := rows.Scan(&b.ID, &b.Name, &b.Phone); err != nil {
				return err
			}
			if !want(b.ID) {
				continue
			}
			if err := openBorrower(t.db.keys, &b); err != nil {
				return err
			}
			people[b.ID] = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]channel.Message, 0, len(ps))
	for _, p := range ps {
		b := people[p.task.BorrowerID]
		s := p.snap
		out = append(out, channel.Message{
			Key: TaskKey(p.task.ID), Channel: p.task.Channel, TaskID: p.task.ID, LoanID: p.task.LoanID, LoanNumber: p.loan.ExternalID,
			BorrowerID: p.task.BorrowerID, To: b.Phone, Name: b.Name, Template: p.template, Lang: "zh-CN",
			AmountDue: int64(s.OverduePrincipal + s.OverdueInterest + s.PenaltyDue + s.CompoundDue + s.FeesDue), Currency: string(p.loan.Currency),
			DPD: s.DPD, BusinessDate: date.String(),
		})
	}
	return out, nil
}

// TaskKey is the idempotency key of the message of task id: what a
// channel's result names it by.
func TaskKey(id int64) string { return "task-" + strconv.FormatInt(id, 10) }

// taskOfKey is the inverse of TaskKey.
func taskOfKey(key string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(key, "task-"), 10, 64)
	return n, err == nil && strings.HasPrefix(key, "task-") && n > 0
}
