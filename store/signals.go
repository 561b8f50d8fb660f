package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/loanstate"
	"daihou/pii"
	"daihou/signal"
)

// Data sources: raw records, stored once per (source, record id) with
// their content hash and sealed payload, and the typed signals derived from
// them, dated with the business date they became known. Storing a record
// marks every loan of its borrower for close of business, which evaluates
// the warning rules on it.

// recordField is the personal-data field a raw record's payload is sealed
// as: a record may carry a name, an ID number or an address.
const recordField = pii.Field("signal_record")

// SignalIn is one record to store with the signals its adapter derived
// from it (Borrower and Known zero: the store fills them).
type SignalIn struct {
	Line    int // the record's line in its file, or its place in a body
	Record  signal.Record
	Signals []signal.Signal
}

// SignalResult is what storing records did.
type SignalResult struct {
	Stored     int
	Duplicates int // delivered before, with the same content: nothing done
	Rejects    []Reject
	// Borrowers are the borrowers that records were stored for, in order:
	// their loans are marked for close of business.
	Borrowers []int64
}

// IngestSignals stores records as the actor in ctx, who must be allowed
// to take in signals, in chunks of a transaction each with its audit entry.
// A record already stored with the same content is a duplicate and
// changes nothing; under an id already used with other content, or for a
// borrower the book does not hold, it is rejected with its line and the
// reason, and every other record is stored.
func (db *DB) IngestSignals(ctx context.Context, src Source, in []SignalIn, progress func(done int)) (SignalResult, error) {
	var res SignalResult
	if err := auth.Can(auth.FromContext(ctx), auth.IngestSignals, auth.Book()).Err(); err != nil {
		return res, err
	}
	if db.keys == nil {
		return res, ErrNoKey
	}
	const chunk = 10000
	chunks := max(1, (len(in)+chunk-1)/chunk)
	// Hashing, sealing and encoding are most of a record's cost and need
	// no database: they run on every core, a chunk ahead of the write,
	// and so does finding each record's borrower, a read: a borrower once
	// in the book stays with its id, so what the read finds still holds
	// when the chunk is written, and the single writer spends its time on
	// writing.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan preparedChunk, 1)
	go func() {
		defer close(ready)
		for k := range chunks {
			part := in[k*chunk : min(len(in), (k+1)*chunk)]
			pc := preparedChunk{in: part}
			pc.recs, pc.err = db.prepareRecords(part)
			if pc.err == nil {
				pc.who, pc.err = db.resolveBorrowers(ctx, db.read, part)
			}
			select {
			case ready <- pc:
			case <-ctx.Done():
				return
			}
			if pc.err != nil {
				return
			}
		}
	}()
	k, done := 0, 0
	for pc := range ready {
		if pc.err != nil {
			return res, pc.err
		}
		k++
		var got SignalResult
		err := db.inTx(ctx, func(t *wtx) error {
			var err error
			if got, err = db.ingestChunk(ctx, t, pc.in, pc.recs, pc.who); err != nil {
				return err
			}
			c := importCounts{got.Stored, got.Duplicates, len(got.Rejects)}
			all := importCounts{res.Stored + c.added, res.Duplicates + c.present, len(res.Rejects) + c.rejected}
			return t.auditImport(ctx, string(auth.IngestSignals), src, k, chunks, c, all)
		})
		if err != nil {
			return res, err
		}
		res.Stored += got.Stored
		res.Duplicates += got.Duplicates
		res.Rejects = append(res.Rejects, got.Rejects...)
		res.Borrowers = append(res.Borrowers, got.Borrowers...)
		done += len(pc.in)
		if progress != nil {
			progress(done)
		}
	}
	if k == 0 {
		return res, ctx.Err()
	}
	slices.Sort(res.Borrowers)
	res.Borrowers = slices.Compact(res.Borrowers)
	return res, nil
}

