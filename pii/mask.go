package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask returns value as field is shown masked: MaskName, MaskIDNumber,
// MaskPhone or MaskAddress for the known fields, and one '*' per character
// for any other, since nothing is known of what in it is safe to show.
// Masking minimises (《个人信息保护法》 art. 6): each shows what a person
// needs to tell borrowers apart on a screen, and no more.
func Mask(f Field, value string) string {
	switch f {
	case Name:
		return MaskName(value)
	case IDNumber:
		return MaskIDNumber(value)
	case Phone:
		return MaskPhone(value)
	case Address:
		return MaskAddress(value)
	}
	return stars(utf8.RuneCountInString(strings.TrimSpace(value)))
}

func stars(n int) string { return strings.Repeat("*", n) }

// MaskIDNumber masks an identity number, keeping its length:
//
//   - an 18-character 身份证号 (17 digits and a check digit or X) keeps its
//     first 3 and last 4: 110***********1234 — the first 3 say the
//     province and city of issue, the last 4 are what people read back to
//     each other;
//   - a 15-digit 身份证号 (issued before 1999) keeps its first 3 and last 3;
//   - any other number (passport, 港澳台 permit, foreign ID) keeps at most
//     its last quarter, up to 4 characters, and nothing at the start, since
//     its structure is unknown: E12345678 → *******78.
//
// Spaces and full-width characters are normalised first; an x check digit
// is shown as X.
func MaskIDNumber(value string) string {
	s := Normalize(IDNumber, value)
	r := []rune(s)
	n := len(r)
	switch {
	case n == 18 && allDigits(r[:17]) && (isDigit(r[17]) || r[17] == 'X'):
		return string(r[:3]) + stars(11) + string(r[14:])
	case n == 15 && allDigits(r):
		return string(r[:3]) + stars(9) + string(r[12:])
	}
	keep := min(4, n/4)
	return stars(n-keep) + string(r[n-keep:])
}

// MaskPhone masks a phone number:
//
//   - an 11-digit mainland mobile number keeps its first 3 digits (the
//     carrier's prefix) and last 4: 138****5678, with +86 in front when it
//     was written with the country code;
//   - any other number of 7 digits or more keeps its last 4, and one of 5
//     or 6 digits its last 2; shorter ones are masked whole. A leading +
//     is kept; spaces, dashes and brackets are dropped.
//
// Text without any digit is masked whole, one '*' per character.
func MaskPhone(value string) string {
	s := strings.TrimSpace(foldWidth(value))
	c, cc := canonPhone(s)
	if c == "" {
		return stars(utf8.RuneCountInString(s))
	}
	if isMainlandMobile(c) {
		out := c[:3] + "****" + c[7:]
		if cc {
			out = "+86 " + out
		}
		return out
	}
	plus, d := "", c
	if c[0] == '+' {
		plus, d = "+", c[1:]
	}
	keep := 0
	switch n := len(d); {
	case n >= 7:
		keep = 4
	case n >= 5:
		keep = 2
	}
	return plus + stars(len(d)-keep) + d[len(d)-keep:]
}

// compoundSurnames are the two-character surnames (复姓) common enough to
// recognise, so that 欧阳娜 shows as 欧阳* and not 欧**.
var compoundSurnames = []string{
	"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
	"宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "申屠",
	"太史", "百里", "呼延", "钟离", "澹台", "公冶", "赫连", "闻人", "濮阳", "淳于",
	"单于", "万俟", "司空", "东郭", "拓跋", "完颜", "第五", "左丘", "谷梁", "段干",
}

// MaskName masks a person's name, keeping its shape:
//
//   - a Chinese name keeps its surname's first character and masks the
//     rest, one '*' each: 张* (张三), 张** (张三丰); a compound surname (复姓)
//     or a name of four characters or more keeps two: 欧阳*, 欧阳**;
//   - a name of several parts — Latin (John Smith), or joined by a middle
//     dot as minority and foreign names are in Chinese (阿卜杜拉·买买提) —
//     keeps the first letter of each part: J*** S****, 阿***·买**. A later
//     part of one Chinese character is masked whole, so that 张 三 typed
//     with a space does not show the whole name;
//   - a name of one character is masked whole.
func MaskName(value string) string {
	s := strings.TrimSpace(foldWidth(value))
	r := []rune(s)
	if len(r) <= 1 {
		return stars(len(r))
	}
	if allHan(r) {
		keep := 1
		if len(r) >= 4 || (len(r) >= 3 && hasCompoundSurname(s)) {
			keep = 2
		}
		return string(r[:keep]) + stars(len(r)-keep)
	}
	if m := maskParts(r, true); m != s {
		return m
	}
	// Only initials (A. B.): nothing was hidden, so keep the first alone.
	if m := maskParts(r, false); m != s {
		return m
	}
	// One letter and separators (A.): hide the letter; a value that
	// begins with a star already would show whole, so hide it all.
	if m := "*" + string(r[1:]); m != s {
		return m
	}
	return stars(len(r))
}

