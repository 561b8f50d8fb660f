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
	addSeeds(f, "loans", "", "\uFEFF", loanHeader, loanHeader+"\n\"", loanHeader+"\nLN1,C1,,,,P,1,0.1,1,,2024-01-01,,,",
		`{"loan_id":"LN1","borrower_id":"C1","product":"P","principal":1,"rate":"0.1","term":1,"disbursement_date":"2024-01-01"}`)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := imports.FormatCSV
		if jsonl {
			format = imports.FormatJSONL
		}
		rows, rejects, err := imports.ParseLoans(bytes.NewReader(data), format)
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
		checkAccounting(t, data, format, lines, rejects, err)
	})
}

// FuzzParsePayments is FuzzParseLoans for payments files.
func FuzzParsePayments(f *testing.F) {
	addSeeds(f, "payments", "", "\uFEFF", paymentHeader, paymentHeader+"\n\"", paymentHeader+"\nLN1,2024-01-01,1,,R",
		paymentHeader+"\n\"a\"\"b\",2024-01-01,1,\"x\ny\",R\n", `{"loan_id":"LN1","value_date":"2024-01-01","amount":1,"reference":"R"}`)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := imports.FormatCSV
		if jsonl {
			format = imports.FormatJSONL
		}
		rows, rejects, err := imports.ParsePayments(bytes.NewReader(data), format)
		lines := make([]int, len(rows))
		for i, r := range rows {
			lines[i] = r.Line
			if err := validPayment(r); err != nil {
				t.Errorf("line %d: invalid row %+v: %v", r.Line, r, err)
			}
		}
		checkAccounting(t, data, format, lines, rejects, err)
	})
}

// checkAccounting checks the promise to the operator: either one
// file-level error and nothing else, or every line that is not blank and
// not the header comes back exactly once, as a row or as a reject with its
// own text.
func checkAccounting(t *testing.T, data []byte, format imports.Format, rowLines []int, rejects []imports.Reject, err error) {
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
	text := string(bytes.TrimPrefix(data, []byte("\uFEFF")))
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
