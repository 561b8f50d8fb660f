package imports

import (
	"daihou/inputtext"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"daihou/civil"
	"daihou/money"
)

// A reason is read by an operator fixing a file, often in Excel, so each
// one names the field, shows the value (unless it is personal data), says
// what is wrong in terms of what they see, and says what to write instead:
// the corrected value itself when it follows from the value without a
// guess ("1,000.00" → 1000.00), the allowed form otherwise. Everything
// here runs only for values that failed, never on the bulk path.

// The allowed forms, as reasons end with them.
const (
	codeForm   = "want up to 64 of A-Z a-z 0-9 _ - ."
	amountForm = "want digits with at most 2 decimals, e.g. 1234.50"
	rateForm   = "want a decimal fraction from 0 to 0.36, e.g. 0.0435 for 4.35 %"
	termForm   = "want whole months from 1 to 480, e.g. 36"
	dateForm   = "want YYYY-MM-DD, e.g. 2024-03-15"
	phoneForm  = "want an 11-digit mainland mobile number starting with 13 to 19 (+86 before it is allowed)"
	idForm     = "want the 18-character resident identity number: 17 digits and a check digit 0-9 or X"
)

// maxQuoted is how many characters of a value a reason shows: enough to
// recognise it, not so many that a pasted paragraph or a misaligned
// column fills the reason (and the log) with the whole row again.
const maxQuoted = 40

// quote quotes v as Go does, which shows invisible and control characters
// as escapes (\u200b, \t) while leaving Chinese text as it is, and cuts a
// long value short.
func quote(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= maxQuoted {
		return strconv.Quote(v)
	}
	i := 0
	for range maxQuoted - 8 {
		_, size := utf8.DecodeRuneInString(v[i:])
		i += size
	}
	return strconv.Quote(v[:i]) + "…"
}

// A repair is one common way a number is written that daihou does not
// read, and how to undo it.
type repair struct {
	problem string
	undo    func(string) (string, bool)
}

// fix applies every repair that changes v, in order, and returns what
// they found and the value they made of it.
func fix(v string, repairs []repair) (problems []string, fixed string) {
	fixed = v
	for _, r := range repairs {
		if w, ok := r.undo(fixed); ok {
			problems = append(problems, r.problem)
			fixed = w
		}
	}
	return problems, fixed
}

// explain writes the reason for a value the repairs could correct (then
// it says what to write) or that is wrong anyway (then it says what is
// wrong with it as written, and the allowed form).
func explain(v string, problems []string, fixed string, ok bool, why, form string) string {
	switch {
	case len(problems) > 0 && ok:
		return fmt.Sprintf("%s has %s: write %s", quote(v), strings.Join(problems, " and "), fixed)
	case len(problems) > 0:
		return fmt.Sprintf("%s has %s and is still not valid without them (%s); %s", quote(v), strings.Join(problems, " and "), why, form)
	}
	return fmt.Sprintf("%s %s; %s", quote(v), why, form)
}

var (
	fullWidth = repair{"full-width characters", func(s string) (string, bool) { return inputtext.FoldWidth(s) }}
	currency  = repair{"a currency sign", stripCurrency}
	grouping  = repair{"thousands separators", ungroup}
	decComma  = repair{"a decimal comma", decimalComma}
	exponent  = repair{"an exponent", expandExponent}
	inSpaces  = repair{"spaces inside", func(s string) (string, bool) {
		t := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
		return t, t != s
	}}
)

// stripCurrency removes a currency sign or code before the number and a
// currency word after it (¥1000, RMB 1000, 1000元).
func stripCurrency(s string) (string, bool) {
	t := s
	for _, p := range []string{"¥", "￥", "$", "RMB", "CNY", "人民币"} {
		t = strings.TrimPrefix(t, p)
	}
	for _, p := range []string{"元", "RMB", "CNY"} {
		t = strings.TrimSuffix(t, p)
	}
	t = strings.TrimSpace(t)
	return t, t != s && t != ""
}

