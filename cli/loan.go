package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/loanview"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
)

const loanUsage = `Usage:
  daihou loan show ID|LOAN_NUMBER [--as-of DATE] [--json]   schedule, transactions and state
  daihou loan post ID|LOAN_NUMBER --kind KIND [flags]       post a repayment, reversal, waiver, write-off, recovery, fee or restructuring
  daihou loan override ID|LOAN_NUMBER --class CLASS --reason TEXT --as USER   propose a class above the floor
  daihou loan decide ID|LOAN_NUMBER --override N --approve|--reject --as USER  the second pair of eyes
  daihou loan assign ID|LOAN_NUMBER --to USER [--kind collection|legal]       put a loan in a user's queue
  daihou loan reveal ID|LOAN_NUMBER --reason TEXT                             personal data unmasked (audited)

Personal data is masked by role (张*, 110***********1234, 138****5678).
A loan outside the acting user's data scope is reported as not found.
Run 'daihou loan SUBCOMMAND -h' for flags.`

func (m *Main) runLoan(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "post":
			return m.loanPost(ctx, args[1:])
		case "override":
			return m.loanOverride(ctx, args[1:])
		case "decide":
			return m.loanDecide(ctx, args[1:])
		case "assign":
			return m.loanAssign(ctx, args[1:])
		case "reveal":
			return m.loanReveal(ctx, args[1:])
		}
	}
	if len(args) == 0 || args[0] != "show" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(m.Stderr, loanUsage)
			return nil
		}
		fmt.Fprintln(m.Stderr, loanUsage)
		return usagef("want: loan show|post|override|decide|assign|reveal")
	}
	fs := m.newFlagSet("loan show ID|LOAN_NUMBER [--as-of DATE] [--json]", `Show a loan's schedule, transactions and state (DPD, bucket, five-tier class,
IFRS 9 stage) as of the business date or any other date. The state is
derived by replaying the loan's transactions, so an as-of date in the past
shows the loan as it stood then, given everything known now.`)
	b := m.bookFlags(fs)
	asOf := fs.String("as-of", "", "date to derive the state at (default: the business date)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want exactly one loan id or loan number")
	}
	var date civil.Date
	if *asOf != "" {
		var err error
		if date, err = civil.Parse(*asOf); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--as-of: %w", err)
		}
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := loanview.Build(ctx, s, fs.Arg(0), date)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, v)
	}
	m.printLoan(v)
	return nil
}

