package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"daihou"
)

// Params are argon2id's cost parameters. They are written into every hash,
// so they can be raised later: VerifyPassword reads them from the hash and
// NeedsRehash tells the store to hash again at the next good login.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32 // passes over the memory
	Parallelism uint8  // lanes, each run on its own goroutine
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes
}

// DefaultParams are the parameters of new password hashes: 64 MiB, 2
// passes, 2 lanes, a 16-byte salt, a 32-byte hash.
//
// Why: the machines daihou targets have 2 cores, so 2 lanes use both and
// halve the latency of one login. On such a machine 64 MiB × 2 passes takes
// about 80 ms — under the 100 ms a login may spend — and costs an attacker
// with the hash database 3.4 times the memory × passes of OWASP's minimum
// (19 MiB × 2). RFC 9106's second recommendation (64 MiB, 3 passes, 4
// lanes) took 110-135 ms here. The cost is a login throughput of about 12
// a second per server at full load: the HTTP server should bound
// concurrent hashing (each takes 64 MiB) and put Limiter in front of it.
var DefaultParams = Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 2, SaltLen: 16, KeyLen: 32}

// Limits on parameters read from a stored hash, so that a corrupt or
// hostile row cannot make a login allocate gigabytes or spin for minutes.
const (
	maxMemory     = 1 << 20 // KiB: 1 GiB
	maxIterations = 64
	maxSaltLen    = 64
	maxKeyLen     = 64
)

// Errors of the password functions. VerifyPassword's and ParsePasswordHash's
// errors are inside a daihou.Error: EUNAUTHORIZED for a wrong password,
// EINTERNAL for a stored hash that cannot be read.
var (
	// ErrPasswordMismatch means the password is not the one hashed.
	ErrPasswordMismatch = errors.New("wrong user name or password")
	// ErrBadPasswordHash means a stored hash is not a PHC argon2id string
	// daihou can verify.
	ErrBadPasswordHash = errors.New("stored password hash is not a valid argon2id hash")
	// ErrWeakPassword means a new password breaks the password policy.
	ErrWeakPassword = errors.New("password does not meet the policy")
)

// PasswordHash is a parsed PHC string:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>, salt and hash in base64
// without padding (the PHC string format's B64).
type PasswordHash struct {
	Params Params
	Salt   []byte
	Hash   []byte
}

// String returns h as a PHC string.
func (h PasswordHash) String() string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Params.Memory, h.Params.Iterations, h.Params.Parallelism, b64.EncodeToString(h.Salt), b64.EncodeToString(h.Hash))
}

// HashPassword returns the PHC string of password hashed with argon2id
// under p and a fresh random salt. It does not apply the policy: call
// CheckPassword first for a new password.
func HashPassword(password string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", daihou.Errorf(daihou.EINTERNAL, "argon2id parameters: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24)
	h := PasswordHash{Params: p, Salt: salt}
	h.Hash = argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	return h.String(), nil
}

// VerifyPassword checks password against the stored PHC string, with the
// parameters the string names, comparing in constant time. It returns nil,
// an error wrapping ErrPasswordMismatch (code EUNAUTHORIZED), or one
// wrapping ErrBadPasswordHash (code EINTERNAL: the row needs an admin to
// reset the password).
func VerifyPassword(stored, password string) error {
	h, err := ParsePasswordHash(stored)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(password), h.Salt, h.Params.Iterations, h.Params.Memory, h.Params.Parallelism, uint32(len(h.Hash)))
	if subtle.ConstantTimeCompare(got, h.Hash) != 1 {
		return daihou.Errorf(daihou.EUNAUTHORIZED, "%w", ErrPasswordMismatch)
	}
	return nil
}

// unknownUser is a hash of nothing in particular, for VerifyUnknownUser.
var unknownUser = PasswordHash{Params: DefaultParams, Salt: make([]byte, 16), Hash: make([]byte, 32)}.String()

// VerifyUnknownUser spends the time of a verification under DefaultParams
// and returns the same error VerifyPassword returns for a wrong password.
// A login for a name that has no user calls it, so that neither the answer
// nor its timing tells whether the name exists.
func VerifyUnknownUser(password string) error {
	_ = VerifyPassword(unknownUser, password)
	return daihou.Errorf(daihou.EUNAUTHORIZED, "%w", ErrPasswordMismatch)
}

// NeedsRehash reports whether the stored hash was made with weaker
// parameters than p (or cannot be read), so that the store hashes the
// password again under p after a good login.
func NeedsRehash(stored string, p Params) bool {
	h, err := ParsePasswordHash(stored)
	if err != nil {
		return true
	}
	q := h.Params
	return q.Memory < p.Memory || q.Iterations < p.Iterations || q.Parallelism < p.Parallelism ||
		uint32(len(h.Salt)) < p.SaltLen || uint32(len(h.Hash)) < p.KeyLen
}

