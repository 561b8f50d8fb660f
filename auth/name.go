package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"daihou"
)

// MaxNameLen is the longest user or token name, in bytes (names are ASCII).
const MaxNameLen = 64

// ErrInvalidName is returned (inside a daihou.Error with code EINVALID) by
// NormalizeName for a name that cannot be a user's or a token's.
var ErrInvalidName = errors.New("invalid user name")

// reservedNames would read like a system actor in a maker or officer
// column, where only the bare name is kept.
var reservedNames = []string{"local", "system"}

// NormalizeName returns the canonical form of a user or token name, so that
// "Alice", " alice " and "ALICE" are one person in every comparison, key
// and audit entry.
//
// A name is 1 to 64 ASCII letters, digits, '.', '_' and '-', starting with
// a letter or a digit (e.g. li.si, zhang_san, risk-01). Surrounding white
// space (including the full-width space U+3000) is dropped and letters are
// lower-cased. Non-ASCII is refused rather than folded: Unicode case folding
// and look-alike letters (Cyrillic а, the Kelvin sign K, full-width ａ) would
// let two different strings be one name to one component and two to
// another. A person's Chinese name belongs in the user's display name, not
// in the login.
func NormalizeName(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", invalidName(s, "it is empty")
	}
	for i, r := range t {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r == '.' || r == '_' || r == '-':
			if i == 0 {
				return "", invalidName(s, fmt.Sprintf("it starts with %q; start with a letter or a digit", r))
			}
		case r >= utf8.RuneSelf:
			return "", invalidName(s, fmt.Sprintf("%q is not an ASCII letter; use letters a-z, digits, '.', '_' or '-' (a Chinese name goes in the display name)", r))
		default:
			return "", invalidName(s, fmt.Sprintf("%q is not allowed; use letters a-z, digits, '.', '_' or '-'", r))
		}
	}
	if len(t) > MaxNameLen {
		return "", invalidName(s, fmt.Sprintf("it is %d characters long, at most %d are allowed", len(t), MaxNameLen))
	}
	n := strings.ToLower(t)
	for _, r := range reservedNames {
		if n == r {
			return "", invalidName(s, "it is reserved for system actors")
		}
	}
	return n, nil
}

func invalidName(s, why string) error {
	return daihou.Errorf(daihou.EINVALID, "%w %s: %s", ErrInvalidName, quoteShort(s), why)
}

// quoteShort quotes s for a message, cut to a readable length: a name
// field may receive anything, up to a pasted document.
func quoteShort(s string) string {
	const max = 80
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", s[:cut])
}
