package pii

import (
	"strings"
	"unicode"
)

// Field names a kind of personal data and the column it is stored in. Its
// name is the associated data of every value sealed for it, so it must
// never change once data is stored: a new column is a new Field.
type Field string

// The fields daihou keeps. A Field outside these is sealed and searched
// alike, and always masked whole.
const (
	Name     Field = "name"      // 姓名
	IDNumber Field = "id_number" // 身份证号 or another identity document's number
	Phone    Field = "phone"     // 手机号 or another phone number
	Address  Field = "address"   // 地址
)

// valid reports whether f can name a field: 1 to 64 of a-z, 0-9, '_', '.'.
func (f Field) valid() bool {
	if len(f) == 0 || len(f) > 64 {
		return false
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Normalize returns the form of value that Search hashes, so that the ways
// one value is typed find each other:
//
//   - every field: full-width letters, digits and signs (as a Chinese input
//     method types them) become ASCII, and surrounding space is dropped;
//   - IDNumber: spaces and '-' dropped, letters upper-cased (the check
//     digit x is X);
//   - Phone: digits only, without a leading +86, 0086 or 86 before an
//     11-digit mobile number, and with a + before any other country code;
//   - Name: runs of space become one space, Latin letters are lower-cased,
//     and the middle dots of minority and foreign names (· • ・ ‧) are all
//     U+00B7;
//   - Address and any other field: runs of space become one space.
func Normalize(f Field, value string) string {
	s := strings.TrimSpace(foldWidth(value))
	switch f {
	case IDNumber:
		s = strings.ToUpper(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '-' {
				return -1
			}
			return r
		}, s))
	case Phone:
		s, _ = canonPhone(s)
	case Name:
		s = strings.ToLower(collapseSpace(strings.Map(func(r rune) rune {
			if isNameDot(r) {
				return '·'
			}
			return r
		}, s)))
	default:
		s = collapseSpace(s)
	}
	return s
}

// foldWidth maps the full-width forms U+FF01–U+FF5E to ASCII and the
// ideographic space U+3000 to a space.
func foldWidth(s string) string {
	wide := false
	for _, r := range s {
		if r == '\u3000' || ('\uFF01' <= r && r <= '\uFF5E') {
			wide = true
			break
		}
	}
	if !wide {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case '\uFF01' <= r && r <= '\uFF5E':
			return r - 0xFF01 + '!'
		}
		return r
	}, s)
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// canonPhone returns a phone number as digits, and whether a country code
// 86 was dropped from it. A mainland mobile number loses its country code
// however it was written (+86 138…, 0086 138…, 86138…); any other number
// written with a country code (+1 415…, 00852 9123…) is +digits, so that it
// never equals a mainland number with the same digits.
func canonPhone(s string) (string, bool) {
	d := digits(s)
	intl := strings.HasPrefix(s, "+")
	if !intl && strings.HasPrefix(d, "00") {
		d, intl = d[2:], true
	}
	if rest, ok := strings.CutPrefix(d, "86"); ok && isMainlandMobile(rest) {
		return rest, true
	}
	if intl && d != "" {
		return "+" + d, false
	}
	return d, false
}

// isMainlandMobile reports whether d is 11 digits starting 13–19, the form
// of every mainland mobile number.
func isMainlandMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

func isNameDot(r rune) bool {
	return r == '·' || r == '•' || r == '・' || r == '\u2027'
}
