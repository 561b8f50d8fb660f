package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"daihou/scoring"
)

// Options says which columns play which part.
type Options struct {
	// Target is the 0/1 target column (1 = bad). Empty when scoring.
	Target string
	// Exclude lists columns that are not features, such as ids and dates.
	// Naming a column the file does not have is an error, because a typo
	// here would silently let an id into the model.
	Exclude []string
	// Schema, when set, fixes the features and their types (a model's
	// features, for evaluation and scoring); other columns are ignored.
	// When nil every column that is neither target nor excluded is a
	// feature and its type is inferred.
	Schema []scoring.Feature
	// Keep lists columns to keep as raw text in Dataset.Text (an id to
	// carry into the score output). Columns the file lacks are skipped.
	Keep []string
}

// Column is one feature column. Exactly one of Num and Text is set,
// according to Type.
type Column struct {
	Name string              // header name
	Type scoring.FeatureType // inferred, or from the schema
	Num  []float64           // numeric values, NaN for missing
	Text []string            // categorical values, trimmed; "" for missing
}

// Issue is one rejected row.
type Issue struct {
	Line   int    // 1-based line in the file, the header being line 1
	Reason string // what is wrong, naming the column and value
}

// String reads "line N: reason".
func (i Issue) String() string { return fmt.Sprintf("line %d: %s", i.Line, i.Reason) }

// Dataset is the table after reading: one entry per kept row in every
// slice.
type Dataset struct {
	Header   []string            // column names, trimmed
	Features []Column            // in header order
	Target   []uint8             // nil when Options.Target was empty
	Text     map[string][]string // the Options.Keep columns
	Lines    []int               // source line of each kept row
	Issues   []Issue             // rejected rows, in line order
	Notes    []string            // decisions worth telling a person about
}

// Rows is the number of kept rows.
func (d *Dataset) Rows() int { return len(d.Lines) }

// Bads is the number of kept rows with target 1.
func (d *Dataset) Bads() int {
	n := 0
	for _, t := range d.Target {
		n += int(t)
	}
	return n
}

// Column returns the named feature column, or nil.
func (d *Dataset) Column(name string) *Column {
	for i := range d.Features {
		if d.Features[i].Name == name {
			return &d.Features[i]
		}
	}
	return nil
}

// ErrFile is wrapped by every error about the file as a whole.
var ErrFile = errors.New("unusable data file")

// numericTolerance is the share of unparseable values a column may have
// and still be numeric. A column is numeric when every non-missing value is
// a number; but one typo in 30,000 balances should cost one row, not turn
// the balance into a category with 30,000 levels, so up to 1% of text
// values (and always a single one) are rejected as bad rows instead.
const numericTolerance = 0.01

// Read reads a CSV table with a header row. It returns an error wrapping
// ErrFile only when the file cannot be used at all; bad rows are reported
// in Dataset.Issues.
func Read(r io.Reader, opts Options) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // the count is checked here, to report it per row
	cr.ReuseRecord = false
	header, pos, err := readHeader(cr)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Header: header, Text: map[string][]string{}}

	isFeature := make([]bool, len(header))
	featIdx := make([]int, len(header)) // file column -> index in d.Features
	target := -1
	if opts.Target != "" {
		t, ok := pos[opts.Target]
		if !ok {
			return nil, fmt.Errorf("%w: target column %q is not in the header", ErrFile, opts.Target)
		}
		target = t
	}
	excluded := make(map[string]bool, len(opts.Exclude))
	for _, x := range opts.Exclude {
		i, ok := pos[x]
		if !ok {
			return nil, fmt.Errorf("%w: excluded column %q is not in the header", ErrFile, x)
		}
		if i == target {
			return nil, fmt.Errorf("%w: column %q is both the target and excluded", ErrFile, x)
		}
		excluded[x] = true
	}
	addFeature := func(i int, t scoring.FeatureType) {
		isFeature[i] = true
		featIdx[i] = len(d.Features)
		d.Features = append(d.Features, Column{Name: d.Header[i], Type: t})
	}
	if opts.Schema != nil {
		var missing []string
		for _, f := range opts.Schema {
			i, ok := pos[f.Name]
			switch {
			case !ok:
				missing = append(missing, f.Name)
			case i == target:
				return nil, fmt.Errorf("%w: column %q is both the target and a model feature", ErrFile, f.Name)
			case isFeature[i]:
				return nil, fmt.Errorf("%w: the model lists feature %q twice", ErrFile, f.Name)
			default:
				addFeature(i, f.Type)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("%w: the model needs column(s) the file lacks: %s", ErrFile, strings.Join(missing, ", "))
		}
	} else {
		for i, h := range d.Header {
			if i != target && !excluded[h] {
				addFeature(i, "")
			}
		}
	}
	keepCols := map[int][]string{}
	for _, k := range opts.Keep {
		if i, ok := pos[k]; ok {
			keepCols[i] = nil
		}
	}

	// Pass 1: split the file into fields, rejecting rows whose shape or
	// target is wrong. Feature text is kept until types are known.
	raw := make([][]string, len(d.Features))
	if target >= 0 {
		d.Target = []uint8{} // present even with no rows: the file has a target
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				d.Issues = append(d.Issues, Issue{Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error()})
				continue
			}
			return nil, fmt.Errorf("%w: %w", ErrFile, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			d.Issues = append(d.Issues, Issue{Line: line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		if target >= 0 {
			v, reason := parseTarget(rec[target])
			if reason != "" {
				d.Issues = append(d.Issues, Issue{Line: line, Reason: fmt.Sprintf("target %s: %s", opts.Target, reason)})
				continue
			}
			d.Target = append(d.Target, v)
		}
		d.Lines = append(d.Lines, line)
		for i, f := range isFeature {
			if f {
				raw[featIdx[i]] = append(raw[featIdx[i]], rec[i])
			}
		}
		for i, v := range keepCols {
			keepCols[i] = append(v, rec[i])
		}
	}
	for i, v := range keepCols {
		d.Text[d.Header[i]] = v
	}

	if bad := d.parseColumns(raw, opts.Schema == nil); len(bad) > 0 {
		d.drop(bad)
	}
	slices.SortStableFunc(d.Issues, func(a, b Issue) int { return a.Line - b.Line })
	return d, nil
}

// parseColumns turns the raw text of each feature column into values,
// inferring the column's type first when infer is set. It returns the
// kept-row indexes with text in a numeric column, with the reasons for
// each gathered so that a row gets one issue.
func (d *Dataset) parseColumns(raw [][]string, infer bool) map[int][]string {
	bad := map[int][]string{}
	for j := range d.Features {
		c := &d.Features[j]
		if infer {
			c.Type = inferType(raw[j])
			if c.Type == scoring.Numeric {
				if n := countText(raw[j]); n > 0 {
					d.Notes = append(d.Notes, fmt.Sprintf("column %s is numeric; %d row(s) with text in it are rejected", c.Name, n))
				}
			}
		}
		if c.Type == scoring.Numeric {
			c.Num = make([]float64, len(raw[j]))
			for i, s := range raw[j] {
				v, err := scoring.ParseNumber(s)
				if err != nil {
					bad[i] = append(bad[i], fmt.Sprintf("column %s: %q is not a number", c.Name, Clip(s)))
					v = math.NaN()
				}
				c.Num[i] = v
			}
		} else {
			c.Text = make([]string, len(raw[j]))
			for i, s := range raw[j] {
				if !scoring.IsMissing(s) {
					c.Text[i] = strings.TrimSpace(s)
				}
			}
		}
		raw[j] = nil // let the text go as soon as it is parsed
	}
	return bad
}

// readHeader reads and checks the header row and indexes its names.
func readHeader(cr *csv.Reader) ([]string, map[string]int, error) {
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("%w: the file is empty (want a header row)", ErrFile)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: reading the header: %w", ErrFile, err)
	}
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheets write a BOM
		}
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, nil, fmt.Errorf("%w: header column %d has no name", ErrFile, i+1)
		}
		if j, dup := pos[h]; dup {
			return nil, nil, fmt.Errorf("%w: header names column %q twice (columns %d and %d)", ErrFile, h, j+1, i+1)
		}
		pos[h] = i
		header[i] = h
	}
	return header, pos, nil
}

