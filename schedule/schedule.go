package schedule

import (
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"daihou/civil"
	"daihou/money"
)

// Method is a repayment method.
type Method string

// Repayment methods.
const (
	EqualInstallment Method = "equal-installment" // 等额本息
	EqualPrincipal   Method = "equal-principal"   // 等额本金
	InterestOnly     Method = "interest-only"     // 先息后本
	Bullet           Method = "bullet"            // 到期一次还本付息
)

// Methods lists every method, for help text and validation.
var Methods = []Method{EqualInstallment, EqualPrincipal, InterestOnly, Bullet}

// ParseMethod returns the method named s.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: %q (want equal-installment, equal-principal, interest-only or bullet)", ErrMethod, s)
}

// Errors returned by Generate and Terms.Validate.
var (
	ErrMethod    = errors.New("unknown repayment method")
	ErrPrincipal = errors.New("principal must be positive and at most 10,000,000,000.00")
	ErrTerm      = errors.New("term must be 1 to 480 months")
	ErrRate      = errors.New("rate must be 0 to 10 (1000 % a year)")
	ErrInterest  = errors.New("a bullet's interest must be at most 10,000,000,000.00")
)

// MaxTerm is the longest term accepted, 40 years.
const MaxTerm = 480

// MaxRate is the highest annual rate accepted, 10 (1000 % a year), the
// ceiling money.ParseRate already enforces on text.
const MaxRate = 10 * money.RateScale

// MaxPrincipal is the largest principal accepted: 10,000,000,000.00 yuan,
// 1e12 fen, far above any single loan and far below what the ledger's
// exact arithmetic can hold.
//
// Penalty and compound interest accrue as int64 fen-days: an installment's
// overdue principal, or its overdue interest, times the days it is
// overdue. Both bases are at most 1e12 fen: principal by this ceiling; a
// monthly installment's interest is at most 1e12 × MaxRate/12 ≈ 8.4e11;
// a bullet's is refused above 1e12 (ErrInterest); a restructuring's new
// principal is refused above the ceiling too. So 100 years of accrual,
// 36,525 days, is at most 1e12 × 36,525 ≈ 3.7e16 fen-days, 250 times below
// int64's 9.2e18 (overflow would take 25,000 years). Pricing multiplies
// fen-days by a penalty rate of at most 15 (1.5 × MaxRate, 1.5e11 in Rate
// units) inside money.MulDiv's 128-bit intermediate: 3.7e16 × 1.5e11 ≈
// 5.5e27, below 2^127 ≈ 1.7e38; the penalty itself, 3.7e16 × 15 / 360 ≈
// 1.5e15 fen, fits int64 6,000 times over.
const MaxPrincipal money.Amount = 1_000_000_000_000

// Terms are the inputs of a schedule.
type Terms struct {
	Principal money.Amount
	Rate      money.Rate // annual contract rate
	Term      int        // number of monthly periods
	Method    Method
	Start     civil.Date // disbursement (or restructuring) date; due dates fall on its day of month
}

// Installment is one scheduled repayment.
type Installment struct {
	N         int // 1-based period number
	DueDate   civil.Date
	Principal money.Amount
	Interest  money.Amount
}

// Total returns principal plus interest.
func (i Installment) Total() money.Amount { return i.Principal + i.Interest }

// Validate reports whether t can produce a schedule. Its errors wrap
// ErrMethod, ErrPrincipal, ErrTerm, ErrRate or ErrInterest and name the
// value refused and the range allowed.
func (t Terms) Validate() error {
	if _, err := ParseMethod(string(t.Method)); err != nil {
		return err
	}
	if t.Principal <= 0 || t.Principal > MaxPrincipal {
		return fmt.Errorf("%w: got %v; split a larger facility into several loans", ErrPrincipal, t.Principal)
	}
	if t.Term < 1 || t.Term > MaxTerm {
		return fmt.Errorf("%w: got %d", ErrTerm, t.Term)
	}
	if t.Rate < 0 || t.Rate > MaxRate {
		return fmt.Errorf("%w: got %v", ErrRate, t.Rate)
	}
	if t.Method == Bullet {
		if i := PeriodInterest(t.Principal, t.Rate, t.Term); i > MaxPrincipal {
			return fmt.Errorf("%w: %v × %v over %d months is %v; shorten the term or lower the rate", ErrInterest, t.Principal, t.Rate, t.Term, i)
		}
	}
	return nil
}

