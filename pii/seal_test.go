package pii_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"daihou"
	"daihou/pii"
)

func mustRing(tb testing.TB, text string) *pii.KeyRing {
	tb.Helper()
	k, err := pii.ParseKeys(text)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// Keys for tests: 32 bytes of 0x01 and of 0x02.
const (
	key1 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
	key2 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
)

func TestSealOpen(t *testing.T) {
	k := mustRing(t, key1)
	for _, tt := range []struct {
		f  pii.Field
		pt string
	}{
		{pii.Name, "张三"},
		{pii.Name, "阿卜杜拉·买买提"},
		{pii.IDNumber, "11010519491231002X"},
		{pii.Phone, "+86 138 0013 5678"},
		{pii.Address, "广东省深圳市南山区科技园路1号"},
		{"contact.phone", "13900001111"},
		{pii.Name, strings.Repeat("长", 1000)},
		{pii.Name, "\x00\xff binary"},
	} {
		ct, err := k.Seal(tt.f, tt.pt)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ct, "e1:") || strings.Contains(ct, tt.pt) {
			t.Errorf("Seal(%s, %q) = %q", tt.f, tt.pt, ct)
		}
		again, _ := k.Seal(tt.f, tt.pt)
		if again == ct {
			t.Errorf("Seal(%s, %q) twice gives one ciphertext: the nonce is not random", tt.f, tt.pt)
		}
		got, err := k.Open(tt.f, ct)
		if err != nil || got != tt.pt {
			t.Errorf("Open(Seal(%q)) = %q, %v", tt.pt, got, err)
		}
	}
	if ct, err := k.Seal(pii.Phone, ""); ct != "" || err != nil {
		t.Errorf("Seal of empty = %q, %v; want empty", ct, err)
	}
	if pt, err := k.Open(pii.Phone, ""); pt != "" || err != nil {
		t.Errorf("Open of empty = %q, %v; want empty", pt, err)
	}
}

// strayBits respells a sealed value of 3n+1 bytes with an unused low bit of
// its last base64 character flipped: the same bytes, another spelling.
func strayBits(ct string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, ct[len(ct)-1])
	return ct[:len(ct)-1] + string(alphabet[last^1])
}

func TestOpenRefuses(t *testing.T) {
	k := mustRing(t, key1)
	ct, _ := k.Seal(pii.Phone, "13800135678")
	name, _ := k.Seal(pii.Name, "张三") // 6 + 28 bytes: the last character has 4 unused bits
	if _, err := k.Open(pii.Name, name); err != nil {
		t.Fatal(err)
	}
	other := mustRing(t, key2) // another key under the same version
	raw, err := base64.RawURLEncoding.DecodeString(ct[3:])
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-20] ^= 1 // a bit of the ciphertext proper, past the nonce
	flipped := "e1:" + base64.RawURLEncoding.EncodeToString(raw)
	tests := []struct {
		name   string
		ring   *pii.KeyRing
		field  pii.Field
		sealed string
		want   error
	}{
		{"moved to another field", k, pii.IDNumber, ct, pii.ErrDecrypt},
		{"one bit changed", k, pii.Phone, flipped, pii.ErrDecrypt},
		{"stray bits in the last character", k, pii.Name, strayBits(name), pii.ErrMalformed},
		{"another key of the same version", other, pii.Phone, ct, pii.ErrDecrypt},
		{"version not loaded", k, pii.Phone, "e7" + ct[2:], pii.ErrUnknownVersion},
		{"plain text", k, pii.Phone, "13800135678", pii.ErrMalformed},
		{"search hash", k, pii.Phone, k.Search(pii.Phone, "13800135678"), pii.ErrMalformed},
		{"no body", k, pii.Phone, "e1:", pii.ErrMalformed},
		{"too short", k, pii.Phone, "e1:AAAA", pii.ErrMalformed},
		{"not base64", k, pii.Phone, "e1:!!!!" + ct[7:], pii.ErrMalformed},
		{"version zero", k, pii.Phone, "e0:" + ct[3:], pii.ErrMalformed},
		{"version too big", k, pii.Phone, "e99999:" + ct[3:], pii.ErrMalformed},
		{"bad field", k, "Phone!", ct, pii.ErrField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := tt.ring.Open(tt.field, tt.sealed)
			if !errors.Is(err, tt.want) || pt != "" {
				t.Fatalf("Open = %q, %v; want %v", pt, err, tt.want)
			}
			if daihou.ErrorCode(err) != daihou.EINTERNAL {
				t.Errorf("code %q, want internal", daihou.ErrorCode(err))
			}
			for _, secret := range []string{key1, key2, "13800135678"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows %q", err, secret)
				}
			}
		})
	}
	if _, err := k.Seal("", "x"); !errors.Is(err, pii.ErrField) {
		t.Errorf("Seal with an empty field: %v", err)
	}
}

