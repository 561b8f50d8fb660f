package cli

import (
	"context"
	"fmt"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
	"daihou/web/api"
)

const approvalUsage = `Usage:
  daihou approval list [--status pending|approved|rejected|withdrawn|all] [--kind K] [--loan L] [--inbox] [--limit N] [--json]
  daihou approval propose LOAN --kind waiver --component C --amount A --reason TEXT
  daihou approval propose LOAN --kind writeoff --reason TEXT
  daihou approval propose LOAN --kind restructure --rate R --term N --method M --reason TEXT
  daihou approval approve ID [--note TEXT] [--kind override]
  daihou approval reject ID --note TEXT [--kind override]
  daihou approval withdraw ID [--note TEXT]

Maker-checker (四眼原则): a waiver (减免), write-off (核销) or restructuring
(重组) proposed by one user (the maker) reaches the ledger only when another
user who decides its kind approves it, and then at once, in the same
transaction as the approval, on the business date. Who decides what:

  waiver       proposed by account managers, collectors, legal; decided by risk or management
  writeoff     proposed by account managers, risk, legal;       decided by management
  restructure  proposed by account managers, risk;              decided by risk or management

A loan has at most one pending proposal of a kind; its maker may withdraw
it. The list is the approvals inbox: the proposals on the loans you may
see, with the classification overrides ('daihou loan override'), which are
decided here too with --kind override; --inbox keeps those you may decide.
Every proposal, decision and posting is audited with who made and who
decided it. Act as a user with --as or $DAIHOU_USER.`

func (m *Main) runApproval(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, approvalUsage, "approval list|propose|approve|reject|withdraw", verbs{
		"list": m.approvalList, "propose": m.approvalPropose, "approve": m.approvalDecide(true), "reject": m.approvalDecide(false),
		"withdraw": m.approvalWithdraw,
	})
}

