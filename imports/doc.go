// Package imports reads the loan and payment files that core banking
// delivers (贷款台账 / 还款流水 exports) for `daihou import loans|payments
// FILE`. It is the parsing layer only: it turns the bytes of a CSV or JSON
// Lines file into typed, validated rows and leaves posting them to storage.
//
// Two promises matter to the post-loan team (贷后) who run these imports:
//
//   - A bad row never stops the good ones and is never lost. Every rejected
//     row comes back as a Reject with its physical line number, a reason that
//     names the field, and the raw text, so WriteRejects can write the
//     quarantine file (FILE.rejects.csv) that the operator fixes and
//     re-imports.
//   - A file that is broken as a whole — wrong header, not UTF-8 (typically
//     GBK/GB18030 from Excel on Chinese Windows), cut off in transfer, or
//     empty — yields one error and no rows at all, so the caller posts
//     nothing rather than half a file. The errors wrap ErrBadHeader,
//     ErrBadEncoding, ErrTruncated and ErrEmpty and carry the
//     daihou.EINVALID code.
//
// The formats, as core banking should produce them:
//
//   - CSV (.csv): UTF-8, a header line naming the columns in any order
//     (exact lower-case names; LoanRow and PaymentRow list them), RFC 4180
//     quoting, LF or CRLF line endings. Blank lines, and the ",,,," rows
//     Excel leaves behind, carry no data and are skipped.
//   - JSON Lines (.jsonl, .ndjson): one object per line keyed by the same
//     names. Text, dates and rates are JSON strings; an amount or the term
//     may also be a JSON number, read from its literal text, never through
//     a float. null means absent; keys not in the list reject the row.
//
// Fields are trimmed of surrounding white space (including the full-width
// space U+3000) before they are checked.
//
// Validation here is what can be checked from the file alone: syntax,
// ranges, identity-number check digits, and duplicate loan numbers within
// one loans file. Whether a loan exists, or a payment reference was already
// posted (the idempotency key: re-delivering a file must post nothing
// twice), is the storage's job, so duplicate payment references are left in
// the rows.
//
// The payments parser sits on the bulk-import path (target: over 50,000
// payments/s end to end), so the hot loop allocates one string per row and
// slices every kept field out of it; money and dates are parsed without fmt
// or regexp, and fmt appears only when a reason is written.
package imports
