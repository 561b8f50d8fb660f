package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/legal"
	"daihou/money"
	"daihou/servicing"
)

// Legal and recovery cases (诉讼/委外): a case of a loan in legal_cases,
// what happened on it in legal_case_events. Every change is one event and
// one audit entry in the transaction that makes it; the case row carries
// the running totals and the number of its events, so that the next
// event's seq comes from the row the change updates (and locks), not from
// a MAX. A recovery is posted to the loan's ledger through the posting
// path in the same transaction: a recovery after write-off (核销后收回) on
// a written-off loan, a repayment on any other, its seq on the event.
// Recording on a case (auth.RecordLegal) is what authorises that posting.

// Bounds of a case's text fields.
const (
	maxCourt    = 200
	maxCourtRef = 100
	maxCaseNote = 2000
)

// NewCase is a case to open on a loan.
type NewCase struct {
	Kind     legal.Kind
	Agency   string // an agency's code (agencies), for an agency case
	Court    string // litigation: the court
	CourtRef string // litigation: the case number (案号), once the court gives one
	// Assignee is the user with role legal who works the case; "" for the
	// actor when the actor is legal. One not yet assigned the loan is
	// assigned it (kind legal), which takes a role that assigns work.
	Assignee string
	Note     string
}

// OpenCase opens a case on loan loanID as the actor in ctx, who must be
// allowed to record legal work on it, at the first stage of its kind on
// the business date. A loan has at most one open case of a kind
// (ECONFLICT); an agency case names an active agency.
func (db *DB) OpenCase(ctx context.Context, loanID int64, nc NewCase) (legal.Case, error) {
	var c legal.Case
	if legal.First(nc.Kind) == "" {
		_, err := legal.ParseKind(string(nc.Kind))
		return c, err
	}
	var err error
	if nc.Court, nc.CourtRef, err = caseCourt(nc.Kind, nc.Court, nc.CourtRef); err != nil {
		return c, err
	}
	if nc.Note, err = caseNote(nc.Note); err != nil {
		return c, err
	}
	nc.Agency = strings.TrimSpace(nc.Agency)
	switch {
	case nc.Kind == legal.Agency && nc.Agency == "":
		return c, daihou.Invalid("agency", "agency: an agency case names the agency it is placed with")
	case nc.Kind == legal.Litigation && nc.Agency != "":
		return c, daihou.Invalid("agency", "agency: litigation is the lender's own; an agency case is kind agency")
	}
	err = db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, auth.RecordLegal, loanID); err != nil {
			return err
		}
		business, err := t.needBusinessDate()
		if err != nil {
			return err
		}
		if nc.Kind == legal.Agency {
			if err := activeAgency(ctx, t, nc.Agency); err != nil {
				return err
			}
		}
		assignee, err := t.caseAssignee(ctx, loanID, nc.Assignee)
		if err != nil {
			return err
		}
		var open int64
		switch err := t.QueryRowContext(ctx, `SELECT id FROM legal_cases WHERE loan_id = ? AND kind = ? AND closed = 0`, loanID, string(nc.Kind)).Scan(&open); {
		case err == nil:
			return daihou.Errorf(daihou.ECONFLICT, "loan %d has an open %s case already, case %d: record on it, or close it first", loanID, nc.Kind, open)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		c = legal.Case{LoanID: loanID, Kind: nc.Kind, Agency: nc.Agency, Stage: legal.First(nc.Kind), Opened: business, Court: nc.Court, CourtRef: nc.CourtRef,
			Assignee: assignee, CreatedBy: t.actor.String()}
		if err := t.QueryRowContext(ctx, `INSERT INTO legal_cases (loan_id, kind, agency, stage, opened, court, court_ref, assignee, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, loanID, string(c.Kind), c.Agency, string(c.Stage), int64(business), c.Court, c.CourtRef,
			c.Assignee, c.CreatedBy, t.stamp()).Scan(&c.ID); err != nil {
			if isUniqueViolation(err) {
				return daihou.Errorf(daihou.ECONFLICT, "an open %s case of loan %d was opened concurrently", nc.Kind, loanID)
			}
			return err
		}
		where := ""
		switch {
		case c.Agency != "":
			where = ", placed with " + c.Agency
		case c.Court != "":
			where = ", court " + c.Court
		}
		if c.Assignee != "" {
			where += ", assigned to " + c.Assignee
		}
		_, err = t.caseEvent(ctx, &c, legal.Event{Kind: legal.Opened, Stage: c.Stage, Note: nc.Note},
			fmt.Sprintf("%s case %d opened at %s%s", c.Kind, c.ID, c.Stage, where))
		return err
	})
	return c, err
}

// activeAgency refuses an agency code that is unknown or not active.
func activeAgency(ctx context.Context, t *wtx, code string) error {
	var active int
	err := t.QueryRowContext(ctx, `SELECT active FROM agencies WHERE code = ?`, code).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return daihou.Invalid("agency", "agency: no agency %q", inputtext.Clip(code, 40))
	}
	if err != nil {
		return err
	}
	if active == 0 {
		return daihou.Invalid("agency", "agency: %s is not active: no case is placed with it", code)
	}
	return nil
}

// caseAssignee returns the user name who works a new case of loanID: name,
// or t's actor when name is "" and the actor is legal (none otherwise). A
// named user must hold role legal; one the loan is not assigned to gets
// it assigned, when t's actor may assign work.
func (t *wtx) caseAssignee(ctx context.Context, loanID int64, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		if t.actor.Kind() == auth.KindUser && t.actor.Has(auth.Legal) {
			return t.actor.Name(), nil
		}
		return "", nil
	}
	u, err := userByName(ctx, t, name)
	if err != nil {
		return "", daihou.Invalid("assignee", "assignee: %s", daihou.ErrorMessage(err))
	}
	if !slices.Contains(u.Roles, auth.Legal) {
		return "", daihou.Invalid("assignee", "assignee: %s does not have role legal, which works cases", u.Name)
	}
	var n int
	if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM loan_assignments WHERE assignee = ? AND loan_id = ?`, u.Name, loanID).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return u.Name, nil
	}
	if err := t.canLoan(ctx, auth.AssignCollection, loanID); err != nil {
		return "", fmt.Errorf("assigning the loan to %s for the case: %w", u.Name, err)
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO loan_assignments (assignee, loan_id, kind, since) VALUES (?, ?, ?, ?)`, u.Name, loanID, AssignLegal, int64(t.business)); err != nil {
		return "", err
	}
	return u.Name, t.audit(ctx, string(auth.AssignCollection), audit.LoanObject(loanID), audit.DigestFields(u.Name, AssignLegal), fmt.Sprintf("assigned to %s (%s)", u.Name, AssignLegal))
}

// CaseMove moves a case to a stage.
type CaseMove struct {
	Stage legal.Stage
	// Court and CourtRef, when not "", set the court and the case number
	// (案号), given when the court accepts the claim (立案): litigation only.
	Court    string
	CourtRef string
	Note     string
}

// MoveCase moves case id forward to a stage of its kind, as the actor in
// ctx: an unknown stage is refused (EINVALID), and a move back, to the
// same stage or from a closed case (ECONFLICT), each with the stages it
// may move to. Closing dates the case closed on the business date.
func (db *DB) MoveCase(ctx context.Context, id int64, m CaseMove) (legal.Case, legal.Event, error) {
	var c legal.Case
	var e legal.Event
	note, err := caseNote(m.Note)
	if err != nil {
		return c, e, err
	}
	err = db.inTx(ctx, func(t *wtx) error {
		var err error
		if c, err = t.recordableCase(ctx, id); err != nil {
			return err
		}
		if err := legal.CheckMove(c.Kind, c.Stage, m.Stage); err != nil {
			return err
		}
		if m.Court != "" || m.CourtRef != "" {
			court, ref, err := caseCourt(c.Kind, m.Court, m.CourtRef)
			if err != nil {
				return err
			}
			if court != "" {
				c.Court = court
			}
			if ref != "" {
				c.CourtRef = ref
			}
		}
		from := c.Stage
		c.Stage = m.Stage
		if c.Stage == legal.Closed {
			c.Closed = t.business
		}
		detail := fmt.Sprintf("%s case %d %s → %s", c.Kind, c.ID, from, c.Stage)
		if c.CourtRef != "" {
			detail += ", 案号 " + c.CourtRef
		}
		e, err = t.caseEvent(ctx, &c, legal.Event{Kind: legal.Moved, Stage: c.Stage, Note: note}, detail)
		return err
	})
	return c, e, err
}

// AddCaseCost adds a cost (court fees, a lawyer's or an agency's fee) to
// open case id, as the actor in ctx.
func (db *DB) AddCaseCost(ctx context.Context, id int64, cost money.Amount, note string) (legal.Case, legal.Event, error) {
	var c legal.Case
	var e legal.Event
	if cost <= 0 || cost > maxCaseAmount {
		return c, e, daihou.Invalid("amount", "amount: a cost is a positive amount up to %s, not %s", maxCaseAmount, cost)
	}
	note, err := caseNote(note)
	if err != nil {
		return c, e, err
	}
	err = db.inTx(ctx, func(t *wtx) error {
		var err error
		if c, err = t.recordableCase(ctx, id); err != nil {
			return err
		}
		if !c.Open() {
			return daihou.Errorf(daihou.ECONFLICT, "case %d is closed: it takes no more costs", c.ID)
		}
		c.Costs += cost
		e, err = t.caseEvent(ctx, &c, legal.Event{Kind: legal.Cost, Stage: c.Stage, Cost: cost, Note: note},
			fmt.Sprintf("%s case %d cost %s, %s in all", c.Kind, c.ID, cost, c.Costs))
		return err
	})
	return c, e, err
}

// maxCaseAmount bounds a cost or a recovery: a trillion yuan.
const maxCaseAmount = money.Amount(1e14)

// RecordCaseRecovery records amount recovered on open case id on the
// business date, as the actor in ctx: posted to the case's loan as a
// recovery when the loan is written off, else as a repayment, with
// reference (the idempotency key; "" for one of the case's own), in the
// same transaction as the event that adds it to the case's recovered
// total and names the posting's seq. The same reference again returns the
// event it made with duplicate = true and changes nothing; a reference the
// ledger holds for anything else is a conflict.
func (db *DB) RecordCaseRecovery(ctx context.Context, id int64, amount money.Amount, reference, note string) (c legal.Case, e legal.Event, duplicate bool, err error) {
	if amount <= 0 || amount > maxCaseAmount {
		return c, e, false, daihou.Invalid("amount", "amount: a recovery is a positive amount up to %s, not %s", maxCaseAmount, amount)
	}
	if note, err = caseNote(note); err != nil {
		return c, e, false, err
	}
	if reference = strings.TrimSpace(reference); len(reference) > 100 {
		return c, e, false, daihou.Invalid("reference", "reference: at most 100 bytes, not %d", len(reference))
	}
	err = db.inTx(ctx, func(t *wtx) error {
		var err error
		if c, err = t.recordableCase(ctx, id); err != nil {
			return err
		}
		if !c.Open() {
			return daihou.Errorf(daihou.ECONFLICT, "case %d is closed: reopen the work as a new case to record a recovery on it", c.ID)
		}
		ref := reference
		if ref == "" {
			ref = fmt.Sprintf("case:%d:%d", c.ID, c.Events+1)
		}
		var writeOffs int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM transactions WHERE loan_id = ? AND kind = ?`, c.LoanID, string(servicing.WriteOff)).Scan(&writeOffs); err != nil {
			return err
		}
		kind := servicing.Repayment
		if writeOffs > 0 {
			kind = servicing.Recovery
		}
		p, err := db.posterIn(ctx, t)
		if err != nil {
			return err
		}
		tx := servicing.Tx{LoanID: c.LoanID, Kind: kind, Amount: amount, Channel: "case", Reference: ref}
		posted, dup, err := db.postAuthorized(ctx, t, p, tx, fmt.Sprintf("recovered on %s case %d by %s", c.Kind, c.ID, t.actor))
		if err != nil {
			return err
		}
		if duplicate = dup; dup {
			e, err = caseEventOfSeq(ctx, t, c.ID, posted.Seq)
			if errors.Is(err, sql.ErrNoRows) {
				return daihou.Errorf(daihou.ECONFLICT, "%w: %q is %s #%d of loan %d, not a recovery of case %d", ErrReferenceConflict, ref, posted.Kind, posted.Seq, posted.LoanID, c.ID)
			}
			return err
		}
		c.Recovered += posted.Amount
		e, err = t.caseEvent(ctx, &c, legal.Event{Kind: legal.Recovered, Stage: c.Stage, Recovery: posted.Amount, LedgerSeq: posted.Seq, Note: note},
			fmt.Sprintf("%s case %d recovered %s as %s #%d, %s in all", c.Kind, c.ID, posted.Amount, posted.Kind, posted.Seq, c.Recovered))
		return err
	})
	return c, e, duplicate, err
}

