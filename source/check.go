package source

import (
	"daihou/inputtext"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"daihou"
	"daihou/civil"
	"daihou/money"
	"daihou/signal"
)

// The fields every record has, by the names a file's columns, a JSON
// line's keys and an error's Field give them.
const (
	FieldID       = "id"
	FieldBorrower = "borrower"
	FieldIDNumber = "id_number"
	FieldDate     = "date"
)

// Limits of the common fields and of values.
const (
	// MaxIDLen bounds a record id: long enough for a UUID with a source
	// prefix, short enough to be an index key.
	MaxIDLen = 128
	// MaxBorrowerLen is the borrower_id limit of a loans file, so that
	// every borrower a loans file can name, a record can name too.
	MaxBorrowerLen = 64
	// MaxTextLen bounds a Text field: a case number or a counterparty's
	// name fits many times over, a pasted paragraph does not.
	MaxTextLen = 256
	// MaxAmount is the largest Amount, in fen: 10^13 fen is 1000亿元,
	// beyond any figure about one borrower, so a larger value is a
	// misplaced column or digits run together rather than data.
	MaxAmount int64 = 10_000_000_000_000
	// MaxInt bounds the magnitude of an Int as MaxAmount bounds money,
	// so that a custom measure can carry fen.
	MaxInt int64 = 10_000_000_000_000
)

// FieldError is what is wrong with one field of a record. Field is the
// field's name; Reason says what is wrong with the value and what to
// write instead. A Reason never quotes id_number or a Personal field.
type FieldError struct {
	Field  string
	Reason string
}

// Error returns "field: reason", as an import's reject reasons read.
func (e FieldError) Error() string {
	name := e.Field
	if !isFieldName(name) {
		// A name from a webhook body can be anything; quoted, it
		// cannot forge a log line.
		name = quote(name)
	}
	return name + ": " + e.Reason
}

// RecordError is everything wrong with one record, field by field, so
// that a sender fixes a record in one round rather than one error at a
// time. Check and Signals return it as the cause of a *daihou.Error with
// code EINVALID whose Field is the first field at fault; reach it with
// errors.As.
type RecordError struct {
	Source   string
	Problems []FieldError
}

func (e *RecordError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid " + e.Source + " record: " + strings.Join(parts, "; ")
}

// invalid returns problems as Check and Signals return them, or nil.
func invalid(source string, problems []FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	re := &RecordError{Source: source, Problems: problems}
	return &daihou.Error{Code: daihou.EINVALID, Message: re.Error(), Field: problems[0].Field, Err: re}
}

// Check validates a record against its source's format: the common
// fields (id; exactly one of borrower and id_number, a resident ID with a
// valid check digit; date), then every field against its Kind, Required
// and Values, and refuses fields the source does not have. It reports
// every problem at once in a *RecordError (see RecordError), nil if
// there is none. Rules between fields are the adapter's, in Signals.
//
// Check accepts some values in more than one spelling (007, 1234.5, a
// lower-case x); Normalize rewrites them in one before the record is
// hashed or stored.
func Check(a Adapter, r *signal.Record) error {
	var c checker
	name := a.Name()
	switch r.Source {
	case name:
	case "":
		c.fail("source", "required, but empty or missing: set it to "+name)
	default:
		c.fail("source", fmt.Sprintf("is %s, but the record was given to the %s source: send it to its own", quote(r.Source), name))
	}

	if why := idReason(r.ID); why != "" {
		c.fail(FieldID, why)
	}
	switch {
	case r.Borrower == "" && r.IDNumber == "":
		c.fail(FieldBorrower, "required, but empty or missing: give the borrower's external id in borrower, or their resident ID number in id_number")
	case r.Borrower != "" && r.IDNumber != "":
		c.fail(FieldBorrower, "given together with id_number: give exactly one of them, so that the record names one borrower")
	}
	if r.Borrower != "" {
		if why := textReason(r.Borrower, MaxBorrowerLen, false); why != "" {
			c.fail(FieldBorrower, why)
		}
	}
	if r.IDNumber != "" {
		if why := idNumberReason(r.IDNumber); why != "" {
			c.fail(FieldIDNumber, why)
		}
	}
	switch {
	case r.Date.IsZero():
		c.fail(FieldDate, "required, but empty or missing: give the date the record describes; "+dateForm)
	case r.Date.Year() < 1900:
		c.fail(FieldDate, "is before 1900: check the year; "+dateForm)
	}

	fields := a.Fields()
	for _, f := range fields {
		v, ok := r.Fields[f.Name]
		switch {
		case v == "" && f.Required:
			c.fail(f.Name, "required, but empty or missing; "+form(f))
		case !ok:
		case v == "":
			c.fail(f.Name, "is empty: leave the field out when it has no value")
		default:
			if why := valueReason(f, v); why != "" {
				c.fail(f.Name, why)
			}
		}
	}
	var unknown []string
	for k := range r.Fields {
		if !slices.ContainsFunc(fields, func(f Field) bool { return f.Name == k }) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		c.fail(k, fmt.Sprintf("is not a field of a %s record; its fields are %s", name, fieldNames(fields)))
	}
	return invalid(name, c.problems)
}

