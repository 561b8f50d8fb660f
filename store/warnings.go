package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/eod"
	"daihou/inputtext"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/warning"
)

// Early warning (风险预警): rules, versioned; warnings raised by close of
// business (or on a webhook's arrival) and moved through their life cycle
// by people; and each loan's milestones, which judge the rules.

// ruleColumns are the columns of warning_rules a Rule reads.
const ruleColumns = `code, version, name, expr, severity, cooldown, owner, enabled, description`

func scanRule(sc interface{ Scan(...any) error }) (warning.Rule, error) {
	var r warning.Rule
	var sev string
	var enabled int
	if err := sc.Scan(&r.Code, &r.Version, &r.Name, &r.Expr, &sev, &r.Cooldown, &r.Owner, &enabled, &r.Description); err != nil {
		return r, err
	}
	var err error
	if r.Severity, err = warning.ParseSeverity(sev); err != nil {
		return r, daihou.Errorf(daihou.EINTERNAL, "rule %s v%d: %w", r.Code, r.Version, err)
	}
	r.Enabled = enabled != 0
	return r, nil
}

// Rules returns the latest version of every rule, by code. A book with no
// rules yet gets the default rule set (warning.Defaults) first, put by the
// system, so that close of business warns from its first day.
func (db *DB) Rules(ctx context.Context) ([]warning.Rule, error) {
	rules, err := latestRules(ctx, db.read)
	if err != nil || len(rules) > 0 {
		return rules, err
	}
	// The defaults are the system's, not the first reader's.
	err = db.inTx(auth.NewContext(ctx, auth.EOD()), func(t *wtx) error {
		var n int
		if err := t.QueryRowContext(ctx, `SELECT COUNT(*) FROM warning_rules`).Scan(&n); err != nil || n > 0 {
			return err
		}
		for _, r := range warning.Defaults() {
			if _, err := t.putRule(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return latestRules(ctx, db.read)
}

func latestRules(ctx context.Context, q querier) ([]warning.Rule, error) {
	return queryRules(ctx, q, `SELECT `+ruleColumns+` FROM warning_rules r WHERE version = (SELECT MAX(version) FROM warning_rules v WHERE v.code = r.code) ORDER BY code`)
}

// queryRules runs a query of ruleColumns.
func queryRules(ctx context.Context, q querier, query string, args ...any) ([]warning.Rule, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []warning.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RuleVersions returns every version of rule code, newest first;
// ENOTFOUND for a code no rule has.
func (db *DB) RuleVersions(ctx context.Context, code string) ([]warning.Rule, error) {
	if _, err := db.Rules(ctx); err != nil {
		return nil, err
	}
	out, err := queryRules(ctx, db.read, `SELECT `+ruleColumns+` FROM warning_rules WHERE code = ? ORDER BY version DESC`, code)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "no rule %q: 'daihou rule list' shows the rules", inputtext.Clip(code, 40))
	}
	return out, nil
}

// PutRule stores r as the next version of its code, as the actor in ctx,
// who must be allowed to manage rules. A rule that does not compile is
// refused with the position and reason (EINVALID), and nothing is stored.
// A new version takes effect at the next close of business; switching it
// on or off is part of the version.
func (db *DB) PutRule(ctx context.Context, r warning.Rule) (warning.Rule, error) {
	if _, err := db.Rules(ctx); err != nil { // the defaults first: a put is a new version of one of them
		return r, err
	}
	var out warning.Rule
	err := db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageRules, auth.Book()); err != nil {
			return err
		}
		var err error
		out, err = t.putRule(ctx, r)
		return err
	})
	return out, err
}

