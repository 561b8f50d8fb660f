package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/inputtext"
	"daihou/report"
	"daihou/servicing"
)

// The collection KPIs (催收考核): the rows of a period read for package
// report, which defines and computes every figure, and the figures of each
// date close of business keeps in collection_daily for the trend.

// maxReportDays bounds a report's period.
const maxReportDays = 3660

// CollectionReport returns the collection KPIs of the business dates from
// … to (report.Collections): the totals and the lines of dimension by
// (collector, team, arm, bucket or channel; every one when ""), the
// book-wide figures, and the trend of the daily figures close of business
// stored. A zero to is the last date closed, a zero from the first day of
// to's month. The actor in ctx must be allowed to read reports
// (EUNAUTHORIZED); EINVALID for a bad dimension or period, ENOTFOUND when
// no date has been closed and none is given.
func (db *DB) CollectionReport(ctx context.Context, from, to civil.Date, by string) (report.CollectionReport, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ReadReport, auth.Book()).Err(); err != nil {
		return report.CollectionReport{}, err
	}
	if _, err := report.ParseDimension(by); err != nil {
		return report.CollectionReport{}, err
	}
	from, to, err := db.reportPeriod(ctx, from, to)
	if err != nil {
		return report.CollectionReport{}, err
	}
	tx, err := db.readTx(ctx)
	if err != nil {
		return report.CollectionReport{}, err
	}
	defer tx.Rollback()
	rows, err := loadCollectionRows(ctx, tx, from, to)
	if err != nil {
		return report.CollectionReport{}, err
	}
	if rows.Book, err = loadBookRows(ctx, tx, from, to, true); err != nil {
		return report.CollectionReport{}, err
	}
	if rows.Daily, err = loadCollectionDaily(ctx, tx, from, to, report.DimAll); err != nil {
		return report.CollectionReport{}, err
	}
	return report.Collections(rows, by)
}

// StrategyReport returns the champion/challenger comparison of the
// collection strategies over the business dates from … to
// (report.Strategies), pairing segments by the strategy in force. Dates,
// access and errors as for CollectionReport.
func (db *DB) StrategyReport(ctx context.Context, from, to civil.Date) (report.StrategyReport, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ReadReport, auth.Book()).Err(); err != nil {
		return report.StrategyReport{}, err
	}
	from, to, err := db.reportPeriod(ctx, from, to)
	if err != nil {
		return report.StrategyReport{}, err
	}
	st, err := db.Strategy(ctx)
	if err != nil {
		return report.StrategyReport{}, err
	}
	tx, err := db.readTx(ctx)
	if err != nil {
		return report.StrategyReport{}, err
	}
	defer tx.Rollback()
	rows, err := loadCollectionRows(ctx, tx, from, to)
	if err != nil {
		return report.StrategyReport{}, err
	}
	return report.Strategies(rows, []collection.Strategy{st})
}

// reportPeriod fills in a report's default dates and checks the period.
func (db *DB) reportPeriod(ctx context.Context, from, to civil.Date) (civil.Date, civil.Date, error) {
	if to == 0 {
		last, err := db.LastClose(ctx)
		if err != nil {
			return 0, 0, err
		}
		if last == 0 {
			return 0, 0, daihou.Errorf(daihou.ENOTFOUND, "no business date has been closed yet: give the period (from, to) or run 'daihou eod --date DATE'")
		}
		to = last
	}
	if from == 0 {
		from = to.AddDays(1 - to.Day())
	}
	if to.Before(from) {
		return 0, 0, daihou.Invalid("to", "to: %v is before from (%v)", to, from)
	}
	if to.Sub(from) >= maxReportDays {
		return 0, 0, daihou.Invalid("from", "from %v to %v is %d days: at most %d", from, to, to.Sub(from)+1, maxReportDays)
	}
	return from, to, nil
}

// interner keeps one copy of the words repeated on every row.
type interner map[string]string

