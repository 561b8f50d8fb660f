// Package inputtext holds what the import parsers and the data-source
// adapters both check of a field's text — digits, a resident ID number's
// check digit, full-width characters — and how they name what is wrong.
package inputtext

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FirstBad names the first character of v not in allowed, with its
// position, or returns "".
func FirstBad(v, allowed string) string {
	n := 0
	for _, r := range v {
		n++
		if !strings.ContainsRune(allowed, r) {
			return fmt.Sprintf("%s at character %d", DescribeRune(r), n)
		}
	}
	return ""
}

// InBrackets returns " (s)", or "" for an empty s.
func InBrackets(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// FoldWidth maps the full-width forms of ASCII (what a Chinese input
// method types in full-width mode) and the ideographic space to ASCII,
// and reports whether anything changed.
func FoldWidth(s string) (string, bool) {
	changed := false
	folded := strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			changed = true
			return r - 0xFEE0
		case r == 0x3000:
			changed = true
			return ' '
		}
		return r
	}, s)
	return folded, changed
}

func AllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Atoi converts a short run of digits already checked by allDigits.
func Atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// IDCheckDigit computes the ISO 7064 MOD 11-2 check character of the
// first 17 digits of a resident identity number.
func IDCheckDigit(d17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d17[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// DescribeRune names a character that does not belong where it is, in
// words an operator can act on.
func DescribeRune(r rune) string {
	switch {
	case r == '\t':
		return "a tab"
	case r == '\n' || r == '\r':
		return "a line break"
	case r == 0:
		return "a NUL byte"
	case r == ' ':
		return "a space"
	case r == utf8.RuneError:
		return "U+FFFD (�)"
	case r >= 0xFF01 && r <= 0xFF5E, r == 0x3000:
		return "the full-width " + strconv.QuoteRune(r)
	case unicode.Is(unicode.Cf, r):
		return "the invisible " + invisibleName(r)
	case unicode.IsControl(r):
		return fmt.Sprintf("the control character U+%04X", r)
	case unicode.IsSpace(r):
		return fmt.Sprintf("a special space (U+%04X)", r)
	}
	return strconv.QuoteRune(r)
}

// invisibleName names the formatting characters (Unicode category Cf)
// that reach files through copy and paste: they show as nothing, so two
// references that look the same can differ.
func invisibleName(r rune) string {
	var name string
	switch {
	case r == 0xFEFF:
		name = "byte-order mark"
	case r == 0x200B:
		name = "zero-width space"
	case r == 0x200C || r == 0x200D:
		name = "zero-width joiner"
	case r == 0x200E || r == 0x200F || r == 0x061C:
		name = "direction mark"
	case 0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069:
		name = "direction override"
	case r == 0x00AD:
		name = "soft hyphen"
	case r == 0x2060:
		name = "word joiner"
	default:
		name = "formatting character"
	}
	return fmt.Sprintf("%s (U+%04X)", name, r)
}

// Clip shortens s, a value quoted in a message, to at most n bytes and an
// ellipsis, cut at a character's start: a byte cut inside 张 would leave
// text that is not UTF-8, which JSON and terminals show as �.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
