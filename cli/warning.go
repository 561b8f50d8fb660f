package cli

import (
	"context"
	"fmt"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/store"
	"daihou/warning"
	"daihou/web/api"
)

const warningUsage = `Usage:
  daihou warning list [--state open|raised|acknowledged|escalated|resolved] [--severity red|orange|yellow]
                      [--rule CODE] [--loan L] [--from D] [--to D] [--limit N] [--json]
  daihou warning ack ID [--note TEXT]         acknowledge (确认): seen, and acting
  daihou warning escalate ID [--note TEXT]    escalate (升级): hand it up, to a manager or legal
  daihou warning resolve ID [--note TEXT]     resolve (解除): dealt with, or a false alarm

Close of business raises a warning (预警) when an early-warning rule is true
on a loan ('daihou rule -h'). A warning goes

  raised → acknowledged → resolved
                ↘ escalated → resolved

and a raised one may be escalated or resolved at once. While a warning is
open (not resolved) its rule raises no other on the loan; once resolved, it
may raise again when its cooldown is over. Each move is dated the business
date and audited. You see, and handle, the warnings on the loans you may
see: a collector those assigned to them.`

func (m *Main) runWarning(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, warningUsage, "warning list|ack|escalate|resolve", verbs{
		"list": m.warningList, "ack": m.warningMove(warning.Acknowledged), "escalate": m.warningMove(warning.Escalated),
		"resolve": m.warningMove(warning.Resolved),
	})
}

func (m *Main) warningList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("warning list [flags]", "List the warnings on the loans you may see, newest first.")
	b := m.bookFlags(fs)
	state := fs.String("state", "", "open (every one not resolved), raised, acknowledged, escalated or resolved")
	severity := fs.String("severity", "", "red, orange or yellow (红, 橙, 黄)")
	rule := fs.String("rule", "", "only the warnings of this rule")
	loan := fs.String("loan", "", "only the warnings on this loan: its id or the lender's loan number")
	fromText := fs.String("from", "", "raised on or after this date")
	toText := fs.String("to", "", "raised on or before this date")
	limit := fs.Int("limit", 100, "at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("warning list takes no arguments")
	}
	if err := checkLimit(*limit); err != nil {
		return err
	}
	f := store.WarningFilter{Rule: *rule, State: *state, Severity: *severity, Limit: *limit}
	for _, d := range []struct {
		flag string
		text string
		to   *civil.Date
	}{{"--from", *fromText, &f.From}, {"--to", *toText, &f.To}} {
		if d.text == "" {
			continue
		}
		v, err := civil.Parse(d.text)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "%s: %v", d.flag, err)
		}
		*d.to = v
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if f.Loan, err = loanFilter(ctx, s, *loan); err != nil {
		return err
	}
	ws, err := s.Warnings(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.WarningsOf(ws))
	}
	tw := textTable(m.Stdout)
	fmt.Fprintln(tw, "id\tloan\trule\tseverity\traised\tstate\towner\treason")
	for _, w := range ws {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%v\t%s\t%s\t%s\n", w.ID, w.LoanID, w.Rule, severityText(w.Severity), w.Raised, w.State, w.Owner, w.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m.listEnd(len(ws), *limit, "no warnings")
	return nil
}

func (m *Main) warningMove(to warning.State) func(context.Context, []string) error {
	moves := map[warning.State][2]string{
		warning.Acknowledged: {"ack", "Acknowledge a warning (确认): you have seen it and are acting."},
		warning.Escalated:    {"escalate", "Escalate a warning (升级): hand it up, to a manager or legal."},
		warning.Resolved:     {"resolve", "Resolve a warning (解除): dealt with, or a false alarm. Its rule may raise\nagain on the loan once its cooldown is over."},
	}
	verb, help := moves[to][0], moves[to][1]
	return func(ctx context.Context, args []string) error {
		fs := m.newFlagSet("warning "+verb+" ID [--note TEXT] [--json]", help+"\nThe move is dated the business date and audited; one the life cycle does not\nallow (from a resolved warning, back, or to the same state) is refused.")
		b := m.bookFlags(fs)
		note := fs.String("note", "", "what you did or found (at most 500 bytes)")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parseFlags(fs, reorder(fs, args)); err != nil {
			return err
		}
		id, err := idArg(fs, "warning", "warning list")
		if err != nil {
			return err
		}
		s, ctx, err := m.open(ctx, b)
		if err != nil {
			return err
		}
		defer s.Close()
		w, err := s.MoveWarning(ctx, id, to, *note)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(m.Stdout, api.WarningOf(w))
		}
		fmt.Fprintf(m.Stdout, "warning %d (%s, %s) on loan %d: %s on %v by %s\n", w.ID, w.Rule, severityText(w.Severity), w.LoanID, w.State, w.Changed, w.By)
		return nil
	}
}

// reportWarnings is 'daihou report warnings': the live numbers of the
// warnings close of business raised.
func (m *Main) reportWarnings(ctx context.Context, args []string) error {
	fs := m.newFlagSet("report warnings --from D1 --to D2 [--json]", `Judge the warnings close of business raised from D1 to D2 against what
became of the loans by the business date: per rule and for the set, the
warnings and the loans warned, the early-identification rates (提前识别率)
of 90+ DPD and of 次级 substandard or worse — of the loans that got there in
the window, those warned at least 30 days before — and the hit rates
(命中率) of 30+ and 90+ DPD within 90 days of a loan's first warning.
'daihou rule backtest' gives the same numbers for rules not yet in force.`)
	b := m.bookFlags(fs)
	fromText := fs.String("from", "", "first date raised (required)")
	toText := fs.String("to", "", "last date raised (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 || *fromText == "" || *toText == "" {
		fs.Usage()
		return usagef("want --from and --to")
	}
	from, to, err := parseRange(*fromText, *toText)
	if err != nil {
		return err
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadReport, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.WarningReport(ctx, from, to)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.ReportOf(rep))
	}
	fmt.Fprintf(m.Stdout, "Warnings raised from %v to %v, outcomes as of %v\n\n", from, to, rep.AsOf)
	printWarningReport(m.Stdout, rep, nil)
	return nil
}
