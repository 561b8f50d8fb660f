package store

import (
	"context"
	"database/sql"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
)

// The cached per-loan state (loan_state), its history (classification
// changes, scores) and what derivation reads beside the ledger.

const snapshotColumns = `loan_id, borrower_id, as_of, wake_date, status, principal_outstanding, overdue_principal, overdue_interest, penalty_due, fees_due, credit,
	dpd, max_dpd, bucket, class, own_class, contagion, class_cause, stage, next_due_date, next_due_amount, oldest_unpaid_due, paid_principal, paid_interest,
	paid_penalty, written_off, recovered, restructured, observation_start, settled_date, model_id, score, pd, reasons, initial_score, compound_due, observation_end`

// snapshotColumnCount is the number of columns in snapshotColumns.
var snapshotColumnCount = len(strings.Split(snapshotColumns, ","))

// snapshotArgs returns a snapshot's column values as the driver's own types
// (int64, string): database/sql converts any other type by reflection and
// an extra allocation, which on the bulk paths cost more than SQLite did.
func snapshotArgs(s *loanstate.Snapshot, wake civil.Date) []any {
	i := func(v int64) any { return v }
	return []any{s.LoanID, s.BorrowerID, i(int64(s.AsOf)), i(int64(wake)), string(s.Status), i(int64(s.PrincipalOutstanding)), i(int64(s.OverduePrincipal)), i(int64(s.OverdueInterest)),
		i(int64(s.PenaltyDue)), i(int64(s.FeesDue)), i(int64(s.Credit)), i(int64(s.DPD)), i(int64(s.MaxDPD)), s.Bucket.String(), i(int64(s.Class)), i(int64(s.OwnClass)),
		i(int64(boolInt(s.Contagion))), s.ClassCause, i(int64(s.Stage)), i(int64(s.NextDueDate)), i(int64(s.NextDueAmount)), i(int64(s.OldestUnpaidDue)),
		i(int64(s.PaidPrincipal)), i(int64(s.PaidInterest)), i(int64(s.PaidPenalty)), i(int64(s.WrittenOff)), i(int64(s.Recovered)), i(int64(boolInt(s.Restructured))),
		i(int64(s.ObservationStart)), i(int64(s.SettledDate)), s.ModelID, i(int64(s.Score)), i(int64(s.PD)), s.Reasons, i(int64(s.InitialScore)),
		i(int64(s.CompoundDue)), i(int64(s.ObservationEnd))}
}

// cached is a stored snapshot with its wake date.
type cached struct {
	loanstate.Snapshot
	wake civil.Date
}

