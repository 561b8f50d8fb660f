package eod

import (
	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
)

// PortfolioKey is a cell of the daily portfolio breakdown.
type PortfolioKey struct {
	Product string
	Branch  string
	Status  servicing.Status
	Bucket  servicing.Bucket
	Class   classification.Class
	Stage   int
}

// PortfolioCell holds the measures of a portfolio cell.
type PortfolioCell struct {
	Loans       int64
	Outstanding money.Amount
	Overdue     money.Amount
	ECL         money.Amount
	WrittenOff  money.Amount
	Recovered   money.Amount
}

// IsZero reports whether every measure is zero.
func (c PortfolioCell) IsZero() bool { return c == PortfolioCell{} }

// RollKey is a cell of a roll-rate (flow) matrix: loans of Product that
// were in state From at the previous month end and are in To now.
type RollKey struct {
	Product  string
	From, To FlowState
}

// RollCell holds the measures of a roll cell: the balances at the previous
// month end and now.
type RollCell struct {
	Loans       int64
	FromBalance money.Amount
	ToBalance   money.Amount
}

// IsZero reports whether every measure is zero.
func (c RollCell) IsZero() bool { return c == RollCell{} }

// MigrationKey is a cell of the five-tier migration matrix (五级分类迁徙):
// loans of Product and Branch that were active in class From at the
// previous month end and are in To now.
type MigrationKey struct {
	Product string
	Branch  string
	From    classification.Class
	To      MigrationState
}

// MigrationState is where a loan ended a month in the migration matrix:
// its class (1 … 5) while active, or settled, or written off.
type MigrationState int8

// Migration states besides the classes.
const (
	MigrationSettled    MigrationState = 6 // 结清
	MigrationWrittenOff MigrationState = 7 // 核销
)

// MigrationOf returns the migration state of a loan with status and class.
func MigrationOf(status servicing.Status, c classification.Class) MigrationState {
	switch status {
	case servicing.StatusSettled:
		return MigrationSettled
	case servicing.StatusWrittenOff:
		return MigrationWrittenOff
	}
	return MigrationState(c)
}

// VintageKey is a cohort of loans: a product and a disbursement month.
type VintageKey struct {
	Product string
	Vintage int // civil.Date.MonthIndex of the disbursement month
}

// VintageCell holds a cohort's measures: its size, and how many of its
// loans are or have ever been more than 30 and 90 days past due.
type VintageCell struct {
	Loans           int64
	Principal       money.Amount // disbursed
	Outstanding     money.Amount
	Ever30          int64
	Ever30Principal money.Amount
	Ever90          int64
	Ever90Principal money.Amount
	Cur30           int64
	Cur30Balance    money.Amount
	Cur90           int64
	Cur90Balance    money.Amount
}

// IsZero reports whether every measure is zero.
func (c VintageCell) IsZero() bool { return c == VintageCell{} }

// Aggregates are the cells of one business date.
type Aggregates struct {
	Portfolio map[PortfolioKey]PortfolioCell
	Roll      map[RollKey]RollCell
	Vintage   map[VintageKey]VintageCell
	// Migration has the roll cells' measures by class instead of bucket.
	Migration map[MigrationKey]RollCell
}

// NewAggregates returns empty aggregates.
func NewAggregates() *Aggregates {
	return &Aggregates{Portfolio: map[PortfolioKey]PortfolioCell{}, Roll: map[RollKey]RollCell{}, Vintage: map[VintageKey]VintageCell{}, Migration: map[MigrationKey]RollCell{}}
}

// Add adds r's contribution to a (sign +1) or takes it away (sign −1).
func (a *Aggregates) Add(r *Record, sign int64) {
	m := money.Amount(sign)
	pk := PortfolioKey{r.Product, r.Branch, r.Status, r.Bucket, r.Class, r.Stage}
	p := a.Portfolio[pk]
	p.Loans += sign
	p.Outstanding += m * r.Outstanding
	p.Overdue += m * r.Overdue
	p.ECL += m * r.ECL
	p.WrittenOff += m * r.WrittenOff
	p.Recovered += m * r.Recovered
	a.Portfolio[pk] = p

	if r.From.Active() {
		rk := RollKey{r.Product, r.From, r.Flow()}
		c := a.Roll[rk]
		c.Loans += sign
		c.FromBalance += m * r.FromBalance
		c.ToBalance += m * r.Outstanding
		a.Roll[rk] = c
	}
	// A record from before classes at month ends were kept counts in no
	// migration cell until its month turns (FromClass 0).
	if r.From.Active() && r.FromClass >= classification.Normal {
		mk := MigrationKey{r.Product, r.Branch, r.FromClass, MigrationOf(r.Status, r.Class)}
		c := a.Migration[mk]
		c.Loans += sign
		c.FromBalance += m * r.FromBalance
		c.ToBalance += m * r.Outstanding
		a.Migration[mk] = c
	}

	vk := VintageKey{r.Product, r.Vintage}
	v := a.Vintage[vk]
	v.Loans += sign
	v.Principal += m * r.Principal
	v.Outstanding += m * r.Outstanding
	if r.MaxDPD > 30 {
		v.Ever30 += sign
		v.Ever30Principal += m * r.Principal
	}
	if r.MaxDPD > 90 {
		v.Ever90 += sign
		v.Ever90Principal += m * r.Principal
	}
	if r.Status != servicing.StatusSettled && r.DPD > 30 {
		v.Cur30 += sign
		v.Cur30Balance += m * r.Outstanding
	}
	if r.Status != servicing.StatusSettled && r.DPD > 90 {
		v.Cur90 += sign
		v.Cur90Balance += m * r.Outstanding
	}
	a.Vintage[vk] = v
}

