package imports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// parseFile runs the format's reader over r and calls build once for
// every row that is not blank and could be split into fields, with the
// row's text in place. build validates every field, so that a reject
// lists all that is wrong with a row at once, and keeps the row only if
// row.ok() at the end; parseFile turns every row that is not ok into a
// Reject. On a file-level error it returns only the error, and the caller
// must drop whatever build kept.
func parseFile(r io.Reader, f Format, s *schema, build func(*row)) ([]Reject, error) {
	switch f {
	case FormatCSV, FormatJSONL:
	default:
		return nil, invalid("%w: %v", ErrUnknownFormat, f)
	}
	lr, err := newLineReader(r)
	if err != nil {
		return nil, err
	}
	p := parser{s: s, build: build, row: row{s: s}}
	if f == FormatCSV {
		err = p.csv(lr)
	} else {
		err = p.jsonl(lr)
	}
	if err != nil {
		return nil, err
	}
	return p.rejects, nil
}

type parser struct {
	s       *schema
	build   func(*row)
	row     row
	rejects []Reject
}

// finish builds the row and records it as a reject if anything is wrong.
func (p *parser) finish(raw string) {
	p.build(&p.row)
	if !p.row.ok() {
		p.reject(p.row.line, strings.Join(p.row.errs, "; "), raw)
	}
}

func (p *parser) reject(line int, reason, raw string) {
	p.rejects = append(p.rejects, Reject{Line: line, Reason: reason, Raw: raw})
}

func (p *parser) csv(lr *lineReader) error {
	cr := csvReader{lr: lr}
	var fields []string
	var cols []int // column → schema field
	for {
		rec, line, terminated, err := cr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := checkUTF8(rec, line); err != nil {
			return err
		}
		if cols == nil && bytes.IndexByte(rec, 0) >= 0 {
			return checkNUL(rec, line)
		}
		// One string per record; every field kept from the row is a
		// substring of it.
		text := string(rec)
		var serr *csvSyntaxError
		fields, serr = splitCSV(text, fields[:0])
		if serr == nil && blank(fields) {
			continue
		}
		if cols == nil {
			if serr != nil {
				return invalid("%w on line %d: column %d: %s; %s", ErrBadHeader, line, serr.col+1, serr.msg, p.s.expected())
			}
			if cols, err = p.s.header(fields, line); err != nil {
				return err
			}
			continue
		}
		if serr != nil {
			p.reject(line, p.columnName(cols, serr.col)+": "+serr.msg, text)
			continue
		}
		if len(fields) != len(cols) {
			if !terminated && len(fields) < len(cols) {
				// The last line, cut short: the rest of the file is
				// missing, and so may be the rest of this row's last
				// field, which could then pass every check.
				return invalid("%w: line %d, the last line, has %d of the header's %d fields and no line ending",
					ErrTruncated, line, len(fields), len(cols))
			}
			p.reject(line, fmt.Sprintf("has %d fields, the header has %d", len(fields), len(cols)), text)
			continue
		}
		p.row.reset(line)
		for i, f := range fields {
			p.row.val[cols[i]] = strings.TrimSpace(f)
		}
		p.finish(text)
	}
	if cols == nil {
		return invalid("%w: no header line and no rows", ErrEmpty)
	}
	return nil
}

func (p *parser) columnName(cols []int, col int) string {
	if col < len(cols) {
		return p.s.names[cols[col]]
	}
	return fmt.Sprintf("column %d (beyond the header)", col+1)
}

func (p *parser) jsonl(lr *lineReader) error {
	nonBlank := false
	var unknown []string
	var seen uint32
	// member is made once, not per line, so the hot loop does not
	// allocate a closure.
	member := func(key string, k jsonKind, v string) {
		col, ok := p.s.index[key]
		if !ok {
			unknown = append(unknown, key)
			return
		}
		if seen&(1<<col) != 0 {
			p.row.failf("duplicate key %q", key)
			p.row.bad |= 1 << col
			return
		}
		seen |= 1 << col
		switch {
		case k == jsonNull:
			// Absent: exporters write null for an empty optional column.
		case k == jsonString:
			p.row.val[col] = strings.TrimSpace(v)
		case k == jsonNumber && (p.s.kinds[col] == kindAmount || p.s.kinds[col] == kindInt):
			p.row.val[col] = v
		case p.s.kinds[col] == kindAmount || p.s.kinds[col] == kindInt:
			p.row.fail(col, "must be a JSON string or number, not "+k.String())
			p.row.bad |= 1 << col
		case p.s.kinds[col] == kindRate:
			p.row.fail(col, `must be a JSON string such as "0.0435", not `+k.String())
			p.row.bad |= 1 << col
		default:
			p.row.fail(col, "must be a JSON string, not "+k.String())
			p.row.bad |= 1 << col
		}
	}
	for {
		b, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		line := lr.line
		b, terminated := chomp(b)
		if err := checkUTF8(b, line); err != nil {
			return err
		}
		if isJSONSpace(b) {
			continue
		}
		if !nonBlank {
			if err := checkNUL(b, line); err != nil {
				return err
			}
			nonBlank = true
		}
		text := string(b)
		p.row.reset(line)
		unknown, seen = unknown[:0], 0
		sc := jsonScanner{s: text}
		top, ok := sc.object(member)
		if !ok {
			switch {
			case sc.err != nil && sc.err.syntax && !terminated:
				return invalid("%w: line %d, the last line, is not valid JSON (%s) and has no line ending",
					ErrTruncated, line, sc.err.msg)
			case sc.err != nil:
				p.reject(line, fmt.Sprintf("not valid JSON: %s at column %d", sc.err.msg, charColumn(text, sc.err.off)), text)
			default:
				p.reject(line, "not a JSON object: the line holds "+top.String(), text)
			}
			continue
		}
		if len(unknown) > 0 {
			// Reported first and together: a wrong key usually means a
			// wrong file, and then this is the reason that matters.
			quoted := make([]string, len(unknown))
			for i, k := range unknown {
				quoted[i] = fmt.Sprintf("%q", k)
			}
			p.row.errs = append([]string{"unknown key(s) " + strings.Join(quoted, ", ")}, p.row.errs...)
		}
		p.finish(text)
	}
	if !nonBlank {
		return invalid("%w: no rows", ErrEmpty)
	}
	return nil
}

func isJSONSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// charColumn is the 1-based character (not byte) position of off in s, the
// number an editor shows.
func charColumn(s string, off int) int {
	if off > len(s) {
		off = len(s)
	}
	return len([]rune(s[:off])) + 1
}
