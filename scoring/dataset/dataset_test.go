package dataset

import (
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"daihou/scoring"
)

func mustOpen(tb testing.TB, name string) *os.File {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func TestReadDirtyFile(t *testing.T) {
	ds, err := Read(mustOpen(t, "testdata/dirty.csv"), Options{Target: "bad", Exclude: []string{"loan_id"}, Keep: []string{"loan_id"}})
	if err != nil {
		t.Fatal(err)
	}
	wantIssues := []struct {
		line int
		has  string
	}{
		{6, "has 7 fields, the header has 6"},
		{7, `column balance: "oops" is not a number`},
		{8, `"2" is not 0 or 1`},
		{9, "missing (want 0 or 1)"},
	}
	if len(ds.Issues) != len(wantIssues) {
		t.Fatalf("issues: got %v, want %d", ds.Issues, len(wantIssues))
	}
	for i, w := range wantIssues {
		got := ds.Issues[i]
		if got.Line != w.line || !strings.Contains(got.Reason, w.has) {
			t.Errorf("issue %d: got %v, want line %d containing %q", i, got, w.line, w.has)
		}
	}
	if got, want := ds.Lines, []int{2, 3, 4, 5, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("kept lines: got %v, want %v", got, want)
	}
	if got, want := ds.Target, []uint8{0, 1, 0, 1, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("target: got %v, want %v", got, want)
	}
	types := map[string]scoring.FeatureType{}
	for _, c := range ds.Features {
		types[c.Name] = c.Type
	}
	want := map[string]scoring.FeatureType{"grade": scoring.Categorical, "balance": scoring.Numeric, "dpd_max": scoring.Numeric, "region": scoring.Categorical}
	for name, typ := range want {
		if types[name] != typ {
			t.Errorf("type of %s: got %q, want %q", name, types[name], typ)
		}
	}
	if _, ok := types["loan_id"]; ok {
		t.Error("excluded loan_id became a feature")
	}
	bal := ds.Column("balance").Num
	if bal[0] != 1200.5 || !math.IsNaN(bal[2]) || !math.IsNaN(bal[3]) {
		t.Errorf("balance: got %v, want 1200.5, _, NaN, NaN, …", bal)
	}
	if got := ds.Column("grade").Text[4]; got != "C, special" {
		t.Errorf("quoted category: got %q", got)
	}
	if got := ds.Column("region").Text[2]; got != "" {
		t.Errorf("NA category: got %q, want missing", got)
	}
	if got, want := ds.Text["loan_id"], []string{"L001", "L002", "L003", "L004", "L009", "L010"}; !slices.Equal(got, want) {
		t.Errorf("kept ids: got %v, want %v", got, want)
	}
	if ds.Bads() != 3 {
		t.Errorf("bads: got %d, want 3", ds.Bads())
	}
}

func TestReadFileErrors(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		opts Options
		has  string
	}{
		{"empty", "", Options{}, "empty"},
		{"no target column", "a,b\n1,2\n", Options{Target: "y"}, `target column "y"`},
		{"unknown exclude", "a,y\n1,0\n", Options{Target: "y", Exclude: []string{"id"}}, `excluded column "id"`},
		{"duplicate header", "a,a,y\n1,2,0\n", Options{Target: "y"}, "twice"},
		{"blank header", "a,,y\n1,2,0\n", Options{Target: "y"}, "no name"},
		{"schema column missing", "a,y\n1,0\n", Options{Schema: []scoring.Feature{{Name: "b", Type: scoring.Numeric}}}, "lacks: b"},
		{"target excluded", "a,y\n1,0\n", Options{Target: "y", Exclude: []string{"y"}}, "both the target and excluded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.csv), tt.opts)
			if !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), tt.has) {
				t.Errorf("got %v, want ErrFile containing %q", err, tt.has)
			}
		})
	}
}

