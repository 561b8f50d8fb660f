package source_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/source"
)

var update = flag.Bool("update", false, "rewrite the README's record formats section from source.Markdown")

const (
	readmeHeading = "## Data sources: record formats"
	beginMark     = "<!-- source formats: begin -->\n"
	endMark       = "<!-- source formats: end -->"
	// The section goes before this heading when the README has none.
	nextHeading = "## Performance"
)

// TestReadmeFormats keeps the README's record formats equal to
// Markdown(), so the documented format is the one Check enforces; with
// -update it rewrites the section.
func TestReadmeFormats(t *testing.T) {
	path := filepath.Join("..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme, want := string(data), source.Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(withSection(readme, want)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, ok := section(readme)
	if !ok {
		t.Fatalf("README.md has no %q section between %q and %q: run go test ./source -run TestReadmeFormats -update", readmeHeading, strings.TrimSpace(beginMark), endMark)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README.md's record formats differ from source.Markdown() (-Markdown +README); run go test ./source -run TestReadmeFormats -update:\n%s", diff)
	}
}

// section returns the text between the markers.
func section(readme string) (string, bool) {
	_, rest, ok := strings.Cut(readme, beginMark)
	if !ok {
		return "", false
	}
	body, _, ok := strings.Cut(rest, endMark)
	return body, ok
}

// withSection returns readme with the section's text replaced by body,
// or with the section added before nextHeading (at the end if there is
// none), leaving the rest as it is.
func withSection(readme, body string) string {
	if before, rest, ok := strings.Cut(readme, beginMark); ok {
		if _, after, ok := strings.Cut(rest, endMark); ok {
			return before + beginMark + body + endMark + after
		}
	}
	sec := readmeHeading + "\n\n" + beginMark + body + endMark + "\n"
	if i := strings.Index(readme, "\n"+nextHeading+"\n"); i >= 0 {
		return readme[:i+1] + sec + "\n" + readme[i+1:]
	}
	if !strings.HasSuffix(readme, "\n") {
		readme += "\n"
	}
	return readme + "\n" + sec
}

func TestWithSection(t *testing.T) {
	tests := []struct{ name, readme, want string }{
		{"before Performance", "# x\n\n## A\n\ntext\n\n## Performance\n\nfast\n",
			"# x\n\n## A\n\ntext\n\n" + readmeHeading + "\n\n" + beginMark + "B\n" + endMark + "\n\n## Performance\n\nfast\n"},
		{"at the end", "# x\n\n## A\ntext", "# x\n\n## A\ntext\n\n" + readmeHeading + "\n\n" + beginMark + "B\n" + endMark + "\n"},
		{"replaced", "# x\n\n" + readmeHeading + "\n\n" + beginMark + "old\n" + endMark + "\n\n## Performance\n",
			"# x\n\n" + readmeHeading + "\n\n" + beginMark + "B\n" + endMark + "\n\n## Performance\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withSection(tt.readme, "B\n")
			if got != tt.want {
				t.Errorf("withSection:\n%q\nwant\n%q", got, tt.want)
			}
			if body, ok := section(got); !ok || body != "B\n" {
				t.Errorf("section = %q, %v", body, ok)
			}
		})
	}
}

// TestMarkdownComplete: every source, field, allowed value and signal
// kind the adapters have is in the document.
func TestMarkdownComplete(t *testing.T) {
	md := source.Markdown()
	for _, want := range []string{"`id`", "`borrower`", "`id_number`", "`date`", "### Common fields"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %s", want)
		}
	}
	for _, a := range source.All() {
		if !strings.Contains(md, "### `"+a.Name()+"`: "+a.Title()+"\n") {
			t.Errorf("Markdown lacks the heading of %s", a.Name())
		}
		for _, f := range a.Fields() {
			if !strings.Contains(md, "| `"+f.Name+"` | "+f.Kind.String()+" | ") {
				t.Errorf("Markdown lacks %s.%s", a.Name(), f.Name)
			}
			for _, v := range f.Values {
				if !strings.Contains(md, "`"+v+"`") {
					t.Errorf("Markdown lacks %s.%s value %s", a.Name(), f.Name, v)
				}
			}
		}
	}
	for _, k := range []string{"bureau.inquiries", "bureau.open_loans", "bureau.balance", "bureau.overdue", "court.case", "court.dishonest",
		"identity.mismatch", "identity.deceased", "social.paid", "utility.arrears", "statement.inflow", "statement.outflow", "statement.salary",
		"tax.arrears", "business.anomaly", "ecommerce.spend", "transport.trips", "custom.<measure>"} {
		if !strings.Contains(md, "- `"+k+"`: ") {
			t.Errorf("Markdown lacks the signal %s", k)
		}
	}
}
