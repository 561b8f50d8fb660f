package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/servicing"
)

// The audit trail (package audit) in SQL: entries in audit_log, the head
// of the chain in audit_head. Every write transaction that changes the
// book appends its entry before it commits, so the change and its record
// commit together or not at all.

// audit appends one entry to the trail in t: t's actor did action on
// object, with change the digest of what changed and detail a short
// account for people. The chain's head is read once per transaction — on
// PostgreSQL with FOR UPDATE, which queues concurrent writers at their
// first entry until the one ahead commits — and moved with each entry.
func (t *wtx) audit(ctx context.Context, action, object string, change audit.Hash, detail string) error {
	if t.actor.IsZero() {
		return errNoActor
	}
	if t.chain == nil {
		head, err := readHead(ctx, t, t.db.dialect == Postgres)
		if err != nil {
			return err
		}
		t.chain = audit.NewChain(head)
	}
	e := t.chain.Next(audit.Entry{Actor: t.actor.String(), Action: action, Object: object, BusinessDate: t.business, Time: t.now, Change: change, Detail: detail})
	t.held = append(t.held, e)
	if t.holding {
		return nil
	}
	return t.writeAudit(ctx)
}

// holdAudit makes t's next entries wait, chained, until writeAudit writes
// them in one statement: a group of postings appends one entry each and
// would otherwise pay two round trips for every one.
func (t *wtx) holdAudit() { t.holding = true }

// writeAudit writes the entries t holds and moves the stored head to the
// last of them.
func (t *wtx) writeAudit(ctx context.Context) error {
	t.holding = false
	if len(t.held) == 0 {
		return nil
	}
	last := t.held[len(t.held)-1]
	head := `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`
	ins := newBatcher(t, `INSERT INTO audit_log (`+auditColumns+`) VALUES`, "", 10)
	if t.db.dialect == Postgres && len(t.held) <= ins.perStmt {
		// The entries and the head in one statement: one round trip
		// while the head is locked, not two.
		args := make([]any, 0, 10*len(t.held)+2)
		for _, e := range t.held {
			args = append(args, auditArgs(e)...)
		}
		args = append(args, last.Seq, last.Hash.String())
		query := `WITH entries AS (` + ins.stmt(len(t.held)) + `) ` + head
		t.held = t.held[:0]
		if _, err := t.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("audit entry: %w", err)
		}
		return nil
	}
	for _, e := range t.held {
		if err := ins.add(ctx, auditArgs(e)...); err != nil {
			return fmt.Errorf("audit entry: %w", err)
		}
	}
	if err := ins.flush(ctx); err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	t.held = t.held[:0]
	_, err := t.ExecContext(ctx, head, last.Seq, last.Hash.String())
	return err
}

// auditArgs are e's columns as auditColumns lists them.
func auditArgs(e audit.Entry) []any {
	return []any{e.Seq, e.Time.UnixMicro(), int64(e.BusinessDate), e.Actor, e.Action, e.Object, e.Change.String(), e.Detail, e.Prev.String(), e.Hash.String()}
}

// errNoActor fails a write that no one is accountable for: every front end
// puts its actor in the context (auth.NewContext) before it writes.
var errNoActor = daihou.Errorf(daihou.EINTERNAL, "a write with no actor: the caller must say who acts (auth.NewContext) before it writes")

func readHead(ctx context.Context, q querier, lock bool) (audit.Head, error) {
	query := `SELECT seq, hash FROM audit_head WHERE id = 1`
	if lock {
		query += ` FOR UPDATE`
	}
	var h audit.Head
	var hash string
	if err := q.QueryRowContext(ctx, query).Scan(&h.Seq, &hash); err != nil {
		return h, fmt.Errorf("audit head: %w", err)
	}
	var err error
	h.Hash, err = audit.ParseHash(hash)
	return h, err
}

// AuditHead returns the head of the audit trail as the book keeps it.
func (db *DB) AuditHead(ctx context.Context) (audit.Head, error) {
	return readHead(ctx, db.read, false)
}

const auditColumns = `seq, at, business_date, actor, action, object, change, detail, prev, hash`

// scanEntry reads one audit_log row. A hash that is not hexadecimal reads
// as zero, which no sound entry has: verification reports the entry as
// edited.
func scanEntry(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var at, bd int64
	var change, prev, hash string
	if err := rows.Scan(&e.Seq, &at, &bd, &e.Actor, &e.Action, &e.Object, &change, &e.Detail, &prev, &hash); err != nil {
		return e, err
	}
	e.Time, e.BusinessDate = time.UnixMicro(at).UTC(), civil.Date(bd)
	e.Change, _ = audit.ParseHash(change)
	e.Prev, _ = audit.ParseHash(prev)
	e.Hash, _ = audit.ParseHash(hash)
	return e, nil
}

