package store

import (
	"context"
	"database/sql"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
)

// The daily aggregates close of business writes (agg_portfolio, agg_roll,
// agg_vintage) and the per-loan records they are built from (eod_loans).

const recordColumns = `loan_id, as_of, product, branch, vintage, principal, status, bucket, class, stage, dpd, max_dpd,
	outstanding, overdue, ecl, written_off, recovered, from_month, from_state, from_balance, from_class`

// recordArgs returns the columns of r, recorded on asOf.
func recordArgs(r *eod.Record, asOf civil.Date) []any {
	i := func(v int64) any { return v }
	return []any{r.LoanID, i(int64(asOf)), r.Product, r.Branch, i(int64(r.Vintage)), i(int64(r.Principal)), string(r.Status), i(int64(r.Bucket)), i(int64(r.Class)),
		i(int64(r.Stage)), i(int64(r.DPD)), i(int64(r.MaxDPD)), i(int64(r.Outstanding)), i(int64(r.Overdue)), i(int64(r.ECL)), i(int64(r.WrittenOff)),
		i(int64(r.Recovered)), i(int64(r.FromMonth)), i(int64(r.From)), i(int64(r.FromBalance)), i(int64(r.FromClass))}
}

// recordReader reads records from rows of recordColumns, interning the
// words repeated on every row.
type recordReader struct {
	rr   *rowReader
	strs map[string]string
}

func newRecordReader() *recordReader {
	return &recordReader{rr: newRowReader(21), strs: map[string]string{}}
}

func (x *recordReader) intern(b []byte) string {
	if s, ok := x.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	x.strs[s] = s
	return s
}

func (x *recordReader) read(rows *sql.Rows) (eod.Record, error) {
	rr := x.rr
	if err := rr.scan(rows); err != nil {
		return eod.Record{}, err
	}
	r := eod.Record{LoanID: rr.int(0), Product: x.intern(rr.bytes(2)), Branch: x.intern(rr.bytes(3)), Vintage: int(rr.int(4)), Principal: money.Amount(rr.int(5)),
		Status: servicing.Status(rr.word(6)), Bucket: servicing.Bucket(rr.int(7)), Class: classification.Class(rr.int(8)), Stage: int(rr.int(9)), DPD: int(rr.int(10)),
		MaxDPD: int(rr.int(11)), Outstanding: money.Amount(rr.int(12)), Overdue: money.Amount(rr.int(13)), ECL: money.Amount(rr.int(14)),
		WrittenOff: money.Amount(rr.int(15)), Recovered: money.Amount(rr.int(16)), FromMonth: int(rr.int(17)), From: eod.FlowState(rr.int(18)),
		FromBalance: money.Amount(rr.int(19)), FromClass: classification.Class(rr.int(20))}
	return r, rr.failed()
}

func loadRecords(ctx context.Context, q querier, ids []int64) (map[int64]eod.Record, error) {
	out := make(map[int64]eod.Record, len(ids))
	x := newRecordReader()
	err := selectIDs(ctx, q, ids, `SELECT `+recordColumns+` FROM eod_loans WHERE `, "loan_id", "", func(rows *sql.Rows, want func(int64) bool) error {
		for rows.Next() {
			r, err := x.read(rows)
			if err != nil {
				return err
			}
			if want(r.LoanID) {
				out[r.LoanID] = r
			}
		}
		return nil
	})
	return out, err
}

func newRecordWriter(tx batchTx) *batcher {
	cols := strings.Fields(strings.ReplaceAll(recordColumns, ",", " "))
	sets := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		sets = append(sets, c+" = excluded."+c)
	}
	return newBatcher(tx, `INSERT INTO eod_loans (`+recordColumns+`) VALUES`, `ON CONFLICT (loan_id) DO UPDATE SET `+strings.Join(sets, ", "), len(cols))
}

// Records returns the aggregate records of the given loans (all loans when
// ids is nil), for tests and audits.
func (db *DB) Records(ctx context.Context, ids []int64) (map[int64]eod.Record, error) {
	if ids != nil {
		return loadRecords(ctx, db.read, ids)
	}
	out := map[int64]eod.Record{}
	err := eachRecord(ctx, db.read, func(r *eod.Record) error { out[r.LoanID] = *r; return nil })
	return out, err
}