// preparedChunk is a chunk of records with what storing each needs.
type preparedChunk struct {
	in   []SignalIn
	recs []preparedRecord
	who  func(*signal.Record) (int64, string) // each record's borrower (resolveBorrowers)
	err  error
}

// preparedRecord is a record as its row holds it.
type preparedRecord struct {
	hash    [32]byte
	sealed  string
	signals string
}

// prepareRecords hashes, seals and encodes each record of in, on every
// core.
func (db *DB) prepareRecords(in []SignalIn) ([]preparedRecord, error) {
	out := make([]preparedRecord, len(in))
	workers := max(1, min(runtime.GOMAXPROCS(0)-1, len(in)/500))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(in); i += workers {
				r := &in[i].Record
				payload, err := json.Marshal(r)
				if err == nil {
					out[i].sealed, err = db.keys.Seal(recordField, string(payload))
				}
				if err != nil {
					errs[w] = err
					return
				}
				out[i].hash, out[i].signals = r.Hash(), encodeSignals(in[i].Signals)
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (db *DB) ingestChunk(ctx context.Context, t *wtx, in []SignalIn, prep []preparedRecord, who func(*signal.Record) (int64, string)) (SignalResult, error) {
	var res SignalResult
	if db.dialect == Postgres {
		// Every read here is by key. A statement prepared while the table
		// was nearly empty keeps a generic plan that looks up the source
		// alone and filters its ids, a scan of the source's every record
		// once the table has grown: plan each with its own ids instead.
		if _, err := t.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return res, err
		}
	}
	known, err := knownDate(ctx, t)
	if err != nil {
		return res, err
	}
	return db.ingestRows(ctx, t, in, prep, known, who)
}

// ingestRows stores the records of a chunk: they go in first, in
// statements that say which they stored, and only the others — a
// re-delivery, or an id used before — are looked up, so a first delivery
// reads nothing back.
func (db *DB) ingestRows(ctx context.Context, t *wtx, in []SignalIn, prep []preparedRecord, known civil.Date, who func(*signal.Record) (int64, string)) (SignalResult, error) {
	var res SignalResult
	conflict := func(s *SignalIn) Reject {
		return Reject{s.Line, fmt.Sprintf("id: record %q of source %s is already stored with other content; send a correction under a new id", inputtext.Clip(s.Record.ID, 64), s.Record.Source)}
	}
	seen := map[string][32]byte{}
	var cols [10][]any
	var cand []int
	bids := make([]int64, len(in))
	actor, stamp := t.actor.String(), t.stamp()
	for i := range in {
		s := &in[i]
		r := &s.Record
		bid, reason := who(r)
		if reason != "" {
			res.Rejects = append(res.Rejects, Reject{s.Line, reason})
			continue
		}
		key := r.Source + "\x00" + r.ID
		if h, ok := seen[key]; ok { // twice in one delivery
			if h == prep[i].hash {
				res.Duplicates++
			} else {
				res.Rejects = append(res.Rejects, conflict(s))
			}
			continue
		}
		seen[key] = prep[i].hash
		bids[i] = bid
		p := &prep[i]
		for k, v := range []any{r.Source, r.ID, bid, int64(r.Date), int64(known), p.hash[:], p.sealed, p.signals, stamp, actor} {
			cols[k] = append(cols[k], v)
		}
		cand = append(cand, i)
	}
	var all bool
	inserted := map[string]bool{}
	if len(cand) > 0 {
		w := &signalRowWriter{t: t, cols: cols, rows: len(cand)}
		var keys []string
		var err error
		if keys, all, err = w.insert(ctx); err != nil {
			return res, err
		}
		for _, k := range keys {
			inserted[k] = true
		}
	}
	var again []SignalIn
	var againAt []int
	borrowers := map[int64]bool{}
	for _, i := range cand {
		r := &in[i].Record
		if all || inserted[r.Source+"\x00"+r.ID] {
			res.Stored++
			borrowers[bids[i]] = true
			continue
		}
		again, againAt = append(again, in[i]), append(againAt, i)
	}
	if len(again) > 0 {
		stored, err := storedHashes(ctx, t, db.dialect, again)
		if err != nil {
			return res, err
		}
		for k, s := range again {
			h := prep[againAt[k]].hash
			if old, ok := stored[s.Record.Source+"\x00"+s.Record.ID]; ok && bytes.Equal(old, h[:]) {
				res.Duplicates++
			} else {
				res.Rejects = append(res.Rejects, conflict(&again[k]))
			}
		}
	}
	for b := range borrowers {
		res.Borrowers = append(res.Borrowers, b)
	}
	slices.Sort(res.Borrowers)
	slices.SortStableFunc(res.Rejects, func(a, b Reject) int { return a.Line - b.Line })
	return res, markBorrowers(ctx, t, db.dialect, res.Borrowers)
}

// signalRowWriter inserts records' rows, which it holds a column each: on
// PostgreSQL one INSERT … SELECT FROM unnest of a column array each, a
// statement a chunk, which is several times faster than rows of
// parameters; on SQLite multi-row INSERTs. Both keep ON CONFLICT (a
// concurrent import of the same record stores it once).
type signalRowWriter struct {
	t    *wtx
	cols [10][]any
	rows int
}

const recordInsert = `INSERT INTO signal_records (source, record_id, borrower_id, date, known, hash, payload, signals, received_at, received_by)`

const recordConflict = ` ON CONFLICT (source, record_id) DO NOTHING`

const recordReturning = ` RETURNING source, record_id`

// args are the column arrays of the rows added.
func (w *signalRowWriter) args() []any {
	texts := func(vs []any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v.(string)
		}
		return out
	}
	ints := func(vs []any) []int64 {
		out := make([]int64, len(vs))
		for i, v := range vs {
			out[i] = v.(int64)
		}
		return out
	}
	hashes := make([][]byte, w.rows)
	for i, v := range w.cols[5] {
		hashes[i] = v.([]byte)
	}
	return []any{texts(w.cols[0]), texts(w.cols[1]), ints(w.cols[2]), ints(w.cols[3]), ints(w.cols[4]), hashes, texts(w.cols[6]), texts(w.cols[7]), texts(w.cols[8]), texts(w.cols[9])}
}

