package imports

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Reject is a row that could not be imported. Nothing about the row was
// posted; the operator fixes Raw and imports it again.
type Reject struct {
	// Line is the 1-based physical line where the row starts (for CSV
	// the header is line 1; a quoted field may carry a row over several
	// lines).
	Line int
	// Reason names every field that is wrong and why, separated by "; ".
	// It does not repeat personal data (name, ID number, phone), which
	// stays in Raw, so reasons can go to logs.
	Reason string
	// Raw is the row's text as it was in the file, without the line ending.
	Raw string
}

// String formats the reject as the operator reads it: "line 7: reason".
func (r Reject) String() string {
	return "line " + strconv.Itoa(r.Line) + ": " + r.Reason
}

// utf8BOM starts the reject file because the operators open it in Excel,
// which reads a CSV without a BOM in the system code page (GBK on Chinese
// Windows) and would garble every Chinese name. ParseLoans and
// ParsePayments accept and strip it.
const utf8BOM = "\uFEFF"

// WriteRejects writes rejects as the reject file (written to
// RejectPath(input)): UTF-8 CSV, starting with a byte-order mark so that
// Excel shows Chinese text, with a header line and the columns line,
// reason and raw. Raw is written as one field, quoted as CSV requires, so a
// row's own commas, quotes and line breaks survive intact.
func WriteRejects(w io.Writer, rejects []Reject) error {
	if _, err := w.Write([]byte(utf8BOM)); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rec := []string{"line", "reason", "raw"}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, r := range rejects {
		rec[0], rec[1], rec[2] = strconv.Itoa(r.Line), r.Reason, r.Raw
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
