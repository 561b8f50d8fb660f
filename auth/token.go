package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"

	"daihou"
)

// An API token reads dh_<id>_<secret>: the prefix lets people and secret
// scanners recognise a daihou token, the id (10 random bytes, 16
// characters) is the token's public name by which the store finds its row
// without scanning, and the secret (32 random bytes, 52 characters) is what
// proves possession. Both parts are lower-case base32 without padding, so
// a token survives being typed, pasted into a shell or put in a URL.
const (
	TokenPrefix = "dh_"
	tokenIDLen  = 16 // base32 of 10 bytes
	secretLen   = 52 // base32 of 32 bytes
	// TokenLen is the length of every API token.
	TokenLen = len(TokenPrefix) + tokenIDLen + 1 + secretLen
)

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Errors of the token functions, inside a daihou.Error with code
// EUNAUTHORIZED: the answer to a caller who presented a bad token.
var (
	// ErrMalformedToken means the text is not a daihou API token.
	ErrMalformedToken = errors.New("not a daihou API token")
	// ErrTokenMismatch means the token's secret is not the one issued.
	ErrTokenMismatch = errors.New("invalid API token")
)

// TokenHash is what the store keeps of an API token: its id, to find the
// row, and the SHA-256 of the whole token, to check it. The token itself is
// shown once, when it is issued, and kept nowhere.
//
// SHA-256 is enough here, where passwords need argon2id: a password is
// chosen by a person and can be guessed from a dictionary, so its hash must
// make each guess expensive; a token's secret is 256 random bits, which no
// guessing can reach however cheap each guess is.
type TokenHash struct {
	ID  string
	Sum [sha256.Size]byte
}

// Display returns the part of the token that can be shown in lists and
// logs, e.g. dh_k3mz8q2rt5vw7xya_….
func (h TokenHash) Display() string { return TokenPrefix + h.ID + "_…" }

// GenerateToken returns a new API token, to show once, and what the store
// keeps of it.
func GenerateToken() (token string, stored TokenHash) {
	var id [10]byte
	var secret [32]byte
	rand.Read(id[:]) // never fails (crypto/rand, Go 1.24)
	rand.Read(secret[:])
	token = TokenPrefix + b32.EncodeToString(id[:]) + "_" + b32.EncodeToString(secret[:])
	return token, TokenHash{ID: token[len(TokenPrefix) : len(TokenPrefix)+tokenIDLen], Sum: sha256.Sum256([]byte(token))}
}

// ParseTokenID returns the id of a presented token, for the store to look
// up its TokenHash. It checks the form only; VerifyToken checks the secret.
func ParseTokenID(token string) (string, error) {
	if len(token) != TokenLen || token[:len(TokenPrefix)] != TokenPrefix || token[len(TokenPrefix)+tokenIDLen] != '_' {
		return "", malformed()
	}
	id := token[len(TokenPrefix) : len(TokenPrefix)+tokenIDLen]
	secret := token[len(TokenPrefix)+tokenIDLen+1:]
	if !isB32(id) || !isB32(secret) {
		return "", malformed()
	}
	return id, nil
}

func malformed() error {
	return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: a token reads dh_ followed by 69 letters, digits and one _; copy it again from where it was issued", ErrMalformedToken)
}

// isB32 reports whether s is in the token alphabet. Nothing is decoded: the
// secret's last character carries 4 unused bits, and a token that differs
// there hashes differently, so VerifyToken refuses it like any other
// wrong secret.
func isB32(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// VerifyToken checks a presented token against what the store keeps, in
// constant time. It returns nil or a daihou.Error with code EUNAUTHORIZED
// wrapping ErrMalformedToken or ErrTokenMismatch.
func VerifyToken(token string, stored TokenHash) error {
	id, err := ParseTokenID(token)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], stored.Sum[:]) != 1 || id != stored.ID {
		return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: the token was revoked or mistyped; ask an admin for a new one", ErrTokenMismatch)
	}
	return nil
}
