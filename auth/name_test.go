package auth_test

import (
	"errors"
	"strings"
	"testing"

	"daihou"
	"daihou/auth"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
		why      string // part of the error, when it fails
	}{
		{"alice", "alice", ""},
		{"ALICE", "alice", ""},
		{"  Alice\t", "alice", ""},
		{"\u3000risk.li\u3000", "risk.li", ""},
		{"zhang_san-01", "zhang_san-01", ""},
		{"7eleven", "7eleven", ""},
		{"a", "a", ""},
		{strings.Repeat("a", 64), strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 65), "", "65 characters long, at most 64"},
		{"", "", "empty"},
		{"   ", "", "empty"},
		{".alice", "", "starts with '.'"},
		{"-x", "", "starts with '-'"},
		{"al ice", "", "' ' is not allowed"},
		{"user:alice", "", "':' is not allowed"},
		{"a@b.cn", "", "'@' is not allowed"},
		{"张三", "", "not an ASCII letter"},
		{"\u212Aelvin", "", "not an ASCII letter"}, // the Kelvin sign lower-cases to k
		{"аlice", "", "not an ASCII letter"},       // Cyrillic а
		{"ａlice", "", "not an ASCII letter"},       // full-width ａ
		{"local", "", "reserved"},
		{"SYSTEM", "", "reserved"},
		{"bad\xffname", "", "not an ASCII letter"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := auth.NormalizeName(tt.in)
			if tt.why == "" {
				if err != nil || got != tt.want {
					t.Fatalf("NormalizeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("NormalizeName(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, auth.ErrInvalidName) || daihou.ErrorCode(err) != daihou.EINVALID {
				t.Errorf("error %v is not ErrInvalidName with code invalid", err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q does not say %q", err, tt.why)
			}
		})
	}
}

func TestNormalizeNameQuotesLongInputShort(t *testing.T) {
	_, err := auth.NormalizeName(strings.Repeat("张", 10000))
	if err == nil || len(err.Error()) > 300 {
		t.Fatalf("error of %d bytes: %v", len(err.Error()), err)
	}
}

// FuzzNormalizeName checks that a normalised name is a fixed point, is
// ASCII of the allowed set, and is what any case and spacing of it gives.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"alice", " ALICE ", "risk.li", "张三", "\u212A", ".x", strings.Repeat("b", 70), "local"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := auth.NormalizeName(s)
		if err != nil {
			if !errors.Is(err, auth.ErrInvalidName) {
				t.Fatalf("error %v is not ErrInvalidName", err)
			}
			return
		}
		if n == "" || len(n) > auth.MaxNameLen {
			t.Fatalf("NormalizeName(%q) = %q", s, n)
		}
		for i := 0; i < len(n); i++ {
			c := n[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				t.Fatalf("NormalizeName(%q) = %q holds %q", s, n, c)
			}
		}
		for _, v := range []string{n, strings.ToUpper(n), " " + n + "\n"} {
			if m, err := auth.NormalizeName(v); err != nil || m != n {
				t.Fatalf("NormalizeName(%q) = %q, %v; want %q", v, m, err, n)
			}
		}
	})
}

func TestNewUser(t *testing.T) {
	a, err := auth.NewUser(" Li.Si ", roles("Collector", auth.Collector, auth.Legal), auth.Scope{Branches: []string{" 0101", "0101", "0102"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.String(), "user:li.si"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := a.Roles(); len(got) != 2 || got[0] != auth.Collector || got[1] != auth.Legal {
		t.Errorf("Roles() = %v", got)
	}
	if got := a.Granted().Branches; len(got) != 2 {
		t.Errorf("granted branches %v, want 0101 and 0102 once each", got)
	}
	a.Roles()[0] = auth.Admin
	if a.Has(auth.Admin) {
		t.Error("Roles() shares the actor's slice")
	}

	bad := []struct {
		name    string
		roles   []auth.Role
		granted auth.Scope
		why     string
	}{
		{"bob", nil, auth.Scope{}, "has no role"},
		{"bob", roles("root"), auth.Scope{}, "unknown role"},
		{"bob", roles(auth.SystemEOD), auth.Scope{}, "belongs to system actors"},
		{"bob", roles(auth.Collector), auth.Scope{Officer: "bob"}, "follow from the roles"},
		{"bob", roles(auth.Collector), auth.Scope{Branches: []string{" "}}, "branch is empty"},
		{"张三", roles(auth.Collector), auth.Scope{}, "ASCII"},
	}
	for _, tt := range bad {
		if _, err := auth.NewUser(tt.name, tt.roles, tt.granted); err == nil || !strings.Contains(err.Error(), tt.why) || daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("NewUser(%q, %v, %v) = %v, want an invalid error saying %q", tt.name, tt.roles, tt.granted, err, tt.why)
		}
	}
	if _, err := auth.NewToken("ops", roles("ADMIN"), auth.AllLoans()); err == nil || !strings.Contains(err.Error(), "cannot hold the admin role") {
		t.Errorf("an admin token: %v", err)
	}
}

func TestActorString(t *testing.T) {
	imp, _ := auth.Import("")
	feed, _ := auth.Import("Core-Banking")
	hook, _ := auth.Webhook("UnionPay")
	tok := mustToken(t, "core-banking", roles(auth.Integration), auth.AllLoans())
	tests := []struct {
		a    auth.Actor
		want string
	}{
		{auth.Actor{}, "nobody"},
		{auth.Local(), "local"},
		{auth.EOD(), "system:eod"},
		{imp, "system:import"},
		{feed, "system:import:core-banking"},
		{hook, "system:webhook:unionpay"},
		{tok, "token:core-banking"},
		{mustUser(t, "Alice", roles(auth.Manager), auth.Scope{}), "user:alice"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	if _, err := auth.Webhook("bad source"); err == nil {
		t.Error("Webhook accepted a name with a space")
	}
}
