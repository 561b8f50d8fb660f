package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/loanstate"
	"daihou/loanview"
	"daihou/signal"
	"daihou/store"
	"daihou/warning"
	"daihou/web/api"
)

const ruleUsage = `Usage:
  daihou rule list [--json]                       every rule, its latest version, on or off
  daihou rule show CODE [--json]                  a rule, the variables it reads, its versions
  daihou rule put FILE [--json]                   store the rules of a JSON file as new versions
  daihou rule test CODE --loan L [--date D]       evaluate a rule on one loan, now
  daihou rule enable CODE | disable CODE          switch a rule on or off (a new version)
  daihou rule backtest --from D1 --to D2 [--rule FILE] [--json]
                                                  what the rules would have raised, judged

Early-warning rules (预警规则) are data: a CEL expression of type bool over
the variables of a loan, its score, its payments and its borrower's signals
(dpd, class_rank, score_drop, court_new_3m, inquiries_1m, …; 'rule show'
lists those a rule reads). Close of business evaluates the rules that are
on and raises a warning when one is true, once per open warning and never
again within its cooldown. Every change is a new version of the rule,
audited, in force from the next close of business.

A rule file is JSON, one rule or a list:
  {"code": "court_case", "name": "Court case 涉诉", "expr": "court_new_3m > 0",
   "severity": "orange", "cooldown": 90, "owner": "legal", "enabled": true,
   "description": "…"}
severity is red, orange or yellow (红, 橙, 黄); owner the role that handles
its warnings; enabled left out keeps a rule as it is, and a new rule off.
Reading rules takes the risk-officer, manager or auditor role; changing and
back-testing them, risk-officer.`

func (m *Main) runRule(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, ruleUsage, "rule list|show|put|test|enable|disable|backtest", verbs{
		"list": m.ruleList, "show": m.ruleShow, "put": m.rulePut, "test": m.ruleTest,
		"enable": m.ruleSwitch(true), "disable": m.ruleSwitch(false), "backtest": m.ruleBacktest,
	})
}

// onOff names whether a rule is switched on.
func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// severityText is a severity in both languages: 橙 orange.
func severityText(s warning.Severity) string { return s.Chinese() + " " + s.String() }

func (m *Main) ruleList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("rule list [--json]", "List every warning rule: its latest version, on or off, severity, cooldown, owner and expression.\nA book with no rules yet gets the default set first.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("rule list takes no arguments")
	}
	s, ctx, err := m.open(ctx, b) // the defaults are written on first use
	if err != nil {
		return err
	}
	defer s.Close()
	if err := can(ctx, auth.ReadRules, auth.Book()); err != nil {
		return err
	}
	rs, err := s.Rules(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.RulesOf(rs))
	}
	tw := textTable(m.Stdout)
	fmt.Fprintln(tw, "code\tversion\tstate\tseverity\tcooldown\towner\tname\texpression")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%dd\t%s\t%s\t%s\n", r.Code, r.Version, onOff(r.Enabled), severityText(r.Severity), r.Cooldown, r.Owner, r.Name, oneLine(r.Expr))
	}
	return tw.Flush()
}

