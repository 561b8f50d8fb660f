package cli

import (
	"context"
	"fmt"

	"daihou"
	"daihou/legal"
	"daihou/money"
	"daihou/store"
	"daihou/web/api"
)

const caseUsage = `Usage:
  daihou case open LOAN --kind litigation|agency [--agency CODE] [--court C] [--court-ref R] [--assignee USER] [--note T]
  daihou case move ID --stage STAGE [--court C] [--court-ref R] [--note T]
  daihou case cost ID --amount A [--note T]
  daihou case recover ID --amount A [--reference R] [--note T]
  daihou case list [--loan L] [--kind K] [--stage S] [--open] [--assignee USER] [--limit N]
  daihou case show ID
Each takes --json.

Legal and recovery cases (诉讼/委外): a loan sent to litigation or placed with
a collection agency. A case moves forward through its stages — any later
one; a stage may be skipped, and a case may close at any stage:

  litigation  filed (起诉) → accepted (立案) → preservation (诉讼保全/资产保全)
              → judgment (判决) → enforcement (执行) → closed (结案)
  agency      placed (委案) → working (催收中) → returned (退案) → closed

A recovery recorded on a case is posted to its loan at once — a recovery
after write-off (核销后收回) on a written-off loan, a repayment on any other —
and counted on the case, linked to the ledger by the posting's seq; the
same --reference twice records it once. Legal works the cases of the loans
assigned to it; a manager opens them and names the lawyer (--assignee),
who is then assigned the loan. Every change is audited.`

func (m *Main) runCase(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, caseUsage, "case open|move|cost|recover|list|show", verbs{
		"open": m.caseOpen, "move": m.caseMove, "cost": m.caseCost, "recover": m.caseRecover, "list": m.caseList, "show": m.caseShow,
	})
}