// Move replaces old's contribution (nil: none) by cur's.
func (a *Aggregates) Move(old, cur *Record) {
	if old != nil {
		a.Add(old, -1)
	}
	if cur != nil {
		a.Add(cur, 1)
	}
}

// Merge adds every cell of b to a.
func (a *Aggregates) Merge(b *Aggregates) {
	for k, c := range b.Portfolio {
		p := a.Portfolio[k]
		p.Loans += c.Loans
		p.Outstanding += c.Outstanding
		p.Overdue += c.Overdue
		p.ECL += c.ECL
		p.WrittenOff += c.WrittenOff
		p.Recovered += c.Recovered
		a.Portfolio[k] = p
	}
	for k, c := range b.Roll {
		r := a.Roll[k]
		r.Loans += c.Loans
		r.FromBalance += c.FromBalance
		r.ToBalance += c.ToBalance
		a.Roll[k] = r
	}
	for k, c := range b.Migration {
		r := a.Migration[k]
		r.Loans += c.Loans
		r.FromBalance += c.FromBalance
		r.ToBalance += c.ToBalance
		a.Migration[k] = r
	}
	for k, c := range b.Vintage {
		v := a.Vintage[k]
		v.Loans += c.Loans
		v.Principal += c.Principal
		v.Outstanding += c.Outstanding
		v.Ever30 += c.Ever30
		v.Ever30Principal += c.Ever30Principal
		v.Ever90 += c.Ever90
		v.Ever90Principal += c.Ever90Principal
		v.Cur30 += c.Cur30
		v.Cur30Balance += c.Cur30Balance
		v.Cur90 += c.Cur90
		v.Cur90Balance += c.Cur90Balance
		a.Vintage[k] = v
	}
}

// Prune removes cells whose measures are all zero, so that aggregates built
// by difference compare equal to aggregates built from scratch.
func (a *Aggregates) Prune() {
	for k, c := range a.Portfolio {
		if c.IsZero() {
			delete(a.Portfolio, k)
		}
	}
	for k, c := range a.Roll {
		if c.IsZero() {
			delete(a.Roll, k)
		}
	}
	for k, c := range a.Vintage {
		if c.IsZero() {
			delete(a.Vintage, k)
		}
	}
	for k, c := range a.Migration {
		if c.IsZero() {
			delete(a.Migration, k)
		}
	}
}

// RollOver returns the roll cells that open a new month: every loan active
// at the end of the previous month sits on the diagonal (its state then is
// its state now until it is re-derived). portfolio is the previous month
// end's portfolio breakdown.
func RollOver(portfolio map[PortfolioKey]PortfolioCell) map[RollKey]RollCell {
	out := map[RollKey]RollCell{}
	for k, c := range portfolio {
		f := FlowOf(k.Status, k.Bucket)
		if !f.Active() || c.Loans == 0 {
			continue
		}
		rk := RollKey{k.Product, f, f}
		r := out[rk]
		r.Loans += c.Loans
		r.FromBalance += c.Outstanding
		r.ToBalance += c.Outstanding
		out[rk] = r
	}
	return out
}

// MigrationOver returns the migration cells that open a new month, as
// RollOver does the roll cells: every loan active at the previous month
// end stays in its class until it is re-derived.
func MigrationOver(portfolio map[PortfolioKey]PortfolioCell) map[MigrationKey]RollCell {
	out := map[MigrationKey]RollCell{}
	for k, c := range portfolio {
		if !FlowOf(k.Status, k.Bucket).Active() || c.Loans == 0 || k.Class < classification.Normal {
			continue
		}
		mk := MigrationKey{k.Product, k.Branch, k.Class, MigrationState(k.Class)}
		r := out[mk]
		r.Loans += c.Loans
		r.FromBalance += c.Outstanding
		r.ToBalance += c.Outstanding
		out[mk] = r
	}
	return out
}

// CountDiff returns the number of cells in which a and b differ.
func CountDiff(a, b *Aggregates) int {
	return countDiff(a.Portfolio, b.Portfolio) + countDiff(a.Roll, b.Roll) + countDiff(a.Vintage, b.Vintage) + countDiff(a.Migration, b.Migration)
}

func countDiff[K, V comparable](a, b map[K]V) int {
	n := 0
	for k, c := range a {
		if d, ok := b[k]; !ok || d != c {
			n++
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			n++
		}
	}
	return n
}
