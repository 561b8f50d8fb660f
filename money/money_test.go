package money_test

import (
	"errors"
	"math/big"
	"regexp"
	"testing"

	"pgregory.net/rapid"

	"daihou/money"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want money.Amount
		err  error
	}{
		{"0", 0, nil},
		{"1", 100, nil},
		{"5307.27", 530727, nil},
		{"5307.2", 530720, nil},
		{"-0.01", -1, nil},
		{"+12.00", 1200, nil},
		{"10.005", 0, money.ErrAmountPrecision},
		{"1e3", 0, money.ErrAmountSyntax},
		{"", 0, money.ErrAmountSyntax},
		{".5", 0, money.ErrAmountSyntax},
		{"5.", 0, money.ErrAmountSyntax},
		{"1,000", 0, money.ErrAmountSyntax},
		{"99999999999999999", 0, money.ErrAmountRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := money.ParseAmount(tt.in)
			if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
				t.Errorf("ParseAmount(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		a       money.Amount
		s, grpd string
	}{
		{0, "0.00", "0.00"},
		{-1, "-0.01", "-0.01"},
		{100000000, "1000000.00", "1,000,000.00"},
		{-123456789, "-1234567.89", "-1,234,567.89"},
	} {
		if got := tt.a.String(); got != tt.s {
			t.Errorf("String(%d) = %q, want %q", tt.a, got, tt.s)
		}
		if got := tt.a.Grouped(); got != tt.grpd {
			t.Errorf("Grouped(%d) = %q, want %q", tt.a, got, tt.grpd)
		}
	}
}

func TestParseRate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want money.Rate
		bad  bool
	}{
		{"0.0435", 435_000_000, false},
		{"0.049", 490_000_000, false},
		{"1", money.RateScale, false},
		{"0.00000000001", 0, true},
		{"-0.1", 0, true},
		{"11", 0, true},
		{"4.35%", 0, true},
	} {
		got, err := money.ParseRate(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v", tt.in, got, err)
		}
		if !tt.bad && got.String() != tt.in {
			t.Errorf("Rate(%q).String() = %q", tt.in, got.String())
		}
	}
}

// ParseRate's errors name the real problem: text that is not a decimal
// number is a syntax error with an example of what to write, not a rate
// "out of range".
func TestParseRateErrors(t *testing.T) {
	tests := []struct {
		name, in string
		err      error
		want     string
	}{
		{"letters", "abc", money.ErrRateSyntax, `rate is not a decimal number: "abc" (write a decimal fraction such as 0.0435 for 4.35 %)`},
		{"percent sign", "4.35%", money.ErrRateSyntax, `rate is not a decimal number: "4.35%" (write a decimal fraction such as 0.0435 for 4.35 %)`},
		{"comma", "0,0435", money.ErrRateSyntax, `rate is not a decimal number: "0,0435" (write a decimal fraction such as 0.0435 for 4.35 %)`},
		{"exponent", "1e-2", money.ErrRateSyntax, `rate is not a decimal number: "1e-2" (write a decimal fraction such as 0.0435 for 4.35 %)`},
		{"empty", "", money.ErrRateSyntax, `rate is not a decimal number: "" (write a decimal fraction such as 0.0435 for 4.35 %)`},
		{"negative", "-0.1", money.ErrRateRange, `rate is out of range (0 to 10): "-0.1" is negative`},
		{"above 10", "10.5", money.ErrRateRange, `rate is out of range (0 to 10): "10.5"`},
		{"three digits", "100", money.ErrRateRange, `rate is out of range (0 to 10): "100"`},
		{"eleven places", "0.00000000001", money.ErrRatePrecision, `rate has more than 10 decimal places: "0.00000000001"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := money.ParseRate(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseRate(%q) error %v, want %v", tt.in, err, tt.err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParseRate(%q) error\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
	if got, err := money.ParseRate("007.5"); err != nil || got != money.MustParseRate("7.5") {
		t.Errorf("ParseRate(007.5) = %v, %v; want 7.5: leading zeros are not a range error", got, err)
	}
}

// Property: MulDiv equals exact big-integer arithmetic with the same rounding.
func TestMulDivMatchesBigInt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64Range(-1e15, 1e15).Draw(t, "a")
		b := rapid.Int64Range(0, 1e11).Draw(t, "b")
		c := rapid.Int64Range(1e9, 1e13).Draw(t, "c") // keeps a·b/c within int64
		got := money.MulDiv(a, b, c, money.HalfUp)
		num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		neg := num.Sign() < 0
		num.Abs(num)
		q, r := new(big.Int).QuoRem(num, big.NewInt(c), new(big.Int))
		if new(big.Int).Lsh(r, 1).Cmp(big.NewInt(c)) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		if neg {
			q.Neg(q)
		}
		if got != q.Int64() {
			t.Fatalf("MulDiv(%d, %d, %d) = %d, want %d", a, b, c, got, q.Int64())
		}
	})
}

func TestMulDivModes(t *testing.T) {
	for _, tt := range []struct {
		a, b, c int64
		mode    money.Rounding
		want    int64
	}{
		{5, 1, 2, money.HalfUp, 3},
		{-5, 1, 2, money.HalfUp, -3},
		{5, 1, 2, money.Down, 2},
		{4, 1, 3, money.Up, 2},
		{7, 1, 2, money.HalfUp, 4},
		{1, 1, 3, money.HalfUp, 0},
	} {
		if got := money.MulDiv(tt.a, tt.b, tt.c, tt.mode); got != tt.want {
			t.Errorf("MulDiv(%d,%d,%d,%v) = %d, want %d", tt.a, tt.b, tt.c, tt.mode, got, tt.want)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "5307.27", "-0.01", "1e3", "10.005", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := money.ParseAmount(s)
		if err != nil {
			return
		}
		back, err := money.ParseAmount(a.String())
		if err != nil || back != a {
			t.Fatalf("round trip of %q: %v → %q → %v, %v", s, a, a.String(), back, err)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0.0435", "1", "0.1234567891", "x", "abc", "4.35%", "-0.1", "100"} {
		f.Add(s)
	}
	decimal := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := money.ParseRate(s)
		// The error names the real problem: syntax exactly when the text is
		// not a plain decimal number.
		if syntax := errors.Is(err, money.ErrRateSyntax); syntax == decimal.MatchString(s) {
			t.Fatalf("ParseRate(%q) = %v: syntax error %v, but decimal %v", s, err, syntax, decimal.MatchString(s))
		}
		if err != nil {
			return
		}
		back, err := money.ParseRate(r.String())
		if err != nil || back != r {
			t.Fatalf("round trip of %q: %v → %v, %v", s, r, back, err)
		}
	})
}