func (m *Main) caseOpen(ctx context.Context, args []string) error {
	fs := m.newFlagSet("case open LOAN --kind litigation|agency [flags]", "Open a litigation or agency case on a loan at its first stage (filed, or\nplaced), on the business date. A loan has one open case of a kind at most.")
	b := m.bookFlags(fs)
	kind := fs.String("kind", "", "litigation (诉讼) or agency (委外) (required)")
	agency := fs.String("agency", "", "agency: the code of the agency it is placed with")
	court := fs.String("court", "", "litigation: the court")
	courtRef := fs.String("court-ref", "", "litigation: the court's case number (案号), if it has one")
	assignee := fs.String("assignee", "", "the user with role legal who works it (default: you, when you are legal)")
	note := fs.String("note", "", "a note")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *kind == "" {
		fs.Usage()
		return usagef("want one loan and --kind")
	}
	k, err := legal.ParseKind(*kind)
	if err != nil {
		return err
	}
	s, ctx, l, err := m.openLoan(ctx, b, fs.Arg(0))
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.OpenCase(ctx, l.ID, store.NewCase{Kind: k, Agency: *agency, Court: *court, CourtRef: *courtRef, Assignee: *assignee, Note: *note})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.CaseOf(c))
	}
	fmt.Fprintf(m.Stdout, "%s case %d of %s opened at %s on %v", c.Kind, c.ID, l.ExternalID, c.Stage, c.Opened)
	if c.Assignee != "" {
		fmt.Fprintf(m.Stdout, ", worked by %s", c.Assignee)
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

func (m *Main) caseMove(ctx context.Context, args []string) error {
	fs := m.newFlagSet("case move ID --stage STAGE [flags]", "Move a case forward to a later stage of its kind ('daihou case -h' lists\nthem); closed closes it on the business date.")
	b := m.bookFlags(fs)
	stage := fs.String("stage", "", "the stage (required)")
	court := fs.String("court", "", "litigation: the court")
	courtRef := fs.String("court-ref", "", "litigation: the court's case number (案号), given when it accepts the claim")
	note := fs.String("note", "", "a note")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "case", "case list")
	if err != nil {
		return err
	}
	if *stage == "" {
		fs.Usage()
		return usagef("want --stage")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	c, e, err := s.MoveCase(ctx, id, store.CaseMove{Stage: legal.Stage(*stage), Court: *court, CourtRef: *courtRef, Note: *note})
	if err != nil {
		return err
	}
	return m.printCaseEvent(c, e, *asJSON)
}

func (m *Main) caseCost(ctx context.Context, args []string) error {
	fs := m.newFlagSet("case cost ID --amount A [--note T]", "Add a cost to an open case: court fees (诉讼费), a lawyer's or an agency's fee.")
	b := m.bookFlags(fs)
	amount := fs.String("amount", "", "the cost in yuan (required)")
	note := fs.String("note", "", "what it was")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "case", "case list")
	if err != nil {
		return err
	}
	a, err := caseAmount(fs.Usage, *amount)
	if err != nil {
		return err
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	c, e, err := s.AddCaseCost(ctx, id, a, *note)
	if err != nil {
		return err
	}
	return m.printCaseEvent(c, e, *asJSON)
}

func (m *Main) caseRecover(ctx context.Context, args []string) error {
	fs := m.newFlagSet("case recover ID --amount A [--reference R] [--note T]", `Record money recovered on an open case: posted to its loan at once — a
recovery when the loan is written off, a repayment otherwise — on the
business date, and counted on the case. --reference is the idempotency key
(the court's or the agency's remittance number): the same one again
records nothing twice.`)
	b := m.bookFlags(fs)
	amount := fs.String("amount", "", "the amount recovered in yuan (required)")
	ref := fs.String("reference", "", "the remittance's reference (default: one of the case's own)")
	note := fs.String("note", "", "where it came from")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "case", "case list")
	if err != nil {
		return err
	}
	a, err := caseAmount(fs.Usage, *amount)
	if err != nil {
		return err
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	c, e, dup, err := s.RecordCaseRecovery(ctx, id, a, *ref, *note)
	if err != nil {
		return err
	}
	if dup && !*asJSON {
		fmt.Fprintf(m.Stdout, "already recorded as event %d of case %d (ledger #%d): nothing changed\n", e.Seq, c.ID, e.LedgerSeq)
		return nil
	}
	return m.printCaseEvent(c, e, *asJSON)
}

// caseAmount reads a required --amount.
func caseAmount(usage func(), s string) (money.Amount, error) {
	if s == "" {
		usage()
		return 0, usagef("want --amount")
	}
	a, err := money.ParseAmount(s)
	if err != nil {
		return 0, daihou.Invalid("amount", "--amount: %v", err)
	}
	return a, nil
}

// printCaseEvent prints a case after one of its events.
func (m *Main) printCaseEvent(c legal.Case, e legal.Event, asJSON bool) error {
	if asJSON {
		return writeJSON(m.Stdout, api.CaseEventAnswer{Case: api.CaseOf(c), Event: api.CaseEventOf(e)})
	}
	fmt.Fprintf(m.Stdout, "case %d of loan %d: %s; now %s, costs %s, recovered %s\n", c.ID, c.LoanID, e.Describe(), c.Stage, c.Costs, c.Recovered)
	return nil
}

func (m *Main) caseList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("case list [flags]", "List the cases on the loans you may see, newest first.")
	b := m.bookFlags(fs)
	loan := fs.String("loan", "", "only the cases of this loan: its id or the lender's loan number")
	kind := fs.String("kind", "", "litigation or agency")
	stage := fs.String("stage", "", "only the cases at this stage")
	open := fs.Bool("open", false, "only the cases not closed")
	assignee := fs.String("assignee", "", "only the cases this user works")
	limit := fs.Int("limit", 100, "at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("case list takes no arguments")
	}
	if err := checkLimit(*limit); err != nil {
		return err
	}
	f := store.CaseFilter{Stage: legal.Stage(*stage), Open: *open, Assignee: *assignee, Limit: *limit}
	if *kind != "" {
		k, err := legal.ParseKind(*kind)
		if err != nil {
			return err
		}
		f.Kind = k
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if f.LoanID, err = loanFilter(ctx, s, *loan); err != nil {
		return err
	}
	cs, err := s.Cases(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, api.CasesOf(cs))
	}
	tw := textTable(m.Stdout)
	fmt.Fprintln(tw, "id\tloan\tkind\tstage\topened\tclosed\tcourt ref\tagency\tassignee\tcosts\trecovered")
	for _, c := range cs {
		closed := ""
		if c.Closed != 0 {
			closed = c.Closed.String()
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.LoanID, c.Kind, c.Stage, c.Opened, closed, c.CourtRef, c.Agency, c.Assignee, c.Costs, c.Recovered)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m.listEnd(len(cs), *limit, "no cases")
	return nil
}

func (m *Main) caseShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet("case show ID [--json]", "Show a case and everything that happened on it, in order.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	id, err := idArg(fs, "case", "case list")
	if err != nil {
		return err
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Case(ctx, id)
	if err != nil {
		return err
	}
	es, err := s.CaseEvents(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, struct {
			Case   api.Case        `json:"case"`
			Events []api.CaseEvent `json:"events"`
		}{api.CaseOf(c), api.CaseEventsOf(es)})
	}
	fmt.Fprintf(m.Stdout, "Case %d: %s of loan %d, %s, opened %v", c.ID, c.Kind, c.LoanID, c.Stage, c.Opened)
	if c.Closed != 0 {
		fmt.Fprintf(m.Stdout, ", closed %v", c.Closed)
	}
	fmt.Fprintln(m.Stdout)
	for _, kv := range [][2]string{{"court", c.Court}, {"案号", c.CourtRef}, {"agency", c.Agency}, {"assignee", c.Assignee}} {
		if kv[1] != "" {
			fmt.Fprintf(m.Stdout, "  %s: %s\n", kv[0], kv[1])
		}
	}
	fmt.Fprintf(m.Stdout, "  costs %s, recovered %s\n\n", c.Costs, c.Recovered)
	tw := textTable(m.Stdout)
	fmt.Fprintln(tw, "seq\tdate\tevent\tstage\tby\tnote")
	for _, e := range es {
		fmt.Fprintf(tw, "%d\t%v\t%s\t%s\t%s\t%s\n", e.Seq, e.Business, e.Describe(), e.Stage, e.By, e.Note)
	}
	return tw.Flush()
}
