// Package source holds the data-source adapters (数据源): one per source,
// each with a documented record format (its Fields) and the derivation of
// typed signals from a raw record. Adapters are pure; records arrive by
// file import, webhook or pull, all through the same Check and Signals.
package source

import (
	"fmt"

	"daihou/signal"
)

// Kind is the type of a record field.
type Kind uint8

// Field kinds: every value arrives as text (a CSV cell, a JSON string or
// number) and is checked against its kind.
const (
	Text   Kind = iota + 1 // free text, at most 256 characters
	Int                    // a whole number ≥ 0 (negative too if Field.Signed), at most MaxInt
	Amount                 // money in yuan with at most 2 decimals ("1234.50"), ≥ 0, at most MaxAmount fen
	Date                   // YYYY-MM-DD
	Month                  // YYYY-MM
	Enum                   // one of Field.Values
)

// String names the kind as the record formats in the README do.
func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Int:
		return "whole number"
	case Amount:
		return "amount"
	case Date:
		return "date"
	case Month:
		return "month"
	case Enum:
		return "enum"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Field is one field of a source's record format.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	Values   []string // the allowed values of an Enum
	Doc      string   // what it is, for the README's format table
	// Signed lets an Int be negative (a leading '-'): a custom measure
	// may be a change or a balance, where counts never are.
	Signed bool
	// Personal marks personal data (a counterparty's name): errors say
	// what is wrong with it but never quote it, so they can go to logs.
	Personal bool
}

// Adapter is one data source.
type Adapter interface {
	// Name is the source's name (signal.Bureau …): the --source of an
	// import and the path of its webhook.
	Name() string
	// Title says what the source is, in English and Chinese.
	Title() string
	// Fields is the record format beyond the fields every record has
	// (id, borrower or id_number, date). The slice may be shared: callers
	// must not modify it.
	Fields() []Field
	// Signals derives the signals of a record that passed Check, with
	// Borrower and Known left zero (the store knows them). An error names
	// the field and the rule a value breaks that the field kinds cannot
	// express (a rule between fields); the built-in adapters return it as
	// Check does, a *RecordError inside a daihou.EINVALID error.
	Signals(r *signal.Record) ([]signal.Signal, error)
}