func (t *wtx) putRule(ctx context.Context, r warning.Rule) (warning.Rule, error) {
	if _, err := warning.Compile(r); err != nil {
		return r, err
	}
	var v sql.NullInt64
	if err := t.QueryRowContext(ctx, `SELECT MAX(version) FROM warning_rules WHERE code = ?`, r.Code).Scan(&v); err != nil {
		return r, err
	}
	r.Version = int(v.Int64) + 1
	if _, err := t.ExecContext(ctx, `INSERT INTO warning_rules (`+ruleColumns+`, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Code, r.Version, r.Name, r.Expr, r.Severity.String(), r.Cooldown, r.Owner, boolInt(r.Enabled), r.Description, t.actor.String(), t.stamp()); err != nil {
		return r, err
	}
	state := "off"
	if r.Enabled {
		state = "on"
	}
	return r, t.audit(ctx, string(auth.ManageRules), audit.Object("rule", r.Code), audit.DigestFields(r.Code, strconv.Itoa(r.Version), r.Expr, r.Severity.String(), strconv.Itoa(r.Cooldown), r.Owner, state),
		fmt.Sprintf("rule %s version %d (%s, %s, cooldown %d days, owner %s): %s", r.Code, r.Version, r.Severity, state, r.Cooldown, r.Owner, r.Expr))
}

// SetRuleEnabled switches rule code on or off, as a new version.
func (db *DB) SetRuleEnabled(ctx context.Context, code string, on bool) (warning.Rule, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ManageRules, auth.Book()).Err(); err != nil {
		return warning.Rule{}, err // refused even when there is nothing to switch
	}
	vs, err := db.RuleVersions(ctx, code)
	if err != nil {
		return warning.Rule{}, err
	}
	r := vs[0]
	if r.Enabled == on {
		return r, nil
	}
	r.Enabled = on
	return db.PutRule(ctx, r)
}

// WarningSet returns the compiled set of the enabled rules; nil when none
// is enabled.
func (db *DB) WarningSet(ctx context.Context) (*warning.Set, error) {
	rules, err := db.Rules(ctx)
	if err != nil {
		return nil, err
	}
	var on []warning.Rule
	for _, r := range rules {
		if r.Enabled {
			on = append(on, r)
		}
	}
	if len(on) == 0 {
		return nil, nil
	}
	return warning.CompileSet(on)
}

// warningColumns are the columns of warnings a Warning reads.
const warningColumns = `id, loan_id, borrower_id, rule, version, severity, raised, state, reason, owner, updated, updated_by, note`

func scanWarning(sc interface{ Scan(...any) error }) (warning.Warning, error) {
	var w warning.Warning
	var sev, state string
	var raised, updated int64
	if err := sc.Scan(&w.ID, &w.LoanID, &w.BorrowerID, &w.Rule, &w.Version, &sev, &raised, &state, &w.Reason, &w.Owner, &updated, &w.By, &w.Note); err != nil {
		return w, err
	}
	var err1, err2 error
	w.Severity, err1 = warning.ParseSeverity(sev)
	w.State, err2 = warning.ParseState(state)
	if err := errors.Join(err1, err2); err != nil {
		return w, daihou.Errorf(daihou.EINTERNAL, "warning %d: %w", w.ID, err)
	}
	w.Raised, w.Changed = civil.Date(raised), civil.Date(updated)
	return w, nil
}

// loadWarnings returns the warnings of ids, by loan, oldest first.
func loadWarnings(ctx context.Context, q querier, ids []int64) (map[int64][]warning.Warning, error) {
	out := map[int64][]warning.Warning{}
	err := selectIDs(ctx, q, ids, `SELECT `+warningColumns+` FROM warnings WHERE `, "loan_id", ` ORDER BY loan_id, id`, func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			w, err := scanWarning(rows)
			if err != nil {
				return err
			}
			if want(w.LoanID) {
				out[w.LoanID] = append(out[w.LoanID], w)
			}
		}
		return nil
	})
	return out, err
}

// insertWarnings stores new warnings, raised by the actor of t.
func insertWarnings(ctx context.Context, t *wtx, ws []warning.Warning) error {
	if len(ws) == 0 {
		return nil
	}
	// One warning of a rule on a loan a day: close of business and a
	// webhook's arrival may both decide it.
	b := newBatcher(t, `INSERT INTO warnings (loan_id, borrower_id, rule, version, severity, raised, state, reason, owner, raised_by, updated, updated_by, note) VALUES`, `ON CONFLICT (loan_id, rule, raised) DO NOTHING`, 13)
	by := t.actor.String()
	for _, w := range ws {
		if err := b.add(ctx, w.LoanID, w.BorrowerID, w.Rule, w.Version, w.Severity.String(), int64(w.Raised), w.State.String(), w.Reason, w.Owner, by, int64(w.Raised), by, ""); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// saveMilestones records the milestones of loans first reached: a date
// once set is kept.
func saveMilestones(ctx context.Context, t *wtx, ms map[int64]warning.Milestones) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(ms))
	for id := range ms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b := newBatcher(t, `INSERT INTO loan_milestones (loan_id, dpd30, dpd90, substandard) VALUES`,
		`ON CONFLICT (loan_id) DO UPDATE SET
			dpd30 = CASE WHEN loan_milestones.dpd30 = 0 THEN excluded.dpd30 ELSE loan_milestones.dpd30 END,
			dpd90 = CASE WHEN loan_milestones.dpd90 = 0 THEN excluded.dpd90 ELSE loan_milestones.dpd90 END,
			substandard = CASE WHEN loan_milestones.substandard = 0 THEN excluded.substandard ELSE loan_milestones.substandard END`, 4)
	for _, id := range ids {
		m := ms[id]
		if err := b.add(ctx, id, int64(m.DPD30), int64(m.DPD90), int64(m.Substandard)); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// loadMilestones returns the milestones of ids.
func loadMilestones(ctx context.Context, q querier, ids []int64) (map[int64]warning.Milestones, error) {
	out := map[int64]warning.Milestones{}
	err := selectIDs(ctx, q, ids, `SELECT loan_id, dpd30, dpd90, substandard FROM loan_milestones WHERE `, "loan_id", "", func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			var id, a, b, c int64
			if err := rows.Scan(&id, &a, &b, &c); err != nil {
				return err
			}
			if want(id) {
				out[id] = warning.Milestones{DPD30: civil.Date(a), DPD90: civil.Date(b), Substandard: civil.Date(c)}
			}
		}
		return nil
	})
	return out, err
}

// WarningFilter selects warnings.
type WarningFilter struct {
	Loan     int64 // one loan; 0 for all
	Rule     string
	State    string // a state, "open" for every open one, "" for all
	Severity string
	From, To civil.Date // raised within, zero for unbounded
	Limit    int
}

// Warnings returns the warnings the filter selects, newest first, on the
// loans the actor in ctx may see.
func (db *DB) Warnings(ctx context.Context, f WarningFilter) ([]warning.Warning, error) {
	scope, sargs := scopeWhere(auth.ScopeFor(auth.FromContext(ctx), auth.ReadLoan))
	where := []string{scope}
	args := sargs
	if f.Loan != 0 {
		where, args = append(where, "w.loan_id = ?"), append(args, f.Loan)
	}
	if f.Rule != "" {
		where, args = append(where, "w.rule = ?"), append(args, f.Rule)
	}
	switch f.State {
	case "":
	case "open":
		where = append(where, "w.state <> 'resolved'")
	default:
		s, err := warning.ParseState(f.State)
		if err != nil {
			return nil, daihou.Invalid("state", "state: %v (or open)", err)
		}
		where, args = append(where, "w.state = ?"), append(args, s.String())
	}
	if f.Severity != "" {
		s, err := warning.ParseSeverity(f.Severity)
		if err != nil {
			return nil, daihou.Invalid("severity", "severity: %v", err)
		}
		where, args = append(where, "w.severity = ?"), append(args, s.String())
	}
	if f.From != 0 {
		where, args = append(where, "w.raised >= ?"), append(args, int64(f.From))
	}
	if f.To != 0 {
		where, args = append(where, "w.raised <= ?"), append(args, int64(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	cols := "w." + strings.ReplaceAll(warningColumns, ", ", ", w.")
	return queryWarnings(ctx, db.read, `SELECT `+cols+` FROM warnings w JOIN loans l ON l.id = w.loan_id WHERE `+strings.Join(where, " AND ")+` ORDER BY w.raised DESC, w.id DESC LIMIT ?`, append(args, limit)...)
}

// queryWarnings runs a query of warningColumns.
func queryWarnings(ctx context.Context, q querier, query string, args ...any) ([]warning.Warning, error) {
	return queryRows(ctx, q, scanWarning, query, args...)
}

// MoveWarning moves warning id to a state of its life cycle on the
// business date, as the actor in ctx, who must be allowed to handle
// warnings on its loan: audited, and an event of the loan for close of
// business (a rule held by an open warning may raise again once it is
// resolved). ENOTFOUND for a warning on a loan the actor does not see;
// ECONFLICT for a move the life cycle does not allow.
func (db *DB) MoveWarning(ctx context.Context, id int64, to warning.State, note string) (warning.Warning, error) {
	if note = strings.TrimSpace(note); len(note) > 500 {
		return warning.Warning{}, daihou.Invalid("note", "note: at most 500 bytes, not %d", len(note))
	}
	var w warning.Warning
	err := db.inTx(ctx, func(t *wtx) error {
		var err error
		w, err = scanWarning(t.QueryRowContext(ctx, `SELECT `+warningColumns+` FROM warnings WHERE id = ?`, id))
		if err == sql.ErrNoRows {
			return daihou.Errorf(daihou.ENOTFOUND, "no warning %d: 'daihou warning list' shows them", id)
		}
		if err != nil {
			return err
		}
		if err := t.canLoan(ctx, auth.HandleWarning, w.LoanID); err != nil {
			if daihou.ErrorCode(err) == daihou.ENOTFOUND {
				return daihou.Errorf(daihou.ENOTFOUND, "no warning %d: 'daihou warning list' shows them", id)
			}
			return err
		}
		d, err := t.needBusinessDate()
		if err != nil {
			return err
		}
		from := w.State
		if err := w.Move(to, d, t.actor.String(), note); err != nil {
			return daihou.Errorf(daihou.ECONFLICT, "%v (a warning goes raised → acknowledged → escalated or resolved)", err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE warnings SET state = ?, updated = ?, updated_by = ?, note = ? WHERE id = ?`, w.State.String(), int64(w.Changed), w.By, w.Note, w.ID); err != nil {
			return err
		}
		if err := markDirty(ctx, t, []int64{w.LoanID}); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.HandleWarning), audit.LoanObject(w.LoanID), audit.DigestFields(strconv.FormatInt(w.ID, 10), from.String(), w.State.String(), note),
			fmt.Sprintf("warning %d (%s, %s) %s → %s: %s", w.ID, w.Rule, w.Severity, from, w.State, note))
	})
	return w, err
}

