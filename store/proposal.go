package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/approval"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/config"
	"daihou/inputtext"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// Maker-checker (四眼原则) of waivers, write-offs and restructurings: a
// proposal is a row of proposals holding the transaction's parameters; it
// reaches the ledger only when a second person approves it, and then
// through the one posting path, in the transaction that records the
// approval, so that the decision and its effect commit together or not at
// all. The ledger transaction's reference names the proposal
// (approval.Reference), so the ledger itself says where it came from and
// refuses to post it twice. Classification overrides, which change no
// ledger, keep their own table (override.go) and share the inbox.

// maxProposalText bounds a reason or a note.
const maxProposalText = 2000

// Propose records a pending proposal of kind on loan loanID with the
// transaction's parameters, by the actor in ctx (the maker), who must be
// allowed to propose that kind on the loan. The parameters are checked as
// the ledger would check the transaction posted on the business date — a
// waiver no more than its component owes, a write-off only of an active
// loan, a restructuring's terms valid — so that a proposal a checker sees
// could be posted as it stands; it is checked again when approved. A
// second pending proposal of the same kind on the loan is refused
// (ECONFLICT). Nothing reaches the ledger.
func (db *DB) Propose(ctx context.Context, loanID int64, kind auth.Proposal, params approval.Params, reason string) (approval.Proposal, error) {
	var out approval.Proposal
	if kind == auth.ProposalOverride {
		return out, daihou.Invalid("kind", "kind: a classification override is proposed with its class (loan override, POST /api/v1/loans/{id}/overrides)")
	}
	if err := approval.Check(kind, params); err != nil {
		return out, err
	}
	reason, err := proposalText("reason", reason, true)
	if err != nil {
		return out, err
	}
	err = db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, kind.ProposeAction(), loanID); err != nil {
			return err
		}
		business, err := t.needBusinessDate()
		if err != nil {
			return err
		}
		if err := pendingProposal(ctx, t, loanID, kind); err != nil {
			return err
		}
		out = approval.Proposal{LoanID: loanID, Kind: kind, Params: params, Reason: reason, Maker: t.actor.Name(),
			Created: t.now.UTC(), Business: business, Status: approval.Pending}
		if out.Amount, err = checkProposal(ctx, t, out); err != nil {
			return err
		}
		if err := t.QueryRowContext(ctx, `INSERT INTO proposals (loan_id, kind, amount, component, new_rate, new_term, new_method, reason, maker, created_at, business, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id`,
			loanID, string(kind), int64(out.Amount), string(out.Component), int64(out.NewRate), int64(out.NewTerm), string(out.NewMethod),
			reason, out.Maker, t.stamp(), int64(business)).Scan(&out.ID); err != nil {
			if isUniqueViolation(err) {
				return daihou.Errorf(daihou.ECONFLICT, "a %s of loan %d was proposed concurrently: decide or withdraw it first", kind, loanID)
			}
			return err
		}
		return t.audit(ctx, string(kind.ProposeAction()), audit.LoanObject(loanID), proposalDigest(out, "pending", reason),
			fmt.Sprintf("%s proposal %d: %s; reason: %s", kind, out.ID, out.Describe(), reason))
	})
	return out, err
}

// pendingProposal refuses a second pending proposal of kind on loanID.
func pendingProposal(ctx context.Context, t *wtx, loanID int64, kind auth.Proposal) error {
	var id int64
	var maker string
	err := t.QueryRowContext(ctx, `SELECT id, maker FROM proposals WHERE loan_id = ? AND kind = ? AND status = 'pending'`, loanID, string(kind)).Scan(&id, &maker)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return daihou.Errorf(daihou.ECONFLICT, "%s proposal %d by %s is already pending on loan %d: it is decided or withdrawn before another is proposed", kind, id, maker, loanID)
}

