package imports_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"daihou"
	"daihou/imports"
	"daihou/money"
)

// addSeeds adds every sample file of the kind as a seed, in its format,
// plus short inputs at the edges of each rule.
func addSeeds(f *testing.F, kind string, extra ...string) {
	files, err := filepath.Glob(filepath.Join("testdata", kind+"_*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no sample files for %s: %v", kind, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		format, err := imports.FormatFromPath(name)
		if err != nil {
			continue
		}
		f.Add(data, format == imports.FormatJSONL)
	}
	for _, s := range extra {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
}

// FuzzParseLoans checks, for any input, that ParseLoans does not panic,
// that every line is accounted for exactly once, and that every row holds
// valid values.
func FuzzParseLoans(f *testing.F) {
	const row = "LN1,C1,,,,P,1,0.1,1,,2024-01-01,,,"
	const obj = `{"loan_id":"LN1","borrower_id":"C1","product":"P","principal":1,"rate":"0.1","term":1,"disbursement_date":"2024-01-01"}`
	addSeeds(f, "loans", "", "\uFEFF", loanHeader, loanHeader+"\n\"", loanHeader+"\n"+row, obj,
		loanHeader+"\n"+row+"\n#trailer,rows=1,total=1\n", loanHeader+"\n"+row+"\n#trailer,rows=1\n\n",
		loanHeader+"\n"+row+"\n#trailer,rows=1,total=1", loanHeader+"\n#trailer,rows=0\n"+row+"\n",
		obj+"\n"+`{"trailer":{"rows":1,"total":"1"}}`+"\n", obj+"\n"+`{"trailer":{"rows":2}}`+"\n", `{"trailer":{"rows":0}}`)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := imports.FormatCSV
		if jsonl {
			format = imports.FormatJSONL
		}
		file, err := imports.ParseLoansFile(bytes.NewReader(data), format, imports.ParseOptions{})
		rows, rejects := file.Rows, file.Rejects
		lines := make([]int, len(rows))
		seen := map[string]bool{}
		for i, r := range rows {
			lines[i] = r.Line
			if err := validLoan(r); err != nil {
				t.Errorf("line %d: invalid row %+v: %v", r.Line, r, err)
			}
			if seen[r.LoanID] {
				t.Errorf("line %d: loan_id %q returned twice", r.Line, r.LoanID)
			}
			seen[r.LoanID] = true
		}
		checkAccounting(t, data, format, lines, rejects, file.Summary, err)
	})
}

// FuzzParsePayments is FuzzParseLoans for payments files.
func FuzzParsePayments(f *testing.F) {
	const row = "LN1,2024-01-01,1,,R"
	const obj = `{"loan_id":"LN1","value_date":"2024-01-01","amount":1,"reference":"R"}`
	addSeeds(f, "payments", "", "\uFEFF", paymentHeader, paymentHeader+"\n\"", paymentHeader+"\n"+row,
		paymentHeader+"\n\"a\"\"b\",2024-01-01,1,\"x\ny\",R\n", obj,
		paymentHeader+"\n"+row+"\n#trailer,rows=1,total=1.00\n", paymentHeader+"\n"+row+"\r\n#TRAILER, rows = 1 ,total=1,,\r\n\r\n",
		paymentHeader+"\n"+row+"\n#trailer,rows=2,total=1.00\n", paymentHeader+"\n"+row+"\n#trailer,rows=1,total=1",
		paymentHeader+"\n#trailer,rows=0,total=0\n"+row+"\n", paymentHeader+"\n"+row+"\n#trailer,rows=1,total=1\n#trailer,rows=1,total=1\n",
		paymentHeader+"\nLN1,2024-01-01,-1,,R\nLN1,2024-01-01,x,,R\n#trailer,rows=2,total=-1\n",
		paymentHeader+"\nLN1,2024-01-01,,R,20", paymentHeader+"\n"+row+"\nLN1,2024-01-01,1,\xe6\x9f",
		obj+"\n"+`{"trailer":{"rows":1,"total":"1"}}`+"\n", obj+"\n"+`{"trailer":{"rows":"1","total":1.00}}`+"\r\n",
		obj+"\n"+`{"trailer":{"rows":1,"total":"1"},"x":1}`+"\n", obj+"\n"+`{"trailer":{"rows":1,`+"\n", obj+"\n"+`{"trailer":{"rows":1,"total":"1"}}`,
		obj+"\n"+obj[:len(obj)-5], `{"trailer":{"rows":0,"total":"0"}}`+"\n"+obj+"\n")
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := imports.FormatCSV
		if jsonl {
			format = imports.FormatJSONL
		}
		file, err := imports.ParsePaymentsFile(bytes.NewReader(data), format, imports.ParseOptions{})
		rows, rejects := file.Rows, file.Rejects
		lines := make([]int, len(rows))
		var total money.Amount
		for i, r := range rows {
			lines[i] = r.Line
			total += r.Amount
			if err := validPayment(r); err != nil {
				t.Errorf("line %d: invalid row %+v: %v", r.Line, r, err)
			}
		}
		if err == nil && len(rejects) == 0 && file.Total != total {
			t.Errorf("Summary.Total %v, but the rows, all valid, add up to %v", file.Total, total)
		}
		checkAccounting(t, data, format, lines, rejects, file.Summary, err)
	})
}

