package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/approval"
	"daihou/audit"
	"daihou/auth"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// ledgerOf is a loan's transactions and snapshot, to show that nothing
// changed.
type ledgerOf struct {
	txs  []servicing.Tx
	snap loanstate.Snapshot
}

func ledger(t *testing.T, db *store.DB, id int64) ledgerOf {
	t.Helper()
	ctx := storetest.Ctx()
	txs, err := db.Transactions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return ledgerOf{txs, snap}
}

func (l ledgerOf) same(t *testing.T, what string, other ledgerOf) {
	t.Helper()
	if diff := cmp.Diff(l.txs, other.txs); diff != "" {
		t.Errorf("%s: the ledger changed (-before +after):\n%s", what, diff)
	}
	if diff := cmp.Diff(l.snap, other.snap); diff != "" {
		t.Errorf("%s: the snapshot changed (-before +after):\n%s", what, diff)
	}
}

// postedAs returns the transactions of loan id with the reference ref.
func postedAs(t *testing.T, db *store.DB, id int64, ref string) []servicing.Tx {
	t.Helper()
	var out []servicing.Tx
	for _, tx := range ledger(t, db, id).txs {
		if tx.Reference == ref {
			out = append(out, tx)
		}
	}
	return out
}

// A waiver and a write-off go through maker-checker: the maker cannot
// decide, nor can a role that does not decide the kind; nothing reaches
// the ledger before approval; an approval posts exactly once, and the
// snapshot shows it; a rejection posts nothing; a second decision, or a
// second pending proposal of a kind, is a conflict.
func TestProposalMakerChecker(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 2)
		closeThrough(t, db, day("2026-02-20")) // the installment of 2026-02-10 is overdue: 120.00 of interest
		as := storetest.Users(t, db, "alice=risk-officer", "bob=risk-officer", "carol=manager", "dave=collector", "erin=auditor")
		if err := db.Assign(as["carol"], ids[0], "dave", store.AssignCollection); err != nil {
			t.Fatal(err)
		}
		loan := ids[0]
		before := ledger(t, db, loan)
		interest := money.MustParseAmount("50")
		waiver := approval.Params{Component: servicing.Interest, Amount: interest}

		// The waiver is checked as the ledger would post it.
		if _, err := db.Propose(as["dave"], loan, auth.ProposalWaiver, approval.Params{Component: servicing.Interest, Amount: money.MustParseAmount("120.01")}, "hardship"); !errors.Is(err, servicing.ErrWaiverExceedsDue) {
			t.Errorf("waiver above the interest due: %v, want ErrWaiverExceedsDue", err)
		}
		if _, err := db.Propose(as["dave"], loan, auth.ProposalWaiver, waiver, " "); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("waiver without a reason: %v, want EINVALID", err)
		}
		if _, err := db.Propose(as["dave"], ids[1], auth.ProposalWaiver, waiver, "hardship"); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("collector proposing on a loan outside the queue: %v, want ENOTFOUND", err)
		}
		if _, err := db.Propose(as["erin"], loan, auth.ProposalWaiver, waiver, "hardship"); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("auditor proposing: %v, want EUNAUTHORIZED", err)
		}
		p, err := db.Propose(as["dave"], loan, auth.ProposalWaiver, waiver, "the borrower lost his job; the rest is promised by 3 March")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != approval.Pending || p.Maker != "dave" || p.Amount != interest {
			t.Errorf("proposed %+v", p)
		}
		if _, err := db.Propose(as["dave"], loan, auth.ProposalWaiver, waiver, "again"); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("a second pending waiver: %v, want ECONFLICT", err)
		}
		ledger(t, db, loan).same(t, "after the proposal", before)

		// The maker does not check; neither does a role that does not decide waivers.
		if _, err := db.DecideProposal(storetest.As(t, db, "DAVE"), p.ID, true, ""); !errors.Is(err, auth.ErrSameUser) {
			t.Errorf("maker approving: %v, want ErrSameUser", err)
		}
		if _, err := db.DecideProposal(as["erin"], p.ID, true, ""); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("auditor approving: %v, want EUNAUTHORIZED", err)
		}
		if _, err := db.DecideProposal(storetest.Ctx(), p.ID, true, ""); err == nil {
			t.Errorf("the local operator approved on a book with users")
		}
		ledger(t, db, loan).same(t, "after refused decisions", before)

		// The inbox: bob and carol may decide it, dave (its maker) and erin not.
		for who, want := range map[string]bool{"bob": true, "carol": true, "dave": false, "erin": false} {
			got, err := inboxOf(db, as[who], store.ProposalFilter{Inbox: true, Kind: auth.ProposalWaiver})
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1 && got[0].ID == p.ID && got[0].CanDecide) != want {
				t.Errorf("%s's inbox: %+v; want the waiver %v", who, got, want)
			}
		}

		p, err = db.DecideProposal(as["alice"], p.ID, true, "within policy")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != approval.Approved || p.Checker != "alice" || p.PostedSeq == 0 {
			t.Errorf("approved %+v", p)
		}
		got := postedAs(t, db, loan, approval.Reference(p.ID))
		if len(got) != 1 || got[0].Kind != servicing.Waiver || got[0].Amount != interest || got[0].Seq != p.PostedSeq || got[0].Component != servicing.Interest {
			t.Fatalf("the approval posted %+v, want one waiver of %v interest as #%d", got, interest, p.PostedSeq)
		}
		snap, _ := db.Snapshot(storetest.Ctx(), loan)
		if snap.OverdueInterest != before.snap.OverdueInterest-interest || before.snap.OverdueInterest != money.MustParseAmount("120") {
			t.Errorf("overdue interest %v before the waiver of %v and %v after, want 120.00 and 70.00", before.snap.OverdueInterest, interest, snap.OverdueInterest)
		}
		if _, err := db.DecideProposal(as["bob"], p.ID, false, "too late"); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("deciding twice: %v, want ECONFLICT", err)
		}
		if _, err := db.DecideProposal(as["bob"], p.ID, true, ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("approving twice: %v, want ECONFLICT", err)
		}
		if n := len(postedAs(t, db, loan, approval.Reference(p.ID))); n != 1 {
			t.Errorf("%d postings of the waiver, want exactly one", n)
		}

		// A write-off is management's to decide; a rejection posts nothing.
		other := ids[1]
		beforeWO := ledger(t, db, other)
		wo, err := db.Propose(as["alice"], other, auth.ProposalWriteOff, approval.Params{}, "borrower deceased, no estate")
		if err != nil {
			t.Fatal(err)
		}
		if wo.Amount <= 0 {
			t.Errorf("a write-off proposal shows %v as what it would take", wo.Amount)
		}
		if _, err := db.DecideProposal(as["bob"], wo.ID, true, ""); !errors.Is(err, auth.ErrDenied) {
			t.Errorf("risk officer approving a write-off: %v, want ErrDenied", err)
		}
		if _, err := db.DecideProposal(as["carol"], wo.ID, false, ""); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("rejection without a note: %v, want EINVALID", err)
		}
		if wo, err = db.DecideProposal(as["carol"], wo.ID, false, "collect first: the guarantor pays"); err != nil || wo.Status != approval.Rejected || wo.PostedSeq != 0 {
			t.Fatalf("rejection: %+v %v", wo, err)
		}
		ledger(t, db, other).same(t, "after the rejection", beforeWO)
		if _, err := db.DecideProposal(as["carol"], wo.ID, true, ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("approving a rejected proposal: %v, want ECONFLICT", err)
		}
		wo, err = db.Propose(as["alice"], other, auth.ProposalWriteOff, approval.Params{}, "the guarantor is insolvent too")
		if err != nil {
			t.Fatal(err)
		}
		if wo, err = db.DecideProposal(as["carol"], wo.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		snap, _ = db.Snapshot(storetest.Ctx(), other)
		if snap.Status != servicing.StatusWrittenOff || snap.WrittenOff <= 0 {
			t.Errorf("after the approved write-off: status %s, written off %v", snap.Status, snap.WrittenOff)
		}
		if got := postedAs(t, db, other, approval.Reference(wo.ID)); len(got) != 1 || got[0].Kind != servicing.WriteOff || got[0].Seq != wo.PostedSeq {
			t.Errorf("the write-off posted %+v, want one write-off #%d", got, wo.PostedSeq)
		}
		if _, err := db.Propose(as["alice"], other, auth.ProposalWriteOff, approval.Params{}, "again"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("writing off a written-off loan: %v, want EINVALID", err)
		}

		// The trail says who proposed, who approved and what was posted, by name.
		entries, err := db.AuditEntries(storetest.Ctx(), audit.LoanObject(other), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "writeoff.") {
				who = append(who, e.Action+" "+e.Actor)
			}
			if e.Action == "writeoff.post" && !strings.Contains(e.Detail, "by alice, approved by carol") {
				t.Errorf("the posting's entry does not say who proposed and approved it: %q", e.Detail)
			}
		}
		if want := []string{"writeoff.propose user:alice", "writeoff.decide user:carol", "writeoff.propose user:alice", "writeoff.post user:carol", "writeoff.decide user:carol"}; !slices.Equal(who, want) {
			t.Errorf("write-off entries %q, want %q", who, want)
		}
		storetest.CheckCache(t, db)
		if _, err := db.VerifyAudit(as["erin"], nil); err != nil {
			t.Error(err)
		}
	})
}

