package imports

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// csvRec is a record as the package's CSV reader hands it to the parser.
type csvRec struct {
	Line   int
	Text   string
	Fields []string // nil if the record's quoting is wrong
	End    bool     // ended with a line end
}

// readCSV reads data with lineReader, csvReader and splitCSV, or returns
// ok false if the line reader refuses it (a UTF-16 byte-order mark).
func readCSV(t *testing.T, data string) (recs []csvRec, ok bool) {
	lr, err := newLineReader(strings.NewReader(data))
	if err != nil {
		return nil, false
	}
	cr := csvReader{lr: lr}
	for {
		rec, err := cr.next()
		if err == io.EOF {
			return recs, true
		}
		if err != nil {
			t.Fatalf("reading %q: %v", data, err)
		}
		r := csvRec{Line: rec.start, Text: string(rec.text), End: rec.terminated}
		if fields, serr := splitCSV(r.Text, nil); serr == nil && !rec.open {
			r.Fields = fields
		}
		recs = append(recs, r)
	}
}

// readStdlib reads data with encoding/csv, as strictly as it reads (no
// lazy quotes) and with any number of fields per record.
func readStdlib(data string) (recs []csvRec, err error) {
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = -1
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, csvRec{Line: line, Fields: fields})
	}
}

// checkCSVReader compares the package's CSV reader with encoding/csv on
// one input. They must agree on every record encoding/csv reads, with
// these documented differences: the package's reader returns blank lines
// (the parser skips them), keeps a quoted line break as it is in the file
// (CRLF stays CRLF), turns an incomplete character at the very end of the
// file (a file cut off inside it) into U+FFFD, and allows spaces and tabs
// around a quoted field (, "a" ,), which encoding/csv refuses.
func checkCSVReader(t *testing.T, data string) {
	if strings.HasPrefix(data, "\xFF\xFE") || strings.HasPrefix(data, "\xFE\xFF") {
		return // refused by the line reader before any CSV is read
	}
	got, ok := readCSV(t, data)
	if !ok {
		return
	}
	for i, r := range got {
		last := i == len(got)-1
		if !last && !r.End {
			t.Fatalf("%q: record %d (line %d) is not the last but has no line end", data, i, r.Line)
		}
		if last && r.End != strings.HasSuffix(data, "\n") {
			t.Fatalf("%q: the last record's line end is %v, but the file ends with %q", data, r.End, data[max(0, len(data)-2):])
		}
	}
	var clean []csvRec // as encoding/csv would report them
	allRead := true
	for _, r := range got {
		if r.Fields == nil {
			allRead = false
			continue
		}
		if r.Text == "" {
			continue // a blank line: encoding/csv skips it
		}
		fields := make([]string, len(r.Fields))
		for j, f := range r.Fields {
			fields[j] = strings.ReplaceAll(f, "\r\n", "\n")
		}
		clean = append(clean, csvRec{Line: r.Line, Fields: fields})
	}
	// The line reader drops a byte-order mark at the start, and marks a
	// character cut off at the very end.
	want, err := readStdlib(markCut(strings.TrimPrefix(data, utf8BOM)))
	if err == nil {
		if !allRead {
			t.Fatalf("%q: encoding/csv reads every record, the package's reader finds bad quoting in %+v", data, got)
		}
		if diff := cmp.Diff(want, clean); diff != "" {
			t.Fatalf("%q: records differ from encoding/csv (-encoding/csv +package):\n%s", data, diff)
		}
		return
	}
	lenient := strings.Contains(data, ` "`) || strings.Contains(data, "\t\"") || strings.Contains(data, `" `) || strings.Contains(data, "\"\t")
	if allRead && !lenient {
		t.Fatalf("%q: encoding/csv refuses it (%v), the package's reader reads it as %+v", data, err, clean)
	}
}

var csvSeeds = []string{
	"", "a", "a\n", "a,b\nc,d\n", "a,b\r\nc,d\r\n", "a,b\r\nc,d", "\n\n", "\r\n", ",,,\n", `"a","b"` + "\n", `"a""b",c`,
	`"a` + "\n" + `b",c` + "\n", `"a` + "\r\n" + `b",c` + "\r\n", `"a`, `"a` + "\n", `a"b,c`, `"a"b,c`, `"a" ,b`, ` "a",b`, `a, "b"`,
	`"",""`, `""""`, `"a""`, `"""a"""`, "a,\"b\nc\nd\",e\nf\n", "\uFEFFa,b\n", "a\rb,c\n", "a,b\r", "\"a\r\nb\"", "\"a\rb\"\n",
	"#trailer,rows=1,total=1\n", "a,\"b\n", "a,\"b\nc\"\"\nd\"\n", "x,\"\n\"\n", "\"\n\"\n\"\n",
}

func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	for _, s := range csvSeeds {
		t.Run(s, func(t *testing.T) { checkCSVReader(t, s) })
	}
}

// TestCSVRecords covers what encoding/csv cannot check: the line a
// record starts and ends on, whether it ended with a line end, and the
// record that runs to the end of the file.
func TestCSVRecords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []csvRecord
	}{
		{"lines", "a\nb\r\nc", []csvRecord{{text: []byte("a"), start: 1, end: 1, terminated: true},
			{text: []byte("b"), start: 2, end: 2, terminated: true}, {text: []byte("c"), start: 3, end: 3}}},
		{"quoted line break", "a,\"b\nc\"\nd\n", []csvRecord{{text: []byte("a,\"b\nc\""), start: 1, end: 2, terminated: true},
			{text: []byte("d"), start: 3, end: 3, terminated: true}}},
		{"quote never closed", "a\n\"b\nc\nd\n", []csvRecord{{text: []byte("a"), start: 1, end: 1, terminated: true},
			{text: []byte("\"b\nc\nd"), start: 2, end: 4, terminated: true, open: true}}},
		{"quote never closed, cut", "a\nb,\"c", []csvRecord{{text: []byte("a"), start: 1, end: 1, terminated: true},
			{text: []byte("b,\"c"), start: 2, end: 2, open: true}}},
		{"cut inside a character", "a\n柜\xe9", []csvRecord{{text: []byte("a"), start: 1, end: 1, terminated: true},
			{text: []byte("柜\uFFFD"), start: 2, end: 2}}},
		{"cut inside the first character of a line", "a\n\xe6\x9f", []csvRecord{{text: []byte("a"), start: 1, end: 1, terminated: true},
			{text: []byte("\uFFFD"), start: 2, end: 2}}},
		{"cut inside a quoted field", "\"\n\xe8\xb1", []csvRecord{{text: []byte("\"\n\uFFFD"), start: 1, end: 2, open: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr, err := newLineReader(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			cr := csvReader{lr: lr}
			var got []csvRecord
			for {
				rec, err := cr.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rec.text = append([]byte(nil), rec.text...)
				got = append(got, rec)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(csvRecord{})); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

// markCut is what the line reader does to a file cut off inside a
// character, written out for the tests: the incomplete character at the
// end becomes U+FFFD.
func markCut(s string) string {
	for n := 1; n < utf8.UTFMax && n <= len(s); n++ {
		tail := s[len(s)-n:]
		if utf8.RuneStart(tail[0]) {
			if !utf8.FullRuneInString(tail) {
				return s[:len(s)-n] + "\uFFFD"
			}
			break
		}
	}
	return s
}

// FuzzCSVReader checks the hand-written CSV reader against encoding/csv.
func FuzzCSVReader(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s)
	}
	files, err := filepath.Glob("testdata/*.csv")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Fuzz(checkCSVReader)
}
