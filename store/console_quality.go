package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/config"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
	"daihou/warning"
)

// The dashboards' live figures: what the daily aggregates do not keep —
// open warnings and due tasks by product, branch or officer, and one
// officer's book, which no aggregate is cut by. Each reads through an
// index bounded by what it counts (open warnings, open tasks, the
// officer's loans), never the whole book.

// DashboardFilter narrows a dashboard's live figures to the loans of a
// product, of some branches and of an officer; empty fields do not narrow,
// but for Branches: nil does not narrow, an empty list selects no loan.
type DashboardFilter struct {
	Product  string
	Branches []string
	Officer  string
}

// where returns the filter as conditions on the columns product, branch
// and officer of the table named by prefix ("l." for loans l).
func (f DashboardFilter) where(prefix string) ([]string, []any) {
	var where []string
	var args []any
	if f.Product != "" {
		where, args = append(where, prefix+"product = ?"), append(args, f.Product)
	}
	switch {
	case f.Branches == nil:
	case len(f.Branches) == 0: // a branch outside the region asked for: no loan
		where = append(where, "1 = 0")
	default:
		where = append(where, prefix+"branch IN ("+placeholders(len(f.Branches))+")")
		for _, b := range f.Branches {
			args = append(args, b)
		}
	}
	if f.Officer != "" {
		where, args = append(where, prefix+"officer = ?"), append(args, f.Officer)
	}
	return where, args
}

// canDashboard is the dashboards' permission: reading the book's reports.
func canDashboard(ctx context.Context) error {
	return auth.Can(auth.FromContext(ctx), auth.ReadReport, auth.Book()).Err()
}

// OpenWarnings counts the open (not resolved) warnings on the loans f
// selects, by severity. The actor in ctx must be allowed to read reports.
func (db *DB) OpenWarnings(ctx context.Context, f DashboardFilter) (map[warning.Severity]int64, error) {
	if err := canDashboard(ctx); err != nil {
		return nil, err
	}
	where, args := f.where("l.")
	q := `SELECT w.severity, COUNT(*) FROM warnings w`
	if len(where) > 0 {
		q += ` JOIN loans l ON l.id = w.loan_id`
	}
	q += ` WHERE ` + strings.Join(append([]string{"w.state <> 'resolved'"}, where...), " AND ") + ` GROUP BY w.severity`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[warning.Severity]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		s, err := warning.ParseSeverity(name)
		if err != nil {
			return nil, err
		}
		out[s] += n
	}
	return out, rows.Err()
}

// TasksDue counts the open tasks on the loans f selects that fall due on
// d and those already past due before it: from the kept counts by
// product, branch and due date, or, for one officer, through the
// officer's loans. The actor in ctx must be allowed to read reports.
func (db *DB) TasksDue(ctx context.Context, f DashboardFilter, d civil.Date) (today, late int64, err error) {
	if err := canDashboard(ctx); err != nil {
		return 0, 0, err
	}
	sums := `COALESCE(SUM(CASE WHEN due = ? THEN n ELSE 0 END), 0), COALESCE(SUM(CASE WHEN due < ? THEN n ELSE 0 END), 0)`
	if f.Officer == "" {
		where, args := f.where("")
		q := `SELECT ` + sums + ` FROM task_due_counts WHERE ` + strings.Join(append([]string{"due <= ?"}, where...), " AND ")
		err = db.read.QueryRowContext(ctx, q, append([]any{int64(d), int64(d), int64(d)}, args...)...).Scan(&today, &late)
		return today, late, err
	}
	where, args := f.where("l.")
	q := `SELECT ` + sums + ` FROM (SELECT t.due, 1 AS n FROM loans l JOIN tasks t ON t.loan_id = l.id WHERE ` +
		strings.Join(append(where, "t.state IN ('open', 'escalated')", "t.due <= ?"), " AND ") + `) x`
	err = db.read.QueryRowContext(ctx, q, append(append([]any{int64(d), int64(d)}, args...), int64(d))...).Scan(&today, &late)
	return today, late, err
}

