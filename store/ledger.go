package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
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

// PutProduct creates or replaces a product. Replacing a product changes
// how its loans derive, so every loan of a changed product is marked for
// the next close of business; it returns how many were.
func (db *DB) PutProduct(ctx context.Context, p servicing.Product) (marked int64, err error) {
	if p.GraceMode == "" {
		p.GraceMode = servicing.GraceAfter
	}
	if err := p.Validate(); err != nil {
		return 0, daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	err = db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageProducts, auth.System()); err != nil {
			return err
		}
		old, err := products(ctx, t)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `
		INSERT INTO products (code, name, currency, method, day_count, penalty_rate, compound, grace_days, grace_mode, tolerance, allocation, prepayment, lgd)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, currency = excluded.currency, method = excluded.method,
			day_count = excluded.day_count, penalty_rate = excluded.penalty_rate, compound = excluded.compound,
			grace_days = excluded.grace_days, grace_mode = excluded.grace_mode, tolerance = excluded.tolerance, allocation = excluded.allocation,
			prepayment = excluded.prepayment, lgd = excluded.lgd`,
			p.Code, p.Name, string(p.Currency), string(p.Method), string(p.DayCount), int64(p.PenaltyRate), boolInt(p.Compound),
			p.GraceDays, string(p.GraceMode), int64(p.Tolerance), servicing.FormatAllocation(p.Allocation), string(p.Prepayment), int64(p.LGD)); err != nil {
			return err
		}
		o, existed := old[p.Code]
		if existed && reflect.DeepEqual(o, p) {
			return nil // the same product again changes nothing
		}
		what := "created"
		if existed {
			res, err := t.ExecContext(ctx, `INSERT INTO eod_dirty (loan_id, events) SELECT id, 1 FROM loans WHERE product = ?
			ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1`, p.Code)
			if err != nil {
				return err
			}
			if marked, err = res.RowsAffected(); err != nil {
				return err
			}
			what = fmt.Sprintf("changed, %d loans marked for close of business", marked)
		}
		return t.audit(ctx, string(auth.ManageProducts), audit.Object("product", p.Code), audit.Digest([]byte(mustJSON(p))), "product "+p.Code+" "+what)
	})
	return marked, err
}

// Products returns every product by code.
func (db *DB) Products(ctx context.Context) (map[string]servicing.Product, error) {
	return products(ctx, db.read)
}

func products(ctx context.Context, q querier) (map[string]servicing.Product, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, currency, method, day_count, penalty_rate, compound, grace_days, grace_mode, tolerance, allocation, prepayment, lgd FROM products`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]servicing.Product{}
	for rows.Next() {
		var p servicing.Product
		var currency, method, dayCount, graceMode, alloc, prepay string
		var compound int
		if err := rows.Scan(&p.Code, &p.Name, &currency, &method, &dayCount, &p.PenaltyRate, &compound, &p.GraceDays, &graceMode, &p.Tolerance, &alloc, &prepay, &p.LGD); err != nil {
			return nil, err
		}
		p.Currency, p.Method, p.DayCount, p.Prepayment, p.Compound = money.Currency(currency), schedule.Method(method), servicing.DayCount(dayCount), servicing.PrepaymentRule(prepay), compound != 0
		p.GraceMode = servicing.GraceMode(graceMode)
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

// Borrower returns the borrower with id, personal data opened (a front end
// masks it by role before anyone sees it); ENOTFOUND if there is none.
func (db *DB) Borrower(ctx context.Context, id int64) (servicing.Borrower, error) {
	b, err := db.findBorrower(db.read.QueryRowContext(ctx, `SELECT `+borrowerColumns+` FROM borrowers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, daihou.Errorf(daihou.ENOTFOUND, "borrower %d not found", id)
	}
	return b, err
}

const txColumns = `loan_id, seq, kind, value_date, amount, channel, reference, reverses, component, new_rate, new_term, new_method,
	applied_fee, applied_penalty, applied_compound, applied_interest, applied_principal, applied_prepaid, applied_credit, applied_recovery`

// txColumnCount is the number of columns in txColumns.
var txColumnCount = len(strings.Split(txColumns, ","))

// txArgs returns the column values of t for txColumns, then posted_at.
func txArgs(t *servicing.Tx, postedAt string) []any {
	a := &t.Applied
	i := func(v int64) any { return v }
	return []any{t.LoanID, t.Seq, string(t.Kind), i(int64(t.ValueDate)), i(int64(t.Amount)), t.Channel, t.Reference, t.Reverses,
		string(t.Component), i(int64(t.NewRate)), i(int64(t.NewTerm)), string(t.NewMethod),
		i(int64(a.Fee)), i(int64(a.Penalty)), i(int64(a.Compound)), i(int64(a.Interest)), i(int64(a.Principal)), i(int64(a.Prepaid)), i(int64(a.Credit)), i(int64(a.Recovery)),
		postedAt}
}