// TestRotation walks `daihou key rotate`: add a key, re-seal what needs it
// (resumably), retire the old key.
func TestRotation(t *testing.T) {
	old := mustRing(t, key1)
	rows := map[string]string{"张三": "", "李四": "", "王五": ""}
	for pt := range rows {
		rows[pt], _ = old.Seal(pii.Name, pt)
	}
	oldSearch := old.Search(pii.Name, "张三")

	ring, err := old.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	if ring.Current() != 2 || old.Current() != 1 || len(ring.Versions()) != 2 {
		t.Fatalf("WithNewKey: %v from %v", ring, old)
	}
	// During the rotation a look-up finds rows under either key.
	all := ring.SearchAll(pii.Name, "张三")
	if len(all) != 2 || all[1] != oldSearch || !strings.HasPrefix(all[0], "s2:") {
		t.Errorf("SearchAll = %v, want the new hash, then the old %s", all, oldSearch)
	}
	done := 0
	for pass := range 2 { // the second pass finds nothing left: resumable
		for pt, ct := range rows {
			if !ring.NeedsRotation(ct) {
				continue
			}
			if pass == 1 {
				t.Errorf("%q still needs rotation after a full pass", pt)
			}
			nct, search, err := ring.Reseal(pii.Name, ct)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(nct, "e2:") || search != ring.Search(pii.Name, pt) {
				t.Errorf("Reseal(%q) = %q, %q", pt, nct, search)
			}
			rows[pt] = nct
			done++
		}
	}
	if done != 3 {
		t.Errorf("re-sealed %d rows, want 3", done)
	}
	again, search, err := ring.Reseal(pii.Name, rows["张三"])
	if err != nil || again != rows["张三"] || search == "" {
		t.Errorf("Reseal of a current value changed it: %q, %q, %v", again, search, err)
	}
	retired, err := ring.Without(1)
	if err != nil {
		t.Fatal(err)
	}
	for pt, ct := range rows {
		if got, err := retired.Open(pii.Name, ct); err != nil || got != pt {
			t.Errorf("after retiring key 1: Open = %q, %v", got, err)
		}
	}
	if _, err := retired.Without(2); daihou.ErrorCode(err) != daihou.EINVALID {
		t.Errorf("retiring the current key: %v", err)
	}
	if _, err := retired.Without(1); daihou.ErrorCode(err) != daihou.ENOTFOUND {
		t.Errorf("retiring a retired key: %v", err)
	}
	if retired.NeedsRotation("") || !retired.NeedsRotation("garbage") || !retired.NeedsRotation(oldSearch) {
		t.Error("NeedsRotation: empty never, garbage and old hashes always")
	}
}