// Normalize rewrites, in place, the values of a checked record that
// Check accepts in more than one spelling into one: an Int without
// leading zeros (007 → 7, -0 → 0), an Amount with two decimals (1234.5 →
// 1234.50) and id_number's check character X in capitals. Record.Hash is
// over the text, so normalised, the same record hashes the same whether
// it came as a CSV cell, a JSON number or a webhook body. A value Check
// would refuse is left as it is.
func Normalize(a Adapter, r *signal.Record) {
	if len(r.IDNumber) == 18 && r.IDNumber[17] == 'x' {
		r.IDNumber = r.IDNumber[:17] + "X"
	}
	for _, f := range a.Fields() {
		v, ok := r.Fields[f.Name]
		if !ok {
			continue
		}
		switch f.Kind {
		case Int:
			if n, why := parseInt(v, f.Signed); why == "" {
				r.Fields[f.Name] = strconv.FormatInt(n, 10)
			}
		case Amount:
			if n, why := parseAmount(v); why == "" {
				r.Fields[f.Name] = money.Amount(n).String()
			}
		}
	}
}

type checker struct{ problems []FieldError }

func (c *checker) fail(field, reason string) {
	c.problems = append(c.problems, FieldError{Field: field, Reason: reason})
}

// The allowed forms, as reasons end with them.
const (
	idForm       = "want up to 128 of A-Z a-z 0-9 _ . : -"
	idNumberForm = "want the 18-character resident identity number: 17 digits and a check digit 0-9 or X"
	dateForm     = "want YYYY-MM-DD, e.g. 2026-05-31"
	monthForm    = "want YYYY-MM, e.g. 2026-05"
	amountForm   = "want yuan in digits with at most 2 decimals, e.g. 1234.50"
)

// form says what a field takes, for the reason of a missing value.
func form(f Field) string {
	switch f.Kind {
	case Int:
		if f.Signed {
			return "want a whole number, e.g. 3 or -3"
		}
		return "want a whole number 0 or more, e.g. 3"
	case Amount:
		return amountForm
	case Date:
		return dateForm
	case Month:
		return monthForm
	case Enum:
		return "want one of " + strings.Join(f.Values, ", ")
	}
	return fmt.Sprintf("want text of up to %d characters", MaxTextLen)
}

// valueReason says what is wrong with a field's value, "" if nothing.
func valueReason(f Field, v string) string {
	var why string
	switch f.Kind {
	case Text:
		why = textReason(v, MaxTextLen, f.Personal)
	case Int:
		_, why = parseInt(v, f.Signed)
	case Amount:
		_, why = parseAmount(v)
	case Date:
		_, why = parseDate(v)
	case Month:
		_, why = parseMonth(v)
	case Enum:
		why = enumReason(f, v)
	default:
		why = fmt.Sprintf("has kind %v, which no value has: the source's format is wrong", f.Kind)
	}
	return why
}