// A restructuring's terms are checked when proposed; its maker withdraws
// it, nobody else does; a withdrawn proposal is decided by no one. The
// inbox is one list with the classification overrides.
func TestProposalRestructureWithdrawAndInbox(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 2)
		as := storetest.Users(t, db, "alice=risk-officer", "bob=risk-officer", "carol=manager")
		loan := ids[0]
		before := ledger(t, db, loan)
		for name, bad := range map[string]approval.Params{
			"no term":        {NewRate: money.MustParseRate("0.06"), NewMethod: schedule.EqualInstallment},
			"no method":      {NewRate: money.MustParseRate("0.06"), NewTerm: 24},
			"an amount":      {NewRate: money.MustParseRate("0.06"), NewTerm: 24, NewMethod: schedule.EqualInstallment, Amount: 100},
			"above the rate": {NewRate: money.MustParseRate("0.9"), NewTerm: 24, NewMethod: schedule.EqualInstallment},
		} {
			if _, err := db.Propose(as["alice"], loan, auth.ProposalRestructure, bad, "x"); daihou.ErrorCode(err) != daihou.EINVALID {
				t.Errorf("restructuring with %s: %v, want EINVALID", name, err)
			}
		}
		terms := approval.Params{NewRate: money.MustParseRate("0.06"), NewTerm: 24, NewMethod: schedule.EqualPrincipal}
		r, err := db.Propose(as["alice"], loan, auth.ProposalRestructure, terms, "lower installments the borrower can pay")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.WithdrawProposal(as["bob"], r.ID, ""); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("withdrawn by another: %v, want EUNAUTHORIZED", err)
		}
		if r, err = db.WithdrawProposal(as["alice"], r.ID, "the borrower paid up"); err != nil || r.Status != approval.Withdrawn {
			t.Fatalf("withdraw: %+v %v", r, err)
		}
		if _, err := db.DecideProposal(as["bob"], r.ID, true, ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("approving a withdrawn proposal: %v, want ECONFLICT", err)
		}
		if _, err := db.WithdrawProposal(as["alice"], r.ID, ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("withdrawing twice: %v, want ECONFLICT", err)
		}
		if _, err := db.DecideProposal(as["bob"], 999999, true, ""); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("an unknown proposal: %v, want ENOTFOUND", err)
		}
		ledger(t, db, loan).same(t, "after a withdrawn restructuring", before)

		// Proposed again and approved: the loan is restructured on its new terms.
		r, err = db.Propose(as["alice"], loan, auth.ProposalRestructure, terms, "lower installments the borrower can pay")
		if err != nil {
			t.Fatal(err)
		}
		o, err := db.ProposeOverride(as["alice"], ids[1], classification.SpecialMention, "the borrower's shop has closed")
		if err != nil {
			t.Fatal(err)
		}
		// bob's inbox: the restructuring and the override, in one list.
		inbox, err := inboxOf(db, as["bob"], store.ProposalFilter{Inbox: true})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, p := range inbox {
			kinds = append(kinds, string(p.Kind))
			if !p.CanDecide || p.Status != approval.Pending {
				t.Errorf("inbox row %+v", p)
			}
		}
		if slices.Sort(kinds); !slices.Equal(kinds, []string{"override", "restructure"}) {
			t.Errorf("bob's inbox %q, want an override and a restructuring", kinds)
		}
		if mine, _ := inboxOf(db, as["alice"], store.ProposalFilter{Inbox: true}); len(mine) != 0 {
			t.Errorf("the maker's inbox holds her own proposals: %+v", mine)
		}
		all, err := inboxOf(db, as["alice"], store.ProposalFilter{LoanID: loan})
		if err != nil || len(all) != 2 || all[0].Status != approval.Pending || all[1].Status != approval.Withdrawn || all[0].CanDecide {
			t.Errorf("alice's list of loan %d: %+v %v", loan, all, err)
		}
		if r, err = db.DecideProposal(as["bob"], r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		snap, _ := db.Snapshot(storetest.Ctx(), loan)
		if !snap.Restructured {
			t.Errorf("approved restructuring: snapshot %+v not restructured", snap)
		}
		if got := postedAs(t, db, loan, approval.Reference(r.ID)); len(got) != 1 || got[0].NewTerm != 24 || got[0].NewMethod != schedule.EqualPrincipal {
			t.Errorf("restructuring posted %+v", got)
		}
		if _, err := db.DecideOverrideID(as["carol"], o, true); err != nil {
			t.Fatal(err)
		}
		if inbox, _ := inboxOf(db, as["bob"], store.ProposalFilter{Inbox: true}); len(inbox) != 0 {
			t.Errorf("bob's inbox after the decisions: %+v", inbox)
		}
		done, err := inboxOf(db, as["bob"], store.ProposalFilter{Status: approval.Approved})
		if err != nil || len(done) != 2 {
			t.Errorf("approved proposals: %+v %v", done, err)
		}
		storetest.CheckCache(t, db)
	})
}

