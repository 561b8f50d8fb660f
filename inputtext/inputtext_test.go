package inputtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"张三丰", 9, "张三丰"},
		{"张三丰", 8, "张三…"}, // 丰 starts at byte 6 and does not fit
		{"张三丰", 2, "…"},
		{"", 0, ""},
	} {
		if got := Clip(c.s, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

// A clipped string is a prefix of at most n bytes, and UTF-8 when the
// string was.
func FuzzClip(f *testing.F) {
	f.Add("张三丰 and more", 5)
	f.Add("abc", 0)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 {
			n = -n
		}
		n %= 64
		got := Clip(s, n)
		body := strings.TrimSuffix(got, "…")
		if got == s {
			return
		}
		if len(body) > n || !strings.HasPrefix(s, body) || utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Clip(%q, %d) = %q", s, n, got)
		}
	})
}
