package auth_test

import (
	"errors"
	"strings"
	"testing"

	"daihou"
	"daihou/auth"
)

func TestGenerateAndVerifyToken(t *testing.T) {
	tok, stored := auth.GenerateToken()
	if len(tok) != auth.TokenLen || !strings.HasPrefix(tok, auth.TokenPrefix) {
		t.Fatalf("token %q: want %d characters starting with %s", tok, auth.TokenLen, auth.TokenPrefix)
	}
	id, err := auth.ParseTokenID(tok)
	if err != nil || id != stored.ID {
		t.Fatalf("ParseTokenID = %q, %v; want %q", id, err, stored.ID)
	}
	if err := auth.VerifyToken(tok, stored); err != nil {
		t.Errorf("VerifyToken(issued token) = %v", err)
	}
	if got := stored.Display(); got != "dh_"+stored.ID+"_…" || strings.Contains(got, tok[20:]) {
		t.Errorf("Display() = %q", got)
	}
	other, otherStored := auth.GenerateToken()
	if other == tok || otherStored.ID == stored.ID {
		t.Error("two tokens are alike")
	}

	// One character of the secret changed, within the alphabet.
	last := tok[len(tok)-1]
	flip := byte('a')
	if last == 'a' {
		flip = 'b'
	}
	tampered := tok[:len(tok)-1] + string(flip)
	tests := []struct {
		name   string
		token  string
		stored auth.TokenHash
		want   error
	}{
		{"another token's hash", tok, otherStored, auth.ErrTokenMismatch},
		{"secret changed", tampered, stored, auth.ErrTokenMismatch},
		{"id of another row", other, auth.TokenHash{ID: otherStored.ID, Sum: stored.Sum}, auth.ErrTokenMismatch},
		{"empty", "", stored, auth.ErrMalformedToken},
		{"no prefix", "xx" + tok[2:], stored, auth.ErrMalformedToken},
		{"upper case", strings.ToUpper(tok), stored, auth.ErrMalformedToken},
		{"short", tok[:len(tok)-1], stored, auth.ErrMalformedToken},
		{"long", tok + "a", stored, auth.ErrMalformedToken},
		{"separator moved", tok[:18] + "_" + tok[19:], stored, auth.ErrMalformedToken},
		{"outside the alphabet", tok[:30] + "1" + tok[31:], stored, auth.ErrMalformedToken},
		{"bearer prefix", "Bearer " + tok, stored, auth.ErrMalformedToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.VerifyToken(tt.token, tt.stored)
			if !errors.Is(err, tt.want) || daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
				t.Errorf("VerifyToken = %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tok[20:]) {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
}

// FuzzParseTokenID checks that the parser never panics and that an id it
// returns is the token's own, in the token alphabet.
func FuzzParseTokenID(f *testing.F) {
	tok, _ := auth.GenerateToken()
	f.Add(tok)
	f.Add("dh_")
	f.Add("dh_aaaaaaaaaaaaaaaa_" + strings.Repeat("a", 52))
	f.Add("dh_aaaaaaaaaaaaaaaa_" + strings.Repeat("é", 26))
	f.Fuzz(func(t *testing.T, s string) {
		id, err := auth.ParseTokenID(s)
		if err != nil {
			if !errors.Is(err, auth.ErrMalformedToken) {
				t.Fatalf("error %v is not ErrMalformedToken", err)
			}
			return
		}
		if len(s) != auth.TokenLen || s[3:19] != id || len(id) != 16 {
			t.Fatalf("ParseTokenID(%q) = %q", s, id)
		}
		for _, c := range s[3:] {
			if c != '_' && !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
				t.Fatalf("ParseTokenID(%q) accepted %q", s, c)
			}
		}
	})
}

func BenchmarkVerifyToken(b *testing.B) {
	tok, stored := auth.GenerateToken()
	b.ReportAllocs()
	for b.Loop() {
		if err := auth.VerifyToken(tok, stored); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		auth.GenerateToken()
	}
}