func loadSnapshots(ctx context.Context, q querier, ids []int64) (map[int64]cached, error) {
	out := make(map[int64]cached, len(ids))
	rr := newRowReader(snapshotColumnCount)
	var buckets [8]string
	for b := range buckets {
		buckets[b] = servicing.Bucket(b).String()
	}
	err := selectIDs(ctx, q, ids, `SELECT `+snapshotColumns+` FROM loan_state WHERE `, "loan_id", "", func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			if err := rr.scan(rows); err != nil {
				return err
			}
			if !want(rr.int(0)) {
				continue
			}
			var c cached
			s := &c.Snapshot
			s.LoanID, s.BorrowerID, s.AsOf, c.wake = rr.int(0), rr.int(1), civil.Date(rr.int(2)), civil.Date(rr.int(3))
			s.Status = servicing.Status(rr.word(4))
			s.PrincipalOutstanding, s.OverduePrincipal, s.OverdueInterest = money.Amount(rr.int(5)), money.Amount(rr.int(6)), money.Amount(rr.int(7))
			s.PenaltyDue, s.FeesDue, s.Credit = money.Amount(rr.int(8)), money.Amount(rr.int(9)), money.Amount(rr.int(10))
			s.DPD, s.MaxDPD = int(rr.int(11)), int(rr.int(12))
			s.Bucket = parseBucket(rr.bytes(13), &buckets)
			s.Class, s.OwnClass, s.Contagion = classification.Class(rr.int(14)), classification.Class(rr.int(15)), rr.int(16) != 0
			s.ClassCause = rr.str(17)
			s.Stage = int(rr.int(18))
			s.NextDueDate, s.NextDueAmount, s.OldestUnpaidDue = civil.Date(rr.int(19)), money.Amount(rr.int(20)), civil.Date(rr.int(21))
			s.PaidPrincipal, s.PaidInterest, s.PaidPenalty = money.Amount(rr.int(22)), money.Amount(rr.int(23)), money.Amount(rr.int(24))
			s.WrittenOff, s.Recovered, s.Restructured = money.Amount(rr.int(25)), money.Amount(rr.int(26)), rr.int(27) != 0
			s.ObservationStart, s.SettledDate = civil.Date(rr.int(28)), civil.Date(rr.int(29))
			s.ModelID, s.Score, s.PD, s.Reasons, s.InitialScore = rr.int(30), int(rr.int(31)), money.Rate(rr.int(32)), rr.str(33), int(rr.int(34))
			s.CompoundDue, s.ObservationEnd = money.Amount(rr.int(35)), civil.Date(rr.int(36))
			out[s.LoanID] = c
		}
		return rr.failed()
	})
	return out, err
}

func parseBucket(b []byte, names *[8]string) servicing.Bucket {
	for k, n := range names {
		if string(b) == n {
			return servicing.Bucket(k)
		}
	}
	return servicing.M0
}

// Snapshot returns the cached state of a loan; ENOTFOUND if it has none.
func (db *DB) Snapshot(ctx context.Context, loanID int64) (loanstate.Snapshot, error) {
	m, err := loadSnapshots(ctx, db.read, []int64{loanID})
	if err != nil {
		return loanstate.Snapshot{}, err
	}
	s, ok := m[loanID]
	if !ok {
		return s.Snapshot, daihou.Errorf(daihou.ENOTFOUND, "loan %d has no state yet (not disbursed on the business date)", loanID)
	}
	return s.Snapshot, nil
}

// WakeDate returns the wake date of a loan's cached state; zero if none.
func (db *DB) WakeDate(ctx context.Context, loanID int64) (civil.Date, error) {
	m, err := loadSnapshots(ctx, db.read, []int64{loanID})
	return m[loanID].wake, err
}

// snapshotWriter upserts snapshots in multi-row statements; a loan must be
// written at most once per writer, as one statement cannot name a key
// twice.
type snapshotWriter struct{ upsert *batcher }

func newSnapshotWriter(tx batchTx) *snapshotWriter {
	cols := strings.Fields(strings.ReplaceAll(snapshotColumns, ",", " "))
	sets := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		if c == "borrower_id" {
			continue // never changes: left out, SQLite leaves its index alone
		}
		sets = append(sets, c+" = excluded."+c)
	}
	return &snapshotWriter{newBatcher(tx, `INSERT INTO loan_state (`+snapshotColumns+`) VALUES`, `ON CONFLICT (loan_id) DO UPDATE SET `+strings.Join(sets, ", "), len(cols))}
}

func (w *snapshotWriter) write(ctx context.Context, s *loanstate.Snapshot, wake civil.Date) error {
	return w.upsert.add(ctx, snapshotArgs(s, wake)...)
}

func (w *snapshotWriter) flush(ctx context.Context) error { return w.upsert.flush(ctx) }

