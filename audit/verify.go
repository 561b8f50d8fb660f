package audit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"

	"daihou"
)

// Tamper is a kind of tampering Verify reports.
type Tamper string

// The kinds of tampering.
const (
	// Edited: an entry's fields no longer give its hash, or an entry no
	// longer links to the one before it (one of them was changed and its
	// hash recomputed).
	Edited Tamper = "edited"
	// Deleted: entries are missing from the middle of the chain.
	Deleted Tamper = "deleted"
	// Inserted: an entry that was never appended stands in the chain.
	Inserted Tamper = "inserted"
	// Reordered: an entry stands after one that should follow it.
	Reordered Tamper = "reordered"
	// Truncated: entries are missing from the end (VerifyHead only).
	Truncated Tamper = "truncated"
)

// ErrTampered is in the chain of every error Verify and VerifyHead return
// for a broken chain.
var ErrTampered = errors.New("audit trail tampered with")

// TamperError says where a chain breaks: the first entry that was edited,
// deleted, inserted or re-ordered.
type TamperError struct {
	Kind Tamper
	// Seq is the sequence number at which the chain breaks: the position
	// where the first wrong (or missing) entry stands.
	Seq int64
	// Expected and Found say what should stand there and what does.
	Expected string
	Found    string
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("audit trail %s at entry %d: expected %s, found %s", e.Kind, e.Seq, e.Expected, e.Found)
}

// Unwrap returns ErrTampered.
func (e *TamperError) Unwrap() error { return ErrTampered }

// Verifier checks a chain one entry at a time, for stores that read the
// trail in pages. Add entries in sequence order, then call Finish.
//
// To tell a re-ordering from a deletion, and an inserted entry from an
// edited one, the Verifier looks one entry ahead: an error may be returned
// by the Add after the entry it names, or by Finish. Once it has returned an
// error it returns the same error for ever.
type Verifier struct {
	head    Head
	suspect bool  // pending holds a suspect entry, judged by the next one
	pending Entry // (by value: a pointer would move every entry to the heap)
	gap     bool  // pending is sound but numbered past a gap
	err     error
	n       int64
	buf     []byte
}

// NewVerifier returns a Verifier that checks entries following from (Genesis()
// for a whole trail, or a head verified before, to check only what came
// after it).
func NewVerifier(from Head) *Verifier { return &Verifier{head: from} }

// Head returns the last entry verified so far.
func (v *Verifier) Head() Head { return v.head }

// Count returns how many entries were verified so far.
func (v *Verifier) Count() int64 { return v.n }

func (v *Verifier) hash(e *Entry) Hash {
	v.buf = e.AppendCanonical(v.buf[:0])
	return sha256.Sum256(v.buf)
}

// follows reports whether e is exactly the entry expected after the head.
func (v *Verifier) follows(e *Entry) bool {
	return e.Seq == v.head.Seq+1 && e.Prev == v.head.Hash && v.hash(e) == e.Hash
}

// Add checks the next entry. It returns nil, or an error wrapping a
// *TamperError (code ECONFLICT: the stored trail disagrees with itself).
func (v *Verifier) Add(e Entry) error {
	if v.err != nil {
		return v.err
	}
	want := v.head.Seq + 1
	if v.suspect {
		v.suspect = false
		p := &v.pending
		next := v.follows(&e)
		switch {
		case v.gap && next:
			return v.fail(Reordered, want, fmt.Sprintf("entry %d before entry %d", want, p.Seq), fmt.Sprintf("entry %d after entry %d", want, p.Seq))
		case v.gap:
			return v.fail(Deleted, want, fmt.Sprintf("entry %d after entry %d", want, v.head.Seq), missing(v.head.Seq, p.Seq))
		case next:
			return v.fail(Inserted, want, fmt.Sprintf("entry %d after entry %d", want, v.head.Seq), fmt.Sprintf("an extra entry %s before it, whose fields do not give its hash", p))
		default:
			return v.edited(p)
		}
	}
	if v.follows(&e) {
		v.head = Head{Seq: e.Seq, Hash: e.Hash}
		v.n++
		return nil
	}
	sound := v.hash(&e) == e.Hash
	switch {
	case !sound:
		v.suspect, v.pending, v.gap = true, e, false // edited, unless the next entry shows it was inserted
		return nil
	case e.Seq == want:
		return v.brokenLink(&e)
	case e.Seq > want && e.Prev == v.head.Hash:
		return v.fail(Edited, want, fmt.Sprintf("entry %d", want), fmt.Sprintf("it numbered %d: its number was changed and its hash recomputed", e.Seq))
	case e.Seq > want:
		v.suspect, v.pending, v.gap = true, e, true // deleted, unless the next entry shows a re-ordering
		return nil
	case e.Seq == v.head.Seq && e.Hash == v.head.Hash:
		return v.fail(Inserted, want, fmt.Sprintf("entry %d", want), fmt.Sprintf("entry %d a second time", e.Seq))
	default:
		return v.fail(Inserted, e.Seq, fmt.Sprintf("one entry numbered %d", e.Seq), fmt.Sprintf("a second entry %d after entry %d: one of the two was inserted", e.Seq, v.head.Seq))
	}
}

