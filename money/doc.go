// Package money holds exact amounts and rates. An Amount is an integer
// number of minor units (分 fen for CNY, cents for USD); a Rate is an exact
// decimal fixed-point number. There is no float64 anywhere on the money
// path: every product of an amount and a rate goes through MulDiv with an
// explicit rounding mode, so the same inputs always give the same cents.
package money
