package money_test

import (
	"math"
	"testing"

	"daihou/money"
)

// Counts group by threes like amounts do, the sign outside the groups.
func TestGroup(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", -1000: "-1,000", 1234567: "1,234,567", -999999: "-999,999", math.MinInt64: "-9,223,372,036,854,775,808"} {
		if got := money.Group(n); got != want {
			t.Errorf("Group(%d) = %q, want %q", n, got, want)
		}
	}
}
