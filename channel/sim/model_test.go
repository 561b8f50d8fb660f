package sim

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"daihou/channel"
	"daihou/civil"
	"daihou/synth"
)

// What Decide makes is well formed for every channel: statuses and
// outcomes of the contract, a promise of at most the amount due in 3–7
// days, a kept promise paid on or before its date and after the message's,
// scores in range, prices as the price list says, the instant in the
// window.
func TestSimDecideWellFormed(t *testing.T) {
	outcomes := map[string]bool{"": true, "no-answer": true, "wrong-number": true, "promise": true, "refused": true, "dispute": true, "hardship": true, "complaint": true}
	seen := map[string]int{}
	for n := range 20000 {
		ch := channel.Names[n%4]
		id := int64(n/4 + 1)
		m := message(ch, id, n, day0.AddDays(n%9))
		if n%3 == 0 {
			m.NotBefore, m.NotAfter = m.BusinessDate+"T10:00:00+08:00", m.BusinessDate+"T12:00:00+08:00"
		}
		if n%50 == 0 {
			m.AmountDue = 0
		}
		p, _ := synth.BorrowerProfile(5, id)
		d := Decide(5, m, p)
		r := d.Result
		seen[ch+" "+r.Status+" "+r.Outcome]++
		bd := civil.MustParse(m.BusinessDate)
		at, err := time.Parse(time.RFC3339, r.At)
		switch {
		case r.Key != m.Key || r.TaskID != m.TaskID:
			t.Fatalf("%s: result of %q, task %d", m.Key, r.Key, r.TaskID)
		case err != nil:
			t.Fatalf("%s: at %q: %v", m.Key, r.At, err)
		case !outcomes[r.Outcome]:
			t.Fatalf("%s: outcome %q", m.Key, r.Outcome)
		case d.Delay < 0 || d.Delay >= 1:
			t.Fatalf("%s: delay %v", m.Key, d.Delay)
		case r.Willingness < -1 || r.Willingness > 100 || r.Satisfaction < 0 || r.Satisfaction > 5 || r.Cost < 0:
			t.Fatalf("%s: %+v", m.Key, r)
		case r.Outcome == "promise" && (r.PromiseAmount <= 0 || r.PromiseAmount > m.AmountDue):
			t.Fatalf("%s: promised %d of %d due", m.Key, r.PromiseAmount, m.AmountDue)
		case (r.Outcome == "promise") != (r.PromiseDate != ""):
			t.Fatalf("%s: outcome %s with promise date %q", m.Key, r.Outcome, r.PromiseDate)
		case r.Connected && r.Status != channel.Called, r.RightParty && !r.Connected:
			t.Fatalf("%s: %+v", m.Key, r)
		}
		if m.NotBefore != "" {
			from, _ := time.Parse(time.RFC3339, m.NotBefore)
			to, _ := time.Parse(time.RFC3339, m.NotAfter)
			if at.Before(from) || at.After(to) {
				t.Fatalf("%s: at %v outside the window %v–%v", m.Key, at, from, to)
			}
		} else if civil.FromTime(at.In(cst)) != bd {
			t.Fatalf("%s: at %v not on the business date %v", m.Key, at, bd)
		}
		switch ch {
		case channel.SMS:
			if r.Status == channel.Delivered && r.Cost != CostSMS || r.Status == channel.Failed && r.Cost != 0 {
				t.Fatalf("%s: %s SMS cost %d", m.Key, r.Status, r.Cost)
			}
		case channel.AIVoice:
			if r.Cost%CostAIVoice != 0 || r.Connected != (r.Cost > 0) {
				t.Fatalf("%s: connected %v, cost %d", m.Key, r.Connected, r.Cost)
			}
		case channel.Dialer:
			if r.Cost < CostDialerLine || r.Connected && r.Cost < CostDialerLine+CostDialerMinute || r.Willingness != -1 {
				t.Fatalf("%s: %+v", m.Key, r)
			}
		}
		if r.Outcome == "promise" {
			due := civil.MustParse(r.PromiseDate)
			if k := due.Sub(bd); k < 3 || k > 7 {
				t.Fatalf("%s: promise due %v, %d days after %v", m.Key, due, k, bd)
			}
		}
		if p := d.Pay; p != nil {
			if !p.ValueDate.After(bd) || p.Amount <= 0 || p.Amount > m.AmountDue || (p.Channel != "app" && p.Channel != "transfer") {
				t.Fatalf("%s: pays %+v after a message of %v for %d due", m.Key, *p, bd, m.AmountDue)
			}
			if p.Kept && (r.Outcome != "promise" || p.Amount != r.PromiseAmount || p.ValueDate.After(civil.MustParse(r.PromiseDate))) {
				t.Fatalf("%s: keeps a promise with %+v after %+v", m.Key, *p, r)
			}
			if p.Promised && !p.Kept && !p.ValueDate.After(civil.MustParse(r.PromiseDate)) {
				t.Fatalf("%s: a broken promise paid on time: %+v", m.Key, *p)
			}
		}
		if m.AmountDue == 0 && (d.Pay != nil || r.Outcome == "promise") {
			t.Fatalf("%s: nothing due, yet %+v", m.Key, d)
		}
	}
	for _, want := range []string{"sms delivered ", "sms failed ", "email delivered ", "email failed ", "ai-voice called no-answer",
		"ai-voice called wrong-number", "ai-voice failed wrong-number", "ai-voice called promise", "ai-voice called refused",
		"ai-voice called hardship", "ai-voice called dispute", "ai-voice called complaint", "dialer called promise"} {
		if seen[want] == 0 {
			t.Errorf("no %q in 20,000 messages", want)
		}
	}
}

