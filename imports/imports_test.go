package imports_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"daihou"
	"daihou/civil"
	"daihou/imports"
	"daihou/money"
)

var update = flag.Bool("update", false, "rewrite the golden reject files under testdata/golden")

const (
	loanHeader    = "loan_id,borrower_id,borrower_name,id_number,phone,product,principal,rate,term,method,disbursement_date,branch,officer,region"
	paymentHeader = "loan_id,value_date,amount,channel,reference"
)

func parseLoans(t *testing.T, f imports.Format, input string) ([]imports.LoanRow, []imports.Reject, error) {
	t.Helper()
	return imports.ParseLoans(strings.NewReader(input), f)
}

func parsePayments(t *testing.T, f imports.Format, input string) ([]imports.PaymentRow, []imports.Reject, error) {
	t.Helper()
	return imports.ParsePayments(strings.NewReader(input), f)
}

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		name, path string
		want       imports.Format
		wantErr    bool
	}{
		{"csv", "/data/in/payments-20240315.csv", imports.FormatCSV, false},
		{"upper-case csv", "LOANS.CSV", imports.FormatCSV, false},
		{"jsonl", "payments.jsonl", imports.FormatJSONL, false},
		{"ndjson", "payments.NDJSON", imports.FormatJSONL, false},
		{"dotted directory", "/data/v1.2/payments.csv", imports.FormatCSV, false},
		{"excel", "loans.xlsx", 0, true},
		{"json array", "loans.json", 0, true},
		{"no extension", "loans", 0, true},
		{"compressed", "payments.csv.gz", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := imports.FormatFromPath(tt.path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("FormatFromPath(%q) error = %v, want error %v", tt.path, err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, imports.ErrUnknownFormat) || daihou.ErrorCode(err) != daihou.EINVALID {
					t.Errorf("error %v: want ErrUnknownFormat with code invalid", err)
				}
				return
			}
			if got != tt.want {
				t.Errorf("FormatFromPath(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func TestRejectPath(t *testing.T) {
	if got, want := imports.RejectPath("/in/payments-20240315.csv"), "/in/payments-20240315.csv.rejects.csv"; got != want {
		t.Errorf("RejectPath = %q, want %q", got, want)
	}
}

func TestParseLoansGood(t *testing.T) {
	rows, rejects := mustParseLoansFile(t, "testdata/loans_good.csv")
	if len(rejects) != 0 {
		t.Fatalf("got rejects %v, want none", rejects)
	}
	if len(rows) != 12 {
		t.Fatalf("got %d rows, want 12", len(rows))
	}
	want := imports.LoanRow{
		Line:             2,
		LoanID:           "LN202401150001",
		BorrowerID:       "C000184233",
		BorrowerName:     "张三",
		IDNumber:         "110101198503122311",
		Phone:            "13800138000",
		Product:          "CONS-36",
		Principal:        money.MustParseAmount("50000.00"),
		Rate:             money.MustParseRate("0.0435"),
		Term:             36,
		Method:           imports.MethodEqualInstallment,
		DisbursementDate: civil.MustParse("2024-01-15"),
		Branch:           "北京东城支行",
		Officer:          "E10023",
		Region:           "北京",
	}
	if diff := cmp.Diff(want, rows[0]); diff != "" {
		t.Errorf("first row (-want +got):\n%s", diff)
	}
	byID := map[string]imports.LoanRow{}
	for _, r := range rows {
		byID[r.LoanID] = r
	}
	checks := []struct {
		name, loan string
		got        func(imports.LoanRow) any
		want       any
	}{
		{"Chinese method name", "LN202401160004", func(r imports.LoanRow) any { return r.Method }, imports.MethodEqualPrincipal},
		{"ID number ending in X", "LN202401160004", func(r imports.LoanRow) any { return r.IDNumber }, "33010619951231008X"},
		{"fractional principal", "LN202401160004", func(r imports.LoanRow) any { return r.Principal }, money.Amount(800050)},
		{"quoted branch with a comma", "LN202401170005", func(r imports.LoanRow) any { return r.Branch }, "成都武侯支行, 营业部"},
		{"name with a middle dot", "LN202401170005", func(r imports.LoanRow) any { return r.BorrowerName }, "阿依古丽·买买提"},
		{"optional method absent", "LN202401170005", func(r imports.LoanRow) any { return r.Method }, ""},
		{"optional phone absent", "LN202401170005", func(r imports.LoanRow) any { return r.Phone }, ""},
		{"lower-case x upper-cased", "LN202401180007", func(r imports.LoanRow) any { return r.IDNumber }, "42010219920615541X"},
		{"+86 dropped", "LN202401180007", func(r imports.LoanRow) any { return r.Phone }, "13700001111"},
		{"whole-number principal", "LN202401150002", func(r imports.LoanRow) any { return r.Principal }, money.Amount(100000000)},
		{"zero rate", "LN202401220012", func(r imports.LoanRow) any { return r.Rate }, money.Rate(0)},
		{"先息后本", "LN202401190009", func(r imports.LoanRow) any { return r.Method }, imports.MethodInterestOnly},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			r, ok := byID[c.loan]
			if !ok {
				t.Fatalf("loan %s missing", c.loan)
			}
			if got := c.got(r); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// The same loans in every encoding of the file give the same rows.
func TestParseLoansFormatsAgree(t *testing.T) {
	want, _ := mustParseLoansFile(t, "testdata/loans_good.csv")
	for _, name := range []string{"testdata/loans_good.jsonl", "testdata/loans_bom_crlf.csv"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			got, rejects := mustParseLoansFile(t, name)
			if len(rejects) != 0 {
				t.Fatalf("got rejects %v", rejects)
			}
			if diff := cmp.Diff(want[:len(got)], got, cmpopts.IgnoreFields(imports.LoanRow{}, "Line")); diff != "" {
				t.Errorf("rows differ from loans_good.csv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePaymentsGood(t *testing.T) {
	var want []imports.PaymentRow
	for _, name := range []string{"testdata/payments_good.csv", "testdata/payments_good.jsonl", "testdata/payments_good.ndjson"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			rows, rejects := mustParsePaymentsFile(t, name)
			if len(rejects) != 0 {
				t.Fatalf("got rejects %v", rejects)
			}
			if len(rows) != 31 {
				t.Fatalf("got %d rows, want 31", len(rows))
			}
			if want == nil {
				want = rows
				first := imports.PaymentRow{Line: 2, LoanID: "LN202401150001", ValueDate: civil.MustParse("2024-02-01"),
					Amount: money.MustParseAmount("5605.00"), Channel: "bank-transfer", Reference: "BT20240201001000"}
				if diff := cmp.Diff(first, rows[0]); diff != "" {
					t.Errorf("first row (-want +got):\n%s", diff)
				}
				return
			}
			if diff := cmp.Diff(want, rows, cmpopts.IgnoreFields(imports.PaymentRow{}, "Line")); diff != "" {
				t.Errorf("rows differ from payments_good.csv (-want +got):\n%s", diff)
			}
		})
	}
}

// A re-delivered payment repeats its reference; posting it once is the
// storage's job, so both rows come back.
func TestDuplicateReferenceIsNotRejected(t *testing.T) {
	in := paymentHeader + "\nLN1,2024-03-15,100.00,withholding,WH1\nLN1,2024-03-15,100.00,withholding,WH1\n"
	for _, f := range []imports.Format{imports.FormatCSV} {
		rows, rejects, err := parsePayments(t, f, in)
		if err != nil || len(rejects) != 0 || len(rows) != 2 {
			t.Fatalf("got %d rows, rejects %v, error %v; want 2 rows", len(rows), rejects, err)
		}
	}
}

func TestHeaderOnlyIsNotAnError(t *testing.T) {
	for _, in := range []string{paymentHeader + "\n", paymentHeader + "\r\n", paymentHeader + "\n\n,,,,\n", paymentHeader + "\n\n,,,,"} {
		rows, rejects, err := parsePayments(t, imports.FormatCSV, in)
		if err != nil || rows != nil || rejects != nil {
			t.Errorf("%q: got %v, %v, %v; want nothing and no error", in, rows, rejects, err)
		}
	}
}

// Header columns may come in any order; rows are matched by name.
func TestColumnOrder(t *testing.T) {
	in := "reference, amount ,value_date,loan_id\nWH1,100.50,2024-03-15,LN1\n"
	rows, rejects, err := parsePayments(t, imports.FormatCSV, in)
	if err != nil || len(rejects) != 0 {
		t.Fatalf("got rejects %v, error %v", rejects, err)
	}
	want := []imports.PaymentRow{{Line: 2, LoanID: "LN1", ValueDate: civil.MustParse("2024-03-15"), Amount: 10050, Reference: "WH1"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Line numbers are physical lines: blank lines count, a quoted field
// carrying a line break makes its row span two lines, and CRLF is one
// line ending. The last row has no line end, so it is rejected as
// possibly cut off.
func TestLineNumbers(t *testing.T) {
	in := paymentHeader + "\r\n" +
		"\r\n" + // 2: blank
		"LN1,2024-03-15,1.00,,R1\r\n" + // 3
		"LN1,2024-03-15,1.00,\"two\r\nlines\",R2\r\n" + // 4-5: rejected, control character
		"LN1,2024-03-15,1.00,,R3\r\n" + // 6
		",,,,\r\n" + // 7: Excel's empty row
		"LN1,2024-03-15,x,,R4\r\n" + // 8: rejected
		"LN1,2024-03-15,1.00,,R5" // 9, no final line ending
	rows, rejects, err := parsePayments(t, imports.FormatCSV, in)
	if err != nil {
		t.Fatal(err)
	}
	var gotLines []int
	for _, r := range rows {
		gotLines = append(gotLines, r.Line)
	}
	if diff := cmp.Diff([]int{3, 6}, gotLines); diff != "" {
		t.Errorf("row lines (-want +got):\n%s", diff)
	}
	wantRejects := []imports.Reject{
		{Line: 4, Reason: "channel: has a line break at character 4: remove it", Raw: "LN1,2024-03-15,1.00,\"two\r\nlines\",R2"},
		{Line: 8, Reason: `amount: "x" is not a number ('x' at character 1); want digits with at most 2 decimals, e.g. 1234.50`, Raw: "LN1,2024-03-15,x,,R4"},
		{Line: 9, Reason: "the file ends inside this row, with no line end after it, so the file may have been cut off in transfer: " +
			"check the row against the sender's copy and import it again once complete", Raw: "LN1,2024-03-15,1.00,,R5"},
	}
	if diff := cmp.Diff(wantRejects, rejects); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
}

// A row longer than the reader's buffer is read whole.
func TestLongLine(t *testing.T) {
	long := strings.Repeat("R", 200_000)
	in := paymentHeader + "\nLN1,2024-03-15,1.00,," + long + "\nLN1,2024-03-15,1.00,,R2\n"
	rows, rejects, err := parsePayments(t, imports.FormatCSV, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Line != 3 {
		t.Errorf("got rows %v, want the row on line 3", rows)
	}
	if len(rejects) != 1 || rejects[0].Line != 2 || rejects[0].Raw != "LN1,2024-03-15,1.00,,"+long {
		t.Errorf("got %d rejects; want line 2 rejected with its whole text", len(rejects))
	}
}

func TestReadErrorIsNotInvalidInput(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(paymentHeader+"\nLN1,2024-03-15,1.00,,R1\n"), iotest.ErrReader(boom))
	rows, rejects, err := imports.ParsePayments(r, imports.FormatCSV)
	if !errors.Is(err, boom) || rows != nil || rejects != nil {
		t.Fatalf("got %v, %v, %v; want only the read error", rows, rejects, err)
	}
	if code := daihou.ErrorCode(err); code != daihou.EINTERNAL {
		t.Errorf("error code %q, want %q: a failed read is not the file's fault", code, daihou.EINTERNAL)
	}
}

func TestWriteRejectsRoundTrip(t *testing.T) {
	rejects := []imports.Reject{
		{Line: 3, Reason: `principal: "10.005" has 3 decimal places`, Raw: `LN1,C1,"张三, 李四",,,P,10.005,0.04,12,,2024-01-01,,,`},
		{Line: 9, Reason: "branch: contains a control character", Raw: "LN2,C2,,,,P,1.00,0.04,12,,2024-01-01,\"a\r\nb\",,"},
	}
	var buf bytes.Buffer
	if err := imports.WriteRejects(&buf, rejects); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFFline,reason,raw\n")) {
		t.Fatalf("reject file starts %q; want a UTF-8 BOM and the header", buf.String()[:20])
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"line", "reason", "raw"}, {"3", rejects[0].Reason, rejects[0].Raw}, {"9", rejects[1].Reason, strings.ReplaceAll(rejects[1].Raw, "\r\n", "\n")}}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("reject file read back (-want +got):\n%s", diff)
	}
	if got, want := rejects[0].String(), `line 3: principal: "10.005" has 3 decimal places`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestSampleFiles runs every sample file and compares the reject file it
// produces with a golden copy (go test -update rewrites them).
func TestSampleFiles(t *testing.T) {
	tests := []struct {
		file        string
		wantRows    int
		wantRejects []int // lines
		wantErr     error
	}{
		{"loans_good.csv", 12, nil, nil},
		{"loans_good.jsonl", 12, nil, nil},
		{"loans_bom_crlf.csv", 4, nil, nil},
		{"loans_bad.csv", 3, []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 21, 24, 25, 26}, nil},
		{"loans_bad.jsonl", 3, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14}, nil},
		{"loans_bad_header.csv", 0, nil, imports.ErrBadHeader},
		{"loans_gbk.csv", 0, nil, imports.ErrBadEncoding},
		{"payments_good.csv", 31, nil, nil},
		{"payments_good.jsonl", 31, nil, nil},
		{"payments_good.ndjson", 31, nil, nil},
		{"payments_bad.csv", 4, []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 21, 22}, nil},
		{"payments_bad.jsonl", 3, []int{2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 14}, nil},
		{"payments_truncated.csv", 5, []int{7}, nil},
		{"payments_truncated.jsonl", 6, []int{7}, nil},
		{"payments_cut.csv", 5, []int{7}, nil},
		{"payments_cut_amount.csv", 5, []int{7}, nil},
		{"payments_trailer.csv", 31, nil, nil},
		{"payments_trailer.jsonl", 31, nil, nil},
		{"loans_trailer.csv", 12, nil, nil},
		{"payments_trailer_mismatch.csv", 0, nil, imports.ErrControlMismatch},
		{"payments_joined.csv", 0, nil, imports.ErrBadTrailer},
		{"payments_empty.csv", 0, nil, imports.ErrEmpty},
		{"payments_blank.jsonl", 0, nil, imports.ErrEmpty},
		{"payments_header_only.csv", 0, nil, nil},
		{"payments_semicolon.csv", 0, nil, imports.ErrBadHeader},
		{"payments_utf16.csv", 0, nil, imports.ErrBadEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			f, err := imports.FormatFromPath(path)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			var rejects []imports.Reject
			if strings.HasPrefix(tt.file, "loans") {
				var rows []imports.LoanRow
				rows, rejects, err = imports.ParseLoans(bytes.NewReader(data), f)
				n = len(rows)
			} else {
				var rows []imports.PaymentRow
				rows, rejects, err = imports.ParsePayments(bytes.NewReader(data), f)
				n = len(rows)
			}
			if tt.wantErr != nil {
				checkFileError(t, err, n, rejects, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if n != tt.wantRows {
				t.Errorf("got %d rows, want %d", n, tt.wantRows)
			}
			var lines []int
			for _, r := range rejects {
				lines = append(lines, r.Line)
			}
			if diff := cmp.Diff(tt.wantRejects, lines); diff != "" {
				t.Errorf("reject lines (-want +got):\n%s", diff)
			}
			if len(rejects) == 0 {
				return
			}
			var got bytes.Buffer
			if err := imports.WriteRejects(&got, rejects); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", tt.file+".rejects.csv")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("reject file differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// checkFileError checks the contract of a file-level error: one error,
// testable with errors.Is, coded as invalid input, and nothing else.
func checkFileError(t *testing.T, err error, rows int, rejects []imports.Reject, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
	if code := daihou.ErrorCode(err); code != daihou.EINVALID {
		t.Errorf("error code %q, want %q", code, daihou.EINVALID)
	}
	if rows != 0 || rejects != nil {
		t.Errorf("got %d rows and %d rejects with a file-level error; want none", rows, len(rejects))
	}
}

func mustParseLoansFile(t *testing.T, name string) ([]imports.LoanRow, []imports.Reject) {
	t.Helper()
	f, err := imports.FormatFromPath(name)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rows, rejects, err := imports.ParseLoans(file, f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows, rejects
}

func mustParsePaymentsFile(t *testing.T, name string) ([]imports.PaymentRow, []imports.Reject) {
	t.Helper()
	f, err := imports.FormatFromPath(name)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	rows, rejects, err := imports.ParsePayments(file, f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows, rejects
}

// TestManyRows crosses the collector's chunk boundaries: every row comes
// back once, in file order.
func TestManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(paymentHeader + "\n")
	const n = 5000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "LN%d,2024-03-15,%d.00,withholding,WH%06d\n", i, i+1, i)
	}
	rows, rejects, err := parsePayments(t, imports.FormatCSV, b.String())
	if err != nil || len(rejects) != 0 || len(rows) != n {
		t.Fatalf("got %d rows, %d rejects, error %v; want %d rows", len(rows), len(rejects), err, n)
	}
	for i, r := range rows {
		if r.Line != i+2 || r.Reference != fmt.Sprintf("WH%06d", i) || r.Amount != money.Amount((i+1)*100) {
			t.Fatalf("row %d: got %+v", i, r)
		}
	}
}