func TestVersion(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"e1:abc", 1, true}, {"s65535:abc", 65535, true}, {"e012:x", 0, false}, {"x1:abc", 0, false},
		{"", 0, false}, {"e:abc", 0, false}, {"e1abc", 0, false}, {"e65536:x", 0, false},
	} {
		got, err := pii.Version(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("Version(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestSearch(t *testing.T) {
	k := mustRing(t, key1)
	same := []struct {
		f    pii.Field
		a, b string
	}{
		{pii.IDNumber, "11010519491231002x", "11010519491231002X"},
		{pii.IDNumber, " 110105 19491231 002X ", "11010519491231002X"},
		{pii.IDNumber, "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"},
		{pii.Phone, "+86 138-0013-5678", "13800135678"},
		{pii.Phone, "0086 13800135678", "13800135678"},
		{pii.Phone, "8613800135678", "13800135678"},
		{pii.Phone, "(138) 0013 5678", "13800135678"},
		{pii.Phone, "１３８００１３５６７８", "13800135678"},
		{pii.Name, "John  Smith", "john smith"},
		{pii.Name, "阿卜杜拉•买买提", "阿卜杜拉·买买提"},
		{pii.Name, "　张三　", "张三"},
		{pii.Address, "北京市  朝阳区", "北京市 朝阳区"},
	}
	for _, tt := range same {
		if ha, hb := k.Search(tt.f, tt.a), k.Search(tt.f, tt.b); ha != hb || ha == "" {
			t.Errorf("Search(%s, %q) = %s, Search(%q) = %s; want equal", tt.f, tt.a, ha, tt.b, hb)
		}
	}
	differ := []struct {
		fa, fb pii.Field
		a, b   string
	}{
		{pii.Phone, pii.Phone, "13800135678", "13800135679"},
		{pii.Phone, "contact.phone", "13800135678", "13800135678"}, // per field
		{pii.Phone, pii.Phone, "8613800135678", "86138001356"},     // not a mobile after 86
		{pii.Phone, pii.Phone, "+1 415 555 0100", "14155550100"},   // a US number, a mainland one
		{pii.Name, pii.Name, "张三", "张 三"},
	}
	for _, tt := range differ {
		if k.Search(tt.fa, tt.a) == k.Search(tt.fb, tt.b) {
			t.Errorf("Search(%s, %q) = Search(%s, %q)", tt.fa, tt.a, tt.fb, tt.b)
		}
	}
	if got := k.Search(pii.Phone, " - "); got != "" {
		t.Errorf("Search of nothing = %q", got)
	}
	if got := k.Search("BAD", "x"); got != "" {
		t.Errorf("Search with a bad field = %q", got)
	}
	if got := mustRing(t, key2).Search(pii.Phone, "13800135678"); got == k.Search(pii.Phone, "13800135678") {
		t.Error("two keys give one search hash")
	}
	h := k.Search(pii.Phone, "13800135678")
	if !strings.HasPrefix(h, "s1:") || len(h) != 3+43 {
		t.Errorf("search hash %q: want s1: and 43 base64 characters", h)
	}
}

// TestSealProperty: whatever the text and the field, Open(Seal(x)) is x,
// and it does not open as another field.
func TestSealProperty(t *testing.T) {
	k := mustRing(t, key1)
	rapid.Check(t, func(t *rapid.T) {
		f := pii.Field(rapid.StringMatching(`[a-z][a-z0-9_.]{0,20}`).Draw(t, "field"))
		pt := rapid.String().Draw(t, "plaintext")
		ct, err := k.Seal(f, pt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Open(f, ct)
		if err != nil || got != pt {
			t.Fatalf("Open(Seal(%q)) = %q, %v", pt, got, err)
		}
		if pt != "" {
			if _, err := k.Open(f+"x", ct); !errors.Is(err, pii.ErrDecrypt) {
				t.Fatalf("opened as another field: %v", err)
			}
		}
	})
}

// FuzzOpen feeds garbage to Open: it must never panic, and nothing but a
// sealed value of the ring may open.
func FuzzOpen(f *testing.F) {
	k := mustRing(f, "1:"+key1+"\n2:"+key2)
	for _, pt := range []string{"张三", "13800135678", ""} {
		ct, _ := k.Seal(pii.Phone, pt)
		f.Add(ct)
	}
	for _, s := range []string{"", "e", "e1", "e1:", "e2:AAAA", "e99999:", "s1:abc", "e1:" + strings.Repeat("A", 40), "e1:\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pt, err := k.Open(pii.Phone, s)
		if err != nil {
			if pt != "" {
				t.Fatalf("Open(%q) = %q with an error", s, pt)
			}
			for _, want := range []error{pii.ErrMalformed, pii.ErrUnknownVersion, pii.ErrDecrypt} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("Open(%q): unexpected error %v", s, err)
		}
		// Only the sealed seeds open, and what opens is well formed.
		if s != "" && !strings.HasPrefix(s, "e1:") && !strings.HasPrefix(s, "e2:") {
			t.Fatalf("Open(%q) = %q", s, pt)
		}
	})
}

var sink string

func BenchmarkSeal(b *testing.B) {
	k := mustRing(b, key1)
	for _, bm := range []struct {
		f  pii.Field
		pt string
	}{
		{pii.Name, "欧阳娜娜"},
		{pii.IDNumber, "11010519491231002X"},
		{pii.Phone, "13800135678"},
		{pii.Address, "广东省深圳市南山区科技园科苑路15号科兴科学园B栋"},
	} {
		b.Run(string(bm.f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink, _ = k.Seal(bm.f, bm.pt)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	k := mustRing(b, key1)
	for _, bm := range []struct {
		f  pii.Field
		pt string
	}{
		{pii.Name, "欧阳娜娜"},
		{pii.IDNumber, "11010519491231002X"},
		{pii.Phone, "13800135678"},
		{pii.Address, "广东省深圳市南山区科技园科苑路15号科兴科学园B栋"},
	} {
		ct, _ := k.Seal(bm.f, bm.pt)
		b.Run(string(bm.f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink, _ = k.Open(bm.f, ct)
			}
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	k := mustRing(b, key1)
	b.ReportAllocs()
	for b.Loop() {
		sink = k.Search(pii.IDNumber, "11010519491231002X")
	}
}

func BenchmarkReseal(b *testing.B) {
	old := mustRing(b, key1)
	k, _ := old.WithNewKey()
	ct, _ := old.Seal(pii.Phone, "13800135678")
	b.ReportAllocs()
	for b.Loop() {
		sink, _, _ = k.Reseal(pii.Phone, ct)
	}
}