// idReason says what is wrong with a record id. The id is the
// idempotency key of a delivery, so it is kept to characters no export
// or URL mangles.
func idReason(v string) string {
	switch n := utf8.RuneCountInString(v); {
	case v == "":
		return "required, but empty or missing: give the source's own id of the record; " + idForm
	case n > MaxIDLen:
		return fmt.Sprintf("%s is longer than %d characters (it has %d); %s", quote(v), MaxIDLen, n, idForm)
	}
	for i, r := range []rune(v) {
		if !isIDRune(r) {
			return fmt.Sprintf("%s has %s at character %d; %s", quote(v), inputtext.DescribeRune(r), i+1, idForm)
		}
	}
	return ""
}

func isIDRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == ':' || r == '-'
}

// textReason says what is wrong with free text: surrounding white space
// (two values that look the same would differ), control and invisible
// formatting characters, U+FFFD (a character lost in a conversion), or
// more than max characters. Personal text is not quoted.
func textReason(v string, max int, personal bool) string {
	shown := quote(v) + " "
	if personal {
		shown = ""
	}
	if strings.TrimSpace(v) != v {
		return shown + "starts or ends with white space: remove it"
	}
	n := 0
	for _, r := range v {
		n++
		switch {
		case r == utf8.RuneError:
			return fmt.Sprintf("%shas U+FFFD (�) at character %d, which stands for a character that could not be read: "+
				"send the text again from the source system", shown, n)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("%shas %s at character %d: remove it", shown, inputtext.DescribeRune(r), n)
		}
	}
	if n > max {
		return fmt.Sprintf("%sis longer than %d characters (it has %d)", shown, max, n)
	}
	return ""
}

// idNumberReason says what is wrong with a resident identity number
// (居民身份证号码, GB 11643-1999): 17 digits, the holder's birth date in
// digits 7 to 14, and an ISO 7064 MOD 11-2 check character over the
// first 17. It never quotes the number, nor any part of it.
func idNumberReason(v string) string {
	if _, changed := inputtext.FoldWidth(v); changed {
		return "has full-width characters: write the number in ASCII digits (and X)"
	}
	rs := []rune(v)
	switch {
	case len(rs) == 15 && inputtext.AllDigits(v):
		return "is a 15-digit number from before 1999, which is not accepted: give the holder's 18-character number"
	case len(rs) != 18:
		return fmt.Sprintf("has %d characters; %s", len(rs), idNumberForm)
	case !inputtext.AllDigits(string(rs[:17])):
		for i, r := range rs[:17] {
			if r < '0' || r > '9' {
				return fmt.Sprintf("has a character other than a digit at character %d, among the first 17, which must be digits; %s", i+1, idNumberForm)
			}
		}
	case rs[17] != 'X' && rs[17] != 'x' && (rs[17] < '0' || rs[17] > '9'):
		return "ends with a character other than 0-9 or X, the check characters; " + idNumberForm
	}
	y, m, d := inputtext.Atoi(v[6:10]), inputtext.Atoi(v[10:12]), inputtext.Atoi(v[12:14])
	if y < 1900 || m < 1 || m > 12 || d < 1 || d > civil.DaysIn(y, time.Month(m)) {
		return "digits 7 to 14 are not a birth date (YYYYMMDD): the number is mistyped; check it against the identity card"
	}
	last := v[17]
	if last == 'x' {
		last = 'X'
	}
	if last != inputtext.IDCheckDigit(v[:17]) {
		return "the check digit (ISO 7064 MOD 11-2, GB 11643) does not match the first 17 digits: the number is mistyped; check it against the identity card"
	}
	return ""
}

// parseInt reads an Int: ASCII digits, with a leading '-' if signed, at
// most MaxInt in magnitude. It returns the reason when v is not one.
func parseInt(v string, signed bool) (int64, string) {
	digits, neg := strings.CutPrefix(v, "-")
	switch {
	case neg && !signed:
		return 0, quote(v) + " is negative; want a whole number 0 or more, e.g. 3"
	case digits == "" || !inputtext.AllDigits(digits):
		return 0, quote(v) + " " + intSyntax(v, signed)
	}
	n, ok := digitsValue(digits, MaxInt)
	if !ok {
		return 0, fmt.Sprintf("%s is larger than %d, the largest whole number accepted: check the value and its column", quote(v), MaxInt)
	}
	if neg {
		n = -n
	}
	return n, ""
}

