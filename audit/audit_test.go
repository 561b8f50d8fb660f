package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou"
	"daihou/audit"
	"daihou/civil"
)

var t0 = time.Date(2026, 6, 15, 18, 30, 0, 123456789, time.UTC)

// trail builds a chain of n entries like those the store appends: postings
// through the day, then the close of business.
func trail(n int) ([]audit.Entry, audit.Head) {
	c := audit.NewChain(audit.Genesis())
	out := make([]audit.Entry, 0, n)
	date := civil.MustParse("2026-06-15")
	for i := range n {
		e := audit.Entry{
			Actor:        "user:alice",
			Action:       "repayment.post",
			Object:       audit.LoanObject(int64(1000 + i)),
			BusinessDate: date,
			Time:         t0.Add(time.Duration(i) * time.Second),
			Change:       audit.DigestFields("repayment", "2026-06-15", "530727", "REF"+string(rune('a'+i%26))),
			Detail:       "还款 5,307.27",
		}
		if i%10 == 9 {
			e.Actor, e.Action, e.Object, e.Detail = "system:eod", "eod.run", audit.EODObject(date), "loans touched 676139"
			date = date.AddDays(1)
		}
		out = append(out, c.Next(e))
	}
	return out, c.Head()
}

func TestNextFillsTheChain(t *testing.T) {
	entries, head := trail(3)
	if got, want := head, (audit.Head{Seq: 3, Hash: entries[2].Hash}); got != want {
		t.Errorf("head = %+v, want %+v", got, want)
	}
	if entries[0].Prev != audit.Genesis().Hash || entries[1].Prev != entries[0].Hash || entries[2].Prev != entries[1].Hash {
		t.Error("the entries do not link")
	}
	for i, e := range entries {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has Seq %d", i, e.Seq)
		}
		if e.Hash != e.ComputeHash() {
			t.Errorf("entry %d: Hash is not its fields' hash", i)
		}
		if e.Time.Nanosecond()%1000 != 0 || e.Time.Location() != time.UTC {
			t.Errorf("entry %d: time %v is not UTC microseconds", i, e.Time)
		}
	}
	// Whatever Seq, Prev and Hash the caller passes are overwritten.
	c := audit.NewChain(head)
	e := c.Next(audit.Entry{Seq: 99, Prev: audit.Hash{1}, Hash: audit.Hash{2}, Actor: "local", Action: "user.manage", Object: "user:bob", Time: t0})
	if e.Seq != 4 || e.Prev != head.Hash || e.Hash != e.ComputeHash() {
		t.Errorf("Next kept the caller's chain fields: %+v", e)
	}
}

// TestCanonicalEncoding spells the encoding out byte by byte, as an auditor
// re-implementing the check elsewhere would, and freezes the hash of one
// entry: changing the encoding breaks every stored trail.
func TestCanonicalEncoding(t *testing.T) {
	e := audit.Entry{
		Seq: 7, Actor: "user:李四", Action: "writeoff.decide", Object: "loan:42",
		BusinessDate: civil.MustParse("2026-06-15"), Time: time.UnixMicro(1781548200123456).UTC(),
		Change: audit.Digest([]byte("change")), Detail: "核销", Prev: audit.Hash{0xAB},
	}
	var want []byte
	want = append(want, "daihou-audit-v1"...)
	want = binary.BigEndian.AppendUint64(want, 7)
	want = append(want, e.Prev[:]...)
	want = binary.BigEndian.AppendUint64(want, 1781548200123456)
	want = binary.BigEndian.AppendUint32(want, uint32(civil.MustParse("2026-06-15")))
	for _, s := range []string{"user:李四", "writeoff.decide", "loan:42"} {
		want = binary.BigEndian.AppendUint32(want, uint32(len(s)))
		want = append(want, s...)
	}
	sum := sha256.Sum256([]byte("change"))
	want = append(want, sum[:]...)
	want = binary.BigEndian.AppendUint32(want, uint32(len("核销")))
	want = append(want, "核销"...)
	if got := e.AppendCanonical(nil); !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	// Computed apart from this package, from the documented layout alone
	// (Python's struct and hashlib).
	if got, want := e.ComputeHash().String(), "85aceea849719bffd5312219a34dac4ce0768cd82dc265c186a9173e95ff087d"; got != want {
		t.Errorf("hash of the reference entry is %s, want %s", got, want)
	}
	if got := audit.Genesis().Hash; got != sha256.Sum256([]byte("daihou-audit-v1 genesis")) {
		t.Errorf("genesis hash %s", got)
	}
}

