package compliance

import (
	"errors"
	"strings"
	"testing"

	"daihou"
	"daihou/money"
)

func TestRateCap(t *testing.T) {
	if got, want := RateCap(DefaultLPR, LPRMultiple).Rate(), money.MustParseRate("0.12"); got != want {
		t.Errorf("got default cap %s, want %s", got, want)
	}
	if got, want := RateCap(money.MustParseRate("0.0345"), 4).Rate(), money.MustParseRate("0.138"); got != want {
		t.Errorf("got cap %s, want %s", got, want)
	}
}

func TestCheckRate(t *testing.T) {
	limit := RateCap(DefaultLPR, LPRMultiple)
	for _, c := range []struct {
		rate string
		over bool
	}{
		{"0", false},
		{"0.0435", false},
		{"0.12", false}, // at the cap is not above it
		{"0.1200000001", true},
		{"0.24", true},
		{"0.36", true},
	} {
		t.Run(c.rate, func(t *testing.T) {
			err := CheckRate(money.MustParseRate(c.rate), limit)
			if !c.over {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrRateAboveCap) || daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != "rate" {
				t.Fatalf("got %v (code %q), want EINVALID on rate wrapping ErrRateAboveCap", err, daihou.ErrorCode(err))
			}
			for _, want := range []string{c.rate, "0.12 (12 %)", "LPR 0.03 (3 %)", "4 ×"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to name %q", err, want)
				}
			}
		})
	}
}

func TestAnnualCost(t *testing.T) {
	for _, c := range []struct {
		name            string
		rate            string
		fees, principal int64
		days            int
		want            string // "" for an error
		field           string
	}{
		{"no fees", "0.0435", 0, 1_000_000, 365, "0.0435", ""},
		{"fees over a year", "0.10", 100_00, 10_000_00, 365, "0.11", ""},
		{"fees over 30 days", "0.10", 100_00, 10_000_00, 30, "0.2216666667", ""}, // 0.01 × 365/30 = 0.121666…, rounded up
		{"exact over 73 days", "0", 1_00, 100_00, 73, "0.05", ""},
		{"a large loan for long does not overflow", "0.05", 1_000_000_000_00, 10_000_000_000_000_00, 36500, "0.050001", ""}, // principal × days is past 64 bits,
		{"one fen on a fortune rounds up", "0", 1, 1_000_000_000_000_00, 365, "0.0000000001", ""},
		{"negative fees", "0.05", -1, 100, 30, "", "fees"},
		{"zero principal", "0.05", 1, 0, 30, "", "principal"},
		{"zero days", "0.05", 1, 100, 0, "", "days"},
		{"fees beyond any rate", "0", 1 << 62, 1, 1, "", "fees"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := AnnualCost(money.MustParseRate(c.rate), c.fees, c.principal, c.days)
			if c.want == "" {
				if daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != c.field {
					t.Fatalf("got %s, %v, want EINVALID on %s", got, err, c.field)
				}
				return
			}
			if err != nil || got != money.MustParseRate(c.want) {
				t.Fatalf("got %s, %v, want %s", got, err, c.want)
			}
		})
	}
	// The cost, not the rate, is held against the cap: 10 % plus fees
	// worth 2.17 % a year is over 12 %.
	cost, err := AnnualCost(money.MustParseRate("0.10"), 178_00, 10_000_00, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRate(cost, RateCap(DefaultLPR, LPRMultiple)); !errors.Is(err, ErrRateAboveCap) {
		t.Errorf("got %v for a cost of %s, want ErrRateAboveCap", err, cost)
	}
}
