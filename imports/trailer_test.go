package imports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"daihou/money"
)

// readTrailer reads one trailer line as the parser does: CSV split into
// fields, or JSON scanned for its "trailer" key. ok is false if the line
// is not a trailer at all (not the mark, not valid JSON, other keys).
func readTrailer(s *schema, line string, f Format) (t trailer, problems string, ok bool) {
	if f == FormatCSV {
		fields, serr := splitCSV(line, nil)
		if serr != nil || len(fields) == 0 || !isTrailerMark(fields[0]) {
			return trailer{}, "", false
		}
		t, problems = s.csvTrailer(fields, 1)
		return t, problems, true
	}
	var keys, others int
	var kind jsonKind
	var raw string
	sc := jsonScanner{s: line}
	if _, valid := sc.object(func(key string, k jsonKind, v string) {
		if key == trailerKey {
			keys++
			kind, raw = k, v
			return
		}
		others++
	}); !valid || keys != 1 || others != 0 {
		return trailer{}, "", false
	}
	t, problems = s.jsonTrailer(kind, raw, 1)
	return t, problems, true
}

func TestTrailerSyntax(t *testing.T) {
	tests := []struct {
		name   string
		s      *schema
		format Format
		line   string
		want   trailer
		wantP  string // the problems, if the trailer is refused
	}{
		{"csv", paymentSchema, FormatCSV, "#trailer,rows=1234,total=567890.12", trailer{line: 1, rows: 1234, total: 56789012, hasTotal: true}, ""},
		{"csv items in any order", paymentSchema, FormatCSV, "#trailer,total=1.5,rows=2", trailer{line: 1, rows: 2, total: 150, hasTotal: true}, ""},
		{"csv spaces, capitals and Excel's padding", paymentSchema, FormatCSV, " #TRAILER , rows = 7 ,total= 0.07 ,,,", trailer{line: 1, rows: 7, total: 7, hasTotal: true}, ""},
		{"csv quoted items", paymentSchema, FormatCSV, `"#trailer","rows=3","total=3.00"`, trailer{line: 1, rows: 3, total: 300, hasTotal: true}, ""},
		{"csv negative total", paymentSchema, FormatCSV, "#trailer,rows=1,total=-5.00", trailer{line: 1, rows: 1, total: -500, hasTotal: true}, ""},
		{"csv empty file", paymentSchema, FormatCSV, "#trailer,rows=0,total=0", trailer{line: 1, hasTotal: true}, ""},
		{"csv loans without a total", loanSchema, FormatCSV, "#trailer,rows=12", trailer{line: 1, rows: 12}, ""},
		{"csv loans with a total", loanSchema, FormatCSV, "#trailer,rows=12,total=100", trailer{line: 1, rows: 12, total: 10000, hasTotal: true}, ""},
		{"csv payments without a total", paymentSchema, FormatCSV, "#trailer,rows=12", trailer{},
			"total is missing: a payments trailer states the sum of the amount column"},
		{"csv without rows", paymentSchema, FormatCSV, "#trailer,total=1", trailer{}, "rows is missing"},
		{"csv rows not a number", paymentSchema, FormatCSV, "#trailer,rows=1e3,total=1", trailer{},
			`rows "1e3" is not a count: want the number of data rows in digits, e.g. 1234`},
		{"csv rows negative", paymentSchema, FormatCSV, "#trailer,rows=-1,total=1", trailer{},
			`rows "-1" is not a count: want the number of data rows in digits, e.g. 1234`},
		{"csv rows too many digits", paymentSchema, FormatCSV, "#trailer,rows=1234567890,total=1", trailer{},
			`rows "1234567890" is not a count: want the number of data rows in digits, e.g. 1234`},
		{"csv rows with leading zeros", paymentSchema, FormatCSV, "#trailer,rows=0000000001234,total=1", trailer{line: 1, rows: 1234, total: 100, hasTotal: true}, ""},
		{"csv total with a separator", paymentSchema, FormatCSV, `#trailer,rows=1,"total=1,000.00"`, trailer{},
			`total "1,000.00" has thousands separators: write 1000.00`},
		{"csv total unquoted with a separator", paymentSchema, FormatCSV, `#trailer,rows=1,total=1,000.00`, trailer{},
			`"000.00" is not name=value`},
		{"csv total with three decimals", paymentSchema, FormatCSV, "#trailer,rows=1,total=1.005", trailer{},
			`total "1.005" has 3 decimal places`},
		{"csv item twice", paymentSchema, FormatCSV, "#trailer,rows=1,rows=1,total=1", trailer{}, "rows is given twice"},
		{"csv unknown item", paymentSchema, FormatCSV, "#trailer,rows=1,total=1,sum=1", trailer{}, `"sum" is not a trailer item: a trailer states rows and total`},
		{"csv everything wrong", paymentSchema, FormatCSV, "#trailer,count=1", trailer{},
			`"count" is not a trailer item: a trailer states rows and total; rows is missing; total is missing`},

		{"json", paymentSchema, FormatJSONL, `{"trailer":{"rows":1234,"total":"567890.12"}}`, trailer{line: 1, rows: 1234, total: 56789012, hasTotal: true}, ""},
		{"json numbers as strings and a number total", paymentSchema, FormatJSONL, `{"trailer":{"total":567890.12,"rows":"1234"}}`,
			trailer{line: 1, rows: 1234, total: 56789012, hasTotal: true}, ""},
		{"json spaces", paymentSchema, FormatJSONL, ` { "trailer" : { "rows" : 0 , "total" : " 0.00 " } } `, trailer{line: 1, hasTotal: true}, ""},
		{"json loans", loanSchema, FormatJSONL, `{"trailer":{"rows":3}}`, trailer{line: 1, rows: 3}, ""},
		{"json rows with decimals", paymentSchema, FormatJSONL, `{"trailer":{"rows":12.0,"total":"1"}}`, trailer{},
			`rows "12.0" is not a count`},
		{"json total as a boolean", paymentSchema, FormatJSONL, `{"trailer":{"rows":1,"total":true}}`, trailer{},
			"total holds a boolean, not a number or a string"},
		{"json rows null", paymentSchema, FormatJSONL, `{"trailer":{"rows":null,"total":"1"}}`, trailer{}, "rows holds null, not a number or a string"},
		{"json not an object", paymentSchema, FormatJSONL, `{"trailer":"rows=1,total=1"}`, trailer{}, `the "trailer" key holds a string, not an object`},
		{"json duplicate item", paymentSchema, FormatJSONL, `{"trailer":{"rows":1,"rows":2,"total":"1"}}`, trailer{}, "rows is given twice"},
		{"json unknown item", paymentSchema, FormatJSONL, `{"trailer":{"rows":1,"total":"1","file":"x"}}`, trailer{}, `"file" is not a trailer item`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems, ok := readTrailer(tt.s, tt.line, tt.format)
			if !ok {
				t.Fatalf("%q is not read as a trailer at all", tt.line)
			}
			if tt.wantP != "" {
				if !strings.Contains(problems, tt.wantP) {
					t.Errorf("problems %q, want them to contain %q", problems, tt.wantP)
				}
				return
			}
			if problems != "" {
				t.Fatalf("refused: %s", problems)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(trailer{})); diff != "" {
				t.Errorf("trailer (-want +got):\n%s", diff)
			}
		})
	}
}