// ungroup removes thousands separators from a number grouped as
// 1,234,567.89: groups of three after a first group of one to three
// digits, the first not a lone 0 (0,123 is a decimal comma).
func ungroup(s string) (string, bool) {
	sign, rest := cutSign(s)
	intPart, frac, hasDot := strings.Cut(rest, ".")
	groups := strings.Split(intPart, ",")
	if len(groups) < 2 || len(groups[0]) == 0 || len(groups[0]) > 3 || groups[0] == "0" || !inputtext.AllDigits(groups[0]) {
		return s, false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !inputtext.AllDigits(g) {
			return s, false
		}
	}
	out := sign + strings.Join(groups, "")
	if hasDot {
		out += "." + frac
	}
	return out, true
}

// decimalComma turns a decimal comma (100,50 or 0,0435) into a point,
// when the comma cannot be a thousands separator.
func decimalComma(s string) (string, bool) {
	sign, rest := cutSign(s)
	intPart, frac, ok := strings.Cut(rest, ",")
	if !ok || intPart == "" || frac == "" || !inputtext.AllDigits(intPart) || !inputtext.AllDigits(frac) {
		return s, false
	}
	if _, grouped := ungroup(s); grouped {
		return s, false
	}
	return sign + intPart + "." + frac, true
}

// maxExponent bounds the exponents expandExponent writes out, so that
// 1e999999999 does not become a billion zeros in a reason.
const maxExponent = 30

// expandExponent writes 1.5e3 as 1500, exactly (no float).
func expandExponent(s string) (string, bool) {
	sign, rest := cutSign(s)
	i := strings.IndexAny(rest, "eE")
	if i < 0 {
		return s, false
	}
	mant, exp := rest[:i], rest[i+1:]
	if !isDecimal(mant) && !(strings.HasPrefix(mant, ".") && len(mant) > 1 && inputtext.AllDigits(mant[1:])) {
		return s, false
	}
	expSign := 1
	switch {
	case strings.HasPrefix(exp, "-"):
		expSign, exp = -1, exp[1:]
	case strings.HasPrefix(exp, "+"):
		exp = exp[1:]
	}
	if exp == "" || len(exp) > 2 || !inputtext.AllDigits(exp) || inputtext.Atoi(exp) > maxExponent {
		return s, false
	}
	return sign + shiftPoint(mant, expSign*inputtext.Atoi(exp)), true
}

func cutSign(s string) (sign, rest string) {
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return s[:1], s[1:]
	}
	return "", s
}

// shiftPoint moves the decimal point of an unsigned decimal n places to
// the right (left if n is negative), exactly, and drops the zeros that
// carry no value: shiftPoint("4.35", -2) is "0.0435".
func shiftPoint(s string, n int) string {
	intPart, frac, _ := strings.Cut(s, ".")
	digits := intPart + frac
	point := len(intPart) + n
	if point < 1 {
		digits = strings.Repeat("0", 1-point) + digits
		point = 1
	}
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	whole := strings.TrimLeft(digits[:point], "0")
	if whole == "" {
		whole = "0"
	}
	if part := strings.TrimRight(digits[point:], "0"); part != "" {
		return whole + "." + part
	}
	return whole
}

var amountRepairs = []repair{fullWidth, currency, inSpaces, grouping, decComma, exponent}

// badAmount explains why v, which money.ParseAmount refuses, is not an
// amount.
func badAmount(v string) string {
	problems, fixed := fix(v, amountRepairs)
	a, err := money.ParseAmount(fixed)
	why := amountSyntax(fixed, err)
	if err == nil && a <= 0 {
		why = "is not greater than 0"
	}
	return explain(v, problems, fixed, err == nil && a > 0, why, amountForm)
}

// amountSyntax says what is wrong with an amount as written.
func amountSyntax(v string, err error) string {
	_, rest := cutSign(v)
	_, frac, _ := strings.Cut(rest, ".")
	switch {
	case errors.Is(err, money.ErrAmountPrecision):
		return fmt.Sprintf("has %d decimal places, and an amount has at most 2 (fen): correct it, do not round it", len(frac))
	case errors.Is(err, money.ErrAmountRange):
		return "is too large: at most 16 digits before the decimal point"
	case strings.HasSuffix(rest, "."):
		return "has no digits after the decimal point"
	case strings.HasPrefix(rest, "."):
		return "needs a digit before the decimal point (0.5, not .5)"
	}
	return "is not a number" + inputtext.InBrackets(inputtext.FirstBad(v, "0123456789."))
}