func (m *Main) approvalList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("approval list [flags]", "List the proposals on the loans you may see, newest first, with the\nclassification overrides: the approvals inbox.")
	b := m.bookFlags(fs)
	status := fs.String("status", "pending", "pending, approved, rejected, withdrawn, or all")
	kind := fs.String("kind", "", "waiver, writeoff, restructure or override")
	loan := fs.String("loan", "", "only the proposals on this loan: its id or the lender's loan number")
	inbox := fs.Bool("inbox", false, "only those you may decide")
	limit := fs.Int("limit", 100, "at most this many")
	after := fs.String("after", "", "the page after this cursor (the last line of the page before gives it)")
	asJSON := fs.Bool("json", false, "print JSON: {approvals, next_cursor}")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("approval list takes no arguments")
	}
	if err := checkLimit(*limit); err != nil {
		return err
	}
	f := store.ProposalFilter{Inbox: *inbox, After: *after, Limit: *limit}
	if *status != "all" && *status != "" {
		st, err := approval.ParseStatus(*status)
		if err != nil {
			return err
		}
		f.Status = st
	}
	if *kind != "" {
		k, err := approval.ParseKind(*kind)
		if err != nil {
			return err
		}
		f.Kind = k
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if f.LoanID, err = loanFilter(ctx, s, *loan); err != nil {
		return err
	}
	page, err := s.Proposals(ctx, f)
	if err != nil {
		return err
	}
	ps := page.Proposals
	if *asJSON {
		return writeJSON(m.Stdout, api.ApprovalPage{Approvals: api.ApprovalsOf(ps), NextCursor: page.Next})
	}
	tw := textTable(m.Stdout)
	fmt.Fprintln(tw, "id\tkind\tloan\twhat\tmaker\tstatus\tchecker\tyours\treason")
	for _, p := range ps {
		yours := ""
		if p.CanDecide {
			yours = "decide"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Kind, p.LoanID, p.Describe(), p.Maker, p.Status, p.Checker, yours, p.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(ps) == 0 {
		fmt.Fprintln(m.Stdout, "no proposals")
	}
	if page.Next != "" {
		fmt.Fprintf(m.Stdout, "more: --after %s\n", page.Next)
	}
	return nil
}

func (m *Main) approvalPropose(ctx context.Context, args []string) error {
	fs := m.newFlagSet("approval propose LOAN --kind KIND [flags] --reason TEXT", `Propose a waiver (减免), write-off (核销) or restructuring (重组) of a loan. It
is checked as the ledger would post it today — a waiver no more than its
component owes, a write-off of an active loan, valid new terms — and posted
only when another user approves it ('daihou approval approve ID').
A write-off takes whatever is outstanding on the day it is approved.

Examples:
  daihou approval propose LN00000042 --kind waiver --component penalty --amount 120.50 --reason "settlement agreed" --as zhang.san
  daihou approval propose LN00000042 --kind writeoff --reason "borrower deceased, no estate" --as li.si
  daihou approval propose LN00000042 --kind restructure --rate 0.06 --term 24 --method equal-installment --reason "job lost" --as li.si`)
	b := m.bookFlags(fs)
	kind := fs.String("kind", "", "waiver, writeoff or restructure (required)")
	component := fs.String("component", "", "waiver: penalty, compound, interest, principal or fee")
	amount := fs.String("amount", "", "waiver: the amount in yuan")
	rate := fs.String("rate", "", "restructure: the new annual rate, e.g. 0.06")
	term := fs.Int("term", 0, "restructure: the new term in months")
	method := fs.String("method", "", "restructure: equal-installment, equal-principal, interest-only or bullet")
	reason := fs.String("reason", "", "why (required: the checker and the auditor ask)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *kind == "" {
		fs.Usage()
		return usagef("want one loan and --kind")
	}
	k, err := approval.ParseKind(*kind)
	if err != nil {
		return err
	}
	if k == auth.ProposalOverride {
		return usagef("a classification override is proposed with 'daihou loan override'")
	}
	p := approval.Params{Component: servicing.Component(*component), NewTerm: *term, NewMethod: schedule.Method(*method)}
	if *amount != "" {
		if p.Amount, err = money.ParseAmount(*amount); err != nil {
			return daihou.Invalid("amount", "--amount: %v", err)
		}
	}
	if *rate != "" {
		if p.NewRate, err = money.ParseRate(*rate); err != nil {
			return daihou.Invalid("rate", "--rate: %v", err)
		}
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	out, err := s.Propose(ctx, l.ID, k, p, *reason)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.ApprovalOf(out))
	}
	fmt.Fprintf(m.Stdout, "proposal %d of %s: %s, by %s; awaiting approval by another user\n", out.ID, l.ExternalID, out.Describe(), out.Maker)
	return nil
}

func (m *Main) approvalDecide(approve bool) func(context.Context, []string) error {
	verb, help := "approve", `Approve a pending proposal as its checker — a user other than its maker who
decides its kind — and post its transaction on the business date, in the
same transaction. A transaction the ledger no longer accepts (the loan has
paid what was to be waived, or was settled) fails the approval and leaves
the proposal pending: reject it then.`
	if !approve {
		verb, help = "reject", "Reject a pending proposal as its checker, saying why (--note). Nothing is\nposted."
	}
	return func(ctx context.Context, args []string) error {
		usage := "approval " + verb + " ID [--note TEXT] [--kind override] [--json]"
		if !approve {
			usage = "approval reject ID --note TEXT [--kind override] [--json]"
		}
		fs := m.newFlagSet(usage, help)
		b := m.bookFlags(fs)
		note := fs.String("note", "", "what the checker says (required to reject a proposal; an override's decision keeps none)")
		kind := fs.String("kind", "", "override: decide a classification override of the list (its own ids)")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parseFlags(fs, reorder(fs, args)); err != nil {
			return err
		}
		id, err := idArg(fs, "proposal", "approval list")
		if err != nil {
			return err
		}
		override := false
		if *kind != "" {
			k, err := approval.ParseKind(*kind)
			if err != nil {
				return err
			}
			override = k == auth.ProposalOverride
		}
		switch {
		case override && *note != "":
			return usagef("--note: a classification override's decision keeps no note")
		case !override && !approve && *note == "":
			fs.Usage()
			return usagef("a rejection says why: --note TEXT")
		}
		s, ctx, err := m.open(ctx, b)
		if err != nil {
			return err
		}
		defer s.Close()
		var p approval.Proposal
		if override {
			p, err = s.DecideOverrideID(ctx, id, approve)
		} else {
			p, err = s.DecideProposal(ctx, id, approve, *note)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(m.Stdout, api.ApprovalOf(p))
		}
		fmt.Fprintf(m.Stdout, "%s %d of loan %d (%s, by %s) %s by %s", p.Kind, p.ID, p.LoanID, p.Describe(), p.Maker, p.Status, p.Checker)
		if p.PostedSeq != 0 {
			fmt.Fprintf(m.Stdout, "; posted as #%d", p.PostedSeq)
		}
		fmt.Fprintln(m.Stdout)
		return nil
	}
}

func (m *Main) approvalWithdraw(ctx context.Context, args []string) error {
	fs := m.newFlagSet("approval withdraw ID [--note TEXT] [--json]", "Withdraw a pending proposal you made. Nothing is posted.")
	b := m.bookFlags(fs)
	note := fs.String("note", "", "why")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "proposal", "approval list")
	if err != nil {
		return err
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.WithdrawProposal(ctx, id, *note)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.ApprovalOf(p))
	}
	fmt.Fprintf(m.Stdout, "%s %d of loan %d withdrawn by %s\n", p.Kind, p.ID, p.LoanID, p.Maker)
	return nil
}
