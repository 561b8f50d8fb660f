package auth_test

import (
	"errors"
	"strings"
	"testing"

	"daihou"
	"daihou/auth"
)

// cheap are parameters for tests that are about the format, not the cost.
var cheap = auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerifyPassword(t *testing.T) {
	const pw = "长城长江黄河 correct horse"
	h, err := auth.HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string", h)
	}
	if err := auth.VerifyPassword(h, pw); err != nil {
		t.Errorf("VerifyPassword(right password) = %v", err)
	}
	for _, wrong := range []string{"", "长城长江黄河 correct hors", "长城长江黄河 Correct horse", pw + " "} {
		err := auth.VerifyPassword(h, wrong)
		if !errors.Is(err, auth.ErrPasswordMismatch) || daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("VerifyPassword(%q) = %v, want ErrPasswordMismatch", wrong, err)
		}
	}
	h2, _ := auth.HashPassword(pw, cheap)
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	err = auth.VerifyUnknownUser(pw)
	if !errors.Is(err, auth.ErrPasswordMismatch) {
		t.Errorf("VerifyUnknownUser = %v", err)
	}
}

// TestVerifyKnownVector checks the hash against an argon2id value computed
// independently (the reference implementation's argon2 CLI:
// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32), so the
// format and the parameter order are what other tools read.
func TestVerifyKnownVector(t *testing.T) {
	const phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	if err := auth.VerifyPassword(phc, "password"); err != nil {
		t.Fatalf("VerifyPassword(reference vector) = %v", err)
	}
}

func TestParsePasswordHash(t *testing.T) {
	good := "$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	h, err := auth.ParsePasswordHash(good)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Params, (auth.Params{Memory: 65536, Iterations: 2, Parallelism: 2, SaltLen: 16, KeyLen: 32}); got != want {
		t.Errorf("Params = %+v, want %+v", got, want)
	}
	if h.String() != good {
		t.Errorf("String() = %q, want %q", h.String(), good)
	}
	bad := []struct{ in, why string }{
		{"", "want $argon2id"},
		{"plain", "want $argon2id"},
		{"$argon2i$v=19$m=65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "not argon2id"},
		{"$argon2id$v=16$m=65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "not v=19"},
		{"$argon2id$v=19$t=2,m=65536,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "in that order"},
		{"$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "m=…,t=…,p=…"},
		{"$argon2id$v=19$m=065536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "not a decimal"},
		{"$argon2id$v=19$m=+65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "not a decimal"},
		{"$argon2id$v=19$m=99999999999,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "not a decimal"},
		{"$argon2id$v=19$m=4194304,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "memory must be"},
		{"$argon2id$v=19$m=65536,t=0,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "iterations must be"},
		{"$argon2id$v=19$m=65536,t=1000,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "iterations must be"},
		{"$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "parallelism"},
		{"$argon2id$v=19$m=65536,t=2,p=256$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "above 255"},
		{"$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "salt is not base64"},
		{"$argon2id$v=19$m=65536,t=2,p=2$cw$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "salt must be"},
		{"$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQ$CTFh", "hash must be"},
		{"$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP!", "hash is not base64"},
		{"$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$", "want $argon2id"},
	}
	for _, tt := range bad {
		_, err := auth.ParsePasswordHash(tt.in)
		if !errors.Is(err, auth.ErrBadPasswordHash) || daihou.ErrorCode(err) != daihou.EINTERNAL || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("ParsePasswordHash(%q) = %v, want ErrBadPasswordHash saying %q", tt.in, err, tt.why)
		}
		if err := auth.VerifyPassword(tt.in, "password"); !errors.Is(err, auth.ErrBadPasswordHash) {
			t.Errorf("VerifyPassword(%q) = %v, want ErrBadPasswordHash", tt.in, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	old, _ := auth.HashPassword("a long enough phrase", cheap)
	if !auth.NeedsRehash(old, auth.DefaultParams) {
		t.Error("a cheap hash does not need rehashing under DefaultParams")
	}
	if auth.NeedsRehash(old, cheap) {
		t.Error("a hash needs rehashing under its own parameters")
	}
	stronger := cheap
	stronger.Iterations++
	if !auth.NeedsRehash(old, stronger) {
		t.Error("raising the iterations does not ask for a rehash")
	}
	weaker := auth.Params{Memory: 32, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	if auth.NeedsRehash(old, weaker) {
		t.Error("lowering the memory asks for a rehash")
	}
	if !auth.NeedsRehash("garbage", cheap) {
		t.Error("an unreadable hash does not need rehashing")
	}
	if _, err := auth.HashPassword("x", auth.Params{}); daihou.ErrorCode(err) != daihou.EINTERNAL {
		t.Errorf("HashPassword with zero parameters: %v", err)
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, pw, why string
	}{
		{"alice", "tea at the bund 1998", ""},
		{"alice", "黄浦江边的一杯龙井茶很香", ""},
		{"alice", "short", "has 5 characters; use at least 12"},
		{"alice", "张三李四王五赵六钱七", "has 10 characters"},
		{"alice", strings.Repeat("a", 12), "one character repeated"},
		{"alice", strings.Repeat("好", 20), "one character repeated"},
		{"alice", "my name is ALICE, ok?", "contains the user name"},
		{"bo", "bo is my friend!", ""}, // names under 3 letters are too common to refuse
		{"bob", "Password1234", "most common"},
		{"bob", strings.Repeat("ab", 200), "use at most 256"},
		{"bob", "bad utf-8 \xff here ok", "not valid UTF-8"},
	}
	for _, tt := range tests {
		err := auth.CheckPassword(tt.name, tt.pw)
		if tt.why == "" {
			if err != nil {
				t.Errorf("CheckPassword(%q, %q) = %v", tt.name, tt.pw, err)
			}
			continue
		}
		if !errors.Is(err, auth.ErrWeakPassword) || daihou.ErrorCode(err) != daihou.EINVALID || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("CheckPassword(%q, %q) = %v, want ErrWeakPassword saying %q", tt.name, tt.pw, err, tt.why)
		}
		if err != nil && len(tt.pw) > 3 && strings.Contains(err.Error(), tt.pw) {
			t.Errorf("the error %q quotes the password", err)
		}
	}
}

// FuzzParsePasswordHash checks that the parser never panics, that what it
// accepts prints back to the same string (one spelling per hash), and that
// the parameters are within the limits.
func FuzzParsePasswordHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=1,t=1,p=1$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := auth.ParsePasswordHash(s)
		if err != nil {
			if !errors.Is(err, auth.ErrBadPasswordHash) {
				t.Fatalf("error %v is not ErrBadPasswordHash", err)
			}
			return
		}
		if got := h.String(); got != s {
			t.Fatalf("ParsePasswordHash(%q).String() = %q", s, got)
		}
		if h.Params.Memory > 1<<20 || h.Params.Iterations > 64 || h.Params.Parallelism == 0 {
			t.Fatalf("parameters %+v out of range", h.Params)
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := auth.HashPassword("tea at the bund 1998", auth.DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	h, _ := auth.HashPassword("tea at the bund 1998", auth.DefaultParams)
	for b.Loop() {
		if err := auth.VerifyPassword(h, "tea at the bund 1998"); err != nil {
			b.Fatal(err)
		}
	}
}
