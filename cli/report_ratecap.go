package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"daihou/auth"
	"daihou/money"
	"daihou/store"
	"daihou/web/api"
)

func (m *Main) reportRateCap(ctx context.Context, args []string) error {
	fs := m.newFlagSet("report rate-cap [--limit N] [--json]", `Hold the book against the legal interest cap (民间借贷利率上限): rate.cap-multiple
times the one-year Loan Prime Rate rate.lpr (一年期贷款市场报价利率 LPR; 4 × by
default, 《民法典》 art. 680 and the Supreme People's Court private-lending
provisions). List the loans whose contract rate, penalty rate (罚息, the
product's own or 1.5 × the contract rate) or all-in annual cost (综合年化成本:
the rate with the fees charged, net of waivers, annualised over what the
schedule lends) is above it — a rate exactly at the cap is within it — and
count them by product. Change the cap with 'daihou config set rate.lpr 0.031'.`)
	b := m.bookFlags(fs)
	limit := fs.Int("limit", api.DefaultRateCapLimit, fmt.Sprintf("list at most this many loans, 0 to %d (all are counted)", store.MaxRateCapLimit))
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("report rate-cap takes no arguments")
	}
	if *limit < 0 || *limit > store.MaxRateCapLimit {
		return usagef("--limit: want 0 to %d, not %d", store.MaxRateCapLimit, *limit)
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadReport, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.RateCapReport(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.RateCapReportOf(rep))
	}
	printRateCap(m.Stdout, rep)
	return nil
}

// printRateCap prints the cap, the loans over it and the counts by
// product.
func printRateCap(w io.Writer, r store.RateCapReport) {
	fmt.Fprintf(w, "Legal rate cap %s = %d × LPR %s\n", percentRate(r.Cap.Rate()), r.Cap.Multiple, percentRate(r.Cap.LPR))
	if r.Total == 0 {
		fmt.Fprintln(w, "\nNo loan exceeds it.")
		return
	}
	if r.Total == 1 {
		fmt.Fprint(w, "\n1 loan exceeds it")
	} else {
		fmt.Fprintf(w, "\n%s loans exceed it", group(int64(r.Total)))
	}
	if len(r.Loans) < r.Total {
		fmt.Fprintf(w, "; the first %s:", group(int64(len(r.Loans))))
	}
	fmt.Fprintln(w)
	if len(r.Loans) > 0 {
		fmt.Fprintln(w)
		tw := table(w)
		fmt.Fprintln(tw, "loan\tproduct\trate\tpenalty rate\tannual cost\tfees\texceeds\t")
		for _, l := range r.Loans {
			c := l.Check
			over := make([]string, len(c.Over))
			for i, e := range c.Over {
				over[i] = e.What + " by " + percentRate(e.By)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Number, l.Product, percentRate(c.Rate), percentRate(c.Penalty), percentRate(c.Cost), l.Fees.Grouped(), strings.Join(over, ", "))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	tw := table(w)
	fmt.Fprintln(tw, "product\tloans over\tinterest\tpenalty\tannual cost\t")
	for _, p := range r.Products {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", p.Product, group(int64(p.Loans)), group(int64(p.Interest)), group(int64(p.Penalty)), group(int64(p.Cost)))
	}
	fmt.Fprintf(tw, "total\t%s\t\t\t\t\n", group(int64(r.Total)))
	tw.Flush()
}

// percentRate writes a rate as a percentage, exact, with at least two
// decimals: 0.12 is "12.00 %", 0.1200000001 "12.00000001 %".
func percentRate(r money.Rate) string {
	s := money.Rate(int64(r) * 100).String()
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "." + frac + " %"
}