// intSyntax says what is wrong with an Int as written, with the value
// to write when one follows without a guess.
func intSyntax(v string, signed bool) string {
	want := "want a whole number 0 or more, e.g. 3"
	if signed {
		want = "want a whole number, e.g. 3 or -3"
	}
	if w, changed := inputtext.FoldWidth(v); changed {
		if _, why := parseInt(w, signed); why == "" {
			return "has full-width characters: write " + w
		}
	}
	if w := strings.ReplaceAll(v, ",", ""); w != v {
		if _, why := parseInt(w, signed); why == "" {
			return "has thousands separators: write " + w
		}
	}
	if whole, frac, ok := strings.Cut(strings.TrimPrefix(v, "-"), "."); ok && whole != "" && inputtext.AllDigits(whole) && inputtext.AllDigits(frac) {
		if strings.Trim(frac, "0") == "" {
			return "has decimals, and the field takes a whole number: write " + strings.TrimSuffix(strings.TrimSuffix(v, frac), ".")
		}
		return "is not a whole number; " + want
	}
	return "is not a whole number" + inputtext.InBrackets(inputtext.FirstBad(v, "-0123456789")) + "; " + want
}

// parseAmount reads an Amount, yuan with at most 2 decimals, into fen
// exactly: digits are read as digits, never through a float. It returns
// the reason when v is not one.
func parseAmount(v string) (int64, string) {
	whole, frac, dot := strings.Cut(v, ".")
	switch {
	case strings.HasPrefix(v, "-") && isAmountText(v[1:]):
		return 0, quote(v) + " is negative; an amount is 0 or more: " + amountForm
	case !isAmountText(v):
		return 0, quote(v) + " " + amountSyntax(v)
	}
	yuan, ok := digitsValue(whole, MaxAmount/100)
	if !ok {
		return 0, amountTooLarge(v)
	}
	fen := yuan * 100
	if dot {
		f := inputtext.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
		fen += int64(f)
	}
	if fen > MaxAmount {
		return 0, amountTooLarge(v)
	}
	return fen, ""
}

func amountTooLarge(v string) string {
	return fmt.Sprintf("%s is larger than %s yuan, the largest amount accepted: check the value and its column", quote(v), money.Amount(MaxAmount))
}

// isAmountText reports whether s is digits, optionally followed by a
// point and one or two digits.
func isAmountText(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	return whole != "" && inputtext.AllDigits(whole) && (!dot || len(frac) >= 1 && len(frac) <= 2 && inputtext.AllDigits(frac))
}

// amountSyntax says what is wrong with an amount as written: the
// corrected value when the usual export habits (full-width digits, a
// currency sign, thousands separators) explain it, the rule otherwise.
func amountSyntax(v string) string {
	w, problems := v, []string(nil)
	if f, changed := inputtext.FoldWidth(w); changed {
		w, problems = f, append(problems, "full-width characters")
	}
	if f := stripCurrency(w); f != w {
		w, problems = f, append(problems, "a currency sign")
	}
	if f := strings.ReplaceAll(w, ",", ""); f != w {
		w, problems = f, append(problems, "thousands separators")
	}
	if len(problems) > 0 && isAmountText(w) {
		return "has " + strings.Join(problems, " and ") + ": write " + w
	}
	whole, frac, _ := strings.Cut(strings.TrimPrefix(v, "-"), ".")
	switch {
	case whole != "" && inputtext.AllDigits(whole) && len(frac) > 2 && inputtext.AllDigits(frac):
		return fmt.Sprintf("has %d decimal places, and an amount has at most 2 (fen): correct it, do not round it", len(frac))
	case strings.HasSuffix(v, "."):
		return "has no digits after the decimal point; " + amountForm
	case strings.HasPrefix(v, "."):
		return "needs a digit before the decimal point (0.5, not .5); " + amountForm
	}
	return "is not an amount" + inputtext.InBrackets(inputtext.FirstBad(v, "0123456789.")) + "; " + amountForm
}

