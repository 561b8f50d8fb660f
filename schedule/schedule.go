package schedule

import (
	"errors"
	"fmt"
	"math/big"
	"sync"

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

// Errors returned by Generate.
var (
	ErrMethod    = errors.New("unknown repayment method")
	ErrPrincipal = errors.New("principal must be positive")
	ErrTerm      = errors.New("term must be 1 to 480 months")
	ErrRate      = errors.New("rate must not be negative")
)

// MaxTerm is the longest term accepted, 40 years.
const MaxTerm = 480

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

// Validate reports whether t can produce a schedule.
func (t Terms) Validate() error {
	if _, err := ParseMethod(string(t.Method)); err != nil {
		return err
	}
	if t.Principal <= 0 {
		return ErrPrincipal
	}
	if t.Term < 1 || t.Term > MaxTerm {
		return fmt.Errorf("%w: %d", ErrTerm, t.Term)
	}
	if t.Rate < 0 {
		return ErrRate
	}
	return nil
}

// DueDates returns the n monthly due dates after start, each on start's day
// of month clamped to the month's end.
func DueDates(start civil.Date, n int) []civil.Date {
	out := make([]civil.Date, n)
	day := start.Day()
	for k := range out {
		out[k] = start.AddMonthsClamped(k+1, day)
	}
	return out
}

// Generate returns the schedule for t.
func Generate(t Terms) ([]Installment, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.Method == Bullet {
		// One period of Term months: interest is principal × rate × term/12,
		// rounded once.
		due := t.Start.AddMonthsClamped(t.Term, t.Start.Day())
		interest := money.Amount(money.MulDiv(int64(t.Principal), int64(t.Rate)*int64(t.Term), 12*money.RateScale, money.HalfUp))
		return []Installment{{N: 1, DueDate: due, Principal: t.Principal, Interest: interest}}, nil
	}
	return Build(t.Method, t.Principal, t.Rate, DueDates(t.Start, t.Term), 0), nil
}

// MonthlyInterest returns balance × rate / 12 rounded half-up.
func MonthlyInterest(balance money.Amount, rate money.Rate) money.Amount {
	return money.Amount(money.MulDiv(int64(balance), int64(rate), 12*money.RateScale, money.HalfUp))
}

// Build lays out principal over the given monthly due dates with method
// (bullet excepted: use Generate). payment, when positive, fixes the
// regular equal-installment payment instead of computing it — used to
// shorten the term after a prepayment while keeping the installment.
// Principal parts always sum exactly to principal.
func Build(method Method, principal money.Amount, rate money.Rate, dues []civil.Date, payment money.Amount) []Installment {
	n := len(dues)
	out := make([]Installment, 0, n)
	balance := principal
	var per money.Amount
	switch method {
	case EqualInstallment:
		per = payment
		if per <= 0 {
			per = AnnuityPayment(principal, rate, n)
		}
	case EqualPrincipal:
		per = payment
		if per <= 0 {
			per = money.Amount(money.MulDiv(int64(principal), 1, int64(n), money.HalfUp))
		}
	}
	for k, due := range dues {
		if balance <= 0 {
			break
		}
		interest := MonthlyInterest(balance, rate)
		var p money.Amount
		switch method {
		case EqualInstallment:
			p = per - interest
			if p < 0 {
				p = 0
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

// AnnuityPayment returns the equal-installment payment P·r·(1+r)^n /
// ((1+r)^n − 1) with r = rate/12, rounded half-up to the fen. It is computed
// exactly in integers: with r = a/b, the payment is P·a·(b+a)^n /
// (b·((b+a)^n − b^n)), so no binary floating point can move a cent.
func AnnuityPayment(principal money.Amount, rate money.Rate, n int) money.Amount {
	if n <= 0 {
		return 0
	}
	if rate == 0 {
		return money.Amount(money.MulDiv(int64(principal), 1, int64(n), money.HalfUp))
	}
	key := annuityKey{principal, rate, n}
	if v, ok := annuities.get(key); ok {
		return v
	}
	v := annuityExact(principal, rate, n)
	annuities.put(key, v)
	return v
}

func annuityExact(principal money.Amount, rate money.Rate, n int) money.Amount {
	a := big.NewInt(int64(rate))
	b := big.NewInt(12 * money.RateScale)
	nn := big.NewInt(int64(n))
	q := new(big.Int).Exp(new(big.Int).Add(a, b), nn, nil) // (b+a)^n
	bn := new(big.Int).Exp(b, nn, nil)                     // b^n
	num := new(big.Int).Mul(big.NewInt(int64(principal)), a)
	num.Mul(num, q)
	den := new(big.Int).Sub(q, bn)
	den.Mul(den, b)
	// Round half-up: floor((2·num + den) / (2·den)).
	num.Lsh(num, 1).Add(num, den)
	den.Lsh(den, 1)
	return money.Amount(num.Quo(num, den).Int64())
}

// annuities caches AnnuityPayment: the exact big-integer computation is
// the most expensive step of a replay, and a batch replays the same loan
// terms again and again. The cache is bounded by clearing it when full.
var annuities = annuityCache{m: map[annuityKey]money.Amount{}}

type annuityKey struct {
	p money.Amount
	r money.Rate
	n int
}

type annuityCache struct {
	mu sync.RWMutex
	m  map[annuityKey]money.Amount
}

const annuityCacheMax = 1 << 20

func (c *annuityCache) get(k annuityKey) (money.Amount, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *annuityCache) put(k annuityKey, v money.Amount) {
	c.mu.Lock()
	if len(c.m) >= annuityCacheMax {
		c.m = make(map[annuityKey]money.Amount)
	}
	c.m[k] = v
	c.mu.Unlock()
}
