package source_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/signal"
	"daihou/source"
)

// kinds is an adapter with a field of every kind, so that Check is
// tested on each whatever the built-in sources use; it is not in the
// registry, as an adapter written elsewhere would not be.
type kinds struct{}

func (kinds) Name() string  { return "kinds" }
func (kinds) Title() string { return "every kind" }
func (kinds) Fields() []source.Field {
	return []source.Field{
		{Name: "text", Kind: source.Text, Required: true, Doc: "text"},
		{Name: "name", Kind: source.Text, Personal: true, Doc: "personal text"},
		{Name: "count", Kind: source.Int, Doc: "a count"},
		{Name: "change", Kind: source.Int, Signed: true, Doc: "a signed number"},
		{Name: "amount", Kind: source.Amount, Doc: "money"},
		{Name: "day", Kind: source.Date, Doc: "a date"},
		{Name: "month", Kind: source.Month, Doc: "a month"},
		{Name: "status", Kind: source.Enum, Values: []string{"paid", "unpaid"}, Doc: "an enum"},
	}
}
func (kinds) Signals(*signal.Record) ([]signal.Signal, error) { return nil, nil }

// Resident ID numbers with valid check digits (GB 11643), made up.
const (
	idGood  = "440306199003071232"
	idX     = "11010519491231002X"
	idWrong = "440306199003071231" // the check digit is 2
)

func goodRecord() *signal.Record {
	return &signal.Record{Source: "kinds", ID: "R-2026.05:1_a", Borrower: "C1", Date: civil.MustParse("2026-05-31"), Fields: map[string]string{"text": "x"}}
}

