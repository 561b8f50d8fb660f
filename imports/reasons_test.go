package imports

import (
	"daihou/inputtext"
	"io"
	"regexp"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/money"
)

func TestShiftPoint(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"4.35", -2, "0.0435"},
		{"435", -2, "4.35"},
		{"0.5", -2, "0.005"},
		{"1.5", 3, "1500"},
		{"1", 2, "100"},
		{".5", 1, "5"},
		{"0012.3400", 0, "12.34"},
		{"0", 5, "0"},
		{"1.25", 1, "12.5"},
	}
	for _, tt := range tests {
		if got := shiftPoint(tt.in, tt.n); got != tt.want {
			t.Errorf("shiftPoint(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestRepairs(t *testing.T) {
	tests := []struct {
		name   string
		repair repair
		in     string
		want   string // "" if the repair does not apply
	}{
		{"grouped", grouping, "1,234,567.89", "1234567.89"},
		{"grouped negative", grouping, "-1,000", "-1000"},
		{"not grouped: short group", grouping, "1,23", ""},
		{"not grouped: leading zero", grouping, "0,123", ""},
		{"not grouped: four digits first", grouping, "1234,567", ""},
		{"decimal comma", decComma, "100,50", "100.50"},
		{"decimal comma in a rate", decComma, "0,0435", "0.0435"},
		{"a thousands separator is not a decimal comma", decComma, "1,000", ""},
		{"two commas", decComma, "1,0,0", ""},
		{"exponent", exponent, "1e2", "100"},
		{"exponent with a sign and a fraction", exponent, "-1.5E+3", "-1500"},
		{"negative exponent", exponent, "4.35e-2", "0.0435"},
		{"exponent of a fraction", exponent, ".5e1", "5"},
		{"exponent too large to write out", exponent, "1e31", ""},
		{"exponent without digits", exponent, "1e", ""},
		{"not an exponent", exponent, "e5", ""},
		{"yen sign", currency, "¥100", "100"},
		{"full-width yen sign", currency, "￥100", "100"},
		{"currency code", currency, "CNY 100", "100"},
		{"yuan", currency, "100元", "100"},
		{"only a sign", currency, "¥", ""},
		{"full-width", fullWidth, "１２３．４５", "123.45"},
		{"ideographic space", fullWidth, "1\u30002", "1 2"},
		{"spaces", inSpaces, "1 000\u00a0000", "1000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.repair.undo(tt.in)
			if !ok {
				got = ""
			}
			if got != tt.want {
				t.Errorf("%s repair of %q = %q, want %q", tt.repair.problem, tt.in, got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"LN1", `"LN1"`},
		{"张三", `"张三"`},
		{"a\tb\u200b", `"a\tb\u200b"`},
		{strings.Repeat("x", 40), `"` + strings.Repeat("x", 40) + `"`},
		{strings.Repeat("参", 41), `"` + strings.Repeat("参", 32) + `"…`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMarkCutRune(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"柜面", "柜面"},
		{"柜\xe9", "柜\uFFFD"},
		{"柜\xe9\x9d", "柜\uFFFD"},
		{"\xe9", "\uFFFD"},
		{"a\xff", "a\xff"}, // not the start of a character: bad encoding, not a cut
		{"a\xe9\r", "a\xe9\r"},
		{"a\n", "a\n"},
	}
	for _, tt := range tests {
		lr, err := newLineReader(strings.NewReader(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for {
			b, err := lr.next()
			if err == io.EOF {
				break
			}
			got.Write(b)
		}
		if got.String() != tt.want {
			t.Errorf("lines of %q = %q, want %q", tt.in, got.String(), tt.want)
		}
	}
}

// suggested finds the value a reason tells the operator to write.
var suggested = regexp.MustCompile(`(?:: write |is written |write the decimal fraction )(\S+)$`)

// FuzzSuggestions checks that every correction a reason offers is a value
// the column accepts: a reason must never send the operator from one
// reject to another. It also checks that every value refused gets a
// reason.
func FuzzSuggestions(f *testing.F) {
	for _, s := range []string{
		"1,000.00", "¥1,000.00", "１０００.００", "1e2", "1.5E3", "100,50", "1 000.00", "-1,000", "－５", "1e-3", "4.35%", "45%", "4.35", "36", "435",
		"0,0435", "4.35e-2", "12个月", "3年", "100年", "12.0", "３６", "2024/03/15", "2024年3月15日", "20240315", "45366", "2024-3-5",
		"2024-03-15 10:00", "２０２４-０３-１５", "2024-02-30", "LN２０２４", "Equal-Installment", "1e31", "１e２",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		v = strings.TrimSpace(v)
		if v == "" {
			return
		}
		check := func(field, reason string, accepts func(string) bool) {
			if reason == "" {
				t.Fatalf("%s %q: refused without a reason", field, v)
			}
			if m := suggested.FindStringSubmatch(reason); m != nil && !accepts(m[1]) {
				t.Fatalf("%s %q: the reason %q suggests %q, which is refused too", field, v, reason, m[1])
			}
		}
		if a, err := money.ParseAmount(v); err != nil || a <= 0 {
			reason := ""
			if err != nil {
				reason = badAmount(v)
			} else {
				reason = "zero or negative"
			}
			check("amount", reason, func(s string) bool { a, err := money.ParseAmount(s); return err == nil && a > 0 })
		}
		if x, err := money.ParseRate(v); err != nil || x > maxRate {
			check("rate", badRate(v), plausibleRate)
		}
		if !inputtext.AllDigits(v) || atoiCapped(v) < minTerm || atoiCapped(v) > maxTerm {
			check("term", badTerm(v), func(s string) bool {
				return inputtext.AllDigits(s) && atoiCapped(s) >= minTerm && atoiCapped(s) <= maxTerm
			})
		}
		if _, err := civil.Parse(v); err != nil {
			check("date", badDate(v), func(s string) bool { _, err := civil.Parse(s); return err == nil })
		}
		if !isCode(v) {
			check("code", badCode(v), isCode)
		}
	})
}
