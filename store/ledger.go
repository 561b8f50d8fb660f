package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// PutProduct creates or replaces a product.
func (db *DB) PutProduct(ctx context.Context, p servicing.Product) error {
	if err := p.Validate(); err != nil {
		return daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	_, err := db.write.ExecContext(ctx, `
		INSERT INTO products (code, name, currency, method, day_count, penalty_rate, compound, grace_days, tolerance, allocation, prepayment, lgd)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, currency = excluded.currency, method = excluded.method,
			day_count = excluded.day_count, penalty_rate = excluded.penalty_rate, compound = excluded.compound,
			grace_days = excluded.grace_days, tolerance = excluded.tolerance, allocation = excluded.allocation,
			prepayment = excluded.prepayment, lgd = excluded.lgd`,
		p.Code, p.Name, string(p.Currency), string(p.Method), string(p.DayCount), int64(p.PenaltyRate), boolInt(p.Compound),
		p.GraceDays, int64(p.Tolerance), servicing.FormatAllocation(p.Allocation), string(p.Prepayment), int64(p.LGD))
	return err
}

// Products returns every product by code.
func (db *DB) Products(ctx context.Context) (map[string]servicing.Product, error) {
	return products(ctx, db.read)
}

func products(ctx context.Context, q querier) (map[string]servicing.Product, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, currency, method, day_count, penalty_rate, compound, grace_days, tolerance, allocation, prepayment, lgd FROM products`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]servicing.Product{}
	for rows.Next() {
		var p servicing.Product
		var currency, method, dayCount, alloc, prepay string
		var compound int
		if err := rows.Scan(&p.Code, &p.Name, &currency, &method, &dayCount, &p.PenaltyRate, &compound, &p.GraceDays, &p.Tolerance, &alloc, &prepay, &p.LGD); err != nil {
			return nil, err
		}
		p.Currency, p.Method, p.DayCount, p.Prepayment, p.Compound = money.Currency(currency), schedule.Method(method), servicing.DayCount(dayCount), servicing.PrepaymentRule(prepay), compound != 0
		if p.Allocation, err = servicing.ParseAllocation(alloc); err != nil {
			return nil, fmt.Errorf("product %s: %w", p.Code, err)
		}
		out[p.Code] = p
	}
	return out, rows.Err()
}

const loanColumns = `id, external_id, borrower_id, product, currency, principal, rate, term, method, disbursed, branch, officer, region`

func scanLoan(sc interface{ Scan(...any) error }) (servicing.Loan, error) {
	var l servicing.Loan
	var currency, method string
	err := sc.Scan(&l.ID, &l.ExternalID, &l.BorrowerID, &l.Product, &currency, &l.Principal, &l.Rate, &l.Term, &method, &l.Disbursed, &l.Branch, &l.Officer, &l.Region)
	l.Currency, l.Method = money.Currency(currency), schedule.Method(method)
	return l, err
}

// Loan returns the loan with id; ENOTFOUND if there is none.
func (db *DB) Loan(ctx context.Context, id int64) (servicing.Loan, error) {
	l, err := scanLoan(db.read.QueryRowContext(ctx, `SELECT `+loanColumns+` FROM loans WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, daihou.Errorf(daihou.ENOTFOUND, "loan %d not found", id)
	}
	return l, err
}

// LoanByExternalID returns the loan with the lender's loan number ext;
// ENOTFOUND if there is none.
func (db *DB) LoanByExternalID(ctx context.Context, ext string) (servicing.Loan, error) {
	l, err := scanLoan(db.read.QueryRowContext(ctx, `SELECT `+loanColumns+` FROM loans WHERE external_id = ?`, ext))
	if errors.Is(err, sql.ErrNoRows) {
		return l, daihou.Errorf(daihou.ENOTFOUND, "loan %q not found", ext)
	}
	return l, err
}

// Borrower returns the borrower with id; ENOTFOUND if there is none.
func (db *DB) Borrower(ctx context.Context, id int64) (servicing.Borrower, error) {
	var b servicing.Borrower
	err := db.read.QueryRowContext(ctx, `SELECT id, external_id, name, id_number, phone, region FROM borrowers WHERE id = ?`, id).
		Scan(&b.ID, &b.ExternalID, &b.Name, &b.IDNumber, &b.Phone, &b.Region)
	if errors.Is(err, sql.ErrNoRows) {
		return b, daihou.Errorf(daihou.ENOTFOUND, "borrower %d not found", id)
	}
	return b, err
}

const txColumns = `loan_id, seq, kind, value_date, amount, channel, reference, reverses, component, new_rate, new_term, new_method`

func scanTx(sc interface{ Scan(...any) error }) (servicing.Tx, error) {
	var t servicing.Tx
	var kind, component, method string
	err := sc.Scan(&t.LoanID, &t.Seq, &kind, &t.ValueDate, &t.Amount, &t.Channel, &t.Reference, &t.Reverses, &component, &t.NewRate, &t.NewTerm, &method)
	t.Kind, t.Component, t.NewMethod = servicing.TxKind(kind), servicing.Component(component), schedule.Method(method)
	return t, err
}

