// Package pii protects borrowers' personal data (个人信息) — name, ID number
// (身份证号), phone, address — as 《个人信息保护法》 asks: encrypted at rest,
// found by exact match without decrypting, and shown masked unless the
// viewer's role needs it plain.
//
// # Encryption
//
// Each field is sealed with AES-256-GCM under the current key of a KeyRing,
// with a random 96-bit nonce and the field's name as associated data, so a
// value copied into another column does not open. A sealed value is text:
//
//	e<version>:<base64url(nonce ‖ ciphertext ‖ tag)>      e.g. e2:q8Zr…
//
// The version prefix says which key opens it, so a ring holding the old and
// the new key reads both while `daihou key rotate` re-seals row by row; the
// store can even select what is left to rotate with NOT LIKE 'e2:%'. An
// empty value stays empty: absence is not a secret (an empty ciphertext
// would show it by its length anyway), and imports, NULL handling and
// "has a phone" filters keep working on the stored column.
//
// A key encrypts at most 2^32 values (the bound for random 96-bit nonces):
// 1,000,000 borrowers × 4 fields, re-sealed at each rotation, are 0.1 % of
// it.
//
// # Search
//
// Search returns HMAC-SHA256 of the field's normalised value (Normalize: ID
// numbers upper-cased, phones reduced to digits without +86, names and
// addresses with their spaces collapsed) under a search key, as
//
//	s<version>:<base64url(mac)>
//
// for an indexed column that exact-match look-ups compare against. During a
// rotation SearchAll gives the value under every key of the ring, for WHERE
// … IN (…).
//
// # Keys
//
// Each key version is 32 random bytes (the master). The AES key and the
// search key are derived from it with HKDF-SHA256 (RFC 5869) under distinct
// labels, so one secret per version is all an operator keeps, and a leak of
// search hashes says nothing about the AES key. HKDF comes from the
// standard library's crypto/hkdf, which golang.org/x/crypto/hkdf itself
// wraps since Go 1.24.
//
// Keys come from DAIHOU_KEY or from a key file beside the database (see
// ParseKeys for the format and LoadKeys for the order). Key material never
// appears in an error, in String, or in any fmt verb or log record of a
// KeyRing.
//
// # Masking
//
// Mask shows a value with most of it hidden — 110***********1234,
// 138****5678, 张*, 广东省深圳市**** — and Policy decides per role whether a
// field is shown plain or masked, masked for any role or field it does not
// know. Seeing a value plain beyond the policy is an act of its own
// (auth.RevealPersonalData), which the caller records in the audit trail.
package pii