// inboxOf returns every proposal f selects, page after page: the proposals
// of each page follow those of the page before.
func inboxOf(db *store.DB, ctx context.Context, f store.ProposalFilter) ([]approval.Proposal, error) {
	var all []approval.Proposal
	for {
		page, err := db.Proposals(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Proposals...)
		if page.Next == "" {
			return all, nil
		}
		f.After = page.Next
	}
}

// The approvals list pages by cursor over both of its lists (the ledger's
// proposals and the classification overrides): the pages, one after
// another, are the whole list in its order, each proposal once, at any
// page size; a cursor the list did not give is refused naming it.
func TestProposalsPageByCursor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 5)
		as := storetest.Users(t, db, "alice=risk-officer", "bob=manager")
		terms := approval.Params{NewRate: money.MustParseRate("0.06"), NewTerm: 24, NewMethod: schedule.EqualPrincipal}
		for k, id := range ids {
			// Interleave the two lists, so that a page holds some of each.
			if _, err := db.Propose(as["alice"], id, auth.ProposalRestructure, terms, "lower installments"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ProposeOverride(as["alice"], id, classification.SpecialMention, "the shop closed"); err != nil {
				t.Fatal(err)
			}
			if k%2 == 0 {
				if _, err := db.Propose(as["alice"], id, auth.ProposalWriteOff, approval.Params{}, "deceased"); err != nil {
					t.Fatal(err)
				}
			}
		}
		const total = 5 + 5 + 3
		for _, f := range []store.ProposalFilter{{Inbox: true}, {Status: approval.Pending}, {Kind: auth.ProposalOverride}, {Kind: auth.ProposalRestructure}} {
			whole, err := db.Proposals(as["bob"], store.ProposalFilter{Inbox: f.Inbox, Status: f.Status, Kind: f.Kind, Limit: 10000})
			if err != nil || whole.Next != "" {
				t.Fatalf("%+v: the whole list: next %q, %v", f, whole.Next, err)
			}
			want := map[auth.Proposal]int{"": total, auth.ProposalOverride: 5, auth.ProposalRestructure: 5}[f.Kind]
			if len(whole.Proposals) != want {
				t.Fatalf("%+v: %d proposals, want %d", f, len(whole.Proposals), want)
			}
			for i := 1; i < len(whole.Proposals); i++ {
				if whole.Proposals[i].Created.After(whole.Proposals[i-1].Created) {
					t.Fatalf("%+v: proposal %d is newer than the one before it", f, i)
				}
			}
			for _, size := range []int{1, 2, 4, 12, 13} {
				f.Limit = size
				got, err := inboxOf(db, as["bob"], f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(whole.Proposals, got); diff != "" {
					t.Errorf("%+v, pages of %d: not the whole list (-whole +pages):\n%s", f, size, diff)
				}
			}
		}
		for _, bad := range []string{"x", "3", "0.4", "4.-1", "4.5.6", "4.99999999999999999999"} {
			_, err := db.Proposals(as["bob"], store.ProposalFilter{After: bad})
			if daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != "after" {
				t.Errorf("cursor %q: %v, want EINVALID naming after", bad, err)
			}
		}
	})
}