// WarningReport judges the warnings raised in [from, to] against the
// milestones close of business recorded, as of the business date.
func (db *DB) WarningReport(ctx context.Context, from, to civil.Date) (warning.Report, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ReadReport, auth.Book()).Err(); err != nil {
		return warning.Report{}, err
	}
	asOf, err := db.BusinessDate(ctx)
	if err != nil {
		return warning.Report{}, err
	}
	ws, err := allWarnings(ctx, db.read, civil.Date(0), asOf)
	if err != nil {
		return warning.Report{}, err
	}
	ms := map[int64]warning.Milestones{}
	rows, err := db.read.QueryContext(ctx, `SELECT loan_id, dpd30, dpd90, substandard FROM loan_milestones`)
	if err != nil {
		return warning.Report{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, a, b, c int64
		if err := rows.Scan(&id, &a, &b, &c); err != nil {
			return warning.Report{}, err
		}
		ms[id] = warning.Milestones{DPD30: civil.Date(a), DPD90: civil.Date(b), Substandard: civil.Date(c)}
	}
	if err := rows.Err(); err != nil {
		return warning.Report{}, err
	}
	return warning.Judge(ws, ms, from, to, asOf), nil
}

func allWarnings(ctx context.Context, q querier, from, to civil.Date) ([]warning.Warning, error) {
	return queryWarnings(ctx, q, `SELECT `+warningColumns+` FROM warnings WHERE raised >= ? AND raised <= ? ORDER BY id`, int64(from), int64(to))
}

