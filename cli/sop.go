package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"daihou"
	"daihou/auth"
	"daihou/collection"
	"daihou/store"
	"daihou/web/api"
)

const sopUsage = `Usage:
  daihou sop show [--json]     the SOP timelines in force, with their steps
  daihou sop put FILE|-        store a SOP (JSON) as the next version of its code
  daihou sop default           print the built-in default SOP as JSON, to start from

A SOP (贷后 SOP) is a product's timeline of post-loan steps: on an anchor
(disbursement, the first overdue day, or the latest warning) plus an offset
in days, when a condition holds, close of business makes a task of the
step's kind; and periodic inspections (贷后检查), more often the riskier the
loan. Code is the product's code, or * for every product without its own.
The default: a phone revisit (电话回访) on day 30, a credit-report comparison
(征信比对) on day 60, preliminary collection (初步催收) on day 90 for the loans
that need it, a warning check on an orange or red warning.

  {"code": "*", "name": "…", "inspections": {"normal": 180, "yellow": 90, "orange": 30, "red": 15},
   "steps": [{"code": "revisit-30", "name": "Phone revisit 电话回访", "anchor": "disbursement",
              "offset": 30, "action": "revisit", "when": "dpd == 0"}]}

when is a CEL condition over the variables of the early-warning rules and
the collection ones (warning_level, willingness, broken_promises, age …);
one that does not compile is refused with its step and line:column, and
nothing is stored. A new version is in force from the next close of
business, which then looks at every loan again. Reading the SOPs takes the
risk-officer, manager or auditor role; putting one, risk-officer.`

func (m *Main) runSOP(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, sopUsage, "sop show|put|default", verbs{"show": m.sopShow, "put": m.sopPut, "default": m.sopDefault})
}

func (m *Main) sopShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet("sop show [--json]", "Show the SOP timelines in force: the latest version of each product's and of the\ndefault (*), or the built-in default while none has been put.")
	return showPlan(ctx, m, fs, args, "sop show", (*store.DB).SOPs,
		func(sops []collection.SOP) any { return api.SOPList{SOPs: sops} },
		func(w io.Writer, sops []collection.SOP) {
			for i, sop := range sops {
				if i > 0 {
					fmt.Fprintln(w)
				}
				printSOP(w, sop)
			}
		})
}

// showPlan is what 'sop show' and 'strategy show' share: for a reader of
// rules, the plan in force, as JSON or as text.
func showPlan[P any](ctx context.Context, m *Main, fs *flag.FlagSet, args []string, verb string,
	read func(*store.DB, context.Context) (P, error), asJSON func(P) any, print func(io.Writer, P)) error {
	b := m.bookFlags(fs)
	jsonOut := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("%s takes no arguments", verb)
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadRules, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := read(s, ctx)
	if err != nil {
		return err
	}
	if *jsonOut {
		return writeJSON(m.Stdout, asJSON(p))
	}
	print(m.Stdout, p)
	return nil
}

func printSOP(w io.Writer, sop collection.SOP) {
	fmt.Fprintf(w, "SOP %s — %s\n", sop.Code, sop.Name)
	tw := &wideTable{w: w}
	tw.row("  step", "on", "action", "when", "name")
	for _, st := range sop.Steps {
		tw.row("  "+st.Code, fmt.Sprintf("%s + %dd", st.Anchor, st.Offset), kindText(st.Action), orDash(oneLine(st.When)), st.Name)
	}
	tw.flush()
	in := sop.Inspections
	fmt.Fprintf(w, "  inspections (贷后检查) every: normal %s, yellow %s, orange %s, red %s\n", days(in.Normal), days(in.Yellow), days(in.Orange), days(in.Red))
}

func days(n int) string {
	if n == 0 {
		return "never"
	}
	return fmt.Sprintf("%dd", n)
}

// readPlanFile reads a SOP's or a strategy's JSON file, "-" for stdin.
func (m *Main) readPlanFile(path, what string) ([]byte, error) {
	if path == "-" {
		if m.Stdin == nil {
			return nil, usagef("there is no stdin to read the %s from", what)
		}
		return io.ReadAll(io.LimitReader(m.Stdin, 1<<20))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, daihou.Errorf(daihou.EINVALID, "%s: %v", path, err)
	}
	return data, nil
}

func (m *Main) sopPut(ctx context.Context, args []string) error {
	fs := m.newFlagSet("sop put FILE|- [--json]", `Store the SOP of FILE (JSON; - for stdin) as the next version of its code and
print the version. It is checked first: a step whose condition does not
compile is refused with the step and the line:column, and nothing is
stored. 'daihou sop default' prints the default to start from.`)
	return putPlan(ctx, m, fs, args, "SOP", api.DecodeSOP, (*store.DB).PutSOP, func(sop collection.SOP, v int) (api.PlanVersion, string) {
		return api.PlanVersion{Kind: "sop", Code: sop.Code, Version: v}, fmt.Sprintf("SOP %s: version %d stored (%d steps)", sop.Code, v, len(sop.Steps))
	})
}

// putPlan is what 'sop put' and 'strategy put' share: read the plan of
// FILE|-, check it as the API does, store it as the next version for a
// risk officer, and print the answer stored gives. A mistake in the plan
// names the file and says that nothing was stored.
func putPlan[P any](ctx context.Context, m *Main, fs *flag.FlagSet, args []string, what string,
	decode func([]byte) (P, error), put func(*store.DB, context.Context, P) (int, error),
	stored func(P, int) (api.PlanVersion, string)) error {
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one %s file, or - for stdin", what)
	}
	path := fs.Arg(0)
	data, err := m.readPlanFile(path, what)
	if err != nil {
		return err
	}
	p, err := decode(data)
	if err != nil {
		return reword(err, path+": ", " (nothing was stored)")
	}
	s, ctx, err := m.openFor(ctx, b, auth.ManageRules, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := put(s, ctx, p)
	if err != nil {
		return reword(err, path+": ", " (nothing was stored)")
	}
	answer, line := stored(p, v)
	if *asJSON {
		return writeJSON(m.Stdout, answer)
	}
	fmt.Fprintf(m.Stdout, "%s; in force from the next close of business\n", line)
	return nil
}

func (m *Main) sopDefault(ctx context.Context, args []string) error {
	fs := m.newFlagSet("sop default", "Print the built-in default SOP as JSON: a file to change and 'daihou sop put'.")
	return m.printDefault(fs, args, "sop default", collection.DefaultSOP())
}

// printDefault is what 'sop default' and 'strategy default' share: the
// built-in plan as JSON, a file to start from.
func (m *Main) printDefault(fs *flag.FlagSet, args []string, verb string, plan any) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("%s takes no arguments", verb)
	}
	return writeJSON(m.Stdout, plan)
}
