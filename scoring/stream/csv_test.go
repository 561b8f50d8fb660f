package stream

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou/scoring"
)

// parsed is one record or error as a reader reports it.
type parsed struct {
	Line   int
	Fields []string
	Err    string
}

// stdRecords reads all of in with encoding/csv as the dataset reader
// sets it up, going on after errors as the dataset reader does.
func stdRecords(in []byte) []parsed {
	cr := csv.NewReader(bytes.NewReader(in))
	cr.FieldsPerRecord = -1
	var out []parsed
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			out = append(out, parsed{Line: pe.StartLine, Err: pe.Err.Error()})
			continue
		}
		if err != nil {
			return append(out, parsed{Err: err.Error()})
		}
		line, _ := cr.FieldPos(0)
		out = append(out, parsed{Line: line, Fields: rec})
	}
}

// ourRecords reads in with scanRecord, cut into blocks of about size
// bytes by the block reader, numbering lines as Score does.
func ourRecords(t testing.TB, in []byte, size int) []parsed {
	br := &blockReader{r: bytes.NewReader(in), size: size}
	var out []parsed
	line := 1
	var rec record
	for {
		b, err := br.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for pos := 0; pos < len(b.data); {
			next, lines := scanRecord(b.data, pos, &rec)
			start := line + rec.lead
			line += lines
			if next <= pos {
				t.Fatalf("no progress at %d of %q", pos, b.data)
			}
			pos = next
			switch {
			case rec.err != "":
				out = append(out, parsed{Line: start, Err: rec.err})
			case len(rec.spans) > 0:
				p := parsed{Line: start, Fields: []string{}}
				for k := range rec.spans {
					p.Fields = append(p.Fields, string(rec.field(b.data, k)))
				}
				out = append(out, p)
			}
		}
	}
}

func TestScanRecordCases(t *testing.T) {
	tests := []struct{ name, in string }{
		{"plain", "a,b,c\n1,2,3\n"},
		{"no final line break", "a,b\n1,2"},
		{"crlf", "a,b\r\n1,2\r\n"},
		{"blank lines", "\n\na,b\n\r\n\n1,2\n\n"},
		{"quoted comma and quote", "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n"},
		{"quoted line breaks", "a,b\n\"one\r\ntwo\nthree\",4\n5,6\n"},
		{"empty fields", ",\n,,\n\"\",x\n"},
		{"trailing comma crlf", "a,\r\nb,\r"},
		{"bare quote", "a,b\nx\"y,2\n3,4\n"},
		{"text after closing quote", "a,b\n\"x\"y,2\n3,4\n"},
		{"unterminated quote", "a,b\n\"x,2\n3,4\n"},
		{"lone carriage returns", "a\rb,c\r\r\nd\r"},
		{"only a carriage return", "\r"},
		{"utf-8", "名称,值\n张三,１\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := stdRecords([]byte(tt.in))
			for _, size := range []int{1, 3, 1 << 16} {
				if diff := cmp.Diff(want, ourRecords(t, []byte(tt.in), size)); diff != "" {
					t.Errorf("block size %d: records differ from encoding/csv (-want +got):\n%s", size, diff)
				}
			}
		})
	}
}

// FuzzScanRecord: on any input, in blocks of any size, the records, their
// lines and their errors are encoding/csv's.
func FuzzScanRecord(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"a\nb\",c\r\n\n", "x\"y\n\"z", "\"\"\"\",\r\r\n,"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, size uint8) {
		want := stdRecords(in)
		if diff := cmp.Diff(want, ourRecords(t, in, int(size)+1)); diff != "" {
			t.Errorf("records differ from encoding/csv on %q (-want +got):\n%s", in, diff)
		}
	})
}

func TestParseNumberCases(t *testing.T) {
	for _, s := range []string{"0", "-0", "+7", "12345", "0.05", "1.", ".5", "123456789012345", "1234567890123456",
		"0.1234567890123456789", "1e3", "1E-3", "0x1p3", "inf", "-Infinity", "1_000", "1,5", ".", "-", "+", "１", "00012.50"} {
		checkNumber(t, []byte(s))
	}
}

func checkNumber(t *testing.T, b []byte) {
	t.Helper()
	s := strings.TrimSpace(string(b))
	if scoring.IsMissing(s) {
		return // parseNumber is only asked about present cells
	}
	want, err := scoring.ParseNumber(s)
	got, ok := parseNumber([]byte(s))
	if ok != (err == nil) || ok && math.Float64bits(got) != math.Float64bits(want) {
		t.Errorf("parseNumber(%q): got %v, %v; want %v, %v", s, got, ok, want, err)
	}
}

// FuzzParseNumber: the fast number parser agrees with strconv, bit for
// bit, on every input.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1", "-12.5", "0.000123", "9007199254740993", "1e22", "abc"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkNumber(t, b) })
}
