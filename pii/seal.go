package pii

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"

	"daihou"
)

// Errors of Seal, Open and Reseal, each inside a daihou.Error with code
// EINTERNAL: a stored value that does not open is corruption or a missing
// key, for the operator and the log, not for the person on the screen.
var (
	// ErrField means the field name cannot be used (1 to 64 of a-z, 0-9,
	// '_', '.').
	ErrField = errors.New("invalid personal-data field")
	// ErrMalformed means the stored text is not a sealed value.
	ErrMalformed = errors.New("not a sealed personal-data value")
	// ErrUnknownVersion means the value was sealed under a key version the
	// ring does not hold.
	ErrUnknownVersion = errors.New("personal-data key version not loaded")
	// ErrDecrypt means the value does not open under its key: it was
	// altered, moved from another field, or sealed under another key that
	// had the same version.
	ErrDecrypt = errors.New("personal-data value does not decrypt")
)

// b64 writes sealed values and search hashes; reading is strict, so that
// each value has one spelling (no stray bits in its last character).
var (
	b64    = base64.RawURLEncoding
	strict = base64.RawURLEncoding.Strict()
)

// aadPrefix starts the associated data of every sealed value, before the
// field's name.
const aadPrefix = "daihou pii v1\x00"

func appendAAD(dst []byte, f Field) []byte { return append(append(dst, aadPrefix...), f...) }

func fieldErr(f Field) error {
	return daihou.Errorf(daihou.EINTERNAL, "%w %q: want 1 to 64 of a-z, 0-9, '_' and '.'", ErrField, string(f))
}

// Seal encrypts plaintext for field under the current key. An empty
// plaintext gives "" (see the package documentation); anything else gives
// e<version>:<base64url>, different at every call.
func (k *KeyRing) Seal(f Field, plaintext string) (string, error) {
	if !f.valid() {
		return "", fieldErr(f)
	}
	if plaintext == "" {
		return "", nil
	}
	return k.seal(f, plaintext), nil
}

func (k *KeyRing) seal(f Field, plaintext string) string {
	key := k.keys[k.current]
	// One scratch buffer holds the associated data, the plaintext and the
	// sealed bytes side by side (no overlap), and a Builder the text: bulk
	// loads seal millions of fields, and allocation was a third of the cost.
	na, np := len(aadPrefix)+len(f), len(plaintext)
	buf := make([]byte, 0, na+np+np+key.aead.Overhead())
	buf = appendAAD(buf, f)
	buf = append(buf, plaintext...)
	sealed := key.aead.Seal(buf[na+np:na+np], nil, buf[na:na+np], buf[:na])
	return versioned('e', k.current, sealed)
}

// versioned returns <tag><version>:<base64url of b> with one allocation.
func versioned(tag byte, v uint32, b []byte) string {
	var stack [384]byte
	enc := stack[:0]
	if n := b64.EncodedLen(len(b)); n <= len(stack) {
		enc = stack[:n]
	} else {
		enc = make([]byte, n)
	}
	b64.Encode(enc, b)
	var num [5]byte
	ver := strconv.AppendUint(num[:0], uint64(v), 10)
	var out strings.Builder
	out.Grow(1 + len(ver) + 1 + len(enc))
	out.WriteByte(tag)
	out.Write(ver)
	out.WriteByte(':')
	out.Write(enc)
	return out.String()
}

// Open decrypts a value Seal returned for field, with whichever key of the
// ring its version names. "" opens to "". Errors wrap ErrField,
// ErrMalformed, ErrUnknownVersion or ErrDecrypt.
func (k *KeyRing) Open(f Field, sealed string) (string, error) {
	if !f.valid() {
		return "", fieldErr(f)
	}
	if sealed == "" {
		return "", nil
	}
	v, body, err := splitVersion('e', sealed)
	if err != nil {
		return "", err
	}
	key := k.keys[v]
	if key == nil {
		return "", daihou.Errorf(daihou.EINTERNAL, "%w: a %s value is sealed under key version %d, and the ring holds %s; load the key file or %s that has version %d",
			ErrUnknownVersion, f, v, k.versionList(), KeyEnv, v)
	}
	// One scratch buffer: the associated data, the sealed bytes, then the
	// plaintext, side by side.
	na, nc := len(aadPrefix)+len(f), b64.DecodedLen(len(body))
	buf := make([]byte, na+nc, na+nc+nc)
	appendAAD(buf[:0], f)
	n, err := strict.Decode(buf[na:], []byte(body))
	if err != nil || n < key.aead.Overhead() {
		return "", malformed(f)
	}
	pt, err := key.aead.Open(buf[na+nc:na+nc], nil, buf[na:na+n], buf[:na])
	if err != nil {
		return "", daihou.Errorf(daihou.EINTERNAL, "%w: a %s value under key version %d was altered, copied from another field, or sealed under another key with the same version", ErrDecrypt, f, v)
	}
	return string(pt), nil
}