var rateRepairs = []repair{fullWidth, inSpaces, decComma, exponent}

// plausibleRate reports whether s is a rate daihou accepts, so that a
// correction is only offered when it is one.
func plausibleRate(s string) bool {
	x, err := money.ParseRate(s)
	return err == nil && x <= maxRate
}

// badRate explains why v is not a rate: not a number, or not a plausible
// annual rate. Both 4.35% and 4.35 (a percentage typed where a fraction
// belongs) come with the fraction to write.
func badRate(v string) string {
	problems, fixed := fix(v, rateRepairs)
	pct, isPct := strings.CutSuffix(strings.TrimSpace(fixed), "%")
	pct = strings.TrimSpace(pct)
	switch {
	case isPct && isDecimal(pct) && plausibleRate(shiftPoint(pct, -2)):
		return fmt.Sprintf("%s is a percentage: write the decimal fraction %s", quote(v), shiftPoint(pct, -2))
	case isPct && isDecimal(pct):
		return fmt.Sprintf("%s is a percentage, and above 36 %% a year, the most a court supports: check the rate; %s", quote(v), rateForm)
	case strings.HasPrefix(fixed, "-"):
		return fmt.Sprintf("%s is negative; %s", quote(v), rateForm)
	}
	x, err := money.ParseRate(fixed)
	switch {
	case err == nil && x <= maxRate:
		return explain(v, problems, fixed, true, "", rateForm)
	case isDecimal(fixed) && !errors.Is(err, money.ErrRatePrecision) && (err != nil || x >= money.RateScale) && plausibleRate(shiftPoint(fixed, -2)):
		// A rate of 1 (100 % a year) or more is a percentage typed
		// where the fraction belongs.
		return fmt.Sprintf("%s is above 0.36 (36 %% a year): a rate is a decimal fraction, so %s %% is written %s",
			quote(v), fixed, shiftPoint(fixed, -2))
	case isDecimal(fixed) && !errors.Is(err, money.ErrRatePrecision):
		return fmt.Sprintf("%s is above 0.36 (36 %% a year), the most a court supports: check the rate; %s", quote(v), rateForm)
	case errors.Is(err, money.ErrRatePrecision):
		return explain(v, problems, fixed, false, "has more than 10 decimal places", rateForm)
	}
	return explain(v, problems, fixed, false, "is not a number"+inputtext.InBrackets(inputtext.FirstBad(fixed, "0123456789.")), rateForm)
}

// termUnits are the words exports put after the number of months; a
// number of years (年) is converted.
var termUnits = []struct {
	suffix string
	months int
}{{"个月", 1}, {"月", 1}, {"期", 1}, {"months", 1}, {"month", 1}, {"m", 1}, {"M", 1}, {"年", 12}, {"years", 12}, {"year", 12}}

// badTerm explains why v is not a term of 1 to 480 whole months.
func badTerm(v string) string {
	problems, fixed := fix(v, []repair{fullWidth})
	for _, u := range termUnits {
		if n, ok := strings.CutSuffix(fixed, u.suffix); ok && inputtext.AllDigits(strings.TrimSpace(n)) && strings.TrimSpace(n) != "" {
			n = strings.TrimSpace(n)
			problems = append(problems, "a unit")
			fixed = strconv.Itoa(atoiCapped(n) * u.months)
			break
		}
	}
	if whole, frac, ok := strings.Cut(fixed, "."); ok && inputtext.AllDigits(whole) && whole != "" && strings.Trim(frac, "0") == "" {
		problems = append(problems, "decimals")
		fixed = whole
	}
	why := "is not a whole number of months"
	ok := false
	if inputtext.AllDigits(fixed) && fixed != "" {
		switch n := atoiCapped(fixed); {
		case n < minTerm:
			why = "is 0 months"
		case n > maxTerm:
			why = "is more than 480 months (40 years)"
		default:
			ok = true
		}
	}
	return explain(v, problems, strings.TrimLeft(fixed, "0"), ok, why, termForm)
}