func TestTypeInference(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   scoring.FeatureType
		issues int
	}{
		{"all numbers", []string{"1", "2.5", "-3", "", "NA"}, scoring.Numeric, 0},
		{"all text", []string{"a", "b", "c"}, scoring.Categorical, 0},
		{"codes as numbers", []string{"01", "02", "03"}, scoring.Numeric, 0},
		{"mostly text", []string{"1", "x", "y", "z"}, scoring.Categorical, 0},
		{"all missing", []string{"", "NA"}, scoring.Numeric, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("v,y\n")
			for i, v := range tt.values {
				b.WriteString(v + "," + string(rune('0'+i%2)) + "\n")
			}
			ds, err := Read(strings.NewReader(b.String()), Options{Target: "y"})
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.Features[0].Type; got != tt.want {
				t.Errorf("type: got %q, want %q", got, tt.want)
			}
			if len(ds.Issues) != tt.issues {
				t.Errorf("issues: got %v, want %d", ds.Issues, tt.issues)
			}
		})
	}
	// One typo among many numbers costs a row, not the column's type.
	var b strings.Builder
	b.WriteString("v,y\n")
	for i := 0; i < 200; i++ {
		b.WriteString("10," + string(rune('0'+i%2)) + "\n")
	}
	b.WriteString("ten,1\n")
	ds, err := Read(strings.NewReader(b.String()), Options{Target: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Features[0].Type != scoring.Numeric || len(ds.Issues) != 1 || ds.Issues[0].Line != 202 || ds.Rows() != 200 {
		t.Errorf("typo: type %q, issues %v, rows %d; want numeric, line 202, 200 rows", ds.Features[0].Type, ds.Issues, ds.Rows())
	}
	if len(ds.Notes) != 1 {
		t.Errorf("notes: got %v, want one about the rejected text", ds.Notes)
	}
}

func TestBOMAndMalformedQuote(t *testing.T) {
	ds, err := Read(mustOpen(t, "testdata/bom_crlf.csv"), Options{Target: "y", Exclude: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Header[0] != "id" {
		t.Errorf("header: got %q, want the BOM stripped", ds.Header[0])
	}
	if ds.Rows() != 2 || len(ds.Issues) != 1 || ds.Issues[0].Line != 4 {
		t.Errorf("rows %d, issues %v; want 2 rows and the unterminated quote on line 4", ds.Rows(), ds.Issues)
	}
}

func TestSchemaModeAndEncode(t *testing.T) {
	schema := []scoring.Feature{
		{Name: "balance", Type: scoring.Numeric},
		{Name: "grade", Type: scoring.Categorical, Categories: []string{"A", "B"}},
	}
	csv := "id,grade,balance,extra\n1,A,10,x\n2,Q,abc,y\n3,,30,z\n"
	ds, err := Read(strings.NewReader(csv), Options{Schema: schema, Keep: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Target != nil {
		t.Error("target set without Options.Target")
	}
	if ds.Rows() != 2 || len(ds.Issues) != 1 || ds.Issues[0].Line != 3 {
		t.Fatalf("rows %d, issues %v; want line 3 rejected", ds.Rows(), ds.Issues)
	}
	cols, err := ds.Encode(schema)
	if err != nil {
		t.Fatal(err)
	}
	if cols[0][0] != 10 || cols[0][1] != 30 || cols[1][0] != 0 || !math.IsNaN(cols[1][1]) {
		t.Errorf("encoded: got %v", cols)
	}
	if _, err := ds.Encode([]scoring.Feature{{Name: "nope", Type: scoring.Numeric}}); err == nil {
		t.Error("Encode of an absent column: got no error")
	}
}

// FuzzRead: whatever the bytes, Read returns an error or a dataset whose
// columns all have one value per kept row, whose target is 0/1 and whose
// issues name lines after the header, in order.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"testdata/dirty.csv", "testdata/bom_crlf.csv"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("a,y\n1,1\n2,0\n\"x\n"))
	f.Add([]byte("y\n1\n0\n"))
	f.Add([]byte("a,b,y\n,,\nNA,1,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := Read(strings.NewReader(string(data)), Options{Target: "y"})
		if err != nil {
			return
		}
		n := ds.Rows()
		if len(ds.Target) != n {
			t.Fatalf("target has %d rows, want %d", len(ds.Target), n)
		}
		for _, v := range ds.Target {
			if v > 1 {
				t.Fatalf("target value %d", v)
			}
		}
		for _, c := range ds.Features {
			if c.Type == scoring.Numeric && len(c.Num) != n || c.Type == scoring.Categorical && len(c.Text) != n {
				t.Fatalf("column %s has the wrong length", c.Name)
			}
			for _, v := range c.Num {
				if math.IsInf(v, 0) {
					t.Fatalf("column %s holds an infinity", c.Name)
				}
			}
		}
		for i, is := range ds.Issues {
			if is.Line < 2 || i > 0 && is.Line < ds.Issues[i-1].Line {
				t.Fatalf("issues out of order or on the header: %v", ds.Issues)
			}
		}
		if _, err := ds.Encode(nil); err != nil {
			t.Fatal(err)
		}
	})
}