// OfficerPortfolio returns the portfolio cells of officer's loans as the
// last close of business counted them (their aggregate records), read
// through the officer index: the figures no aggregate keeps per officer.
// The actor in ctx must be allowed to read reports.
func (db *DB) OfficerPortfolio(ctx context.Context, officer string) (map[eod.PortfolioKey]eod.PortfolioCell, error) {
	if err := canDashboard(ctx); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT e.product, e.branch, e.status, e.bucket, e.class, e.stage, COUNT(*), SUM(e.outstanding), SUM(e.overdue), SUM(e.ecl),
		SUM(e.written_off), SUM(e.recovered)
		FROM loans l JOIN eod_loans e ON e.loan_id = l.id WHERE l.officer = ?
		GROUP BY e.product, e.branch, e.status, e.bucket, e.class, e.stage`, officer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[eod.PortfolioKey]eod.PortfolioCell{}
	for rows.Next() {
		var k eod.PortfolioKey
		var c eod.PortfolioCell
		var status string
		var bucket, class int
		var out1, over, ecl, wo, rec int64
		if err := rows.Scan(&k.Product, &k.Branch, &status, &bucket, &class, &k.Stage, &c.Loans, &out1, &over, &ecl, &wo, &rec); err != nil {
			return nil, err
		}
		k.Status, k.Bucket, k.Class = servicing.Status(status), servicing.Bucket(bucket), classification.Class(class)
		c.Outstanding, c.Overdue, c.ECL, c.WrittenOff, c.Recovered = money.Amount(out1), money.Amount(over), money.Amount(ecl), money.Amount(wo), money.Amount(rec)
		out[k] = c
	}
	return out, rows.Err()
}

// Officers returns up to limit officer codes that loans carry, from the
// first at or after from in order: what a dashboard names when asked for
// an officer no loan has. The actor in ctx must be allowed to read
// reports.
func (db *DB) Officers(ctx context.Context, from string, limit int) ([]string, error) {
	if err := canDashboard(ctx); err != nil {
		return nil, err
	}
	var out []string
	// One index probe per code (the next code after the last), so that a
	// long list of loans per officer is never walked.
	last := from
	for len(out) < limit {
		var code string
		op := ">"
		if len(out) == 0 {
			op = ">="
		}
		err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MIN(officer), '') FROM loans WHERE officer `+op+` ? AND officer <> ''`, last).Scan(&code)
		if err != nil {
			return nil, err
		}
		if code == "" {
			break
		}
		out = append(out, code)
		last = code
	}
	return out, nil
}

// Regions returns the book's regions (the org.regions option); none when
// it is not set. A stored value the option no longer accepts is an
// EINVALID error naming the option.
func (db *DB) Regions(ctx context.Context) ([]config.Region, error) {
	v, err := db.Option(ctx, config.Regions)
	if err != nil {
		return nil, err
	}
	rs, err := config.ParseRegions(v)
	if err != nil {
		return nil, daihou.Errorf(daihou.EINVALID, "%s: %v: fix it with 'daihou config set %s VALUE'", config.Regions, err, config.Regions)
	}
	return rs, nil
}

// MonthEnds returns the month ends that have aggregates, oldest first:
// the months a month-by-month dashboard can show.
func (db *DB) MonthEnds(ctx context.Context) ([]civil.Date, error) {
	dates, err := db.AggregateDates(ctx)
	if err != nil {
		return nil, err
	}
	var out []civil.Date
	for _, d := range dates {
		if d.AddDays(1).Day() == 1 {
			out = append(out, d)
		}
	}
	return out, nil
}

// cellCache keeps the portfolio cells of the dates the dashboards read:
// they change only when close of business runs, which the cache's
// generation (the runs on record and when the last one finished) tells,
// so a page reads a dozen dates' cells once per close, not per request.
type cellCache struct {
	mu    sync.Mutex
	gen   string
	cells map[civil.Date]map[eod.PortfolioKey]eod.PortfolioCell
}

// maxCachedDates bounds the cache: two years of month ends and some days.
const maxCachedDates = 64