// TestEncodingIsUnambiguous: moving bytes between neighbouring fields
// changes the hash.
func TestEncodingIsUnambiguous(t *testing.T) {
	a := audit.Entry{Actor: "user:al", Action: "ice.read", Object: "x"}
	b := audit.Entry{Actor: "user:alice", Action: ".read", Object: "x"}
	c := audit.Entry{Actor: "user:alice.read", Action: "", Object: "x"}
	if a.ComputeHash() == b.ComputeHash() || b.ComputeHash() == c.ComputeHash() {
		t.Error("fields that concatenate alike hash alike")
	}
	if audit.DigestFields("ab", "c") == audit.DigestFields("a", "bc") || audit.DigestFields("a") == audit.DigestFields("a", "") {
		t.Error("DigestFields is ambiguous")
	}
}

func TestNextMakesFieldsStorable(t *testing.T) {
	c := audit.NewChain(audit.Genesis())
	e := c.Next(audit.Entry{Actor: "user:a\x00b", Action: "x", Object: "bad\xffutf8", Detail: "ok", Time: t0})
	if e.Actor != "user:a\uFFFDb" || e.Object != "bad\uFFFDutf8" {
		t.Errorf("Next kept unstorable text: %q %q", e.Actor, e.Object)
	}
	if err := audit.Verify(slices.Values([]audit.Entry{e})); err != nil {
		t.Error(err)
	}
}

func tamperOf(t *testing.T, err error) *audit.TamperError {
	t.Helper()
	var te *audit.TamperError
	if !errors.As(err, &te) || !errors.Is(err, audit.ErrTampered) {
		t.Fatalf("error %v is not a TamperError", err)
	}
	if daihou.ErrorCode(err) != daihou.ECONFLICT {
		t.Errorf("code %q, want conflict", daihou.ErrorCode(err))
	}
	return te
}

