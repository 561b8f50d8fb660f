package store

import (
	"context"
	"slices"

	"daihou/auth"
	"daihou/servicing"
)

// Group commit for single postings. Concurrent postings (an API serving
// core banking and a dialer at once) would each pay a transaction's fixed
// costs — BEGIN and COMMIT, the business date, products, rules and the
// champion model, the audit head — and some twenty round trips to the
// database. PostShared instead hands the posting to a committer, which
// posts whatever has queued meanwhile as one set in one transaction, as a
// bulk import posts a file: who may post what is checked for each posting
// with its own actor, every loan and reference is locked and read once,
// the loans are derived together and written in batched statements, and
// each posting's audit entry names its own actor. A posting the rules
// refuse is answered alone and writes nothing; the others commit
// together. Under light load a committer finds nothing queued and a
// posting goes alone; the groups grow with the load, so the cost of a
// posting falls as the rate rises.

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

// committers is how many groups may be in flight at once: one on SQLite,
// which has one writer; on PostgreSQL two, so that one group's reads
// overlap the other's commit.
func (db *DB) committers() int {
	if db.dialect == SQLite {
		return 1
	}
	return 2
}

// PostShared posts t as Post does — the same checks, the same answer —
// sharing its database transaction with the postings that arrive while
// the group before commits.
func (db *DB) PostShared(ctx context.Context, t servicing.Tx) (servicing.Tx, bool, error) {
	if _, err := postAction(t.Kind); err != nil {
		return servicing.Tx{}, false, err
	}
	if auth.FromContext(ctx).IsZero() {
		return servicing.Tx{}, false, errNoActor
	}
	db.groupOnce.Do(func() {
		db.group = make(chan *postRequest, 4*maxGroup)
		for range db.committers() {
			go db.commitGroups()
		}
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

// commitGroups is a committer: it takes the next posting and those
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

// commitGroup posts batch as one set in one transaction. Should the set
// fail in the database (a deadlock with another writer, say), each
// posting is tried again alone, so that none can fail the others.
func (db *DB) commitGroup(batch []*postRequest) {
	results := make([]postResult, len(batch))
	// The group's transaction is nobody's: each posting is checked and
	// audited as its own actor (the actor it begins with only opens it).
	// It must outlive any one caller giving up.
	ctx := auth.NewContext(context.Background(), auth.EOD())
	err := db.inTx(ctx, func(tx *wtx) error { return db.postSet(ctx, tx, batch, results) })
	for i, r := range batch {
		switch {
		case err == nil:
		case len(batch) == 1:
			results[i] = postResult{err: err}
		default:
			res := &results[i]
			res.posted, res.duplicate, res.err = db.Post(context.WithoutCancel(r.ctx), r.tx)
		}
		r.done <- results[i]
	}
}

// postSet posts batch in tx, answering each posting in results. An error
// is the database's, and leaves the transaction to be rolled back.
func (db *DB) postSet(ctx context.Context, tx *wtx, batch []*postRequest, results []postResult) error {
	p, err := db.posterIn(ctx, tx)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(batch))
	for _, r := range batch {
		ids = append(ids, r.tx.LoanID)
	}
	// The loans are locked as they are described, refused ones too, and
	// before the audit head, as every posting locks them. The references
	// are not locked, as Post locks them: the book's unique index on them
	// holds a group whose reference another transaction is writing until
	// that one ends, and then fails the group, whose postings are tried
	// again alone and find it. A round trip a group saved for a race that
	// a client's retry alone can start.
	loans, err := loanResources(ctx, tx, ids, db.dialect == Postgres)
	if err != nil {
		return err
	}
	// Who may post what, each as the actor who asked.
	var todo []int
	var local *bool // whether the book has users: asked once, if a local operator posts
	for i, r := range batch {
		actor := auth.FromContext(r.ctx)
		if actor.Kind() == auth.KindLocal {
			if local == nil {
				has, err := hasUsers(ctx, tx)
				if err != nil {
					return err
				}
				local = &has
			}
			if *local {
				results[i].err = ErrBookHasUsers
				continue
			}
		}
		action, _ := postAction(r.tx.Kind) // PostShared refused any other kind
		res, ok := loans[r.tx.LoanID]
		if !ok {
			results[i].err = notFoundLoan(r.tx.LoanID)
			continue
		}
		if results[i].err = decide(actor, action, res); results[i].err != nil {
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return nil
	}
	refs := make([]string, 0, len(todo))
	ids = ids[:0]
	for _, i := range todo {
		refs = append(refs, batch[i].tx.Reference)
		ids = append(ids, batch[i].tx.LoanID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if err := p.loadRefs(ctx, tx, refs); err != nil {
		return err
	}
	if err := p.load(ctx, tx, ids); err != nil {
		return err
	}
	// In arrival order, each checked against the loan with the postings
	// planned before it; a refused one plans nothing.
	planned := map[int]int{} // index in batch → index in p.pending
	for _, i := range todo {
		t := batch[i].tx
		if t.ValueDate == 0 {
			t.ValueDate = p.business
		}
		res := &results[i]
		res.posted, res.duplicate, res.err = p.post(t)
		if res.err == nil && !res.duplicate {
			planned[i] = len(p.pending) - 1
		}
	}
	if len(planned) == 0 {
		return nil
	}
	if err := p.derive(ctx, tx); err != nil {
		return err
	}
	if err := p.write(ctx, tx); err != nil {
		return err
	}
	tx.holdAudit()
	byRef := map[string]servicing.Tx{}
	for _, i := range todo {
		k, ok := planned[i]
		if !ok {
			continue
		}
		posted := p.pending[k] // with what it applied
		results[i].posted = posted
		if posted.Reference != "" {
			byRef[posted.Reference] = posted
		}
		tx.actor = auth.FromContext(batch[i].ctx)
		if err := tx.auditPosting(ctx, posted); err != nil {
			return err
		}
	}
	// A repeat of a posting planned in this set answers what it applied.
	for _, i := range todo {
		if res := &results[i]; res.duplicate {
			if posted, ok := byRef[res.posted.Reference]; ok {
				res.posted = posted
			}
		}
	}
	return tx.writeAudit(ctx)
}
