package schedule_test

import (
	"errors"
	"math"
	"testing"

	"pgregory.net/rapid"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
)

func amt(s string) money.Amount { return money.MustParseAmount(s) }

func TestReferenceVectors(t *testing.T) {
	// DESIGN §3: 1,000,000 at 4.9 % over 360 months.
	start := civil.MustParse("2026-01-15")
	ei, err := schedule.Generate(schedule.Terms{Principal: amt("1000000"), Rate: money.MustParseRate("0.049"), Term: 360, Method: schedule.EqualInstallment, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ei[0].Total(), amt("5307.27"); got != want {
		t.Errorf("equal-installment payment = %v, want %v", got, want)
	}
	if got, want := ei[0].Interest, amt("4083.33"); got != want {
		t.Errorf("equal-installment first interest = %v, want %v", got, want)
	}
	if got, want := ei[0].Principal, amt("1223.94"); got != want {
		t.Errorf("equal-installment first principal = %v, want %v", got, want)
	}
	if got, want := ei[0].DueDate, civil.MustParse("2026-02-15"); got != want {
		t.Errorf("first due = %v, want %v", got, want)
	}
	ep, err := schedule.Generate(schedule.Terms{Principal: amt("1000000"), Rate: money.MustParseRate("0.049"), Term: 360, Method: schedule.EqualPrincipal, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ep[0].Total(), amt("6861.11"); got != want {
		t.Errorf("equal-principal first payment = %v, want %v", got, want)
	}
	if got, want := ep[1].Total(), amt("6849.77"); got != want {
		t.Errorf("equal-principal second payment = %v, want %v", got, want)
	}
}

// Small schedules computed by hand (see the comments) for every method.
func TestHandChecked(t *testing.T) {
	start := civil.MustParse("2026-01-31")
	tests := []struct {
		name   string
		method schedule.Method
		want   []schedule.Installment
	}{
		{
			// r = 0.01; payment = 10000·0.01·1.01³/(1.01³−1) = 3400.2211 → 3400.22.
			// 1: interest 100.00, principal 3300.22, balance 6699.78
			// 2: interest 66.9978 → 67.00, principal 3333.22, balance 3366.56
			// 3: interest 33.6656 → 33.67, principal absorbs 3366.56.
			name: "equal-installment", method: schedule.EqualInstallment,
			want: []schedule.Installment{
				{1, civil.MustParse("2026-02-28"), amt("3300.22"), amt("100.00")},
				{2, civil.MustParse("2026-03-31"), amt("3333.22"), amt("67.00")},
				{3, civil.MustParse("2026-04-30"), amt("3366.56"), amt("33.67")},
			},
		},
		{
			// principal 10000/3 = 3333.33; balances 10000, 6666.67, 3333.34;
			// interest 100.00, 66.6667 → 66.67, 33.3334 → 33.33; last absorbs 3333.34.
			name: "equal-principal", method: schedule.EqualPrincipal,
			want: []schedule.Installment{
				{1, civil.MustParse("2026-02-28"), amt("3333.33"), amt("100.00")},
				{2, civil.MustParse("2026-03-31"), amt("3333.33"), amt("66.67")},
				{3, civil.MustParse("2026-04-30"), amt("3333.34"), amt("33.33")},
			},
		},
		{
			// 10000 · 0.12 / 12 = 100.00 a month; principal at maturity.
			name: "interest-only", method: schedule.InterestOnly,
			want: []schedule.Installment{
				{1, civil.MustParse("2026-02-28"), 0, amt("100.00")},
				{2, civil.MustParse("2026-03-31"), 0, amt("100.00")},
				{3, civil.MustParse("2026-04-30"), amt("10000"), amt("100.00")},
			},
		},
		{
			// 10000 · 0.12 · 3/12 = 300.00, all at the end of month 3.
			name: "bullet", method: schedule.Bullet,
			want: []schedule.Installment{
				{1, civil.MustParse("2026-04-30"), amt("10000"), amt("300.00")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schedule.Generate(schedule.Terms{Principal: amt("10000"), Rate: money.MustParseRate("0.12"), Term: 3, Method: tt.method, Start: start})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d installments, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("installment %d = %+v, want %+v", i+1, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestDueDatesClampToMonthEndAndLeapDay(t *testing.T) {
	got := schedule.DueDates(civil.MustParse("2027-11-30"), 4)
	want := []string{"2027-12-30", "2028-01-30", "2028-02-29", "2028-03-30"}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("due %d = %v, want %s", i+1, got[i], want[i])
		}
	}
}

func TestZeroRate(t *testing.T) {
	got, err := schedule.Generate(schedule.Terms{Principal: amt("100"), Rate: 0, Term: 3, Method: schedule.EqualInstallment, Start: civil.MustParse("2026-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	// 100/3 = 33.33, 33.33, last absorbs 33.34; no interest.
	if got[0].Total() != amt("33.33") || got[2].Principal != amt("33.34") || got[2].Interest != 0 {
		t.Errorf("zero-rate schedule = %+v", got)
	}
}

func TestValidate(t *testing.T) {
	base := schedule.Terms{Principal: 100, Rate: 0, Term: 3, Method: schedule.EqualInstallment}
	tests := []struct {
		name string
		mut  func(*schedule.Terms)
		err  error
	}{
		{"zero principal", func(t *schedule.Terms) { t.Principal = 0 }, schedule.ErrPrincipal},
		{"principal above the ceiling", func(t *schedule.Terms) { t.Principal = schedule.MaxPrincipal + 1 }, schedule.ErrPrincipal},
		{"zero term", func(t *schedule.Terms) { t.Term = 0 }, schedule.ErrTerm},
		{"long term", func(t *schedule.Terms) { t.Term = 481 }, schedule.ErrTerm},
		{"bad method", func(t *schedule.Terms) { t.Method = "balloon" }, schedule.ErrMethod},
		{"negative rate", func(t *schedule.Terms) { t.Rate = -1 }, schedule.ErrRate},
		{"rate above 1000 %", func(t *schedule.Terms) { t.Rate = schedule.MaxRate + 1 }, schedule.ErrRate},
		{"bullet interest above the ceiling", func(t *schedule.Terms) {
			// 1e12 fen at 1000 % over 480 months would charge 400 times the
			// principal in one installment.
			t.Principal, t.Rate, t.Term, t.Method = schedule.MaxPrincipal, schedule.MaxRate, 480, schedule.Bullet
		}, schedule.ErrInterest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms := base
			tt.mut(&terms)
			_, err := schedule.Generate(terms)
			if !errors.Is(err, tt.err) {
				t.Errorf("Generate error %v, want %v", err, tt.err)
			}
		})
	}
	ceiling := base
	ceiling.Principal = schedule.MaxPrincipal
	if _, err := schedule.Generate(ceiling); err != nil {
		t.Errorf("principal at the ceiling refused: %v", err)
	}
}

// The ceiling's message names it, so the person keying the loan knows the
// limit without reading the code.
func TestMaxPrincipalMessage(t *testing.T) {
	err := schedule.Terms{Principal: schedule.MaxPrincipal + 1, Term: 12, Method: schedule.Bullet}.Validate()
	want := "principal must be positive and at most 10,000,000,000.00: got 10000000000.01; split a larger facility into several loans"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if got := schedule.MaxPrincipal.Grouped(); got != "10,000,000,000.00" {
		t.Errorf("MaxPrincipal = %s, want 10,000,000,000.00", got)
	}
}

// Tiny loans keep their term: 0.10 over 12 months cannot give every
// installment a fen, and rounding 10/12 up to 1 fen used to repay the loan
// in the tenth month, leaving a 10-installment schedule for a 12-month
// loan. The regular part is min(round(P/n), floor(P/(n−1))).
func TestTinySchedulesHaveTermInstallments(t *testing.T) {
	start := civil.MustParse("2026-01-15")
	tests := []struct {
		name      string
		principal money.Amount
		rate      string
		term      int
		method    schedule.Method
		regular   money.Amount // principal of installment 1
		last      money.Amount // principal of the last installment
	}{
		// round(10/12) = 1 but floor(10/11) = 0: nothing until the last.
		{"0.10 equal principal over 12", 10, "0.12", 12, schedule.EqualPrincipal, 0, 10},
		{"0.10 at 0 % over 12", 10, "0", 12, schedule.EqualInstallment, 0, 10},
		// round(12/13) = 1 = floor(12/12): twelve of 1 fen, the last none.
		{"0.12 equal principal over 13", 12, "0.12", 13, schedule.EqualPrincipal, 1, 0},
		// round(100/3) = 33 = floor(100/2) → 33: 33, 33, 34.
		{"1.00 at 0 % over 3", 100, "0", 3, schedule.EqualInstallment, 33, 34},
		{"0.05 equal installment at 24 % over 12", 5, "0.24", 12, schedule.EqualInstallment, 0, 5},
		{"0.01 equal principal over 360", 1, "0.049", 360, schedule.EqualPrincipal, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schedule.Generate(schedule.Terms{Principal: tt.principal, Rate: money.MustParseRate(tt.rate), Term: tt.term, Method: tt.method, Start: start})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.term {
				t.Fatalf("%d installments, want %d", len(got), tt.term)
			}
			var sum money.Amount
			for _, in := range got {
				sum += in.Principal
			}
			if sum != tt.principal {
				t.Errorf("principal parts sum to %v, want %v", sum, tt.principal)
			}
			if got[0].Principal != tt.regular || got[tt.term-1].Principal != tt.last {
				t.Errorf("first %v last %v, want %v and %v", got[0].Principal, got[tt.term-1].Principal, tt.regular, tt.last)
			}
		})
	}
}

// Property: for every method, a schedule has exactly Term installments
// (bullet: one), principal parts sum exactly to the principal,
// every part is non-negative, due dates increase, and each monthly
// installment's interest is the rounded opening balance × rate / 12.
func TestScheduleInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		terms := schedule.Terms{
			Principal: money.Amount(rapid.Int64Range(1, 10_000_000_000).Draw(t, "principal")),
			Rate:      money.Rate(rapid.Int64Range(0, 3_600_000_000).Draw(t, "rate")),
			Term:      rapid.IntRange(1, schedule.MaxTerm).Draw(t, "term"),
			Method:    rapid.SampledFrom(schedule.Methods).Draw(t, "method"),
			Start:     civil.Date(rapid.IntRange(10000, 30000).Draw(t, "start")),
		}
		got, err := schedule.Generate(terms)
		if err != nil {
			t.Fatal(err)
		}
		if want := terms.Term; terms.Method == schedule.Bullet && len(got) != 1 || terms.Method != schedule.Bullet && len(got) != want {
			t.Fatalf("%d installments for a %d-month %s loan", len(got), want, terms.Method)
		}
		var sum money.Amount
		balance := terms.Principal
		prev := terms.Start
		for _, in := range got {
			if in.Principal < 0 || in.Interest < 0 {
				t.Fatalf("negative part in %+v", in)
			}
			if !in.DueDate.After(prev) {
				t.Fatalf("due date %v not after %v", in.DueDate, prev)
			}
			if terms.Method != schedule.Bullet {
				if want := schedule.MonthlyInterest(balance, terms.Rate); in.Interest != want {
					t.Fatalf("installment %d interest %v, want %v", in.N, in.Interest, want)
				}
			}
			prev = in.DueDate
			sum += in.Principal
			balance -= in.Principal
		}
		if sum != terms.Principal {
			t.Fatalf("principal parts sum to %v, want %v", sum, terms.Principal)
		}
	})
}

// Property: the exact annuity payment repays the loan — the last
// installment differs from the regular payment only by accumulated
// rounding — and the schedule always has its full term, however small the
// loan.
func TestAnnuityLastInstallmentClose(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := money.Amount(rapid.Int64Range(10_000, 10_000_000_000).Draw(t, "principal"))
		r := money.Rate(rapid.Int64Range(1, 3_600_000_000).Draw(t, "rate"))
		n := rapid.IntRange(1, 360).Draw(t, "n")
		s, _ := schedule.Generate(schedule.Terms{Principal: p, Rate: r, Term: n, Method: schedule.EqualInstallment, Start: civil.MustParse("2026-01-10")})
		if len(s) != n {
			t.Fatalf("got %d installments, want %d", len(s), n)
		}
		for _, in := range s[:n-1] {
			if in.Total() != schedule.AnnuityPayment(p, r, n) {
				// Rounding the payment up would repay a tiny loan early;
				// the cap that keeps its term moves the rest to the end.
				return
			}
		}
		diff := s[n-1].Total() - s[0].Total()
		if diff < 0 {
			diff = -diff
		}
		// Each period rounds the payment and the interest by at most half a
		// fen each; an error made in period k grows with (1+r)^(n−k) until
		// the end, so the bound is Σ (1+r)^k = ((1+r)^n − 1)/r fen.
		mr := float64(r) / money.RateScale / 12
		bound := (math.Pow(1+mr, float64(n))-1)/mr + 1
		if float64(diff) > bound {
			t.Fatalf("last installment %v differs from payment %v by more than %.0f fen", s[n-1].Total(), s[0].Total(), bound)
		}
	})
}

func BenchmarkGenerate360(b *testing.B) {
	terms := schedule.Terms{Principal: amt("1000000"), Rate: money.MustParseRate("0.049"), Term: 360, Method: schedule.EqualInstallment, Start: civil.MustParse("2026-01-15")}
	for b.Loop() {
		if _, err := schedule.Generate(terms); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate24(b *testing.B) {
	terms := schedule.Terms{Principal: amt("50000"), Rate: money.MustParseRate("0.089"), Term: 24, Method: schedule.EqualInstallment, Start: civil.MustParse("2026-01-15")}
	for b.Loop() {
		if _, err := schedule.Generate(terms); err != nil {
			b.Fatal(err)
		}
	}
}

// Property: DueDates is start's day of month, n months on, clamped to the
// month's end, exactly as civil.AddMonthsClamped says.
func TestDueDatesMatchAddMonthsClamped(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := civil.Date(rapid.IntRange(-30000, 60000).Draw(t, "start"))
		n := rapid.IntRange(0, schedule.MaxTerm).Draw(t, "n")
		got := schedule.DueDates(start, n)
		for k, d := range got {
			if want := start.AddMonthsClamped(k+1, start.Day()); d != want {
				t.Fatalf("due %d after %v = %v, want %v", k+1, start, d, want)
			}
		}
	})
}