func TestVerifyDetectsTampering(t *testing.T) {
	const n = 25
	const k = 12 // the entry tampered with (Seq), in the middle
	orig, head := trail(n)
	edit := func(f func(e *audit.Entry)) []audit.Entry {
		es := slices.Clone(orig)
		f(&es[k-1])
		return es
	}
	rehash := func(e *audit.Entry) { e.Hash = e.ComputeHash() }
	forged := func(seq int64, prev audit.Hash) audit.Entry {
		e := audit.Entry{Seq: seq, Prev: prev, Actor: "user:mallory", Action: "waiver.post", Object: "loan:7", Time: t0}
		rehash(&e)
		return e
	}
	tests := []struct {
		name string
		es   []audit.Entry
		kind audit.Tamper
		seq  int64
		says string
	}{
		{"actor edited", edit(func(e *audit.Entry) { e.Actor = "user:bob" }), audit.Edited, k, "whose fields hash to"},
		{"action edited", edit(func(e *audit.Entry) { e.Action = "reversal.post" }), audit.Edited, k, ""},
		{"object edited", edit(func(e *audit.Entry) { e.Object = "loan:1" }), audit.Edited, k, ""},
		{"business date edited", edit(func(e *audit.Entry) { e.BusinessDate++ }), audit.Edited, k, ""},
		{"time edited by a microsecond", edit(func(e *audit.Entry) { e.Time = e.Time.Add(time.Microsecond) }), audit.Edited, k, ""},
		{"change edited", edit(func(e *audit.Entry) { e.Change[31] ^= 1 }), audit.Edited, k, ""},
		{"detail edited", edit(func(e *audit.Entry) { e.Detail = "还款 5,307.28" }), audit.Edited, k, ""},
		{"seq edited", edit(func(e *audit.Entry) { e.Seq = 99 }), audit.Edited, k, ""},
		{"prev edited", edit(func(e *audit.Entry) { e.Prev[0] ^= 1 }), audit.Edited, k, ""},
		{"hash edited", edit(func(e *audit.Entry) { e.Hash[0] ^= 1 }), audit.Edited, k, ""},
		{"edited and re-hashed", edit(func(e *audit.Entry) { e.Actor = "user:bob"; rehash(e) }), audit.Edited, k, "was changed and its hash recomputed"},
		{"renumbered and re-hashed", edit(func(e *audit.Entry) { e.Seq = 40; rehash(e) }), audit.Edited, k, "its number was changed"},
		{"first edited", func() []audit.Entry { es := slices.Clone(orig); es[0].Detail = "x"; return es }(), audit.Edited, 1, ""},
		{"first re-hashed from elsewhere", func() []audit.Entry {
			es := slices.Clone(orig)
			es[0].Prev = audit.Hash{9}
			rehash(&es[0])
			return es
		}(), audit.Edited, 1, "genesis"},
		{"last edited", func() []audit.Entry { es := slices.Clone(orig); es[n-1].Detail = "x"; return es }(), audit.Edited, n, ""},

		{"one deleted", slices.Delete(slices.Clone(orig), k-1, k), audit.Deleted, k, "entry 12 is missing"},
		{"two deleted", slices.Delete(slices.Clone(orig), k-1, k+1), audit.Deleted, k, "entries 12 to 13 are missing"},
		{"first deleted", slices.Clone(orig)[1:], audit.Deleted, 1, "entry 1 is missing"},
		{"second last deleted", slices.Delete(slices.Clone(orig), n-2, n-1), audit.Deleted, n - 1, ""},

		{"forged entry inserted with a duplicate number", slices.Insert(slices.Clone(orig), k-1, forged(k, orig[k-2].Hash)), audit.Inserted, k, "one of the two was inserted"},
		{"garbage inserted", slices.Insert(slices.Clone(orig), k-1, audit.Entry{Seq: k, Actor: "user:mallory"}), audit.Inserted, k, "an extra entry"},
		{"entry copied", slices.Insert(slices.Clone(orig), k, orig[k-1]), audit.Inserted, k + 1, "a second time"},
		{"garbage at the start", slices.Insert(slices.Clone(orig), 0, audit.Entry{Seq: 1}), audit.Inserted, 1, ""},

		{"two swapped", func() []audit.Entry { es := slices.Clone(orig); es[k-1], es[k] = es[k], es[k-1]; return es }(), audit.Reordered, k, "entry 12 after entry 13"},
		{"last two swapped", func() []audit.Entry { es := slices.Clone(orig); es[n-2], es[n-1] = es[n-1], es[n-2]; return es }(), audit.Reordered, n - 1, ""},
		{"first two swapped", func() []audit.Entry { es := slices.Clone(orig); es[0], es[1] = es[1], es[0]; return es }(), audit.Reordered, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, check := range []struct {
				name string
				f    func() error
			}{
				{"Verify", func() error { return audit.Verify(slices.Values(tt.es)) }},
				{"VerifyHead", func() error { return audit.VerifyHead(slices.Values(tt.es), head) }},
			} {
				te := tamperOf(t, check.f())
				if te.Kind != tt.kind || te.Seq != tt.seq {
					t.Errorf("%s: %s at %d, want %s at %d: %v", check.name, te.Kind, te.Seq, tt.kind, tt.seq, te)
				}
				if !strings.Contains(te.Error(), tt.says) {
					t.Errorf("%s: %q does not say %q", check.name, te, tt.says)
				}
			}
		})
	}
}