// Backtest is what a rule set would have done over history.
type Backtest struct {
	Report   warning.Report
	Random   warning.Report // the same volume of warnings on loans drawn at random
	Warnings []warning.Warning
	Loans    int
}

// BacktestRules replays the book from `from` to `to` with rules — a draft
// not switched on, or the enabled set — as close of business would have
// evaluated them (warning.Backtest), follows the loans to the business
// date for their outcomes, and judges the warnings beside as many raised at
// random. Nothing is written. The actor in ctx must be allowed to manage
// rules.
func (db *DB) BacktestRules(ctx context.Context, rules []warning.Rule, from, to civil.Date) (Backtest, error) {
	var bt Backtest
	if err := auth.Can(auth.FromContext(ctx), auth.ManageRules, auth.Book()).Err(); err != nil {
		return bt, err
	}
	asOf, err := db.BusinessDate(ctx)
	if err != nil {
		return bt, err
	}
	if to.After(asOf) || from.After(to) {
		return bt, daihou.Errorf(daihou.EINVALID, "--from %v --to %v: want from ≤ to ≤ the business date %v", from, to, asOf)
	}
	d, _, err := db.deriver(ctx)
	if err != nil {
		return bt, err
	}
	books := map[int64]*warning.BorrowerBook{}
	var order []int64
	var loans []int64
	err = db.EachLoan(ctx, func(l servicing.Loan, p servicing.Product, txs []servicing.Tx) error {
		b := books[l.BorrowerID]
		if b == nil {
			b = &warning.BorrowerBook{BorrowerID: l.BorrowerID}
			books[l.BorrowerID] = b
			order = append(order, l.BorrowerID)
		}
		b.Loans = append(b.Loans, loanstate.Input{Product: p, Loan: l, Txs: txs})
		loans = append(loans, l.ID)
		return nil
	})
	if err != nil {
		return bt, err
	}
	over, err := overrides(ctx, db.read, loans)
	if err != nil {
		return bt, err
	}
	snaps, err := loadSnapshots(ctx, db.read, loans)
	if err != nil {
		return bt, err
	}
	sigs, err := loadSignals(ctx, db.read, order, 0)
	if err != nil {
		return bt, err
	}
	list := make([]warning.BorrowerBook, 0, len(order))
	for _, id := range order {
		b := books[id]
		for i := range b.Loans {
			in := &b.Loans[i]
			if o, ok := over[in.Loan.ID]; ok {
				in.Override, in.OverrideReason = o.class, o.reason
			}
			if s, ok := snaps[in.Loan.ID]; ok {
				in.InitialScore = s.InitialScore
			}
		}
		b.Signals = sigs[id]
		list = append(list, *b)
	}
	ws, ms, err := warning.Backtest(warning.BacktestConfig{Deriver: d, AsOf: asOf}, list, rules, from, to)
	if err != nil {
		return bt, err
	}
	bt.Warnings, bt.Loans = ws, len(loans)
	bt.Report = warning.Judge(ws, ms, from, to, asOf)
	bt.Random = warning.Judge(warning.Random(ws, loans, 1), ms, from, to, asOf)
	return bt, nil
}

