package compliance

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou"
	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
)

// The cases are worked by hand against the default cap, 4 × 3 % = 12 %
// (1,200,000,000 units of 1e-10). A bullet of 100,000,000.00 (1e10 fen)
// for 365 days lends 3.65e12 fen-days, over which one fen of fees costs
// exactly one unit a year (1 × 365 × 1e10 ÷ 3.65e12): at 10 %, fees of
// 2 % of the principal, 200,000,000 fen, bring the cost to the cap.
func TestCheckCap(t *testing.T) {
	limit := RateCap(DefaultLPR, LPRMultiple)
	r := money.MustParseRate
	const big = 10_000_000_000 * 365 // fen-days of 1e10 fen over 365 days
	for _, c := range []struct {
		name          string
		terms         LoanTerms
		penalty, cost string
		over          []Excess
	}{
		{"at the cap everywhere", LoanTerms{Rate: r("0.12"), PenaltyRate: r("0.12")}, "0.12", "0.12", nil},
		{"one unit over the cap", LoanTerms{Rate: r("0.1200000001"), PenaltyRate: r("0.12")}, "0.12", "0.1200000001",
			[]Excess{{OverInterest, r("0.1200000001"), r("0.0000000001")}}},
		{"well under", LoanTerms{Rate: r("0.0435")}, "0.06525", "0.0435", nil},
		// Zero means 1.5 × the contract rate: 8 % gives 12 %, at the cap.
		{"default penalty at the cap", LoanTerms{Rate: r("0.08")}, "0.12", "0.08", nil},
		// 1.5 × 800,000,001 = 1,200,000,001.5, half-up 1,200,000,002.
		{"default penalty a unit over", LoanTerms{Rate: r("0.0800000001")}, "0.1200000002", "0.0800000001",
			[]Excess{{OverPenalty, r("0.1200000002"), r("0.0000000002")}}},
		{"default penalty over, contract under", LoanTerms{Rate: r("0.10")}, "0.15", "0.10",
			[]Excess{{OverPenalty, r("0.15"), r("0.03")}}},
		// A product's own penalty rate is absolute: not 1.5 × 18 %.
		{"product penalty over, contract under", LoanTerms{Rate: r("0.06"), PenaltyRate: r("0.18")}, "0.18", "0.06",
			[]Excess{{OverPenalty, r("0.18"), r("0.06")}}},
		{"product penalty a unit over", LoanTerms{Rate: r("0.06"), PenaltyRate: r("0.1200000001")}, "0.1200000001", "0.06",
			[]Excess{{OverPenalty, r("0.1200000001"), r("0.0000000001")}}},
		{"fees bring the cost to the cap", LoanTerms{Rate: r("0.10"), PenaltyRate: r("0.12"), FeesFen: 200_000_000, PrincipalDays: big}, "0.12", "0.12", nil},
		{"one fen more is one unit over", LoanTerms{Rate: r("0.10"), PenaltyRate: r("0.12"), FeesFen: 200_000_001, PrincipalDays: big}, "0.12", "0.1200000001",
			[]Excess{{OverCost, r("0.1200000001"), r("0.0000000001")}}},
		// 10,000.00 for 365 days: 200.00 of fees is 2 %, 200.01 is
		// 2.0001 %, so 12.0001 %.
		{"fees push the cost over", LoanTerms{Rate: r("0.10"), PenaltyRate: r("0.12"), FeesFen: 20_001, PrincipalDays: 1_000_000 * 365}, "0.12", "0.120001",
			[]Excess{{OverCost, r("0.120001"), r("0.000001")}}},
		// A part of a unit is still over: the cost rounds up.
		{"a third of a unit is a unit", LoanTerms{Rate: r("0.12"), PenaltyRate: r("0.12"), FeesFen: 1, PrincipalDays: 3 * 3_650_000_000_000}, "0.12", "0.1200000001",
			[]Excess{{OverCost, r("0.1200000001"), r("0.0000000001")}}},
		{"all three", LoanTerms{Rate: r("0.24"), FeesFen: 100_00, PrincipalDays: 1_000_000 * 365}, "0.36", "0.25",
			[]Excess{{OverInterest, r("0.24"), r("0.12")}, {OverPenalty, r("0.36"), r("0.24")}, {OverCost, r("0.25"), r("0.13")}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckCap(c.terms, limit)
			if err != nil {
				t.Fatal(err)
			}
			want := CapCheck{Cap: limit, Rate: c.terms.Rate, Penalty: r(c.penalty), Cost: r(c.cost), Over: c.over}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CheckCap (-want +got):\n%s", diff)
			}
			if got.Within() != (len(c.over) == 0) {
				t.Errorf("Within() = %v with %d excesses", got.Within(), len(c.over))
			}
			err = got.Err()
			if len(c.over) == 0 {
				if err != nil {
					t.Errorf("Err() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrRateAboveCap) || daihou.ErrorCode(err) != daihou.EINVALID {
				t.Fatalf("Err() = %v, want EINVALID wrapping ErrRateAboveCap", err)
			}
			for _, e := range c.over {
				for _, s := range []string{e.What + " " + percent(e.Rate), "by " + percent(e.By)} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("Err() = %q, want it to name %q", err, s)
					}
				}
			}
			for _, s := range []string{"0.12 (12 %)", "4 ×", "LPR 0.03 (3 %)"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Err() = %q, want it to name %q", err, s)
				}
			}
		})
	}
}

