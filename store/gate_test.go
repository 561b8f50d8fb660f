package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"daihou/collection"
	"daihou/outbox"
	"daihou/servicing"
	"daihou/store/storetest"
)

// A reminder waits in the outbox (held, or its sender was down) while the
// loan it is about is cured: close of business closes the task, and the
// outbox then drops the message rather than tell a borrower who has paid
// that they owe. The reminder of a loan still past due goes.
func TestContactGateDropsTheMessagesOfClosedTasks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		raw := crOpenRaw(t, backend, dsn)
		db.Now = func() time.Time { return time.Date(2026, 2, 13, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) }
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 2)
		ctx := storetest.Ctx() // the local operator: the book has no users
		texts := collection.Strategy{Code: "texts", Name: "Texts", Champion: []collection.Segment{{Name: "all", When: "true",
			Actions: []collection.Action{{Day: 1, Kind: collection.SMS}}}}}
		if _, err := db.PutStrategy(ctx, texts); err != nil {
			t.Fatal(err)
		}
		closeThrough(t, db, day("2026-02-11")) // the installment of 02-10 unpaid: a text each
		if n := raw.int(t, `SELECT COUNT(*) FROM outbox`); n != 2 {
			t.Fatalf("%d messages in the outbox after 02-11, want 2", n)
		}
		snap, err := db.Snapshot(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		due := snap.OverduePrincipal + snap.OverdueInterest + snap.PenaltyDue + snap.CompoundDue
		if _, _, err := db.Post(ctx, servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: day("2026-02-11"), Amount: due, Channel: "app", Reference: "CURE"}); err != nil {
			t.Fatal(err)
		}
		closeThrough(t, db, day("2026-02-12")) // the first loan cured: its text's task closed
		var mu sync.Mutex
		var sent []int64
		d := &outbox.Dispatcher{Store: db.Outbox(), Gate: db.ContactGate(), Now: db.Now,
			Senders: map[string]outbox.Sender{"sms": senderOf(func(m outbox.Message) {
				mu.Lock()
				sent = append(sent, m.LoanID)
				mu.Unlock()
			})}}
		st, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Sent != 1 || st.Dropped != 1 || len(sent) != 1 || sent[0] != ids[1] {
			t.Errorf("outbox run %+v, sent for loans %v; want the second loan's text sent and the first's dropped", st, sent)
		}
		for k, want := range []string{"dropped", "sent"} {
			var state, lastErr string
			if err := raw.QueryRow(raw.bind(`SELECT state, last_error FROM outbox WHERE loan_id = ?`), ids[k]).Scan(&state, &lastErr); err != nil {
				t.Fatal(err)
			}
			if state != want {
				t.Errorf("loan %d's message is %s, want %s (%s)", ids[k], state, want, lastErr)
			}
		}
	})
}

type senderOf func(outbox.Message)

func (f senderOf) Send(_ context.Context, m outbox.Message) error { f(m); return nil }
