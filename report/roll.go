package report

import (
	"daihou/eod"
	"daihou/money"
)

// states is the number of flow states: M0 … M7+, settled, written off.
const states = 10

// Matrix is a roll-rate (flow) matrix: loans active at the end of one
// month by their bucket then (rows, M0 … M7+) and their state at the end of
// the next (columns: M0 … M7+, settled, written off).
type Matrix struct {
	Loans   [8][states]int64
	Balance [8][states]money.Amount // outstanding principal at the start of the month
}

// NewMatrix sums the roll cells of product ("" for every product).
func NewMatrix(cells map[eod.RollKey]eod.RollCell, product string) Matrix {
	var m Matrix
	for k, c := range cells {
		if product != "" && k.Product != product {
			continue
		}
		if !k.From.Active() || k.To < 0 || int(k.To) >= states {
			continue
		}
		m.Loans[k.From][k.To] += c.Loans
		m.Balance[k.From][k.To] += c.FromBalance
	}
	return m
}

// Row returns the number of loans and the balance that started the month
// in bucket from.
func (m *Matrix) Row(from eod.FlowState) (int64, money.Amount) {
	var n int64
	var b money.Amount
	for to := 0; to < states; to++ {
		n += m.Loans[from][to]
		b += m.Balance[from][to]
	}
	return n, b
}

// Rate returns the share of the loans (or, byBalance, of the balance) that
// started the month in from and ended it in one of to; 0 when from is
// empty.
func (m *Matrix) Rate(byBalance bool, from eod.FlowState, to ...eod.FlowState) float64 {
	n, b := m.Row(from)
	var x, total float64
	if byBalance {
		total = float64(b)
	} else {
		total = float64(n)
	}
	if total == 0 {
		return 0
	}
	for _, t := range to {
		if byBalance {
			x += float64(m.Balance[from][t])
		} else {
			x += float64(m.Loans[from][t])
		}
	}
	return x / total
}

// RollForward returns the share of bucket k that rolled one bucket deeper
// (M7+ stays M7+ or is written off).
func (m *Matrix) RollForward(byBalance bool, k eod.FlowState) float64 {
	if k >= 7 {
		return m.Rate(byBalance, k, 7, eod.FlowWrittenOff)
	}
	return m.Rate(byBalance, k, k+1)
}

// Cure returns the share of bucket k that was current or settled a month
// later (治愈率).
func (m *Matrix) Cure(byBalance bool, k eod.FlowState) float64 {
	return m.Rate(byBalance, k, 0, eod.FlowSettled)
}
