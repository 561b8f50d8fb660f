package imports_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/imports"
	"daihou/money"
)

func ptr[T any](v T) *T { return &v }

const (
	pay1 = "LN1,2024-03-15,2000.00,withholding,WH1"
	pay2 = "LN2,2024-03-15,0.50,withholding,WH2"
	bad3 = "LN3,2024-03-15,-1.00,withholding,WH3"    // rejected, but its amount is read
	bad4 = "LN4,2024-03-15,1,000.00,withholding,WH4" // rejected, no amount read
	obj1 = `{"loan_id":"LN1","value_date":"2024-03-15","amount":"2000.00","reference":"WH1"}`
	obj2 = `{"loan_id":"LN2","value_date":"2024-03-15","amount":0.50,"reference":"WH2"}`
)

func csvFile(lines ...string) string { return paymentHeader + "\n" + strings.Join(lines, "\n") }

// TestControl covers the trailer and the caller's expectations on files
// that match them: what the Summary reports.
func TestControl(t *testing.T) {
	tests := []struct {
		name   string
		format imports.Format
		input  string
		opts   imports.ParseOptions
		want   imports.Summary
	}{
		{"no trailer", imports.FormatCSV, csvFile(pay1, pay2, ""), imports.ParseOptions{}, imports.Summary{DataRows: 2, Total: 200050}},
		{"trailer", imports.FormatCSV, csvFile(pay1, pay2, "#trailer,rows=2,total=2000.50", ""), imports.ParseOptions{},
			imports.Summary{DataRows: 2, Total: 200050, TrailerLine: 4}},
		{"trailer then blank lines", imports.FormatCSV, csvFile(pay1, "#trailer,rows=1,total=2000", "", ",,,,", ""), imports.ParseOptions{},
			imports.Summary{DataRows: 1, Total: 200000, TrailerLine: 3}},
		{"CRLF trailer", imports.FormatCSV, paymentHeader + "\r\n" + pay1 + "\r\n#trailer,rows=1,total=2000.00\r\n", imports.ParseOptions{},
			imports.Summary{DataRows: 1, Total: 200000, TrailerLine: 3}},
		{"rejects are counted, and their readable amounts added", imports.FormatCSV, csvFile(pay1, bad3, bad4, "#trailer,rows=3,total=1999.00", ""), imports.ParseOptions{},
			imports.Summary{DataRows: 3, Total: 199900, TrailerLine: 5}},
		{"a header and a trailer of nothing", imports.FormatCSV, csvFile("#trailer,rows=0,total=0.00", ""), imports.ParseOptions{},
			imports.Summary{TrailerLine: 2}},
		{"expectations", imports.FormatCSV, csvFile(pay1, pay2, ""), imports.ParseOptions{ExpectRows: ptr(2), ExpectTotal: ptr(money.Amount(200050))},
			imports.Summary{DataRows: 2, Total: 200050}},
		{"expecting nothing", imports.FormatCSV, csvFile(""), imports.ParseOptions{ExpectRows: ptr(0), ExpectTotal: ptr(money.Amount(0))}, imports.Summary{}},
		{"trailer and expectations", imports.FormatCSV, csvFile(pay1, "#trailer,rows=1,total=2000.00", ""),
			imports.ParseOptions{ExpectRows: ptr(1), ExpectTotal: ptr(money.Amount(200000)), RequireTrailer: true},
			imports.Summary{DataRows: 1, Total: 200000, TrailerLine: 3}},
		{"JSON Lines trailer", imports.FormatJSONL, obj1 + "\n" + obj2 + "\n" + `{"trailer":{"rows":2,"total":"2000.50"}}` + "\n", imports.ParseOptions{RequireTrailer: true},
			imports.Summary{DataRows: 2, Total: 200050, TrailerLine: 3}},
		{"JSON Lines trailer alone", imports.FormatJSONL, `{"trailer":{"rows":0,"total":"0"}}` + "\n", imports.ParseOptions{}, imports.Summary{TrailerLine: 1}},
		{"expectations count the rejected last row", imports.FormatCSV, csvFile(pay1, pay2), imports.ParseOptions{ExpectRows: ptr(2), ExpectTotal: ptr(money.Amount(200050))},
			imports.Summary{DataRows: 2, Total: 200050, Unterminated: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := imports.ParsePaymentsFile(strings.NewReader(tt.input), tt.format, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, file.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
			if got, want := file.DataRows, len(file.Rows)+len(file.Rejects); got != want {
				t.Errorf("DataRows %d, but %d rows and rejects came back", got, want)
			}
		})
	}
}

func TestLoansControl(t *testing.T) {
	row := "LN1,C1,,,,P,100.50,0.04,12,,2024-01-01,,,"
	tests := []struct {
		name  string
		input string
		opts  imports.ParseOptions
		want  imports.Summary
	}{
		{"rows only", loanHeader + "\n" + row + "\n#trailer,rows=1\n", imports.ParseOptions{}, imports.Summary{DataRows: 1, Total: 10050, TrailerLine: 3}},
		{"rows and the principal's total", loanHeader + "\n" + row + "\n#trailer,rows=1,total=100.50\n", imports.ParseOptions{}, imports.Summary{DataRows: 1, Total: 10050, TrailerLine: 3}},
		{"expected principal", loanHeader + "\n" + row + "\n", imports.ParseOptions{ExpectTotal: ptr(money.Amount(10050))}, imports.Summary{DataRows: 1, Total: 10050}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := imports.ParseLoansFile(strings.NewReader(tt.input), imports.FormatCSV, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, file.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

// TestControlRefused covers every way a trailer or an expectation
// refuses the whole file: one error, both figures named, nothing else.
func TestControlRefused(t *testing.T) {
	tests := []struct {
		name    string
		format  imports.Format
		input   string
		opts    imports.ParseOptions
		want    error
		wantMsg []string
	}{
		{"a row missing", imports.FormatCSV, csvFile(pay1, "#trailer,rows=2,total=2000.50", ""), imports.ParseOptions{}, imports.ErrControlMismatch,
			[]string{"control figures do not match: the file holds 1 data row (1 valid, 0 rejected), but its trailer on line 3 states 2; " +
				"the amount column adds up to 2000.00, but its trailer on line 3 states 2000.50 (a difference of 0.50); " +
				"the file may be incomplete, joined with another or altered: ask the sender to check it and deliver it again"}},
		{"an amount changed", imports.FormatCSV, csvFile(pay1, pay2, "#trailer,rows=2,total=2000.05", ""), imports.ParseOptions{}, imports.ErrControlMismatch,
			[]string{"the amount column adds up to 2000.50, but its trailer on line 4 states 2000.05 (a difference of 0.45)"}},
		{"an amount that cannot be read", imports.FormatCSV, csvFile(pay1, bad4, "#trailer,rows=2,total=3000.00", ""), imports.ParseOptions{}, imports.ErrControlMismatch,
			[]string{"the amount column adds up to 2000.00, but its trailer on line 4 states 3000.00 (a difference of 1000.00); " +
				"data rows without a readable amount add nothing to the file's total: 1 (line 3)"}},
		{"expected rows", imports.FormatCSV, csvFile(pay1, pay2, ""), imports.ParseOptions{ExpectRows: ptr(3)}, imports.ErrControlMismatch,
			[]string{"the file holds 2 data rows (2 valid, 0 rejected), but the expected count is 3"}},
		{"expected total", imports.FormatCSV, csvFile(pay1, pay2, ""), imports.ParseOptions{ExpectTotal: ptr(money.Amount(200000))}, imports.ErrControlMismatch,
			[]string{"the amount column adds up to 2000.50, but the expected total is 2000.00 (a difference of 0.50)"}},
		{"trailer right, expectation wrong", imports.FormatCSV, csvFile(pay1, "#trailer,rows=1,total=2000", ""), imports.ParseOptions{ExpectRows: ptr(2)}, imports.ErrControlMismatch,
			[]string{"but the expected count is 2"}},
		{"the last amount cut from 2000.00 to 20", imports.FormatCSV, "loan_id,value_date,channel,reference,amount\nLN2,2024-03-15,c,R2,0.50\nLN1,2024-03-15,c,R1,20",
			imports.ParseOptions{ExpectRows: ptr(2), ExpectTotal: ptr(money.Amount(200050))}, imports.ErrControlMismatch,
			[]string{"the amount column adds up to 20.50, but the expected total is 2000.50 (a difference of 1980.00)"}},
		{"cut at a line end, trailer required", imports.FormatCSV, csvFile(pay1, pay2, ""), imports.ParseOptions{RequireTrailer: true}, imports.ErrBadTrailer,
			[]string{"bad trailer: the file has no trailer, and one is required: end it with #trailer,rows=N,total=SUM with N the number of data rows and SUM the sum of the amount column"}},
		{"JSON Lines trailer required", imports.FormatJSONL, obj1 + "\n", imports.ParseOptions{RequireTrailer: true}, imports.ErrBadTrailer,
			[]string{`end it with {"trailer":{"rows":N,"total":"SUM"}}`}},
		{"two files joined", imports.FormatCSV, csvFile(pay1, "#trailer,rows=1,total=2000.00", paymentHeader, pay2, "#trailer,rows=1,total=0.50", ""), imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{"bad trailer: line 4 follows the trailer on line 3, but the trailer must be the file's last line (were two files joined?)"}},
		{"JSON Lines joined", imports.FormatJSONL, obj1 + "\n" + `{"trailer":{"rows":1,"total":"2000.00"}}` + "\n" + obj2 + "\n", imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{"line 3 follows the trailer on line 2"}},
		{"malformed trailer", imports.FormatCSV, csvFile(pay1, "#trailer,rows=one,total=2000.00", ""), imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{`bad trailer on line 3: rows "one" is not a count: want the number of data rows in digits, e.g. 1234; write the trailer as #trailer,rows=N,total=SUM`}},
		{"trailer with a stray quote", imports.FormatCSV, csvFile(pay1, `#trailer,rows=1,total="2000.00`, ""), imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{`bad trailer on line 3: field 3: has a stray " in an unquoted field`}},
		{"trailer with a quote never closed", imports.FormatCSV, csvFile(pay1, `#trailer,rows=1,"total=2000.00`, ""), imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{"bad trailer on line 3: a quote that opens a field is never closed"}},
		{"JSON Lines trailer with other keys", imports.FormatJSONL, `{"trailer":{"rows":0,"total":"0"},"loan_id":"LN1"}` + "\n", imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{`the trailer object holds other keys besides "trailer"`}},
		{"JSON Lines trailer twice in one object", imports.FormatJSONL, `{"trailer":{"rows":0,"total":"0"},"trailer":{"rows":0,"total":"0"}}` + "\n", imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{`the "trailer" key appears twice`}},
		{"JSON Lines trailer not valid JSON", imports.FormatJSONL, `{"trailer":{"rows":0,"total":"0"}` + "\n", imports.ParseOptions{}, imports.ErrBadTrailer,
			[]string{"bad trailer on line 1: not valid JSON: unexpected end of line"}},
		{"trailer without a line end", imports.FormatCSV, csvFile(pay1, "#trailer,rows=1,total=2000.0"), imports.ParseOptions{}, imports.ErrTruncated,
			[]string{"file is truncated: line 3, the trailer, has no line end after it, so the file may have been cut off inside it; ask for the file to be delivered again"}},
		{"JSON Lines trailer cut", imports.FormatJSONL, obj1 + "\n" + `{"trailer":{"rows":1,"tot`, imports.ParseOptions{}, imports.ErrTruncated,
			[]string{"line 2, the trailer, has no line end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := imports.ParsePaymentsFile(strings.NewReader(tt.input), tt.format, tt.opts)
			checkFileError(t, err, len(file.Rows), file.Rejects, tt.want)
			if file.Summary != (imports.Summary{}) {
				t.Errorf("summary %+v with a file-level error; want none", file.Summary)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error message\n\t%s\ndoes not contain\n\t%s", err, m)
				}
			}
		})
	}
}

func TestParseOptionsInvalid(t *testing.T) {
	_, err := imports.ParsePaymentsFile(strings.NewReader(csvFile(pay1, "")), imports.FormatCSV, imports.ParseOptions{ExpectRows: ptr(-1)})
	if err == nil || daihou.ErrorCode(err) != daihou.EINVALID || !strings.Contains(err.Error(), "the expected row count is -1: want 0 or more") {
		t.Errorf("got %v, want an invalid-input error naming the count", err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			t.Errorf("error %v is %v; a wrong option is not a fault of the file", err, s)
		}
	}
}

// TestTruncation covers the rule for the end of a file: a last row
// without a line end is rejected, and nothing else changes.
func TestTruncation(t *testing.T) {
	const cut = "the file ends inside this row, with no line end after it, so the file may have been cut off in transfer: " +
		"check the row against the sender's copy and import it again once complete"
	tests := []struct {
		name      string
		format    imports.Format
		input     string
		wantRows  []int
		want      []imports.Reject
		wantUnter int
	}{
		{"ends with a line end", imports.FormatCSV, csvFile(pay1, pay2, ""), []int{2, 3}, nil, 0},
		{"ends with CRLF", imports.FormatCSV, paymentHeader + "\r\n" + pay1 + "\r\n" + pay2 + "\r\n", []int{2, 3}, nil, 0},
		{"ends with an empty line", imports.FormatCSV, csvFile(pay1, pay2, "", ""), []int{2, 3}, nil, 0},
		{"ends with spaces", imports.FormatCSV, csvFile(pay1, pay2, "  "), []int{2, 3}, nil, 0},
		{"the last amount cut from 2000.00 to 20", imports.FormatCSV, "loan_id,value_date,channel,reference,amount\nLN2,2024-03-15,c,R2,0.50\nLN1,2024-03-15,c,R1,20",
			[]int{2}, []imports.Reject{{Line: 3, Reason: cut, Raw: "LN1,2024-03-15,c,R1,20"}}, 3},
		{"a complete last row without a line end", imports.FormatCSV, csvFile(pay1, pay2), []int{2}, []imports.Reject{{Line: 3, Reason: cut, Raw: pay2}}, 3},
		{"cut between CR and LF", imports.FormatCSV, paymentHeader + "\r\n" + pay1 + "\r\n" + pay2 + "\r", []int{2}, []imports.Reject{{Line: 3, Reason: cut, Raw: pay2}}, 3},
		{"cut inside a field", imports.FormatCSV, csvFile(pay1, "LN2,2024-03"), []int{2},
			[]imports.Reject{{Line: 3, Reason: cut + "; has 2 fields, but the header has 5: every row needs one field for each header column, even an empty one (a,,c)", Raw: "LN2,2024-03"}}, 3},
		{"cut inside a Chinese character", imports.FormatCSV, csvFile(pay1, "LN2,2024-03-15,1.00,柜\xe9"), []int{2},
			[]imports.Reject{{Line: 3, Reason: cut + "; has 4 fields, but the header has 5: every row needs one field for each header column, even an empty one (a,,c)", Raw: "LN2,2024-03-15,1.00,柜\uFFFD"}}, 3},
		{"cut inside a quoted field", imports.FormatCSV, csvFile(pay1, `LN2,2024-03-15,1.00,"line one`, "line t"), []int{2},
			[]imports.Reject{{Line: 3, Reason: cut + `; channel: the quote that opens the field is never closed, so lines 3 to 4 were read as this one row: close it, and double every quote inside a quoted field ("")`,
				Raw: "LN2,2024-03-15,1.00,\"line one\nline t"}}, 3},
		{"JSON Lines complete", imports.FormatJSONL, obj1 + "\n" + obj2 + "\n", []int{1, 2}, nil, 0},
		{"JSON Lines ends with CRLF and a blank line", imports.FormatJSONL, obj1 + "\r\n" + obj2 + "\r\n\r\n", []int{1, 2}, nil, 0},
		{"JSON Lines complete last row without a line end", imports.FormatJSONL, obj1 + "\n" + obj2, []int{1}, []imports.Reject{{Line: 2, Reason: cut, Raw: obj2}}, 2},
		{"JSON Lines cut in a value", imports.FormatJSONL, obj1 + "\n" + obj2[:60], []int{1},
			[]imports.Reject{{Line: 2, Reason: cut + "; not valid JSON: unterminated string at column 61", Raw: obj2[:60]}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := imports.ParsePaymentsFile(strings.NewReader(tt.input), tt.format, imports.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, r := range file.Rows {
				lines = append(lines, r.Line)
			}
			if diff := cmp.Diff(tt.wantRows, lines); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, file.Rejects); diff != "" {
				t.Errorf("rejects (-want +got):\n%s", diff)
			}
			if got := file.Unterminated; got != tt.wantUnter {
				t.Errorf("Unterminated = %d, want %d", got, tt.wantUnter)
			}
		})
	}
}

// The sample files with a trailer report it.
func TestSampleTrailers(t *testing.T) {
	for _, tt := range []struct {
		file string
		want imports.Summary
	}{
		{"testdata/payments_trailer.csv", imports.Summary{DataRows: 31, Total: money.MustParseAmount("122440.44"), TrailerLine: 33}},
		{"testdata/payments_trailer.jsonl", imports.Summary{DataRows: 31, Total: money.MustParseAmount("122440.44"), TrailerLine: 32}},
		{"testdata/payments_cut_amount.csv", imports.Summary{DataRows: 6, Total: money.MustParseAmount("16973.48"), Unterminated: 7}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f, err := imports.FormatFromPath(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			file, err := imports.ParsePaymentsFile(mustOpen(t, tt.file), f, imports.ParseOptions{RequireTrailer: tt.want.TrailerLine != 0})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, file.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

func mustOpen(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
