package collection

import (
	"daihou/civil"
	"daihou/money"
)

// The states of a promise to pay.
const (
	PromiseOpen   = "open"
	PromiseKept   = "kept"
	PromiseBroken = "broken"
)

// PromiseToPay is a borrower's promise (承诺还款) to pay Amount by Due,
// made on Made. Paid is what counted toward it; Settled the day it was
// kept or broken.
type PromiseToPay struct {
	ID      int64
	LoanID  int64
	TaskID  int64
	Made    civil.Date
	Due     civil.Date
	Amount  money.Amount
	Paid    money.Amount
	State   string
	Settled civil.Date
}

// Payment is a repayment as promises count it: its value date and amount
// (a reversed repayment is not one).
type Payment struct {
	Date   civil.Date
	Amount money.Amount
}

// Settle returns the promises as of date, settled from the repayments:
// promises count in the order they were made (ps in ID order) and a
// repayment counts toward the oldest promise still short that was made on
// or before its value date and is not yet due past it, its surplus toward
// the next — so partial payments add up and several promises on one loan
// settle in order. A promise is kept on the day the payments toward it
// reach its amount, on or before its due date; broken the day after its
// due date when they did not.
//
// Settle recomputes from all of the loan's promises and repayments, so a
// back-dated repayment (value date in the past) settles them as if it had
// arrived in time, as the ledger's replay does. It returns a new slice;
// ps is not changed. payments must be in value-date order.
func Settle(ps []PromiseToPay, payments []Payment, date civil.Date) []PromiseToPay {
	out := make([]PromiseToPay, len(ps))
	for i, p := range ps {
		p.Paid, p.State, p.Settled = 0, PromiseOpen, 0
		out[i] = p
	}
	for _, pay := range payments {
		if pay.Date.After(date) || pay.Amount <= 0 {
			continue
		}
		left := pay.Amount
		for i := range out {
			p := &out[i]
			if left == 0 {
				break
			}
			if p.State != PromiseOpen || p.Made.After(pay.Date) || pay.Date.After(p.Due) {
				continue
			}
			take := min(left, p.Amount-p.Paid)
			p.Paid += take
			left -= take
			if p.Paid >= p.Amount {
				p.State, p.Settled = PromiseKept, pay.Date
			}
		}
	}
	for i := range out {
		p := &out[i]
		if p.State == PromiseOpen && date.After(p.Due) {
			p.State, p.Settled = PromiseBroken, p.Due.AddDays(1)
		}
	}
	return out
}
