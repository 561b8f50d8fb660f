package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/report"
)

func (m *Main) runReport(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "warnings" {
		return m.reportWarnings(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "rate-cap" {
		return m.reportRateCap(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "collections" {
		return m.reportCollections(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "strategies" {
		return m.reportStrategies(ctx, args[1:])
	}
	fs := m.newFlagSet("report [--date DATE] [--db PATH] [--json]", `Print the portfolio's headline figures on a closed business date (贷后报表):
balances by delinquency bucket, five-tier class (五级分类) and IFRS 9 stage; NPL
ratio (不良贷款率), expected credit loss and provision coverage (拨备覆盖率); the
last month's roll-rate matrix (迁徙率) and cure rates, the month to date, the
roll-rate trend, and ever-30+ vintage curves (账龄分析) by months on book.

Figures come from the daily aggregates close of business writes, so they are
instant at any portfolio size. ECL uses each product's LGD and a placeholder
PD by stage and bucket until behaviour scores supply calibrated PDs.

'daihou report warnings --from D1 --to D2' judges the early warnings instead;
'daihou report rate-cap' lists the loans over the legal interest cap;
'daihou report collections' gives the collection KPIs of a period and
'daihou report strategies' compares the champion and challenger arms.`)
	b := m.bookFlags(fs)
	date := fs.String("date", "", "business date (default: the last closed date)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("report takes no arguments")
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadReport, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	var d civil.Date
	if *date != "" {
		if d, err = civil.Parse(*date); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--date: %v", err)
		}
	} else if d, err = s.LastClose(ctx); err != nil {
		return err
	} else if d == 0 {
		return daihou.Errorf(daihou.ENOTFOUND, "no business date has been closed yet: run 'daihou eod --date DATE' (or 'daihou gen')")
	}
	r, err := report.Read(ctx, s, d)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, r)
	}
	printReport(m.Stdout, r)
	return nil
}

func pct(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }

func pctOrDash(f *float64) string {
	if f == nil {
		return "–"
	}
	return pct(*f)
}

func printReport(w io.Writer, r report.Report) {
	p := r.Portfolio
	fmt.Fprintf(w, "Portfolio on %v\n\n", r.Date)
	fmt.Fprintf(w, "Active loans %s, outstanding principal %s, past due (1+ DPD) %s (%s)\n", group(p.ActiveLoans), p.Outstanding.Grouped(), p.PastDueBalance.Grouped(), pct(p.PastDueRatio))
	fmt.Fprintf(w, "NPL ratio (不良贷款率) %s on %s; ECL %s, provision coverage (拨备覆盖率) %s\n", pct(p.NPLRatio), p.NPLBalance.Grouped(), p.ECL.Grouped(), pct(p.Coverage))
	fmt.Fprintf(w, "Settled %s loans; written off (核销) %s loans, %s, of which recovered %s\n\n", group(p.SettledLoans), group(p.WrittenOffLoans), p.WrittenOffAmount.Grouped(), p.Recovered.Grouped())

	tw := table(w)
	fmt.Fprintln(tw, "product\tloans\toutstanding\tNPL ratio\tECL\t")
	for _, l := range r.Products {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", l.Product, group(l.Loans), l.Outstanding.Grouped(), pct(l.NPLRatio), l.ECL.Grouped())
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = table(w)
	fmt.Fprintln(tw, "bucket\tloans\toutstanding\tshare\t\tfive-tier class\tloans\toutstanding\tshare\t")
	for i := 0; i < max(len(r.Buckets), len(r.Classes)); i++ {
		left, right := "\t\t\t\t", "\t\t\t\t"
		if i < len(r.Buckets) {
			b := r.Buckets[i]
			left = fmt.Sprintf("%s\t%s\t%s\t%s\t", b.Name, group(b.Loans), b.Outstanding.Grouped(), pct(b.Share))
		}
		if i < len(r.Classes) {
			c := r.Classes[i]
			right = fmt.Sprintf("%s\t%s\t%s\t%s\t", c.Name, group(c.Loans), c.Outstanding.Grouped(), pct(c.Share))
		}
		fmt.Fprintf(tw, "%s\t%s\n", left, right)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = table(w)
	fmt.Fprintln(tw, "IFRS 9 stage\tloans\toutstanding\tECL\tECL rate\t")
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t\n", s.Stage, group(s.Loans), s.Outstanding.Grouped(), s.ECL.Grouped(), pct(s.ECLRate))
	}
	tw.Flush()

	for _, rr := range []*report.RollReport{r.Roll, r.MonthToDate} {
		if rr == nil || len(rr.Rows) == 0 {
			continue
		}
		title := "Roll rates (迁徙率) " + rr.Month + ", month end to month end"
		if rr == r.MonthToDate {
			title = "Roll rates, month to date " + rr.AsOf.String()
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw = table(w)
		fmt.Fprintln(tw, "from\tloans\tbalance\troll on\troll on (balance)\tstay\tcure (治愈)\tsettled\twritten off\t")
		for _, l := range rr.Rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.From, group(l.Loans), l.Balance.Grouped(), pct(l.Roll), pct(l.RollBalance), pct(l.Stay), pctOrDash(l.Cure), pct(l.Settled), pct(l.WrittenOff))
		}
		tw.Flush()
	}
	if len(r.RollTrend) > 0 {
		fmt.Fprintln(w, "\nRoll-rate trend (by count)")
		tw = table(w)
		fmt.Fprintln(tw, "month\tM0→M1\tM1→M2\tM2→M3\tM3→M4\tM4→M5\tM5→M6\tM6→M7+\t")
		for _, t := range r.RollTrend {
			cells := make([]string, len(t.Roll))
			for i, v := range t.Roll {
				cells[i] = pct(v)
			}
			fmt.Fprintf(tw, "%s\t%s\t\n", t.Month, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	if len(r.Vintages) > 0 {
		fmt.Fprintln(w, "\nVintages (账龄分析): share ever 30+ DPD by months on book")
		tw = table(w)
		fmt.Fprint(tw, "vintage\tloans\tprincipal\t")
		for _, mob := range []int{1, 3, 6, 9, 12} {
			fmt.Fprintf(tw, "MOB %d\t", mob)
		}
		fmt.Fprintln(tw)
		for _, v := range r.Vintages {
			fmt.Fprintf(tw, "%s\t%s\t%s\t", v.Vintage, group(v.Loans), v.Amount.Grouped())
			for _, mob := range []int{1, 3, 6, 9, 12} {
				if mob <= len(v.Ever30) && v.Ever30[mob-1] != nil {
					fmt.Fprintf(tw, "%s\t", pct(*v.Ever30[mob-1]))
				} else {
					fmt.Fprint(tw, "\t")
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
}
