package cli

import (
	"context"
	"fmt"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/money"
	"daihou/store"
	"daihou/synth"
)

// withholding is what core banking's withholding run of one day did.
type withholding struct {
	Date       civil.Date   `json:"date"`
	Due        int          `json:"due"`        // installments due on the day
	Paid       int          `json:"paid"`       // of which the borrowers paid
	Posted     int          `json:"posted"`     // posted now
	Duplicates int          `json:"duplicates"` // posted by an earlier run of the day
	Amount     money.Amount `json:"amount"`
	Seconds    float64      `json:"seconds"`
}

// withhold posts core banking's withholding run (代扣) of day d to s as
// the actor in ctx: the installments due on d that their borrowers pay —
// the borrowers of the portfolio 'daihou gen --seed seed' generates, who
// pay as the generator's history has them pay (synth.PaysDue) — as one
// file, each payment referenced by its loan and due date, so that a run
// delivered twice posts once.
func withhold(ctx context.Context, s *store.DB, seed uint64, d civil.Date, startedBy string) (withholding, error) {
	began := time.Now()
	out := withholding{Date: d}
	dues, err := s.DueBetween(ctx, d, d)
	if err != nil {
		return out, err
	}
	out.Due = len(dues)
	var pays []store.Payment
	for _, x := range dues {
		p, _ := synth.BorrowerProfile(seed, x.BorrowerID)
		if !synth.PaysDue(seed, p, x.LoanID, x.Product, x.Date) {
			continue
		}
		pays = append(pays, store.Payment{Line: len(pays) + 1, LoanRef: x.LoanRef, ValueDate: d, Amount: x.Amount, Channel: "withholding",
			Reference: fmt.Sprintf("WH-%s-%v", x.LoanRef, x.Date)})
		out.Amount += x.Amount
	}
	out.Paid = len(pays)
	if len(pays) > 0 {
		res, err := s.ImportPayments(ctx, store.Source{Name: fmt.Sprintf("withholding-%v.csv", d), Rows: len(pays), StartedBy: startedBy}, pays, nil)
		if err != nil {
			return out, fmt.Errorf("the withholding run of %v: %w", d, err)
		}
		if len(res.Rejects) > 0 {
			return out, fmt.Errorf("the withholding run of %v: line %d: %s", d, res.Rejects[0].Line, res.Rejects[0].Reason)
		}
		out.Posted, out.Duplicates = res.Posted, res.Duplicates
	}
	out.Seconds = time.Since(began).Seconds()
	return out, nil
}

func (m *Main) simWithholding(ctx context.Context, args []string) error {
	fs := m.newFlagSet("sim withholding [--date DATE] [--seed S] [--db PATH] [--json]",
		`Post core banking's withholding run (代扣) of a day to the book, as core banking
would send it: every installment due on the day that its borrower pays, for
the portfolio 'daihou gen' generated with the same --seed — the borrowers pay
as the generator's history has them pay, so some do not and fall overdue.
The run of a day comes after its close of business, as core banking's file
of the day arrives in the evening, and the next close takes its payments in,
as 'daihou demo' does each day it lives through; a run delivered twice posts
nothing twice.

Example: daihou gen --loans 100000 --seed 7 --until 2026-06-14 --db bank.db
         daihou eod --date 2026-06-15 --db bank.db
         daihou sim withholding --date 2026-06-15 --seed 7 --db bank.db
         daihou eod --date 2026-06-16 --db bank.db`)
	b := m.bookFlags(fs)
	date := fs.String("date", "", "the day whose installments are withheld, closed already (default the last closed date)")
	seed := fs.Uint64("seed", 1, "random seed, as daihou gen's --seed")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("sim withholding takes no arguments")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := can(ctx, auth.ImportPayments, auth.Book()); err != nil {
		return err
	}
	last, err := s.LastClose(ctx)
	if err != nil {
		return err
	}
	if last == 0 {
		return daihou.Errorf(daihou.EINVALID, "the book has no closed date: the withholding run of a day follows its close of business ('daihou eod --date DATE')")
	}
	d := last
	if *date != "" {
		if d, err = civil.Parse(*date); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--date: %v", err)
		}
	}
	if d.After(last) {
		return daihou.Errorf(daihou.EINVALID, "--date %v: the withholding run of a day follows its close of business, and the last closed date is %v: close the day first ('daihou eod --date %v')", d, last, d)
	}
	core, err := auth.Import("core-banking")
	if err != nil {
		return err
	}
	ctx, startedBy := system(ctx, core)
	w, err := withhold(ctx, s, *seed, d, startedBy)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, w)
	}
	fmt.Fprintf(m.Stdout, "withholding run of %v: %d installments due, %d paid (%s), %d posted, %d already posted, in %.1fs\n",
		w.Date, w.Due, w.Paid, w.Amount, w.Posted, w.Duplicates, w.Seconds)
	return nil
}
