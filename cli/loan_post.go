package cli

import (
	"context"
	"fmt"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

func (m *Main) loanPost(ctx context.Context, args []string) error {
	fs := m.newFlagSet("loan post ID|LOAN_NUMBER --kind KIND [flags]", `Post one transaction to a loan. Transactions are append-only: to correct a
repayment, post a reversal of it (--kind reversal --reverses SEQ) and then the
right one. A repayment's --reference is its idempotency key: posting it again
changes nothing.

Kinds: repayment, reversal, waiver (减免), write-off (核销), recovery, fee,
restructure (重组: the outstanding amount gets new terms).

Examples:
  daihou loan post LN00000042 --kind repayment --amount 1066.19 --date 2026-02-10 --reference BANK-778812
  daihou loan post LN00000042 --kind waiver --component penalty --amount 12.50
  daihou loan post LN00000042 --kind restructure --new-rate 0.06 --new-term 24 --new-method equal-installment`)
	b := m.bookFlags(fs)
	kind := fs.String("kind", "", "transaction kind (required)")
	amount := fs.String("amount", "", "amount in major units")
	date := fs.String("date", "", "value date YYYY-MM-DD (default: the business date)")
	ref := fs.String("reference", "", "external reference; required for repayments and recoveries")
	channel := fs.String("channel", "", "payment channel")
	reverses := fs.Int64("reverses", 0, "reversal: the seq of the repayment or recovery to reverse (see loan show)")
	component := fs.String("component", "", "waiver: penalty, interest, principal or fee")
	newRate := fs.String("new-rate", "", "restructure: new annual rate")
	newTerm := fs.Int("new-term", 0, "restructure: new term in months")
	newMethod := fs.String("new-method", "", "restructure: new repayment method")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *kind == "" {
		fs.Usage()
		return usagef("want one loan and --kind")
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	t := servicing.Tx{LoanID: l.ID, Kind: servicing.TxKind(*kind), Reference: *ref, Channel: *channel, Reverses: *reverses, Component: servicing.Component(*component), NewTerm: *newTerm, NewMethod: schedule.Method(*newMethod)}
	if t.ValueDate, err = s.BusinessDate(ctx); err != nil {
		return err
	}
	if *date != "" {
		if t.ValueDate, err = civil.Parse(*date); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--date: %w", err)
		}
	}
	if *amount != "" {
		if t.Amount, err = money.ParseAmount(*amount); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--amount: %w", err)
		}
	}
	if *newRate != "" {
		if t.NewRate, err = money.ParseRate(*newRate); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--new-rate: %w", err)
		}
	}
	posted, dup, err := s.Post(ctx, t)
	if err != nil {
		return err
	}
	if dup {
		fmt.Fprintf(m.Stdout, "already posted as #%d (reference %s): nothing changed\n", posted.Seq, posted.Reference)
		return nil
	}
	snap, err := s.Snapshot(ctx, l.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "posted %s #%d to %s; now %s, DPD %d, %s %s, outstanding %s\n", posted.Kind, posted.Seq, l.ExternalID, snap.Status, snap.DPD, snap.Class.Chinese(), snap.Class, snap.PrincipalOutstanding.Grouped())
	return nil
}

func (m *Main) loanOverride(ctx context.Context, args []string) error {
	fs := m.newFlagSet("loan override ID|LOAN_NUMBER --class CLASS --reason TEXT --as USER", `Propose classifying a loan above its regulatory floor (never below). The
override takes effect when another user approves it with 'loan decide'; the
maker is the user named by --as (or $DAIHOU_USER), who needs the risk-officer
role.`)
	b := m.bookFlags(fs)
	class := fs.String("class", "", "special-mention, substandard, doubtful or loss (or 关注, 次级, 可疑, 损失)")
	reason := fs.String("reason", "", "why (required; regulators ask)")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *class == "" {
		fs.Usage()
		return usagef("want one loan and --class")
	}
	c, err := classification.Parse(*class)
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "--class: %v", err)
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := s.ProposeOverride(ctx, l.ID, c, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "override %d of %s to %s %s proposed by %s; awaiting approval by another user\n", id, l.ExternalID, c.Chinese(), c, auth.FromContext(ctx))
	return nil
}

func (m *Main) loanDecide(ctx context.Context, args []string) error {
	fs := m.newFlagSet("loan decide ID|LOAN_NUMBER --override N --approve|--reject --as USER", `Approve or reject a pending classification override. The checker must not be
the maker (四眼原则).`)
	b := m.bookFlags(fs)
	n := fs.Int64("override", 0, "the override number")
	approve := fs.Bool("approve", false, "approve it")
	reject := fs.Bool("reject", false, "reject it")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *n == 0 || *approve == *reject {
		fs.Usage()
		return usagef("want one loan, --override and exactly one of --approve or --reject")
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.DecideOverride(ctx, l.ID, *n, *approve); err != nil {
		return err
	}
	verb := "rejected"
	if *approve {
		verb = "approved"
	}
	fmt.Fprintf(m.Stdout, "override %d of %s %s by %s\n", *n, l.ExternalID, verb, auth.FromContext(ctx))
	return nil
}