// atoiCapped is atoi for digits of any length, saturating far above any
// limit it is compared with.
func atoiCapped(s string) int {
	s = strings.TrimLeft(s, "0")
	if len(s) > 9 {
		return 1 << 40
	}
	return inputtext.Atoi(s)
}

// badDate explains why v is not a YYYY-MM-DD date, and gives the date to
// write when the value is one in another common form.
func badDate(v string) string {
	problems, fixed := fix(v, []repair{fullWidth})
	if d, form, ok := otherDateForm(fixed); ok {
		if len(problems) > 0 {
			form = "has " + strings.Join(problems, " and ") + " and " + form
		}
		return fmt.Sprintf("%s %s: write %s", quote(v), form, d)
	}
	if len(fixed) == 10 && fixed[4] == '-' && fixed[7] == '-' && inputtext.AllDigits(fixed[:4]+fixed[5:7]+fixed[8:]) {
		y, m, d := inputtext.Atoi(fixed[:4]), inputtext.Atoi(fixed[5:7]), inputtext.Atoi(fixed[8:])
		switch {
		case m < 1 || m > 12:
			return fmt.Sprintf("%s has month %d, and there is no such month; %s", quote(v), m, dateForm)
		case d < 1 || d > civil.DaysIn(y, time.Month(m)):
			return fmt.Sprintf("%s is not a day of the calendar: %s %d has %d days; %s", quote(v), time.Month(m), y, civil.DaysIn(y, time.Month(m)), dateForm)
		case y < 1900:
			return fmt.Sprintf("%s is before 1900: check the year; %s", quote(v), dateForm)
		}
		if len(problems) > 0 {
			return explain(v, problems, fixed, true, "", dateForm)
		}
	}
	if yearLast(fixed) {
		return fmt.Sprintf("%s has the year last; %s (year first)", quote(v), dateForm)
	}
	return explain(v, problems, fixed, false, "is not a date", dateForm)
}

// otherDateForm recognises a date written in a form other than
// YYYY-MM-DD that still says which day it is, and returns the day and
// what is wrong with the form.
func otherDateForm(s string) (string, string, bool) {
	// A date and time, as Excel and databases export a date column.
	if len(s) > 10 && (s[10] == ' ' || s[10] == 'T') {
		if d, err := civil.Parse(s[:10]); err == nil {
			return d.String(), "has a time of day", true
		}
	}
	// An Excel serial day number: the column was not formatted as a
	// date. 20000 to 99999 covers 1954 to 2173.
	if len(s) == 5 && inputtext.AllDigits(s) && s[0] >= '2' {
		excelEpoch := civil.New(1899, time.December, 30)
		return excelEpoch.AddDays(inputtext.Atoi(s)).String(), "is an Excel day number, not a date (format the column as a date before saving)", true
	}
	if len(s) == 8 && inputtext.AllDigits(s) {
		if d, ok := ymd(s[:4], s[4:6], s[6:]); ok {
			return d, "has no separators", true
		}
	}
	// 2024/3/15, 2024.03.15, 2024-3-5, 2024年3月15日.
	t := strings.TrimSuffix(s, "日")
	t = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(t)
	if parts := strings.Split(t, "-"); len(parts) == 3 && len(parts[0]) == 4 && t != s {
		if d, ok := ymd(parts[0], parts[1], parts[2]); ok {
			return d, "has other separators", true
		}
	}
	if parts := strings.Split(s, "-"); len(parts) == 3 && len(parts[0]) == 4 && (len(parts[1]) == 1 || len(parts[2]) == 1) {
		if d, ok := ymd(parts[0], parts[1], parts[2]); ok {
			return d, "has a one-digit month or day", true
		}
	}
	return "", "", false
}

// ymd validates a year, month and day given as digits and formats them.
func ymd(y, m, d string) (string, bool) {
	if len(y) != 4 || len(m) < 1 || len(m) > 2 || len(d) < 1 || len(d) > 2 || !inputtext.AllDigits(y+m+d) {
		return "", false
	}
	yy, mm, dd := inputtext.Atoi(y), inputtext.Atoi(m), inputtext.Atoi(d)
	if yy < 1900 || mm < 1 || mm > 12 || dd < 1 || dd > civil.DaysIn(yy, time.Month(mm)) {
		return "", false
	}
	return civil.New(yy, time.Month(mm), dd).String(), true
}

