package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/config"
	"daihou/eod"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/signal"
	"daihou/source"
	"daihou/synth"
)

// GenLoader writes a generated portfolio into an empty database in bulk:
// borrowers, profiles, loans, transactions, snapshots and aggregate
// records go in with multi-row statements, many thousands of loans per
// database transaction, instead of posting payment by payment.
//
// On SQLite it runs a bulk session on the single write connection:
// synchronous off, foreign keys off (the generator writes every borrower
// before its loans), and the secondary indexes and triggers of the tables
// it fills dropped and created again at the end, which builds each index
// by one sort instead of millions of b-tree inserts. A generation that
// fails part-way leaves a database to throw away, as the command says.
type GenLoader struct {
	db    *DB
	conn  *sql.Conn
	tx    *sql.Tx
	saved []schemaObject
	ins   genInserts
	loans int // loans in the open transaction
	stamp string
}

type schemaObject struct{ kind, name, sql string }

// genTables are the tables gen fills.
var genTables = []string{"borrowers", "borrower_profiles", "loans", "transactions", "loan_state", "eod_loans", "signal_records"}

// genCommitLoans is how many loans go into one database transaction.
const genCommitLoans = 100_000

// NewGenLoader starts a bulk load. The database must hold no loans
// (ECONFLICT otherwise). products are stored first.
func (db *DB) NewGenLoader(ctx context.Context, products []servicing.Product) (*GenLoader, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ImportLoans, auth.Book()).Err(); err != nil {
		return nil, err
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM loans LIMIT 1) t`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, daihou.Errorf(daihou.ECONFLICT, "the database already holds loans: gen writes a new portfolio into an empty database (pass --db with a new path)")
	}
	for _, p := range products {
		if _, err := db.PutProduct(ctx, p); err != nil {
			return nil, err
		}
	}
	g := &GenLoader{db: db, stamp: db.Now().UTC().Format(time.RFC3339Nano)}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	g.conn = conn
	if db.dialect == SQLite {
		for _, p := range []string{"PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF", "PRAGMA cache_size = -262144", "PRAGMA temp_store = FILE"} {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				g.Close()
				return nil, err
			}
		}
		if err := g.dropSecondary(ctx); err != nil {
			g.Close()
			return nil, err
		}
	}
	if err := g.begin(ctx); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// dropSecondary drops the indexes (other than primary keys and unique
// constraints) and triggers of the tables gen fills, remembering them. One
// stays: the index of the few transactions with details, cheap to keep
// and a scan of the whole table to build.
func (g *GenLoader) dropSecondary(ctx context.Context) error {
	marks := placeholders(len(genTables))
	args := make([]any, len(genTables))
	for i, t := range genTables {
		args[i] = t
	}
	rows, err := g.conn.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (`+marks+`)
		AND name <> 'transactions_special' ORDER BY name`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.kind, &o.name, &o.sql); err != nil {
			rows.Close()
			return err
		}
		g.saved = append(g.saved, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range g.saved {
		if _, err := g.conn.ExecContext(ctx, `DROP `+strings.ToUpper(o.kind)+` `+o.name); err != nil {
			return err
		}
	}
	return nil
}

// genInserts are the multi-row insert statements of one transaction.
type genInserts struct {
	borrowers, profiles, loans, txs, fullTxs, states, records rowWriter
	signalRecords                                             rowWriter
}