// DueDates returns the n monthly due dates after start, each on start's day
// of month clamped to the month's end.
func DueDates(start civil.Date, n int) []civil.Date {
	return appendDueDates(make([]civil.Date, 0, n), start, n)
}

func appendDueDates(out []civil.Date, start civil.Date, n int) []civil.Date {
	out = out[:n]
	// One calendar conversion for the start, not one per due date: a
	// replay lays out a schedule every time.
	y, m, day := start.YMD()
	for k := range out {
		months := int(m) + k // months after January of y, less one
		yy, mm := y+months/12, time.Month(months%12+1)
		out[k] = civil.New(yy, mm, min(day, civil.DaysIn(yy, mm)))
	}
	return out
}

// Generate returns the schedule for t: exactly t.Term installments, one
// for a bullet, whose principal parts sum to t.Principal.
func Generate(t Terms) ([]Installment, error) {
	var b Builder
	return b.Generate(t)
}

// Builder lays out schedules in buffers of its own, reused from one
// schedule to the next: for a batch that replays a million loans and keeps
// none of their schedules. A schedule it returns is valid until its next
// call; the zero value is ready to use.
type Builder struct {
	dues []civil.Date
	out  []Installment
}

// Generate is Generate, in b's buffers.
func (b *Builder) Generate(t Terms) ([]Installment, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.Method == Bullet {
		// One period of Term months, its interest rounded once.
		due := t.Start.AddMonthsClamped(t.Term, t.Start.Day())
		b.out = append(b.out[:0], Installment{N: 1, DueDate: due, Principal: t.Principal, Interest: PeriodInterest(t.Principal, t.Rate, t.Term)})
		return b.out, nil
	}
	if cap(b.dues) < t.Term {
		b.dues = make([]civil.Date, 0, t.Term)
	}
	b.dues = appendDueDates(b.dues[:0], t.Start, t.Term)
	b.out = build(b.out[:0], t.Method, t.Principal, t.Rate, b.dues, 0)
	return b.out, nil
}

// MonthlyInterest returns balance × rate / 12 rounded half-up.
func MonthlyInterest(balance money.Amount, rate money.Rate) money.Amount {
	return PeriodInterest(balance, rate, 1)
}

// PeriodInterest returns the interest of a period of months on balance,
// balance × rate × months / 12 rounded half-up: a monthly installment's
// interest (months = 1) or a bullet's (months = its term).
func PeriodInterest(balance money.Amount, rate money.Rate, months int) money.Amount {
	return money.Amount(money.MulDiv(int64(balance), int64(rate)*int64(months), 12*money.RateScale, money.HalfUp))
}

// Build lays out principal over the given monthly due dates with method
// (bullet excepted: use Generate). Principal parts always sum exactly to
// principal.
//
// With payment zero the schedule has one installment per due date. The
// regular equal-principal part (and the 0 % equal installment) is
// min(round(P/n), floor(P/(n−1))): rounding half-up alone would let a tiny
// loan (0.10 over 12 months) run out of principal before its term. An
// equal-installment part is likewise kept at most the balance shared over
// the installments left before the last, which only binds for loans of a
// few fen. The last installment absorbs every remainder.
//
// A positive payment fixes the regular payment instead (equal installment)
// or the regular principal part (equal principal): used to shorten the
// term after a prepayment while keeping the installment, so the schedule
// ends as soon as the balance is repaid.
func Build(method Method, principal money.Amount, rate money.Rate, dues []civil.Date, payment money.Amount) []Installment {
	return build(make([]Installment, 0, len(dues)), method, principal, rate, dues, payment)
}