// insert inserts the rows added and says whether it stored every one;
// when not, it returns the "source\x00record_id" of each it stored (those
// already there are not). SQLite's RETURNING gathers the rows in a table
// of its own before it hands back the first, a fifth of the insert's
// time, so there the rows go
// in plain and only a chunk that stored fewer rows than it sent reads back
// which: the rows above the table's last rowid before it, as SQLite gives
// a new row the rowid one above the largest and this transaction is the
// only writer.
func (w *signalRowWriter) insert(ctx context.Context) ([]string, bool, error) {
	if w.t.db.dialect == Postgres {
		rows, err := w.t.QueryContext(ctx, recordInsert+` SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::int[], ?::int[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[])`+recordConflict+recordReturning, w.args()...)
		keys, err := appendKeys(nil, rows, err)
		return keys, err == nil && len(keys) == w.rows, err
	}
	var last int64
	if err := w.t.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM signal_records`).Scan(&last); err != nil {
		return nil, false, err
	}
	const per = 2000 / len(w.cols) // parameters a statement, as batcher has them
	stmt := func(n int) string {
		row := "(" + placeholders(len(w.cols)) + ")"
		return recordInsert + ` VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + recordConflict
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(w.cols))
	var stored int64
	for start := 0; start < w.rows; start += per {
		n := min(per, w.rows-start)
		args = args[:0]
		for r := start; r < start+n; r++ {
			for c := range w.cols {
				args = append(args, w.cols[c][r])
			}
		}
		var res sql.Result
		var err error
		if n < per {
			res, err = w.t.ExecContext(ctx, stmt(n), args...)
		} else {
			if full == nil {
				if full, err = w.t.PrepareContext(ctx, stmt(per)); err != nil {
					return nil, false, err
				}
			}
			res, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return nil, false, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return nil, false, err
		}
		stored += k
	}
	if stored == int64(w.rows) {
		return nil, true, nil
	}
	rows, err := w.t.QueryContext(ctx, `SELECT source, record_id FROM signal_records WHERE rowid > ?`, last)
	keys, err := appendKeys(make([]string, 0, stored), rows, err)
	if err == nil && len(keys) != int(stored) {
		err = fmt.Errorf("signal records: %d rows stored above rowid %d, %d read back", stored, last, len(keys))
	}
	return keys, false, err
}

