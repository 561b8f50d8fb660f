package cli

import (
	"context"
	"fmt"
	"io"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/report"
)

// reportPeriodFlags parses optional --from and --to dates; zero for
// those not given (the store's defaults: the month of the last close).
func reportPeriodFlags(fromText, toText string) (civil.Date, civil.Date, error) {
	var from, to civil.Date
	var err error
	if fromText != "" {
		if from, err = civil.Parse(fromText); err != nil {
			return 0, 0, daihou.Invalid("from", "--from: %v", err)
		}
	}
	if toText != "" {
		if to, err = civil.Parse(toText); err != nil {
			return 0, 0, daihou.Invalid("to", "--to: %v", err)
		}
	}
	return from, to, nil
}

func (m *Main) reportCollections(ctx context.Context, args []string) error {
	fs := m.newFlagSet("report collections [--from D1] [--to D2] [--by collector|team|arm|bucket|channel] [--json]", `Print the collection KPIs (催收考核) of the business dates D1 to D2 (default:
the month of the last close to it): contact rate (接通率), right-party-contact
rate, promise and promise-kept rates (承诺兑现率), cure rate (治愈率), collection
success rate, average collection cycle, roll-forward rate, cost per unit
collected, complaint rate and satisfaction, each with its numerator and
denominator; the book's 90+ DPD share, write-off ratio (核销率), recoveries
on written-off loans and the churn of dedicated-officer loans; and the trend
of the daily figures close of business kept. --by breaks the KPIs down by
collector, team, strategy arm, entry bucket or channel.

Every figure is a count or a sum of rows of the collection tables; the
definitions are those of package report (go doc daihou/report.Figures).`)
	b := m.bookFlags(fs)
	fromText := fs.String("from", "", "first business date (default: the first of the last close's month)")
	toText := fs.String("to", "", "last business date (default: the last close)")
	by := fs.String("by", "", "break down by collector, team, arm, bucket or channel")
	asJSON := fs.Bool("json", false, "print JSON (every dimension when --by is not given)")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("report collections takes no arguments")
	}
	from, to, err := reportPeriodFlags(*fromText, *toText)
	if err != nil {
		return err
	}
	if _, err := report.ParseDimension(*by); err != nil {
		return err
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadReport, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.CollectionReport(ctx, from, to, *by)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, rep)
	}
	printCollections(m.Stdout, rep)
	return nil
}

// ratioPct is a ratio as a percentage, "n/a" without a denominator.
func ratioPct(r report.Ratio) string {
	if r.Value == nil {
		return "n/a"
	}
	return pct(*r.Value)
}

// ratioNum is a ratio with the decimals given, "n/a" without a
// denominator.
func ratioNum(r report.Ratio, decimals int) string {
	if r.Value == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", decimals, *r.Value)
}

