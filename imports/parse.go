package imports

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// parseRows parses a file with parseFile and keeps the rows build makes
// of its valid data rows, in file order. On an error it returns nothing
// else, whatever build made before it.
func parseRows[T any](r io.Reader, f Format, s *schema, o ParseOptions, build func(*row) T) ([]T, []Reject, Summary, error) {
	var rows collector[T]
	rejects, sum, err := parseFile(r, f, s, o, func(x *row) {
		if v := build(x); x.ok() {
			rows.add(v)
		}
	})
	if err != nil {
		return nil, nil, Summary{}, err
	}
	return rows.rows(), rejects, sum, nil
}

// parseFile runs the format's reader over r and calls build once for
// every data row that could be split into fields, with the row's text in
// place. build validates every field, so that a reject lists all that is
// wrong with a row at once, and keeps the row only if row.ok() at the
// end; parseFile turns every row that is not ok into a Reject. On a
// file-level error — including a trailer or an expectation the file does
// not match — it returns only the error, and the caller must drop
// whatever build kept.
func parseFile(r io.Reader, f Format, s *schema, o ParseOptions, build func(*row)) ([]Reject, Summary, error) {
	switch f {
	case FormatCSV, FormatJSONL:
	default:
		return nil, Summary{}, invalid("%w: %v", ErrUnknownFormat, f)
	}
	if err := o.validate(); err != nil {
		return nil, Summary{}, err
	}
	if o.ExpectTotal != nil && s.totalCol == noTotal {
		return nil, Summary{}, invalid("an expected total is given, but a %s file has no money column to total: give the expected row count only", s.what)
	}
	lr, err := newLineReader(r)
	if err != nil {
		return nil, Summary{}, err
	}
	p := parser{s: s, build: build, row: row{s: s}}
	if f == FormatCSV {
		err = p.csv(lr)
	} else {
		err = p.jsonl(lr)
	}
	if err == nil {
		err = p.check(o, f)
	}
	if err != nil {
		return nil, Summary{}, err
	}
	sum := Summary{DataRows: p.valid + len(p.rejects), Total: p.total, Unterminated: p.unterminated}
	if p.trailer != nil {
		sum.TrailerLine = p.trailer.line
	}
	return p.rejects, sum, nil
}

type parser struct {
	s       *schema
	build   func(*row)
	row     row
	rejects []Reject
	tally
	cut          bool // the record being read is the last and has no line end
	unterminated int
	trailer      *trailer
}

// cutReason leads the reason of a last line without a line end. Such a
// row may be complete — some exporters end the file without one — but a
// row cut inside its last field (2000.00 arriving as 20) passes every
// other check, so it is never imported unseen.
const cutReason = "the file ends inside this row, with no line end after it, so the file may have been cut off in transfer: " +
	"check the row against the sender's copy and import it again once complete"

// finish builds the row and records it as valid or as a reject.
func (p *parser) finish(raw string) {
	p.build(&p.row)
	p.add(p.row.line, p.row.amt, p.row.hasAmt)
	if p.row.ok() {
		p.valid++
		return
	}
	p.reject(p.row.line, strings.Join(p.row.errs, "; "), raw)
}

// rejectUnread rejects a data row whose fields could not be read at all.
func (p *parser) rejectUnread(line int, reason, raw string) {
	p.add(line, 0, false)
	p.reject(line, reason, raw)
}

func (p *parser) reject(line int, reason, raw string) {
	if p.cut {
		p.unterminated = line
		if reason == "" {
			reason = cutReason
		} else {
			reason = cutReason + "; " + reason
		}
	}
	p.rejects = append(p.rejects, Reject{Line: line, Reason: reason, Raw: raw})
}

// afterTrailer refuses a record after the trailer: the trailer vouches
// for the whole file, so it must be its end. Two files joined together
// are the usual cause.
func (p *parser) afterTrailer(line int) error {
	return invalid("%w: line %d follows the trailer on line %d, but the trailer must be the file's last line (were two files joined?); "+
		"ask for the file to be delivered again", ErrBadTrailer, line, p.trailer.line)
}

// cutTrailer refuses a trailer without a line end: a trailer cut short
// can still read as a valid one that matches (total=100 from
// total=100.00; rows=12 with its optional total cut off), so a trailer
// that may be cut vouches for nothing.
func cutTrailer(line int) error {
	return invalid("%w: line %d, the trailer, has no line end after it, so the file may have been cut off inside it; "+
		"ask for the file to be delivered again", ErrTruncated, line)
}

func (p *parser) badTrailer(line int, problems string, f Format) error {
	return invalid("%w on line %d: %s; write the trailer as %s", ErrBadTrailer, line, problems, p.s.trailerForm(f))
}