// The cap moves with the LPR and the multiple: 10 % is over 3 × 3 %, and
// 12.5 % within 4 × 3.45 % = 13.8 %.
func TestCheckCapFollowsTheLPR(t *testing.T) {
	r := money.MustParseRate
	got, err := CheckCap(LoanTerms{Rate: r("0.10"), PenaltyRate: r("0.09")}, RateCap(DefaultLPR, 3))
	if err != nil || len(got.Over) != 1 || got.Over[0].By != r("0.01") {
		t.Errorf("10 %% under 3 × 3 %%: got %+v, %v, want interest over by 0.01", got, err)
	}
	got, err = CheckCap(LoanTerms{Rate: r("0.125"), PenaltyRate: r("0.138")}, RateCap(r("0.0345"), 4))
	if err != nil || !got.Within() {
		t.Errorf("12.5 %% under 4 × 3.45 %%: got %+v, %v, want within", got, err)
	}
}

func TestCheckCapRefuses(t *testing.T) {
	limit := RateCap(DefaultLPR, LPRMultiple)
	r := money.MustParseRate
	for _, c := range []struct {
		name  string
		terms LoanTerms
		field string
	}{
		{"negative rate", LoanTerms{Rate: -1}, "rate"},
		{"negative penalty", LoanTerms{Rate: r("0.1"), PenaltyRate: -1}, "penalty_rate"},
		{"negative fees", LoanTerms{Rate: r("0.1"), FeesFen: -1, PrincipalDays: 100}, "fees"},
		{"fees over nothing", LoanTerms{Rate: r("0.1"), FeesFen: 1}, "principal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := CheckCap(c.terms, limit); daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != c.field {
				t.Errorf("got %v, want EINVALID on %s", err, c.field)
			}
		})
	}
}

func TestCostBase(t *testing.T) {
	d := civil.MustParse
	for _, c := range []struct {
		name          string
		terms         schedule.Terms
		principalDays int64
		days          int
	}{
		// 2026-01-10 to 2027-01-10 is 365 days, all of it on 1,000.00.
		{"bullet", schedule.Terms{Principal: 100_000, Rate: money.MustParseRate("0.12"), Term: 12, Method: schedule.Bullet, Start: d("2026-01-10")}, 100_000 * 365, 365},
		{"interest only", schedule.Terms{Principal: 100_000, Rate: money.MustParseRate("0.12"), Term: 2, Method: schedule.InterestOnly, Start: d("2026-01-10")}, 100_000 * 59, 59},
		// 1,000.00 for 31 days (to 02-10), then 500.00 for 28 (to 03-10).
		{"equal principal", schedule.Terms{Principal: 100_000, Rate: money.MustParseRate("0.12"), Term: 2, Method: schedule.EqualPrincipal, Start: d("2026-01-10")}, 100_000*31 + 50_000*28, 59},
		// 1 % a month: the payment is 1,000 × 0.01 × 1.0201 ÷ 0.0201 =
		// 507.51; the first repays 507.51 − 10.00 of principal, leaving
		// 502.49 for the 28 days of February.
		{"equal installment", schedule.Terms{Principal: 100_000, Rate: money.MustParseRate("0.12"), Term: 2, Method: schedule.EqualInstallment, Start: d("2026-01-10")}, 100_000*31 + 50_249*28, 59},
		// Due dates on the 31st clamp to February's 28th.
		{"month end", schedule.Terms{Principal: 100_000, Rate: 0, Term: 2, Method: schedule.EqualPrincipal, Start: d("2026-01-31")}, 100_000*28 + 50_000*31, 59},
	} {
		t.Run(c.name, func(t *testing.T) {
			pd, days, err := CostBase(c.terms)
			if err != nil || pd != c.principalDays || days != c.days {
				t.Errorf("got %d fen-days over %d days, %v; want %d over %d", pd, days, err, c.principalDays, c.days)
			}
		})
	}
	if _, _, err := CostBase(schedule.Terms{Principal: 0, Term: 12, Method: schedule.Bullet, Start: d("2026-01-10")}); daihou.ErrorCode(err) != daihou.EINVALID || !errors.Is(err, schedule.ErrPrincipal) {
		t.Errorf("no principal: got %v, want EINVALID wrapping schedule.ErrPrincipal", err)
	}
}

// The floor a query filters a book by holds for every schedule, down to
// loans of a fen over forty years.
func TestMinPrincipalDaysPerMonth(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		terms := schedule.Terms{
			Principal: money.Amount(rapid.OneOf(rapid.Int64Range(1, 1000), rapid.Int64Range(1, int64(schedule.MaxPrincipal))).Draw(t, "principal")),
			Rate:      money.Rate(rapid.Int64Range(0, money.RateScale).Draw(t, "rate")),
			Term:      rapid.IntRange(1, schedule.MaxTerm).Draw(t, "term"),
			Method:    rapid.SampledFrom(schedule.Methods).Draw(t, "method"),
			Start:     civil.MustParse("2024-01-01").AddDays(rapid.IntRange(0, 4*366).Draw(t, "start")),
		}
		if terms.Validate() != nil {
			t.Skip("terms out of range")
		}
		pd, days, err := CostBase(terms)
		if err != nil {
			t.Fatal(err)
		}
		if floor := MinPrincipalDaysPerMonth * int64(terms.Principal) * int64(terms.Term); pd < floor {
			t.Fatalf("%+v: %d fen-days, below the floor %d", terms, pd, floor)
		}
		if days < 28*terms.Term {
			t.Fatalf("%+v: %d days, fewer than 28 a month", terms, days)
		}
	})
}