// writeHistory appends class changes and score entries. Class changes are
// keyed by the database's sequence, so any number of processes may change
// one loan's class on one date; a loan's score changing twice on one date
// keeps the later.
func writeHistory(ctx context.Context, tx batchTx, classes []loanstate.ClassChange, scores []loanstate.ScoreChange) error {
	h := newBatcher(tx, `INSERT INTO classification_history (loan_id, as_of, from_class, to_class, cause) VALUES`, "", 5)
	for _, c := range classes {
		if err := h.add(ctx, c.LoanID, int64(c.AsOf), int64(c.From), int64(c.To), c.Cause); err != nil {
			return err
		}
	}
	if err := h.flush(ctx); err != nil {
		return err
	}
	sc := newBatcher(tx, `INSERT INTO loan_scores (loan_id, as_of, model_id, score, pd, reasons) VALUES`,
		`ON CONFLICT (loan_id, as_of) DO UPDATE SET model_id = excluded.model_id, score = excluded.score, pd = excluded.pd, reasons = excluded.reasons`, 6)
	for _, s := range dedupeScores(scores) {
		if err := sc.add(ctx, s.LoanID, int64(s.AsOf), s.ModelID, float64(s.Score), s.PD, s.Reasons); err != nil {
			return err
		}
	}
	return sc.flush(ctx)
}

// dedupeScores keeps the last entry of each loan and date: one multi-row
// upsert cannot name the same key twice.
func dedupeScores(in []loanstate.ScoreChange) []loanstate.ScoreChange {
	type key struct {
		id int64
		d  civil.Date
	}
	last := make(map[key]int, len(in))
	for i, s := range in {
		last[key{s.LoanID, s.AsOf}] = i
	}
	if len(last) == len(in) {
		return in
	}
	out := make([]loanstate.ScoreChange, 0, len(last))
	for i, s := range in {
		if last[key{s.LoanID, s.AsOf}] == i {
			out = append(out, s)
		}
	}
	return out
}

// ClassHistory returns a loan's classification changes, oldest first.
func (db *DB) ClassHistory(ctx context.Context, loanID int64) ([]loanstate.ClassChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, from_class, to_class, cause FROM classification_history WHERE loan_id = ? ORDER BY id`, loanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []loanstate.ClassChange
	for rows.Next() {
		c := loanstate.ClassChange{LoanID: loanID}
		if err := rows.Scan(&c.AsOf, &c.From, &c.To, &c.Cause); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// exposures returns the cached exposure of every loan of the borrowers.
func exposures(ctx context.Context, q querier, borrowers []int64) ([]loanstate.Exposure, error) {
	var out []loanstate.Exposure
	err := inBatches(uniq(borrowers), func(_ []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT loan_id, borrower_id, own_class, principal_outstanding, status, contagion FROM loan_state WHERE borrower_id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e loanstate.Exposure
			var status string
			var contagion int
			if err := rows.Scan(&e.LoanID, &e.BorrowerID, &e.OwnClass, &e.Outstanding, &status, &contagion); err != nil {
				return err
			}
			e.Active, e.Contagion = servicing.Status(status) == servicing.StatusActive, contagion != 0
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func uniq(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// override is an approved classification override.
type override struct {
	class  classification.Class
	reason string
}

// overrides returns the approved override of each loan of ids that has
// one: the latest approval wins.
func overrides(ctx context.Context, q querier, ids []int64) (map[int64]override, error) {
	out := map[int64]override{}
	err := selectIDs(ctx, q, ids, `SELECT loan_id, class, reason FROM classification_overrides WHERE status = 'approved' AND `, "loan_id", " ORDER BY loan_id, id",
		func(rows *sql.Rows, want func(int64) bool) error {
			for rows.Next() {
				var id int64
				var o override
				if err := rows.Scan(&id, &o.class, &o.reason); err != nil {
					return err
				}
				if want(id) {
					out[id] = o // the latest approval wins
				}
			}
			return nil
		})
	return out, err
}

// Override returns the approved classification override of a loan: the
// class and its reason, zero when it has none.
func (db *DB) Override(ctx context.Context, loanID int64) (classification.Class, string, error) {
	m, err := overrides(ctx, db.read, []int64{loanID})
	o := m[loanID]
	return o.class, o.reason, err
}