func (p *parser) csv(lr *lineReader) error {
	cr := csvReader{lr: lr}
	var fields []string
	var cols []int    // column → schema field
	var header string // the header's text, to recognise it repeated
	for {
		rec, err := cr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		line, text := rec.start, rec.text
		if err := checkUTF8(text, line); err != nil {
			return err
		}
		if cols == nil && bytes.IndexByte(text, 0) >= 0 {
			return checkNUL(text, line)
		}
		// One string per record; every field kept from the row is a
		// substring of it.
		s := string(text)
		var serr *csvSyntaxError
		fields, serr = splitCSV(s, fields[:0])
		if serr == nil && !rec.open && blank(fields) {
			continue
		}
		if p.trailer != nil {
			return p.afterTrailer(line)
		}
		marked := len(fields) > 0 && isTrailerMark(fields[0])
		if cols == nil {
			switch {
			case marked:
				return invalid("%w on line %d: this is a trailer, but a CSV file starts with its header line; %s", ErrBadHeader, line, p.s.expected())
			case serr != nil:
				return invalid("%w on line %d: column %d: %s; %s", ErrBadHeader, line, serr.col+1, serr.msg, p.s.expected())
			}
			if cols, err = p.s.header(fields, line); err != nil {
				return err
			}
			if !rec.terminated {
				return invalid("%w: line %d, the header, is the file's last line and has no line end, so the file may have been cut off "+
					"in transfer right after it; ask for the file to be delivered again", ErrTruncated, line)
			}
			header = s
			continue
		}
		if marked {
			if err := p.csvTrailer(fields, serr, rec); err != nil {
				return err
			}
			continue
		}
		p.cut = !rec.terminated
		switch {
		case serr != nil || rec.open:
			p.rejectUnread(line, p.quoteReason(cols, serr, rec), s)
		case strings.TrimPrefix(s, utf8BOM) == header:
			p.rejectUnread(line, "repeats the header line (were two files joined?): remove it", s)
		case len(fields) != len(cols):
			p.rejectUnread(line, fieldCountReason(len(fields), len(cols)), s)
		default:
			p.row.reset(line, p.cut)
			for i, f := range fields {
				p.row.val[cols[i]] = strings.TrimSpace(f)
			}
			p.finish(s)
		}
	}
	if cols == nil {
		return invalid("%w: no header line and no rows", ErrEmpty)
	}
	return nil
}

func (p *parser) csvTrailer(fields []string, serr *csvSyntaxError, rec csvRecord) error {
	if !rec.terminated {
		return cutTrailer(rec.start)
	}
	if serr != nil || rec.open {
		msg := "a quote that opens a field is never closed"
		if serr != nil && !serr.unclosed {
			msg = fmt.Sprintf("field %d: %s", serr.col+1, serr.msg)
		}
		return p.badTrailer(rec.start, msg, FormatCSV)
	}
	t, problems := p.s.csvTrailer(fields, rec.start)
	if problems != "" {
		return p.badTrailer(rec.start, problems, FormatCSV)
	}
	p.trailer = &t
	return nil
}

// quoteReason explains a record whose quoting is wrong. A quote opened
// and never closed makes the record run to the end of the file, which is
// either a stray quote or a file cut off inside a quoted field.
func (p *parser) quoteReason(cols []int, serr *csvSyntaxError, rec csvRecord) string {
	span := ""
	if rec.end > rec.start {
		span = fmt.Sprintf(", so lines %d to %d were read as this one row", rec.start, rec.end)
	}
	if serr == nil || serr.unclosed {
		name := "a field"
		if serr != nil {
			name = p.columnName(cols, serr.col)
		}
		return fmt.Sprintf(`%s: the quote that opens the field is never closed%s: close it, and double every quote inside a quoted field ("")`, name, span)
	}
	r := p.columnName(cols, serr.col) + ": " + serr.msg
	if rec.open {
		r += "; a quote opened later in the row is never closed" + span
	}
	return r
}