func eachRecord(ctx context.Context, q querier, fn func(*eod.Record) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+recordColumns+` FROM eod_loans ORDER BY loan_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	x := newRecordReader()
	for rows.Next() {
		r, err := x.read(rows)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// addAggregates adds the cells of a (deltas) to the stored cells of d.
func addAggregates(ctx context.Context, tx batchTx, d civil.Date, a *eod.Aggregates) error {
	p := newBatcher(tx, `INSERT INTO agg_portfolio (as_of, product, branch, status, bucket, class, stage, loans, outstanding, overdue, ecl, written_off, recovered) VALUES`,
		`ON CONFLICT (as_of, product, branch, status, bucket, class, stage) DO UPDATE SET loans = agg_portfolio.loans + excluded.loans, outstanding = agg_portfolio.outstanding + excluded.outstanding,
		overdue = agg_portfolio.overdue + excluded.overdue, ecl = agg_portfolio.ecl + excluded.ecl, written_off = agg_portfolio.written_off + excluded.written_off, recovered = agg_portfolio.recovered + excluded.recovered`, 13)
	for k, c := range a.Portfolio {
		if c.IsZero() {
			continue
		}
		if err := p.add(ctx, d, k.Product, k.Branch, string(k.Status), int(k.Bucket), int(k.Class), k.Stage, c.Loans, c.Outstanding, c.Overdue, c.ECL, c.WrittenOff, c.Recovered); err != nil {
			return err
		}
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	r := newBatcher(tx, `INSERT INTO agg_roll (as_of, product, from_state, to_state, loans, from_balance, to_balance) VALUES`,
		`ON CONFLICT (as_of, product, from_state, to_state) DO UPDATE SET loans = agg_roll.loans + excluded.loans, from_balance = agg_roll.from_balance + excluded.from_balance,
		to_balance = agg_roll.to_balance + excluded.to_balance`, 7)
	for k, c := range a.Roll {
		if c.IsZero() {
			continue
		}
		if err := r.add(ctx, d, k.Product, int(k.From), int(k.To), c.Loans, c.FromBalance, c.ToBalance); err != nil {
			return err
		}
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	mg := newBatcher(tx, `INSERT INTO agg_migration (as_of, product, branch, from_class, to_state, loans, from_balance, to_balance) VALUES`,
		`ON CONFLICT (as_of, product, branch, from_class, to_state) DO UPDATE SET loans = agg_migration.loans + excluded.loans,
		from_balance = agg_migration.from_balance + excluded.from_balance, to_balance = agg_migration.to_balance + excluded.to_balance`, 8)
	for k, c := range a.Migration {
		if c.IsZero() {
			continue
		}
		if err := mg.add(ctx, d, k.Product, k.Branch, int(k.From), int(k.To), c.Loans, c.FromBalance, c.ToBalance); err != nil {
			return err
		}
	}
	if err := mg.flush(ctx); err != nil {
		return err
	}
	v := newBatcher(tx, `INSERT INTO agg_vintage (as_of, product, vintage, loans, principal, outstanding, ever30, ever30_principal, ever90, ever90_principal,
		cur30, cur30_balance, cur90, cur90_balance) VALUES`,
		`ON CONFLICT (as_of, product, vintage) DO UPDATE SET loans = agg_vintage.loans + excluded.loans, principal = agg_vintage.principal + excluded.principal,
		outstanding = agg_vintage.outstanding + excluded.outstanding, ever30 = agg_vintage.ever30 + excluded.ever30, ever30_principal = agg_vintage.ever30_principal + excluded.ever30_principal,
		ever90 = agg_vintage.ever90 + excluded.ever90, ever90_principal = agg_vintage.ever90_principal + excluded.ever90_principal, cur30 = agg_vintage.cur30 + excluded.cur30,
		cur30_balance = agg_vintage.cur30_balance + excluded.cur30_balance, cur90 = agg_vintage.cur90 + excluded.cur90, cur90_balance = agg_vintage.cur90_balance + excluded.cur90_balance`, 14)
	for k, c := range a.Vintage {
		if c.IsZero() {
			continue
		}
		if err := v.add(ctx, d, k.Product, k.Vintage, c.Loans, c.Principal, c.Outstanding, c.Ever30, c.Ever30Principal, c.Ever90, c.Ever90Principal,
			c.Cur30, c.Cur30Balance, c.Cur90, c.Cur90Balance); err != nil {
			return err
		}
	}
	return v.flush(ctx)
}

var aggTables = []string{"agg_portfolio", "agg_roll", "agg_vintage", "agg_migration"}

// replaceAggregates makes a the stored cells of d.
func replaceAggregates(ctx context.Context, tx *sql.Tx, d civil.Date, a *eod.Aggregates) error {
	for _, t := range aggTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE as_of = ?`, d); err != nil {
			return err
		}
	}
	return addAggregates(ctx, tx, d, a)
}

