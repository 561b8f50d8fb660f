package collection_test

import (
	"testing"

	"pgregory.net/rapid"

	"daihou/civil"
	"daihou/collection"
	"daihou/money"
)

var d0 = civil.New(2026, 3, 1)

func day(n int) civil.Date { return d0.AddDays(n) }

func TestSettleByHand(t *testing.T) {
	type want struct {
		state string
		paid  money.Amount
		on    civil.Date
	}
	tests := []struct {
		name     string
		promises []collection.PromiseToPay
		payments []collection.Payment
		date     civil.Date
		want     []want
	}{
		{"partial payments add up to keep it",
			[]collection.PromiseToPay{{ID: 1, Made: day(0), Due: day(5), Amount: 100000}},
			[]collection.Payment{{day(1), 30000}, {day(3), 70000}}, day(6),
			[]want{{collection.PromiseKept, 100000, day(3)}}},
		{"short by a fen is broken the day after it is due",
			[]collection.PromiseToPay{{ID: 1, Made: day(0), Due: day(5), Amount: 100000}},
			[]collection.Payment{{day(1), 99999}}, day(6),
			[]want{{collection.PromiseBroken, 99999, day(6)}}},
		{"still open on its due date",
			[]collection.PromiseToPay{{ID: 1, Made: day(0), Due: day(5), Amount: 100000}},
			nil, day(5),
			[]want{{collection.PromiseOpen, 0, 0}}},
		{"a payment before the promise was made does not count",
			[]collection.PromiseToPay{{ID: 1, Made: day(2), Due: day(5), Amount: 100}},
			[]collection.Payment{{day(1), 500}}, day(9),
			[]want{{collection.PromiseBroken, 0, day(6)}}},
		{"several settle in order, the surplus going to the next",
			[]collection.PromiseToPay{{ID: 1, Made: day(0), Due: day(3), Amount: 100}, {ID: 2, Made: day(1), Due: day(10), Amount: 200}},
			[]collection.Payment{{day(2), 150}, {day(8), 150}}, day(11),
			[]want{{collection.PromiseKept, 100, day(2)}, {collection.PromiseKept, 200, day(8)}}},
		{"a payment after a promise is due counts toward the next only",
			[]collection.PromiseToPay{{ID: 1, Made: day(0), Due: day(3), Amount: 100}, {ID: 2, Made: day(1), Due: day(10), Amount: 100}},
			[]collection.Payment{{day(4), 100}}, day(11),
			[]want{{collection.PromiseBroken, 0, day(4)}, {collection.PromiseKept, 100, day(4)}}},
		{"a payment after the settlement date is not yet seen",
			[]collection.PromiseToPay{{ID: 1, Made: day(0), Due: day(5), Amount: 100}},
			[]collection.Payment{{day(4), 100}}, day(3),
			[]want{{collection.PromiseOpen, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collection.Settle(tt.promises, tt.payments, tt.date)
			for i, w := range tt.want {
				if g := got[i]; g.State != w.state || g.Paid != w.paid || g.Settled != w.on {
					t.Errorf("promise %d: got %s paid %v on %s, want %s paid %v on %s", g.ID, g.State, g.Paid, g.Settled, w.state, w.paid, w.on)
				}
			}
		})
	}
}

// settleByDay is the deliberately simple reference: walk the calendar a
// day at a time, hand each day's payments to the promises in the order
// they were made, and break what is still short the day after it is due.
func settleByDay(ps []collection.PromiseToPay, pays []collection.Payment, date civil.Date) []collection.PromiseToPay {
	out := make([]collection.PromiseToPay, len(ps))
	copy(out, ps)
	first := date
	for i := range out {
		out[i].Paid, out[i].State, out[i].Settled = 0, collection.PromiseOpen, 0
		first = min(first, out[i].Made)
	}
	for _, p := range pays {
		first = min(first, p.Date)
	}
	for d := first; !d.After(date); d = d.AddDays(1) {
		for i := range out {
			if out[i].State == collection.PromiseOpen && d == out[i].Due.AddDays(1) {
				out[i].State, out[i].Settled = collection.PromiseBroken, d
			}
		}
		for _, p := range pays {
			if p.Date != d {
				continue
			}
			left := p.Amount
			for i := range out {
				q := &out[i]
				if q.State != collection.PromiseOpen || q.Made.After(d) || left <= 0 {
					continue
				}
				take := min(left, q.Amount-q.Paid)
				q.Paid, left = q.Paid+take, left-take
				if q.Paid == q.Amount {
					q.State, q.Settled = collection.PromiseKept, d
				}
			}
		}
	}
	return out
}

func TestSettleAgreesWithDayByDay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 5).Draw(t, "promises")
		var ps []collection.PromiseToPay
		made := 0
		for i := range n {
			made += rapid.IntRange(0, 6).Draw(t, "gap")
			ps = append(ps, collection.PromiseToPay{ID: int64(i + 1), Made: day(made), Due: day(made + rapid.IntRange(0, 10).Draw(t, "days")),
				Amount: money.Amount(rapid.Int64Range(1, 50000).Draw(t, "amount"))})
		}
		var pays []collection.Payment
		at := 0
		for range rapid.IntRange(0, 8).Draw(t, "payments") {
			at += rapid.IntRange(0, 5).Draw(t, "step")
			pays = append(pays, collection.Payment{Date: day(at), Amount: money.Amount(rapid.Int64Range(1, 60000).Draw(t, "paid"))})
		}
		date := day(rapid.IntRange(0, 50).Draw(t, "date"))
		got, want := collection.Settle(ps, pays, date), settleByDay(ps, pays, date)
		var counted, total money.Amount
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("promise %d: Settle %+v, day by day %+v", i+1, got[i], want[i])
			}
			g := got[i]
			counted += g.Paid
			if g.Paid > g.Amount || (g.State == collection.PromiseKept) != (g.Paid == g.Amount) {
				t.Fatalf("promise %d: paid %v of %v is %s", g.ID, g.Paid, g.Amount, g.State)
			}
			if g.State == collection.PromiseBroken && !date.After(g.Due) {
				t.Fatalf("promise %d broken on %s, due %s", g.ID, date, g.Due)
			}
		}
		for _, p := range pays {
			if !p.Date.After(date) {
				total += p.Amount
			}
		}
		if counted > total {
			t.Fatalf("promises counted %v of %v paid", counted, total)
		}
	})
}