func printCollections(w io.Writer, r report.CollectionReport) {
	t, k := r.Total.Figures, r.Total.KPIs
	fmt.Fprintf(w, "Collections from %v to %v\n\n", r.From, r.To)
	tw := table(w)
	fmt.Fprintln(tw, "KPI\tvalue\tnumerator\tdenominator\t")
	row := func(name, value, num, den string) { fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, value, num, den) }
	row("contact rate 接通率", ratioPct(k.ContactRate), group(t.Connected)+" connected", group(t.Attempts)+" attempts")
	row("right-party contact rate", ratioPct(k.RPCRate), group(t.RPC)+" right party", group(t.Attempts)+" attempts")
	row("promise rate 承诺率", ratioPct(k.PromiseRate), group(t.PromisesMade)+" promises", group(t.RPC)+" right party")
	row("promise-kept rate 承诺兑现率", ratioPct(k.PromiseKeptRate), group(t.PromisesKept)+" kept", group(t.PromisesKept+t.PromisesBroken)+" kept or broken")
	row("cure rate 治愈率", ratioPct(k.CureRate), group(t.Cured)+" cured", group(t.Episodes)+" episodes")
	row("collection success rate 催回率", ratioPct(k.SuccessRate), group(t.Cured+t.Settled)+" cured or settled", group(t.Ended)+" ended")
	cycle := ratioNum(k.CycleDays, 1)
	if k.CycleDays.Value != nil {
		cycle += " days"
	}
	row("average collection cycle", cycle, group(t.CureDays)+" days", group(t.Cured)+" cured")
	row("roll-forward rate 恶化率", ratioPct(k.RollForwardRate), group(t.RolledForward)+" rolled", group(t.Episodes)+" episodes")
	row("cost per unit collected", ratioNum(k.CostPerCollected, 4), t.Cost.Grouped()+" cost", t.Collected.Grouped()+" collected")
	row("complaint rate 投诉率", ratioPct(k.ComplaintRate), group(t.Complaints)+" complaints", group(t.RPC)+" right party")
	row("satisfaction 满意度 (1–5)", ratioNum(k.Satisfaction, 2), group(t.SatisfactionSum)+" points", group(t.Rated)+" rated")
	tw.Flush()
	fmt.Fprintf(w, "\n%s contacts, %s promises for %s, %s episodes active (%s entered), %s ended: %s cured, %s settled, %s written off\n",
		group(t.Contacts), group(t.PromisesMade), t.Promised.Grouped(), group(t.Episodes), group(t.Entered), group(t.Ended), group(t.Cured), group(t.Settled), group(t.WrittenOff))

	if b := r.Book; b != nil {
		fmt.Fprintln(w)
		tw = table(w)
		fmt.Fprintln(tw, "book\tvalue\tnumerator\tdenominator\t")
		asOf := "no close"
		if b.AsOf != 0 {
			asOf = "as of " + b.AsOf.String()
		}
		row("90+ DPD share", ratioPct(b.Over90Share), b.Over90Balance.Grouped()+" 90+", b.ActiveBalance.Grouped()+" active, "+asOf)
		opening := "no close before"
		if b.OpeningDate != 0 {
			opening = "past due on " + b.OpeningDate.String()
		}
		row("write-off ratio 核销率", ratioPct(b.WriteOffRatio), b.WrittenOff.Grouped()+" written off ("+group(b.WrittenOffN)+" loans)", b.OpeningPastDue.Grouped()+" "+opening)
		row("recovered on written-off loans", b.Recovered.Grouped(), group(b.Recoveries)+" recoveries", "")
		if c := b.OfficerChurn; c != nil {
			row("officer-loan churn 客户流失率", ratioPct(*c), group(c.Num)+" settled early", group(c.Den)+" officer loans")
		}
		tw.Flush()
	}

	if len(r.Lines) > 0 && r.By != "" {
		fmt.Fprintf(w, "\nBy %s\n", r.By)
		printCollectionLines(w, r.By, r.Lines)
	}
	if len(r.Trend) > 0 {
		fmt.Fprintln(w, "\nDaily, as close of business recorded each date")
		tw = table(w)
		fmt.Fprintln(tw, "date\tattempts\tcontact\tRPC\tpromises\tkept\tepisodes\tcured\tcure rate\tcollected\t")
		for _, p := range r.Trend {
			f := p.Figures
			fmt.Fprintf(tw, "%v\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p.Date, group(f.Attempts), ratioPct(p.KPIs.ContactRate), ratioPct(p.KPIs.RPCRate),
				group(f.PromisesMade), ratioPct(p.KPIs.PromiseKeptRate), group(f.Episodes), group(f.Cured), ratioPct(p.KPIs.CureRate), f.Collected.Grouped())
		}
		tw.Flush()
	}
}

func printCollectionLines(w io.Writer, dim string, lines []report.CollectionLine) {
	tw := table(w)
	fmt.Fprintf(tw, "%s\tattempts\tcontact\tRPC\tpromise\tkept\tepisodes\tcure\tsuccess\tcycle (d)\troll fwd\tcollected\tcost\tcost/collected\tcomplaints\tsatisfaction\t\n", dim)
	for _, l := range lines {
		f, k := l.Figures, l.KPIs
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Key, group(f.Attempts), ratioPct(k.ContactRate), ratioPct(k.RPCRate),
			ratioPct(k.PromiseRate), ratioPct(k.PromiseKeptRate), group(f.Episodes), ratioPct(k.CureRate), ratioPct(k.SuccessRate), ratioNum(k.CycleDays, 1),
			ratioPct(k.RollForwardRate), f.Collected.Grouped(), f.Cost.Grouped(), ratioNum(k.CostPerCollected, 4), group(f.Complaints), ratioNum(k.Satisfaction, 2))
	}
	tw.Flush()
}
