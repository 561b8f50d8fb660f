package imports

import (
	"daihou/inputtext"
	"fmt"
	"strings"
	"unicode/utf8"

	"daihou/money"
)

// A trailer (控制记录, the control record of a batch file) is an optional
// last record in which the sender states how many data rows the file holds
// and, for payments, what their amounts add up to. A file cut off at a
// line boundary loses its trailer, or its rows no longer add up to it;
// two files joined together have a trailer in the middle. Either way the
// file is refused whole, since which rows are missing cannot be told.

// trailerMark is the first field of a CSV trailer record. No data row
// can start with it: '#' is not allowed in a loan number.
const trailerMark = "#trailer"

// trailerKey is the one key of a JSON Lines trailer object.
const trailerKey = "trailer"

// maxTrailerRowsDigits bounds a trailer's row count to what an int holds on
// every platform; no file comes near it.
const maxTrailerRowsDigits = 9

// trailer is a control record as the file states it.
type trailer struct {
	line     int
	rows     int
	total    money.Amount
	hasTotal bool
}

// trailerItems collects a trailer's items, whichever syntax they come in,
// and checks them against what the file type's trailer holds: rows
// always; total, the sum of the schema's total column, when the schema
// requires it (payments) or when given (loans, where it is the sum of
// principal).
type trailerItems struct {
	s        *schema
	t        trailer
	rowsSeen bool
	totSeen  bool
	problems []string
}

func (b *trailerItems) problem(format string, args ...any) {
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

func (b *trailerItems) add(name, value string) {
	value = strings.TrimSpace(value)
	switch name {
	case "rows":
		if b.rowsSeen {
			b.problem("rows is given twice")
			return
		}
		b.rowsSeen = true
		if value == "" || !inputtext.AllDigits(value) || len(strings.TrimLeft(value, "0")) > maxTrailerRowsDigits {
			b.problem("rows %s is not a count: want the number of data rows in digits, e.g. 1234", quote(value))
			return
		}
		b.t.rows = inputtext.Atoi(value)
	case "total":
		if b.s.totalCol == noTotal {
			b.problem("total is not an item of a %s trailer, which states rows only", b.s.what)
			return
		}
		if b.totSeen {
			b.problem("total is given twice")
			return
		}
		b.totSeen = true
		a, err := money.ParseAmount(value)
		if err != nil {
			b.problem("total %s", badAmount(value))
			return
		}
		b.t.total, b.t.hasTotal = a, true
	default:
		b.problem("%s is not a trailer item: a trailer states rows and total", quote(name))
	}
}

// done returns the trailer, or everything wrong with it.
func (b *trailerItems) done(line int) (trailer, string) {
	if !b.rowsSeen {
		b.problem("rows is missing")
	}
	if b.s.totalRequired && !b.totSeen {
		b.problem("total is missing: a %s trailer states the sum of the %s column", b.s.what, b.s.names[b.s.totalCol])
	}
	if len(b.problems) > 0 {
		return trailer{}, strings.Join(b.problems, "; ")
	}
	b.t.line = line
	return b.t, ""
}

// isTrailerMark reports whether a CSV record's first field marks it as
// the trailer, in any case: no loan number starts with '#', so #TRAILER
// is a trailer written in capitals, not a data row.
func isTrailerMark(field string) bool {
	// Every data row comes through here, so the first byte that is not
	// a space decides, for all but lines that start with '#' or with
	// white space beyond ASCII.
	i := 0
	for i < len(field) && (field[i] == ' ' || field[i] == '\t') {
		i++
	}
	if i == len(field) || field[i] != '#' && field[i] < utf8.RuneSelf {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(field), trailerMark)
}

// csvTrailer reads a CSV trailer record: the mark, then name=value items
// in any order (#trailer,rows=1234,total=567890.12). Empty fields, which
// Excel adds to pad a row to the header's width, are ignored.
func (s *schema) csvTrailer(fields []string, line int) (trailer, string) {
	b := trailerItems{s: s}
	for _, f := range fields[1:] {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, value, ok := strings.Cut(f, "=")
		if !ok {
			b.problem("%s is not name=value", quote(f))
			continue
		}
		b.add(strings.TrimSpace(name), value)
	}
	return b.done(line)
}

// jsonTrailer reads the value of a JSON Lines trailer's key: an object
// whose rows is a number (or a string of digits) and whose total is a
// string or a number, read from its literal text as amounts are
// ({"trailer":{"rows":1234,"total":"567890.12"}}). raw is the object's
// text, already scanned as valid JSON.
func (s *schema) jsonTrailer(k jsonKind, raw string, line int) (trailer, string) {
	b := trailerItems{s: s}
	if k != jsonObject {
		b.problem("the %q key holds %s, not an object", trailerKey, k)
		return trailer{}, strings.Join(b.problems, "; ")
	}
	sc := jsonScanner{s: raw}
	sc.object(func(key string, k jsonKind, v string) {
		switch {
		case key != "rows" && key != "total":
			b.add(key, "")
		case k == jsonNumber || k == jsonString:
			b.add(key, v)
		default:
			b.problem("%s holds %s, not a number or a string", key, k)
		}
	})
	return b.done(line)
}

// startsAsTrailer reports whether a line that is not valid JSON began as
// a trailer object ({"trailer": …): such a line is a broken trailer, not a
// broken data row.
func startsAsTrailer(s string) bool {
	s = strings.TrimLeft(s, " \t")
	s, ok := strings.CutPrefix(s, "{")
	if !ok {
		return false
	}
	s, ok = strings.CutPrefix(strings.TrimLeft(s, " \t"), `"`+trailerKey+`"`)
	return ok && strings.HasPrefix(strings.TrimLeft(s, " \t"), ":")
}

// trailerForm is how the file type's trailer is written, for messages.
func (s *schema) trailerForm(f Format) string {
	if s.totalCol == noTotal {
		if f == FormatJSONL {
			return `{"trailer":{"rows":N}} with N the number of data rows`
		}
		return "#trailer,rows=N with N the number of data rows"
	}
	total := s.names[s.totalCol]
	if f == FormatJSONL {
		if s.totalRequired {
			return fmt.Sprintf(`{"trailer":{"rows":N,"total":"SUM"}} with N the number of data rows and SUM the sum of the %s column`, total)
		}
		return fmt.Sprintf(`{"trailer":{"rows":N}} with N the number of data rows (a "total" of the %s column may follow)`, total)
	}
	if s.totalRequired {
		return fmt.Sprintf("#trailer,rows=N,total=SUM with N the number of data rows and SUM the sum of the %s column", total)
	}
	return fmt.Sprintf("#trailer,rows=N with N the number of data rows (total=SUM of the %s column may follow)", total)
}