// aggGeneration names the state of the aggregates: it changes whenever a
// close of business starts or finishes.
func (db *DB) aggGeneration(ctx context.Context) (string, error) {
	var n int64
	var last, started string
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(finished_at), ''), COALESCE(MAX(started_at), '') FROM eod_runs`).Scan(&n, &last, &started)
	return fmt.Sprintf("%d/%s/%s", n, last, started), err
}

// PortfolioCells returns the portfolio cells of each of dates that has
// aggregates: a trend needs only these, not the roll, vintage and
// migration cells Aggregates reads as well. The maps are shared between
// callers: read them, never write to them.
func (db *DB) PortfolioCells(ctx context.Context, dates []civil.Date) (map[civil.Date]map[eod.PortfolioKey]eod.PortfolioCell, error) {
	out := map[civil.Date]map[eod.PortfolioKey]eod.PortfolioCell{}
	if len(dates) == 0 {
		return out, nil
	}
	gen, err := db.aggGeneration(ctx)
	if err != nil {
		return nil, err
	}
	c := &db.cells
	c.mu.Lock()
	if c.gen != gen || len(c.cells) > maxCachedDates {
		c.gen, c.cells = gen, map[civil.Date]map[eod.PortfolioKey]eod.PortfolioCell{}
	}
	var missing []civil.Date
	for _, d := range dates {
		if cells, ok := c.cells[d]; ok {
			out[d] = cells
		} else {
			missing = append(missing, d)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	read, err := db.readPortfolioCells(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range missing {
		cells := read[d]
		if cells == nil {
			cells = map[eod.PortfolioKey]eod.PortfolioCell{} // no aggregates: remembered as such
		}
		if c.gen == gen {
			c.cells[d] = cells
		}
		if len(cells) > 0 {
			out[d] = cells
		}
	}
	return out, nil
}

// readPortfolioCells reads the portfolio cells of dates in one query.
func (db *DB) readPortfolioCells(ctx context.Context, dates []civil.Date) (map[civil.Date]map[eod.PortfolioKey]eod.PortfolioCell, error) {
	out := map[civil.Date]map[eod.PortfolioKey]eod.PortfolioCell{}
	args := make([]any, len(dates))
	for i, d := range dates {
		args[i] = int64(d)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, product, branch, status, bucket, class, stage, loans, outstanding, overdue, ecl, written_off, recovered
		FROM agg_portfolio WHERE as_of IN (`+placeholders(len(dates))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// A trend reads a dozen dates' cells: scanned without reflection, the
	// words interned.
	x := newRecordReader()
	x.rr = newRowReader(13)
	rr := x.rr
	for rows.Next() {
		if err := rr.scan(rows); err != nil {
			return nil, err
		}
		d := civil.Date(rr.int(0))
		k := eod.PortfolioKey{Product: x.intern(rr.bytes(1)), Branch: x.intern(rr.bytes(2)), Status: servicing.Status(rr.word(3)),
			Bucket: servicing.Bucket(rr.int(4)), Class: classification.Class(rr.int(5)), Stage: int(rr.int(6))}
		c := eod.PortfolioCell{Loans: rr.int(7), Outstanding: money.Amount(rr.int(8)), Overdue: money.Amount(rr.int(9)), ECL: money.Amount(rr.int(10)),
			WrittenOff: money.Amount(rr.int(11)), Recovered: money.Amount(rr.int(12))}
		if err := rr.failed(); err != nil {
			return nil, err
		}
		if out[d] == nil {
			out[d] = map[eod.PortfolioKey]eod.PortfolioCell{}
		}
		out[d][k] = c
	}
	return out, rows.Err()
}

// FlowCells returns the roll and vintage cells of each of dates, in two
// queries and without their portfolio or migration cells: what roll-rate
// trends and vintage curves read from every month end.
func (db *DB) FlowCells(ctx context.Context, dates []civil.Date) (map[civil.Date]*eod.Aggregates, error) {
	out := map[civil.Date]*eod.Aggregates{}
	if len(dates) == 0 {
		return out, nil
	}
	args := make([]any, len(dates))
	for i, d := range dates {
		args[i] = int64(d)
		out[d] = eod.NewAggregates()
	}
	in := `(` + placeholders(len(dates)) + `)`
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, product, from_state, to_state, loans, from_balance, to_balance FROM agg_roll WHERE as_of IN `+in, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d civil.Date
		var k eod.RollKey
		var c eod.RollCell
		var from, to int
		if err := rows.Scan(&d, &k.Product, &from, &to, &c.Loans, &c.FromBalance, &c.ToBalance); err != nil {
			rows.Close()
			return nil, err
		}
		k.From, k.To = eod.FlowState(from), eod.FlowState(to)
		if a := out[d]; a != nil {
			a.Roll[k] = c
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.read.QueryContext(ctx, `SELECT as_of, product, vintage, loans, principal, outstanding, ever30, ever30_principal, ever90, ever90_principal,
		cur30, cur30_balance, cur90, cur90_balance FROM agg_vintage WHERE as_of IN `+in, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d civil.Date
		var k eod.VintageKey
		var c eod.VintageCell
		if err := rows.Scan(&d, &k.Product, &k.Vintage, &c.Loans, &c.Principal, &c.Outstanding, &c.Ever30, &c.Ever30Principal, &c.Ever90, &c.Ever90Principal,
			&c.Cur30, &c.Cur30Balance, &c.Cur90, &c.Cur90Balance); err != nil {
			return nil, err
		}
		if a := out[d]; a != nil {
			a.Vintage[k] = c
		}
	}
	return out, rows.Err()
}
