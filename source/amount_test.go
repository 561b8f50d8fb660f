package source

import (
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"daihou/money"
)

// TestAmountRoundTrip: every amount in range, written in yuan in any of
// the spellings Check accepts, reads back as exactly its fen, and fen
// written as yuan read back as themselves: no float ever rounds.
func TestAmountRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fen := rapid.Int64Range(0, MaxAmount).Draw(t, "fen")
		canonical := money.Amount(fen).String()
		spellings := []string{canonical, strings.Repeat("0", rapid.IntRange(0, 3).Draw(t, "zeros")) + canonical}
		if fen%10 == 0 {
			spellings = append(spellings, strings.TrimSuffix(canonical, "0"))
		}
		if fen%100 == 0 {
			spellings = append(spellings, strings.TrimSuffix(canonical, ".00"))
		}
		for _, s := range spellings {
			got, why := parseAmount(s)
			if why != "" || got != fen {
				t.Fatalf("parseAmount(%q) = %d, %q; want %d", s, got, why, fen)
			}
		}
	})
}

// TestAmountText: text of digits and a point is read as
// money.ParseAmount, written independently, reads it, up to the limit
// and with no sign (not even -0); writing the fen back gives text that
// reads the same.
func TestAmountText(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringMatching(`-?[0-9]{0,17}(\.[0-9]{0,3})?`).Draw(t, "s")
		got, why := parseAmount(s)
		want, err := money.ParseAmount(s)
		switch {
		case why != "" && err == nil && !strings.HasPrefix(s, "-") && int64(want) <= MaxAmount:
			t.Fatalf("parseAmount(%q) refused it (%s), but it is %v", s, why, want)
		case why != "" && !strings.Contains(why, "decimal") && !strings.Contains(why, "larger") && !strings.Contains(why, "negative") && !strings.Contains(why, "not an amount"):
			t.Fatalf("parseAmount(%q): reason %q says nothing of the problem", s, why)
		case why != "":
			return
		case err != nil || int64(want) != got:
			t.Fatalf("parseAmount(%q) = %d, but money.ParseAmount says %v, %v", s, got, want, err)
		case got > MaxAmount || got < 0:
			t.Fatalf("parseAmount(%q) = %d, out of range", s, got)
		}
		back, why := parseAmount(money.Amount(got).String())
		if why != "" || back != got {
			t.Fatalf("%q → %d → %q → %d, %q", s, got, money.Amount(got).String(), back, why)
		}
	})
}

// TestIntRoundTrip is TestAmountRoundTrip for whole numbers.
func TestIntRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.Int64Range(-MaxInt, MaxInt).Draw(t, "n")
		s := strconv.FormatInt(n, 10)
		got, why := parseInt(s, true)
		if why != "" || got != n {
			t.Fatalf("parseInt(%q) = %d, %q; want %d", s, got, why, n)
		}
		if _, why := parseInt(s, false); (why == "") != (n >= 0) {
			t.Fatalf("parseInt(%q, unsigned): reason %q", s, why)
		}
	})
}