// stripCurrency removes a currency sign or code before the number and a
// currency word after it (¥1000, RMB 1000, 1000元).
func stripCurrency(s string) string {
	t := s
	for _, p := range []string{"¥", "￥", "RMB", "CNY", "人民币"} {
		t = strings.TrimPrefix(t, p)
	}
	for _, p := range []string{"元", "RMB", "CNY"} {
		t = strings.TrimSuffix(t, p)
	}
	return strings.TrimSpace(t)
}

// parseDate reads a Date field, YYYY-MM-DD from 1900.
func parseDate(v string) (civil.Date, string) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' || !inputtext.AllDigits(v[:4]+v[5:7]+v[8:]) {
		return 0, quote(v) + " is not a date; " + dateForm
	}
	y, m, d := inputtext.Atoi(v[:4]), inputtext.Atoi(v[5:7]), inputtext.Atoi(v[8:])
	switch {
	case m < 1 || m > 12:
		return 0, fmt.Sprintf("%s has month %d, and there is no such month; %s", quote(v), m, dateForm)
	case d < 1 || d > civil.DaysIn(y, time.Month(m)):
		return 0, fmt.Sprintf("%s is not a day of the calendar: %s %d has %d days; %s", quote(v), time.Month(m), y, civil.DaysIn(y, time.Month(m)), dateForm)
	case y < 1900:
		return 0, fmt.Sprintf("%s is before 1900: check the year; %s", quote(v), dateForm)
	}
	return civil.New(y, time.Month(m), d), ""
}

// parseMonth reads a Month field, YYYY-MM from 1900, as the month's
// first day.
func parseMonth(v string) (civil.Date, string) {
	if len(v) == 10 {
		if _, why := parseDate(v); why == "" {
			return 0, fmt.Sprintf("%s is a day, and the field takes a month: write %s", quote(v), v[:7])
		}
	}
	if len(v) == 6 && v[4] == '-' && inputtext.AllDigits(v[:4]+v[5:]) && v[5] != '0' {
		return 0, fmt.Sprintf("%s has a one-digit month: write %s-0%s", quote(v), v[:4], v[5:])
	}
	if len(v) != 7 || v[4] != '-' || !inputtext.AllDigits(v[:4]+v[5:]) {
		return 0, quote(v) + " is not a month; " + monthForm
	}
	y, m := inputtext.Atoi(v[:4]), inputtext.Atoi(v[5:])
	switch {
	case m < 1 || m > 12:
		return 0, fmt.Sprintf("%s has month %d, and there is no such month; %s", quote(v), m, monthForm)
	case y < 1900:
		return 0, fmt.Sprintf("%s is before 1900: check the year; %s", quote(v), monthForm)
	}
	return civil.New(y, time.Month(m), 1), ""
}

// enumReason says what is wrong with an Enum value: values are exact
// lower-case words, so that a report groups by them without folding.
func enumReason(f Field, v string) string {
	if slices.Contains(f.Values, v) {
		return ""
	}
	want := "want one of " + strings.Join(f.Values, ", ")
	for _, w := range f.Values {
		if strings.EqualFold(strings.TrimSpace(v), w) {
			return fmt.Sprintf("%s must be written %s, in lower case", quote(v), w)
		}
	}
	return quote(v) + " is not a value of the field; " + want
}