// TestCheck: each case changes a good record and expects Check to name
// one field with a reason containing want, and, for personal data, not
// to quote it.
func TestCheck(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name     string
		change   func(r *signal.Record)
		field    string // "" for a record that passes
		want     string
		personal string // text the reason must not contain
	}{
		{"good", func(r *signal.Record) {}, "", "", ""},
		{"good with every field", func(r *signal.Record) {
			r.Fields = map[string]string{"text": "案号 (2026)京0105执1234号", "name": "张三", "count": "0", "change": "-12", "amount": "0.01",
				"day": "2024-02-29", "month": "1900-01", "status": "unpaid"}
		}, "", "", ""},
		{"good by id_number", func(r *signal.Record) { r.Borrower, r.IDNumber = "", idGood }, "", "", ""},
		{"good by id_number with X", func(r *signal.Record) { r.Borrower, r.IDNumber = "", idX }, "", "", ""},
		{"good by id_number with x", func(r *signal.Record) { r.Borrower, r.IDNumber = "", strings.ToLower(idX) }, "", "", ""},
		{"id of 128", func(r *signal.Record) { r.ID = long(128) }, "", "", ""},

		{"no source", func(r *signal.Record) { r.Source = "" }, "source", "required, but empty or missing: set it to kinds", ""},
		{"another source", func(r *signal.Record) { r.Source = "court" }, "source", `is "court", but the record was given to the kinds source`, ""},
		{"no id", func(r *signal.Record) { r.ID = "" }, "id", "required, but empty or missing: give the source's own id of the record; want up to 128 of A-Z a-z 0-9 _ . : -", ""},
		{"id too long", func(r *signal.Record) { r.ID = long(129) }, "id", "is longer than 128 characters (it has 129)", ""},
		{"id with a slash", func(r *signal.Record) { r.ID = "2026/1" }, "id", `"2026/1" has '/' at character 5; want up to 128 of A-Z a-z 0-9 _ . : -`, ""},
		{"id with a space", func(r *signal.Record) { r.ID = "R 1" }, "id", "has a space at character 2", ""},
		{"id in Chinese", func(r *signal.Record) { r.ID = "记录1" }, "id", "has '记' at character 1", ""},
		{"neither borrower nor id_number", func(r *signal.Record) { r.Borrower = "" }, "borrower",
			"required, but empty or missing: give the borrower's external id in borrower, or their resident ID number in id_number", ""},
		{"both borrower and id_number", func(r *signal.Record) { r.IDNumber = idGood }, "borrower", "given together with id_number: give exactly one of them", idGood},
		{"borrower too long", func(r *signal.Record) { r.Borrower = long(65) }, "borrower", "is longer than 64 characters (it has 65)", ""},
		{"borrower with a tab", func(r *signal.Record) { r.Borrower = "C\t1" }, "borrower", "has a tab at character 2: remove it", ""},
		{"borrower with a space around", func(r *signal.Record) { r.Borrower = "C1 " }, "borrower", "starts or ends with white space: remove it", ""},

		{"id_number check digit", func(r *signal.Record) { r.Borrower, r.IDNumber = "", idWrong }, "id_number",
			"the check digit (ISO 7064 MOD 11-2, GB 11643) does not match the first 17 digits: the number is mistyped", idWrong[:14]},
		{"id_number of 17", func(r *signal.Record) { r.Borrower, r.IDNumber = "", idGood[:17] }, "id_number",
			"has 17 characters; want the 18-character resident identity number: 17 digits and a check digit 0-9 or X", idGood[:14]},
		{"id_number of 15 digits", func(r *signal.Record) { r.Borrower, r.IDNumber = "", "440306900307123" }, "id_number", "is a 15-digit number from before 1999", "440306900307123"},
		{"id_number with a letter", func(r *signal.Record) { r.Borrower, r.IDNumber = "", "4403061990O3071232" }, "id_number",
			"has a character other than a digit at character 11, among the first 17", "4403061990"},
		{"id_number ending wrong", func(r *signal.Record) { r.Borrower, r.IDNumber = "", idGood[:17]+"Y" }, "id_number", "ends with a character other than 0-9 or X", idGood[:14]},
		{"id_number birth date", func(r *signal.Record) { r.Borrower, r.IDNumber = "", "440306199013071239" }, "id_number", "digits 7 to 14 are not a birth date", "44030619901307"},
		{"id_number full-width", func(r *signal.Record) { r.Borrower, r.IDNumber = "", "４40306199003071232" }, "id_number", "has full-width characters", "40306199003071232"},
		{"no date", func(r *signal.Record) { r.Date = 0 }, "date", "required, but empty or missing: give the date the record describes; want YYYY-MM-DD", ""},
		{"date before 1900", func(r *signal.Record) { r.Date = civil.New(1899, 12, 31) }, "date", "is before 1900", ""},

		{"required field missing", func(r *signal.Record) { delete(r.Fields, "text") }, "text", "required, but empty or missing; want text of up to 256 characters", ""},
		{"required field empty", func(r *signal.Record) { r.Fields["text"] = "" }, "text", "required, but empty or missing", ""},
		{"optional field empty", func(r *signal.Record) { r.Fields["count"] = "" }, "count", "is empty: leave the field out when it has no value", ""},
		{"unknown field", func(r *signal.Record) { r.Fields["colour"] = "red" }, "colour",
			"is not a field of a kinds record; its fields are text, name, count, change, amount, day, month, status", "red"},

		{"text too long", func(r *signal.Record) { r.Fields["text"] = long(257) }, "text", "is longer than 256 characters (it has 257)", ""},
		{"text of 256 Chinese characters", func(r *signal.Record) { r.Fields["text"] = strings.Repeat("号", 256) }, "", "", ""},
		{"text with a line break", func(r *signal.Record) { r.Fields["text"] = "a\nb" }, "text", `"a\nb" has a line break at character 2: remove it`, ""},
		{"text with a zero-width space", func(r *signal.Record) { r.Fields["text"] = "a\u200bb" }, "text", "has the invisible zero-width space (U+200B) at character 2", ""},
		{"text with U+FFFD", func(r *signal.Record) { r.Fields["text"] = "张\uFFFD" }, "text", "has U+FFFD (�) at character 2", ""},
		{"personal text is not quoted", func(r *signal.Record) { r.Fields["name"] = "张三\t" }, "name", "starts or ends with white space", "张三"},
		{"personal text too long", func(r *signal.Record) { r.Fields["name"] = "张三" + long(300) }, "name", "is longer than 256 characters", "张三"},

		{"int with decimals", func(r *signal.Record) { r.Fields["count"] = "3.5" }, "count", `"3.5" is not a whole number; want a whole number 0 or more, e.g. 3`, ""},
		{"int with zero decimals", func(r *signal.Record) { r.Fields["count"] = "3.00" }, "count", "has decimals, and the field takes a whole number: write 3", ""},
		{"int negative", func(r *signal.Record) { r.Fields["count"] = "-1" }, "count", `"-1" is negative; want a whole number 0 or more`, ""},
		{"int grouped", func(r *signal.Record) { r.Fields["count"] = "1,234" }, "count", "has thousands separators: write 1234", ""},
		{"int full-width", func(r *signal.Record) { r.Fields["count"] = "１２" }, "count", "has full-width characters: write 12", ""},
		{"int with a plus", func(r *signal.Record) { r.Fields["count"] = "+3" }, "count", "is not a whole number ('+' at character 1)", ""},
		{"int too large", func(r *signal.Record) { r.Fields["count"] = "10000000000001" }, "count", "is larger than 10000000000000, the largest whole number accepted", ""},
		{"int at the limit", func(r *signal.Record) { r.Fields["count"], r.Fields["change"] = "10000000000000", "-10000000000000" }, "", "", ""},
		{"signed int of a minus only", func(r *signal.Record) { r.Fields["change"] = "-" }, "change", "is not a whole number; want a whole number, e.g. 3 or -3", ""},
		{"signed int twice negative", func(r *signal.Record) { r.Fields["change"] = "--5" }, "change", "is not a whole number", ""},
		{"signed int too small", func(r *signal.Record) { r.Fields["change"] = "-10000000000001" }, "change", "is larger than 10000000000000", ""},

		{"amount negative", func(r *signal.Record) { r.Fields["amount"] = "-5.00" }, "amount", `"-5.00" is negative; an amount is 0 or more`, ""},
		{"amount grouped", func(r *signal.Record) { r.Fields["amount"] = "1,000.00" }, "amount", "has thousands separators: write 1000.00", ""},
		{"amount in yuan sign", func(r *signal.Record) { r.Fields["amount"] = "¥100" }, "amount", "has a currency sign: write 100", ""},
		{"amount with 元", func(r *signal.Record) { r.Fields["amount"] = "1,200元" }, "amount", "has a currency sign and thousands separators: write 1200", ""},
		{"amount of 3 decimals", func(r *signal.Record) { r.Fields["amount"] = "10.005" }, "amount", "has 3 decimal places, and an amount has at most 2 (fen): correct it, do not round it", ""},
		{"amount too large", func(r *signal.Record) { r.Fields["amount"] = "100000000000.01" }, "amount", "is larger than 100000000000.00 yuan, the largest amount accepted", ""},
		{"amount far too large", func(r *signal.Record) { r.Fields["amount"] = "99999999999999999999" }, "amount", "is larger than 100000000000.00 yuan", ""},
		{"amount at the limit", func(r *signal.Record) { r.Fields["amount"] = "100000000000.00" }, "", "", ""},
		{"amount without a leading digit", func(r *signal.Record) { r.Fields["amount"] = ".5" }, "amount", "needs a digit before the decimal point (0.5, not .5)", ""},
		{"amount ending in a point", func(r *signal.Record) { r.Fields["amount"] = "5." }, "amount", "has no digits after the decimal point", ""},
		{"amount with an exponent", func(r *signal.Record) { r.Fields["amount"] = "1e3" }, "amount", `"1e3" is not an amount ('e' at character 2); want yuan in digits with at most 2 decimals, e.g. 1234.50`, ""},

		{"date field", func(r *signal.Record) { r.Fields["day"] = "2026/05/31" }, "day", `"2026/05/31" is not a date; want YYYY-MM-DD`, ""},
		{"date field of no day", func(r *signal.Record) { r.Fields["day"] = "2026-02-29" }, "day", "is not a day of the calendar: February 2026 has 28 days", ""},
		{"date field of no month", func(r *signal.Record) { r.Fields["day"] = "2026-13-01" }, "day", "has month 13, and there is no such month", ""},
		{"month of one digit", func(r *signal.Record) { r.Fields["month"] = "2026-5" }, "month", "has a one-digit month: write 2026-05", ""},
		{"month as a day", func(r *signal.Record) { r.Fields["month"] = "2026-05-01" }, "month", "is a day, and the field takes a month: write 2026-05", ""},
		{"month 13", func(r *signal.Record) { r.Fields["month"] = "2026-13" }, "month", "has month 13, and there is no such month; want YYYY-MM", ""},
		{"month before 1900", func(r *signal.Record) { r.Fields["month"] = "1899-12" }, "month", "is before 1900", ""},
		{"month without a hyphen", func(r *signal.Record) { r.Fields["month"] = "202605" }, "month", `"202605" is not a month; want YYYY-MM, e.g. 2026-05`, ""},
		{"enum in capitals", func(r *signal.Record) { r.Fields["status"] = "Paid" }, "status", `"Paid" must be written paid, in lower case`, ""},
		{"enum unknown", func(r *signal.Record) { r.Fields["status"] = "overdue" }, "status", `"overdue" is not a value of the field; want one of paid, unpaid`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := goodRecord()
			tt.change(r)
			err := source.Check(kinds{}, r)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			checkFieldError(t, err, tt.field, tt.want)
			if tt.personal != "" && strings.Contains(err.Error(), tt.personal) {
				t.Errorf("error %q quotes personal data", err)
			}
		})
	}
}