func (g *GenLoader) begin(ctx context.Context) error {
	tx, err := g.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	g.tx = tx
	// On PostgreSQL every table is written with COPY inside the open
	// transaction; on SQLite with multi-row INSERTs.
	w := func(head string, cols int) rowWriter { return newRowWriter(g.db.dialect, tx, g.conn, head, "", cols) }
	g.ins = genInserts{
		borrowers:     w(`INSERT INTO borrowers (id, external_id, name, id_number, phone, address, region, name_hash, id_number_hash, phone_hash) VALUES`, 10),
		profiles:      w(`INSERT INTO borrower_profiles (borrower_id, age, gender, region, income_band, occupation, industry, latent_risk, risk) VALUES`, 9),
		loans:         w(`INSERT INTO loans (`+loanColumns+`) VALUES`, 13),
		txs:           w(`INSERT INTO transactions (loan_id, seq, kind, value_date, amount, channel, reference, applied_interest, applied_principal, posted_at) VALUES`, 10),
		fullTxs:       w(`INSERT INTO transactions (`+txColumns+`, posted_at) VALUES`, txColumnCount+1),
		states:        w(`INSERT INTO loan_state (`+snapshotColumns+`) VALUES`, snapshotColumnCount),
		records:       w(`INSERT INTO eod_loans (`+recordColumns+`) VALUES`, 21),
		signalRecords: w(`INSERT INTO signal_records (source, record_id, borrower_id, date, known, hash, payload, signals, received_at, received_by) VALUES`, 10),
	}
	g.loans = 0
	return nil
}

