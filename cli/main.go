// Package cli implements the daihou command line: one file per
// subcommand, each with its own flag.FlagSet. Main is testable — tests run
// subcommands in process with their own output buffers and environment.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"daihou"
)

// Main is the program: its output streams and environment are fields so
// tests can run commands in process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// New returns a Main wired to the process's streams and environment.
func New() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// command is one subcommand.
type command struct {
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

// commands lists every subcommand; each is implemented in its own file.
var commands = map[string]command{
	"demo":     {"build a demo book, live through its last days, serve the console (start here)", (*Main).runDemo},
	"config":   {"read and change the book's options (contagion, rate cap, regions …)", (*Main).runConfig},
	"migrate":  {"apply the embedded schema migrations", (*Main).runMigrate},
	"schedule": {"loan calculator: print a repayment schedule", (*Main).runSchedule},
	"serve":    {"serve the web console, the JSON API and the operational endpoints over HTTP", (*Main).runServe},
	"import":   {"import loans, payments or data-source records from CSV or JSON Lines", (*Main).runImport},
	"loan":     {"a loan: show it, post to it, override its class, assign it, reveal its borrower", (*Main).runLoan},
	"product":  {"create, replace and list products", (*Main).runProduct},
	"model":    {"train, evaluate and apply scoring models", (*Main).runModel},
	"gen":      {"generate a synthetic bank portfolio (demos, benchmarks)", (*Main).runGen},
	"eod":      {"close of business: advance the business date, update aggregates", (*Main).runEOD},
	"report":   {"portfolio figures: NPL, ECL, roll rates, vintages", (*Main).runReport},
	"user":     {"add, list and change users: roles, data scope, passwords", (*Main).runUser},
	"token":    {"issue, list and revoke API tokens for integrations", (*Main).runToken},
	"audit":    {"verify the audit trail's hash chain; show what was done to an object", (*Main).runAudit},
	"key":      {"rotate the personal-data encryption key", (*Main).runKey},
	"source":   {"data sources: record formats, pull a source's endpoint", (*Main).runSource},
	"sim":      {"simulate the data sources and the collection channels on loopback (demos, tests)", (*Main).runSim},
	"rule":     {"early-warning rules: list, show, put, test on a loan, switch on or off, back-test", (*Main).runRule},
	"warning":  {"early warnings raised on loans: list, acknowledge, escalate, resolve", (*Main).runWarning},
	"outbox":   {"send the outbox's messages to the collection channels; count them, list dead letters", (*Main).runOutbox},
	"approval": {"maker-checker: propose, approve, reject waivers, write-offs, restructurings; the approvals inbox", (*Main).runApproval},
	"case":     {"legal and agency cases: open, move through stages, costs, recoveries after write-off", (*Main).runCase},

	// Collection work (催收).
	"task":      {"collection tasks: list a queue, show, take, record a contact's outcome (compliance-checked)", (*Main).runTask},
	"sop":       {"post-loan SOP timelines: show, put a new version, print the default", (*Main).runSOP},
	"strategy":  {"the collection strategy (champion/challenger): show, put a new version, print the default", (*Main).runStrategy},
	"collector": {"collectors' working profiles for assignment: team, capacity, skills, regions, absence", (*Main).runCollector},
	"agency":    {"outsourcing agencies: add, switch off, list", (*Main).runAgency},
}

// Run runs the subcommand named by args[0] and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if _, ok := commands[args[1]]; ok {
				return m.Run(ctx, []string{args[1], "-h"})
			}
		}
		m.usage(m.Stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(m.Stderr, "daihou: unknown command %q\n\n", args[0])
		m.usage(m.Stderr)
		return 2
	}
	err := c.run(m, ctx, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(m.Stderr, "daihou %s: %s\n", args[0], errorText(err))
	return exitCode(err)
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "daihou (贷后) — post-loan management")
	fmt.Fprintln(w, "\nUsage: daihou COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nEvery command that uses a database finds it by --db, else $DAIHOU_DB, else ./daihou.db.")
	fmt.Fprintln(w, "Run 'daihou help COMMAND' for a command's flags.")
}

// exitCode maps an error to the process exit code, in one place: 1 for
// internal failures, 2 for bad usage, 3 invalid input, 4 not found,
// 5 conflict, 6 unauthorised or unauthenticated, 7 done but for rejected
// input rows, 8 rate limited.
func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	var pe partialError
	if errors.As(err, &pe) {
		return 7
	}
	switch daihou.ErrorCode(err) {
	case daihou.EINVALID, daihou.ETOOLARGE:
		return 3
	case daihou.ENOTFOUND:
		return 4
	case daihou.ECONFLICT:
		return 5
	case daihou.EUNAUTHORIZED, daihou.EUNAUTHENTICATED:
		return 6
	case daihou.ERATELIMIT:
		return 8
	}
	return 1
}

func errorText(err error) string {
	var e *daihou.Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// verbs are a command's subcommands by name: sop show, sop put …
type verbs map[string]func(context.Context, []string) error

// runVerb runs the verb args[0] names with the rest of args. With none, or
// one the command does not have, it prints the command's usage: asked for
// by -h or --help that is the answer, otherwise a usage error saying what
// is wanted.
func (m *Main) runVerb(ctx context.Context, args []string, usage, want string, vs verbs) error {
	if len(args) == 0 || vs[args[0]] == nil {
		fmt.Fprintln(m.Stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usagef("want: %s", want)
	}
	return vs[args[0]](ctx, args[1:])
}

// newFlagSet returns a FlagSet that writes its help to m.Stderr with the
// command's summary and an example.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse errors are reported once, by Run
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: daihou %s\n\n%s\n\nFlags:\n", name, strings.TrimSpace(usage))
		fs.SetOutput(m.Stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// dbFlag registers --db on fs and returns a function that resolves the
// database the way every command does: --db, else $DAIHOU_DB, else
// ./daihou.db.
func (m *Main) dbFlag(fs *flag.FlagSet) func() string {
	p := fs.String("db", "", "database path or DSN (default $DAIHOU_DB, else ./daihou.db)")
	return func() string {
		if *p != "" {
			return *p
		}
		if v := m.Getenv("DAIHOU_DB"); v != "" {
			return v
		}
		return "daihou.db"
	}
}

// now is the wall clock; commands that default to "today" read it here.
var now = time.Now

// parseFlags parses a command's flags; -h prints the command's help (exit
// 0), and a mistake in them is a usage error (exit 2) that says what was
// wrong and where the help is, without the whole help in the way.
func parseFlags(fs *flag.FlagSet, args []string) error {
	help := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = help
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		help()
		return err
	}
	name, _, _ := strings.Cut(fs.Name(), " ")
	return usageError{fmt.Sprintf("%v (see 'daihou help %s')", err, name)}
}
