package imports

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"daihou"
)

// Format is the syntax of an import file. The zero value is not a format,
// so a caller that forgot to choose one gets an error instead of a guess.
type Format int

// The import formats.
const (
	// FormatCSV is RFC 4180 CSV: comma-separated, a header line naming
	// the columns, fields quoted with " when they contain a comma, quote
	// or line break, lines ending in LF or CRLF.
	FormatCSV Format = iota + 1
	// FormatJSONL is JSON Lines (also called NDJSON): one JSON object per
	// line, keyed by the same names as the CSV columns.
	FormatJSONL
)

// String returns the conventional name of the format.
func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "CSV"
	case FormatJSONL:
		return "JSON Lines"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// File-level errors. Each is returned wrapped with the line and details
// inside a *daihou.Error with code daihou.EINVALID; test with errors.Is.
// When one is returned, no rows and no rejects are: the whole file must be
// fixed and delivered again.
var (
	// ErrBadHeader means the CSV header line is missing a required
	// column, names a column twice, or names a column daihou does not know.
	ErrBadHeader = errors.New("bad header")
	// ErrBadEncoding means the file is not UTF-8 text.
	ErrBadEncoding = errors.New("bad encoding")
	// ErrTruncated means the file's header or its trailer is its last
	// line and has no line end, so the file may have been cut off in
	// transfer there. (A data row without a line end is not a file-level
	// error: it is rejected, and the rows before it are kept.)
	ErrTruncated = errors.New("file is truncated")
	// ErrEmpty means the file has no content at all (only blank lines, or
	// nothing). A CSV file with a header and no rows is not empty: it is
	// a valid delivery of nothing.
	ErrEmpty = errors.New("file is empty")
	// ErrBadTrailer means the file's trailer is malformed, is not the
	// file's last record, or is missing when ParseOptions.RequireTrailer
	// asks for one.
	ErrBadTrailer = errors.New("bad trailer")
	// ErrControlMismatch means the file's data rows or their total differ
	// from what its trailer states or the caller expects
	// (ParseOptions.ExpectRows, ExpectTotal): rows are missing, added or
	// changed, and which ones cannot be told.
	ErrControlMismatch = errors.New("control figures do not match")
	// ErrUnknownFormat means a file name's extension names no format
	// daihou reads, or a Parse function was given an invalid Format.
	ErrUnknownFormat = errors.New("unknown file format")
)

// FormatFromPath chooses the format from the file's extension, ignoring
// case: .csv is CSV, .jsonl and .ndjson are JSON Lines. Anything else is
// ErrUnknownFormat rather than a guess from the content, because a guess
// that is wrong turns every row into a reject.
func FormatFromPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	switch strings.ToLower(ext) {
	case ".csv":
		return FormatCSV, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	}
	if ext == "" {
		return 0, daihou.Errorf(daihou.EINVALID, "%w: %q has no extension: want .csv, .jsonl or .ndjson", ErrUnknownFormat, path)
	}
	return 0, daihou.Errorf(daihou.EINVALID, "%w: %q: want .csv, .jsonl or .ndjson", ErrUnknownFormat, ext)
}

// RejectPath returns where the reject file for input is written: next to
// it, as input + ".rejects.csv", so the operator finds the two side by side
// and the input's own name (payments-20240315.csv) stays recognisable.
func RejectPath(input string) string {
	return input + ".rejects.csv"
}

// invalid wraps a file-level error as daihou's invalid-input error, so the
// CLI exits with its invalid-input code and the API answers 400/422.
func invalid(format string, args ...any) error {
	return daihou.Errorf(daihou.EINVALID, format, args...)
}
