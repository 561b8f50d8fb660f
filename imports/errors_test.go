package imports_test

import (
	"errors"
	"strings"
	"testing"

	"daihou/imports"
)

var sentinels = []error{imports.ErrBadHeader, imports.ErrBadEncoding, imports.ErrTruncated, imports.ErrEmpty,
	imports.ErrBadTrailer, imports.ErrControlMismatch, imports.ErrUnknownFormat}

const gbkZhangSan = "\xD5\xC5\xC8\xFD" // 张三 in GBK

// TestFileErrors covers every way a whole file is refused: one error that
// errors.Is one sentinel (and no other), the invalid-input code, a message
// that says what to do, and no rows or rejects at all.
func TestFileErrors(t *testing.T) {
	tests := []struct {
		name     string
		payments bool // else loans
		format   imports.Format
		input    string
		want     error
		wantMsg  []string // substrings of the message
	}{
		{"missing required column", true, imports.FormatCSV, "loan_id,value_date,amount,channel\nLN1,2024-03-15,1.00,x\n",
			imports.ErrBadHeader, []string{"bad header on line 1: missing required column(s) reference; expected columns: loan_id, value_date, amount, reference (required); channel (optional)"}},
		{"duplicate column", true, imports.FormatCSV, "loan_id,value_date,amount,amount,reference\n",
			imports.ErrBadHeader, []string{`duplicate column(s) "amount" (columns 3 and 4)`}},
		{"unknown column", true, imports.FormatCSV, "loan_id,value_date,amount,reference,memo,备注\n",
			imports.ErrBadHeader, []string{`unknown column(s) "memo", "备注"`}},
		{"empty column name", true, imports.FormatCSV, "loan_id,value_date,amount,reference,\n",
			imports.ErrBadHeader, []string{"unknown column(s) an empty name in column 5"}},
		{"capitalised column", true, imports.FormatCSV, "Loan ID,value_date,amount,reference\n",
			imports.ErrBadHeader, []string{`missing required column(s) loan_id`, `unknown column(s) "Loan ID" (did you mean "loan_id"?)`}},
		{"everything at once", false, imports.FormatCSV, "loan_id,loan_id,borrower,product,principal,rate,term,disbursement_date\n",
			imports.ErrBadHeader, []string{`missing required column(s) borrower_id; duplicate column(s) "loan_id" (columns 1 and 2); unknown column(s) "borrower"`}},
		{"no header line", true, imports.FormatCSV, "LN1,2024-03-15,1.00,,WH1\n",
			imports.ErrBadHeader, []string{"the first line must be the header naming the payments columns"}},
		{"semicolons", true, imports.FormatCSV, "loan_id;value_date;amount;reference\n",
			imports.ErrBadHeader, []string{"separated by semicolons, tabs or bars: daihou reads comma-separated CSV"}},
		{"tabs", true, imports.FormatCSV, "loan_id\tvalue_date\tamount\treference\n",
			imports.ErrBadHeader, []string{"separated by semicolons, tabs or bars"}},
		{"payments file read as loans", false, imports.FormatCSV, "loan_id,value_date,amount,reference\n",
			imports.ErrBadHeader, []string{"missing required column(s) borrower_id, product, principal, rate, term, disbursement_date", `unknown column(s) "value_date", "amount", "reference"`}},
		{"stray quote in header", true, imports.FormatCSV, "loan_id,value\"date,amount,reference\n",
			imports.ErrBadHeader, []string{`bad header on line 1: column 2: has a stray "`}},
		{"quote never closed in header", true, imports.FormatCSV, "loan_id,\"value_date,amount,reference\n",
			imports.ErrBadHeader, []string{"bad header on line 1: column 2: the quote that opens the field is never closed"}},
		{"trailer before the header", true, imports.FormatCSV, "#trailer,rows=0,total=0\n" + paymentHeader + "\n",
			imports.ErrBadHeader, []string{"bad header on line 1: this is a trailer, but a CSV file starts with its header line"}},
		{"header after blank lines keeps its line number", true, imports.FormatCSV, "\n\nloan_id\n",
			imports.ErrBadHeader, []string{"bad header on line 3"}},

		{"GBK in a row", false, imports.FormatCSV, loanHeader + "\nLN1,C1," + gbkZhangSan + ",,,P,1.00,0.04,12,,2024-03-15,,,\n",
			imports.ErrBadEncoding, []string{"bad encoding: line 2 is not valid UTF-8; the file is probably GBK/GB18030", "iconv -f GB18030 -t UTF-8"}},
		{"GBK deep in the file", true, imports.FormatCSV, paymentHeader + "\n" + strings.Repeat("LN1,2024-03-15,1.00,,R1\n", 1000) + "LN1,2024-03-15,1.00," + gbkZhangSan + ",R2\n",
			imports.ErrBadEncoding, []string{"line 1002 is not valid UTF-8"}},
		{"GBK in the header", true, imports.FormatCSV, "loan_id,value_date,amount,reference," + gbkZhangSan + "\n",
			imports.ErrBadEncoding, []string{"line 1 is not valid UTF-8"}},
		{"GBK in a quoted line break", true, imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,\"a\n" + gbkZhangSan + "\",R1\n",
			imports.ErrBadEncoding, []string{"line 3 is not valid UTF-8"}},
		{"GBK in JSON Lines", true, imports.FormatJSONL, `{"loan_id":"LN1"}` + "\n" + `{"channel":"` + gbkZhangSan + `"}` + "\n",
			imports.ErrBadEncoding, []string{"line 2 is not valid UTF-8"}},
		{"UTF-16LE", true, imports.FormatCSV, "\xFF\xFEl\x00o\x00",
			imports.ErrBadEncoding, []string{"the file is UTF-16", `save it as UTF-8 (in Excel: "CSV UTF-8")`}},
		{"UTF-16BE", true, imports.FormatJSONL, "\xFE\xFF\x00{",
			imports.ErrBadEncoding, []string{"the file is UTF-16"}},
		{"UTF-16 without a mark", true, imports.FormatCSV, "l\x00o\x00a\x00n\x00\n\x00",
			imports.ErrBadEncoding, []string{"line 1 contains NUL bytes; the file is probably UTF-16"}},
		{"UTF-16 JSON Lines without a mark", true, imports.FormatJSONL, "{\x00\"\x00",
			imports.ErrBadEncoding, []string{"line 1 contains NUL bytes"}},

		{"header alone without a line end", true, imports.FormatCSV, paymentHeader,
			imports.ErrTruncated, []string{"file is truncated: line 1, the header, is the file's last line and has no line end, so the file may have been cut off in transfer right after it; ask for the file to be delivered again"}},
		{"header after blank lines, alone without a line end", false, imports.FormatCSV, "\r\n" + loanHeader,
			imports.ErrTruncated, []string{"line 2, the header"}},

		{"empty CSV", true, imports.FormatCSV, "", imports.ErrEmpty, []string{"file is empty"}},
		{"empty JSON Lines", false, imports.FormatJSONL, "", imports.ErrEmpty, []string{"file is empty"}},
		{"only a byte-order mark", true, imports.FormatCSV, "\uFEFF", imports.ErrEmpty, nil},
		{"only blank lines", true, imports.FormatCSV, "\n \r\n\t\n", imports.ErrEmpty, nil},
		{"only Excel's empty rows", true, imports.FormatCSV, ",,,,\n,,,,\n", imports.ErrEmpty, nil},
		{"only blank JSON lines", true, imports.FormatJSONL, "\n  \r\n", imports.ErrEmpty, nil},

		{"zero format", true, imports.Format(0), paymentHeader + "\n", imports.ErrUnknownFormat, []string{"unknown file format: Format(0)"}},
		{"bad format", false, imports.Format(7), paymentHeader + "\n", imports.ErrUnknownFormat, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			var rejects []imports.Reject
			var err error
			if tt.payments {
				var rows []imports.PaymentRow
				rows, rejects, err = parsePayments(t, tt.format, tt.input)
				n = len(rows)
			} else {
				var rows []imports.LoanRow
				rows, rejects, err = parseLoans(t, tt.format, tt.input)
				n = len(rows)
			}
			checkFileError(t, err, n, rejects, tt.want)
			for _, s := range sentinels {
				if s != tt.want && errors.Is(err, s) {
					t.Errorf("error %v is also %v", err, s)
				}
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error message\n\t%s\ndoes not contain\n\t%s", err, m)
				}
			}
		})
	}
}

