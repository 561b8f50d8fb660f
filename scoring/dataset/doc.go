// Package dataset reads a modelling table (建模宽表) from CSV into typed
// columns: numeric columns as float64 with NaN for missing, categorical
// columns as trimmed text, the binary target (目标变量, 1 = bad 坏客户) as
// bytes. It infers column types from the data when training and follows a
// model's feature list when evaluating or scoring.
//
// Real extracts are dirty, so a bad row never stops the read: a row with
// the wrong number of fields, text in a numeric column or a target other
// than 0/1 is skipped and reported as an Issue naming its line, and every
// good row is kept. Only problems with the file as a whole (no header, a
// missing target column) are errors.
package dataset
