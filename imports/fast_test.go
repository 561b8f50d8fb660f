package imports

import (
	"daihou/inputtext"
	"strconv"
	"testing"

	"daihou/civil"
	"daihou/money"
)

// The fast paths must agree with civil.Parse and money.ParseAmount on
// every input they accept, and accept the common forms.

func TestFastDateMatchesCivil(t *testing.T) {
	for d := civil.MustParse("1900-01-01"); d <= civil.MustParse("2200-12-31"); d++ {
		s := d.String()
		got, ok := fastDate(s)
		if !ok || got != d {
			t.Fatalf("fastDate(%q) = %v, %v; want %v, true", s, got, ok, d)
		}
	}
	for _, s := range []string{
		"1899-12-31", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-01-00",
		"2024-1-15", "2024/01/15", "20240115", "2024-01-15 ", "2024-01-1x", "+024-01-15", "0000-01-01", "",
	} {
		got, ok := fastDate(s)
		want, err := civil.Parse(s)
		if ok && (err != nil || got != want) {
			t.Errorf("fastDate(%q) = %v, true; civil.Parse = %v, %v", s, got, want, err)
		}
	}
}

func TestFastAmountMatchesMoney(t *testing.T) {
	tests := []string{
		"0", "1", "1.5", "1.50", "100", "1234567.89", "0.01", "00012.30", "9999999999999999.99",
		"99999999999999999", "1.", ".5", "1.234", "-1", "+1", "1e3", "1,000", " 1", "1.5 ", "", ".", "1.x", "1x",
	}
	for i := 0; i < 2000; i++ {
		tests = append(tests, strconv.Itoa(i*7919)+"."+strconv.Itoa(i%100))
	}
	for _, s := range tests {
		got, ok := fastAmount(s)
		want, err := money.ParseAmount(s)
		if ok && (err != nil || got != want) {
			t.Errorf("fastAmount(%q) = %v, true; money.ParseAmount = %v, %v", s, got, want, err)
		}
		if !ok && err == nil && s[0] >= '0' && s[0] <= '9' {
			t.Errorf("fastAmount(%q) refused a plain amount money.ParseAmount accepts", s)
		}
	}
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{"2024-03-15", "1900-01-01", "1234.50", "10.005", "99999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := fastDate(s); ok {
			if want, err := civil.Parse(s); err != nil || got != want {
				t.Errorf("fastDate(%q) = %v; civil.Parse = %v, %v", s, got, want, err)
			}
		}
		if got, ok := fastAmount(s); ok {
			if want, err := money.ParseAmount(s); err != nil || got != want {
				t.Errorf("fastAmount(%q) = %v; money.ParseAmount = %v, %v", s, got, want, err)
			}
		}
	})
}

func TestIDCheckDigit(t *testing.T) {
	// Published examples of GB 11643 numbers (fictitious holders).
	tests := []struct{ id, want string }{
		{"11010519491231002X", "X"},
		{"440524188001010014", "4"},
		{"110101198503122311", "1"},
	}
	for _, tt := range tests {
		if got := string(inputtext.IDCheckDigit(tt.id[:17])); got != tt.want {
			t.Errorf("inputtext.IDCheckDigit(%s) = %s, want %s", tt.id[:17], got, tt.want)
		}
	}
}