// printLoan prints a loan view for people.
func (m *Main) printLoan(v *loanview.View) {
	w := m.Stdout
	l, b, snap := v.Loan, v.Borrower, v.State
	fmt.Fprintf(w, "Loan %s (id %d) — product %s, %s\n", l.ExternalID, l.ID, l.Product, l.Method)
	fmt.Fprintf(w, "Borrower %s %s %s %s, branch %s, officer %s\n", b.ExternalID, b.Name, b.IDNumber, b.Phone, l.Branch, l.Officer)
	fmt.Fprintf(w, "Principal %s at %s over %d months, disbursed %v\n\n", l.Principal.Grouped(), l.Rate, l.Term, l.Disbursed)
	if !v.Disbursed {
		fmt.Fprintf(w, "State as of %v: not yet disbursed (disbursement on %v)\n", v.AsOf, l.Disbursed)
		return
	}
	fmt.Fprintf(w, "State as of %v: %s\n", v.AsOf, snap.Status)
	tw := table(w)
	fmt.Fprintf(tw, "outstanding principal\t%s\t\n", snap.PrincipalOutstanding.Grouped())
	fmt.Fprintf(tw, "overdue principal\t%s\t\n", snap.OverduePrincipal.Grouped())
	fmt.Fprintf(tw, "overdue interest\t%s\t\n", snap.OverdueInterest.Grouped())
	fmt.Fprintf(tw, "penalty due (罚息)\t%s\t\n", snap.PenaltyDue.Grouped())
	if snap.FeesDue != 0 || snap.Credit != 0 {
		fmt.Fprintf(tw, "fees due\t%s\t\n", snap.FeesDue.Grouped())
		fmt.Fprintf(tw, "credit held\t%s\t\n", snap.Credit.Grouped())
	}
	if snap.Status == servicing.StatusActive {
		fmt.Fprintf(tw, "payoff as of %v (提前结清)\t%s\t\n", v.AsOf, v.Payoff.Grouped())
	}
	fmt.Fprintf(tw, "DPD / bucket\t%d / %s\t\n", snap.DPD, snap.Bucket)
	fmt.Fprintf(tw, "five-tier class (五级分类)\t%s %s\t\n", snap.Class.Chinese(), snap.Class)
	fmt.Fprintf(tw, "why\t%s\t\n", snap.ClassCause)
	fmt.Fprintf(tw, "IFRS 9 stage\t%d\t\n", snap.Stage)
	if snap.ModelID != 0 {
		fmt.Fprintf(tw, "behaviour score\t%d (%s PD %s, model %d)\t\n", snap.Score, loanview.PDHorizon(snap.Stage), percent(snap.PD), snap.ModelID)
		zh := loanview.Reasons(snap.Reasons, "zh-CN")
		for i, r := range loanview.Reasons(snap.Reasons, "en") {
			label := ""
			if i == 0 {
				label = "score reasons (扣分原因)"
			}
			fmt.Fprintf(tw, "%s\t%s — %s\t\n", label, zh[i], r)
		}
	}
	if snap.NextDueDate != 0 {
		fmt.Fprintf(tw, "next due\t%v  %s\t\n", snap.NextDueDate, snap.NextDueAmount.Grouped())
	}
	if snap.WrittenOff != 0 {
		fmt.Fprintf(tw, "written off / recovered\t%s / %s\t\n", snap.WrittenOff.Grouped(), snap.Recovered.Grouped())
	}
	tw.Flush()

	fmt.Fprintln(w, "\nSchedule")
	tw = table(w)
	fmt.Fprintln(tw, "n\tdue\tprincipal\tinterest\tpenalty\tpaid\toutstanding\tstatus\t")
	for _, in := range v.Installments {
		paid := in.PaidPrincipal + in.PaidInterest + in.PaidPenalty
		open := in.PrincipalDue() + in.InterestDue() + in.PenaltyDue()
		fmt.Fprintf(tw, "%d\t%v\t%s\t%s\t%s\t%s\t%s\t%s\t\n", in.N, in.DueDate, in.Principal.Grouped(), in.Interest.Grouped(), in.Penalty.Grouped(), paid.Grouped(), open.Grouped(), in.Status)
	}
	tw.Flush()

	fmt.Fprintln(w, "\nTransactions")
	tw = table(w)
	fmt.Fprintln(tw, "seq\tvalue date\tkind\tamount\treference\tdetail\t")
	for _, t := range v.Transactions {
		detail := ""
		switch t.Kind {
		case servicing.Reversal:
			detail = fmt.Sprintf("reverses #%d", t.Reverses)
		case servicing.Waiver:
			detail = string(t.Component)
		case servicing.Restructure:
			detail = fmt.Sprintf("%s %d months at %s", t.NewMethod, t.NewTerm, t.NewRate)
		}
		if t.ValueDate.After(v.AsOf) {
			detail += " (after as-of)"
		}
		fmt.Fprintf(tw, "%d\t%v\t%s\t%s\t%s\t%s\t\n", t.Seq, t.ValueDate, t.Kind, t.Amount.Grouped(), t.Reference, detail)
	}
	tw.Flush()
	if len(v.ClassHistory) > 0 {
		fmt.Fprintln(w, "\nClass history")
		tw = table(w)
		fmt.Fprintln(tw, "date\tfrom\tto\twhy\t")
		for _, c := range v.ClassHistory {
			from := "–"
			if c.From != 0 {
				from = c.From.Chinese()
			}
			fmt.Fprintf(tw, "%v\t%s\t%s\t%s\t\n", c.AsOf, from, c.To.Chinese(), c.Cause)
		}
		tw.Flush()
	}
}

// percent prints a rate as a percentage with two decimals.
func percent(r money.Rate) string { return fmt.Sprintf("%.2f%%", float64(r)/money.RateScale*100) }

// openLoan opens the book and finds a loan in it by id or loan number,
// among those the actor may see; the caller closes the store.
func (m *Main) openLoan(ctx context.Context, b *book, ref string) (*store.DB, context.Context, servicing.Loan, error) {
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return nil, ctx, servicing.Loan{}, err
	}
	l, err := findLoan(ctx, s, ref)
	if err != nil {
		s.Close()
		return nil, ctx, l, err
	}
	return s, ctx, l, nil
}

// findLoan finds a loan by id or by the lender's loan number.
func findLoan(ctx context.Context, s *store.DB, ref string) (servicing.Loan, error) {
	return loanview.Find(ctx, s, ref)
}

// reorder moves flags before positional arguments so that
// "loan show 42 --as-of D" works as well as "loan show --as-of D 42"
// (the standard flag package stops at the first positional argument).
func reorder(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, pos...)
}
