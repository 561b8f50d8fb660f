package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"daihou"
)

// KeyEnv is the environment variable that holds the keys, in the key file
// format (ParseKeys); it takes precedence over the key file.
const KeyEnv = "DAIHOU_KEY"

// KeySize is the size of each key version's secret: 32 bytes.
const KeySize = 32

// MaxVersion is the highest key version.
const MaxVersion = 65535

// Labels of the keys derived from each master with HKDF. Changing one
// makes every stored value unreadable.
const (
	dataLabel   = "daihou pii v1 data"
	searchLabel = "daihou pii v1 search"
)

// Errors about keys, each inside a daihou.Error.
var (
	// ErrNoKey means neither DAIHOU_KEY nor the key file exists (code
	// ENOTFOUND).
	ErrNoKey = errors.New("no personal-data key")
	// ErrBadKey means the keys could not be read: a bad format, a key of
	// the wrong size, a duplicate version, a key file others can read (code
	// EINVALID).
	ErrBadKey = errors.New("bad personal-data key")
	// ErrKeyFileExists means CreateKeyFile found a file where it would
	// write (code ECONFLICT).
	ErrKeyFileExists = errors.New("key file exists")
)

// KeyRing is a set of key versions: the highest (Current) seals, every one
// opens. A KeyRing is immutable and safe for concurrent use; WithNewKey and
// Without return new rings. It never shows its keys: String, GoString,
// every fmt verb and slog all print only the versions.
type KeyRing struct {
	current uint32
	keys    map[uint32]*ringKey
}

type ringKey struct {
	master [KeySize]byte
	aead   cipher.AEAD
	search []byte
	macs   sync.Pool // of HMAC-SHA256 under search: building one costs more than using it
}

func newRingKey(master [KeySize]byte) *ringKey {
	data, err := hkdf.Key(sha256.New, master[:], nil, dataLabel, 32)
	if err != nil {
		panic(err) // only a FIPS-only build refusing SHA-256 lengths could fail: a build error
	}
	search, err := hkdf.Key(sha256.New, master[:], nil, searchLabel, 32)
	if err != nil {
		panic(err)
	}
	block, err := aes.NewCipher(data)
	if err != nil {
		panic(err) // 32 bytes is always a valid AES key
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		panic(err)
	}
	k := &ringKey{master: master, aead: aead, search: search}
	k.macs.New = func() any { return hmac.New(sha256.New, k.search) }
	return k
}

// NewKeyRing returns a ring of one new random key, version 1.
func NewKeyRing() *KeyRing {
	var m [KeySize]byte
	rand.Read(m[:]) // never fails (crypto/rand, Go 1.24)
	return &KeyRing{current: 1, keys: map[uint32]*ringKey{1: newRingKey(m)}}
}

// Current returns the version that seals.
func (k *KeyRing) Current() uint32 { return k.current }

// Versions returns the ring's versions, lowest first.
func (k *KeyRing) Versions() []uint32 { return slices.Sorted(maps.Keys(k.keys)) }

// Has reports whether the ring holds version v.
func (k *KeyRing) Has(v uint32) bool { return k.keys[v] != nil }

// WithNewKey returns a ring that also holds a new random key, one version
// above the highest, which becomes the current one: the first step of a
// rotation. Write it to the key file before sealing anything under it.
func (k *KeyRing) WithNewKey() (*KeyRing, error) {
	v := slices.Max(k.Versions()) + 1
	if v > MaxVersion {
		return nil, daihou.Errorf(daihou.EINVALID, "%w: version %d is the highest a key can have; renumber the keys by re-sealing under a new ring", ErrBadKey, MaxVersion)
	}
	var m [KeySize]byte
	rand.Read(m[:])
	n := &KeyRing{current: v, keys: maps.Clone(k.keys)}
	n.keys[v] = newRingKey(m)
	return n, nil
}

// Without returns a ring without version v: the last step of a rotation,
// once no stored value needs v (NeedsRotation is false for all of them).
// It refuses to drop the current version.
func (k *KeyRing) Without(v uint32) (*KeyRing, error) {
	if !k.Has(v) {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "key version %d is not in the key ring (versions %s)", v, k.versionList())
	}
	if v == k.current {
		return nil, daihou.Errorf(daihou.EINVALID, "key version %d is the current key, which seals new values; add a new key and re-seal under it before retiring this one", v)
	}
	n := &KeyRing{current: k.current, keys: maps.Clone(k.keys)}
	delete(n.keys, v)
	return n, nil
}

func (k *KeyRing) versionList() string {
	vs := k.Versions()
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatUint(uint64(v), 10)
	}
	return strings.Join(s, ", ")
}