// TestCheckAll: Check reports every problem of a record at once, common
// fields first, then the source's in format order, then unknown fields
// by name, so that a sender fixes a record in one round.
func TestCheckAll(t *testing.T) {
	r := &signal.Record{Source: "kinds", ID: "", Borrower: "", IDNumber: idWrong, Date: 0,
		Fields: map[string]string{"zeta": "1", "status": "no", "count": "x", "alpha": "2"}}
	err := source.Check(kinds{}, r)
	var re *source.RecordError
	if !errors.As(err, &re) {
		t.Fatalf("error %v: want a *RecordError", err)
	}
	var got []string
	for _, p := range re.Problems {
		got = append(got, p.Field)
	}
	want := []string{"id", "id_number", "date", "text", "count", "status", "alpha", "zeta"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != "id" {
		t.Errorf("code %q field %q, want invalid, id", daihou.ErrorCode(err), daihou.ErrorField(err))
	}
	if !strings.HasPrefix(err.Error(), "invalid kinds record: id: required") || strings.Contains(err.Error(), idWrong[:10]) {
		t.Errorf("message %q", err)
	}
	// A field name from a webhook body is quoted, so it cannot forge a
	// log line.
	r = goodRecord()
	r.Fields["x\nlevel=error"] = "1"
	if err := source.Check(kinds{}, r); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want the name quoted", err)
	}
}