// fieldCountReason explains a row whose fields do not line up with the
// header, by the usual cause of each direction.
func fieldCountReason(got, want int) string {
	if got > want {
		return fmt.Sprintf(`has %d fields, but the header has %d: a comma inside a value (such as 1,000.00) splits it in two; `+
			`quote that value ("1,000.00") or remove the comma`, got, want)
	}
	return fmt.Sprintf("has %d fields, but the header has %d: every row needs one field for each header column, even an empty one (a,,c)", got, want)
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
	// A line with the trailer key is the trailer; its value is kept
	// for after the scan.
	var trailerKeys int
	var trailerKind jsonKind
	var trailerRaw string
	// member is made once, not per line, so the hot loop does not
	// allocate a closure.
	member := func(key string, k jsonKind, v string) {
		col, ok := p.s.index[key]
		if !ok {
			if key == trailerKey {
				trailerKeys++
				trailerKind, trailerRaw = k, v
				return
			}
			unknown = append(unknown, key)
			return
		}
		if seen&(1<<col) != 0 {
			p.row.fail(col, "the key appears twice in the object: keep one")
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
		default:
			p.row.fail(col, p.s.jsonKindReason(col, k))
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
		if p.trailer != nil {
			return p.afterTrailer(line)
		}
		if !nonBlank {
			if err := checkNUL(b, line); err != nil {
				return err
			}
			nonBlank = true
		}
		text := string(b)
		p.cut = !terminated
		p.row.reset(line, p.cut)
		unknown, seen, trailerKeys = unknown[:0], 0, 0
		sc := jsonScanner{s: text}
		top, ok := sc.object(member)
		if trailerKeys > 0 || !ok && startsAsTrailer(text) {
			if err := p.jsonTrailer(line, terminated, sc.err, text, trailerKeys, trailerKind, trailerRaw, seen != 0 || len(unknown) > 0); err != nil {
				return err
			}
			continue
		}
		if !ok {
			if sc.err != nil {
				p.rejectUnread(line, jsonSyntaxReason(sc.err, text, terminated), text)
			} else {
				p.rejectUnread(line, "not a JSON object: the line holds "+top.String()+"; want one object per line, keyed by the column names", text)
			}
			continue
		}
		if len(unknown) > 0 {
			// Reported first and together: a wrong key usually means a
			// wrong file, and then this is the reason that matters.
			p.row.errs = append([]string{p.s.unknownKeys(unknown)}, p.row.errs...)
		}
		p.finish(text)
	}
	if !nonBlank {
		return invalid("%w: no rows", ErrEmpty)
	}
	return nil
}

func (p *parser) jsonTrailer(line int, terminated bool, serr *jsonError, text string, keys int, k jsonKind, raw string, others bool) error {
	var problems string
	switch {
	case !terminated:
		return cutTrailer(line)
	case serr != nil:
		problems = fmt.Sprintf("not valid JSON: %s at column %d", serr.msg, charColumn(text, serr.off))
	case keys > 1:
		problems = fmt.Sprintf("the %q key appears twice", trailerKey)
	case others:
		problems = fmt.Sprintf("the trailer object holds other keys besides %q", trailerKey)
	default:
		t, msg := p.s.jsonTrailer(k, raw, line)
		if msg == "" {
			p.trailer = &t
			return nil
		}
		problems = msg
	}
	return p.badTrailer(line, problems, FormatJSONL)
}

// jsonKindReason explains a JSON value of a type the column does not
// take.
func (s *schema) jsonKindReason(col int, k jsonKind) string {
	switch s.kinds[col] {
	case kindAmount:
		return `must be a JSON string or number such as "1234.50", not ` + k.String()
	case kindInt:
		return "must be a JSON number or string such as 36, not " + k.String()
	case kindRate:
		return `must be a JSON string such as "0.0435", not ` + k.String()
	}
	if k == jsonNumber {
		return "must be a JSON string, not a number: put the value in double quotes"
	}
	return "must be a JSON string, not " + k.String()
}

// unknownKeys explains keys the file type does not have.
func (s *schema) unknownKeys(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = quote(k)
		if h := s.hint(k); h != "" {
			quoted[i] += fmt.Sprintf(" (did you mean %q?)", h)
		}
	}
	return "unknown key(s) " + strings.Join(quoted, ", ") + ": the keys are " + strings.Join(s.names, ", ")
}

// jsonSyntaxReason explains a line that is not valid JSON, with the
// likely cause where the error shows it.
func jsonSyntaxReason(e *jsonError, text string, terminated bool) string {
	r := fmt.Sprintf("not valid JSON: %s at column %d", e.msg, charColumn(text, e.off))
	if h := jsonHint(e, text, terminated); h != "" {
		r += ": " + h
	}
	return r
}

func jsonHint(e *jsonError, text string, terminated bool) string {
	if e.off >= len(text) {
		if terminated {
			return "the object does not end on its line; JSON Lines puts each object on one line (is the file pretty-printed JSON?)"
		}
		return ""
	}
	prev := strings.TrimRight(text[:e.off], " \t")
	switch c := text[e.off]; {
	case !e.syntax:
		return "no column holds nested values"
	case (c == '}' || c == ']') && strings.HasSuffix(prev, ","):
		return "remove the comma before it"
	case c == '\'':
		return "JSON strings and keys take double quotes"
	case c == '{' && strings.HasSuffix(prev, "}"):
		return "put each object on a line of its own"
	case strings.HasSuffix(e.msg, "after the value"):
		return "remove what follows the object"
	case strings.HasPrefix(text[e.off:], utf8BOM):
		return "remove the byte-order mark (were two files joined?)"
	case c < 0x20:
		return `write it as an escape such as \n or \t, or remove it`
	case strings.HasSuffix(e.msg, "want a string key") && (c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'):
		return "keys take double quotes"
	}
	return ""
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
