package imports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// csvReader splits a CSV file into records. It is written here rather than
// taken from encoding/csv because an import must hand back each bad row's
// exact text and line, know whether the last record ended with a line
// end, and keep going after a bad row: a stray quote inside an unquoted
// field spoils only its own row. (Only a quote that opens a field and is
// never closed carries a record on to the end of the file, as RFC 4180
// says it must.) csv_test.go checks it against encoding/csv.
type csvReader struct {
	lr  *lineReader
	rec []byte // a record that spans lines is gathered here
}

// csvRecord is one CSV record as it is in the file.
type csvRecord struct {
	text       []byte // without the final line ending; valid until the next call
	start, end int    // its first and last physical line
	terminated bool   // it ends with a line ending
	open       bool   // a quoted field is still open at the end of the input
}

// next returns the next record. A quoted field still open at the end of
// the input makes the record run to the end (open): whether that is a
// stray quote or a file cut off inside a quoted field, the parser rejects
// the record and keeps the rows before it.
func (c *csvReader) next() (csvRecord, error) {
	b, err := c.lr.next()
	if err != nil {
		return csvRecord{}, err
	}
	start := c.lr.line
	// The common case: a line without quotes is a whole record.
	if !inQuote(b, false) {
		rec, terminated := chomp(b)
		return csvRecord{text: rec, start: start, end: start, terminated: terminated}, nil
	}
	c.rec = append(c.rec[:0], b...)
	open := true
	for open {
		b, err = c.lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvRecord{}, err
		}
		open = inQuote(b, true)
		c.rec = append(c.rec, b...)
	}
	rec, terminated := chomp(c.rec)
	return csvRecord{text: rec, start: start, end: c.lr.line, terminated: terminated, open: open}, nil
}

// inQuote reports whether a quoted field is still open at the end of line,
// given whether one was open at its start. It follows the same rules as
// splitCSV: a quote opens a field only at the field's start (after
// spaces), and "" inside a quoted field is a literal quote.
func inQuote(line []byte, open bool) bool {
	if !open && bytes.IndexByte(line, '"') < 0 {
		return false
	}
	const (
		fieldStart = iota
		unquoted
		quoted
		closed
	)
	st := fieldStart
	if open {
		st = quoted
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch st {
		case fieldStart:
			switch c {
			case '"':
				st = quoted
			case ',', ' ', '\t':
			default:
				st = unquoted
			}
		case unquoted, closed:
			if c == ',' {
				st = fieldStart
			}
		case quoted:
			if c == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					i++
				} else {
					st = closed
				}
			}
		}
	}
	return st == quoted
}

// csvSyntaxError is a record whose quoting is wrong; col is the 0-based
// field where it happened. The record is rejected, the file goes on.
type csvSyntaxError struct {
	col      int
	msg      string
	unclosed bool // a quoted field runs to the end of the record
}

// splitCSV splits a record into fields, appending them to dst. Fields
// are substrings of s unless they contain an escaped quote, so a row
// costs no allocation beyond s itself.
func splitCSV(s string, dst []string) ([]string, *csvSyntaxError) {
	i := 0
	for {
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j < len(s) && s[j] == '"' {
			k := j + 1
			escaped := false
			for {
				q := strings.IndexByte(s[k:], '"')
				if q < 0 {
					return dst, &csvSyntaxError{len(dst), "the quote that opens the field is never closed", true}
				}
				k += q
				if k+1 < len(s) && s[k+1] == '"' {
					escaped = true
					k += 2
					continue
				}
				break
			}
			v := s[j+1 : k]
			if escaped {
				v = strings.ReplaceAll(v, `""`, `"`)
			}
			dst = append(dst, v)
			m := k + 1
			for m < len(s) && (s[m] == ' ' || s[m] == '\t') {
				m++
			}
			if m == len(s) {
				return dst, nil
			}
			if s[m] != ',' {
				return dst, &csvSyntaxError{len(dst) - 1, `has text after its closing quote: double every quote inside a quoted field ("a""b")`, false}
			}
			i = m + 1
			continue
		}
		end := len(s)
		if c := strings.IndexByte(s[i:], ','); c >= 0 {
			end = i + c
		}
		v := s[i:end]
		if strings.IndexByte(v, '"') >= 0 {
			return dst, &csvSyntaxError{len(dst), `has a stray " in an unquoted field: quote the whole field and double the quote inside ("a""b")`, false}
		}
		dst = append(dst, v)
		if end == len(s) {
			return dst, nil
		}
		i = end + 1
	}
}

// blank reports whether every field is empty after trimming: a blank
// line, or the ",,,,," rows Excel writes for formatted but empty cells.
// Such a record carries no data, so skipping it loses nothing.
func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// header maps the header's columns to the schema's fields, or explains
// everything that is wrong with it in one ErrBadHeader.
func (s *schema) header(fields []string, line int) ([]int, error) {
	cols := make([]int, len(fields))
	first := make(map[int]int, len(fields)) // field → 1-based column
	var problems, unknown, dups []string
	for i, f := range fields {
		name := strings.TrimSpace(f)
		id, ok := s.index[name]
		if !ok {
			cols[i] = -1
			switch {
			case name == "":
				unknown = append(unknown, fmt.Sprintf("an empty name in column %d", i+1))
			case s.hint(name) != "":
				unknown = append(unknown, fmt.Sprintf("%q (did you mean %q?)", name, s.hint(name)))
			default:
				unknown = append(unknown, fmt.Sprintf("%q", name))
			}
			continue
		}
		cols[i] = id
		if c, ok := first[id]; ok {
			dups = append(dups, fmt.Sprintf("%q (columns %d and %d)", name, c, i+1))
			continue
		}
		first[id] = i + 1
	}
	var missing []string
	for id, name := range s.names {
		if _, ok := first[id]; !ok && s.required&(1<<id) != 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "missing required column(s) "+strings.Join(missing, ", "))
	}
	if len(dups) > 0 {
		problems = append(problems, "duplicate column(s) "+strings.Join(dups, ", "))
	}
	if len(unknown) > 0 {
		problems = append(problems, "unknown column(s) "+strings.Join(unknown, ", "))
	}
	if len(problems) == 0 {
		return cols, nil
	}
	if len(first) == 0 {
		switch {
		case len(fields) == 1 && strings.ContainsAny(fields[0], ";\t|"):
			problems = append(problems, "the file looks separated by semicolons, tabs or bars: daihou reads comma-separated CSV")
		default:
			problems = append(problems, "the first line must be the header naming the "+s.what+" columns")
		}
	}
	return nil, invalid("%w on line %d: %s; %s", ErrBadHeader, line, strings.Join(problems, "; "), s.expected())
}

// hint suggests the column a misspelt header name most likely means:
// Excel users capitalise and use spaces.
func (s *schema) hint(name string) string {
	n := strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(name))
	if _, ok := s.index[n]; ok {
		return n
	}
	return ""
}