// TestNormalize: the spellings Check accepts of one value become one, so
// that the record hashes the same.
func TestNormalize(t *testing.T) {
	r := goodRecord()
	r.Borrower, r.IDNumber = "", strings.ToLower(idX)
	r.Fields = map[string]string{"text": "007", "count": "007", "change": "-0", "amount": "1234.5", "month": "2026-05"}
	if err := source.Check(kinds{}, r); err != nil {
		t.Fatal(err)
	}
	source.Normalize(kinds{}, r)
	want := goodRecord()
	want.Borrower, want.IDNumber = "", idX
	want.Fields = map[string]string{"text": "007", "count": "7", "change": "0", "amount": "1234.50", "month": "2026-05"}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Normalize (-want +got):\n%s", diff)
	}
	if r.Hash() != want.Hash() {
		t.Error("hashes differ")
	}
	// A value Check refuses is left alone.
	r.Fields["count"], r.Fields["amount"] = "x", "1,000"
	source.Normalize(kinds{}, r)
	if r.Fields["count"] != "x" || r.Fields["amount"] != "1,000" {
		t.Errorf("Normalize changed values it cannot read: %v", r.Fields)
	}
}

// TestBuiltInChecks runs Check through one built-in source's format, as
// the import and the webhook do.
func TestBuiltInChecks(t *testing.T) {
	a := mustLookup(t, signal.Social)
	r := &signal.Record{Source: signal.Social, ID: "SI-1", IDNumber: idGood, Date: civil.MustParse("2026-05-10"),
		Fields: map[string]string{"month": "2026-04", "status": "late", "basis": "1"}}
	err := source.Check(a, r)
	checkFieldError(t, err, "status", `"late" is not a value of the field; want one of paid, unpaid, stopped`)
	checkFieldError(t, err, "basis", "is not a field of a social record; its fields are month, status, base")
}