// checkAccounting checks the promise to the operator: either one
// file-level error and nothing else, or every line that is not blank, the
// header or the trailer comes back exactly once, as a row or as a reject
// with its own text, and a file that does not end with a line end has its
// last row rejected.
func checkAccounting(t *testing.T, data []byte, format imports.Format, rowLines []int, rejects []imports.Reject, sum imports.Summary, err error) {
	t.Helper()
	if err != nil {
		if len(rowLines) != 0 || rejects != nil {
			t.Fatalf("error %v came with %d rows and %d rejects", err, len(rowLines), len(rejects))
		}
		known := false
		for _, s := range sentinels {
			known = known || errors.Is(err, s)
		}
		if !known || daihou.ErrorCode(err) != daihou.EINVALID {
			t.Fatalf("error %v is not a file-level error", err)
		}
		return
	}
	if sum.DataRows != len(rowLines)+len(rejects) {
		t.Errorf("Summary.DataRows %d, but %d rows and %d rejects came back", sum.DataRows, len(rowLines), len(rejects))
	}
	text := string(bytes.TrimPrefix(data, []byte("\uFEFF")))
	// A file cut inside a multi-byte character has it marked with
	// U+FFFD.
	for n := 1; n < utf8.UTFMax && n <= len(text); n++ {
		if tail := text[len(text)-n:]; utf8.RuneStart(tail[0]) {
			if !utf8.FullRuneInString(tail) {
				text = text[:len(text)-n] + "\uFFFD"
			}
			break
		}
	}
	terminated := text == "" || strings.HasSuffix(text, "\n")
	// Physical lines, and where each starts in text.
	var phys []string
	var starts []int
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		starts = append(starts, off)
		phys = append(phys, strings.TrimSuffix(text[off:off+end], "\r"))
		off += end + 1
	}
	if !utf8.ValidString(text) {
		t.Fatalf("invalid UTF-8 was not refused")
	}

	// Every line number once, rows and rejects together.
	all := map[int]string{}
	for _, l := range rowLines {
		all[l] = "row"
	}
	for _, r := range rejects {
		if _, dup := all[r.Line]; dup {
			t.Fatalf("line %d returned twice", r.Line)
		}
		all[r.Line] = "reject"
		if r.Reason == "" {
			t.Errorf("line %d: reject without a reason", r.Line)
		}
		if r.Line < 1 || r.Line > len(phys) {
			t.Fatalf("line %d: out of the file's %d lines", r.Line, len(phys))
		}
		// Raw is the text from the start of its line, ending at a line end.
		rest := text[starts[r.Line-1]:]
		if !strings.HasPrefix(rest, r.Raw) {
			t.Errorf("line %d: raw %q is not the file's text there %q", r.Line, r.Raw, rest[:min(len(rest), len(r.Raw)+10)])
		}
		after := rest[len(r.Raw):]
		if after != "" && after != "\r" && !strings.HasPrefix(after, "\n") && !strings.HasPrefix(after, "\r\n") {
			t.Errorf("line %d: raw %q stops in the middle of a line", r.Line, r.Raw)
		}
		if r.Line == sum.Unterminated && after != "" && after != "\r" {
			t.Errorf("line %d: rejected as the file's unterminated end, but text follows it: %q", r.Line, after)
		}
	}
	switch {
	case terminated && sum.Unterminated != 0:
		t.Errorf("the file ends with a line end, but line %d is reported as without one", sum.Unterminated)
	case sum.Unterminated != 0 && all[sum.Unterminated] != "reject":
		t.Errorf("line %d has no line end but is not rejected", sum.Unterminated)
	}
	for _, l := range rowLines {
		if sum.Unterminated != 0 && l >= sum.Unterminated {
			t.Errorf("line %d is a valid row after the unterminated line %d", l, sum.Unterminated)
		}
	}
	if sum.TrailerLine != 0 {
		if _, dup := all[sum.TrailerLine]; dup {
			t.Errorf("trailer line %d is also returned as a row", sum.TrailerLine)
		}
		for _, l := range phys[sum.TrailerLine:] {
			if !blankLine(l, format) {
				t.Errorf("the trailer on line %d is followed by %q", sum.TrailerLine, l)
			}
		}
		all[sum.TrailerLine] = "trailer"
	}
	for i := 1; i < len(rowLines); i++ {
		if rowLines[i] <= rowLines[i-1] {
			t.Errorf("rows out of order: line %d after %d", rowLines[i], rowLines[i-1])
		}
	}

	// Which lines must be accounted for. A quoted field may carry a
	// record over several lines, so with quotes in a CSV file only
	// record starts can be checked: each must be a non-blank line.
	var want []int
	header := format == imports.FormatCSV
	for i, l := range phys {
		if blankLine(l, format) {
			continue
		}
		if header {
			header = false
			continue
		}
		want = append(want, i+1)
	}
	if format == imports.FormatCSV && strings.Contains(text, `"`) {
		wantSet := map[int]bool{}
		for _, l := range want {
			wantSet[l] = true
		}
		for l := range all {
			if !wantSet[l] {
				t.Errorf("line %d is returned but is blank or the header", l)
			}
		}
		return
	}
	if !terminated && len(phys) > 0 && !blankLine(phys[len(phys)-1], format) && sum.Unterminated != len(phys) {
		t.Errorf("the last line %d has no line end, but Summary.Unterminated is %d", len(phys), sum.Unterminated)
	}
	if len(want) != len(all) {
		t.Fatalf("%d lines need accounting for, %d were returned (%v)", len(want), len(all), all)
	}
	for _, l := range want {
		if _, ok := all[l]; !ok {
			t.Errorf("line %d %q is neither a row nor a reject", l, phys[l-1])
		}
	}
	for _, r := range rejects {
		if r.Raw != phys[r.Line-1] {
			t.Errorf("line %d: raw %q, want %q", r.Line, r.Raw, phys[r.Line-1])
		}
	}
}