// Transactions returns a loan's transactions in posting order.
func (db *DB) Transactions(ctx context.Context, loanID int64) ([]servicing.Tx, error) {
	m, err := loadTxs(ctx, db.read, []int64{loanID})
	return m[loanID], err
}

// loadTxs returns the transactions of many loans, in batches of ids.
func loadTxs(ctx context.Context, q querier, ids []int64) (map[int64][]servicing.Tx, error) {
	out := make(map[int64][]servicing.Tx, len(ids))
	err := inBatches(ids, func(batch []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT `+txColumns+` FROM transactions WHERE loan_id IN (`+marks+`) ORDER BY loan_id, seq`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTx(rows)
			if err != nil {
				return err
			}
			out[t.LoanID] = append(out[t.LoanID], t)
		}
		return rows.Err()
	})
	return out, err
}

const batchSize = 500

// inBatches calls fn for successive batches of ids with the arguments and
// the "?, ?, …" placeholder list for an IN clause.
func inBatches(ids []int64, fn func(batch []int64, args []any, marks string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		batch := ids[:n]
		ids = ids[n:]
		args := make([]any, n)
		for i, id := range batch {
			args[i] = id
		}
		if err := fn(batch, args, placeholders(n)); err != nil {
			return err
		}
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// extras returns the classification inputs beyond the ledger for loans:
// approved overrides.
func extras(ctx context.Context, q querier, ids []int64) (map[int64]loanstate.Extra, error) {
	out := map[int64]loanstate.Extra{}
	err := inBatches(ids, func(batch []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT loan_id, class, reason FROM classification_overrides WHERE status = 'approved' AND loan_id IN (`+marks+`) ORDER BY loan_id, id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var x loanstate.Extra
			if err := rows.Scan(&id, &x.Override, &x.OverrideReason); err != nil {
				return err
			}
			out[id] = x // the latest approval wins
		}
		return rows.Err()
	})
	return out, err
}

// addInitialScores sets each loan's first behaviour score in x: the
// reference for "significant increase in credit risk since initial
// recognition". Only close of business with a champion model needs it.
func addInitialScores(ctx context.Context, q querier, ids []int64, x map[int64]loanstate.Extra) error {
	return inBatches(ids, func(batch []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT s.loan_id, s.score FROM loan_scores s WHERE s.loan_id IN (`+marks+`)
			AND s.as_of = (SELECT MIN(f.as_of) FROM loan_scores f WHERE f.loan_id = s.loan_id)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var score float64
			if err := rows.Scan(&id, &score); err != nil {
				return err
			}
			e := x[id]
			e.InitialScore = int(score)
			x[id] = e
		}
		return rows.Err()
	})
}

// Snapshot returns the cached state of a loan; ENOTFOUND if it has none.
func (db *DB) Snapshot(ctx context.Context, loanID int64) (loanstate.Snapshot, error) {
	m, err := loadSnapshots(ctx, db.read, []int64{loanID})
	if err != nil {
		return loanstate.Snapshot{}, err
	}
	s, ok := m[loanID]
	if !ok {
		return s, daihou.Errorf(daihou.ENOTFOUND, "loan %d has no state", loanID)
	}
	return s, nil
}

const snapshotColumns = `loan_id, as_of, status, principal_outstanding, overdue_principal, overdue_interest, penalty_due, fees_due, credit,
	dpd, max_dpd, bucket, class, class_cause, stage, next_due_date, next_due_amount, oldest_unpaid_due, paid_principal, paid_interest,
	paid_penalty, written_off, recovered, restructured, observation_start, settled_date, model_id, score, pd, reasons`

// snapshotColumnCount is the number of columns in snapshotColumns.
var snapshotColumnCount = len(strings.Split(snapshotColumns, ","))

// snapshotArgs returns a snapshot's column values as the driver's own types
// (int64, string): database/sql converts any other type by reflection and
// an extra allocation, which on the bulk paths cost more than SQLite did.
func snapshotArgs(s *loanstate.Snapshot) []any {
	i := func(v int64) any { return v }
	return []any{s.LoanID, i(int64(s.AsOf)), string(s.Status), i(int64(s.PrincipalOutstanding)), i(int64(s.OverduePrincipal)), i(int64(s.OverdueInterest)),
		i(int64(s.PenaltyDue)), i(int64(s.FeesDue)), i(int64(s.Credit)), i(int64(s.DPD)), i(int64(s.MaxDPD)), s.Bucket.String(), i(int64(s.Class)), s.ClassCause,
		i(int64(s.Stage)), i(int64(s.NextDueDate)), i(int64(s.NextDueAmount)), i(int64(s.OldestUnpaidDue)), i(int64(s.PaidPrincipal)), i(int64(s.PaidInterest)),
		i(int64(s.PaidPenalty)), i(int64(s.WrittenOff)), i(int64(s.Recovered)), i(int64(boolInt(s.Restructured))), i(int64(s.ObservationStart)),
		i(int64(s.SettledDate)), s.ModelID, i(int64(s.Score)), i(int64(s.PD)), s.Reasons}
}

func loadSnapshots(ctx context.Context, q querier, ids []int64) (map[int64]loanstate.Snapshot, error) {
	out := make(map[int64]loanstate.Snapshot, len(ids))
	err := inBatches(ids, func(batch []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT `+snapshotColumns+` FROM loan_state WHERE loan_id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s loanstate.Snapshot
			var status, bucket string
			var restructured int
			if err := rows.Scan(&s.LoanID, &s.AsOf, &status, &s.PrincipalOutstanding, &s.OverduePrincipal, &s.OverdueInterest, &s.PenaltyDue, &s.FeesDue, &s.Credit,
				&s.DPD, &s.MaxDPD, &bucket, &s.Class, &s.ClassCause, &s.Stage, &s.NextDueDate, &s.NextDueAmount, &s.OldestUnpaidDue, &s.PaidPrincipal, &s.PaidInterest,
				&s.PaidPenalty, &s.WrittenOff, &s.Recovered, &restructured, &s.ObservationStart, &s.SettledDate, &s.ModelID, &s.Score, &s.PD, &s.Reasons); err != nil {
				return err
			}
			s.Status, s.Restructured = servicing.Status(status), restructured != 0
			s.Bucket, _ = servicing.ParseBucket(bucket)
			out[s.LoanID] = s
		}
		return rows.Err()
	})
	return out, err
}

// loadClasses returns the cached class of each loan that has a snapshot.
func loadClasses(ctx context.Context, q querier, ids []int64) (map[int64]classification.Class, error) {
	out := make(map[int64]classification.Class, len(ids))
	err := inBatches(ids, func(batch []int64, args []any, marks string) error {
		rows, err := q.QueryContext(ctx, `SELECT loan_id, class FROM loan_state WHERE loan_id IN (`+marks+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var c classification.Class
			if err := rows.Scan(&id, &c); err != nil {
				return err
			}
			out[id] = c
		}
		return rows.Err()
	})
	return out, err
}

// snapshotWriter upserts snapshots in multi-row statements and records
// class changes.
type snapshotWriter struct {
	upsert, history *batcher
	prev            map[int64]classification.Class
}

// newSnapshotWriter returns a writer into tx; prev holds the snapshots
// the loans had before, to detect class changes.
func newSnapshotWriter(tx *sql.Tx, prev map[int64]classification.Class) *snapshotWriter {
	cols := strings.Fields(strings.ReplaceAll(snapshotColumns, ",", " "))
	sets := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		sets = append(sets, c+" = excluded."+c)
	}
	return &snapshotWriter{
		upsert:  newBatcher(tx, `INSERT INTO loan_state (`+snapshotColumns+`) VALUES`, `ON CONFLICT (loan_id) DO UPDATE SET `+strings.Join(sets, ", "), len(cols)),
		history: newBatcher(tx, `INSERT INTO classification_history (loan_id, seq, as_of, from_class, to_class, cause) VALUES`, "", 6),
		prev:    prev,
	}
}

// write queues s; a loan must be written at most once per writer, as one
// multi-row upsert cannot name the same key twice.
func (w *snapshotWriter) write(ctx context.Context, s *loanstate.Snapshot) error {
	if err := w.upsert.add(ctx, snapshotArgs(s)...); err != nil {
		return err
	}
	from, had := w.prev[s.LoanID]
	if !had || from != s.Class {
		if err := w.history.add(ctx, s.LoanID, nextHistorySeq(s.AsOf), s.AsOf, int(from), int(s.Class), s.ClassCause); err != nil {
			return err
		}
	}
	return nil
}

// nextHistorySeq orders a loan's class changes. Changes happen at most a
// few times a day, so the business date with a per-process counter in the
// low digits is unique and increasing without reading the table.
func nextHistorySeq(asOf civil.Date) int64 {
	return int64(asOf)*1_000_000 + historyCounter.Add(1)%1_000_000
}

var historyCounter atomic.Int64

func (w *snapshotWriter) close(ctx context.Context) error {
	if err := w.upsert.flush(ctx); err != nil {
		return err
	}
	return w.history.flush(ctx)
}

// ClassChange is one entry of a loan's classification history.
type ClassChange struct {
	AsOf     civil.Date
	From, To classification.Class
	Cause    string
}

// ClassHistory returns a loan's classification changes, oldest first.
func (db *DB) ClassHistory(ctx context.Context, loanID int64) ([]ClassChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, from_class, to_class, cause FROM classification_history WHERE loan_id = ? ORDER BY seq`, loanID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ClassChange
	for rows.Next() {
		var c ClassChange
		if err := rows.Scan(&c.AsOf, &c.From, &c.To, &c.Cause); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