// WarnOnArrival evaluates the warning rules at once on the loans of
// borrowers that new signals arrived for (a webhook's records), as the
// close of business that will first see the signals would — derived as of
// that date, with the same steps — and stores the warnings they raise,
// dated that date, so that a court listing is in front of its owner within
// seconds rather than the next morning. That close of business then finds
// them open and raises nothing twice. It returns how many it raised.
func (db *DB) WarnOnArrival(ctx context.Context, borrowers []int64) (int, error) {
	if len(borrowers) == 0 {
		return 0, nil
	}
	cfg, err := db.arrivalConfig(ctx)
	if err != nil || cfg.Warnings == nil {
		return 0, err
	}
	var ids []int64
	if err := inBatches(borrowers, func(_ []int64, args []any, marks string) error {
		got, err := queryIDs(ctx, db.read, `SELECT id FROM loans WHERE borrower_id IN (`+marks+`) ORDER BY id`, args...)
		ids = append(ids, got...)
		return err
	}); err != nil {
		return 0, err
	}
	// Decided on a read of the book, written only when something is
	// raised: most records raise nothing, and a write is the scarce thing
	// on SQLite. A warning decided twice (a close of business in between)
	// is stored once.
	tx, err := db.readTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	business, err := businessDate(ctx, tx)
	if err != nil {
		return 0, err
	}
	date, err := knownAfter(ctx, tx, business)
	if err != nil {
		return 0, err
	}
	c, err := readChunk(ctx, tx, date, ids)
	if err != nil {
		return 0, err
	}
	tx.Rollback()
	out := &eod.Output{Rows: make([]eod.RowOut, len(ids))}
	for _, st := range []eod.Step{eod.DeriveStep{}, eod.WarningStep{}} {
		st.Run(date, cfg, c, out)
	}
	var raised []warning.Warning
	for i := range out.Rows {
		raised = append(raised, out.Rows[i].Raise...)
	}
	n := len(raised)
	if n == 0 {
		return 0, nil
	}
	err = db.inTx(ctx, func(t *wtx) error { return insertWarnings(ctx, t, raised) })
	return n, err
}

// arrivalTTL is how long warnings on arrival keep a configuration: a rule
// switched on or off, a new champion, reach them within it (close of
// business reads its own at every run).
const arrivalTTL = 5 * time.Second

func (db *DB) arrivalConfig(ctx context.Context) (*eod.Config, error) {
	db.mu.Lock()
	cfg, till := db.arrival, db.arrivalTill
	db.mu.Unlock()
	if cfg != nil && time.Now().Before(till) {
		return cfg, nil
	}
	cfg, err := db.Config(auth.NewContext(ctx, auth.EOD()))
	if err != nil {
		return nil, err
	}
	db.mu.Lock()
	db.arrival, db.arrivalTill = cfg, time.Now().Add(arrivalTTL)
	db.mu.Unlock()
	return cfg, nil
}
