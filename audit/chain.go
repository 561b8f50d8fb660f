package audit

import (
	"crypto/sha256"
	"time"
)

// Head is where a chain stands: the last entry's sequence number and hash.
// The store keeps it apart from the entries, and updates it in the same
// transaction as each append, so that VerifyHead can tell a cut tail.
type Head struct {
	Seq  int64
	Hash Hash
}

// genesisHash is the hash before the first entry.
var genesisHash = Hash(sha256.Sum256([]byte(magic + " genesis")))

// Genesis returns the head of an empty chain.
func Genesis() Head { return Head{Seq: 0, Hash: genesisHash} }

// Chain appends entries to a hash chain. It holds only the head, so the
// store builds one from the stored head inside each transaction; a Chain
// kept across transactions would run ahead of the database after a
// rollback. A Chain is not safe for concurrent use: appends to one trail
// are serialised by the store's lock on the head.
type Chain struct {
	head Head
	buf  []byte
}

// NewChain returns a chain that continues from head (Genesis() for an
// empty trail).
func NewChain(head Head) *Chain { return &Chain{head: head} }

// Head returns the chain's head: the last appended entry's.
func (c *Chain) Head() Head { return c.head }

// Next returns e as the chain's next entry and advances the head: Seq, Prev
// and Hash are filled, whatever e held in them. Time is kept to the
// microsecond in UTC, and each text field made storable (invalid UTF-8 and
// NUL bytes become U+FFFD), so the entry hashes the same when read back
// from either database. The caller sets the other fields: Actor, Action,
// Object, BusinessDate, Time (from its clock), Change and Detail.
func (c *Chain) Next(e Entry) Entry {
	e.Seq = c.head.Seq + 1
	e.Prev = c.head.Hash
	e.Time = time.UnixMicro(e.Time.UnixMicro()).UTC()
	e.Actor, e.Action, e.Object, e.Detail = storable(e.Actor), storable(e.Action), storable(e.Object), storable(e.Detail)
	c.buf = e.AppendCanonical(c.buf[:0])
	e.Hash = sha256.Sum256(c.buf)
	c.head = Head{Seq: e.Seq, Hash: e.Hash}
	return e
}