func TestVerifyHead(t *testing.T) {
	orig, head := trail(10)
	if err := audit.Verify(slices.Values(orig)); err != nil {
		t.Fatalf("Verify(sound trail) = %v", err)
	}
	if err := audit.VerifyHead(slices.Values(orig), head); err != nil {
		t.Fatalf("VerifyHead(sound trail) = %v", err)
	}
	if err := audit.VerifyHead(slices.Values([]audit.Entry(nil)), audit.Genesis()); err != nil {
		t.Errorf("VerifyHead(empty trail, genesis) = %v", err)
	}
	c := audit.NewChain(head)
	extra := c.Next(audit.Entry{Actor: "user:mallory", Action: "waiver.post", Object: "loan:1", Time: t0})
	replaced := slices.Clone(orig)
	replaced[9].Detail = "x"
	replaced[9].Hash = replaced[9].ComputeHash()
	tests := []struct {
		name string
		es   []audit.Entry
		head audit.Head
		kind audit.Tamper
		seq  int64
		says string
	}{
		{"last one cut", orig[:9], head, audit.Truncated, 10, "entry 10 was cut from the end"},
		{"three cut", orig[:7], head, audit.Truncated, 8, "entries 8 to 10 were cut"},
		{"all cut", nil, head, audit.Truncated, 1, "the last entry is 0"},
		{"one appended", append(slices.Clone(orig), extra), head, audit.Inserted, 11, "never recorded in the head"},
		{"last replaced and re-hashed", replaced, head, audit.Edited, 10, "the last entry was replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := audit.Verify(slices.Values(tt.es)); err != nil {
				t.Fatalf("Verify alone sees %v, and should see nothing", err)
			}
			te := tamperOf(t, audit.VerifyHead(slices.Values(tt.es), tt.head))
			if te.Kind != tt.kind || te.Seq != tt.seq || !strings.Contains(te.Error(), tt.says) {
				t.Errorf("got %s at %d (%v), want %s at %d saying %q", te.Kind, te.Seq, te, tt.kind, tt.seq, tt.says)
			}
		})
	}
}

// TestVerifierInPages: checking a trail page by page from a verified head
// gives the same answer as checking it whole, and the error is sticky.
func TestVerifierInPages(t *testing.T) {
	orig, head := trail(30)
	v := audit.NewVerifier(audit.Genesis())
	for _, e := range orig[:10] {
		if err := v.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	mid := v.Head()
	w := audit.NewVerifier(mid)
	for _, e := range orig[10:] {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := w.CheckHead(head); err != nil {
		t.Fatal(err)
	}
	if got := w.Count(); got != 20 {
		t.Errorf("Count = %d, want 20", got)
	}
	bad := slices.Clone(orig)
	bad[3].Detail = "x"
	v = audit.NewVerifier(audit.Genesis())
	var first error
	for _, e := range bad {
		if err := v.Add(e); err != nil && first == nil {
			first = err
		}
	}
	if first == nil || v.Finish() != first || v.Add(orig[0]) != first {
		t.Errorf("the error is not sticky: %v, %v", first, v.Finish())
	}
}

// TestVerifyProperty: any sound trail verifies, and every kind of
// tampering anywhere in it is reported at the place it was done.
func TestVerifyProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(3, 40).Draw(t, "n")
		orig, head := trail(n)
		if err := audit.VerifyHead(slices.Values(orig), head); err != nil {
			t.Fatalf("sound trail: %v", err)
		}
		i := rapid.IntRange(0, n-2).Draw(t, "i") // leaves an entry after i
		es := slices.Clone(orig)
		var kind audit.Tamper
		var seq int64
		switch op := rapid.IntRange(0, 4).Draw(t, "op"); op {
		case 0:
			es[i].Detail += "!"
			kind, seq = audit.Edited, int64(i+1)
		case 1:
			es = slices.Delete(es, i, i+1)
			kind, seq = audit.Deleted, int64(i+1)
		case 2:
			es[i], es[i+1] = es[i+1], es[i]
			kind, seq = audit.Reordered, int64(i+1)
		case 3:
			es = slices.Insert(es, i, audit.Entry{Seq: int64(i + 1), Actor: "user:mallory"})
			kind, seq = audit.Inserted, int64(i+1)
		case 4:
			es = es[:n-1-i]
			kind, seq = audit.Truncated, int64(n-i)
		}
		err := audit.VerifyHead(slices.Values(es), head)
		var te *audit.TamperError
		if !errors.As(err, &te) || te.Kind != kind || te.Seq != seq {
			t.Fatalf("got %v, want %s at %d", err, kind, seq)
		}
	})
}