// String describes the ring without its keys: "pii.KeyRing{versions 1, 2;
// current 2}".
func (k *KeyRing) String() string {
	if k == nil {
		return "pii.KeyRing(nil)"
	}
	return fmt.Sprintf("pii.KeyRing{versions %s; current %d}", k.versionList(), k.current)
}

// GoString is String, so %#v shows no key either.
func (k *KeyRing) GoString() string { return k.String() }

// Format prints String for every verb, so that no verb (%x, %d, %+v …) can
// reach the key bytes.
func (k *KeyRing) Format(f fmt.State, verb rune) { fmt.Fprint(f, k.String()) }

// LogValue logs the ring as String.
func (k *KeyRing) LogValue() slog.Value { return slog.StringValue(k.String()) }

// keyFileHeader starts every key file written by this package.
const keyFileHeader = `# daihou personal-data keys (个人信息加密密钥).
# Keep this file secret (mode 0600) and back it up apart from the database:
# without it the names, ID numbers and phones in the database cannot be read.
# One key a line, VERSION:BASE64; the highest version seals, every one opens.
`

// KeyFile returns the ring in the key file format, to write with
// WriteKeyFile or to put in DAIHOU_KEY. It holds the keys: never log it.
func (k *KeyRing) KeyFile() []byte {
	b := []byte(keyFileHeader)
	for _, v := range k.Versions() {
		m := k.keys[v].master
		b = fmt.Appendf(b, "%d:%s\n", v, base64.StdEncoding.EncodeToString(m[:]))
	}
	return b
}

// ParseKeys reads keys in the format of DAIHOU_KEY and of the key file:
// entries VERSION:BASE64 separated by white space, commas or line breaks,
// where VERSION is 1 to 65535 and BASE64 encodes 32 bytes (standard or
// URL alphabet, padded or not); '#' starts a comment to the end of the
// line. A single entry may be the bare BASE64, which is version 1 — so
// DAIHOU_KEY=$(head -c 32 /dev/urandom | base64) is a valid setting. The
// highest version is current.
//
// Errors wrap ErrBadKey (code EINVALID) and name the entry by its position
// and version, never by its content.
func ParseKeys(text string) (*KeyRing, error) {
	var entries []string
	for line := range strings.Lines(text) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		entries = append(entries, strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\n' })...)
	}
	bad := func(format string, args ...any) (*KeyRing, error) {
		return nil, daihou.Errorf(daihou.EINVALID, "%w: "+format, append([]any{ErrBadKey}, args...)...)
	}
	if len(entries) == 0 {
		return bad("no key is given; want VERSION:BASE64 of 32 random bytes, e.g. from head -c 32 /dev/urandom | base64")
	}
	ring := &KeyRing{keys: map[uint32]*ringKey{}}
	var seen [][KeySize]byte
	for i, e := range entries {
		vs, b64, ok := strings.Cut(e, ":")
		if !ok {
			if len(entries) > 1 {
				return bad("entry %d has no version; write VERSION:BASE64 for each key when there are several", i+1)
			}
			vs, b64 = "1", e
		}
		v, err := parseVersion(vs)
		if err != nil {
			return bad("entry %d: the version is not a number from 1 to %d", i+1, MaxVersion)
		}
		m, ok := decodeKey(b64)
		if !ok {
			return bad("entry %d (version %d): the key is not base64 of exactly %d bytes", i+1, v, KeySize)
		}
		if m == ([KeySize]byte{}) {
			return bad("entry %d (version %d): the key is all zeros; generate it from a random source", i+1, v)
		}
		if ring.keys[v] != nil {
			return bad("entry %d: version %d is given twice", i+1, v)
		}
		for _, s := range seen {
			if subtle.ConstantTimeCompare(s[:], m[:]) == 1 {
				return bad("entry %d (version %d) repeats the key of an earlier version; a new version needs a new key", i+1, v)
			}
		}
		seen = append(seen, m)
		ring.keys[v] = newRingKey(m)
		ring.current = max(ring.current, v)
	}
	return ring, nil
}

func parseVersion(s string) (uint32, error) {
	if s == "" || s[0] == '0' || len(s) > 5 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	n, _ := strconv.Atoi(s)
	if n > MaxVersion {
		return 0, strconv.ErrRange
	}
	return uint32(n), nil
}

// decodeKey decodes a key in any of the four base64 spellings.
func decodeKey(s string) ([KeySize]byte, bool) {
	var m [KeySize]byte
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if enc.DecodedLen(len(s)) < KeySize || enc.DecodedLen(len(s)) > KeySize+2 {
			continue
		}
		var buf [KeySize + 2]byte
		n, err := enc.Strict().Decode(buf[:], []byte(s))
		if err == nil && n == KeySize {
			copy(m[:], buf[:n])
			return m, true
		}
	}
	return m, false
}