// ParsePasswordHash parses a PHC argon2id string, version 19, with the
// parameters in the order m, t, p. It refuses anything else — argon2i or
// argon2d, another version, parameters out of range — with an error
// wrapping ErrBadPasswordHash (code EINTERNAL).
func ParsePasswordHash(s string) (PasswordHash, error) {
	bad := func(why string) (PasswordHash, error) {
		return PasswordHash{}, daihou.Errorf(daihou.EINTERNAL, "%w: %s", ErrBadPasswordHash, why)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad("the algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("the version is not v=19")
	}
	var p Params
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return bad("want the parameters m=…,t=…,p=…")
	}
	for i, key := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], key)
		if !ok {
			return bad("want the parameters m=…,t=…,p=… in that order")
		}
		n, err := parseDecimal(v)
		if err != nil {
			return bad("parameter " + key + " is not a decimal number")
		}
		switch i {
		case 0:
			p.Memory = n
		case 1:
			p.Iterations = n
		case 2:
			if n > 255 {
				return bad("parallelism is above 255")
			}
			p.Parallelism = uint8(n)
		}
	}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return bad("the salt is not base64")
	}
	hash, err := decodeB64(parts[5])
	if err != nil {
		return bad("the hash is not base64")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(hash))
	if err := p.check(); err != nil {
		return bad(err.Error())
	}
	return PasswordHash{Params: p, Salt: salt, Hash: hash}, nil
}

// parseDecimal reads a decimal uint32 without sign, spaces or leading
// zeros, so that each hash has one spelling.
func parseDecimal(s string) (uint32, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err
}

// decodeB64 decodes the PHC string format's B64: standard alphabet, no
// padding, and no stray bits in the last character.
func decodeB64(s string) ([]byte, error) {
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

func (p Params) check() error {
	switch {
	case p.Parallelism < 1:
		return errors.New("parallelism must be at least 1")
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("iterations must be 1 to %d", maxIterations)
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemory:
		return fmt.Errorf("memory must be 8 KiB per lane to %d KiB", maxMemory)
	case p.SaltLen < 8 || p.SaltLen > maxSaltLen:
		return fmt.Errorf("the salt must be 8 to %d bytes", maxSaltLen)
	case p.KeyLen < 16 || p.KeyLen > maxKeyLen:
		return fmt.Errorf("the hash must be 16 to %d bytes", maxKeyLen)
	}
	return nil
}

// Password policy.
const (
	MinPasswordLen = 12  // characters (runes)
	MaxPasswordLen = 256 // bytes: argon2 takes any length, but a login form should not hash megabytes
)

// commonPasswords are refused whatever their length: the first guesses of
// any attack on a Chinese or English login, and this product's name.
var commonPasswords = []string{
	"123456789012", "1234567890123", "12345678901234", "123456123456", "111111111111",
	"000000000000", "123123123123", "qwertyuiop12", "qwertyuiopasdf", "1qaz2wsx3edc",
	"1q2w3e4r5t6y", "password1234", "password123!", "passw0rd1234", "p@ssw0rd1234",
	"iloveyou1234", "woaini520131", "woaini1314520", "admin1234567", "administrator",
	"daihou123456", "daihoudaihou", "changeme1234", "welcome12345", "abcd12345678",
}

// CheckPassword applies the password policy to a new password for the
// user name: at least MinPasswordLen characters and at most MaxPasswordLen
// bytes of UTF-8, not one character repeated, not containing the user
// name, and not one of the commonest passwords. Length matters most (NIST
// SP 800-63B), so there is no rule on character classes: a long Chinese
// phrase is a good password. It returns nil or a daihou.Error with code
// EINVALID wrapping ErrWeakPassword that says what to change; the message
// never quotes the password.
//
// The password is hashed as its UTF-8 bytes, exactly as typed: a front end
// must not trim or normalise it.
func CheckPassword(name, password string) error {
	weak := func(why string) error {
		return daihou.Errorf(daihou.EINVALID, "%w: %s", ErrWeakPassword, why)
	}
	if !utf8.ValidString(password) {
		return weak("it is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLen {
		return weak(fmt.Sprintf("it has %d characters; use at least %d — a phrase of several words is easiest to remember", n, MinPasswordLen))
	}
	if len(password) > MaxPasswordLen {
		return weak(fmt.Sprintf("it is %d bytes long; use at most %d", len(password), MaxPasswordLen))
	}
	first, _ := utf8.DecodeRuneInString(password)
	if strings.Trim(password, string(first)) == "" {
		return weak("it is one character repeated; use a phrase")
	}
	lower := strings.ToLower(password)
	if n := strings.ToLower(strings.TrimSpace(name)); len(n) >= 3 && strings.Contains(lower, n) {
		return weak("it contains the user name; choose something unrelated to it")
	}
	for _, c := range commonPasswords {
		if lower == c {
			return weak("it is one of the most common passwords; choose a phrase of your own")
		}
	}
	return nil
}
