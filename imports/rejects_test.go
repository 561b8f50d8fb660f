package imports_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"daihou/imports"
)

var loanColumns = strings.Split(loanHeader, ",")

// baseLoan is a valid loan; each case changes what it tests.
var baseLoan = map[string]string{
	"loan_id": "LN202403150001", "borrower_id": "C000200001", "borrower_name": "张三",
	"id_number": "110101198503122311", "phone": "13800138000", "product": "CONS-36",
	"principal": "50000.00", "rate": "0.0435", "term": "36", "method": "equal-installment",
	"disbursement_date": "2024-03-15", "branch": "北京东城支行", "officer": "E10023", "region": "北京",
}

// loanCSV returns a loans file: the header and one row, baseLoan with
// the changes applied, quoted as CSV requires.
func loanCSV(changes map[string]string) string {
	rec := make([]string, len(loanColumns))
	for i, c := range loanColumns {
		rec[i] = baseLoan[c]
		if v, ok := changes[c]; ok {
			rec[i] = v
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(loanColumns)
	_ = w.Write(rec)
	w.Flush()
	return b.String()
}

// The allowed forms that end many reasons, and the reasons shared by
// several columns.
const (
	required       = "required, but empty or missing"
	codeForm       = "want up to 64 of A-Z a-z 0-9 _ - ."
	amountForm     = "want digits with at most 2 decimals, e.g. 1234.50"
	rateForm       = "want a decimal fraction from 0 to 0.36, e.g. 0.0435 for 4.35 %"
	termForm       = "want whole months from 1 to 480, e.g. 36"
	dateForm       = "want YYYY-MM-DD, e.g. 2024-03-15"
	phoneForm      = "want an 11-digit mainland mobile number starting with 13 to 19 (+86 before it is allowed)"
	idForm         = "want the 18-character resident identity number: 17 digits and a check digit 0-9 or X"
	zeroAmount     = "is zero; it must be greater than 0: correct the amount or remove the row"
	negativeAmount = "is negative; it must be greater than 0 (a refund or reversal is not imported as a negative amount)"
	unreadable     = "which stands for a character that could not be read (lost in a conversion between encodings, or cut off): export the file again from the source system"
)

// TestLoanRejects covers every reason a loan row is rejected for, in CSV,
// and the hostile forms of each value: full-width digits, thousands
// separators, exponents, invisible characters, impossible dates.
func TestLoanRejects(t *testing.T) {
	tests := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"loan_id required", map[string]string{"loan_id": ""}, "loan_id: " + required},
		{"loan_id blank after trimming", map[string]string{"loan_id": "   "}, "loan_id: " + required},
		{"loan_id characters", map[string]string{"loan_id": "LN/2024/1"}, `loan_id: "LN/2024/1" has '/' at character 3; ` + codeForm},
		{"loan_id full-width", map[string]string{"loan_id": "LN２０２４"}, `loan_id: "LN２０２４" has full-width characters: write LN2024`},
		{"loan_id full-width and a slash", map[string]string{"loan_id": "LN２/４"}, `loan_id: "LN２/４" has the full-width '２' at character 3; ` + codeForm},
		{"loan_id byte-order mark", map[string]string{"loan_id": "\uFEFFLN1"}, `loan_id: "\ufeffLN1" has the invisible byte-order mark (U+FEFF) at character 1; ` + codeForm},
		{"loan_id too long", map[string]string{"loan_id": strings.Repeat("L", 65)}, `loan_id: "` + strings.Repeat("L", 32) + `"… is longer than 64 characters (it has 65); ` + codeForm},
		{"borrower_id required", map[string]string{"borrower_id": ""}, "borrower_id: " + required},
		{"borrower_id too long", map[string]string{"borrower_id": strings.Repeat("客", 65)}, `borrower_id: "` + strings.Repeat("客", 32) + `"… is longer than 64 characters (it has 65)`},
		{"borrower_id zero-width space", map[string]string{"borrower_id": "C0001\u200b"}, "borrower_id: has the invisible zero-width space (U+200B) at character 6: remove it"},
		{"borrower_name too long, not quoted", map[string]string{"borrower_name": strings.Repeat("张", 101)}, "borrower_name: is longer than 100 characters (it has 101)"},
		{"borrower_name control character", map[string]string{"borrower_name": "张\t三"}, "borrower_name: has a tab at character 2: remove it"},
		{"borrower_name C1 control character", map[string]string{"borrower_name": "张\u0085三"}, "borrower_name: has the control character U+0085 at character 2: remove it"},
		{"borrower_name direction override", map[string]string{"borrower_name": "张\u202e三"}, "borrower_name: has the invisible direction override (U+202E) at character 2: remove it"},
		{"borrower_name damaged by a conversion", map[string]string{"borrower_name": "张\uFFFD"}, "borrower_name: has U+FFFD (�) at character 2, " + unreadable},
		{"id_number old 15 digits", map[string]string{"id_number": "110101850312231"}, "id_number: is a 15-digit number from before 1999, which is not accepted: give the holder's 18-character number"},
		{"id_number length", map[string]string{"id_number": "11010119850312231"}, "id_number: has 17 characters; " + idForm},
		{"id_number letters", map[string]string{"id_number": "1101011985O312231X"}, "id_number: has 'O' at character 11 among the first 17, which must be digits; " + idForm},
		{"id_number Chinese check character", map[string]string{"id_number": "11010119850312231张"}, "id_number: ends with '张', but the check digit is 0-9 or X; " + idForm},
		{"id_number Chinese character inside", map[string]string{"id_number": "110101张9850312231X"}, "id_number: has '张' at character 7 among the first 17, which must be digits; " + idForm},
		{"id_number full-width", map[string]string{"id_number": "１１０１０１１９８５０３１２２３１１"}, "id_number: has full-width characters: write the number in ASCII digits (and X)"},
		{"id_number birth date", map[string]string{"id_number": "110101198502302319"}, "id_number: digits 7 to 14 are not a birth date (YYYYMMDD): the number is mistyped; check it against the identity card"},
		{"id_number check digit", map[string]string{"id_number": "110101198503122312"}, "id_number: the check digit (GB 11643) does not match: the number is mistyped; check it against the identity card"},
		{"phone short", map[string]string{"phone": "1380013800"}, "phone: has 10 digits; " + phoneForm},
		{"phone landline", map[string]string{"phone": "01088886666"}, "phone: starts with 0, as a landline number does; " + phoneForm},
		{"phone 12x", map[string]string{"phone": "12800138000"}, "phone: starts with 12; " + phoneForm},
		{"phone separators", map[string]string{"phone": "138-0013-8000"}, "phone: has spaces, hyphens or brackets: write the 11 digits only"},
		{"phone full-width", map[string]string{"phone": "１３８００１３８０００"}, "phone: has full-width digits: write it in ASCII digits"},
		{"phone letter", map[string]string{"phone": "1380013800a"}, "phone: has 'a' at character 11; " + phoneForm},
		{"product required", map[string]string{"product": ""}, "product: " + required},
		{"product characters", map[string]string{"product": "消费贷"}, `product: "消费贷" has '消' at character 1; ` + codeForm},
		{"principal required", map[string]string{"principal": ""}, "principal: " + required},
		{"principal precision", map[string]string{"principal": "10.005"}, `principal: "10.005" has 3 decimal places, and an amount has at most 2 (fen): correct it, do not round it; ` + amountForm},
		{"principal thousands separators", map[string]string{"principal": "1,000.00"}, `principal: "1,000.00" has thousands separators: write 1000.00`},
		{"principal decimal comma", map[string]string{"principal": "1000,50"}, `principal: "1000,50" has a decimal comma: write 1000.50`},
		{"principal currency sign", map[string]string{"principal": "¥1000"}, `principal: "¥1000" has a currency sign: write 1000`},
		{"principal currency and separators", map[string]string{"principal": "RMB 1,000.00"}, `principal: "RMB 1,000.00" has a currency sign and thousands separators: write 1000.00`},
		{"principal yuan", map[string]string{"principal": "1000元"}, `principal: "1000元" has a currency sign: write 1000`},
		{"principal exponent", map[string]string{"principal": "1e6"}, `principal: "1e6" has an exponent: write 1000000`},
		{"principal exponent with decimals", map[string]string{"principal": "1.5E3"}, `principal: "1.5E3" has an exponent: write 1500`},
		{"principal full-width", map[string]string{"principal": "１０００.００"}, `principal: "１０００.００" has full-width characters: write 1000.00`},
		{"principal space inside", map[string]string{"principal": "1 000.00"}, `principal: "1 000.00" has spaces inside: write 1000.00`},
		{"principal no digits after the point", map[string]string{"principal": "100."}, `principal: "100." has no digits after the decimal point; ` + amountForm},
		{"principal no digit before the point", map[string]string{"principal": ".5"}, `principal: ".5" needs a digit before the decimal point (0.5, not .5); ` + amountForm},
		{"principal letters", map[string]string{"principal": "abc"}, `principal: "abc" is not a number ('a' at character 1); ` + amountForm},
		{"principal range", map[string]string{"principal": "100000000000000000"}, `principal: "100000000000000000" is too large: at most 16 digits before the decimal point; ` + amountForm},
		{"principal zero", map[string]string{"principal": "0.00"}, `principal: "0.00" ` + zeroAmount},
		{"principal negative", map[string]string{"principal": "-1.00"}, `principal: "-1.00" ` + negativeAmount},
		{"rate required", map[string]string{"rate": ""}, "rate: " + required},
		{"rate as percent", map[string]string{"rate": "4.35"}, `rate: "4.35" is above 0.36 (36 % a year): a rate is a decimal fraction, so 4.35 % is written 0.0435`},
		{"rate just above 36 %", map[string]string{"rate": "0.3601"}, `rate: "0.3601" is above 0.36 (36 % a year), the most a court supports: check the rate; ` + rateForm},
		{"rate far above 10", map[string]string{"rate": "435"}, `rate: "435" is above 0.36 (36 % a year), the most a court supports: check the rate; ` + rateForm},
		{"rate of 36 as a percentage", map[string]string{"rate": "36"}, `rate: "36" is above 0.36 (36 % a year): a rate is a decimal fraction, so 36 % is written 0.36`},
		{"rate as a percentage above 36 %", map[string]string{"rate": "45%"}, `rate: "45%" is a percentage, and above 36 % a year, the most a court supports: check the rate; ` + rateForm},
		{"rate with percent sign", map[string]string{"rate": "4.35%"}, `rate: "4.35%" is a percentage: write the decimal fraction 0.0435`},
		{"rate negative", map[string]string{"rate": "-0.01"}, `rate: "-0.01" is negative; ` + rateForm},
		{"rate decimal comma", map[string]string{"rate": "0,0435"}, `rate: "0,0435" has a decimal comma: write 0.0435`},
		{"rate exponent", map[string]string{"rate": "4.35e-2"}, `rate: "4.35e-2" has an exponent: write 0.0435`},
		{"rate full-width", map[string]string{"rate": "０.０４３５"}, `rate: "０.０４３５" has full-width characters: write 0.0435`},
		{"rate letters", map[string]string{"rate": "abc"}, `rate: "abc" is not a number ('a' at character 1); ` + rateForm},
		{"rate precision", map[string]string{"rate": "0.04350000001"}, `rate: "0.04350000001" has more than 10 decimal places; ` + rateForm},
		{"term required", map[string]string{"term": ""}, "term: " + required},
		{"term zero", map[string]string{"term": "0"}, `term: "0" is 0 months; ` + termForm},
		{"term too long", map[string]string{"term": "481"}, `term: "481" is more than 480 months (40 years); ` + termForm},
		{"term fraction", map[string]string{"term": "12.5"}, `term: "12.5" is not a whole number of months; ` + termForm},
		{"term whole with decimals", map[string]string{"term": "12.0"}, `term: "12.0" has decimals: write 12`},
		{"term in words", map[string]string{"term": "12个月"}, `term: "12个月" has a unit: write 12`},
		{"term in years", map[string]string{"term": "3年"}, `term: "3年" has a unit: write 36`},
		{"term full-width", map[string]string{"term": "３６"}, `term: "３６" has full-width characters: write 36`},
		{"term huge", map[string]string{"term": "99999999999999999999"}, `term: "99999999999999999999" is more than 480 months (40 years); ` + termForm},
		{"method unknown", map[string]string{"method": "annuity"},
			`method: "annuity" is not a repayment method; want one of equal-installment, equal-principal, interest-only, bullet (or 等额本息, 等额本金, 先息后本, 到期一次还本付息)`},
		{"method capitalised", map[string]string{"method": "Equal-Installment"}, `method: "Equal-Installment" must be written in lower case: write equal-installment`},
		{"disbursement_date required", map[string]string{"disbursement_date": ""}, "disbursement_date: " + required},
		{"disbursement_date slashes", map[string]string{"disbursement_date": "2024/03/15"}, `disbursement_date: "2024/03/15" has other separators: write 2024-03-15`},
		{"disbursement_date Chinese", map[string]string{"disbursement_date": "2024年3月15日"}, `disbursement_date: "2024年3月15日" has other separators: write 2024-03-15`},
		{"disbursement_date compact", map[string]string{"disbursement_date": "20240315"}, `disbursement_date: "20240315" has no separators: write 2024-03-15`},
		{"disbursement_date one-digit month", map[string]string{"disbursement_date": "2024-3-5"}, `disbursement_date: "2024-3-5" has a one-digit month or day: write 2024-03-05`},
		{"disbursement_date with a time", map[string]string{"disbursement_date": "2024-03-15 00:00:00"}, `disbursement_date: "2024-03-15 00:00:00" has a time of day: write 2024-03-15`},
		{"disbursement_date Excel serial", map[string]string{"disbursement_date": "45366"},
			`disbursement_date: "45366" is an Excel day number, not a date (format the column as a date before saving): write 2024-03-15`},
		{"disbursement_date full-width", map[string]string{"disbursement_date": "２０２４-０３-１５"}, `disbursement_date: "２０２４-０３-１５" has full-width characters: write 2024-03-15`},
		{"disbursement_date year last", map[string]string{"disbursement_date": "15/03/2024"}, `disbursement_date: "15/03/2024" has the year last; ` + dateForm + ` (year first)`},
		{"disbursement_date no such day", map[string]string{"disbursement_date": "2023-02-29"}, `disbursement_date: "2023-02-29" is not a day of the calendar: February 2023 has 28 days; ` + dateForm},
		{"disbursement_date 30 February", map[string]string{"disbursement_date": "2026-02-30"}, `disbursement_date: "2026-02-30" is not a day of the calendar: February 2026 has 28 days; ` + dateForm},
		{"disbursement_date no such month", map[string]string{"disbursement_date": "2024-13-01"}, `disbursement_date: "2024-13-01" has month 13, and there is no such month; ` + dateForm},
		{"disbursement_date before 1900", map[string]string{"disbursement_date": "1899-12-31"}, `disbursement_date: "1899-12-31" is before 1900: check the year; ` + dateForm},
		{"disbursement_date junk", map[string]string{"disbursement_date": "2024-02-29x"}, `disbursement_date: "2024-02-29x" is not a date; ` + dateForm},
		{"branch too long", map[string]string{"branch": strings.Repeat("支", 65)}, `branch: "` + strings.Repeat("支", 32) + `"… is longer than 64 characters (it has 65)`},
		{"officer NUL", map[string]string{"officer": "E1\x00"}, "officer: has a NUL byte at character 3: remove it"},
		{"region line break", map[string]string{"region": "北\n京"}, "region: has a line break at character 2: remove it"},
		{"every problem at once", map[string]string{"loan_id": "", "principal": "0", "term": "x", "phone": "1"},
			"loan_id: " + required + "; phone: has 1 digit; " + phoneForm + `; principal: "0" ` + zeroAmount + `; term: "x" is not a whole number of months; ` + termForm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := loanCSV(tt.changes)
			rows, rejects, err := parseLoans(t, imports.FormatCSV, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 0 || len(rejects) != 1 {
				t.Fatalf("got %d rows, rejects %v; want one reject", len(rows), rejects)
			}
			raw := strings.TrimSuffix(strings.SplitN(in, "\n", 2)[1], "\n")
			want := imports.Reject{Line: 2, Reason: tt.want, Raw: raw}
			if got := rejects[0]; got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestLoanAccepts covers the forms a loan row may take beyond the plain one.
func TestLoanAccepts(t *testing.T) {
	tests := []struct {
		name    string
		changes map[string]string
		check   func(imports.LoanRow) bool
	}{
		{"optional columns empty", map[string]string{"borrower_name": "", "id_number": "", "phone": "", "method": "", "branch": "", "officer": "", "region": ""},
			func(r imports.LoanRow) bool { return r.BorrowerName == "" && r.Method == "" }},
		{"spaces trimmed", map[string]string{"loan_id": "  LN1 ", "principal": " 100 ", "term": " 12"},
			func(r imports.LoanRow) bool { return r.LoanID == "LN1" && r.Principal == 10000 && r.Term == 12 }},
		{"ideographic space trimmed", map[string]string{"borrower_name": "\u3000张三\u3000"}, func(r imports.LoanRow) bool { return r.BorrowerName == "张三" }},
		{"rate 0", map[string]string{"rate": "0"}, func(r imports.LoanRow) bool { return r.Rate == 0 }},
		{"rate 0.36", map[string]string{"rate": "0.36"}, func(r imports.LoanRow) bool { return r.Rate.String() == "0.36" }},
		{"term 480", map[string]string{"term": "480"}, func(r imports.LoanRow) bool { return r.Term == 480 }},
		{"term with leading zero", map[string]string{"term": "036"}, func(r imports.LoanRow) bool { return r.Term == 36 }},
		{"principal one decimal", map[string]string{"principal": "0.5"}, func(r imports.LoanRow) bool { return r.Principal == 50 }},
		{"phone +86", map[string]string{"phone": "+86-13800138000"}, func(r imports.LoanRow) bool { return r.Phone == "13800138000" }},
		{"method bullet in Chinese", map[string]string{"method": "到期一次还本付息"}, func(r imports.LoanRow) bool { return r.Method == imports.MethodBullet }},
		{"leap day", map[string]string{"disbursement_date": "2024-02-29"}, func(r imports.LoanRow) bool { return r.DisbursementDate.String() == "2024-02-29" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := parseLoans(t, imports.FormatCSV, loanCSV(tt.changes))
			if err != nil || len(rejects) != 0 || len(rows) != 1 {
				t.Fatalf("got %d rows, rejects %v, error %v; want one row", len(rows), rejects, err)
			}
			if !tt.check(rows[0]) {
				t.Errorf("row %+v fails the check", rows[0])
			}
		})
	}
}

func TestDuplicateLoanID(t *testing.T) {
	in := loanHeader + "\n" +
		"LN1,C1,,,,P,100,0.04,12,,2024-01-01,,,\n" + // 2
		"LN2,C2,,,,P,x,0.04,12,,2024-01-01,,,\n" + // 3: rejected itself
		"LN1,C3,,,,P,200,0.04,12,,2024-01-01,,,\n" + // 4: duplicate of 2
		"LN2,C4,,,,P,300,0.04,12,,2024-01-01,,,\n" + // 5: duplicate of 3
		"LN1,C5,,,,P,400,0.04,0,,2024-01-01,,,\n" // 6: duplicate of 2 and a bad term
	rows, rejects, err := parseLoans(t, imports.FormatCSV, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Line != 2 {
		t.Errorf("got rows %+v, want only line 2", rows)
	}
	want := map[int]string{
		3: `principal: "x" is not a number ('x' at character 1); ` + amountForm,
		4: `loan_id: "LN1" is already on line 2: a loan appears once in a file; remove one of the two`,
		5: `loan_id: "LN2" is already on line 3: a loan appears once in a file; remove one of the two`,
		6: `term: "0" is 0 months; ` + termForm + `; loan_id: "LN1" is already on line 2: a loan appears once in a file; remove one of the two`,
	}
	if len(rejects) != len(want) {
		t.Fatalf("got rejects %v", rejects)
	}
	for _, r := range rejects {
		if r.Reason != want[r.Line] {
			t.Errorf("line %d: got %q, want %q", r.Line, r.Reason, want[r.Line])
		}
	}
}

// TestPaymentRejects covers every reason a payment row is rejected for.
func TestPaymentRejects(t *testing.T) {
	const fewer = "every row needs one field for each header column, even an empty one (a,,c)"
	const more = `a comma inside a value (such as 1,000.00) splits it in two; quote that value ("1,000.00") or remove the comma`
	tests := []struct {
		name, row, want string
	}{
		{"loan_id required", ",2024-03-15,100.00,withholding,WH1", "loan_id: " + required},
		{"loan_id characters", "LN 1,2024-03-15,100.00,withholding,WH1", `loan_id: "LN 1" has a space at character 3; ` + codeForm},
		{"loan_id with a byte-order mark from a joined file", "\uFEFFLN1,2024-03-15,100.00,withholding,WH1",
			`loan_id: "\ufeffLN1" has the invisible byte-order mark (U+FEFF) at character 1; ` + codeForm},
		{"value_date required", "LN1,,100.00,withholding,WH1", "value_date: " + required},
		{"value_date format", "LN1,15/03/2024,100.00,withholding,WH1", `value_date: "15/03/2024" has the year last; ` + dateForm + " (year first)"},
		{"value_date before 1900", "LN1,1899-12-31,100.00,withholding,WH1", `value_date: "1899-12-31" is before 1900: check the year; ` + dateForm},
		{"value_date 30 February", "LN1,2026-02-30,100.00,withholding,WH1", `value_date: "2026-02-30" is not a day of the calendar: February 2026 has 28 days; ` + dateForm},
		{"amount required", "LN1,2024-03-15,,withholding,WH1", "amount: " + required},
		{"amount precision", "LN1,2024-03-15,10.005,withholding,WH1", `amount: "10.005" has 3 decimal places, and an amount has at most 2 (fen): correct it, do not round it; ` + amountForm},
		{"amount zero", "LN1,2024-03-15,0,withholding,WH1", `amount: "0" ` + zeroAmount},
		{"amount negative", "LN1,2024-03-15,-5.00,withholding,WH1", `amount: "-5.00" ` + negativeAmount},
		{"amount syntax", "LN1,2024-03-15,100.,withholding,WH1", `amount: "100." has no digits after the decimal point; ` + amountForm},
		{"amount thousands separator", `LN1,2024-03-15,"1,000.00",withholding,WH1`, `amount: "1,000.00" has thousands separators: write 1000.00`},
		{"amount exponent", "LN1,2024-03-15,2E3,withholding,WH1", `amount: "2E3" has an exponent: write 2000`},
		{"amount full-width", "LN1,2024-03-15,２０００.００,withholding,WH1", `amount: "２０００.００" has full-width characters: write 2000.00`},
		{"amount exponent too large to write out", "LN1,2024-03-15,1e999,withholding,WH1", `amount: "1e999" is not a number ('e' at character 2); ` + amountForm},
		{"channel control character", "LN1,2024-03-15,100.00,\"with\x01holding\",WH1", "channel: has the control character U+0001 at character 5: remove it"},
		{"channel NUL", "LN1,2024-03-15,100.00,with\x00holding,WH1", "channel: has a NUL byte at character 5: remove it"},
		{"channel too long", "LN1,2024-03-15,100.00," + strings.Repeat("c", 65) + ",WH1", `channel: "` + strings.Repeat("c", 32) + `"… is longer than 64 characters (it has 65)`},
		{"reference required", "LN1,2024-03-15,100.00,withholding,", "reference: " + required},
		{"reference too long", "LN1,2024-03-15,100.00,withholding," + strings.Repeat("R", 129), `reference: "` + strings.Repeat("R", 32) + `"… is longer than 128 characters (it has 129)`},
		{"reference with an invisible character", "LN1,2024-03-15,100.00,withholding,WH\u200b1", "reference: has the invisible zero-width space (U+200B) at character 3: remove it"},
		{"too few fields", "LN1,2024-03-15,100.00,WH1", "has 4 fields, but the header has 5: " + fewer},
		{"too many fields", "LN1,2024-03-15,100.00,withholding,WH1,x", "has 6 fields, but the header has 5: " + more},
		{"unquoted thousands separator", "LN1,2024-03-15,1,000.00,withholding,WH1", "has 6 fields, but the header has 5: " + more},
		{"stray quote", `LN1,2024-03-15,100.00,with"holding,WH1`, `channel: has a stray " in an unquoted field: quote the whole field and double the quote inside ("a""b")`},
		{"text after closing quote", `LN1,2024-03-15,"100.00"0,withholding,WH1`, `amount: has text after its closing quote: double every quote inside a quoted field ("a""b")`},
		{"stray quote beyond the header", `LN1,2024-03-15,100.00,withholding,WH1,x"y`,
			`column 6 (beyond the header): has a stray " in an unquoted field: quote the whole field and double the quote inside ("a""b")`},
		{"quote never closed", `LN1,2024-03-15,100.00,withholding,"WH1`, `reference: the quote that opens the field is never closed: close it, and double every quote inside a quoted field ("")`},
		{"header repeated", paymentHeader, "repeats the header line (were two files joined?): remove it"},
		{"header repeated with a byte-order mark", "\uFEFF" + paymentHeader, "repeats the header line (were two files joined?): remove it"},
		{"several problems", "LN1,2024-13-01,abc,withholding,",
			`value_date: "2024-13-01" has month 13, and there is no such month; ` + dateForm + `; amount: "abc" is not a number ('a' at character 1); ` + amountForm + "; reference: " + required},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := parsePayments(t, imports.FormatCSV, paymentHeader+"\n"+tt.row+"\n")
			if err != nil {
				t.Fatal(err)
			}
			want := []imports.Reject{{Line: 2, Reason: tt.want, Raw: tt.row}}
			if len(rows) != 0 || len(rejects) != 1 || rejects[0] != want[0] {
				t.Errorf("got %d rows, rejects %+v\nwant %+v", len(rows), rejects, want)
			}
		})
	}
}

// TestPaymentAccepts covers forms of a payment row that must be accepted.
func TestPaymentAccepts(t *testing.T) {
	tests := []struct {
		name, row string
		want      imports.PaymentRow
	}{
		{"plain", "LN1,2024-03-15,100.50,withholding,WH1", imports.PaymentRow{Amount: 10050, Channel: "withholding", Reference: "WH1"}},
		{"quoted fields", `"LN1","2024-03-15","1000.00","counter","CT 1"`, imports.PaymentRow{Amount: 100000, Channel: "counter", Reference: "CT 1"}},
		{"escaped quote in reference", `LN1,2024-03-15,1,,"R""1"`, imports.PaymentRow{Amount: 100, Reference: `R"1`}},
		{"spaces around quoted field", `LN1,2024-03-15, "2.00" ,, R1 `, imports.PaymentRow{Amount: 200, Reference: "R1"}},
		{"plus sign", "LN1,2024-03-15,+3.00,,R1", imports.PaymentRow{Amount: 300, Reference: "R1"}},
		{"Chinese reference", "LN1,2024-03-15,3.00,柜面,柜面流水0001", imports.PaymentRow{Amount: 300, Channel: "柜面", Reference: "柜面流水0001"}},
		{"reference of 128 characters", "LN1,2024-03-15,3.00,," + strings.Repeat("参", 128), imports.PaymentRow{Amount: 300, Reference: strings.Repeat("参", 128)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := parsePayments(t, imports.FormatCSV, paymentHeader+"\n"+tt.row+"\n")
			if err != nil || len(rejects) != 0 || len(rows) != 1 {
				t.Fatalf("got rows %v, rejects %v, error %v; want one row", rows, rejects, err)
			}
			tt.want.Line, tt.want.LoanID, tt.want.ValueDate = 2, "LN1", rows[0].ValueDate
			if rows[0] != tt.want || rows[0].ValueDate.String() != "2024-03-15" {
				t.Errorf("got  %+v\nwant %+v", rows[0], tt.want)
			}
		})
	}
}

// TestJSONLRejects covers the reasons that are particular to JSON Lines.
func TestJSONLRejects(t *testing.T) {
	const ok = `"loan_id":"LN1","value_date":"2024-03-15","reference":"WH1"`
	const keys = "the keys are loan_id, value_date, amount, channel, reference"
	tests := []struct {
		name, line, want string
	}{
		{"amount number with three decimals", `{` + ok + `,"amount":10.005}`, `amount: "10.005" has 3 decimal places, and an amount has at most 2 (fen): correct it, do not round it; ` + amountForm},
		{"amount number with exponent", `{` + ok + `,"amount":1e2}`, `amount: "1e2" has an exponent: write 100`},
		{"amount negative number", `{` + ok + `,"amount":-1}`, `amount: "-1" ` + negativeAmount},
		{"amount boolean", `{` + ok + `,"amount":true}`, `amount: must be a JSON string or number such as "1234.50", not a boolean`},
		{"amount object", `{` + ok + `,"amount":{"value":"1.00"}}`, `amount: must be a JSON string or number such as "1234.50", not an object`},
		{"amount array", `{` + ok + `,"amount":["1.00"]}`, `amount: must be a JSON string or number such as "1234.50", not an array`},
		{"amount null", `{` + ok + `,"amount":null}`, "amount: " + required},
		{"amount missing", `{` + ok + `}`, "amount: " + required},
		{"text as number", `{"loan_id":12345,"value_date":"2024-03-15","reference":"WH1","amount":"1.00"}`, "loan_id: must be a JSON string, not a number: put the value in double quotes"},
		{"date as number", `{"loan_id":"LN1","value_date":20240315,"reference":"WH1","amount":"1.00"}`, "value_date: must be a JSON string, not a number: put the value in double quotes"},
		{"date as boolean", `{"loan_id":"LN1","value_date":true,"reference":"WH1","amount":"1.00"}`, "value_date: must be a JSON string, not a boolean"},
		{"unknown key", `{` + ok + `,"amount":"1.00","memo":"x"}`, `unknown key(s) "memo": ` + keys},
		{"unknown key with a hint", `{` + ok + `,"Amount":"1.00"}`, `unknown key(s) "Amount" (did you mean "amount"?): ` + keys + "; amount: " + required},
		{"unknown keys first", `{` + ok + `,"amount":"0","Memo":"x","备注":"y"}`, `unknown key(s) "Memo", "备注": ` + keys + `; amount: "0" ` + zeroAmount},
		{"duplicate key", `{` + ok + `,"amount":"1.00","amount":"2.00"}`, "amount: the key appears twice in the object: keep one"},
		{"escaped control character", `{"loan_id":"LN1","value_date":"2024-03-15","reference":"WH\n1","amount":"1.00"}`, "reference: has a line break at character 3: remove it"},
		{"lone surrogate", `{"loan_id":"LN1","value_date":"2024-03-15","reference":"WH\ud83d","amount":"1.00"}`,
			"reference: has U+FFFD (�) at character 3, " + unreadable},
		{"not an object", `["LN1","2024-03-15","1.00","WH1"]`, "not a JSON object: the line holds an array; want one object per line, keyed by the column names"},
		{"a number", `42`, "not a JSON object: the line holds a number; want one object per line, keyed by the column names"},
		{"trailing comma", `{` + ok + `,"amount":"1.00",}`, "not valid JSON: unexpected '}', want a string key at column 78: remove the comma before it"},
		{"single quotes", `{'loan_id':'LN1'}`, `not valid JSON: unexpected '\'', want a string key at column 2: JSON strings and keys take double quotes`},
		{"two objects", `{` + ok + `,"amount":"1.00"}{}`, "not valid JSON: unexpected '{', want the end of the line after the value at column 78: put each object on a line of its own"},
		{"unquoted key", `{loan_id:"LN1"}`, "not valid JSON: unexpected 'l', want a string key at column 2: keys take double quotes"},
		{"pretty-printed", `{`, "not valid JSON: unexpected end of line, want a string key at column 2: the object does not end on its line; JSON Lines puts each object on one line (is the file pretty-printed JSON?)"},
		{"bad escape", `{"loan_id":"LN\x1"}`, `not valid JSON: invalid escape "\\x" in string at column 15`},
		{"raw tab in string", "{\"loan_id\":\"LN\t1\"}", `not valid JSON: control character in a string at column 15: write it as an escape such as \n or \t, or remove it`},
		{"column counts characters", `{"备注":"张三",x}`, "not valid JSON: unexpected 'x', want a string key at column 12: keys take double quotes"},
		{"NaN", `{` + ok + `,"amount":NaN}`, "not valid JSON: unexpected 'N', want a value at column 71"},
		{"deep nesting", `{` + ok + `,"amount":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "not valid JSON: nested too deeply at column 102: no column holds nested values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := parsePayments(t, imports.FormatJSONL, tt.line+"\n")
			if err != nil {
				t.Fatal(err)
			}
			want := imports.Reject{Line: 1, Reason: tt.want, Raw: tt.line}
			if len(rows) != 0 || len(rejects) != 1 || rejects[0] != want {
				t.Errorf("got %d rows, rejects %+v\nwant %+v", len(rows), rejects, want)
			}
		})
	}
}

func TestJSONLRateMustBeString(t *testing.T) {
	line := `{"loan_id":"LN1","borrower_id":"C1","product":"P","principal":1000,"rate":0.0435,"term":12,"disbursement_date":"2024-03-15"}`
	_, rejects, err := parseLoans(t, imports.FormatJSONL, line+"\n")
	if err != nil {
		t.Fatal(err)
	}
	want := `rate: must be a JSON string such as "0.0435", not a number`
	if len(rejects) != 1 || rejects[0].Reason != want {
		t.Errorf("got %v, want one reject %q", rejects, want)
	}
}

func TestJSONLAccepts(t *testing.T) {
	in := "\n" + // 1: blank
		`{"loan_id":"LN1","value_date":"2024-03-15","amount":100.5,"reference":"WH1","channel":null}` + "\r\n" + // 2: CRLF
		"  \t \n" + // 3: blank
		` { "reference" : "WH\u00212" , "amount" : "7" , "value_date" : "2024-03-15" , "loan_id" : " LN2 " } ` + "\n" + // 4
		`{"loan_id":"LN3","value_date":"2024-03-15","amount":0.01,"reference":"\u53c2\u80031"}` + "\n" // 5
	rows, rejects, err := parsePayments(t, imports.FormatJSONL, in)
	if err != nil || len(rejects) != 0 {
		t.Fatalf("got rejects %v, error %v", rejects, err)
	}
	type short struct {
		Line   int
		LoanID string
		Amount int64
		Ref    string
	}
	var got []short
	for _, r := range rows {
		got = append(got, short{r.Line, r.LoanID, int64(r.Amount), r.Reference})
	}
	want := []short{{2, "LN1", 10050, "WH1"}, {4, "LN2", 700, "WH!2"}, {5, "LN3", 1, "参考1"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