var trailerSeeds = []string{
	"rows=1234,total=567890.12", "total=1,rows=1", " rows = 1 , total = 1 ,,", "rows=1", "rows=x,total=1", "rows=1,rows=1,total=1",
	"rows=1,total=1,000.00", `"rows=1","total=1.00"`, "rows=1,total=-0", "rows=,total=", "=", "rows", "rows=0001,total=+1.5",
	`{"rows":1234,"total":"567890.12"}`, `{"rows":"1","total":1.5}`, `{"rows":1}`, `{"rows":1.0,"total":"1"}`, `{"rows":-1,"total":"1"}`,
	`{"rows":1,"rows":1,"total":"1"}`, `{"rows":true,"total":null}`, `{"rows":[1],"total":{"a":1}}`, `{}`, `"x"`, `[1]`, `{"rows":1e2,"total":"1e2"}`,
	`{"rows":" 1 ","total":" 1.00 "}`, `{"rows":"\u0031","total":"1"}`,
}

// FuzzTrailer checks the trailer parser against a specification of the
// syntax written independently of it (a regular expression for the CSV
// items, encoding/json for the JSON object), and checks that whatever it
// accepts reads back the same in both syntaxes.
func FuzzTrailer(f *testing.F) {
	for _, s := range trailerSeeds {
		f.Add(s, strings.HasPrefix(s, "{") || strings.HasPrefix(s, `"x`) || strings.HasPrefix(s, "["), true)
		f.Add(s, !strings.HasPrefix(s, "{"), false)
	}
	f.Fuzz(func(t *testing.T, items string, jsonl, payments bool) {
		s := loanSchema
		if payments {
			s = paymentSchema
		}
		var line string
		var want trailer
		var wantOK, known bool
		if jsonl {
			line = `{"trailer":` + items + `}`
			want, wantOK, known = jsonTrailerSpec(t, s, items)
		} else {
			line = "#trailer," + items
			want, wantOK, known = csvTrailerSpec(s, line)
		}
		if strings.ContainsAny(line, "\n\r") {
			return // a line reader never hands a line break to the parser
		}
		format := FormatCSV
		if jsonl {
			format = FormatJSONL
		}
		got, problems, ok := readTrailer(s, line, format)
		if !known {
			return
		}
		if !ok {
			t.Fatalf("%q: not read as a trailer, but it is one by the specification", line)
		}
		if (problems == "") != wantOK {
			t.Fatalf("%q: problems %q, but the specification says valid %v", line, problems, wantOK)
		}
		if problems != "" {
			return
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(trailer{})); diff != "" {
			t.Fatalf("%q: trailer differs from the specification (-spec +got):\n%s", line, diff)
		}
		// What is accepted in one syntax reads the same in the other.
		other := fmt.Sprintf("#trailer,rows=%d", got.rows)
		if got.hasTotal {
			other += ",total=" + got.total.String()
		}
		otherFormat := FormatCSV
		if format == FormatCSV {
			other = fmt.Sprintf(`{"trailer":{"rows":%d`, got.rows)
			if got.hasTotal {
				other += fmt.Sprintf(`,"total":%q`, got.total.String())
			}
			other += "}}"
			otherFormat = FormatJSONL
		}
		back, problems, ok := readTrailer(s, other, otherFormat)
		if !ok || problems != "" || back != got {
			t.Fatalf("%q read as %+v; written as %q it reads as %+v (%v, %q)", line, got, other, back, ok, problems)
		}
	})
}