// The riskier half of the borrowers, by the risk gen drew for them, pick
// up less, promise less and keep fewer promises — measured end to end:
// results as daihou takes them, promises kept as payments daihou posts,
// over 3,000 AI-voice calls and 1,500 dialer calls to as many borrowers.
func TestSimRiskierBorrowersDoWorse(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of HTTP round trips")
	}
	const seed = 11
	d := newDaihou(t)
	d.setBusiness(day0)
	s, base := startSim(t, d, seed, func(c *Config) { c.MaxDelay = -1; c.Queue = 100_000 })
	ids := borrowers(seed, 4500)
	var msgs []channel.Message
	for i, id := range ids {
		ch := channel.AIVoice
		if i%3 == 2 {
			ch = channel.Dialer
		}
		msgs = append(msgs, message(ch, id, 0, day0))
	}
	// Send from a few goroutines, as an outbox with a few workers does.
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := w; i < len(msgs); i += 4 {
				if st, body := send(t, base, msgs[i], testSecrets[msgs[i].Channel], time.Now().Unix()); st != http.StatusAccepted {
					errs <- fmt.Errorf("%s: %d %s", msgs[i].Key, st, body)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	later := day0.AddDays(30)
	d.setBusiness(later)
	if err := s.Flush(ctx, later); err != nil {
		t.Fatal(err)
	}
	d.check()

	risk := map[int64]float64{}
	for _, id := range ids {
		p, _ := synth.BorrowerProfile(seed, id)
		risk[id] = p.Risk
	}
	sorted := slices.Sorted(func(yield func(float64) bool) {
		for _, r := range risk {
			if !yield(r) {
				return
			}
		}
	})
	median := sorted[len(sorted)/2]

	type rates struct{ n, connected, rpc, promises, kept, paidUnpromised, willingness, scored int }
	var low, high rates
	d.mu.Lock()
	for _, m := range msgs {
		r, ok := d.results[m.Key]
		if !ok {
			t.Fatalf("no result of %s", m.Key)
		}
		g := &low
		if risk[m.BorrowerID] >= median {
			g = &high
		}
		g.n++
		if r.Connected {
			g.connected++
		}
		if r.RightParty {
			g.rpc++
		}
		if r.Willingness >= 0 {
			g.willingness += r.Willingness
			g.scored++
		}
		p, paid := d.payments[s.paymentKey(m.Key)]
		if r.Outcome == "promise" {
			g.promises++
			if paid && p.loan == m.LoanID && p.ValueDate <= r.PromiseDate && p.Amount == amountString(r.PromiseAmount) {
				g.kept++
			}
		} else if paid {
			g.paidUnpromised++
		}
	}
	d.mu.Unlock()
	ratio := func(a, b int) float64 { return float64(a) / float64(max(b, 1)) }
	t.Logf("low risk:  %+v", low)
	t.Logf("high risk: %+v", high)
	for _, c := range []struct {
		what      string
		lo, hi    float64
		margin    float64
		minSample int
	}{
		{"answer", ratio(low.connected, low.n), ratio(high.connected, high.n), 0.08, 0},
		{"promise (per call)", ratio(low.promises, low.n), ratio(high.promises, high.n), 0.08, 0},
		{"promise (per call answered by the debtor)", ratio(low.promises, low.rpc), ratio(high.promises, high.rpc), 0.05, 0},
		{"keep their promise", ratio(low.kept, low.promises), ratio(high.kept, high.promises), 0.10, 100},
		{"willingness score (/100)", ratio(low.willingness, 100*low.scored), ratio(high.willingness, 100*high.scored), 0.08, 0},
	} {
		t.Logf("%-45s low risk %.3f, high risk %.3f", c.what, c.lo, c.hi)
		if c.lo < c.hi+c.margin {
			t.Errorf("%s: the safer half %.3f, the riskier %.3f; want the safer ahead by at least %.2f", c.what, c.lo, c.hi, c.margin)
		}
	}
	if high.promises < 100 || high.kept == 0 || low.paidUnpromised == 0 {
		t.Errorf("too few to judge: %+v", high)
	}
	if st := s.Stats(); st.PaymentsPosted == 0 || st.PaymentsWaiting != 0 || st.PaymentsRefused != 0 {
		t.Errorf("Stats() = %+v; want payments posted, none waiting or refused", st)
	}
}

func amountString(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// No payment is ever valued after the latest business date the simulator
// has seen, as the book's business date moves a day at a time with a day
// of messages each; payments due wait until a later message, or Flush,
// says the book has reached them.
func TestSimPaymentsWaitForTheBusinessDate(t *testing.T) {
	const seed = 5
	d := newDaihou(t)
	s, base := startSim(t, d, seed)
	ids := borrowers(seed, 300)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waited := 0
	for day := range 10 {
		date := day0.AddDays(day)
		d.setBusiness(date) // close of business on date, then its messages
		for i, id := range ids {
			ch := channel.Names[(i+day)%4]
			if st, body := send(t, base, message(ch, id, day, date), testSecrets[ch], time.Now().Unix()); st != http.StatusAccepted {
				t.Fatalf("%d %s", st, body)
			}
		}
		if err := s.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		st := s.Stats()
		if st.BusinessDate != date.String() {
			t.Fatalf("Stats().BusinessDate = %q; want %v", st.BusinessDate, date)
		}
		waited = max(waited, st.PaymentsWaiting)
	}
	d.check()
	st := s.Stats()
	if st.PaymentsPosted == 0 || waited == 0 || st.PaymentsWaiting == 0 {
		t.Fatalf("Stats() = %+v (at most %d waiting); want payments posted and some waiting for their date", st, waited)
	}
	posted := st.PaymentsPosted
	last := day0.AddDays(9)
	d.setBusiness(last.AddDays(20))
	if err := s.Flush(ctx, last.AddDays(20)); err != nil {
		t.Fatal(err)
	}
	d.check()
	st = s.Stats()
	if st.PaymentsWaiting != 0 || st.PaymentsPosted+st.PaymentsRefused != st.PaymentsPlanned || st.PaymentsPosted <= posted || st.PaymentsRefused != 0 {
		t.Errorf("after Flush: %+v; want every planned payment posted", st)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if int64(len(d.payments)) != st.PaymentsPosted {
		t.Errorf("daihou has %d payments; the simulator posted %d", len(d.payments), st.PaymentsPosted)
	}
	// A borrower plans one payment at a time.
	byLoan := map[int64][]string{}
	for _, p := range d.payments {
		byLoan[p.loan] = append(byLoan[p.loan], p.ValueDate)
	}
	for loan, dates := range byLoan {
		slices.Sort(dates)
		if len(dates) != len(slices.Compact(slices.Clone(dates))) {
			t.Errorf("loan %d paid twice on one day: %v", loan, dates)
		}
	}
}

// A message that waited in the outbox for weeks reaches the borrower on
// the book's date, not the date it was made: the contact is dated then,
// and a payment it leads to is value-dated after it, never weeks back
// into a period the book has closed.
func TestSimLateMessagesActToday(t *testing.T) {
	const seed = 7
	d := newDaihou(t)
	s, base := startSim(t, d, seed, func(c *Config) { c.MaxDelay = -1 })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	today := day0.AddDays(30)
	d.setBusiness(today)
	if err := s.Flush(ctx, today); err != nil {
		t.Fatal(err)
	}
	var msgs []channel.Message
	for i, id := range borrowers(seed, 400) {
		ch := channel.Names[i%4]
		m := message(ch, id, 0, day0) // made 30 days ago
		msgs = append(msgs, m)
		if st, body := send(t, base, m, testSecrets[ch], time.Now().Unix()); st != http.StatusAccepted {
			t.Fatalf("%d %s", st, body)
		}
	}
	d.setBusiness(today.AddDays(30))
	if err := s.Flush(ctx, today.AddDays(30)); err != nil {
		t.Fatal(err)
	}
	d.check()
	d.mu.Lock()
	defer d.mu.Unlock()
	paid := 0
	for _, m := range msgs {
		r, ok := d.results[m.Key]
		if !ok {
			t.Fatalf("no result of %s", m.Key)
		}
		at, err := time.Parse(time.RFC3339, r.At)
		if err != nil {
			t.Fatalf("%s: at %q: %v", m.Key, r.At, err)
		}
		if contact := civil.FromTime(at.In(cst)); contact.Before(today) {
			t.Errorf("%s, made on %v, reached the borrower on %v; want on or after %v", m.Key, day0, contact, today)
		}
		if r.PromiseDate != "" && r.PromiseDate <= today.String() {
			t.Errorf("%s: promised for %s, not after %v", m.Key, r.PromiseDate, today)
		}
		if p, ok := d.payments[s.paymentKey(m.Key)]; ok {
			paid++
			if p.ValueDate <= today.String() {
				t.Errorf("%s: paid on %s, not after %v", m.Key, p.ValueDate, today)
			}
		}
	}
	if paid == 0 {
		t.Error("no message led to a payment: nothing judged")
	}
}
