package cli

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// commandVerbs lists the subcommands (verbs) of every command that has
// them, in the order the CLI reference (docs/cli.md) shows them. Commands
// dispatch their verbs each in its own way (runVerb, a switch, a table), so
// this is the one list the reference is built from; TestCLIReference fails
// when any command's help names a verb missing here, and when a verb listed
// here does not answer -h.
var commandVerbs = map[string][]string{
	"agency":    {"put", "list"},
	"approval":  {"list", "propose", "approve", "reject", "withdraw"},
	"audit":     {"verify", "show"},
	"case":      {"open", "move", "cost", "recover", "list", "show"},
	"collector": {"set", "list"},
	"config":    {"list", "get", "set"},
	"eod":       {"worker"},
	"import":    {"loans", "payments", "signals"},
	"key":       {"rotate"},
	"loan":      {"show", "post", "override", "decide", "assign", "reveal"},
	"model":     {"train", "eval", "score", "table", "list", "champion"},
	"outbox":    {"run", "status", "requeue"},
	"product":   {"put", "list"},
	"report":    {"warnings", "rate-cap", "collections", "strategies"},
	"rule":      {"list", "show", "put", "test", "enable", "disable", "backtest"},
	"sim":       {"sources", "channels", "withholding"},
	"sop":       {"show", "put", "default"},
	"source":    {"list", "pull"},
	"strategy":  {"show", "put", "default"},
	"task":      {"list", "show", "take", "outcome", "check"},
	"token":     {"add", "list", "revoke"},
	"user":      {"add", "list", "passwd", "disable", "enable", "role", "scope"},
	"warning":   {"list", "ack", "escalate", "resolve"},
}

// helpText runs 'daihou ARGS… -h' in process, with no environment and no
// input, and returns what it printed (standard output and error together)
// and its exit code.
func helpText(ctx context.Context, args ...string) (string, int) {
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	code := m.Run(ctx, append(slices.Clone(args), "-h"))
	return strings.TrimRight(out.String(), "\n") + "\n", code
}

// commandNames returns the commands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Reference returns the CLI reference in Markdown: every command and
// every verb of commandVerbs with its usage, text and flags, exactly as
// its own -h prints them. A verb whose help is its command's (the kinds of
// 'daihou import') is named under the command instead of repeated.
func Reference(ctx context.Context) (string, error) {
	var b strings.Builder
	top, _ := helpText(ctx, "help")
	b.WriteString("# daihou command-line reference\n\n")
	b.WriteString("<!-- Generated from the commands' own help: go test ./cli -run TestCLIReference -update. Do not edit. -->\n\n")
	b.WriteString("Every command and subcommand with its usage, text and flags, as `daihou help COMMAND` and\n")
	b.WriteString("`daihou COMMAND VERB -h` print them; a flag may be written `-flag` or `--flag`. Exit codes:\n")
	b.WriteString("0 ok, 1 internal, 2 usage, 3 invalid input, 4 not found, 5 conflict, 6 not allowed or not\n")
	b.WriteString("authenticated, 7 done but for rejected input rows, 8 rate limited.\n\n")
	b.WriteString("```text\n$ daihou help\n" + top + "```\n\n")

	b.WriteString("| command | what it does | subcommands |\n|---|---|---|\n")
	for _, n := range commandNames() {
		var vs []string
		for _, v := range commandVerbs[n] {
			vs = append(vs, fmt.Sprintf("[`%s`](#%s)", v, anchor("daihou "+n+" "+v)))
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", n, anchor("daihou "+n), commands[n].summary, strings.Join(vs, " "))
	}

	for _, n := range commandNames() {
		text, code := helpText(ctx, n)
		if code != 0 {
			return "", fmt.Errorf("daihou %s -h: exit %d:\n%s", n, code, text)
		}
		fmt.Fprintf(&b, "\n## `daihou %s`\n\n%s.\n\n```text\n%s```\n", n, commands[n].summary, text)
		var shared []string
		for _, v := range commandVerbs[n] {
			vt, code := helpText(ctx, n, v)
			if code != 0 {
				return "", fmt.Errorf("daihou %s %s -h: exit %d:\n%s", n, v, code, vt)
			}
			if vt == text {
				shared = append(shared, v)
				continue
			}
			fmt.Fprintf(&b, "\n### `daihou %s %s`\n\n```text\n%s```\n", n, v, vt)
		}
		if len(shared) > 0 {
			// Headings still, so that the table's links and the verb's
			// name lead somewhere.
			for _, v := range shared {
				fmt.Fprintf(&b, "\n### `daihou %s %s`\n\nThe help of `daihou %s` above.\n", n, v, n)
			}
		}
	}
	return b.String(), nil
}

// anchor returns GitHub's anchor of a Markdown heading whose text is s in
// backticks.
func anchor(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), " ", "-")
}

// verbMention finds 'daihou COMMAND VERB' in help texts: followed by the
// end of the line, a quote or punctuation, a flag, an argument in capitals
// or brackets, or an alternative — not by more words, as in prose ("give
// daihou serve the secrets"). subcommandRow is a row of a "Subcommands:"
// list.
var (
	verbMention   = regexp.MustCompile(`(?m)daihou ([a-z][a-z-]*) ([a-z][a-z-]*)(?:$|['")|,.:;]| +[-\[A-Z|<])`)
	subcommandRow = regexp.MustCompile(`^  ([a-z][a-z-]*) `)
)

// mentionedVerbs returns, by command, the verbs help texts name: in
// 'daihou COMMAND VERB', and in a "Subcommands:" list of the command's own
// help.
func mentionedVerbs(command, text string, into map[string]map[string]bool) {
	add := func(c, v string) {
		if _, ok := commands[c]; !ok {
			return
		}
		if into[c] == nil {
			into[c] = map[string]bool{}
		}
		into[c][v] = true
	}
	for _, m := range verbMention.FindAllStringSubmatch(text, -1) {
		add(m[1], m[2])
	}
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(line) == "Subcommands:":
			in = true
		case strings.TrimSpace(line) == "":
			in = false
		case in:
			if m := subcommandRow.FindStringSubmatch(line); m != nil {
				add(command, m[1])
			}
		}
	}
}