// Finish judges a suspect last entry and returns the Verifier's error, or
// nil if every entry added is sound.
func (v *Verifier) Finish() error {
	if v.err != nil {
		return v.err
	}
	if v.suspect {
		v.suspect = false
		p := &v.pending
		if v.gap {
			return v.fail(Deleted, v.head.Seq+1, fmt.Sprintf("entry %d after entry %d", v.head.Seq+1, v.head.Seq), missing(v.head.Seq, p.Seq))
		}
		return v.edited(p)
	}
	return nil
}

func (v *Verifier) edited(p *Entry) error {
	return v.fail(Edited, v.head.Seq+1, fmt.Sprintf("entry %d whose fields give its hash %s", v.head.Seq+1, p.Hash),
		fmt.Sprintf("entry %s whose fields hash to %s", p, v.hash(p)))
}

// brokenLink reports a sound entry that does not link to the one before
// it. Either could be the forgery; it names the earlier, because an entry
// edited and re-hashed leaves exactly this break after it, while a forger
// who replaced the later one would have copied the right link.
func (v *Verifier) brokenLink(e *Entry) error {
	if v.head.Seq == 0 {
		return v.fail(Edited, e.Seq, fmt.Sprintf("entry %d to start from the genesis hash %s", e.Seq, v.head.Hash),
			fmt.Sprintf("a link to %s: the entry was changed and its hash recomputed, or the trail does not start here", e.Prev))
	}
	return v.fail(Edited, v.head.Seq, fmt.Sprintf("entry %d to link to entry %d's hash %s", e.Seq, v.head.Seq, v.head.Hash),
		fmt.Sprintf("a link to %s: entry %d was changed and its hash recomputed (or entry %d replaced)", e.Prev, v.head.Seq, e.Seq))
}

func missing(last, next int64) string {
	if next == last+2 {
		return fmt.Sprintf("entry %d next: entry %d is missing", next, last+1)
	}
	return fmt.Sprintf("entry %d next: entries %d to %d are missing", next, last+1, next-1)
}

func (v *Verifier) fail(kind Tamper, seq int64, expected, found string) error {
	te := &TamperError{Kind: kind, Seq: seq, Expected: expected, Found: found}
	v.err = &daihou.Error{Code: daihou.ECONFLICT, Message: te.Error() + "; the trail cannot be trusted from this entry on: compare it with a backup", Err: te}
	return v.err
}

// Verify walks a whole trail from Genesis in sequence order and returns
// nil, or an error wrapping a *TamperError that names the first entry
// that was edited, deleted, inserted or re-ordered. It cannot see entries
// cut from the end: use VerifyHead with the stored head for that.
func Verify(entries iter.Seq[Entry]) error {
	v := NewVerifier(Genesis())
	for e := range entries {
		if err := v.Add(e); err != nil {
			return err
		}
	}
	return v.Finish()
}

// VerifyHead is Verify, and then checks that the trail ends where head,
// stored apart from the entries, says it does: entries cut from the end,
// entries added after it, and a last entry replaced are reported too.
func VerifyHead(entries iter.Seq[Entry], head Head) error {
	v := NewVerifier(Genesis())
	for e := range entries {
		if err := v.Add(e); err != nil {
			return err
		}
	}
	if err := v.Finish(); err != nil {
		return err
	}
	return v.CheckHead(head)
}

// CheckHead compares the last entry verified with the stored head. Call it
// after Finish returned nil.
func (v *Verifier) CheckHead(head Head) error {
	got := v.head
	switch {
	case got.Seq < head.Seq:
		return v.fail(Truncated, got.Seq+1, fmt.Sprintf("the trail to end at entry %d, as its head records", head.Seq), endsAt(got.Seq, head.Seq))
	case got.Seq > head.Seq:
		return v.fail(Inserted, head.Seq+1, fmt.Sprintf("the trail to end at entry %d, as its head records", head.Seq),
			fmt.Sprintf("entries %d to %d after it, never recorded in the head", head.Seq+1, got.Seq))
	case got.Hash != head.Hash:
		return v.fail(Edited, got.Seq, fmt.Sprintf("entry %d with the head's hash %s", got.Seq, head.Hash),
			fmt.Sprintf("hash %s: the last entry was replaced and re-hashed, or the head changed", got.Hash))
	}
	return nil
}

func endsAt(last, head int64) string {
	if last+1 == head {
		return fmt.Sprintf("the last entry is %d: entry %d was cut from the end", last, head)
	}
	return fmt.Sprintf("the last entry is %d: entries %d to %d were cut from the end", last, last+1, head)
}
