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

// TestLoanRejects covers every reason a loan row is rejected for, in CSV.
func TestLoanRejects(t *testing.T) {
	tests := []struct {
		name    string
		changes map[string]string
		want    string
	}{
		{"loan_id required", map[string]string{"loan_id": ""}, "loan_id: required"},
		{"loan_id blank after trimming", map[string]string{"loan_id": "   "}, "loan_id: required"},
		{"loan_id characters", map[string]string{"loan_id": "LN/2024/1"}, `loan_id: may contain only letters, digits, '_', '-' and '.': "LN/2024/1"`},
		{"loan_id full-width", map[string]string{"loan_id": "LN２０２４"}, `loan_id: may contain only letters, digits, '_', '-' and '.': "LN２０２４"`},
		{"loan_id too long", map[string]string{"loan_id": strings.Repeat("L", 65)}, `loan_id: longer than 64 characters: "` + strings.Repeat("L", 65) + `"`},
		{"borrower_id required", map[string]string{"borrower_id": ""}, "borrower_id: required"},
		{"borrower_id too long", map[string]string{"borrower_id": strings.Repeat("客", 65)}, `borrower_id: longer than 64 characters: "` + strings.Repeat("客", 65) + `"`},
		{"borrower_name too long, not quoted", map[string]string{"borrower_name": strings.Repeat("张", 101)}, "borrower_name: longer than 100 characters"},
		{"borrower_name control character", map[string]string{"borrower_name": "张\t三"}, "borrower_name: contains a control character (a line break, tab or similar)"},
		{"borrower_name C1 control character", map[string]string{"borrower_name": "张\u0085三"}, "borrower_name: contains a control character"},
		{"id_number old 15 digits", map[string]string{"id_number": "110101850312231"}, "id_number: a 15-digit identity number from before 1999 is not accepted: give the 18-character number"},
		{"id_number length", map[string]string{"id_number": "11010119850312231"}, "id_number: must be 18 characters, got 17"},
		{"id_number letters", map[string]string{"id_number": "1101011985O312231X"}, "id_number: the first 17 characters must be digits"},
		{"id_number birth date", map[string]string{"id_number": "110101198502302319"}, "id_number: digits 7 to 14 are not a valid birth date (YYYYMMDD)"},
		{"id_number check digit", map[string]string{"id_number": "110101198503122312"}, "id_number: check digit is wrong (GB 11643): the number is mistyped"},
		{"phone short", map[string]string{"phone": "1380013800"}, "phone: must be an 11-digit mainland mobile number starting with 13 to 19"},
		{"phone landline", map[string]string{"phone": "01088886666"}, "phone: must be an 11-digit mainland mobile number starting with 13 to 19"},
		{"phone 12x", map[string]string{"phone": "12800138000"}, "phone: must be an 11-digit mainland mobile number starting with 13 to 19"},
		{"phone separators", map[string]string{"phone": "138-0013-8000"}, "phone: must be an 11-digit mainland mobile number starting with 13 to 19"},
		{"product required", map[string]string{"product": ""}, "product: required"},
		{"product characters", map[string]string{"product": "消费贷"}, `product: may contain only letters, digits, '_', '-' and '.': "消费贷"`},
		{"principal required", map[string]string{"principal": ""}, "principal: required"},
		{"principal precision", map[string]string{"principal": "10.005"}, `principal: amount has more decimal places than the currency's minor unit: "10.005"`},
		{"principal syntax", map[string]string{"principal": "1,000.00"}, `principal: amount is not a decimal number: "1,000.00"`},
		{"principal currency sign", map[string]string{"principal": "¥1000"}, `principal: amount is not a decimal number: "¥1000"`},
		{"principal exponent", map[string]string{"principal": "1e6"}, `principal: amount is not a decimal number: "1e6"`},
		{"principal range", map[string]string{"principal": "100000000000000000"}, `principal: amount is out of range: "100000000000000000"`},
		{"principal zero", map[string]string{"principal": "0.00"}, `principal: must be greater than zero: "0.00"`},
		{"principal negative", map[string]string{"principal": "-1.00"}, `principal: must be greater than zero: "-1.00"`},
		{"rate required", map[string]string{"rate": ""}, "rate: required"},
		{"rate as percent", map[string]string{"rate": "4.35"}, `rate: above 0.36 (36 % a year); rates are decimal fractions, e.g. 0.0435 for 4.35 %: "4.35"`},
		{"rate just above 36 %", map[string]string{"rate": "0.3601"}, `rate: above 0.36 (36 % a year); rates are decimal fractions, e.g. 0.0435 for 4.35 %: "0.3601"`},
		{"rate far above 10", map[string]string{"rate": "435"}, `rate: above 0.36 (36 % a year); rates are decimal fractions, e.g. 0.0435 for 4.35 %: "435"`},
		{"rate with percent sign", map[string]string{"rate": "4.35%"}, `rate: write the rate as a decimal fraction without %, e.g. 0.0435 for 4.35 %: "4.35%"`},
		{"rate negative", map[string]string{"rate": "-0.01"}, `rate: must not be negative: "-0.01"`},
		{"rate syntax", map[string]string{"rate": "0,0435"}, `rate: rate is not a decimal number: "0,0435" (write a decimal fraction such as 0.0435 for 4.35 %)`},
		{"rate precision", map[string]string{"rate": "0.04350000001"}, `rate: rate has more than 10 decimal places: "0.04350000001"`},
		{"term required", map[string]string{"term": ""}, "term: required"},
		{"term zero", map[string]string{"term": "0"}, `term: must be a whole number of months from 1 to 480: "0"`},
		{"term too long", map[string]string{"term": "481"}, `term: must be a whole number of months from 1 to 480: "481"`},
		{"term fraction", map[string]string{"term": "12.5"}, `term: must be a whole number of months from 1 to 480: "12.5"`},
		{"term in words", map[string]string{"term": "12个月"}, `term: must be a whole number of months from 1 to 480: "12个月"`},
		{"term huge", map[string]string{"term": "99999999999999999999"}, `term: must be a whole number of months from 1 to 480: "99999999999999999999"`},
		{"method unknown", map[string]string{"method": "annuity"}, `method: must be one of equal-installment, equal-principal, interest-only, bullet (or 等额本息, 等额本金, 先息后本, 到期一次还本付息): "annuity"`},
		{"disbursement_date required", map[string]string{"disbursement_date": ""}, "disbursement_date: required"},
		{"disbursement_date slashes", map[string]string{"disbursement_date": "2024/03/15"}, `disbursement_date: invalid date: want YYYY-MM-DD: "2024/03/15"`},
		{"disbursement_date compact", map[string]string{"disbursement_date": "20240315"}, `disbursement_date: invalid date: want YYYY-MM-DD: "20240315"`},
		{"disbursement_date no such day", map[string]string{"disbursement_date": "2023-02-29"}, `disbursement_date: invalid date: February 2023 has 28 days: "2023-02-29"`},
		{"branch too long", map[string]string{"branch": strings.Repeat("支", 65)}, `branch: longer than 64 characters: "` + strings.Repeat("支", 65) + `"`},
		{"officer control character", map[string]string{"officer": "E1\x00"}, "officer: contains a control character (a line break, tab or similar)"},
		{"region line break", map[string]string{"region": "北\n京"}, "region: contains a control character (a line break, tab or similar)"},
		{"every problem at once", map[string]string{"loan_id": "", "principal": "0", "term": "x", "phone": "1"},
			`loan_id: required; phone: must be an 11-digit mainland mobile number starting with 13 to 19; principal: must be greater than zero: "0"; term: must be a whole number of months from 1 to 480: "x"`},
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
		3: `principal: amount is not a decimal number: "x"`,
		4: `loan_id: "LN1" is already on line 2`,
		5: `loan_id: "LN2" is already on line 3`,
		6: `term: must be a whole number of months from 1 to 480: "0"; loan_id: "LN1" is already on line 2`,
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
	tests := []struct {
		name, row, want string
	}{
		{"loan_id required", ",2024-03-15,100.00,withholding,WH1", "loan_id: required"},
		{"loan_id characters", "LN 1,2024-03-15,100.00,withholding,WH1", `loan_id: may contain only letters, digits, '_', '-' and '.': "LN 1"`},
		{"value_date required", "LN1,,100.00,withholding,WH1", "value_date: required"},
		{"value_date format", "LN1,15/03/2024,100.00,withholding,WH1", `value_date: invalid date: want YYYY-MM-DD: "15/03/2024"`},
		{"value_date before 1900", "LN1,1899-12-31,100.00,withholding,WH1", `value_date: invalid date: year 1899 is before 1900: "1899-12-31"`},
		{"amount required", "LN1,2024-03-15,,withholding,WH1", "amount: required"},
		{"amount precision", "LN1,2024-03-15,10.005,withholding,WH1", `amount: amount has more decimal places than the currency's minor unit: "10.005"`},
		{"amount zero", "LN1,2024-03-15,0,withholding,WH1", `amount: must be greater than zero: "0"`},
		{"amount negative", "LN1,2024-03-15,-5.00,withholding,WH1", `amount: must be greater than zero: "-5.00"`},
		{"amount syntax", "LN1,2024-03-15,100.,withholding,WH1", `amount: amount is not a decimal number: "100."`},
		{"amount thousands separator", `LN1,2024-03-15,"1,000.00",withholding,WH1`, `amount: amount is not a decimal number: "1,000.00"`},
		{"channel control character", "LN1,2024-03-15,100.00,\"with\x01holding\",WH1", "channel: contains a control character (a line break, tab or similar)"},
		{"channel too long", "LN1,2024-03-15,100.00," + strings.Repeat("c", 65) + ",WH1", `channel: longer than 64 characters: "` + strings.Repeat("c", 65) + `"`},
		{"reference required", "LN1,2024-03-15,100.00,withholding,", "reference: required"},
		{"reference too long", "LN1,2024-03-15,100.00,withholding," + strings.Repeat("R", 129), `reference: longer than 128 characters: "` + strings.Repeat("R", 129) + `"`},
		{"too few fields", "LN1,2024-03-15,100.00,WH1", "has 4 fields, the header has 5"},
		{"too many fields", "LN1,2024-03-15,100.00,withholding,WH1,x", "has 6 fields, the header has 5"},
		{"unquoted thousands separator", "LN1,2024-03-15,1,000.00,withholding,WH1", "has 6 fields, the header has 5"},
		{"stray quote", `LN1,2024-03-15,100.00,with"holding,WH1`, `channel: stray " in an unquoted field (quote the whole field and double the quote: "a""b")`},
		{"text after closing quote", `LN1,2024-03-15,"100.00"0,withholding,WH1`, `amount: text after the closing quote (a quote inside a quoted field must be doubled: "")`},
		{"stray quote beyond the header", `LN1,2024-03-15,100.00,withholding,WH1,x"y`, `column 6 (beyond the header): stray " in an unquoted field (quote the whole field and double the quote: "a""b")`},
		{"several problems", "LN1,2024-13-01,abc,withholding,", `value_date: invalid date: month 13 is not 1 to 12: "2024-13-01"; amount: amount is not a decimal number: "abc"; reference: required`},
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
	tests := []struct {
		name, line, want string
	}{
		{"amount number with three decimals", `{` + ok + `,"amount":10.005}`, `amount: amount has more decimal places than the currency's minor unit: "10.005"`},
		{"amount number with exponent", `{` + ok + `,"amount":1e2}`, `amount: amount is not a decimal number: "1e2"`},
		{"amount negative number", `{` + ok + `,"amount":-1}`, `amount: must be greater than zero: "-1"`},
		{"amount boolean", `{` + ok + `,"amount":true}`, "amount: must be a JSON string or number, not a boolean"},
		{"amount object", `{` + ok + `,"amount":{"value":"1.00"}}`, "amount: must be a JSON string or number, not an object"},
		{"amount array", `{` + ok + `,"amount":["1.00"]}`, "amount: must be a JSON string or number, not an array"},
		{"amount null", `{` + ok + `,"amount":null}`, "amount: required"},
		{"amount missing", `{` + ok + `}`, "amount: required"},
		{"text as number", `{"loan_id":12345,"value_date":"2024-03-15","reference":"WH1","amount":"1.00"}`, "loan_id: must be a JSON string, not a number"},
		{"date as number", `{"loan_id":"LN1","value_date":20240315,"reference":"WH1","amount":"1.00"}`, "value_date: must be a JSON string, not a number"},
		{"unknown key", `{` + ok + `,"amount":"1.00","memo":"x"}`, `unknown key(s) "memo"`},
		{"unknown keys first", `{` + ok + `,"amount":"0","Memo":"x","备注":"y"}`, `unknown key(s) "Memo", "备注"; amount: must be greater than zero: "0"`},
		{"duplicate key", `{` + ok + `,"amount":"1.00","amount":"2.00"}`, `duplicate key "amount"`},
		{"escaped control character", `{"loan_id":"LN1","value_date":"2024-03-15","reference":"WH\n1","amount":"1.00"}`, "reference: contains a control character (a line break, tab or similar)"},
		{"not an object", `["LN1","2024-03-15","1.00","WH1"]`, "not a JSON object: the line holds an array"},
		{"a number", `42`, "not a JSON object: the line holds a number"},
		{"trailing comma", `{` + ok + `,"amount":"1.00",}`, "not valid JSON: unexpected '}', want a string key at column 78"},
		{"single quotes", `{'loan_id':'LN1'}`, `not valid JSON: unexpected '\'', want a string key at column 2`},
		{"two objects", `{` + ok + `,"amount":"1.00"}{}`, "not valid JSON: unexpected '{', want the end of the line after the value at column 78"},
		{"unquoted key", `{loan_id:"LN1"}`, "not valid JSON: unexpected 'l', want a string key at column 2"},
		{"bad escape", `{"loan_id":"LN\x1"}`, `not valid JSON: invalid escape "\\x" in string at column 15`},
		{"raw tab in string", "{\"loan_id\":\"LN\t1\"}", "not valid JSON: control character in string (escape it) at column 15"},
		{"column counts characters", `{"备注":"张三",x}`, "not valid JSON: unexpected 'x', want a string key at column 12"},
		{"NaN", `{` + ok + `,"amount":NaN}`, "not valid JSON: unexpected 'N', want a value at column 71"},
		{"deep nesting", `{` + ok + `,"amount":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "not valid JSON: nested too deeply at column 102"},
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
		`{"loan_id":"LN3","value_date":"2024-03-15","amount":0.01,"reference":"\u53c2\u80031"}` // 5: no final line ending
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