// textTable returns a tabwriter whose columns are aligned left, for
// tables of names and expressions rather than figures.
func textTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// oneLine keeps an expression of several lines on one line of a table.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (m *Main) ruleShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet("rule show CODE [--json]", "Show a rule: its latest version, the variables it reads, and every version\nwith who put it and when, newest first.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one rule code ('daihou rule list' shows them)")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	h, err := api.LoadRuleHistory(ctx, s, fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, h)
	}
	r := h.Rule
	w := m.Stdout
	fmt.Fprintf(w, "%s version %d — %s\n", r.Code, r.Version, r.Name)
	fmt.Fprintf(w, "  %s, %s %s, cooldown %d days, owner %s\n", onOff(r.Enabled), r.SeverityZH, r.Severity, r.Cooldown, r.Owner)
	fmt.Fprintf(w, "  expression: %s\n", oneLine(r.Expr))
	if r.Description != "" {
		fmt.Fprintf(w, "  %s\n", r.Description)
	}
	fmt.Fprintln(w, "\nVariables it reads")
	tw := textTable(w)
	for _, name := range h.Vars {
		for _, v := range warning.Vars {
			if v.Name == name {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, v.Type, v.Doc)
			}
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nVersions")
	tw = textTable(w)
	fmt.Fprintln(tw, "version\tstate\tseverity\tcooldown\towner\tput by\tat (UTC)\texpression")
	for _, v := range h.Versions {
		fmt.Fprintf(tw, "%d\t%s\t%s %s\t%dd\t%s\t%s\t%s\t%s\n", v.Version, onOff(v.Enabled), v.SeverityZH, v.Severity, v.Cooldown, v.Owner, orDash(v.By), orDash(v.At), oneLine(v.Expr))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// reword returns err with more said before and after its message, its
// code and field kept: the command line prints the message of the first
// daihou.Error in a chain, which a wrapping fmt.Errorf would not change.
func reword(err error, before, after string) error {
	var e *daihou.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s%w%s", before, err, after)
	}
	return &daihou.Error{Code: daihou.ErrorCode(err), Field: daihou.ErrorField(err), Message: before + daihou.ErrorMessage(err) + after, Err: err}
}

// readRuleFile reads the rules of a JSON file ("-" for stdin).
func (m *Main) readRuleFile(path string) ([]api.RuleRequest, error) {
	var data []byte
	var err error
	if path == "-" {
		if m.Stdin == nil {
			return nil, usagef("there is no stdin to read the rules from")
		}
		data, err = io.ReadAll(io.LimitReader(m.Stdin, 1<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, daihou.Errorf(daihou.EINVALID, "%s: %v", path, err)
	}
	rs, err := api.DecodeRules(data)
	if err != nil {
		return nil, reword(err, path+": ", "")
	}
	return rs, nil
}

func (m *Main) rulePut(ctx context.Context, args []string) error {
	fs := m.newFlagSet("rule put FILE [--json]", `Store each rule of FILE (JSON, one rule or a list; - for stdin) as the next
version of its code — a new code is a new rule, at version 1 — and print the
versions. Every rule is checked before any is stored: an expression that
does not compile is refused with its line:column and the reason, and
nothing is stored. The new versions take effect at the next close of
business; 'daihou rule backtest --rule FILE' tries them first.`)
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one rule file")
	}
	reqs, err := m.readRuleFile(fs.Arg(0))
	if err != nil {
		return err
	}
	s, ctx, err := m.openFor(ctx, b, auth.ManageRules, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	current, err := s.Rules(ctx)
	if err != nil {
		return err
	}
	rules := make([]warning.Rule, len(reqs))
	for i, req := range reqs {
		enabled := false // a new rule is off until switched on
		for _, c := range current {
			if c.Code == req.Code {
				enabled = c.Enabled
			}
		}
		if rules[i], err = req.Rule(enabled); err != nil {
			return reword(err, fs.Arg(0)+": ", " (nothing was stored)")
		}
		if _, err := warning.Compile(rules[i]); err != nil {
			return reword(err, fs.Arg(0)+": ", " (nothing was stored)")
		}
	}
	var out []api.Rule
	for i, r := range rules {
		got, err := s.PutRule(ctx, r)
		if err != nil {
			if i > 0 {
				return reword(err, "", fmt.Sprintf(" (the %d rules before it were stored)", i))
			}
			return err
		}
		out = append(out, api.RuleOf(got))
		if !*asJSON {
			fmt.Fprintf(m.Stdout, "rule %s: version %d stored (%s, %s, cooldown %d days, owner %s)\n", got.Code, got.Version, onOff(got.Enabled), severityText(got.Severity), got.Cooldown, got.Owner)
		}
	}
	if *asJSON {
		return writeJSON(m.Stdout, out)
	}
	fmt.Fprintln(m.Stdout, "in force from the next close of business")
	return nil
}

func (m *Main) ruleSwitch(on bool) func(context.Context, []string) error {
	verb, help := "enable", "Switch a rule on, as a new version: close of business evaluates it from its next run."
	if !on {
		verb, help = "disable", "Switch a rule off, as a new version: close of business raises no more warnings by it\n(those raised stay, with their life cycle)."
	}
	return func(ctx context.Context, args []string) error {
		fs := m.newFlagSet("rule "+verb+" CODE [--json]", help)
		b := m.bookFlags(fs)
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parseFlags(fs, reorder(fs, args)); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			fs.Usage()
			return usagef("want one rule code ('daihou rule list' shows them)")
		}
		s, ctx, err := m.openFor(ctx, b, auth.ManageRules, auth.Book())
		if err != nil {
			return err
		}
		defer s.Close()
		before, err := s.RuleVersions(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		r, err := s.SetRuleEnabled(ctx, fs.Arg(0), on)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(m.Stdout, api.RuleOf(r))
		}
		if r.Version == before[0].Version {
			fmt.Fprintf(m.Stdout, "rule %s is already %s (version %d)\n", r.Code, onOff(on), r.Version)
			return nil
		}
		fmt.Fprintf(m.Stdout, "rule %s is %s: version %d, in force from the next close of business\n", r.Code, onOff(on), r.Version)
		return nil
	}
}

// ruleTestResult is what 'rule test' finds.
type ruleTestResult struct {
	Rule    string     `json:"rule"`
	Version int        `json:"version"`
	Enabled bool       `json:"enabled"`
	LoanID  int64      `json:"loan_id"`
	Loan    string     `json:"loan"` // the lender's loan number
	Date    civil.Date `json:"date"`
	Result  bool       `json:"result"`
	// Reason is the sentence a warning of the rule would carry: the
	// values of the variables it reads.
	Reason string `json:"reason"`
	// Error is why the expression failed on these values (a key missing
	// from custom): the rule is then not true.
	Error string   `json:"error,omitempty"`
	Notes []string `json:"notes"`
}

func (m *Main) ruleTest(ctx context.Context, args []string) error {
	fs := m.newFlagSet("rule test CODE --loan L [--date D] [--json]", `Evaluate the latest version of a rule on one loan and print true or false,
with the values of the variables it reads — the reason a warning would
carry. The loan is derived as close of business derives it: on the business
date its stored state (score, override, contagion), on another date its
ledger replayed then; its borrower's signals as known by the date. Whether
close of business would raise a warning also depends on an open warning of
the rule on the loan and on its cooldown: 'daihou warning list --loan L'.`)
	b := m.bookFlags(fs)
	ref := fs.String("loan", "", "the loan: its id or the lender's loan number")
	date := fs.String("date", "", "evaluate as of this date, at most the business date (default the business date)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *ref == "" {
		fs.Usage()
		return usagef("want one rule code and --loan")
	}
	var d civil.Date
	if *date != "" {
		var err error
		if d, err = civil.Parse(*date); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--date: %v", err)
		}
	}
	s, ctx, err := m.openFor(ctx, b, auth.ReadRules, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	vs, err := s.RuleVersions(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	p, err := warning.Compile(vs[0])
	if err != nil {
		return err
	}
	in, notes, err := ruleInput(ctx, s, *ref, d)
	if err != nil {
		return err
	}
	res := ruleTestResult{Rule: p.Rule.Code, Version: p.Rule.Version, Enabled: p.Rule.Enabled, LoanID: in.Loan.ID, Loan: in.Loan.ExternalID,
		Date: in.Date, Reason: p.Reason(&in), Notes: notes}
	if res.Result, err = p.Eval(&in); err != nil {
		res.Error = err.Error()
	}
	if !res.Enabled {
		res.Notes = append(res.Notes, "the rule is off: close of business does not evaluate it ('daihou rule enable "+res.Rule+"')")
	}
	if *asJSON {
		return writeJSON(m.Stdout, res)
	}
	fmt.Fprintf(m.Stdout, "rule %s version %d on loan %d (%s) as of %v: %t\n", res.Rule, res.Version, res.LoanID, res.Loan, res.Date, res.Result)
	if res.Reason != "" {
		fmt.Fprintf(m.Stdout, "  %s\n", res.Reason)
	}
	if res.Error != "" {
		fmt.Fprintf(m.Stdout, "  the expression failed on these values, so the rule is not true: %s\n", res.Error)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(m.Stdout, "note: %s\n", n)
	}
	return nil
}

// ruleInput derives what the rules of one loan read as of a date (zero:
// the business date), and notes on how it differs from what close of
// business sees.
//
// TODO: this is close of business's derivation of one loan; the console's
// rule editor will need it too, and it belongs with the store (a
// store.RuleInput) once that file is open to change.
func ruleInput(ctx context.Context, s *store.DB, ref string, d civil.Date) (warning.Input, []string, error) {
	var in warning.Input
	notes := []string{}
	l, err := loanview.Find(ctx, s, ref)
	if err != nil {
		return in, nil, err
	}
	business, err := s.BusinessDate(ctx)
	if err != nil {
		return in, nil, err
	}
	if d == 0 {
		d = business
	}
	switch {
	case d.After(business):
		return in, nil, daihou.Errorf(daihou.EINVALID, "--date %v is after the business date %v: nothing is known of it yet", d, business)
	case d.Before(l.Disbursed):
		return in, nil, daihou.Errorf(daihou.EINVALID, "--date %v: loan %s is disbursed on %v, and has no state before", d, ref, l.Disbursed)
	}
	prods, err := s.Products(ctx)
	if err != nil {
		return in, nil, err
	}
	txs, err := s.Transactions(ctx, l.ID)
	if err != nil {
		return in, nil, err
	}
	// The replay gives the installments (PaymentFactsOf) on any date; on
	// the business date the stored snapshot adds what no replay of one
	// loan recomputes: the behaviour score, an approved override, the
	// borrower's contagion.
	der := loanstate.Deriver{KeepState: true, Contagion: loanstate.Contagion{Off: true}}
	got, _ := der.Derive(d, []loanstate.Input{{Product: prods[l.Product], Loan: l, Txs: txs}}, nil)
	snap, st := got[0].Snapshot, got[0].State
	cached := false
	if d == business {
		c, err := s.Snapshot(ctx, l.ID)
		switch {
		case err == nil:
			snap, cached = c, true
		case daihou.ErrorCode(err) != daihou.ENOTFOUND:
			return in, nil, err
		}
	}
	if !cached {
		notes = append(notes, fmt.Sprintf("the loan's own ledger replayed as of %v: no behaviour score, override or borrower contagion, which close of business would add", d))
	}
	sigs, err := s.BorrowerSignals(ctx, []int64{l.BorrowerID}, d)
	if err != nil {
		return in, nil, err
	}
	facts := signal.Summarise(sigs[l.BorrowerID], d)
	in = warning.Input{Date: d, Loan: &l, Snapshot: &snap, Facts: &facts}
	if st != nil {
		in.Payments = warning.PaymentFactsOf(st)
	}
	return in, notes, nil
}

func (m *Main) ruleBacktest(ctx context.Context, args []string) error {
	fs := m.newFlagSet("rule backtest --from D1 --to D2 [--rule FILE] [--json]", `Replay the book from D1 to D2 with the rules switched on — or with the
drafts of --rule FILE, each taken as on and none stored — raising warnings
exactly as close of business run every day would have, follow the loans to
the business date, and judge the warnings beside as many raised at random
on the same dates (the baseline a rule must beat):

  warnings, loans  raised in [D1, D2], and the loans they were raised on
  early 90+        提前识别率: of the loans that reached 90+ DPD in [D1, D2],
                   those warned at least 30 days before; early 次级+ the same
                   for substandard (次级) or worse
  hit 30+, 90+     命中率: of the loans first warned in [D1, D2] while not yet
                   there, with 90 days since by the business date, those
                   that got there within 90 days

Nothing is written. It takes the risk-officer role.`)
	b := m.bookFlags(fs)
	fromText := fs.String("from", "", "first date of the back-test (required)")
	toText := fs.String("to", "", "last date, at most the business date (required)")
	file := fs.String("rule", "", "back-test the draft rules of this JSON file (see 'daihou rule -h') instead of those switched on")
	asJSON := fs.Bool("json", false, "print JSON: the report and the random baseline")
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
	var drafts []warning.Rule
	if *file != "" {
		reqs, err := m.readRuleFile(*file)
		if err != nil {
			return err
		}
		if drafts, err = api.DraftRules(reqs); err != nil {
			return reword(err, *file+": ", "")
		}
	}
	s, ctx, err := m.openFor(ctx, b, auth.ManageRules, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	rules, what := drafts, "the draft rules of "+*file
	if *file == "" {
		all, err := s.Rules(ctx)
		if err != nil {
			return err
		}
		rules, what = api.EnabledRules(all), "the rules switched on"
	}
	bt, err := s.BacktestRules(ctx, rules, from, to)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.BacktestOf(bt))
	}
	fmt.Fprintf(m.Stdout, "Back-test of %s (%d) from %v to %v on %s loans, outcomes as of %v: %s warnings\n\n",
		what, len(rules), from, to, group(int64(bt.Loans)), bt.Report.AsOf, group(int64(len(bt.Warnings))))
	printWarningReport(m.Stdout, bt.Report, &bt.Random)
	return nil
}

// parseRange parses --from and --to, from ≤ to.
func parseRange(fromText, toText string) (civil.Date, civil.Date, error) {
	from, err := civil.Parse(fromText)
	if err != nil {
		return 0, 0, daihou.Errorf(daihou.EINVALID, "--from: %v", err)
	}
	to, err := civil.Parse(toText)
	if err != nil {
		return 0, 0, daihou.Errorf(daihou.EINVALID, "--to: %v", err)
	}
	if to.Before(from) {
		return 0, 0, daihou.Errorf(daihou.EINVALID, "--to %v is before --from %v", to, from)
	}
	return from, to, nil
}

// printWarningReport prints the judge's numbers, per rule and for the set;
// with random, each row has the random baseline's under it.
func printWarningReport(w io.Writer, rep warning.Report, random *warning.Report) {
	tw := table(w)
	fmt.Fprintln(tw, "rule\twarnings\tloans\tearly 90+\tearly 次级+\thit 30+ in 90d\thit 90+ in 90d\t")
	row := func(name string, s warning.Stat) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, group(int64(s.Warnings)), group(int64(s.Loans)), s.Early90, s.EarlyNPL, s.Hit30, s.Hit90)
	}
	baseline := func(code string) {
		if random == nil {
			return
		}
		s := random.Set
		if code != "" {
			s = warning.Stat{Rule: code}
			for _, r := range random.Rules {
				if r.Rule == code {
					s = r
				}
			}
		}
		row("random", s)
	}
	row("all rules", rep.Set)
	baseline("")
	for _, s := range rep.Rules {
		row(s.Rule, s)
		baseline(s.Rule)
	}
	tw.Flush()
	if len(rep.Rules) == 0 {
		fmt.Fprintln(w, "\nno warning was raised in the window")
	}
}
