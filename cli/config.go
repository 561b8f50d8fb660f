package cli

import (
	"context"
	"fmt"

	"daihou/auth"
	"daihou/config"
)

func (m *Main) runConfig(ctx context.Context, args []string) error {
	const usage = `Usage:
  daihou config list [--json]     every option with its value, default and meaning
  daihou config get KEY           one option's value
  daihou config set KEY VALUE     change an option (checked before it is stored)

The book's configuration (参数配置) is kept in the database, so every process
working on it applies the same rules. Reading it takes the risk-officer,
manager, auditor or admin role; changing it, admin; every change is audited.`
	if len(args) == 0 || (args[0] != "list" && args[0] != "get" && args[0] != "set") {
		fmt.Fprintln(m.Stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usagef("want: config list|get|set")
	}
	verb := args[0]
	fs := m.newFlagSet(map[string]string{"list": "config list [--json]", "get": "config get KEY", "set": "config set KEY VALUE"}[verb], `Read or change the book's configuration: the rules every process working on
this database applies (the options and their meaning: 'daihou config list').`)
	bk := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args[1:])); err != nil {
		return err
	}
	want := map[string]int{"list": 0, "get": 1, "set": 2}[verb]
	if fs.NArg() != want {
		fs.Usage()
		return usagef("config %s takes %d argument(s)", verb, want)
	}
	if verb == "set" {
		if err := config.Check(fs.Arg(0), fs.Arg(1)); err != nil {
			return usagef("%v", err)
		}
	}
	s, ctx, err := m.open(ctx, bk)
	if err != nil {
		return err
	}
	defer s.Close()
	if verb != "set" {
		if err := can(ctx, auth.ReadConfig, auth.System()); err != nil {
			return err
		}
	}
	switch verb {
	case "get":
		v, err := s.Option(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, v)
		return nil
	case "set":
		if err := s.SetOption(ctx, fs.Arg(0), fs.Arg(1)); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s = %s\n", fs.Arg(0), fs.Arg(1))
		return nil
	}
	type opt struct {
		Key     string `json:"key"`
		Value   string `json:"value"`
		Default string `json:"default"`
		Help    string `json:"help"`
	}
	var out []opt
	for _, o := range config.Options {
		v, err := s.Option(ctx, o.Key)
		if err != nil {
			return err
		}
		out = append(out, opt{o.Key, v, o.Default, o.Help})
	}
	if *asJSON {
		return writeJSON(m.Stdout, out)
	}
	for _, o := range out {
		fmt.Fprintf(m.Stdout, "%s = %s  (default %s)\n    %s\n", o.Key, o.Value, o.Default, o.Help)
	}
	return nil
}
