package store

import (
	"context"
	"fmt"

	"daihou/audit"
	"daihou/auth"
	"daihou/servicing"
)

// Group commit for single postings on SQLite. SQLite has one writer, so
// concurrent postings (an API serving core banking and a dialer at once)
// queue for the write lock one transaction each. PostShared instead hands
// the posting to one committer, which posts whatever has queued meanwhile
// in one transaction, each posting inside its own savepoint: a posting
// that fails is rolled back alone and answered its own error, the others
// commit together, and each keeps its actor and its audit entry. The
// transaction's fixed costs — BEGIN and COMMIT, the business date, the
// audit head, products, rules and the champion model — are paid once per
// group rather than once per posting.

// maxGroup bounds a group: the latency a posting may wait on the others.
const maxGroup = 64

type postRequest struct {
	ctx  context.Context
	tx   servicing.Tx
	done chan postResult
}

type postResult struct {
	posted    servicing.Tx
	duplicate bool
	err       error
}

// PostShared posts t as Post does — the same checks, the same answer —
// sharing its database transaction, on SQLite, with the postings that
// arrive while the one before commits. On PostgreSQL, whose writers run in
// parallel, it is Post: one committer would put every posting's round
// trips on one connection, one after the other.
func (db *DB) PostShared(ctx context.Context, t servicing.Tx) (servicing.Tx, bool, error) {
	if db.dialect != SQLite {
		return db.Post(ctx, t)
	}
	if _, err := postAction(t.Kind); err != nil {
		return servicing.Tx{}, false, err
	}
	if auth.FromContext(ctx).IsZero() {
		return servicing.Tx{}, false, errNoActor
	}
	db.groupOnce.Do(func() {
		db.group = make(chan *postRequest, 4*maxGroup)
		go db.commitGroups()
	})
	r := &postRequest{ctx: ctx, tx: t, done: make(chan postResult, 1)}
	select {
	case db.group <- r:
	case <-ctx.Done():
		return servicing.Tx{}, false, ctx.Err()
	}
	// Once queued, the posting is answered whether or not the caller
	// still waits: a retry with the same reference then finds it.
	select {
	case res := <-r.done:
		return res.posted, res.duplicate, res.err
	case <-ctx.Done():
		return servicing.Tx{}, false, ctx.Err()
	}
}

// commitGroups is the committer: it takes the next posting and those
// queued behind it, and posts them in one transaction.
func (db *DB) commitGroups() {
	for {
		var batch []*postRequest
		select {
		case r := <-db.group:
			batch = append(batch, r)
		case <-db.closed:
			return
		}
	fill:
		for len(batch) < maxGroup {
			select {
			case r := <-db.group:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.commitGroup(batch)
	}
}

// commitGroup posts batch in one transaction, each in a savepoint.
func (db *DB) commitGroup(batch []*postRequest) {
	results := make([]postResult, len(batch))
	// The group's transaction is nobody's: each posting runs as its own
	// actor, set before it reads or writes anything (the actor it begins
	// with only opens it). It must outlive any one caller giving up.
	ctx := auth.NewContext(context.Background(), auth.EOD())
	err := db.inTx(ctx, func(tx *wtx) error {
		p, err := db.posterIn(ctx, tx)
		if err != nil {
			return err
		}
		for i, r := range batch {
			res := &results[i]
			tx.actor = auth.FromContext(r.ctx)
			if tx.actor.Kind() == auth.KindLocal {
				if has, err := hasUsers(ctx, tx); err != nil || has {
					res.err = ErrBookHasUsers
					if err != nil {
						return err
					}
					continue
				}
			}
			sp := fmt.Sprintf("post_%d", i)
			if _, err := tx.ExecContext(ctx, `SAVEPOINT `+sp); err != nil {
				return err
			}
			chain := tx.chain
			var saved audit.Head
			if chain != nil {
				saved = chain.Head()
			}
			res.posted, res.duplicate, res.err = db.postIn(ctx, tx, p, r.tx)
			if res.err != nil {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO `+sp); err != nil {
					return err
				}
				// The chain moves back with the rows: the entry of a
				// posting rolled back was never appended.
				tx.chain = nil
				if chain != nil {
					tx.chain = audit.NewChain(saved)
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE `+sp); err != nil {
				return err
			}
		}
		return nil
	})
	for i, r := range batch {
		if err != nil {
			results[i] = postResult{err: err}
		}
		r.done <- results[i]
	}
}
