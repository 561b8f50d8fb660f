package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
)

// wtx is a write transaction with the clock reading and the business date
// it works at, both read once when it began, and the actor it acts for:
// every stamp it writes and every state it derives uses them, so one
// transaction never sees two times or two business dates, and every
// audit entry it appends names who acted.
type wtx struct {
	*sql.Tx
	db       *DB
	now      time.Time
	business civil.Date // zero while the book has no business date
	actor    auth.Actor
	chain    *audit.Chain  // the audit trail's head, once the first entry is appended
	held     []audit.Entry // entries chained but not yet written (holdAudit)
	holding  bool

	unprepared []string // statements to prepare after the transaction (stmtcache.go)
}

// begin starts a write transaction. On SQLite the write lock is taken at
// BEGIN (the write pool's _txlock=immediate), so the business date read
// next cannot move before the transaction commits; on PostgreSQL close of
// business moves it in its own transaction, and a posting derives as of
// the date it read, which the posting's event mark makes close of business
// look at again.
func (db *DB) begin(ctx context.Context) (*wtx, error) {
	actor := auth.FromContext(ctx)
	if actor.IsZero() {
		return nil, errNoActor
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &wtx{Tx: tx, db: db, now: db.Now(), actor: actor}
	if actor.Kind() == auth.KindLocal {
		// The local operator acts only on a book without users: once an
		// admin exists, everyone says who they are.
		has, err := hasUsers(ctx, t)
		if err != nil || has {
			tx.Rollback()
			if err == nil {
				err = ErrBookHasUsers
			}
			return nil, err
		}
	}
	if t.business, err = businessDate(ctx, t); err != nil {
		tx.Rollback()
		return nil, err
	}
	return t, nil
}

// stamp is the transaction's wall time as stored text.
func (t *wtx) stamp() string { return t.now.UTC().Format(time.RFC3339Nano) }

// needBusinessDate returns the business date, or an error that says how to
// set one when the book has none yet.
func (t *wtx) needBusinessDate() (civil.Date, error) {
	if t.business == 0 {
		return 0, ErrNoBusinessDate
	}
	return t.business, nil
}

// ErrNoBusinessDate is returned by anything that needs the book's business
// date on a database that has none yet.
var ErrNoBusinessDate = daihou.Errorf(daihou.ECONFLICT, "this book has no business date yet: open it with 'daihou eod --date YYYY-MM-DD', or import loans with --business-date YYYY-MM-DD (the date the book is taken over on)")

// ErrBookHasUsers refuses the local operator on a book that has users.
var ErrBookHasUsers = daihou.Errorf(daihou.EUNAUTHENTICATED, "this book has users: say who you are with --as NAME or DAIHOU_USER")

// inTx runs fn in a write transaction and commits if it succeeds.
func (db *DB) inTx(ctx context.Context, fn func(*wtx) error) error {
	t, err := db.begin(ctx)
	if err != nil {
		return err
	}
	// Deferred calls run last first: the transaction ends, then its new
	// statements are prepared on the free connection.
	defer func() { db.prepareLater(ctx, t.unprepared) }()
	defer t.Rollback()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.writeAudit(ctx); err != nil { // what a holdAudit left held
		return err
	}
	return t.Commit()
}

// businessDate reads the business date through q; zero when none is set.
func businessDate(ctx context.Context, q querier) (civil.Date, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'business_date'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return civil.Parse(v)
}
