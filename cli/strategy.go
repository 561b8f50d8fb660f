package cli

import (
	"context"
	"fmt"
	"io"

	"daihou/collection"
	"daihou/store"
	"daihou/web/api"
)

const strategyUsage = `Usage:
  daihou strategy show [--json]    the collection strategy in force, arm by arm
  daihou strategy put FILE|-       store a strategy (JSON) as the next version
  daihou strategy default          print the built-in default strategy as JSON, to start from

A collection strategy (催收策略) sorts the loans past due into segments — by
a CEL condition over bucket, score, pd, outstanding, product, region, age,
warning_level, willingness, broken_promises … — each with its plan of
actions by days past due: SMS, AI voice (智能语音), a collector's call (人工
电催), a visit (上门), a legal letter (律师函), outsourcing (委外), a
restructuring offer, litigation, a write-off proposal. A loan is in the first
segment of its arm whose condition holds. Split per cent of the loans, by a
stable hash, follow the challenger arm instead of the champion, so the two
can be compared on like loans. The default is two-track ("AI + 人工"): low
risk early in delinquency to the automated channels, high risk to people.

  {"code": "two-track", "name": "…", "split": 20,
   "champion": [{"name": "person", "when": "dpd > 30 || pd >= 0.3",
                 "actions": [{"day": 1, "every": 3, "until": 90, "kind": "call"}]},
                {"name": "auto", "when": "true",
                 "actions": [{"day": 1, "kind": "sms", "template": "reminder-soft"}]}],
   "challenger": […]}

A condition that does not compile is refused with where it is and its
line:column, and nothing is stored. There is one strategy in force: the
latest put, from the next close of business. Reading it takes the
risk-officer, manager or auditor role; putting one, risk-officer.`

func (m *Main) runStrategy(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, strategyUsage, "strategy show|put|default", verbs{"show": m.strategyShow, "put": m.strategyPut, "default": m.strategyDefault})
}

func (m *Main) strategyShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet("strategy show [--json]", "Show the collection strategy in force: the latest put, or the default two-track\nstrategy while none has been; each arm's segments and their actions.")
	return showPlan(ctx, m, fs, args, "strategy show", (*store.DB).Strategy,
		func(st collection.Strategy) any { return st }, printStrategy)
}

func printStrategy(w io.Writer, st collection.Strategy) {
	fmt.Fprintf(w, "strategy %s — %s\n", st.Code, st.Name)
	fmt.Fprintf(w, "  %d%% of loans in the challenger arm, %d%% in the champion\n", st.Split, 100-st.Split)
	for _, arm := range []struct {
		name string
		segs []collection.Segment
	}{{collection.Champion, st.Champion}, {collection.Challenger, st.Challenger}} {
		if len(arm.segs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", arm.name)
		for _, sg := range arm.segs {
			fmt.Fprintf(w, "  segment %s, when %s\n", sg.Name, oneLine(sg.When))
			tw := &wideTable{w: w}
			tw.row("    dpd", "action", "when", "template")
			for _, a := range sg.Actions {
				tw.row("    "+actionDays(a), kindText(a.Kind), orDash(oneLine(a.When)), orDash(a.Template))
			}
			tw.flush()
		}
	}
}

// actionDays is when an action is taken, in days past due: "1", "10, every 5 to 30".
func actionDays(a collection.Action) string {
	s := fmt.Sprint(a.Day)
	if a.Every > 0 {
		s += fmt.Sprintf(", every %d", a.Every)
		if a.Until > 0 {
			s += fmt.Sprintf(" to %d", a.Until)
		}
	}
	return s
}

func (m *Main) strategyPut(ctx context.Context, args []string) error {
	fs := m.newFlagSet("strategy put FILE|- [--json]", `Store the strategy of FILE (JSON; - for stdin) as the next version and print
it. It is checked first: a condition that does not compile is refused with
where it is (champion[0].when, challenger[1].actions[2].when …) and its
line:column, and nothing is stored. 'daihou strategy default' prints the
default to start from.`)
	return putPlan(ctx, m, fs, args, "strategy", api.DecodeStrategy, (*store.DB).PutStrategy, func(st collection.Strategy, v int) (api.PlanVersion, string) {
		return api.PlanVersion{Kind: "strategy", Code: st.Code, Version: v}, fmt.Sprintf("strategy %s: version %d stored (split %d%%)", st.Code, v, st.Split)
	})
}

func (m *Main) strategyDefault(ctx context.Context, args []string) error {
	fs := m.newFlagSet("strategy default", "Print the built-in default two-track strategy as JSON: a file to change and\n'daihou strategy put'.")
	return m.printDefault(fs, args, "strategy default", collection.DefaultStrategy())
}