// pruneAggregates removes the cells of d that differences brought to zero.
func pruneAggregates(ctx context.Context, tx *sql.Tx, d civil.Date) error {
	for _, q := range []string{
		`DELETE FROM agg_portfolio WHERE as_of = ? AND loans = 0 AND outstanding = 0 AND overdue = 0 AND ecl = 0 AND written_off = 0 AND recovered = 0`,
		`DELETE FROM agg_roll WHERE as_of = ? AND loans = 0 AND from_balance = 0 AND to_balance = 0`,
		`DELETE FROM agg_migration WHERE as_of = ? AND loans = 0 AND from_balance = 0 AND to_balance = 0`,
		`DELETE FROM agg_vintage WHERE as_of = ? AND loans = 0 AND principal = 0 AND outstanding = 0 AND ever30 = 0 AND ever30_principal = 0 AND ever90 = 0
			AND ever90_principal = 0 AND cur30 = 0 AND cur30_balance = 0 AND cur90 = 0 AND cur90_balance = 0`,
	} {
		if _, err := tx.ExecContext(ctx, q, d); err != nil {
			return err
		}
	}
	return nil
}

// copyAggregates opens business date to with the cells of from: a loan not
// re-derived on to counts as it did. When to starts a new month, the roll
// cells restart from the diagonal of from's portfolio: every loan active at
// the month end sits in its own bucket until it is re-derived.
func copyAggregates(ctx context.Context, tx *sql.Tx, from, to civil.Date) error {
	for _, t := range aggTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE as_of = ?`, to); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agg_portfolio (as_of, product, branch, status, bucket, class, stage, loans, outstanding, overdue, ecl, written_off, recovered)
		SELECT CAST(? AS INTEGER), product, branch, status, bucket, class, stage, loans, outstanding, overdue, ecl, written_off, recovered FROM agg_portfolio WHERE as_of = ?`, to, from); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agg_vintage (as_of, product, vintage, loans, principal, outstanding, ever30, ever30_principal, ever90, ever90_principal,
		cur30, cur30_balance, cur90, cur90_balance)
		SELECT CAST(? AS INTEGER), product, vintage, loans, principal, outstanding, ever30, ever30_principal, ever90, ever90_principal, cur30, cur30_balance, cur90, cur90_balance
		FROM agg_vintage WHERE as_of = ?`, to, from); err != nil {
		return err
	}
	if from.MonthIndex() == to.MonthIndex() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agg_roll (as_of, product, from_state, to_state, loans, from_balance, to_balance)
			SELECT CAST(? AS INTEGER), product, from_state, to_state, loans, from_balance, to_balance FROM agg_roll WHERE as_of = ?`, to, from); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO agg_migration (as_of, product, branch, from_class, to_state, loans, from_balance, to_balance)
			SELECT CAST(? AS INTEGER), product, branch, from_class, to_state, loans, from_balance, to_balance FROM agg_migration WHERE as_of = ?`, to, from)
		return err
	}
	a, err := readAggregates(ctx, tx, from)
	if err != nil {
		return err
	}
	opening := eod.NewAggregates()
	opening.Roll = eod.RollOver(a.Portfolio)
	opening.Migration = eod.MigrationOver(a.Portfolio)
	return addAggregates(ctx, tx, to, opening)
}

// Aggregates returns the aggregate cells of business date d; ENOTFOUND when
// close of business has not written any for d.
func (db *DB) Aggregates(ctx context.Context, d civil.Date) (*eod.Aggregates, error) {
	a, err := readAggregates(ctx, db.read, d)
	if err != nil {
		return nil, err
	}
	if len(a.Portfolio) == 0 && len(a.Vintage) == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "no aggregates for %v: run daihou eod --date %v (or daihou gen)", d, d)
	}
	return a, nil
}

// AggregateDates returns the business dates that have aggregates, oldest
// first.
func (db *DB) AggregateDates(ctx context.Context) ([]civil.Date, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT as_of FROM agg_vintage ORDER BY as_of`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []civil.Date
	for rows.Next() {
		var d civil.Date
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func readAggregates(ctx context.Context, q querier, d civil.Date) (*eod.Aggregates, error) {
	a := eod.NewAggregates()
	rows, err := q.QueryContext(ctx, `SELECT product, branch, status, bucket, class, stage, loans, outstanding, overdue, ecl, written_off, recovered FROM agg_portfolio WHERE as_of = ?`, d)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k eod.PortfolioKey
		var c eod.PortfolioCell
		var status string
		var bucket, class int
		if err := rows.Scan(&k.Product, &k.Branch, &status, &bucket, &class, &k.Stage, &c.Loans, &c.Outstanding, &c.Overdue, &c.ECL, &c.WrittenOff, &c.Recovered); err != nil {
			rows.Close()
			return nil, err
		}
		k.Status, k.Bucket, k.Class = servicing.Status(status), servicing.Bucket(bucket), classification.Class(class)
		a.Portfolio[k] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT product, from_state, to_state, loans, from_balance, to_balance FROM agg_roll WHERE as_of = ?`, d)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k eod.RollKey
		var c eod.RollCell
		var from, to int
		if err := rows.Scan(&k.Product, &from, &to, &c.Loans, &c.FromBalance, &c.ToBalance); err != nil {
			rows.Close()
			return nil, err
		}
		k.From, k.To = eod.FlowState(from), eod.FlowState(to)
		a.Roll[k] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT product, branch, from_class, to_state, loans, from_balance, to_balance FROM agg_migration WHERE as_of = ?`, d)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k eod.MigrationKey
		var c eod.RollCell
		var from, to int
		if err := rows.Scan(&k.Product, &k.Branch, &from, &to, &c.Loans, &c.FromBalance, &c.ToBalance); err != nil {
			rows.Close()
			return nil, err
		}
		k.From, k.To = classification.Class(from), eod.MigrationState(to)
		a.Migration[k] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT product, vintage, loans, principal, outstanding, ever30, ever30_principal, ever90, ever90_principal,
		cur30, cur30_balance, cur90, cur90_balance FROM agg_vintage WHERE as_of = ?`, d)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k eod.VintageKey
		var c eod.VintageCell
		if err := rows.Scan(&k.Product, &k.Vintage, &c.Loans, &c.Principal, &c.Outstanding, &c.Ever30, &c.Ever30Principal, &c.Ever90, &c.Ever90Principal,
			&c.Cur30, &c.Cur30Balance, &c.Cur90, &c.Cur90Balance); err != nil {
			return nil, err
		}
		a.Vintage[k] = c
	}
	return a, rows.Err()
}

// rebuildAggregates computes the cells of d from scratch out of every
// loan's record, as each counts in d's month.
func rebuildAggregates(ctx context.Context, q querier, d civil.Date) (*eod.Aggregates, error) {
	a := eod.NewAggregates()
	m := d.MonthIndex()
	err := eachRecord(ctx, q, func(r *eod.Record) error {
		in := r.InMonth(m)
		a.Add(&in, 1)
		return nil
	})
	a.Prune()
	return a, err
}

// RebuildAggregates computes the cells of the business date from scratch
// out of every loan's record, without writing them: tests and audits
// compare it with the cells close of business maintained by difference.
func (db *DB) RebuildAggregates(ctx context.Context, d civil.Date) (*eod.Aggregates, error) {
	return rebuildAggregates(ctx, db.read, d)
}
