// Package stream scores a CSV file with a model as fast as the machine
// reads it (批量评分): the file is cut into blocks at record boundaries,
// blocks are parsed, encoded and scored on every core at once, and the
// scored rows are written in file order as soon as each block is done, so
// memory stays bounded by a few blocks whatever the file's size.
//
// Parsing follows encoding/csv (RFC 4180 quotes, CRLF, blank lines
// skipped) and the dataset reader's rules for values (missing spellings,
// finite numbers only, unknown categories), and reports a rejected row by
// its line as the dataset reader does, so `daihou model score` and
// `daihou model eval` agree on every row. The hand-written reader is fuzzed
// against encoding/csv, and the number parser against strconv.
package stream