func (g *GenLoader) commit(ctx context.Context) error {
	for _, b := range []rowWriter{g.ins.borrowers, g.ins.profiles, g.ins.loans, g.ins.txs, g.ins.fullTxs, g.ins.states, g.ins.records, g.ins.signalRecords} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	err := g.tx.Commit()
	g.tx = nil
	if err == nil && g.db.dialect == SQLite {
		// The background checkpoint copies the log into the database but
		// cannot start it afresh between transactions that follow one
		// another this closely: at 10,000,000 loans the log grew to half
		// the book. Here it is copied and cut before the next begins.
		_, err = g.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return err
}

// Write writes one batch of generated loans.
func (g *GenLoader) Write(ctx context.Context, b *synth.Batch) error {
	in := &g.ins
	for i := range b.Borrowers {
		bw, p := &b.Borrowers[i], &b.Profiles[i]
		sb, err := sealBorrower(g.db.keys, bw)
		if err != nil {
			return err
		}
		if err := in.borrowers.add(ctx, bw.ID, bw.ExternalID, sb.name, sb.idNumber, sb.phone, sb.address, bw.Region, sb.nameHash, sb.idHash, sb.phoneHash); err != nil {
			return err
		}
		if err := in.profiles.add(ctx, p.BorrowerID, p.Age, p.Gender, p.Region, p.IncomeBand, p.Occupation, p.Industry, p.LatentRisk, p.Risk); err != nil {
			return err
		}
	}
	if g.db.dialect == Postgres {
		// Foreign keys hold row by row there: borrowers go in before loans.
		if err := in.borrowers.flush(ctx); err != nil {
			return err
		}
	}
	for i := range b.Loans {
		l := &b.Loans[i]
		if err := in.loans.add(ctx, l.ID, l.ExternalID, l.BorrowerID, l.Product, string(l.Currency), l.Principal, l.Rate, l.Term,
			string(l.Method), l.Disbursed, l.Branch, l.Officer, l.Region); err != nil {
			return err
		}
	}
	for i := range b.Txs {
		t := &b.Txs[i]
		var err error
		// Most rows are a plain payment of interest and principal: they go
		// with the few columns that carry anything, the rest default to
		// zero, which spares the driver most of its per-value work.
		if a := t.Applied; t.Reverses == 0 && t.Component == "" && t.NewTerm == 0 && t.NewMethod == "" && t.NewRate == 0 &&
			a.Fee == 0 && a.Penalty == 0 && a.Compound == 0 && a.Prepaid == 0 && a.Credit == 0 && a.Recovery == 0 {
			i64 := func(v int64) any { return v }
			err = in.txs.add(ctx, t.LoanID, t.Seq, string(t.Kind), i64(int64(t.ValueDate)), i64(int64(t.Amount)), t.Channel, t.Reference,
				i64(int64(a.Interest)), i64(int64(a.Principal)), b.PostedAt[i])
		} else {
			err = in.fullTxs.add(ctx, txArgs(t, b.PostedAt[i])...)
		}
		if err != nil {
			return err
		}
	}
	for i := range b.Snapshots {
		if err := in.states.add(ctx, snapshotArgs(&b.Snapshots[i], loanstate.Wake(&b.Snapshots[i]))...); err != nil {
			return err
		}
		if err := in.records.add(ctx, recordArgs(&b.Records[i], b.Snapshots[i].AsOf)...); err != nil {
			return err
		}
	}
	if err := g.writeSignals(ctx, b.Signals); err != nil {
		return err
	}
	g.loans += len(b.Loans)
	if g.loans >= genCommitLoans {
		if err := g.commit(ctx); err != nil {
			return err
		}
		return g.begin(ctx)
	}
	return nil
}

// writeSignals writes a batch's data-source records, sealed as imports
// seal them, with the signals their adapters derive, each known on its
// own date: the generated history received every record the day it
// describes.
func (g *GenLoader) writeSignals(ctx context.Context, recs []signal.Record) error {
	in := &g.ins
	var adapter source.Adapter
	for i := range recs {
		r := &recs[i]
		if adapter == nil || adapter.Name() != r.Source {
			var err error
			if adapter, err = source.Lookup(r.Source); err != nil {
				return err
			}
		}
		if err := source.Check(adapter, r); err != nil {
			return daihou.Errorf(daihou.EINTERNAL, "generated record %s/%s: %w", r.Source, r.ID, err)
		}
		sigs, err := adapter.Signals(r)
		if err != nil {
			return daihou.Errorf(daihou.EINTERNAL, "generated record %s/%s: %w", r.Source, r.ID, err)
		}
		bid, ok := synth.BorrowerIDOf(r.Borrower)
		if !ok {
			return daihou.Errorf(daihou.EINTERNAL, "generated record %s/%s: borrower %s not generated", r.Source, r.ID, r.Borrower)
		}
		payload, err := json.Marshal(r)
		if err != nil {
			return err
		}
		sealed, err := g.db.keys.Seal(recordField, string(payload))
		if err != nil {
			return err
		}
		h := r.Hash()
		if err := in.signalRecords.add(ctx, r.Source, r.ID, bid, int64(r.Date), int64(r.Date), h[:], sealed, encodeSignals(sigs), g.stamp, "system:gen"); err != nil {
			return err
		}
	}
	return nil
}

// GenInfo describes a finished generation, kept in settings.
type GenInfo struct {
	Seed   uint64
	Loans  int
	Months int
	Until  civil.Date
}

// Finish commits the last loans, builds the indexes and triggers again,
// writes the history's aggregates (every month end and the final date),
// records the final date as closed by generation and makes it the business
// date. The loader is closed.
func (g *GenLoader) Finish(ctx context.Context, info GenInfo, h *synth.History, progress func(step string)) error {
	defer g.Close()
	if err := g.commit(ctx); err != nil {
		return err
	}
	for _, o := range g.saved {
		if progress != nil {
			progress("index " + o.name)
		}
		if _, err := g.conn.ExecContext(ctx, o.sql); err != nil {
			return fmt.Errorf("recreate %s %s: %w", o.kind, o.name, err)
		}
	}
	g.saved = nil
	if progress != nil {
		progress("aggregates")
	}
	tx, err := g.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, d := range h.Dates {
		a := h.Aggregates[d]
		a.Prune()
		if err := replaceAggregates(ctx, tx, d, a); err != nil {
			return err
		}
	}
	sum := eod.Summary{Date: info.Until, Mode: eod.ModeGen, Touched: h.Loans, Changed: h.Loans}
	stamp := g.db.Now().UTC().Format(time.RFC3339Nano)
	if _, err := tx.ExecContext(ctx, `INSERT INTO eod_runs (as_of, attempt, mode, status, phase, summary, token, started_at, finished_at) VALUES (?, 1, ?, 'done', 'done', ?, ?, ?, ?)`,
		info.Until, eod.ModeGen, mustJSON(sum), g.stamp, g.stamp, stamp); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM eod_dirty`); err != nil {
		return err
	}
	if err := genSiblings(ctx, tx, g.db.dialect); err != nil {
		return err
	}
	if err := g.db.ensureKeyCheck(ctx, tx); err != nil {
		return err
	}
	// One entry for the whole generation, in its last transaction: a load
	// that stops before it leaves a book no one may use (gen refuses to
	// write into it again).
	t := &wtx{Tx: tx, db: g.db, now: g.db.Now(), business: info.Until, actor: auth.FromContext(ctx)}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	// The generated bank's regions, so that the dashboards' region filter
	// has something to group by (org.regions): part of what gen wrote, in
	// its one entry.
	regions := config.FormatRegions(synthRegions())
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, "config."+config.Regions, regions); err != nil {
		return err
	}
	if err := t.audit(ctx, "gen", "book", audit.DigestFields(i(int64(info.Seed)), i(int64(info.Loans)), i(int64(info.Months)), info.Until.String(), regions),
		fmt.Sprintf("synthetic portfolio of %d loans, %d months of history to %v, seed %d; %s set to the generated regions", info.Loans, info.Months, info.Until, info.Seed, config.Regions)); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"business_date": info.Until.String(),
		"gen":           fmt.Sprintf(`{"seed":%d,"loans":%d,"months":%d,"until":"%v","at":"%s"}`, info.Seed, info.Loans, info.Months, info.Until, stamp),
	} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if progress != nil {
		progress("analyze")
	}
	return g.db.analyze(ctx, g.conn)
}

// Analyze refreshes the planner's statistics of every table, as a bulk load
// should before the book is worked: a table that grew from nothing in one
// go would otherwise be planned as the empty table it was (whole scans for
// lookups by key). PostgreSQL's autovacuum does it too, later.
func (db *DB) Analyze(ctx context.Context) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return db.analyze(ctx, conn)
}

func (db *DB) analyze(ctx context.Context, conn *sql.Conn) error {
	stmts := []string{"ANALYZE"}
	if db.dialect == SQLite {
		// Statistics for the planner from a sample, seconds not minutes.
		stmts = []string{"PRAGMA analysis_limit = 1000", "ANALYZE"}
	}
	for _, p := range stmts {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// genSiblings counts every loan's siblings (the borrower's other loans),
// moves PostgreSQL's id sequences past the generated ids, and marks for
// close of business the loans of borrowers with a non-performing loan
// among several: the generator derives loan by loan, so borrower contagion
// is left to a close of business of the final date, which 'daihou gen'
// runs.
func genSiblings(ctx context.Context, tx *sql.Tx, d Dialect) error {
	for _, q := range []string{
		`UPDATE loans SET siblings = (SELECT COUNT(*) - 1 FROM loans o WHERE o.borrower_id = loans.borrower_id)
			WHERE borrower_id IN (SELECT borrower_id FROM loans GROUP BY borrower_id HAVING COUNT(*) > 1)`,
		`INSERT INTO eod_dirty (loan_id, events) SELECT l.id, 1 FROM loans l WHERE l.siblings > 0 AND l.borrower_id IN
			(SELECT s.borrower_id FROM loan_state s WHERE s.own_class >= 3 AND s.borrower_id IN (SELECT borrower_id FROM loans WHERE siblings > 0))`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if d == Postgres {
		for _, t := range []string{"loans", "borrowers"} {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM `+t); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close ends the bulk session, rolling back what was not committed and
// restoring the connection's settings. Finish calls it.
func (g *GenLoader) Close() {
	if g.conn == nil {
		return
	}
	ctx := context.Background()
	if g.tx != nil {
		g.tx.Rollback()
		g.tx = nil
	}
	if g.db.dialect == SQLite {
		for _, o := range g.saved { // an unfinished load still gets its schema back
			g.conn.ExecContext(ctx, o.sql)
		}
		for _, p := range []string{"PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON", "PRAGMA cache_size = -65536"} {
			g.conn.ExecContext(ctx, p)
		}
	}
	g.conn.Close()
	g.conn = nil
}

// synthRegions are the generator's regions as org.regions names them.
func synthRegions() []config.Region {
	var out []config.Region
	for _, r := range synth.Regions() {
		out = append(out, config.Region{Name: r.Name, Branches: r.Branches})
	}
	return out
}