func malformed(f Field) error {
	return daihou.Errorf(daihou.EINTERNAL, "%w: a %s value does not read e<version>:<base64>", ErrMalformed, f)
}

// splitVersion splits "<tag><version>:<body>" into the version and body.
func splitVersion(tag byte, s string) (uint32, string, error) {
	if len(s) < 3 || s[0] != tag {
		return 0, "", daihou.Errorf(daihou.EINTERNAL, "%w: it does not start with %q and a key version", ErrMalformed, tag)
	}
	i := 1
	for i < len(s) && i <= 6 && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(s) || s[i] != ':' {
		return 0, "", daihou.Errorf(daihou.EINTERNAL, "%w: want %c<version>:<base64>", ErrMalformed, tag)
	}
	v, err := parseVersion(s[1:i])
	if err != nil {
		return 0, "", daihou.Errorf(daihou.EINTERNAL, "%w: the key version is not 1 to %d", ErrMalformed, MaxVersion)
	}
	return v, s[i+1:], nil
}

// Version returns the key version a sealed value or a search hash was made
// under.
func Version(s string) (uint32, error) {
	if s == "" {
		return 0, daihou.Errorf(daihou.EINTERNAL, "%w: the value is empty, so it has no key version", ErrMalformed)
	}
	if s[0] != 'e' && s[0] != 's' {
		return 0, daihou.Errorf(daihou.EINTERNAL, "%w: it starts with neither e (sealed) nor s (search hash)", ErrMalformed)
	}
	v, _, err := splitVersion(s[0], s)
	return v, err
}

// NeedsRotation reports whether a stored sealed value or search hash was
// made under another key than the current one, so `daihou key rotate`
// must re-seal it. Empty values never need it; unreadable ones always do,
// so that the rotation meets them and reports them rather than skipping
// them. Checking it on every row makes a rotation resumable: a row done
// before a crash is skipped the next time.
func (k *KeyRing) NeedsRotation(s string) bool {
	if s == "" {
		return false
	}
	v, err := Version(s)
	return err != nil || v != k.current
}

// Reseal opens a value sealed for field under any key of the ring and
// seals it again under the current key; it also returns the value's search
// hash under the current key, for the row's search column (ignore it for a
// field that has none). A value already under the current key is returned
// as it is, with its search hash.
func (k *KeyRing) Reseal(f Field, sealed string) (resealed, search string, err error) {
	pt, err := k.Open(f, sealed)
	if err != nil {
		return "", "", err
	}
	if sealed == "" {
		return "", "", nil
	}
	if v, _ := Version(sealed); v != k.current {
		sealed = k.seal(f, pt)
	}
	return sealed, k.search(k.current, f, pt), nil
}

// Search returns the search hash of value for field under the current key:
// s<version>:<base64url of HMAC-SHA256>, the same for every way Normalize
// folds together. A value that normalises to "" gives "". It never fails
// for a valid field, and an invalid one gives "" (Seal reports it).
func (k *KeyRing) Search(f Field, value string) string {
	if !f.valid() {
		return ""
	}
	return k.search(k.current, f, value)
}

// SearchAll returns the search hashes of value under every key of the
// ring, the current one first, for a look-up while a rotation is under
// way: WHERE phone_search IN (…).
func (k *KeyRing) SearchAll(f Field, value string) []string {
	if !f.valid() {
		return nil
	}
	out := []string{k.search(k.current, f, value)}
	if out[0] == "" {
		return nil
	}
	for _, v := range k.Versions() {
		if v != k.current {
			out = append(out, k.search(v, f, value))
		}
	}
	return out
}

func (k *KeyRing) search(v uint32, f Field, value string) string {
	n := Normalize(f, value)
	if n == "" {
		return ""
	}
	key := k.keys[v]
	m := key.macs.Get().(hash.Hash)
	defer key.macs.Put(m)
	m.Reset()
	io.WriteString(m, aadPrefix)
	io.WriteString(m, string(f))
	m.Write([]byte{0})
	io.WriteString(m, n)
	var sum [sha256.Size]byte
	return versioned('s', v, m.Sum(sum[:0]))
}
