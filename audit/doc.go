// Package audit is daihou's tamper-evident audit trail (审计留痕): one hash
// chain of entries, each recording who did what to which object on which
// business date, a digest of the change, and the hash of the entry before
// it. Editing, deleting, inserting or re-ordering any entry breaks the
// chain at that entry, and Verify names it.
//
// The package is pure. The store keeps the entries and the chain's head
// (the last sequence number and hash) and, in the same transaction as each
// change, reads the head, lets Chain.Next fill the new entry's sequence
// number, previous hash and hash, inserts the entry and writes the new head.
// Bulk work appends one entry per file or per business date with its counts
// in Detail and the digest of its content in Change.
//
// # Encoding
//
// An entry's hash is SHA-256 over its canonical encoding, in this order:
//
//	"daihou-audit-v1"     15 bytes, the format and its version
//	Seq                   8 bytes, big-endian two's complement
//	Prev                  32 bytes
//	Time                  8 bytes, big-endian, Unix microseconds
//	BusinessDate          4 bytes, big-endian, days since 1970-01-01
//	Actor, Action, Object 4-byte big-endian length, then the UTF-8 bytes
//	Change                32 bytes
//	Detail                4-byte big-endian length, then the UTF-8 bytes
//
// Length prefixes make the encoding unambiguous — no value can shift bytes
// into its neighbour, whatever it contains — and fixed widths leave nothing
// to choose. JSON was the alternative, but its escapes, number formats and
// key order each have more than one spelling, so an auditor re-implementing
// the check in another language would have to match one encoder's choices
// byte for byte; this encoding fits in a paragraph. Microseconds are what
// PostgreSQL's timestamptz keeps, so a time read back from either database
// hashes as it did when written.
//
// The chain starts from Genesis, whose hash is SHA-256("daihou-audit-v1
// genesis"). Truncating the tail of a chain leaves a valid shorter chain:
// only VerifyHead, against the head the store keeps apart from the
// entries, detects it. Anyone who can rewrite both the entries and the head
// can rewrite history; publishing the head now and then (in a report, a
// signed e-mail, a regulator's filing) is what anchors it.
package audit