func scanTx(sc interface{ Scan(...any) error }) (servicing.Tx, error) {
	var t servicing.Tx
	var kind, component, method string
	a := &t.Applied
	err := sc.Scan(&t.LoanID, &t.Seq, &kind, &t.ValueDate, &t.Amount, &t.Channel, &t.Reference, &t.Reverses, &component, &t.NewRate, &t.NewTerm, &method,
		&a.Fee, &a.Penalty, &a.Compound, &a.Interest, &a.Principal, &a.Prepaid, &a.Credit, &a.Recovery)
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
// the "?, ?, …" placeholder list for an IN clause. The list is padded to
// a power of two (or batchSize) with the batch's last id, which an IN
// clause does not count twice: a query then has ten texts instead of one
// for every length, and each is parsed once per connection (stmtcache.go)
// rather than on every call — parsing the lists was a twelfth of close
// of business.
func inBatches(ids []int64, fn func(batch []int64, args []any, marks string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		batch := ids[:n]
		ids = ids[n:]
		size := inListSize(n)
		args := make([]any, size)
		for i, id := range batch {
			args[i] = id
		}
		for i := n; i < size; i++ {
			args[i] = batch[n-1]
		}
		if err := fn(batch, args, placeholders(size)); err != nil {
			return err
		}
	}
	return nil
}

// inListSize is the length of the IN list that holds n ids: n rounded up
// to a power of two, at most batchSize.
func inListSize(n int) int {
	size := 1
	for size < n {
		size *= 2
	}
	return min(size, batchSize)
}

// selectIDs runs query — a SELECT whose WHERE clause ends in "AND " or
// "WHERE " — restricted to the rows whose column col is one of ids, and
// calls fn with the rows (ordered by tail, if given) and a test of whether a row's id is wanted. A
// sorted, dense run of ids (a full close of business reads every loan) is
// one range of the index, read once; otherwise the ids go in IN lists of
// batchSize. fn must skip rows whose id is not wanted.
func selectIDs(ctx context.Context, q querier, ids []int64, query, col, tail string, fn func(rows *sql.Rows, want func(int64) bool) error) error {
	return selectIDsWith(ctx, q, ids, query, nil, col, tail, fn)
}

// selectIDsWith is selectIDs for a query whose own placeholders, before
// the ids' condition, take pre.
func selectIDsWith(ctx context.Context, q querier, ids []int64, query string, pre []any, col, tail string, fn func(rows *sql.Rows, want func(int64) bool) error) error {
	if len(ids) == 0 {
		return nil
	}
	run := func(cond string, args []any, want func(int64) bool) error {
		rows, err := q.QueryContext(ctx, query+cond+tail, append(append([]any(nil), pre...), args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := fn(rows, want); err != nil {
			return err
		}
		return rows.Err()
	}
	first, last := ids[0], ids[len(ids)-1]
	if len(ids) > batchSize && slices.IsSorted(ids) && int64(len(ids))*3 >= last-first+1 {
		set := make(map[int64]struct{}, len(ids))
		for _, id := range ids {
			set[id] = struct{}{}
		}
		return run(col+` BETWEEN ? AND ?`, []any{first, last}, func(id int64) bool { _, ok := set[id]; return ok })
	}
	all := func(int64) bool { return true }
	return inBatches(ids, func(_ []int64, args []any, marks string) error {
		return run(col+` IN (`+marks+`)`, args, all)
	})
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

// replayLoan is a loan as derivation reads it, with how many other loans
// its borrower has.
type replayLoan struct {
	servicing.Loan
	siblings int
}

// loadReplayLoans returns the loans of ids with what replay, the
// aggregates and the behaviour features need (the region is a feature):
// not the officer. Repeated words are interned.
func loadReplayLoans(ctx context.Context, q querier, ids []int64) (map[int64]replayLoan, error) {
	out := make(map[int64]replayLoan, len(ids))
	strs := map[string]string{}
	intern := func(b []byte) string {
		if s, ok := strs[string(b)]; ok {
			return s
		}
		s := string(b)
		strs[s] = s
		return s
	}
	rr := newRowReader(13)
	err := selectIDs(ctx, q, ids, `SELECT id, external_id, borrower_id, product, currency, principal, rate, term, method, disbursed, branch, region, siblings FROM loans WHERE `, "id", "",
		func(rows *sql.Rows, want func(int64) bool) error {
			for rows.Next() {
				if err := rr.scan(rows); err != nil {
					return err
				}
				if !want(rr.int(0)) {
					continue
				}
				l := replayLoan{siblings: int(rr.int(12))}
				l.ID, l.ExternalID, l.BorrowerID = rr.int(0), rr.str(1), rr.int(2)
				l.Product, l.Currency = intern(rr.bytes(3)), money.Currency(intern(rr.bytes(4)))
				l.Principal, l.Rate, l.Term = money.Amount(rr.int(5)), money.Rate(rr.int(6)), int(rr.int(7))
				l.Method, l.Disbursed = schedule.Method(intern(rr.bytes(8))), civil.Date(rr.int(9))
				l.Branch, l.Region = intern(rr.bytes(10)), intern(rr.bytes(11))
				out[l.ID] = l
			}
			return rr.failed()
		})
	return out, err
}

// loadReplayTxs returns the transactions of ids with what replay needs
// (not the channel, reference or posting time), as loadTxs does but
// cheaper: a dense run of ids is read as one range of the primary key
// instead of an IN list, and kinds are interned rather than allocated.
func loadReplayTxs(ctx context.Context, q querier, ids []int64) (map[int64][]servicing.Tx, error) {
	out := make(map[int64][]servicing.Tx, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// Two reads: kind, date and amount of every transaction, then the
	// details of the few that have more (through the partial index
	// transactions_special) — a column costs the driver as much as a row.
	rr := newRowReader(5)
	err := selectIDs(ctx, q, ids, `SELECT loan_id, seq, kind, value_date, amount FROM transactions WHERE `, "loan_id", " ORDER BY loan_id, seq",
		func(rows *sql.Rows, want func(int64) bool) error {
			for rows.Next() {
				if err := rr.scan(rows); err != nil {
					return err
				}
				id := rr.int(0)
				if !want(id) {
					continue
				}
				out[id] = append(out[id], servicing.Tx{LoanID: id, Seq: rr.int(1), Kind: servicing.TxKind(rr.word(2)), ValueDate: civil.Date(rr.int(3)), Amount: money.Amount(rr.int(4))})
			}
			return rr.failed()
		})
	if err != nil {
		return out, err
	}
	dr := newRowReader(7)
	err = selectIDs(ctx, q, ids, `SELECT loan_id, seq, reverses, component, new_rate, new_term, new_method FROM transactions WHERE kind IN ('reversal', 'waiver', 'restructure') AND `, "loan_id", "",
		func(rows *sql.Rows, want func(int64) bool) error {
			for rows.Next() {
				if err := dr.scan(rows); err != nil {
					return err
				}
				id, seq := dr.int(0), dr.int(1)
				if !want(id) {
					continue
				}
				txs := out[id]
				k, found := slices.BinarySearchFunc(txs, seq, func(t servicing.Tx, seq int64) int { return cmp.Compare(t.Seq, seq) })
				if !found {
					continue // posted after the first read: the loan's event mark tells
				}
				t := &txs[k]
				t.Reverses, t.Component, t.NewRate, t.NewTerm, t.NewMethod = dr.int(2), servicing.Component(dr.word(3)), money.Rate(dr.int(4)), int(dr.int(5)), schedule.Method(dr.word(6))
			}
			return dr.failed()
		})
	return out, err
}

var interned = func() map[string]string {
	m := map[string]string{"": ""}
	for _, k := range []servicing.TxKind{servicing.Disbursement, servicing.Repayment, servicing.Reversal, servicing.Waiver, servicing.WriteOff, servicing.Recovery, servicing.Restructure, servicing.FeeCharge} {
		m[string(k)] = string(k)
	}
	for _, c := range []servicing.Component{servicing.Fee, servicing.Penalty, servicing.Compound, servicing.Interest, servicing.Principal} {
		m[string(c)] = string(c)
	}
	for _, me := range schedule.Methods {
		m[string(me)] = string(me)
	}
	for _, st := range []servicing.Status{servicing.StatusActive, servicing.StatusSettled, servicing.StatusWrittenOff} {
		m[string(st)] = string(st)
	}
	return m
}()

// internText returns b as a string, without allocating for the words a
// ledger repeats millions of times.
func internText(b []byte) string {
	if s, ok := interned[string(b)]; ok {
		return s
	}
	return string(b)
}