// TestNotFileErrors covers inputs close to a file-level error that are not
// one: the bad rows are rejected and the rest imported.
func TestNotFileErrors(t *testing.T) {
	tests := []struct {
		name        string
		format      imports.Format
		input       string
		wantRows    int
		wantRejects []int
	}{
		{"UTF-8 byte-order mark", imports.FormatCSV, "\uFEFF" + paymentHeader + "\nLN1,2024-03-15,1.00,,R1\n", 1, nil},
		{"byte-order mark in JSON Lines", imports.FormatJSONL, "\uFEFF" + `{"loan_id":"LN1","value_date":"2024-03-15","amount":"1.00","reference":"R1"}` + "\n", 1, nil},
		{"header after blank lines", imports.FormatCSV, "\n\n" + paymentHeader + "\nLN1,2024-03-15,1.00,,R1\n", 1, nil},
		{"short last line with a line ending", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1\nLN1,2024-03-15,1.0\n", 1, []int{3}},
		{"long last line without a line ending", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1,x", 0, []int{2}},
		{"no final line ending", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1", 0, []int{2}},
		{"CRLF file", imports.FormatCSV, paymentHeader + "\r\nLN1,2024-03-15,1.00,,R1\r\n", 1, nil},
		{"a blank last line without a line end", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1\n  ", 1, nil},
		{"Excel's empty row last, without a line end", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1\n,,,,", 1, nil},
		{"CSV last line cut short", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1\nLN1,2024-03-15,1.0", 1, []int{3}},
		{"CSV quote never closed", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1\nLN1,2024-03-15,1.00,,\"R2", 1, []int{3}},
		{"CSV quote never closed over lines", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,\"bank\nLN1,2024-03-15,1.00,,R2\n", 0, []int{2}},
		{"CSV cut inside a character", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,,R1\nLN1,2024-03-15,1.00,\xe6\x9f", 1, []int{3}},
		{"JSON Lines last line cut", imports.FormatJSONL, `{"loan_id":"LN1","value_date":"2024-03-15","amount":"1.00","reference":"R1"}` + "\n" + `{"loan_id":"LN1","value_date":"2024-03-15","amo`, 1, []int{2}},
		{"JSON Lines cut after a value", imports.FormatJSONL, `{"loan_id":"LN1","amount":12`, 0, []int{1}},
		{"JSON Lines cut inside a character", imports.FormatJSONL, `{"loan_id":"LN1","value_date":"2024-03-15","amount":"1.00","reference":"\xe6`, 0, []int{1}},
		{"JSON Lines complete last line without a line end", imports.FormatJSONL, `{"loan_id":"LN1","value_date":"2024-03-15","amount":"1.00","reference":"R1"}`, 0, []int{1}},
		{"invalid last JSON line with a line ending", imports.FormatJSONL, `{"loan_id":"LN1",` + "\n", 0, []int{1}},
		{"last JSON line not an object, no line ending", imports.FormatJSONL, `"LN1"`, 0, []int{1}},
		{"NUL in a row is a reject, not an encoding error", imports.FormatCSV, paymentHeader + "\nLN1,2024-03-15,1.00,\x00,R1\n", 0, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := parsePayments(t, tt.format, tt.input)
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			var lines []int
			for _, r := range rejects {
				lines = append(lines, r.Line)
			}
			if len(rows) != tt.wantRows || !equalInts(lines, tt.wantRejects) {
				t.Errorf("got %d rows, rejects %v; want %d rows, rejects on lines %v", len(rows), rejects, tt.wantRows, tt.wantRejects)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