func TestHashText(t *testing.T) {
	_, head := trail(1)
	s := head.Hash.String()
	h, err := audit.ParseHash(strings.ToUpper(s))
	if err != nil || h != head.Hash {
		t.Fatalf("ParseHash(%q) = %v, %v", s, h, err)
	}
	var back struct{ H audit.Hash }
	if err := back.H.UnmarshalText([]byte(s)); err != nil || back.H != head.Hash {
		t.Errorf("UnmarshalText: %v", err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("g", 64), strings.Repeat("0", 63) + " ", strings.Repeat("0", 65)} {
		if _, err := audit.ParseHash(bad); !errors.Is(err, audit.ErrBadHash) || daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("ParseHash(%q) = %v", bad, err)
		}
	}
	if diff := cmp.Diff("loan:42 eod:2026-06-15 user:bob", audit.LoanObject(42)+" "+audit.EODObject(civil.MustParse("2026-06-15"))+" "+audit.Object("user", "bob")); diff != "" {
		t.Error(diff)
	}
}

func FuzzParseHash(f *testing.F) {
	f.Add(strings.Repeat("ab", 32))
	f.Add("")
	f.Add(strings.Repeat("AB", 32))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := audit.ParseHash(s)
		if err != nil {
			if !errors.Is(err, audit.ErrBadHash) {
				t.Fatalf("error %v is not ErrBadHash", err)
			}
			return
		}
		if h.String() != strings.ToLower(s) {
			t.Fatalf("ParseHash(%q) = %s", s, h)
		}
	})
}

// FuzzVerify edits one field of one entry of a sound trail to fuzzed
// content and checks that Verify reports it, unless the edit changed
// nothing, and never panics.
func FuzzVerify(f *testing.F) {
	f.Add(uint8(0), uint8(0), "user:bob", int64(1))
	f.Add(uint8(3), uint8(7), "", int64(-1))
	f.Add(uint8(7), uint8(2), "\x00", int64(1<<40))
	orig, _ := trail(8)
	f.Fuzz(func(t *testing.T, pos, field uint8, s string, n int64) {
		es := slices.Clone(orig)
		e := &es[int(pos)%len(es)]
		switch field % 8 {
		case 0:
			e.Actor = s
		case 1:
			e.Action = s
		case 2:
			e.Object = s
		case 3:
			e.Detail = s
		case 4:
			e.Seq = n
		case 5:
			e.BusinessDate = civil.Date(n)
		case 6:
			e.Time = time.UnixMicro(n)
		case 7:
			copy(e.Change[:], s)
		}
		changed := !cmp.Equal(orig, es)
		err := audit.Verify(slices.Values(es))
		if changed != (err != nil) {
			t.Fatalf("changed %v, Verify = %v", changed, err)
		}
	})
}

func BenchmarkNext(b *testing.B) {
	c := audit.NewChain(audit.Genesis())
	e := audit.Entry{Actor: "user:alice", Action: "repayment.post", Object: "loan:123456", BusinessDate: civil.MustParse("2026-06-15"),
		Time: t0, Change: audit.DigestFields("repayment", "2026-06-15", "530727", "REF1"), Detail: "还款 5,307.27"}
	b.ReportAllocs()
	for b.Loop() {
		c.Next(e)
	}
}

func BenchmarkVerify(b *testing.B) {
	const n = 100_000
	es, head := trail(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := audit.VerifyHead(slices.Values(es), head); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
