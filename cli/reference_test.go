package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/config"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/cli.md from the commands' own help")

// cliReference is the generated CLI reference, relative to this package.
var cliReference = filepath.Join("..", "docs", "cli.md")

// TestCLIReference keeps docs/cli.md equal to what the commands' own -h
// print; with -update it rewrites the file.
func TestCLIReference(t *testing.T) {
	path, err := filepath.Abs(cliReference)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // -h must touch no book; if one did, it would be here
	ctx := context.Background()
	got, err := Reference(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir("."); len(left) > 0 {
		t.Errorf("printing the help left %s in the working directory", left[0].Name())
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./cli -run TestCLIReference -update", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("docs/cli.md differs from the commands' help (-docs/cli.md +help); run go test ./cli -run TestCLIReference -update:\n%s", diff)
	}
}

// TestCLIReferenceVerbs holds commandVerbs to the commands: every verb a
// help text names is listed, and every listed verb answers -h with a help
// of its own (or its command's, for the kinds of 'daihou import').
func TestCLIReferenceVerbs(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir())
	named := map[string]map[string]bool{}
	for _, c := range commandNames() {
		text, code := helpText(ctx, c)
		if code != 0 {
			t.Errorf("daihou %s -h: exit %d", c, code)
		}
		mentionedVerbs(c, text, named)
		for _, v := range commandVerbs[c] {
			vt, code := helpText(ctx, c, v)
			if code != 0 || !strings.HasPrefix(vt, "Usage") {
				t.Errorf("daihou %s %s -h: exit %d, want 0 and a usage:\n%s", c, v, code, vt)
			}
			mentionedVerbs(c, vt, named)
		}
	}
	for c := range commandVerbs {
		if _, ok := commands[c]; !ok {
			t.Errorf("commandVerbs lists %q, which is not a command", c)
		}
	}
	for _, c := range commandNames() {
		var missing []string
		for v := range named[c] {
			if !slices.Contains(commandVerbs[c], v) {
				missing = append(missing, v)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("the help names 'daihou %s %s', missing from commandVerbs in cli/reference.go: add it there, then run go test ./cli -run TestCLIReference -update", c, strings.Join(missing, "|"))
		}
	}
}

func TestMentionedVerbs(t *testing.T) {
	got := map[string]map[string]bool{}
	mentionedVerbs("model", "Usage: daihou model SUBCOMMAND\n\nSubcommands:\n  train  fit\n  champion make\n\nsee 'daihou rule backtest' and daihou nosuch verb\nGive daihou serve the secrets; daihou user disable NAME | enable NAME; 'daihou eod worker --db URL'", got)
	want := map[string]map[string]bool{"model": {"train": true, "champion": true}, "rule": {"backtest": true}, "user": {"disable": true}, "eod": {"worker": true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mentionedVerbs (-want +got):\n%s", diff)
	}
}

// readme returns the README, relative to this package.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConfigKeysInReadme: every option of 'daihou config' has its row in
// the README's configuration table, with its default.
func TestConfigKeysInReadme(t *testing.T) {
	text := readme(t)
	for _, o := range config.Options {
		row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(o.Key) + "` \\|.*$").FindString(text)
		if row == "" {
			t.Errorf("README.md has no row | `%s` | in its configuration table: add the option, its meaning, default and allowed values", o.Key)
			continue
		}
		def := "`" + o.Default + "`"
		if o.Default == "" {
			def = "empty"
		}
		if !strings.Contains(row, def) {
			t.Errorf("README.md's row of %s does not give its default %s:\n%s", o.Key, def, row)
		}
	}
}

// envName is an environment variable daihou reads, as the code spells it:
// a whole name, or the prefix of a family (DAIHOU_WEBHOOK_SECRET_).
var envName = regexp.MustCompile(`"(DAIHOU_[A-Z0-9_]*)"`)

// TestConfigEnvironmentInReadme: every DAIHOU_ variable named in the
// code outside tests — the program, the test helpers, the benchmark
// tools — is in the README.
func TestConfigEnvironmentInReadme(t *testing.T) {
	text := readme(t)
	seen := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range envName.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("found no DAIHOU_ variable in the code: the walk is broken")
	}
	for name, path := range seen {
		if !strings.Contains(text, "`"+name) {
			t.Errorf("%s reads $%s, which README.md's environment table does not name", path, name)
		}
	}
}
