package imports

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonKind is the type of a JSON value.
type jsonKind uint8

const (
	jsonNull jsonKind = iota + 1
	jsonString
	jsonNumber
	jsonBool
	jsonObject
	jsonArray
)

func (k jsonKind) String() string {
	switch k {
	case jsonNull:
		return "null"
	case jsonString:
		return "a string"
	case jsonNumber:
		return "a number"
	case jsonBool:
		return "a boolean"
	case jsonObject:
		return "an object"
	case jsonArray:
		return "an array"
	}
	return "a value"
}

// maxJSONDepth stops a line of ten thousand '[' from recursing ten
// thousand deep; no import row nests at all.
const maxJSONDepth = 32

// jsonError is a line that is not valid JSON (syntax) or that nests too
// deeply (not a syntax error: such a line is rejected, but it does not
// make the file look truncated).
type jsonError struct {
	msg    string
	off    int // byte offset in the line
	syntax bool
}

// jsonScanner reads one line of JSON. It is written here rather than
// taken from encoding/json because an import needs the literal text of
// numbers (an amount must never pass through float64), must see duplicate
// keys (encoding/json silently keeps the last), and runs on the bulk path,
// where decoding into a map per line would cost a dozen allocations.
// Strings without escapes are returned as substrings of the line.
type jsonScanner struct {
	s   string
	i   int
	err *jsonError
}

func (p *jsonScanner) fail(msg string) {
	if p.err == nil {
		p.err = &jsonError{msg: msg, off: p.i, syntax: true}
	}
}

func (p *jsonScanner) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// unexpected reports the byte at the current position, or the end.
func (p *jsonScanner) unexpected(want string) {
	if p.i >= len(p.s) {
		p.fail("unexpected end of line, want " + want)
		return
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	p.fail("unexpected " + strconv.QuoteRune(r) + ", want " + want)
}

// object scans a line holding one object and calls member for each key and
// value, in order. It returns false if the line is not a single object;
// then p.err says why, or p.err is nil and kind is the top-level value's
// type when the line is valid JSON but not an object.
func (p *jsonScanner) object(member func(key string, kind jsonKind, val string)) (top jsonKind, ok bool) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		k, _ := p.value(0)
		if p.err == nil {
			p.end()
		}
		return k, false
	}
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.end()
		return jsonObject, p.err == nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			p.unexpected("a string key")
			return 0, false
		}
		key := p.str()
		if p.err != nil {
			return 0, false
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			p.unexpected("':' after the key")
			return 0, false
		}
		p.i++
		p.ws()
		k, v := p.value(1)
		if p.err != nil {
			return 0, false
		}
		member(key, k, v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			break
		}
		p.unexpected("',' or '}'")
		return 0, false
	}
	p.end()
	return jsonObject, p.err == nil
}

// end requires that nothing but white space follows the value.
func (p *jsonScanner) end() {
	p.ws()
	if p.i < len(p.s) {
		p.unexpected("the end of the line after the value")
	}
}

// value scans any JSON value and returns its kind and, except for
// literals, its text: decoded for strings, literal for numbers, objects
// and arrays (a trailer's object is scanned again on its own).
func (p *jsonScanner) value(depth int) (jsonKind, string) {
	if p.i >= len(p.s) {
		p.unexpected("a value")
		return 0, ""
	}
	switch c := p.s[p.i]; {
	case c == '"':
		return jsonString, p.str()
	case c == '-' || '0' <= c && c <= '9':
		return jsonNumber, p.num()
	case c == 't':
		p.literal("true")
		return jsonBool, ""
	case c == 'f':
		p.literal("false")
		return jsonBool, ""
	case c == 'n':
		p.literal("null")
		return jsonNull, ""
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			if p.err == nil {
				p.err = &jsonError{msg: "nested too deeply", off: p.i}
			}
			return 0, ""
		}
		start := p.i
		if c == '{' {
			p.compound(depth, '}', true)
			return jsonObject, p.s[start:p.i]
		}
		p.compound(depth, ']', false)
		return jsonArray, p.s[start:p.i]
	}
	p.unexpected("a value")
	return 0, ""
}

// compound skips a nested object or array; rows never hold one, but the
// row's reason should say "must be a string, not an object" rather than
// "not valid JSON".
func (p *jsonScanner) compound(depth int, closer byte, keyed bool) {
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == closer {
		p.i++
		return
	}
	for {
		p.ws()
		if keyed {
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				p.unexpected("a string key")
				return
			}
			p.str()
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				p.unexpected("':' after the key")
				return
			}
			p.i++
			p.ws()
		}
		p.value(depth + 1)
		if p.err != nil {
			return
		}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == closer {
			p.i++
			return
		}
		p.unexpected("',' or '" + string(closer) + "'")
		return
	}
}

func (p *jsonScanner) literal(word string) {
	if len(p.s)-p.i >= len(word) && p.s[p.i:p.i+len(word)] == word {
		p.i += len(word)
		return
	}
	p.unexpected("a value")
}

// num scans a number and returns its literal text, so that "10.005" is
// seen as three decimals and not as the float nearest to it.
func (p *jsonScanner) num() string {
	s, start := p.s, p.i
	i := p.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	default:
		p.i = i
		p.unexpected("a digit")
		return ""
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			p.unexpected("a digit after the decimal point")
			return ""
		}
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			p.unexpected("a digit in the exponent")
			return ""
		}
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
	}
	p.i = i
	return s[start:i]
}

// str scans a string starting at the opening quote and returns its value.
func (p *jsonScanner) str() string {
	s := p.s
	start := p.i + 1
	i := start
	escaped := false
	for {
		if i >= len(s) {
			p.i = i
			p.fail("unterminated string")
			return ""
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			if !escaped {
				return s[start:i]
			}
			return unescape(s[start:i])
		case c == '\\':
			escaped = true
			if i+1 >= len(s) {
				p.i = i + 1
				p.fail("unterminated string")
				return ""
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					p.i = i
					p.fail(`invalid \u escape in string`)
					return ""
				}
				i += 6
			default:
				p.i = i
				p.fail("invalid escape " + strconv.Quote(s[i:i+2]) + " in string")
				return ""
			}
		case c < 0x20:
			p.i = i
			p.fail("control character in a string")
			return ""
		default:
			i++
		}
	}
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

func hex4(s string) rune {
	return hexVal(s[0])<<12 | hexVal(s[1])<<8 | hexVal(s[2])<<4 | hexVal(s[3])
}

// unescape decodes the escapes of a string already validated by str. A
// lone UTF-16 surrogate becomes U+FFFD, as encoding/json decodes it.
func unescape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch s[i+1] {
		case '"', '\\', '/':
			b = append(b, s[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hex4(s[i+2:i+6])); r2 != utf8.RuneError {
						r = r2
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
			continue
		}
		i += 2
	}
	return string(b)
}