// fieldNames lists a source's fields for a reason.
func fieldNames(fields []Field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// maxQuoted is how many characters of a value a reason shows: enough to
// recognise it, not so many that a misaligned column fills the log.
const maxQuoted = 40

// quote quotes v as Go does, which shows invisible and control
// characters as escapes while leaving Chinese text as it is, and cuts a
// long value short.
func quote(v string) string {
	if utf8.RuneCountInString(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	i := 0
	for range maxQuoted - 8 {
		_, size := utf8.DecodeRuneInString(v[i:])
		i += size
	}
	return strconv.Quote(v[:i]) + "…"
}

// digitsValue converts digits (any number of leading zeros) to their
// value, reporting false above max instead of overflowing.
func digitsValue(s string, max int64) (int64, bool) {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// values reads the fields of a record by their kinds, for an adapter's
// Signals. Signals is given records that passed Check, but a value that
// does not parse is still reported (as Check reports it) rather than
// read as zero, so a caller that skipped Check gets an error, never a
// wrong signal.
type values struct {
	a        Adapter
	r        *signal.Record
	fields   []Field
	problems []FieldError
}

func read(a Adapter, r *signal.Record) *values {
	return &values{a: a, r: r, fields: a.Fields()}
}

func (v *values) fail(field, reason string) {
	v.problems = append(v.problems, FieldError{Field: field, Reason: reason})
}

// ok reports whether every value read so far was good, so that a rule
// between fields is only applied to values that were read.
func (v *values) ok() bool { return len(v.problems) == 0 }

// err returns every problem found, as Check does, or nil.
func (v *values) err() error { return invalid(v.a.Name(), v.problems) }

// field returns the named field of the format; asking for one it does
// not have is a bug in the adapter.
func (v *values) field(name string) Field {
	i := slices.IndexFunc(v.fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		panic("source: " + v.a.Name() + " has no field " + name)
	}
	return v.fields[i]
}

// get returns the field's text, reporting it when it is required and
// missing.
func (v *values) get(name string, required bool) (string, bool) {
	s, ok := v.r.Fields[name]
	if !ok || s == "" {
		if required {
			v.fail(name, "required, but empty or missing; "+form(v.field(name)))
		}
		return "", false
	}
	return s, true
}

// int returns a required Int.
func (v *values) int(name string) int64 {
	n, _ := v.optInt(name, true)
	return n
}

func (v *values) optInt(name string, required bool) (int64, bool) {
	f := v.field(name)
	s, ok := v.get(name, required)
	if !ok {
		return 0, false
	}
	n, why := parseInt(s, f.Signed)
	if why != "" {
		v.fail(name, why)
		return 0, false
	}
	return n, true
}

// amount returns a required Amount in fen.
func (v *values) amount(name string) int64 {
	n, _ := v.optAmount(name, true)
	return n
}

// optAmount returns an Amount in fen, and whether it is given.
func (v *values) optAmount(name string, required bool) (int64, bool) {
	s, ok := v.get(name, required)
	if !ok {
		return 0, false
	}
	n, why := parseAmount(s)
	if why != "" {
		v.fail(name, why)
		return 0, false
	}
	return n, true
}

// enum returns a required Enum's value, "" when it is missing or not
// one of the field's values.
func (v *values) enum(name string) string {
	s, _ := v.optEnum(name, true)
	return s
}

func (v *values) optEnum(name string, required bool) (string, bool) {
	f := v.field(name)
	s, ok := v.get(name, required)
	if !ok {
		return "", false
	}
	if why := enumReason(f, s); why != "" {
		v.fail(name, why)
		return "", false
	}
	return s, true
}

// month returns a required Month as its first day.
func (v *values) month(name string) civil.Date {
	s, ok := v.get(name, true)
	if !ok {
		return 0
	}
	d, why := parseMonth(s)
	if why != "" {
		v.fail(name, why)
		return 0
	}
	return d
}

// text returns a Text field, "" when it is absent.
func (v *values) text(name string, required bool) string {
	f := v.field(name)
	s, ok := v.get(name, required)
	if !ok {
		return ""
	}
	if why := textReason(s, MaxTextLen, f.Personal); why != "" {
		v.fail(name, why)
		return ""
	}
	return s
}

// signal returns a signal of the record dated the record's date.
func (v *values) signal(k signal.Kind, value int64) signal.Signal {
	return signal.Signal{Kind: k, Date: v.r.Date, Value: value}
}
