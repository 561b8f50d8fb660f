package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"

	"daihou"
	"daihou/auth"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

func (m *Main) runProduct(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "put" && args[0] != "list") {
		fmt.Fprintln(m.Stderr, "Usage: daihou product put CODE [flags] | daihou product list [--json]\n\nProducts (贷款产品): the parameters every loan of a product is serviced by —\nrepayment method, penalty rate and grace, DPD tolerance, waterfall,\nprepayment rule, LGD. Run 'daihou product put -h' for the product parameters.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usagef("want: product put|list")
	}
	if args[0] == "list" {
		return m.productList(ctx, args[1:])
	}
	fs := m.newFlagSet("product put CODE [flags]", `Create a product, or change one: the parameters every loan of the product is
serviced by. Loans name their product by code when imported. Changing a
product changes only the parameters named; the others keep their values.

Example:
  daihou product put CONS-36 --name "消费分期" --method equal-installment --grace 3`)
	b := m.bookFlags(fs)
	d := servicing.DefaultProduct("")
	name := fs.String("name", "", "display name")
	method := fs.String("method", string(d.Method), "default repayment method: equal-installment, equal-principal, interest-only, bullet")
	dayCount := fs.String("day-count", string(d.DayCount), "day count for penalty interest: ACT/360 or ACT/365")
	penalty := fs.String("penalty-rate", "", "annual penalty rate (罚息利率); default: contract rate × 1.5")
	compound := fs.Bool("compound", false, "accrue compound interest (复利) on overdue interest")
	grace := fs.Int("grace", 0, "grace days (宽限期) before penalty accrues; DPD is unaffected")
	tolerance := fs.String("tolerance", "0", "an installment owing no more than this is not overdue (DPD tolerance)")
	alloc := fs.String("allocation", "penalty,interest,principal", "repayment waterfall, oldest installment first")
	prepay := fs.String("prepayment", string(d.Prepayment), "overpayment rule: credit, reduce-term or reduce-installment")
	lgd := fs.String("lgd", d.LGD.String(), "loss given default, a fraction")
	if err := parseFlags(fs, reorder(fs, args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want exactly one product code")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	prods, err := s.Products(ctx)
	if err != nil {
		return err
	}
	// An existing product keeps every parameter not named on the command
	// line; a new one starts from the defaults.
	p, exists := prods[fs.Arg(0)]
	if !exists {
		p = servicing.DefaultProduct(fs.Arg(0))
		p.Method, p.DayCount, p.Prepayment = schedule.Method(*method), servicing.DayCount(*dayCount), servicing.PrepaymentRule(*prepay)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["name"] || !exists {
		p.Name = *name
		if p.Name == "" {
			p.Name = p.Code
		}
	}
	if set["method"] {
		if p.Method, err = schedule.ParseMethod(*method); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--method: %w", err)
		}
	}
	if set["day-count"] {
		p.DayCount = servicing.DayCount(*dayCount)
	}
	if set["compound"] {
		p.Compound = *compound
	}
	if set["grace"] {
		p.GraceDays = *grace
	}
	if set["prepayment"] {
		p.Prepayment = servicing.PrepaymentRule(*prepay)
	}
	if set["penalty-rate"] {
		if p.PenaltyRate, err = money.ParseRate(*penalty); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--penalty-rate: %w", err)
		}
	}
	if set["tolerance"] || !exists {
		if p.Tolerance, err = money.ParseAmount(*tolerance); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--tolerance: %w", err)
		}
	}
	if set["allocation"] || !exists {
		if p.Allocation, err = servicing.ParseAllocation(*alloc); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--allocation: %w", err)
		}
	}
	if set["lgd"] || !exists {
		if p.LGD, err = money.ParseRate(*lgd); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--lgd: %w", err)
		}
	}
	marked, err := s.PutProduct(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "product %s saved\n", p.Code)
	if marked > 0 {
		fmt.Fprintf(m.Stdout, "its %d loans are derived again by the next close of business (now: 'daihou eod --date' with the last closed date)\n", marked)
	}
	return nil
}

func (m *Main) productList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("product list [--json]", "List the products.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, ctx, err := m.openFor(ctx, b, auth.ReadProducts, auth.System())
	if err != nil {
		return err
	}
	defer s.Close()
	prods, err := s.Products(ctx)
	if err != nil {
		return err
	}
	codes := make([]string, 0, len(prods))
	for c := range prods {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	if *asJSON {
		out := make([]servicing.Product, len(codes))
		for i, c := range codes {
			out[i] = prods[c]
		}
		return writeJSON(m.Stdout, out)
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "code\tname\tmethod\tday count\tpenalty\tcompound\tgrace\tallocation\tprepayment\tLGD\t")
	for _, c := range codes {
		p := prods[c]
		pen := "rate × 1.5"
		if p.PenaltyRate > 0 {
			pen = p.PenaltyRate.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%d\t%s\t%s\t%s\t\n", p.Code, p.Name, p.Method, p.DayCount, pen, p.Compound, p.GraceDays, servicing.FormatAllocation(p.Allocation), p.Prepayment, p.LGD)
	}
	return tw.Flush()
}
