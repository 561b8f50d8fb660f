// Package imports reads the loan and payment files that core banking
// delivers (贷款台账 / 还款流水 exports) for `daihou import loans|payments
// FILE`. It is the parsing layer only: it turns the bytes of a CSV or JSON
// Lines file into typed, validated rows and leaves posting them to storage.
//
// Two promises matter to the post-loan team (贷后) who run these imports:
//
//   - A bad row never stops the good ones and is never lost. Every rejected
//     row comes back as a Reject with its physical line number, a reason that
//     names the field, says what is wrong and what to write instead, and the
//     raw text, so WriteRejects can write the quarantine file
//     (FILE.rejects.csv) that the operator fixes and re-imports.
//   - A file that is broken as a whole — wrong header, not UTF-8 (typically
//     GBK/GB18030 from Excel on Chinese Windows), empty, or not matching its
//     control figures — yields one error and no rows at all, so the caller
//     posts nothing rather than half a file. The errors wrap ErrBadHeader,
//     ErrBadEncoding, ErrTruncated, ErrEmpty, ErrBadTrailer and
//     ErrControlMismatch and carry the daihou.EINVALID code.
//
// ParseLoansFile and ParsePaymentsFile take ParseOptions (the row count and
// total the sender stated elsewhere) and return the rows, the rejects and
// a Summary; ParseLoans and ParsePayments are the same without options.
//
// Validation here is what can be checked from the file alone: syntax,
// ranges, identity-number check digits, duplicate loan numbers within one
// loans file, and the file's control figures. Whether a loan exists, or a
// payment reference was already posted (the idempotency key: re-delivering
// a file must post nothing twice), is the storage's job, so duplicate
// payment references are left in the rows.
//
// The payments parser sits on the bulk-import path (target: over 50,000
// payments/s end to end), so the hot loop allocates one string per row and
// slices every kept field out of it; money and dates are parsed without fmt
// or regexp, and fmt appears only when a reason is written.
//
// # File formats
//
// CSV (.csv): UTF-8 (a byte-order mark at the start is allowed), a header
// line naming the columns in any order (exact lower-case names, surrounding
// spaces ignored), RFC 4180 quoting (a field holding a comma, a quote or a
// line break is quoted with ", and a quote inside it is doubled: "a""b"),
// LF or CRLF line endings. Blank lines, and the ",,,," rows Excel leaves
// behind, carry no data and are skipped.
//
// JSON Lines (.jsonl, .ndjson): UTF-8, one JSON object per line, keyed by
// the same names as the CSV columns. Text, dates and rates are JSON
// strings; an amount or the term may also be a JSON number, read from its
// literal text, never through a binary float. null means absent. A key that
// is not a column, or a key given twice, rejects the row.
//
// Every value is trimmed of surrounding white space (including the
// full-width space U+3000) before it is checked.
//
// # Loans file (贷款台账)
//
//   - loan_id (required): the loan number, up to 64 of A-Z a-z 0-9 _ - .;
//     a loan appears once per file (the second appearance is rejected).
//   - borrower_id (required): text, up to 64 characters.
//   - borrower_name: text, up to 100 characters.
//   - id_number: the 18-character resident identity number (居民身份证号码,
//     GB 11643): 17 digits and a check digit 0-9 or X (x is accepted and
//     stored as X); a valid birth date in digits 7 to 14.
//   - phone: an 11-digit mainland mobile number starting with 13 to 19;
//     a leading +86 (with or without a space or hyphen) is dropped.
//   - product (required): the product code, as loan_id.
//   - principal (required): an amount greater than 0.
//   - rate (required): the annual contract rate as a decimal fraction,
//     0 to 0.36 ("0.0435" for 4.35 %), at most 10 decimals.
//   - term (required): whole months, 1 to 480.
//   - method: the repayment method (还款方式) if not the product's:
//     equal-installment (等额本息), equal-principal (等额本金),
//     interest-only (先息后本, 按月付息到期还本) or bullet (到期一次还本付息).
//   - disbursement_date (required): a date.
//   - branch, officer, region: text, up to 64 characters each.
//
// borrower_name, id_number and phone are personal data: reasons name
// what is wrong with them but never quote them.
//
// # Payments file (还款流水)
//
//   - loan_id (required): the loan number, as in the loans file.
//   - value_date (required): a date; it may be in the past (a back-dated
//     payment).
//   - amount (required): an amount greater than 0.
//   - channel: text, up to 64 characters (bank-transfer, withholding,
//     counter, …).
//   - reference (required): text, up to 128 characters: the payment's
//     idempotency key.
//
// # Signals files (数据源记录)
//
// ParseSignalsFile reads the records a data source delivers — credit
// bureau summaries, court events, bank-statement transactions …; package
// source has one adapter per source, and source.Markdown documents every
// format. The columns are id, borrower or id_number, date, then the
// source's fields; optional ones may be left out of the header. Each row
// becomes a signal.Record checked by source.Check and turned into signals
// by the adapter, so its reasons are the source's, and the record is
// normalised (source.Normalize) so that it hashes the same from CSV and
// JSON Lines. A signals file has no money column to total: its trailer
// states rows only (#trailer,rows=N; {"trailer":{"rows":N}}) and
// ParseOptions.ExpectTotal is refused.
//
// # Values
//
//   - Amount: major units (yuan) in ASCII digits with an optional decimal
//     point and at most 2 decimals (1234.50, 1234.5, 1234), at most 16
//     digits before the point, an optional leading +. No thousands
//     separators, exponent, currency sign or full-width digits; a reason
//     gives the corrected value when there is one (write 1000.00).
//   - Date: YYYY-MM-DD, a day that exists (2024-02-29, not 2023-02-29 or
//     2026-02-30), 1900 or later.
//   - Text: printable characters. Control characters (tab, line break,
//     NUL), invisible formatting characters (zero-width space, byte-order
//     mark, direction marks and overrides) and U+FFFD, the mark of a
//     character lost in a conversion, reject the row: invisible characters
//     make two values that look the same differ, which for a reference
//     means a payment posted twice.
//
// # Trailer (控制记录)
//
// A file may end with a trailer: a record in which the sender states how
// many data rows the file holds and what their amounts add up to. In CSV
// it is a line whose first field is #trailer (in any case), followed by
// name=value fields in any order, empty fields being ignored:
//
//	#trailer,rows=1234,total=567890.12
//
// In JSON Lines it is an object whose one key is "trailer"; rows is a JSON
// number or a string of digits, total a string or a number:
//
//	{"trailer":{"rows":1234,"total":"567890.12"}}
//
// rows is required; total is required in a payments file (the sum of the
// amount column) and optional in a loans file (the sum of principal). The
// trailer must be the last record: only blank lines may follow it, so two
// files joined together are refused. It must end with a line end like any
// other line. A trailer that is malformed or misplaced refuses the file
// with ErrBadTrailer; one without a line end with ErrTruncated.
//
// # Control figures
//
// A file's data rows are every record other than blank lines, the CSV
// header and the trailer: valid and rejected rows alike. Its total is the
// sum of the money column (amount; principal for loans) over every data
// row whose value in that column is an amount as defined above, whether the
// row is valid or rejected and whatever its sign: "-5.00" in a rejected row
// adds -5.00, while "1,000.00", an empty value or a row that could not be
// split into fields adds nothing. Summary reports both.
//
// When the file has a trailer, and when the caller gives
// ParseOptions.ExpectRows or ExpectTotal, the figures must match exactly;
// any difference refuses the whole file with ErrControlMismatch, whose
// message names both figures (and the lines whose amount could not be
// read, which may explain a difference in the total). With
// ParseOptions.RequireTrailer a file without a trailer is refused with
// ErrBadTrailer.
//
// # The end of the file
//
// A file ends with a line end after its last line; a CRLF file ends with
// CRLF; blank lines at the end are fine. A last data row without a line
// end may have been cut off in transfer (2000.00 arriving as 20 passes
// every other check), so it is rejected, with a reason saying so, and
// Summary.Unterminated names its line; every row before it is kept. A file
// cut off inside a multi-byte character has the character shown as U+FFFD
// in the rejected row's raw text. A header or a trailer without a line end
// refuses the file with ErrTruncated, since nothing after it can be
// trusted. A cut exactly at a line end leaves nothing to see: only a
// trailer (required with RequireTrailer) or the caller's expectations
// detect it.
package imports
