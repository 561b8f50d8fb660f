package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"daihou/auth"
	"daihou/report"
)

func (m *Main) reportStrategies(ctx context.Context, args []string) error {
	fs := m.newFlagSet("report strategies [--from D1] [--to D2] [--json]", `Compare the champion and challenger arms of each collection strategy over
the business dates D1 to D2 (default: the month of the last close to it):
per strategy and segment, the episodes of each arm, their cure and
roll-forward rates with 95 % Wilson intervals, and the difference
(challenger − champion) with Newcombe's 95 % interval and a two-proportion
z-test. The verdict is "not significant" when the interval of the
difference contains 0. Then what each arm collected, what its contacts
cost per unit collected, and its complaints.`)
	b := m.bookFlags(fs)
	fromText := fs.String("from", "", "first business date (default: the first of the last close's month)")
	toText := fs.String("to", "", "last business date (default: the last close)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("report strategies takes no arguments")
	}
	from, to, err := reportPeriodFlags(*fromText, *toText)
	if err != nil {
		return err
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadReport, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.StrategyReport(ctx, from, to)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, rep)
	}
	printStrategies(m.Stdout, rep)
	return nil
}

// interval is a rate and its interval, "n/a" without episodes.
func interval(r report.Ratio, ci *report.Interval) string {
	if r.Value == nil || ci == nil {
		return "n/a"
	}
	return fmt.Sprintf("%s [%.1f–%.1f%%]", pct(*r.Value), 100*ci.Lower, 100*ci.Upper)
}

// difference is a difference of rates in percentage points with its
// interval and p-value.
func difference(d report.Difference) (string, string) {
	if d.Estimate == nil || d.CI == nil {
		return "n/a", "n/a"
	}
	p := "n/a"
	if d.PValue != nil {
		p = fmt.Sprintf("%.3f", *d.PValue)
		if *d.PValue < 0.001 {
			p = "<0.001"
		}
	}
	return fmt.Sprintf("%+.1f pts [%+.1f, %+.1f]", 100**d.Estimate, 100*d.CI.Lower, 100*d.CI.Upper), p
}

func printStrategies(w io.Writer, r report.StrategyReport) {
	fmt.Fprintf(w, "Champion / challenger from %v to %v (%.0f%% intervals; difference = challenger − champion)\n", r.From, r.To, 100*r.Confidence)
	if len(r.Comparisons) == 0 {
		fmt.Fprintln(w, "\nNo collection episode was active in the period.")
		return
	}
	for _, rate := range []struct {
		title string
		arm   func(report.ArmResult) (report.Ratio, *report.Interval)
		diff  func(report.Comparison) report.Difference
	}{
		{"Cure rate 治愈率 (higher is better)", func(a report.ArmResult) (report.Ratio, *report.Interval) { return a.CureRate, a.CureCI },
			func(c report.Comparison) report.Difference { return c.Cure }},
		{"Roll-forward rate 恶化率 (lower is better)", func(a report.ArmResult) (report.Ratio, *report.Interval) { return a.RollForwardRate, a.RollForwardCI },
			func(c report.Comparison) report.Difference { return c.RollForward }},
	} {
		fmt.Fprintf(w, "\n%s\n", rate.title)
		tw := table(w)
		fmt.Fprintln(tw, "strategy\tsegment\tchampion\trate\tchallenger\trate\tdifference [95% CI]\tp\tverdict\t")
		for _, c := range r.Comparisons {
			cr, cci := rate.arm(c.Champion)
			hr, hci := rate.arm(c.Challenger)
			d := rate.diff(c)
			diff, p := difference(d)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Strategy, c.Segment, group(c.Champion.Episodes), interval(cr, cci),
				group(c.Challenger.Episodes), interval(hr, hci), diff, p, d.Verdict)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nCollected and cost")
	tw := table(w)
	fmt.Fprintln(tw, "strategy\tsegment\tchampion collected\tcost/collected\tcomplaints\tchallenger collected\tcost/collected\tcomplaints\t")
	for _, c := range r.Comparisons {
		a, h := c.Champion, c.Challenger
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Strategy, c.Segment, a.Collected.Grouped(), ratioNum(a.CostPerCollected, 4), group(a.Complaints),
			h.Collected.Grouped(), ratioNum(h.CostPerCollected, 4), group(h.Complaints))
	}
	tw.Flush()
	fmt.Fprintln(w, "\n"+strings.TrimSpace(`Arms are split by a stable hash of the loan, so "(all)" compares like populations;
within a segment, each arm's own conditions decided who entered it.`))
}