// drop removes the kept rows named in bad, recording them as issues.
func (d *Dataset) drop(bad map[int][]string) {
	for i, reasons := range bad {
		d.Issues = append(d.Issues, Issue{Line: d.Lines[i], Reason: strings.Join(reasons, "; ")})
	}
	keep := func(i int) bool { _, b := bad[i]; return !b }
	d.Lines = filter(d.Lines, keep)
	if d.Target != nil {
		d.Target = filter(d.Target, keep)
	}
	for j := range d.Features {
		c := &d.Features[j]
		if c.Num != nil {
			c.Num = filter(c.Num, keep)
		}
		if c.Text != nil {
			c.Text = filter(c.Text, keep)
		}
	}
	for k, v := range d.Text {
		d.Text[k] = filter(v, keep)
	}
}

func filter[T any](s []T, keep func(int) bool) []T {
	out := s[:0]
	for i, v := range s {
		if keep(i) {
			out = append(out, v)
		}
	}
	return out
}

// parseTarget accepts 0 and 1 in any numeric spelling ("1", "1.0").
func parseTarget(s string) (uint8, string) {
	if scoring.IsMissing(s) {
		return 0, "missing (want 0 or 1)"
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case err == nil && v == 0:
		return 0, ""
	case err == nil && v == 1:
		return 1, ""
	}
	return 0, fmt.Sprintf("%q is not 0 or 1", Clip(s))
}

// inferType makes a column numeric when (nearly) every non-missing value
// parses as a number; see numericTolerance.
func inferType(vals []string) scoring.FeatureType {
	var present, text int
	for _, s := range vals {
		if scoring.IsMissing(s) {
			continue
		}
		present++
		if _, err := scoring.ParseNumber(s); err != nil {
			text++
		}
	}
	if present == 0 || text <= max(1, int(numericTolerance*float64(present))) && text < present-text {
		return scoring.Numeric
	}
	return scoring.Categorical
}

func countText(vals []string) int {
	n := 0
	for _, s := range vals {
		if _, err := scoring.ParseNumber(s); err != nil {
			n++
		}
	}
	return n
}

// Clip shortens a value quoted in a message, so one pasted paragraph in a
// cell does not flood the report: to 40 characters and an ellipsis.
func Clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// Encode returns the encoded column of each feature (see scoring.Encoder):
// numeric columns as they are, categorical columns as category indexes. It
// returns an error naming the first feature the dataset lacks or holds
// with another type.
func (d *Dataset) Encode(features []scoring.Feature) ([][]float64, error) {
	enc := scoring.NewEncoder(features)
	out := make([][]float64, len(features))
	for j, f := range features {
		c := d.Column(f.Name)
		switch {
		case c == nil:
			return nil, fmt.Errorf("dataset has no column %q", f.Name)
		case c.Type != f.Type:
			return nil, fmt.Errorf("column %q is %s in the data but %s in the model", f.Name, c.Type, f.Type)
		case c.Type == scoring.Numeric:
			out[j] = c.Num
		default:
			col := make([]float64, len(c.Text))
			for i, s := range c.Text {
				// Value only fails on numeric features.
				col[i], _ = enc.Value(j, s)
			}
			out[j] = col
		}
	}
	return out, nil
}