// AuditEntries returns the entries of the trail after seq after, in seq
// order, at most limit of them: all of them, or those about object when it
// is not "".
func (db *DB) AuditEntries(ctx context.Context, object string, after int64, limit int) ([]audit.Entry, error) {
	query := `SELECT ` + auditColumns + ` FROM audit_log WHERE seq > ?`
	args := []any{after}
	if object != "" {
		query += ` AND object = ?`
		args = append(args, object)
	}
	query += ` ORDER BY seq LIMIT ?`
	args = append(args, int64(limit))
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole trail against its stored head and returns
// how many entries are sound, and nil when all are, or the error naming
// the first entry edited, deleted, inserted or re-ordered (audit.Verifier;
// code ECONFLICT). progress, when not nil, is called now and then with the
// entries read so far.
func (db *DB) VerifyAudit(ctx context.Context, progress func(n int64)) (int64, error) {
	// One read transaction, so that the entries and the head are of one
	// moment even while others append.
	tx, err := db.readTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	head, err := readHead(ctx, tx, false)
	if err != nil {
		return 0, err
	}
	v := audit.NewVerifier(audit.Genesis())
	rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return v.Count(), err
		}
		if err := v.Add(e); err != nil {
			return v.Count(), err
		}
		if n++; progress != nil && n%65536 == 0 {
			progress(n)
		}
	}
	if err := rows.Err(); err != nil {
		return v.Count(), err
	}
	if err := v.Finish(); err != nil {
		return v.Count(), err
	}
	return v.Count(), v.CheckHead(head)
}

// auditPosting appends the entry of one posted ledger transaction.
func (t *wtx) auditPosting(ctx context.Context, p servicing.Tx) error {
	return t.auditPostingWhy(ctx, p, "")
}

// auditPostingWhy is auditPosting with why, when not "", at the end of the
// entry's detail (and in its digest).
func (t *wtx) auditPostingWhy(ctx context.Context, p servicing.Tx, why string) error {
	action := "post." + string(p.Kind)
	if a, ok := auth.PostAction(string(p.Kind)); ok {
		action = string(a)
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	change := audit.DigestFields(i(p.LoanID), i(p.Seq), string(p.Kind), p.ValueDate.String(), i(int64(p.Amount)), p.Reference, p.Channel,
		i(p.Reverses), string(p.Component), i(int64(p.NewRate)), i(int64(p.NewTerm)), string(p.NewMethod))
	detail := fmt.Sprintf("%s #%d of %s value %s", p.Kind, p.Seq, p.Amount, p.ValueDate)
	if p.Reference != "" {
		detail += ", reference " + p.Reference
	}
	if p.Reverses != 0 {
		detail += fmt.Sprintf(", reverses #%d", p.Reverses)
	}
	if why != "" {
		detail += "; " + why
		change = audit.DigestFields(change.String(), why)
	}
	return t.audit(ctx, action, audit.LoanObject(p.LoanID), change, detail)
}

// Source is an input file as the audit trail records it: its name, the
// SHA-256 of its bytes (which an auditor can check with sha256sum) and the
// rows the parser read and refused before the store saw any.
type Source struct {
	Name      string
	Digest    audit.Hash
	Rows      int
	Rejected  int
	StartedBy string // the person who started an import that acts as a system actor
}

// auditImport appends the entry of one chunk of an imported file: what
// the chunk did, and for the file's last chunk what the whole file did.
// A file that fits in one chunk — a day's file from core banking, most
// often — has exactly one entry; a larger one an entry per committed
// chunk, so that nothing is committed unrecorded if the import stops.
func (t *wtx) auditImport(ctx context.Context, action string, src Source, chunk, chunks int, got, total importCounts) error {
	name := src.Name
	if name == "" {
		name = "(no name)"
	}
	var detail string
	if chunks > 1 {
		detail = fmt.Sprintf("part %d of %d: %s; ", chunk, chunks, got)
	}
	if chunk == chunks {
		total.rejected += src.Rejected
		detail += fmt.Sprintf("file %s, %d rows: %s", name, src.Rows, total)
	} else {
		detail += fmt.Sprintf("file %s, %d rows, in progress", name, src.Rows)
	}
	if src.StartedBy != "" {
		detail += "; started by " + src.StartedBy
	}
	return t.audit(ctx, action, audit.Object("file", src.Digest.String()), src.Digest, detail)
}

// importCounts is what an import did with its rows.
type importCounts struct{ added, present, rejected int }

func (c importCounts) String() string {
	return fmt.Sprintf("%d added, %d already present, %d rejected", c.added, c.present, c.rejected)
}

// idList writes ids as decimal text, for a digest.
func idList(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}
