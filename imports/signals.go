package imports

import (
	"errors"
	"io"

	"daihou"
	"daihou/signal"
	"daihou/source"
)

// SignalRow is one record of a signals file (a data source's delivery:
// credit-bureau summaries, court events, bank-statement transactions …)
// that passed source.Check and its adapter's rules, with the signals it
// yields. The record is normalised (source.Normalize), so its Hash is the
// same whichever format it came in.
type SignalRow struct {
	Line    int           // line the row starts on, for messages and the audit trail
	Record  signal.Record // Source is the adapter's name; Fields holds the values given, absent ones left out
	Signals []signal.Signal
}

// SignalFile is a parsed signals file.
type SignalFile struct {
	Rows    []SignalRow // valid rows, in file order
	Rejects []Reject    // rejected rows, in file order
	Summary             // Total is always 0: a signals file has no money column to total
}

// Columns every signals file has, before the source's own.
const (
	sID = iota
	sBorrower
	sIDNumber
	sDate
	sFields // the first of the source's fields
)

// signalSchema builds the file type of a source at run time: the common
// columns, then the source's fields with their kinds, which decide the
// JSON value types a key takes (a whole number or an amount may be a JSON
// number). borrower and id_number are both optional columns, since a
// source sends one or the other; that a row gives exactly one is
// source.Check's rule.
func signalSchema(a source.Adapter) (*schema, error) {
	fields := a.Fields()
	if len(fields) > maxFields-sFields {
		return nil, daihou.Errorf(daihou.EINTERNAL, "imports: the %s source has %d fields, and a signals file holds at most %d", a.Name(), len(fields), maxFields-sFields)
	}
	cols := []column{
		sID:       {source.FieldID, kindText, true},
		sBorrower: {source.FieldBorrower, kindText, false},
		sIDNumber: {source.FieldIDNumber, kindText, false},
		sDate:     {source.FieldDate, kindDate, true},
	}
	seen := map[string]bool{trailerKey: true}
	for _, c := range cols {
		seen[c.name] = true
	}
	for _, f := range fields {
		if seen[f.Name] {
			return nil, daihou.Errorf(daihou.EINTERNAL, "imports: the %s source's field %q is a name a signals file already uses", a.Name(), f.Name)
		}
		seen[f.Name] = true
		k := kindText
		switch f.Kind {
		case source.Int:
			k = kindInt
		case source.Amount:
			k = kindAmount
		case source.Date, source.Month:
			k = kindDate
		}
		cols = append(cols, column{f.Name, k, f.Required})
	}
	return newSchema(a.Name(), cols, noTotal, false), nil
}

// ParseSignalsFile reads a signals file of the source a, in format f:
// columns (CSV) or keys (JSON Lines) id, borrower, id_number, date, then
// the source's fields (source.Markdown documents them); optional columns
// may be left out of the header. Each row is a signal.Record with Source
// a.Name(), checked with source.Check and turned into signals by
// a.Signals; a row that fails either is a Reject with every reason at
// once, the rows around it kept. Signals files have no total, so a
// trailer states rows only and opts.ExpectTotal is refused.
//
// If the file as a whole is malformed or does not match its trailer or
// opts, ParseSignalsFile returns only an error wrapping ErrBadHeader,
// ErrBadEncoding, ErrTruncated, ErrEmpty, ErrBadTrailer,
// ErrControlMismatch or ErrUnknownFormat; a failure to read r is returned
// wrapped as it is.
func ParseSignalsFile(r io.Reader, f Format, a source.Adapter, opts ParseOptions) (SignalFile, error) {
	s, err := signalSchema(a)
	if err != nil {
		return SignalFile{}, err
	}
	fields := a.Fields()
	rows, rejects, sum, err := parseRows(r, f, s, opts, func(x *row) SignalRow {
		rec := signal.Record{
			Source:   a.Name(),
			ID:       x.val[sID],
			Borrower: x.val[sBorrower],
			IDNumber: x.val[sIDNumber],
			Fields:   make(map[string]string, len(fields)),
		}
		// reported holds the columns whose reason is already in the
		// row (a JSON value of the wrong type, a date that is not
		// one), so that Check, seeing them empty, does not add
		// "required" to it.
		reported := x.bad
		if v := x.val[sDate]; v != "" && reported&(1<<sDate) == 0 {
			if d, ok := fastDate(v); ok {
				rec.Date = d
			} else {
				x.fail(sDate, badDate(v))
				reported |= 1 << sDate
			}
		}
		for i, fl := range fields {
			if col := sFields + i; x.val[col] != "" && reported&(1<<col) == 0 {
				rec.Fields[fl.Name] = x.val[col]
			}
		}
		for _, p := range problems(source.Check(a, &rec)) {
			col, ok := s.index[p.Field]
			switch {
			case ok && reported&(1<<col) != 0:
			case p.Field == source.FieldBorrower && rec.Borrower == "" && reported&(1<<sIDNumber) != 0:
				// "give borrower or id_number", when id_number
				// was given but unreadable.
			default:
				x.errs = append(x.errs, p.Error())
			}
		}
		var sigs []signal.Signal
		if x.ok() {
			source.Normalize(a, &rec)
			var err error
			if sigs, err = a.Signals(&rec); err != nil {
				for _, p := range problems(err) {
					x.errs = append(x.errs, p.Error())
				}
			}
		}
		return SignalRow{Line: x.line, Record: rec, Signals: sigs}
	})
	return SignalFile{Rows: rows, Rejects: rejects, Summary: sum}, err
}

// problems lists the fields an adapter's error names; an error that is
// not a source.RecordError is one problem of the whole record.
func problems(err error) []source.FieldError {
	if err == nil {
		return nil
	}
	var re *source.RecordError
	if errors.As(err, &re) && len(re.Problems) > 0 {
		return re.Problems
	}
	return []source.FieldError{{Field: "record", Reason: err.Error()}}
}
