package stream

import (
	"bytes"
)

// The messages of encoding/csv's errors, which the dataset reader quotes
// after "malformed CSV: ".
const (
	errBareQuote = `bare " in non-quoted-field`
	errQuote     = `extraneous or missing " in quoted-field`
)

// span locates one field: in the block, or in the record's own buffer
// for a quoted field (whose escapes and line breaks are rewritten).
type span struct {
	start, end int
	inBuf      bool
}

// record is one parsed CSV record.
type record struct {
	spans []span
	buf   []byte
	err   string // a parse error; the fields are then incomplete
	open  bool   // the input ended inside a quoted field
	lead  int    // blank lines skipped before the record
}

// field returns field k of the record parsed from b.
func (r *record) field(b []byte, k int) []byte {
	s := r.spans[k]
	if s.inBuf {
		return r.buf[s.start:s.end]
	}
	return b[s.start:s.end]
}

func (r *record) reset() {
	r.spans, r.buf, r.err, r.open, r.lead = r.spans[:0], r.buf[:0], "", false, 0
}

var (
	newline = []byte{'\n'}
	crlf    = []byte("\r\n")
)

// scanRecord parses the record starting at b[pos:] as encoding/csv does
// with its defaults (comma, no comments, strict quotes) and returns where
// the next record starts and how many line breaks it passed on the way,
// blank lines before the record included. b ends at a record boundary:
// at a line break outside quotes, or at the end of the input. It returns
// next == len(b) with rec holding no fields when only blank lines were
// left. With rec nil it only finds the record's end.
//
// After an error encoding/csv drops the rest of the line it was reading
// and starts the next record on the line after; so does this.
func scanRecord(b []byte, pos int, rec *record) (next, lines int) {
	if rec != nil {
		rec.reset()
	}
	for pos < len(b) {
		if b[pos] == '\n' {
			pos, lines = pos+1, lines+1
		} else if b[pos] == '\r' && (pos+1 == len(b) || b[pos+1] == '\n') {
			pos++ // a \r before a line break or ending the input is no data
		} else {
			break
		}
	}
	if rec != nil {
		rec.lead = lines
	}
	i := pos
	for i < len(b) {
		if b[i] == '"' {
			var ok bool
			if i, lines, ok = quoted(b, i+1, lines, rec); !ok {
				return skipLine(b, i, lines)
			}
		} else {
			j, quote := i, false
			for ; j < len(b); j++ {
				c := b[j]
				if c == ',' || c == '\n' {
					break
				}
				quote = quote || c == '"'
			}
			end := j
			if (j == len(b) || b[j] == '\n') && end > i && b[end-1] == '\r' {
				end--
			}
			if quote {
				rec.fail(errBareQuote)
				return skipLine(b, j, lines)
			}
			if rec != nil {
				rec.spans = append(rec.spans, span{start: i, end: end})
			}
			i = j
		}
		// i is at the comma, the line break, a \r before it, or the end.
		if i < len(b) && b[i] == ',' {
			i++
			if i == len(b) || b[i] == '\n' || b[i] == '\r' && (i+1 == len(b) || b[i+1] == '\n') {
				// A trailing comma leaves an empty last field.
				if rec != nil {
					rec.spans = append(rec.spans, span{start: i, end: i})
				}
				return endLine(b, i, lines)
			}
			continue
		}
		return endLine(b, i, lines)
	}
	return i, lines
}

// quoted reads a quoted field whose text starts at b[i:] and returns the
// position after its closing quote, or, with ok false, where the error
// was found.
func quoted(b []byte, i, lines int, rec *record) (int, int, bool) {
	start := 0
	if rec != nil {
		start = len(rec.buf)
	}
	for {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			// No closing quote before the end of the input.
			rec.fail(errQuote)
			if rec != nil {
				rec.open = true
			}
			return len(b), lines + bytes.Count(b[i:], newline), false
		}
		chunk := b[i : i+q]
		if n := bytes.Count(chunk, newline); n > 0 {
			lines += n
			if rec != nil {
				// encoding/csv reads each \r\n line ending as \n.
				chunk = bytes.ReplaceAll(chunk, crlf, newline)
			}
		}
		if rec != nil {
			rec.buf = append(rec.buf, chunk...)
		}
		i += q + 1
		switch {
		case i < len(b) && b[i] == '"':
			if rec != nil {
				rec.buf = append(rec.buf, '"')
			}
			i++
		case i == len(b) || b[i] == ',' || b[i] == '\n' || b[i] == '\r' && (i+1 == len(b) || b[i+1] == '\n'):
			if rec != nil {
				rec.spans = append(rec.spans, span{start: start, end: len(rec.buf), inBuf: true})
			}
			return i, lines, true
		default:
			rec.fail(errQuote)
			return i, lines, false
		}
	}
}

// endLine returns the position after the line break at i (a \r before it
// included), if there is one, and the line count.
func endLine(b []byte, i, lines int) (int, int) {
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i < len(b) && b[i] == '\n' {
		return i + 1, lines + 1
	}
	return i, lines
}

// skipLine drops the rest of the line from i, as encoding/csv does after
// an error.
func skipLine(b []byte, i, lines int) (int, int) {
	k := bytes.IndexByte(b[i:], '\n')
	if k < 0 {
		return len(b), lines
	}
	return i + k + 1, lines + 1
}

func (r *record) fail(msg string) {
	if r != nil {
		r.err = msg
	}
}

// boundary returns the length of the longest prefix of b that ends at a
// record boundary, or −1 when b holds no complete record (a record longer
// than b, or b empty). A block without quotes — most extracts — is cut at
// its last line break at once; quotes make line breaks ambiguous, and the
// records are then walked one by one.
func boundary(b []byte) int {
	if bytes.IndexByte(b, '"') < 0 {
		k := bytes.LastIndexByte(b, '\n')
		if k < 0 {
			return -1
		}
		return k + 1
	}
	last, pos := -1, 0
	var rec record
	for pos < len(b) {
		next, _ := scanRecord(b, pos, &rec)
		// A record is complete only if a line break outside quotes ends
		// it; one that runs to the end of b may go on in the next read.
		if next <= pos || b[next-1] != '\n' || rec.open {
			break
		}
		last, pos = next, next
	}
	return last
}