// maskParts keeps the first letter of each part of a name, or with
// initials false only the first letter of the first part. A later part of
// one Chinese character is masked whole.
func maskParts(r []rune, initials bool) string {
	var b strings.Builder
	start := true // at the start of a part
	part := 0
	for i, c := range r {
		switch {
		case isNameSeparator(c):
			b.WriteRune(c)
			start = true
		case start:
			start = false
			part++
			single := i+1 == len(r) || isNameSeparator(r[i+1])
			if part == 1 || (initials && !(single && unicode.Is(unicode.Han, c))) {
				b.WriteRune(c)
			} else {
				b.WriteByte('*')
			}
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}

func isNameSeparator(r rune) bool {
	return unicode.IsSpace(r) || isNameDot(r) || r == '-' || r == '.' || r == '\''
}

func hasCompoundSurname(s string) bool {
	for _, c := range compoundSurnames {
		if strings.HasPrefix(s, c) {
			return true
		}
	}
	return false
}

// Markers of China's administrative divisions in an address: the end of a
// province-level unit, and the end of a prefecture-level one.
var (
	provinceEnds = []string{"特别行政区", "自治区", "省"}
	cityEnds     = []string{"市", "自治州", "州", "地区", "盟"}
)

// addressMask replaces the masked part of an address: a fixed width, since
// the length of a street address says something about it.
const addressMask = "****"

// MaskAddress keeps an address's province and city and masks the rest:
// 广东省深圳市南山区科技园路1号 → 广东省深圳市****, 北京市朝阳区建国路88号 →
// 北京市****, 新疆维吾尔自治区乌鲁木齐市… → 新疆维吾尔自治区乌鲁木齐市****. A
// city written without its province (深圳市…) keeps the city; a province
// without a recognisable city keeps the province. An address in another
// form (a Latin one) keeps the part after its last comma, usually the city
// or the country (221B Baker Street, London → ****, London). An address
// with nothing recognisable is masked whole.
func MaskAddress(value string) string {
	s := collapseSpace(strings.TrimSpace(foldWidth(value)))
	if s == "" {
		return ""
	}
	if c, _ := utf8.DecodeRuneInString(s); unicode.Is(unicode.Han, c) {
		s = strings.ReplaceAll(s, " ", "") // 广东省 深圳市 南山区 …
	}
	r := []rune(s)
	keep := 0
	if p := findEnd(r, 0, 10, provinceEnds); p > 0 {
		keep = p
	}
	if c := findEnd(r, keep, 12, cityEnds); c > 0 {
		keep = c
	}
	switch {
	case keep == len(r):
		return s
	case keep > 0:
		return string(r[:keep]) + addressMask
	}
	if i := strings.LastIndexAny(s, ",，"); i >= 0 {
		_, w := utf8.DecodeRuneInString(s[i:])
		if tail := strings.TrimSpace(s[i+w:]); tail != "" {
			return addressMask + ", " + tail
		}
	}
	return addressMask
}

// findEnd returns the index just past the earliest of the markers that
// ends within limit runes after from, where the unit before it has at
// least two characters (a unit name is never one: 市场 does not end a
// city); 0 if none does. Markers are tried in order, so that 市 wins over
// 州 in 广州市.
func findEnd(r []rune, from, limit int, markers []string) int {
	hi := min(len(r), from+limit)
	for _, m := range markers {
		mr := []rune(m)
		for i := from + 2; i+len(mr) <= hi; i++ {
			if string(r[i:i+len(mr)]) == m && allHan(r[from:i]) {
				return i + len(mr)
			}
		}
	}
	return 0
}

func allHan(r []rune) bool {
	for _, c := range r {
		if !unicode.Is(unicode.Han, c) {
			return false
		}
	}
	return len(r) > 0
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func allDigits(r []rune) bool {
	for _, c := range r {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