// appendKeys appends the "source\x00record_id" of each row of rows.
func appendKeys(out []string, rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var src, id string
		if err := rows.Scan(&src, &id); err != nil {
			return nil, err
		}
		out = append(out, src+"\x00"+id)
	}
	return out, rows.Err()
}

// knownDate returns the business date a signal stored now is known on:
// the first close of business that can see it — the business date, or
// the day after once close of business for it has begun, so that a replay
// of history sees the signal exactly when close of business did.
func knownDate(ctx context.Context, t *wtx) (civil.Date, error) {
	d, err := t.needBusinessDate()
	if err != nil {
		return 0, err
	}
	return knownAfter(ctx, t, d)
}

// knownAfter returns the first date close of business will see what is
// stored on business date d.
func knownAfter(ctx context.Context, q querier, d civil.Date) (civil.Date, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM eod_runs WHERE as_of = ?`, int64(d)).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		d = d.AddDays(1)
	}
	return d, nil
}

// resolveBorrowers returns the lookup of each record's borrower: by
// external id, or by ID number through its keyed hash. The reason is
// non-empty for a record whose borrower the book does not hold; it does
// not repeat an ID number.
func (db *DB) resolveBorrowers(ctx context.Context, q querier, in []SignalIn) (func(*signal.Record) (int64, string), error) {
	ext := map[string]int64{}
	hashes := map[string]int64{}
	var refs, ids []any
	for i := range in {
		r := &in[i].Record
		if r.Borrower != "" {
			if _, ok := ext[r.Borrower]; !ok {
				ext[r.Borrower] = 0
				refs = append(refs, r.Borrower)
			}
		} else if r.IDNumber != "" {
			for _, h := range db.keys.SearchAll(pii.IDNumber, r.IDNumber) {
				if _, ok := hashes[h]; !ok {
					hashes[h] = 0
					ids = append(ids, h)
				}
			}
		}
	}
	look := func(col string, args []any, into map[string]int64) error {
		for len(args) > 0 {
			n := min(len(args), batchSize)
			rows, err := q.QueryContext(ctx, `SELECT id, `+col+` FROM borrowers WHERE `+col+` IN (`+placeholders(n)+`)`, args[:n]...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var v string
				if err := rows.Scan(&id, &v); err != nil {
					rows.Close()
					return err
				}
				into[v] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			args = args[n:]
		}
		return nil
	}
	if err := look("external_id", refs, ext); err != nil {
		return nil, err
	}
	if err := look("id_number_hash", ids, hashes); err != nil {
		return nil, err
	}
	return func(r *signal.Record) (int64, string) {
		if r.Borrower != "" {
			if id := ext[r.Borrower]; id != 0 {
				return id, ""
			}
			return 0, fmt.Sprintf("borrower: no borrower %q in this book; import the loan first or correct the id", inputtext.Clip(r.Borrower, 64))
		}
		for _, h := range db.keys.SearchAll(pii.IDNumber, r.IDNumber) {
			if id := hashes[h]; id != 0 {
				return id, ""
			}
		}
		return 0, "id_number: no borrower with this ID number in this book"
	}, nil
}

// storedHashes returns the content hashes of the records of in already
// stored, by source and record id.
func storedHashes(ctx context.Context, q querier, d Dialect, in []SignalIn) (map[string][]byte, error) {
	bySource := map[string][]any{}
	for i := range in {
		r := &in[i].Record
		bySource[r.Source] = append(bySource[r.Source], r.ID)
	}
	out := map[string][]byte{}
	for src, ids := range bySource {
		for len(ids) > 0 {
			n := min(len(ids), batchSize)
			query, args := `SELECT record_id, hash FROM signal_records WHERE source = ? AND record_id IN (`+placeholders(n)+`)`, append([]any{src}, ids[:n]...)
			if d == Postgres {
				// A join on the key from an array: a lookup per id
				// whatever the planner believes of the table's size.
				list := make([]string, n)
				for i, id := range ids[:n] {
					list[i] = id.(string)
				}
				query, args = `SELECT r.record_id, r.hash FROM unnest(?::text[]) AS k(id) JOIN signal_records r ON r.source = ? AND r.record_id = k.id`, []any{list, src}
			}
			rows, err := q.QueryContext(ctx, query, args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id string
				var h []byte
				if err := rows.Scan(&id, &h); err != nil {
					rows.Close()
					return nil, err
				}
				out[src+"\x00"+id] = h
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			ids = ids[n:]
		}
	}
	return out, nil
}

// markBorrowers marks every loan of the borrowers for close of business.
func markBorrowers(ctx context.Context, q querier, d Dialect, borrowers []int64) error {
	if d == Postgres && len(borrowers) > 0 {
		_, err := q.ExecContext(ctx, `INSERT INTO eod_dirty (loan_id, events) SELECT l.id, 1 FROM unnest(?::bigint[]) AS b(id) JOIN loans l ON l.borrower_id = b.id ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1`, borrowers)
		return err
	}
	return inBatches(borrowers, func(_ []int64, args []any, marks string) error {
		_, err := q.ExecContext(ctx, `INSERT INTO eod_dirty (loan_id, events) SELECT id, 1 FROM loans WHERE borrower_id IN (`+marks+`) ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1`, args...)
		return err
	})
}

// BorrowerSignals returns the signals of each of borrowers known by
// asOf (every one when asOf is zero), in signal.Less order.
func (db *DB) BorrowerSignals(ctx context.Context, borrowers []int64, asOf civil.Date) (map[int64][]signal.Signal, error) {
	return loadSignals(ctx, db.read, borrowers, asOf)
}

func loadSignals(ctx context.Context, q querier, borrowers []int64, asOf civil.Date) (map[int64][]signal.Signal, error) {
	out := map[int64][]signal.Signal{}
	ids := slices.Compact(slices.Sorted(slices.Values(borrowers)))
	cond := ""
	if asOf != 0 {
		cond = fmt.Sprintf(" AND known <= %d", int64(asOf))
	}
	kinds := map[string]signal.Kind{}
	err := selectIDs(ctx, q, ids, `SELECT borrower_id, known, signals FROM signal_records WHERE `, "borrower_id", cond, func(rows *sql.Rows, want func(int64) bool) error {
		r := newRowReader(3)
		for rows.Next() {
			if err := r.scan(rows); err != nil {
				return err
			}
			b := r.int(0)
			if !want(b) {
				continue
			}
			var err error
			if out[b], err = decodeSignals(out[b], r.bytes(2), b, civil.Date(r.int(1)), kinds); err != nil {
				return err
			}
		}
		return r.failed()
	})
	for _, sigs := range out {
		slices.SortFunc(sigs, func(a, b signal.Signal) int {
			switch {
			case signal.Less(&a, &b):
				return -1
			case signal.Less(&b, &a):
				return 1
			}
			return 0
		})
	}
	return out, err
}

// encodeSignals writes a record's signals as its row keeps them: one
// "kind date value" line each, the date a day number.
func encodeSignals(sigs []signal.Signal) string {
	var b []byte
	for i, sg := range sigs {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, sg.Kind...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(sg.Date), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, sg.Value, 10)
	}
	return string(b)
}

// decodeSignals appends to dst the signals encodeSignals wrote in text,
// of borrower and known on known; kinds interns the kinds' names.
func decodeSignals(dst []signal.Signal, text []byte, borrower int64, known civil.Date, kinds map[string]signal.Kind) ([]signal.Signal, error) {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		f := bytes.Fields(line)
		if len(f) != 3 {
			return dst, daihou.Errorf(daihou.EINTERNAL, "a stored signal %q of borrower %d does not decode", line, borrower)
		}
		d, err1 := strconv.ParseInt(string(f[1]), 10, 64)
		v, err2 := strconv.ParseInt(string(f[2]), 10, 64)
		if err1 != nil || err2 != nil {
			return dst, daihou.Errorf(daihou.EINTERNAL, "a stored signal %q of borrower %d does not decode", line, borrower)
		}
		k, ok := kinds[string(f[0])]
		if !ok {
			k = signal.Kind(f[0])
			kinds[string(k)] = k
		}
		dst = append(dst, signal.Signal{Borrower: borrower, Kind: k, Date: civil.Date(d), Known: known, Value: v})
	}
	return dst, nil
}

// withFacts gives each input the facts of its borrower's signals as of
// asOf, as close of business derives it with.
func withFacts(ctx context.Context, q querier, in []loanstate.Input, asOf civil.Date) error {
	borrowers := make([]int64, len(in))
	for i := range in {
		borrowers[i] = in[i].Loan.BorrowerID
	}
	sigs, err := loadSignals(ctx, q, borrowers, 0)
	if err != nil {
		return err
	}
	facts := map[int64]*signal.Facts{}
	for i := range in {
		b := in[i].Loan.BorrowerID
		f, ok := facts[b]
		if !ok {
			v := signal.Summarise(sigs[b], asOf)
			f = &v
			facts[b] = f
		}
		in[i].Facts = f
	}
	return nil
}

// SignalRecord is a stored raw record as a reader sees it.
type SignalRecord struct {
	Record   signal.Record
	Known    civil.Date
	Received string
	By       string
}

// BorrowerRecords returns the raw records stored for borrower, newest
// first, at most limit, opened with the book's key. The caller has
// checked that its actor may see them.
func (db *DB) BorrowerRecords(ctx context.Context, borrower int64, limit int) ([]SignalRecord, error) {
	if db.keys == nil {
		return nil, ErrNoKey
	}
	rows, err := db.read.QueryContext(ctx, `SELECT payload, known, received_at, received_by FROM signal_records WHERE borrower_id = ? ORDER BY date DESC, source, record_id LIMIT ?`, borrower, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SignalRecord
	for rows.Next() {
		var sealed string
		var s SignalRecord
		var known int64
		if err := rows.Scan(&sealed, &known, &s.Received, &s.By); err != nil {
			return nil, err
		}
		plain, err := db.keys.Open(recordField, sealed)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(plain), &s.Record); err != nil {
			return nil, daihou.Errorf(daihou.EINTERNAL, "a stored record does not decode: %v", err)
		}
		s.Known = civil.Date(known)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Cursor returns where the pull adapter of source has read to ("" for
// the start).
func (db *DB) Cursor(ctx context.Context, source string) (string, error) {
	var c string
	err := db.read.QueryRowContext(ctx, `SELECT cursor FROM source_cursors WHERE source = ?`, source).Scan(&c)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return c, err
}

// SaveCursor records where the pull adapter of source has read to, after
// what it read is stored.
func (db *DB) SaveCursor(ctx context.Context, source, cursor string) error {
	return db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.IngestSignals, auth.Book()); err != nil {
			return err
		}
		_, err := t.ExecContext(ctx, `INSERT INTO source_cursors (source, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`, source, cursor, t.stamp())
		return err
	})
}