var (
	csvItemSpec = regexp.MustCompile(`^(rows|total)[ \t]*=[ \t]*(.*?)[ \t]*$`)
	rowsSpec    = regexp.MustCompile(`^0*[0-9]{1,9}$`)
)

// csvTrailerSpec reads a CSV trailer line by the documented syntax, with
// encoding/csv to split it. known is false where the specification says
// nothing: the line is not a CSV record encoding/csv reads, or has white
// space other than spaces and tabs.
func csvTrailerSpec(s *schema, line string) (t trailer, ok, known bool) {
	if strings.IndexFunc(line, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' && r != '\t' }) >= 0 {
		return trailer{}, false, false
	}
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	fields, err := r.Read()
	if err != nil || len(fields) == 0 || !strings.EqualFold(strings.Trim(fields[0], " \t"), trailerMark) || strings.TrimSpace(line) != strings.Trim(line, " \t") {
		return trailer{}, false, false
	}
	ok = true
	var rowsSeen, totalSeen bool
	for _, f := range fields[1:] {
		if strings.TrimSpace(f) != strings.Trim(f, " \t") {
			return trailer{}, false, false
		}
		f = strings.Trim(f, " \t")
		if f == "" {
			continue
		}
		m := csvItemSpec.FindStringSubmatch(f)
		if m == nil || strings.TrimSpace(m[2]) != m[2] {
			if m != nil {
				return trailer{}, false, false
			}
			ok = false
			continue
		}
		switch m[1] {
		case "rows":
			if rowsSeen || !rowsSpec.MatchString(m[2]) {
				ok = false
			}
			rowsSeen = true
			t.rows, _ = strconv.Atoi(m[2])
		case "total":
			a, err := money.ParseAmount(m[2])
			if totalSeen || err != nil {
				ok = false
			}
			totalSeen = true
			t.total, t.hasTotal = a, true
		}
	}
	if !rowsSeen || s.totalRequired && !totalSeen || !ok {
		return trailer{}, false, true
	}
	t.line = 1
	return t, true, true
}

// jsonTrailerSpec reads the value of a JSON trailer's key with
// encoding/json. known is false where the line is not valid UTF-8 JSON,
// or may nest deeper than the scanner goes.
func jsonTrailerSpec(tb testing.TB, s *schema, items string) (t trailer, ok, known bool) {
	if !json.Valid([]byte(items)) || !utf8.ValidString(items) || strings.Count(items, "[")+strings.Count(items, "{") >= maxJSONDepth {
		return trailer{}, false, false
	}
	if !strings.HasPrefix(strings.TrimLeft(items, " \t"), "{") {
		return trailer{}, false, true
	}
	dec := json.NewDecoder(strings.NewReader(items))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		tb.Fatal(err)
	}
	ok = true
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			tb.Fatal(err)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			tb.Fatal(err)
		}
		if seen[key] || key != "rows" && key != "total" {
			ok = false
		}
		seen[key] = true
		var text string
		switch raw[0] {
		case '"':
			_ = json.Unmarshal(raw, &text)
			text = strings.TrimSpace(text)
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			text = string(raw)
		default:
			ok = false
			continue
		}
		switch key {
		case "rows":
			if !rowsSpec.MatchString(text) {
				ok = false
			}
			t.rows, _ = strconv.Atoi(text)
		case "total":
			a, err := money.ParseAmount(text)
			if err != nil {
				ok = false
			}
			t.total, t.hasTotal = a, true
		}
	}
	if !seen["rows"] || s.totalRequired && !seen["total"] || !ok {
		return trailer{}, false, true
	}
	t.line = 1
	return t, true, true
}