func build(out []Installment, method Method, principal money.Amount, rate money.Rate, dues []civil.Date, payment money.Amount) []Installment {
	n := len(dues)
	balance := principal
	per := payment
	if per <= 0 {
		switch method {
		case EqualInstallment:
			per = AnnuityPayment(principal, rate, n)
		case EqualPrincipal:
			per = regularPrincipal(principal, n)
		}
	}
	fixed := payment > 0
	for k, due := range dues {
		if fixed && balance <= 0 {
			break
		}
		interest := MonthlyInterest(balance, rate)
		var p money.Amount
		switch method {
		case EqualInstallment:
			p = max(per-interest, 0)
			if !fixed && k < n-1 {
				p = min(p, balance/money.Amount(n-1-k))
			}
		case EqualPrincipal:
			p = per
		default: // interest-only (and bullet laid out monthly)
			p = 0
		}
		if k == n-1 || p >= balance {
			p = balance // the last installment absorbs every remainder
		}
		balance -= p
		out = append(out, Installment{N: k + 1, DueDate: due, Principal: p, Interest: interest})
	}
	return out
}

// regularPrincipal is the regular part of P repaid over n installments:
// round(P/n), but never so much that n−1 of them exceed P.
func regularPrincipal(principal money.Amount, n int) money.Amount {
	if n <= 1 {
		return principal
	}
	return min(money.Amount(money.MulDiv(int64(principal), 1, int64(n), money.HalfUp)), principal/money.Amount(n-1))
}

// AnnuityPayment returns the equal-installment payment P·r·(1+r)^n /
// ((1+r)^n − 1) with r = rate/12, rounded half-up to the fen. It is computed
// exactly in integers: with r = a/b, the payment is P·a·(b+a)^n /
// (b·((b+a)^n − b^n)), so no binary floating point can move a cent.
func AnnuityPayment(principal money.Amount, rate money.Rate, n int) money.Amount {
	if n <= 0 {
		return 0
	}
	if rate == 0 {
		return regularPrincipal(principal, n)
	}
	f := annuityFactor(rate, n)
	// Round half-up: floor((2·P·F + D) / (2·D)).
	num := new(big.Int).Mul(big.NewInt(int64(principal)), f.num2)
	num.Add(num, f.den)
	return money.Amount(num.Quo(num, f.den2).Int64())
}

// factor is the exact annuity factor F/D of a rate and a term, with
// F = a·(b+a)^n and D = b·((b+a)^n − b^n) for r = a/b: the payment of
// principal P is P·F/D. num2 is 2F and den2 2D, for rounding half-up.
type factor struct{ num2, den, den2 *big.Int }

// annuityFactor returns the factor of rate and n, computed once: its
// powers are the costly part of a payment, and a book has few distinct
// rates and terms while every loan has its own principal.
func annuityFactor(rate money.Rate, n int) factor {
	key := annuityKey{rate, n}
	annuities.mu.RLock()
	f, ok := annuities.m[key]
	annuities.mu.RUnlock()
	if ok {
		return f
	}
	a := big.NewInt(int64(rate))
	b := big.NewInt(12 * money.RateScale)
	nn := big.NewInt(int64(n))
	q := new(big.Int).Exp(new(big.Int).Add(a, b), nn, nil) // (b+a)^n
	bn := new(big.Int).Exp(b, nn, nil)                     // b^n
	num := new(big.Int).Mul(a, q)
	den := new(big.Int).Sub(q, bn)
	den.Mul(den, b)
	f = factor{num2: num.Lsh(num, 1), den: den, den2: new(big.Int).Lsh(den, 1)}
	annuities.mu.Lock()
	if len(annuities.m) >= annuityCacheMax {
		annuities.m = make(map[annuityKey]factor)
	}
	annuities.m[key] = f
	annuities.mu.Unlock()
	return f
}

// annuities caches annuity factors by rate and term; it is bounded by
// clearing it when full.
var annuities = struct {
	mu sync.RWMutex
	m  map[annuityKey]factor
}{m: map[annuityKey]factor{}}

type annuityKey struct {
	r money.Rate
	n int
}

const annuityCacheMax = 1 << 20