// caseEvent appends e to case c, whose row takes c's stage, court and
// totals as they now are, and its audit entry with detail.
func (t *wtx) caseEvent(ctx context.Context, c *legal.Case, e legal.Event, detail string) (legal.Event, error) {
	var seq int64
	if err := t.QueryRowContext(ctx, `UPDATE legal_cases SET stage = ?, closed = ?, court = ?, court_ref = ?, costs = ?, recovered = ?, events = events + 1
		WHERE id = ? RETURNING events`, string(c.Stage), int64(c.Closed), c.Court, c.CourtRef, int64(c.Costs), int64(c.Recovered), c.ID).Scan(&seq); err != nil {
		return e, err
	}
	c.Events = int(seq)
	e.CaseID, e.Seq, e.Business, e.By, e.At = c.ID, int(seq), t.business, t.actor.String(), t.now.UTC()
	if _, err := t.ExecContext(ctx, `INSERT INTO legal_case_events (case_id, seq, kind, business, stage, cost, recovery, ledger_seq, note, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.CaseID, seq, string(e.Kind), int64(e.Business), string(e.Stage), int64(e.Cost), int64(e.Recovery), e.LedgerSeq, e.Note, e.By, t.stamp()); err != nil {
		return e, err
	}
	if e.Note != "" {
		detail += "; note: " + e.Note
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return e, t.audit(ctx, string(auth.RecordLegal), audit.LoanObject(c.LoanID), audit.DigestFields(i(c.ID), i(seq), string(e.Kind), string(e.Stage),
		i(int64(e.Cost)), i(int64(e.Recovery)), i(e.LedgerSeq), c.Court, c.CourtRef, c.Assignee, e.Note), detail)
}

// recordableCase reads case id in t for a change by t's actor, who must
// be allowed to record legal work on its loan; a case on a loan the actor
// does not see does not exist.
func (t *wtx) recordableCase(ctx context.Context, id int64) (legal.Case, error) {
	c, err := scanCase(t.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM legal_cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, noCase(id)
	}
	if err != nil {
		return c, err
	}
	if err := t.canLoan(ctx, auth.RecordLegal, c.LoanID); err != nil {
		if daihou.ErrorCode(err) == daihou.ENOTFOUND {
			return c, noCase(id)
		}
		return c, err
	}
	return c, nil
}

func noCase(id int64) error {
	return daihou.Errorf(daihou.ENOTFOUND, "no case %d: 'daihou case list' shows them", id)
}

// caseCourt checks a case's court and case number: litigation only.
func caseCourt(k legal.Kind, court, ref string) (string, string, error) {
	court, ref = strings.TrimSpace(court), strings.TrimSpace(ref)
	switch {
	case k != legal.Litigation && (court != "" || ref != ""):
		return "", "", daihou.Invalid("court", "court: only litigation has a court and a case number (案号)")
	case len(court) > maxCourt:
		return "", "", daihou.Invalid("court", "court: at most %d bytes, not %d", maxCourt, len(court))
	case len(ref) > maxCourtRef:
		return "", "", daihou.Invalid("court_ref", "court_ref: at most %d bytes, not %d", maxCourtRef, len(ref))
	}
	return court, ref, nil
}

func caseNote(s string) (string, error) {
	if s = strings.TrimSpace(s); len(s) > maxCaseNote {
		return "", daihou.Invalid("note", "note: at most %d bytes, not %d", maxCaseNote, len(s))
	}
	return s, nil
}

// caseColumns are the columns of legal_cases a legal.Case reads.
const caseColumns = `id, loan_id, kind, agency, stage, opened, closed, court, court_ref, assignee, costs, recovered, events, created_by`

func scanCase(sc interface{ Scan(...any) error }) (legal.Case, error) {
	var c legal.Case
	var kind, stage string
	var opened, closed, costs, recovered int64
	if err := sc.Scan(&c.ID, &c.LoanID, &kind, &c.Agency, &stage, &opened, &closed, &c.Court, &c.CourtRef, &c.Assignee, &costs, &recovered, &c.Events, &c.CreatedBy); err != nil {
		return c, err
	}
	c.Kind, c.Stage = legal.Kind(kind), legal.Stage(stage)
	c.Opened, c.Closed, c.Costs, c.Recovered = civil.Date(opened), civil.Date(closed), money.Amount(costs), money.Amount(recovered)
	return c, nil
}

const caseEventColumns = `case_id, seq, kind, business, stage, cost, recovery, ledger_seq, note, by_name, at`

func scanCaseEvent(sc interface{ Scan(...any) error }) (legal.Event, error) {
	var e legal.Event
	var kind, stage, at string
	var business, cost, recovery int64
	if err := sc.Scan(&e.CaseID, &e.Seq, &kind, &business, &stage, &cost, &recovery, &e.LedgerSeq, &e.Note, &e.By, &at); err != nil {
		return e, err
	}
	e.Kind, e.Stage, e.Business = legal.EventKind(kind), legal.Stage(stage), civil.Date(business)
	e.Cost, e.Recovery, e.At = money.Amount(cost), money.Amount(recovery), parseStamp(at)
	return e, nil
}

// caseEventOfSeq returns case id's recovery event posted as ledger seq.
func caseEventOfSeq(ctx context.Context, q querier, id, seq int64) (legal.Event, error) {
	return scanCaseEvent(q.QueryRowContext(ctx, `SELECT `+caseEventColumns+` FROM legal_case_events WHERE case_id = ? AND kind = ? AND ledger_seq = ?`, id, string(legal.Recovered), seq))
}

// CaseFilter selects cases.
type CaseFilter struct {
	LoanID   int64 // 0 for every loan
	Kind     legal.Kind
	Stage    legal.Stage
	Open     bool   // only the cases not closed
	Assignee string // only the cases this user works
	Limit    int    // default 100, at most 10000
}

// Cases returns the cases the filter selects on the loans the actor in
// ctx may see, newest first.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]legal.Case, error) {
	scope, args := scopeWhere(auth.ScopeFor(auth.FromContext(ctx), auth.ReadLoan))
	where := []string{scope}
	if f.LoanID != 0 {
		where, args = append(where, "c.loan_id = ?"), append(args, f.LoanID)
	}
	if f.Kind != "" {
		if legal.First(f.Kind) == "" {
			_, err := legal.ParseKind(string(f.Kind))
			return nil, err
		}
		where, args = append(where, "c.kind = ?"), append(args, string(f.Kind))
	}
	if f.Stage != "" {
		if !slices.Contains(legal.Stages(legal.Litigation), f.Stage) && !slices.Contains(legal.Stages(legal.Agency), f.Stage) {
			return nil, daihou.Invalid("stage", "stage: want one of %s or %s, not %q", stageList(legal.Litigation), stageList(legal.Agency), inputtext.Clip(string(f.Stage), 32))
		}
		where, args = append(where, "c.stage = ?"), append(args, string(f.Stage))
	}
	if f.Open {
		where = append(where, "c.closed = 0")
	}
	if f.Assignee != "" {
		name, err := auth.NormalizeName(f.Assignee)
		if err != nil {
			return nil, daihou.Invalid("assignee", "assignee: %s", daihou.ErrorMessage(err))
		}
		where, args = append(where, "c.assignee = ?"), append(args, name)
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	cols := "c." + strings.ReplaceAll(caseColumns, ", ", ", c.")
	return queryRows(ctx, db.read, scanCase, `SELECT `+cols+` FROM legal_cases c JOIN loans l ON l.id = c.loan_id WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id DESC LIMIT ?`, append(args, limit)...)
}

func stageList(k legal.Kind) string {
	var s []string
	for _, st := range legal.Stages(k) {
		s = append(s, string(st))
	}
	return strings.Join(s, ", ")
}

// Case returns case id, if the actor in ctx may see its loan (ENOTFOUND
// otherwise, as for a case that does not exist).
func (db *DB) Case(ctx context.Context, id int64) (legal.Case, error) {
	c, err := scanCase(db.read.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM legal_cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, noCase(id)
	}
	if err != nil {
		return c, err
	}
	if err := db.Authorize(ctx, auth.ReadLoan, c.LoanID); err != nil {
		if daihou.ErrorCode(err) == daihou.ENOTFOUND {
			return legal.Case{}, noCase(id)
		}
		return legal.Case{}, err
	}
	return c, nil
}

// CaseEvents returns the events of case id in order, if the actor in ctx
// may see its loan.
func (db *DB) CaseEvents(ctx context.Context, id int64) ([]legal.Event, error) {
	if _, err := db.Case(ctx, id); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+caseEventColumns+` FROM legal_case_events WHERE case_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []legal.Event
	for rows.Next() {
		e, err := scanCaseEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