// checkProposal checks p's transaction against the loan as the ledger
// would post it on the business date, and returns p's amount as stored:
// a waiver's own, or what a write-off would take today.
func checkProposal(ctx context.Context, t *wtx, p approval.Proposal) (money.Amount, error) {
	snaps, err := loadSnapshots(ctx, t, []int64{p.LoanID})
	if err != nil {
		return 0, err
	}
	snap, ok := snaps[p.LoanID]
	if !ok {
		return 0, daihou.Errorf(daihou.ECONFLICT, "loan %d has no state yet (not disbursed on the business date): nothing to %s", p.LoanID, p.Kind)
	}
	if snap.Status != servicing.StatusActive {
		return 0, daihou.Errorf(daihou.EINVALID, "loan %d is %s: only an active loan is waived, written off or restructured", p.LoanID, snap.Status)
	}
	prods, err := products(ctx, t)
	if err != nil {
		return 0, err
	}
	loans, err := loadReplayLoans(ctx, t, []int64{p.LoanID})
	if err != nil {
		return 0, err
	}
	txs, err := loadReplayTxs(ctx, t, []int64{p.LoanID})
	if err != nil {
		return 0, err
	}
	l, ok := loans[p.LoanID]
	if !ok {
		return 0, notFoundLoan(p.LoanID)
	}
	prod, ok := prods[l.Product]
	if !ok {
		return 0, daihou.Errorf(daihou.EINTERNAL, "%w: %s", errNoProductForLoanID, l.Product)
	}
	tx := p.Tx()
	tx.ValueDate = t.business
	if tx.Kind == servicing.Restructure {
		max, err := maxRate(ctx, t)
		if err != nil {
			return 0, err
		}
		if err := config.CheckRate("new rate", tx.NewRate, max); err != nil {
			return 0, daihou.Invalid("new_rate", "%v", err)
		}
	}
	existing := txs[p.LoanID]
	if err := servicing.Check(prod, l.Loan, existing, tx, t.business); err != nil {
		return 0, daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	if tx.Kind != servicing.WriteOff {
		return p.Amount, nil
	}
	tx.Seq = 1
	if n := len(existing); n > 0 {
		tx.Seq = existing[n-1].Seq + 1
	}
	st := servicing.Replay(prod, l.Loan, append(existing[:len(existing):len(existing)], tx), t.business)
	w, _ := st.Applied(tx.Seq)
	return w.Sum(), nil
}

// DecideProposal approves or rejects pending proposal id as the actor in
// ctx (the checker): a user other than its maker who may decide its kind
// on its loan (auth.CheckChecker). A rejection needs a note, which says
// why. An approval posts the proposal's transaction on the business date
// through the posting path, in the same database transaction as the
// decision, so that both commit or neither does: a transaction the ledger
// no longer accepts (the loan paid what was to be waived, was settled …)
// fails the approval (EINVALID) and leaves the proposal pending for a
// rejection. ENOTFOUND for a proposal on a loan the actor may not see;
// ECONFLICT for one no longer pending.
func (db *DB) DecideProposal(ctx context.Context, id int64, approve bool, note string) (approval.Proposal, error) {
	var p approval.Proposal
	note, err := proposalText("note", note, !approve)
	if err != nil {
		return p, err
	}
	err = db.inTx(ctx, func(t *wtx) error {
		var err error
		if p, err = t.visibleProposal(ctx, id); err != nil {
			return err
		}
		res, err := loanResource(ctx, t, p.LoanID)
		if err != nil {
			return err
		}
		if err := auth.CheckChecker(p.Kind, p.Maker, t.actor, res); err != nil {
			return err
		}
		to := approval.Rejected
		if approve {
			to = approval.Approved
		}
		if err := t.endProposal(ctx, &p, to, note); err != nil {
			return err
		}
		why := fmt.Sprintf("%s proposal %d by %s, approved by %s", p.Kind, p.ID, p.Maker, p.Checker)
		detail := fmt.Sprintf("%s proposal %d (%s) by %s %s", p.Kind, p.ID, p.Describe(), p.Maker, to)
		if approve {
			pst, err := db.posterIn(ctx, t)
			if err != nil {
				return err
			}
			posted, dup, err := db.postAuthorized(ctx, t, pst, p.Tx(), why)
			if err != nil {
				return err
			}
			if dup { // its reference is on the ledger already: it cannot be posted twice
				return daihou.Errorf(daihou.ECONFLICT, "the ledger already holds %s #%d with reference %s", posted.Kind, posted.Seq, posted.Reference)
			}
			p.PostedSeq = posted.Seq
			if _, err := t.ExecContext(ctx, `UPDATE proposals SET posted_seq = ? WHERE id = ?`, posted.Seq, p.ID); err != nil {
				return err
			}
			detail += fmt.Sprintf(", posted as %s #%d of %s", posted.Kind, posted.Seq, posted.Amount)
		}
		if note != "" {
			detail += "; note: " + note
		}
		return t.audit(ctx, string(p.Kind.DecideAction()), audit.LoanObject(p.LoanID), proposalDigest(p, string(to), note), detail)
	})
	return p, err
}

// WithdrawProposal withdraws pending proposal id as the actor in ctx, who
// must be its maker; note, optional, says why. ECONFLICT for a proposal no
// longer pending.
func (db *DB) WithdrawProposal(ctx context.Context, id int64, note string) (approval.Proposal, error) {
	var p approval.Proposal
	note, err := proposalText("note", note, false)
	if err != nil {
		return p, err
	}
	err = db.inTx(ctx, func(t *wtx) error {
		var err error
		if p, err = t.visibleProposal(ctx, id); err != nil {
			return err
		}
		if t.actor.Kind() != auth.KindUser || !strings.EqualFold(t.actor.Name(), p.Maker) {
			return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: only its maker %s withdraws %s proposal %d; anyone else who may decide it rejects it", auth.ErrDenied, p.Maker, p.Kind, p.ID)
		}
		if err := t.endProposal(ctx, &p, approval.Withdrawn, note); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s proposal %d (%s) withdrawn by its maker", p.Kind, p.ID, p.Describe())
		if note != "" {
			detail += "; note: " + note
		}
		return t.audit(ctx, string(p.Kind)+".withdraw", audit.LoanObject(p.LoanID), proposalDigest(p, string(approval.Withdrawn), note), detail)
	})
	return p, err
}

// visibleProposal reads proposal id in t, as one that does not exist when
// the actor may not see its loan.
func (t *wtx) visibleProposal(ctx context.Context, id int64) (approval.Proposal, error) {
	p, err := scanProposal(t.QueryRowContext(ctx, `SELECT `+proposalColumns+`, 0 FROM proposals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, noProposal(id)
	}
	if err != nil {
		return p, err
	}
	if err := t.canLoan(ctx, auth.ReadLoan, p.LoanID); err != nil {
		if daihou.ErrorCode(err) == daihou.ENOTFOUND {
			return p, noProposal(id)
		}
		return p, err
	}
	return p, nil
}

func noProposal(id int64) error {
	return daihou.Errorf(daihou.ENOTFOUND, "no proposal %d: 'daihou approval list' shows them", id)
}

// endProposal moves pending proposal p to status to, by t's actor.
func (t *wtx) endProposal(ctx context.Context, p *approval.Proposal, to approval.Status, note string) error {
	if p.Status != approval.Pending {
		return daihou.Errorf(daihou.ECONFLICT, "%s proposal %d is already %s", p.Kind, p.ID, p.Status)
	}
	checker := ""
	if to != approval.Withdrawn {
		checker = t.actor.Name()
	}
	upd, err := t.ExecContext(ctx, `UPDATE proposals SET status = ?, checker = ?, decided_at = ?, decided = ?, note = ? WHERE id = ? AND status = 'pending'`,
		string(to), checker, t.stamp(), int64(t.business), note, p.ID)
	if err != nil {
		return err
	}
	if n, _ := upd.RowsAffected(); n != 1 {
		return daihou.Errorf(daihou.ECONFLICT, "%s proposal %d was decided concurrently", p.Kind, p.ID)
	}
	p.Status, p.Checker, p.Decided, p.Note = to, checker, t.now.UTC(), note
	return nil
}

// proposalText checks a reason or a note: at most maxProposalText bytes,
// and present when needed.
func proposalText(field, s string, need bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case need && s == "" && field == "reason":
		return "", daihou.Invalid(field, "a proposal needs a reason: the checker, and later the auditor, ask why")
	case need && s == "":
		return "", daihou.Invalid(field, "a rejection needs a note that says why")
	case len(s) > maxProposalText:
		return "", daihou.Invalid(field, "%s: at most %d bytes, not %d", field, maxProposalText, len(s))
	}
	return s, nil
}

// proposalDigest is the audit digest of p moved to status with text.
func proposalDigest(p approval.Proposal, status, text string) audit.Hash {
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return audit.DigestFields(i(p.ID), i(p.LoanID), string(p.Kind), i(int64(p.Amount)), string(p.Component), i(int64(p.NewRate)), i(int64(p.NewTerm)),
		string(p.NewMethod), p.Maker, status, text, i(p.PostedSeq))
}

// proposalColumns are the columns of proposals an approval.Proposal reads,
// before its can_decide.
const proposalColumns = `id, loan_id, kind, amount, component, new_rate, new_term, new_method, reason, maker, created_at, business, status, checker, decided_at, note, posted_seq`

func scanProposal(sc interface{ Scan(...any) error }) (approval.Proposal, error) {
	var p approval.Proposal
	var kind, component, method, created, status, decided string
	var amount, rate, term, business, can int64
	if err := sc.Scan(&p.ID, &p.LoanID, &kind, &amount, &component, &rate, &term, &method, &p.Reason, &p.Maker, &created, &business, &status,
		&p.Checker, &decided, &p.Note, &p.PostedSeq, &can); err != nil {
		return p, err
	}
	p.Kind, p.Status = auth.Proposal(kind), approval.Status(status)
	p.Amount, p.Component, p.NewRate, p.NewTerm, p.NewMethod = money.Amount(amount), servicing.Component(component), money.Rate(rate), int(term), schedule.Method(method)
	p.Business, p.CanDecide = civil.Date(business), can != 0
	p.Created, p.Decided = parseStamp(created), parseStamp(decided)
	return p, nil
}

// parseStamp reads a stored wall time; zero for none.
func parseStamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// ProposalFilter selects proposals for the approvals inbox.
type ProposalFilter struct {
	Status approval.Status // "" for any
	Kind   auth.Proposal   // "" for any, override included
	LoanID int64           // 0 for every loan
	// Inbox keeps only what the actor may decide: pending, made by
	// someone else, of a kind the actor decides on that loan.
	Inbox bool
	After string // the cursor of the page before (ProposalPage.Next); "" for the first
	Limit int    // default 100, at most 10000
}

// ProposalPage is one page of the approvals list and the cursor of the
// next ("" on the last).
type ProposalPage struct {
	Proposals []approval.Proposal
	Next      string
}

// proposalCursor bounds the two lists a page merges: the ledger's
// proposals with id below Ledger and the overrides with id below Override
// (0: no bound, the first page). Each list is read newest id first, so a
// bound is exact: everything above it was shown.
type proposalCursor struct{ Ledger, Override int64 }

func (c proposalCursor) String() string { return fmt.Sprintf("%d.%d", c.Ledger, c.Override) }

func parseProposalCursor(s string) (proposalCursor, error) {
	bad := daihou.Invalid("after", "after: pass back the next cursor of the page before, not %q", inputtext.Clip(s, 40))
	l, o, ok := strings.Cut(s, ".")
	if !ok {
		return proposalCursor{}, bad
	}
	var c proposalCursor
	var err1, err2 error
	c.Ledger, err1 = strconv.ParseInt(l, 10, 64)
	c.Override, err2 = strconv.ParseInt(o, 10, 64)
	if err1 != nil || err2 != nil || c.Ledger < 1 || c.Override < 1 {
		return proposalCursor{}, bad
	}
	return c, nil
}

// Proposals returns a page of the proposals the filter selects on the
// loans the actor in ctx may see, newest first: waivers, write-offs and
// restructurings with classification overrides (kind override), in one
// list, each saying whether the actor may decide it. The two kinds are
// kept apart and read by keyset each, so a long inbox pages in constant
// time.
func (db *DB) Proposals(ctx context.Context, f ProposalFilter) (ProposalPage, error) {
	actor := auth.FromContext(ctx)
	if f.Status != "" {
		if _, err := approval.ParseStatus(string(f.Status)); err != nil {
			return ProposalPage{}, err
		}
	}
	if f.Kind != "" && f.Kind.DecideAction() == "" {
		return ProposalPage{}, daihou.Invalid("kind", "kind: want waiver, writeoff, restructure or override, not %q", inputtext.Clip(string(f.Kind), 32))
	}
	var cur proposalCursor
	if f.After != "" {
		var err error
		if cur, err = parseProposalCursor(f.After); err != nil {
			return ProposalPage{}, err
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	var ledger, over []approval.Proposal
	if f.Kind != auth.ProposalOverride {
		kinds := approval.Kinds
		if f.Kind != "" {
			kinds = []auth.Proposal{f.Kind}
		}
		var err error
		if ledger, err = db.ledgerProposals(ctx, actor, kinds, f, cur.Ledger, limit+1); err != nil {
			return ProposalPage{}, err
		}
	}
	if (f.Kind == "" || f.Kind == auth.ProposalOverride) && f.Status != approval.Withdrawn {
		var err error
		if over, err = db.overrideProposals(ctx, actor, f, cur.Override, limit+1); err != nil {
			return ProposalPage{}, err
		}
	}
	// Merge the two lists, newest first, each kept in its own order, so
	// that the cursor's bound on each is exact.
	var page ProposalPage
	i, j := 0, 0
	for len(page.Proposals) < limit && (i < len(ledger) || j < len(over)) {
		if j == len(over) || i < len(ledger) && !ledger[i].Created.Before(over[j].Created) {
			page.Proposals, i = append(page.Proposals, ledger[i]), i+1
		} else {
			page.Proposals, j = append(page.Proposals, over[j]), j+1
		}
	}
	if i < len(ledger) || j < len(over) {
		page.Next = proposalCursor{Ledger: nextBound(ledger, i), Override: nextBound(over, j)}.String()
	}
	return page, nil
}

// nextBound is the cursor's bound on a list of which the first shown
// were shown: below the last shown; above the first not shown when none
// was; 1 (nothing) when the list is empty.
func nextBound(ps []approval.Proposal, shown int) int64 {
	switch {
	case shown > 0:
		return ps[shown-1].ID
	case len(ps) > 0:
		return ps[0].ID + 1
	}
	return 1
}

// ledgerProposals lists the proposals of kinds the filter selects.
func (db *DB) ledgerProposals(ctx context.Context, actor auth.Actor, kinds []auth.Proposal, f ProposalFilter, below int64, limit int) ([]approval.Proposal, error) {
	can, cargs := decidable(actor, kinds, "p.kind", "p.maker", "p.status")
	scope, sargs := scopeWhere(auth.ScopeFor(actor, auth.ReadLoan))
	args := slices.Concat(cargs, sargs)
	where := []string{scope}
	if len(kinds) == 1 {
		where, args = append(where, "p.kind = ?"), append(args, string(kinds[0]))
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, string(f.Status))
	}
	if f.LoanID != 0 {
		where, args = append(where, "p.loan_id = ?"), append(args, f.LoanID)
	}
	if below > 0 {
		where, args = append(where, "p.id < ?"), append(args, below)
	}
	if f.Inbox {
		where = append(where, can)
		args = append(args, cargs...)
	}
	cols := "p." + strings.ReplaceAll(proposalColumns, ", ", ", p.")
	return queryRows(ctx, db.read, scanProposal, `SELECT `+cols+`, CASE WHEN `+can+` THEN 1 ELSE 0 END FROM proposals p JOIN loans l ON l.id = p.loan_id WHERE `+
		strings.Join(where, " AND ")+` ORDER BY p.id DESC LIMIT ?`, append(args, limit)...)
}

// overrideProposals lists the classification overrides the filter
// selects, as proposals of kind override.
func (db *DB) overrideProposals(ctx context.Context, actor auth.Actor, f ProposalFilter, below int64, limit int) ([]approval.Proposal, error) {
	can, cargs := decidable(actor, []auth.Proposal{auth.ProposalOverride}, "", "o.maker", "o.status")
	scope, sargs := scopeWhere(auth.ScopeFor(actor, auth.ReadLoan))
	args := slices.Concat(cargs, sargs)
	where := []string{scope}
	if f.Status != "" {
		where, args = append(where, "o.status = ?"), append(args, string(f.Status))
	}
	if f.LoanID != 0 {
		where, args = append(where, "o.loan_id = ?"), append(args, f.LoanID)
	}
	if below > 0 {
		where, args = append(where, "o.id < ?"), append(args, below)
	}
	if f.Inbox {
		where = append(where, can)
		args = append(args, cargs...)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT o.id, o.loan_id, o.class, o.reason, o.maker, o.created_at, o.status, o.checker, o.decided_at, CASE WHEN `+can+` THEN 1 ELSE 0 END
		FROM classification_overrides o JOIN loans l ON l.id = o.loan_id WHERE `+strings.Join(where, " AND ")+` ORDER BY o.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []approval.Proposal
	for rows.Next() {
		p := approval.Proposal{Kind: auth.ProposalOverride}
		var class, can int64
		var created, status, decided string
		if err := rows.Scan(&p.ID, &p.LoanID, &class, &p.Reason, &p.Maker, &created, &status, &p.Checker, &decided, &can); err != nil {
			return nil, err
		}
		p.Class, p.Status, p.CanDecide = classification.Class(class), approval.Status(status), can != 0
		p.Created, p.Decided = parseStamp(created), parseStamp(decided)
		out = append(out, p)
	}
	return out, rows.Err()
}

// decidable returns the SQL condition (and its arguments) that a proposal
// row is one actor may decide — pending, made by someone else, of one of
// kinds (the row's kind in kindCol; every row is of kinds[0] when kindCol
// is "") on a loan l within the scope of the role that decides it — as
// auth.CheckChecker would decide it.
func decidable(actor auth.Actor, kinds []auth.Proposal, kindCol, makerCol, statusCol string) (string, []any) {
	if actor.Kind() != auth.KindUser {
		return "1 = 0", nil // a second pair of eyes is a person's
	}
	var or []string
	var args []any
	for _, k := range kinds {
		s := auth.ScopeFor(actor, k.DecideAction())
		if s.IsEmpty() {
			continue
		}
		w, a := scopeWhere(s)
		if kindCol != "" {
			w = "(" + kindCol + " = ? AND " + w + ")"
			a = append([]any{string(k)}, a...)
		}
		or, args = append(or, w), append(args, a...)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + statusCol + " = 'pending' AND " + makerCol + " <> ? AND (" + strings.Join(or, " OR ") + "))", append([]any{actor.Name()}, args...)
}

// DecideOverrideID decides classification override id, as it shows in
// the approvals inbox, as DecideOverride does.
func (db *DB) DecideOverrideID(ctx context.Context, id int64, approve bool) (approval.Proposal, error) {
	var loanID int64
	err := db.read.QueryRowContext(ctx, `SELECT loan_id FROM classification_overrides WHERE id = ?`, id).Scan(&loanID)
	if errors.Is(err, sql.ErrNoRows) {
		return approval.Proposal{}, daihou.Errorf(daihou.ENOTFOUND, "no override %d: 'daihou approval list --kind override' shows them", id)
	}
	if err != nil {
		return approval.Proposal{}, err
	}
	if err := db.DecideOverride(ctx, loanID, id, approve); err != nil {
		if daihou.ErrorCode(err) == daihou.ENOTFOUND {
			return approval.Proposal{}, daihou.Errorf(daihou.ENOTFOUND, "no override %d: 'daihou approval list --kind override' shows them", id)
		}
		return approval.Proposal{}, err
	}
	// The newest override of the loan below id+1 is the one decided.
	got, err := db.overrideProposals(ctx, auth.FromContext(ctx), ProposalFilter{LoanID: loanID}, id+1, 1)
	if err != nil {
		return approval.Proposal{}, err
	}
	if len(got) == 1 && got[0].ID == id {
		return got[0], nil
	}
	return approval.Proposal{}, daihou.Errorf(daihou.EINTERNAL, "override %d decided and then not found", id)
}