func (in interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// loadCollectionRows reads the collection rows of [from, to] through q:
// the contacts of the period with their task's team, the promises made or
// settled in it with their task's team and their contact's channel, the
// episodes active in it or on the day one of those promises was made, and
// the people and teams given tasks of those episodes.
func loadCollectionRows(ctx context.Context, q querier, from, to civil.Date) (*report.CollectionRows, error) {
	out := &report.CollectionRows{From: from, To: to}
	words := interner{}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.loan_id, c.task_id, c.business, c.channel, c.party, c.by_name, COALESCE(t.team, ''),
		c.connected, c.rpc, c.outcome, c.cost, c.satisfaction
		FROM contacts c LEFT JOIN tasks t ON t.id = c.task_id WHERE c.business >= ? AND c.business <= ?`, int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c report.Contact
		var business int64
		var connected, rpc int
		var channel, party, by, team, outcome string
		if err := rows.Scan(&c.ID, &c.LoanID, &c.TaskID, &business, &channel, &party, &by, &team, &connected, &rpc, &outcome, &c.Cost, &c.Satisfaction); err != nil {
			rows.Close()
			return nil, err
		}
		c.Business, c.Connected, c.RPC = civil.Date(business), connected != 0, rpc != 0
		c.Channel, c.Party, c.By, c.Team, c.Outcome = words.of(channel), words.of(party), words.of(by), words.of(team), collection.Outcome(words.of(outcome))
		out.Contacts = append(out.Contacts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT p.id, p.loan_id, p.made, p.due, p.settled, p.amount, p.paid, p.state, p.by_name, COALESCE(t.team, ''), COALESCE(c.channel, '')
		FROM promises p LEFT JOIN tasks t ON t.id = p.task_id LEFT JOIN contacts c ON c.id = p.contact_id
		WHERE (p.made >= ? AND p.made <= ?) OR (p.settled >= ? AND p.settled <= ?)`, int64(from), int64(to), int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	since := from
	for rows.Next() {
		var p report.Promise
		var made, due, settled int64
		var state, by, team, channel string
		if err := rows.Scan(&p.ID, &p.LoanID, &made, &due, &settled, &p.Amount, &p.Paid, &state, &by, &team, &channel); err != nil {
			rows.Close()
			return nil, err
		}
		p.Made, p.Due, p.Settled = civil.Date(made), civil.Date(due), civil.Date(settled)
		p.State, p.By, p.Team, p.Channel = words.of(state), words.of(by), words.of(team), words.of(channel)
		since = min(since, p.Made)
		out.Promises = append(out.Promises, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every episode that overlaps [since, to]: those active in the period
	// and those a promise of it was made in.
	rows, err = q.QueryContext(ctx, `SELECT `+episodeColumns+` FROM collection_episodes WHERE (ended = 0 OR ended >= ?) AND started <= ?`, int64(since), int64(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		e, err := scanEpisode(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		e.Outcome, e.Strategy, e.Arm, e.Segment = words.of(e.Outcome), words.of(e.Strategy), words.of(e.Arm), words.of(e.Segment)
		out.Episodes = append(out.Episodes, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT t.loan_id, t.episode, t.assignee, t.team
		FROM collection_episodes e JOIN tasks t ON t.loan_id = e.loan_id AND t.episode = e.started
		WHERE (e.ended = 0 OR e.ended >= ?) AND e.started <= ? AND (t.assignee <> '' OR t.team <> '')`, int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var w report.EpisodeWorker
		var started int64
		var assignee, team string
		if err := rows.Scan(&w.LoanID, &started, &assignee, &team); err != nil {
			return nil, err
		}
		w.Started, w.Assignee, w.Team = civil.Date(started), words.of(assignee), words.of(team)
		out.Workers = append(out.Workers, w)
	}
	return out, rows.Err()
}

// loadBookRows reads the book-wide inputs of [from, to]: the portfolio
// aggregates of the last close on or before to and of the last before
// from, the loans written off and the recoveries of the period, and —
// with officers — the loans with a dedicated officer.
func loadBookRows(ctx context.Context, q querier, from, to civil.Date, officers bool) (*report.BookRows, error) {
	b := &report.BookRows{}
	var err error
	if b.AsOf, b.At, err = aggregatesOnOrBefore(ctx, q, to); err != nil {
		return nil, err
	}
	if b.OpeningDate, b.Opening, err = aggregatesOnOrBefore(ctx, q, from.AddDays(-1)); err != nil {
		return nil, err
	}
	// Only a written-off loan has write-offs that took and recoveries
	// (servicing.Check): reading those loans' transactions, not the
	// whole ledger's.
	rows, err := q.QueryContext(ctx, `SELECT s.loan_id, MIN(t.value_date), s.written_off FROM loan_state s
		JOIN transactions t ON t.loan_id = s.loan_id AND t.kind = 'write-off'
		WHERE s.status = 'written-off' GROUP BY s.loan_id, s.written_off HAVING MIN(t.value_date) >= ? AND MIN(t.value_date) <= ?`, int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var w report.WriteOff
		var date int64
		if err := rows.Scan(&w.LoanID, &date, &w.Amount); err != nil {
			rows.Close()
			return nil, err
		}
		if w.Date = civil.Date(date); !w.Date.Before(from) && !w.Date.After(to) {
			b.WriteOffs = append(b.WriteOffs, w)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT r.loan_id, r.seq, r.value_date, r.amount FROM loan_state s
		JOIN transactions r ON r.loan_id = s.loan_id AND r.kind = 'recovery'
		WHERE s.status = 'written-off' AND r.value_date >= ? AND r.value_date <= ?
		AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.loan_id = r.loan_id AND v.kind = 'reversal' AND v.reverses = r.seq)`, int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r report.Recovery
		var date int64
		if err := rows.Scan(&r.LoanID, &r.Seq, &date, &r.Amount); err != nil {
			rows.Close()
			return nil, err
		}
		r.Date = civil.Date(date)
		b.Recoveries = append(b.Recoveries, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !officers {
		return b, nil
	}
	// Streamed through OfficerCounts.Add, not kept: most of a book may
	// have an officer. Only loans on the book before from can count.
	rows, err = q.QueryContext(ctx, `SELECT l.disbursed, l.term, COALESCE(s.status, ''), COALESCE(s.settled_date, 0),
		CASE WHEN s.status = 'written-off' THEN (SELECT MIN(w.value_date) FROM transactions w WHERE w.loan_id = l.id AND w.kind = 'write-off') ELSE 0 END
		FROM loans l LEFT JOIN loan_state s ON s.loan_id = l.id WHERE l.officer <> '' AND l.disbursed < ?`, int64(from))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b.Officers = &report.OfficerCounts{}
	for rows.Next() {
		var l report.OfficerLoan
		var disbursed, settled int64
		var writtenOff sql.NullInt64
		var term int
		var status string
		if err := rows.Scan(&disbursed, &term, &status, &settled, &writtenOff); err != nil {
			return nil, err
		}
		l.Disbursed = civil.Date(disbursed)
		l.Maturity = l.Disbursed.AddMonthsClamped(term, l.Disbursed.Day())
		if status == string(servicing.StatusSettled) {
			l.Settled = civil.Date(settled)
		}
		if status == string(servicing.StatusWrittenOff) {
			l.WrittenOff = civil.Date(writtenOff.Int64)
		}
		b.Officers.Add(l, from, to)
	}
	return b, rows.Err()
}

// aggregatesOnOrBefore returns the portfolio cells of the last date on or
// before d that has them; zero and nil when none has.
func aggregatesOnOrBefore(ctx context.Context, q querier, d civil.Date) (civil.Date, *eod.Aggregates, error) {
	var at sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(as_of) FROM agg_portfolio WHERE as_of <= ?`, int64(d)).Scan(&at); err != nil {
		return 0, nil, err
	}
	if !at.Valid {
		return 0, nil, nil
	}
	a, err := readAggregates(ctx, q, civil.Date(at.Int64))
	return civil.Date(at.Int64), a, err
}

// loadCollectionDaily reads the daily figures of [from, to] under dim.
func loadCollectionDaily(ctx context.Context, q querier, from, to civil.Date, dim string) ([]report.DailyFigures, error) {
	rows, err := q.QueryContext(ctx, `SELECT date, dimension, key, figures FROM collection_daily WHERE date >= ? AND date <= ? AND dimension = ? ORDER BY date, key`,
		int64(from), int64(to), dim)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.DailyFigures
	for rows.Next() {
		var d report.DailyFigures
		var date int64
		var figures []byte
		if err := rows.Scan(&date, &d.Dimension, &d.Key, &figures); err != nil {
			return nil, err
		}
		d.Date = civil.Date(date)
		if err := json.Unmarshal(figures, &d.Figures); err != nil {
			return nil, fmt.Errorf("collection_daily %v %s %s: %w", d.Date, d.Dimension, d.Key, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CollectionDaily returns the figures close of business stored for the
// business dates from … to under dimension dim ("all", "collector" …), by
// date and key: what a dashboard's trend reads. Access as for
// CollectionReport.
func (db *DB) CollectionDaily(ctx context.Context, from, to civil.Date, dim string) ([]report.DailyFigures, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	if dim != report.DimAll {
		if _, err := report.ParseDimension(dim); err != nil || dim == "" {
			return nil, daihou.Invalid("dimension", "dimension %q: want all, collector, team, arm, bucket or channel", inputtext.Clip(dim, 32))
		}
	}
	return loadCollectionDaily(ctx, db.read, from, to, dim)
}

// saveCollectionDaily computes the collection figures of each date from
// from to to — every key of every dimension, from the collection rows as
// close of business leaves them — into collection_daily, replacing any of
// an earlier run of the dates. The book-wide figures are not kept per
// day: the 90+ share is in the portfolio aggregates, and write-offs,
// recoveries and churn are read for a report's period.
func (db *DB) saveCollectionDaily(ctx context.Context, t *wtx, from, to civil.Date) error {
	// One read of the rows of every date, then each date's figures from
	// them: the episodes open on a day are most of what is read, and are
	// the same on the days of a close.
	rows, err := loadCollectionRows(ctx, t, from, to)
	if err != nil {
		return fmt.Errorf("collection figures of %v to %v: %w", from, to, err)
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM collection_daily WHERE date >= ? AND date <= ?`, int64(from), int64(to)); err != nil {
		return err
	}
	b := newBatcher(t.Tx, `INSERT INTO collection_daily (date, dimension, key, figures) VALUES`, ``, 4)
	for date := from; !date.After(to); date = date.AddDays(1) {
		day := *rows
		day.From, day.To = date, date
		set := report.CollectionFigures(&day)
		for _, dim := range report.CollectionDimensions {
			for key, f := range set[dim] {
				body, err := json.Marshal(f)
				if err != nil {
					return err
				}
				if err := b.add(ctx, int64(date), dim, key, string(body)); err != nil {
					return err
				}
			}
		}
	}
	return b.flush(ctx)
}
