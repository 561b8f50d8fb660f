package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/civil"
)

// Hash is a SHA-256 digest: an entry's hash, the previous entry's, or the
// digest of a change.
type Hash [sha256.Size]byte

// String returns h in lower-case hexadecimal.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zeros (no digest given).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText returns h in hexadecimal, for JSON and the store's text
// columns.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText parses h from hexadecimal, as ParseHash does.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ErrBadHash is returned (inside a daihou.Error with code EINVALID) by
// ParseHash for text that is not 64 hexadecimal digits.
var ErrBadHash = errors.New("not a SHA-256 hash")

// ParseHash parses 64 hexadecimal digits (either case) into a Hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return Hash{}, daihou.Errorf(daihou.EINVALID, "%w: want 64 hexadecimal digits, got %d characters", ErrBadHash, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, daihou.Errorf(daihou.EINVALID, "%w: %v", ErrBadHash, err)
	}
	return h, nil
}

// Digest returns the SHA-256 of a change's canonical bytes, for
// Entry.Change. For a file (an import) it is the file's own SHA-256, so an
// auditor can check it with sha256sum.
func Digest(b []byte) Hash { return sha256.Sum256(b) }

// DigestFields returns the digest of a change given as fields (e.g. a
// posting's loan, kind, value date, amount and reference), each written with
// its length as in the entry encoding, so that no two lists of fields share
// a digest.
func DigestFields(fields ...string) Hash {
	var buf []byte
	for _, f := range fields {
		buf = appendString(buf, f)
	}
	return sha256.Sum256(buf)
}

// Entry is one record of the audit trail.
type Entry struct {
	// Seq is the entry's position in the chain, from 1.
	Seq int64 `json:"seq"`
	// Actor is who acted, as auth.Actor.String() gives it: user:alice,
	// token:core-banking, system:eod, local.
	Actor string `json:"actor"`
	// Action is what was done, e.g. repayment.post, import.payments,
	// eod.run, user.manage.
	Action string `json:"action"`
	// Object is what it was done to, e.g. loan:42, import:payments,
	// eod:2026-06-15, user:bob (see Object).
	Object string `json:"object"`
	// BusinessDate is the book's business date when it was done.
	BusinessDate civil.Date `json:"business_date"`
	// Time is the wall-clock time, kept to the microsecond.
	Time time.Time `json:"time"`
	// Change is the digest of the change (Digest, DigestFields); zero when
	// there is nothing beyond the other fields.
	Change Hash `json:"change"`
	// Detail is a short account for people: counts, amounts, a reason.
	Detail string `json:"detail"`
	// Prev is the previous entry's hash (Genesis's for the first).
	Prev Hash `json:"prev"`
	// Hash is this entry's hash: SHA-256 of its canonical encoding.
	Hash Hash `json:"hash"`
}

// magic starts every encoded entry: the format and its version.
const magic = "daihou-audit-v1"

// AppendCanonical appends e's canonical encoding (see the package
// documentation), which its hash is taken over, to dst. Hash itself is not
// part of it.
func (e *Entry) AppendCanonical(dst []byte) []byte {
	dst = append(dst, magic...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.Seq))
	dst = append(dst, e.Prev[:]...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.Time.UnixMicro()))
	dst = binary.BigEndian.AppendUint32(dst, uint32(int32(e.BusinessDate)))
	dst = appendString(dst, e.Actor)
	dst = appendString(dst, e.Action)
	dst = appendString(dst, e.Object)
	dst = append(dst, e.Change[:]...)
	dst = appendString(dst, e.Detail)
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

// ComputeHash returns the hash e's fields give, which a sound entry
// records in Hash.
func (e *Entry) ComputeHash() Hash {
	var buf [512]byte
	return sha256.Sum256(e.AppendCanonical(buf[:0]))
}

// String describes e in one line, for logs and tamper reports.
func (e Entry) String() string {
	return fmt.Sprintf("#%d %s %s %s %s %s", e.Seq, e.BusinessDate, e.Time.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Object)
}

// storable returns s as a database text column keeps it: valid UTF-8
// without NUL bytes (PostgreSQL refuses both), so that what is hashed is
// what is read back.
func storable(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// LoanObject returns the object of an entry about loan id: loan:42.
func LoanObject(id int64) string { return "loan:" + strconv.FormatInt(id, 10) }

// EODObject returns the object of a close of business: eod:2026-06-15.
func EODObject(d civil.Date) string { return "eod:" + d.String() }

// Object returns kind:id, the form of every object (user:bob,
// import:payments, product:HOUSING, key:2).
func Object(kind, id string) string { return kind + ":" + id }
