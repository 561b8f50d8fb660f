package cli

import (
	"context"
	"fmt"

	"daihou/store"
)

func (m *Main) loanAssign(ctx context.Context, args []string) error {
	fs := m.newFlagSet("loan assign ID|LOAN_NUMBER --to USER [--kind collection|legal] [--remove]", `Assign a loan to a user's queue (a collector's, or legal's), or take it away
with --remove. A collector sees only the loans assigned to them.`)
	b := m.bookFlags(fs)
	to := fs.String("to", "", "the user to assign the loan to (required)")
	kind := fs.String("kind", store.AssignCollection, "collection or legal")
	remove := fs.Bool("remove", false, "take the loan out of the user's queue")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *to == "" {
		fs.Usage()
		return usagef("want one loan and --to USER")
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	if *remove {
		if err := s.Unassign(ctx, l.ID, *to); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s taken out of %s's queue\n", l.ExternalID, *to)
		return nil
	}
	if err := s.Assign(ctx, l.ID, *to, *kind); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s assigned to %s (%s)\n", l.ExternalID, *to, *kind)
	return nil
}

func (m *Main) loanReveal(ctx context.Context, args []string) error {
	fs := m.newFlagSet("loan reveal ID|LOAN_NUMBER --reason TEXT [--json]", `Show a borrower's personal data unmasked (name, ID number, phone, address),
for the roles allowed to see it (account manager, legal). Each reveal is
recorded in the audit trail with its reason.`)
	b := m.bookFlags(fs)
	reason := fs.String("reason", "", "why you need to see it (required; recorded)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one loan and --reason")
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	br, err := s.RevealBorrower(ctx, l.ID, *reason)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, br)
	}
	tw := table(m.Stdout)
	fmt.Fprintf(tw, "borrower\t%s\t\nname\t%s\t\nID number\t%s\t\nphone\t%s\t\naddress\t%s\t\nregion\t%s\t\n", br.ExternalID, br.Name, br.IDNumber, br.Phone, br.Address, br.Region)
	tw.Flush()
	fmt.Fprintln(m.Stdout, "(this reveal is recorded in the audit trail)")
	return nil
}