// yearLast reports a date written day or month first (15/03/2024,
// 03-15-2024): which one comes first cannot be told in general, so no
// correction is offered.
func yearLast(s string) bool {
	s = strings.NewReplacer("/", "-", ".", "-").Replace(s)
	parts := strings.Split(s, "-")
	return len(parts) == 3 && len(parts[2]) == 4 && inputtext.AllDigits(parts[0]+parts[1]+parts[2]) &&
		len(parts[0]) <= 2 && len(parts[1]) <= 2 && parts[0] != "" && parts[1] != ""
}

// badCode explains why v is not a code of A-Z a-z 0-9 _ - . (loan
// number, product code).
func badCode(v string) string {
	if n := utf8.RuneCountInString(v); n > maxIDLen {
		return fmt.Sprintf("%s is longer than %d characters (it has %d); %s", quote(v), maxIDLen, n, codeForm)
	}
	if w, ok := inputtext.FoldWidth(v); ok && isCode(w) {
		return fmt.Sprintf("%s has full-width characters: write %s", quote(v), w)
	}
	return fmt.Sprintf("%s has %s; %s", quote(v), inputtext.FirstBad(v, codeChars), codeForm)
}

const codeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."

// codeByte is codeChars as a table: every payment row's loan_id goes
// through isCode, so it is one lookup per byte.
var codeByte = func() (t [256]bool) {
	for i := 0; i < len(codeChars); i++ {
		t[codeChars[i]] = true
	}
	return t
}()

// isCode reports whether s is a code: 1 to 64 of codeChars.
func isCode(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !codeByte[s[i]] {
			return false
		}
	}
	return true
}

// badPhone explains why v is not a mainland mobile number, without
// quoting it: a phone number is personal data.
func badPhone(v string) string {
	if w, ok := inputtext.FoldWidth(v); ok {
		v = w
		if isMobile(w) {
			return "has full-width digits: write it in ASCII digits"
		}
	}
	digits := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" -()", r) {
			return -1
		}
		return r
	}, v)
	switch {
	case digits != v && isMobile(digits):
		return "has spaces, hyphens or brackets: write the 11 digits only"
	case !inputtext.AllDigits(digits):
		return "has " + inputtext.FirstBad(digits, "0123456789") + "; " + phoneForm
	case len(digits) == 1:
		return "has 1 digit; " + phoneForm
	case len(digits) != 11:
		return fmt.Sprintf("has %d digits; %s", len(digits), phoneForm)
	case digits[0] == '0':
		return "starts with 0, as a landline number does; " + phoneForm
	}
	return fmt.Sprintf("starts with %s; %s", digits[:2], phoneForm)
}

// badIDForm explains an identity number that is not 17 digits and a
// check character, without quoting it: it is personal data.
func badIDForm(v string) string {
	rs := []rune(v)
	switch {
	case len(rs) != 18:
		return fmt.Sprintf("has %d characters; %s", len(rs), idForm)
	case !inputtext.AllDigits(string(rs[:17])):
		return "has " + inputtext.FirstBad(string(rs[:17]), "0123456789") + " among the first 17, which must be digits; " + idForm
	}
	return fmt.Sprintf("ends with %s, but the check digit is 0-9 or X; %s", inputtext.DescribeRune(rs[17]), idForm)
}

func isMobile(s string) bool {
	return len(s) == 11 && inputtext.AllDigits(s) && s[0] == '1' && s[1] >= '3'
}

// badText names the first character of a free-text value that is not
// allowed: a control character (a line break in a quoted field, a NUL),
// an invisible formatting character, which would make two values that
// look the same differ, or U+FFFD, the mark of text already damaged by a
// wrong conversion. It returns "" if there is none.
func badText(v string) string {
	n := 0
	for _, r := range v {
		n++
		switch {
		case r == utf8.RuneError:
			return fmt.Sprintf("has U+FFFD (�) at character %d, which stands for a character that could not be read "+
				"(lost in a conversion between encodings, or cut off): export the file again from the source system", n)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("has %s at character %d: remove it", inputtext.DescribeRune(r), n)
		}
	}
	return ""
}
