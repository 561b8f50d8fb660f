// Package source holds the data-source adapters (数据源): one per source,
// each with a documented record format (its Fields) and the derivation of
// typed signals from a raw record. Adapters are pure; records arrive by
// file import, webhook or pull, all through the same Check and Signals.
package source

import (
	"daihou/signal"
)

// Kind is the type of a record field.
type Kind uint8

// Field kinds: every value arrives as text (a CSV cell, a JSON string or
// number) and is checked against its kind.
const (
	Text   Kind = iota + 1 // free text, at most 256 characters
	Int                    // a whole number ≥ 0
	Amount                 // money in yuan with at most 2 decimals ("1234.50"), ≥ 0
	Date                   // YYYY-MM-DD
	Month                  // YYYY-MM
	Enum                   // one of Field.Values
)

// Field is one field of a source's record format.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	Values   []string // the allowed values of an Enum
	Doc      string   // what it is, for the README's format table
}

// Adapter is one data source.
type Adapter interface {
	// Name is the source's name (signal.Bureau …): the --source of an
	// import and the path of its webhook.
	Name() string
	// Title says what the source is, in English and Chinese.
	Title() string
	// Fields is the record format beyond the fields every record has
	// (id, borrower or id_number, date).
	Fields() []Field
	// Signals derives the signals of a record that passed Check, with
	// Borrower and Known left zero (the store knows them). An error names
	// the field and the rule a value breaks that the field kinds cannot
	// express.
	Signals(r *signal.Record) ([]signal.Signal, error)
}
