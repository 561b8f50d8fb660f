package imports

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// lineReader hands out physical lines and counts them, so that every row
// and every reject can name the line an operator sees in an editor.
type lineReader struct {
	br   *bufio.Reader
	long []byte // holds a line longer than br's buffer
	line int    // number of the line last returned by next
	eof  bool
}

// readBufferSize is large enough that ReadSlice almost never has to fall
// back to copying a line into long, and small enough not to matter.
const readBufferSize = 64 << 10

// newLineReader strips a UTF-8 byte-order mark, which Excel's "CSV UTF-8"
// writes, and refuses UTF-16, which Excel's "Unicode text" writes and which
// would otherwise surface as a baffling header error.
func newLineReader(r io.Reader) (*lineReader, error) {
	lr := &lineReader{br: bufio.NewReaderSize(r, readBufferSize)}
	head, err := lr.br.Peek(3)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte(utf8BOM)):
		_, _ = lr.br.Discard(len(utf8BOM))
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, invalid("%w: the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8 (in Excel: \"CSV UTF-8\")", ErrBadEncoding)
	}
	return lr, nil
}

// next returns the next physical line including its '\n', if it has one;
// an incomplete character at the very end of the input comes back as
// U+FFFD. The slice is only valid until the next call. At the end of the
// input it returns io.EOF; any other error is a failure to read.
func (lr *lineReader) next() ([]byte, error) {
	if lr.eof {
		return nil, io.EOF
	}
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = lr.br.ReadSlice('\n')
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	switch {
	case err == nil:
	case err == io.EOF:
		lr.eof = true
		if len(b) == 0 {
			return nil, io.EOF
		}
		b = markCutRune(b)
	default:
		return nil, fmt.Errorf("reading line %d: %w", lr.line+1, err)
	}
	lr.line++
	return b, nil
}

// chomp removes the line ending, LF or CRLF, and reports whether there was
// one: a last line without one is how a truncated file looks. A CR alone
// at the very end is half a CRLF and is removed too.
func chomp(b []byte) ([]byte, bool) {
	terminated := false
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		terminated = true
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, terminated
}

// markCutRune replaces the start of a multi-byte character left at the
// very end of the input with U+FFFD. A file cut off in the middle of a
// Chinese character is a cut file: its last row is rejected as cut, with
// the mark showing where, and the rows before it are kept, where leaving
// the bytes would refuse the whole file as not UTF-8.
func markCutRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				marked := make([]byte, 0, i+utf8.UTFMax)
				return append(append(marked, b[:i]...), string(utf8.RuneError)...)
			}
			break
		}
	}
	return b
}

// checkUTF8 returns ErrBadEncoding for text that is not UTF-8, naming the
// exact line of the first bad byte (text may span lines from first on).
// In practice such a file is GBK or GB18030, the ANSI code page of Chinese
// Windows, so the message says how to convert it.
func checkUTF8(text []byte, first int) error {
	if utf8.Valid(text) {
		return nil
	}
	line := first
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		if text[i] == '\n' {
			line++
		}
		i += size
	}
	return invalid("%w: line %d is not valid UTF-8; the file is probably GBK/GB18030 "+
		"(what Excel saves on Chinese Windows): convert it to UTF-8, e.g. "+
		"iconv -f GB18030 -t UTF-8 FILE > FILE.utf8, or in Excel save as \"CSV UTF-8\"", ErrBadEncoding, line)
}

// checkNUL catches UTF-16 without a byte-order mark: its ASCII letters
// alternate with NUL bytes, which is valid UTF-8 and would otherwise be
// reported as a header full of unknown columns.
func checkNUL(text []byte, line int) error {
	if bytes.IndexByte(text, 0) < 0 {
		return nil
	}
	return invalid("%w: line %d contains NUL bytes; the file is probably UTF-16: save it as UTF-8", ErrBadEncoding, line)
}