// blankLine reports whether a line carries no data: white space in JSON
// Lines; in CSV, only empty fields.
func blankLine(l string, format imports.Format) bool {
	if format == imports.FormatJSONL {
		return strings.Trim(l, " \t\r") == ""
	}
	for _, f := range strings.Split(l, ",") {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

var methods = map[string]bool{imports.MethodEqualInstallment: true, imports.MethodEqualPrincipal: true, imports.MethodInterestOnly: true, imports.MethodBullet: true}

func validLoan(r imports.LoanRow) error {
	switch {
	case !validCode(r.LoanID):
		return errors.New("loan_id")
	case !validText(r.BorrowerID, 64) || r.BorrowerID == "":
		return errors.New("borrower_id")
	case !validText(r.BorrowerName, 100):
		return errors.New("borrower_name")
	case r.IDNumber != "" && !validID(r.IDNumber):
		return errors.New("id_number")
	case r.Phone != "" && (len(r.Phone) != 11 || r.Phone[0] != '1' || r.Phone[1] < '3' || strings.Trim(r.Phone, "0123456789") != ""):
		return errors.New("phone")
	case !validCode(r.Product):
		return errors.New("product")
	case r.Principal <= 0:
		return errors.New("principal")
	case r.Rate < 0 || r.Rate > money.MustParseRate("0.36"):
		return errors.New("rate")
	case r.Term < 1 || r.Term > 480:
		return errors.New("term")
	case r.Method != "" && !methods[r.Method]:
		return errors.New("method")
	case r.DisbursementDate.Year() < 1900:
		return errors.New("disbursement_date")
	case !validText(r.Branch, 64) || !validText(r.Officer, 64) || !validText(r.Region, 64):
		return errors.New("branch, officer or region")
	}
	return nil
}

func validPayment(r imports.PaymentRow) error {
	switch {
	case !validCode(r.LoanID):
		return errors.New("loan_id")
	case r.ValueDate.Year() < 1900:
		return errors.New("value_date")
	case r.Amount <= 0:
		return errors.New("amount")
	case !validText(r.Channel, 64):
		return errors.New("channel")
	case r.Reference == "" || !validText(r.Reference, 128):
		return errors.New("reference")
	}
	return nil
}

func validCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == ""
}

func validText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return false
		}
	}
	return true
}

func validID(s string) bool {
	if len(s) != 18 || strings.Trim(s[:17], "0123456789") != "" {
		return false
	}
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, x := range w {
		sum += int(s[i]-'0') * x
	}
	return s[17] == "10X98765432"[sum%11]
}
