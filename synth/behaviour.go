package synth

import (
	"math"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

// loanGen simulates one loan's life up to the end of history.
type loanGen struct {
	cfg  *Config
	env  *env
	r    *stream
	p    *servicing.Product
	kind int
	l    servicing.Loan
	risk float64

	txs    []servicing.Tx
	posted []string

	// The schedule as the borrower knows it: due dates up to Until with the
	// installment (principal + interest) and principal of each.
	dues   []civil.Date
	totals []money.Amount
	prin   []money.Amount
	last   int // number of installments in the whole original schedule

	// For month-end states without replay: when each installment of the
	// original schedule was cleared exactly (zero if not), the first date
	// from which the history is no longer that simple, and the payoff date.
	paidOn     []civil.Date
	firstDirty civil.Date
	payoff     civil.Date
	reshaped   bool // restructured: dues no longer the original schedule
}

// env is what every loan of a run shares, read-only.
type env struct {
	cfg      Config
	cal      calendar
	products [3]servicing.Product
	ends     []civil.Date // month ends of the history before Until
	stamps   map[civil.Date][2]string
	branch   map[string]float64
	stressLo int // month indexes of the stress period
	stressHi int
}

func newEnv(cfg Config) *env {
	e := &env{cfg: cfg, cal: newCalendar(cfg), ends: cfg.MonthEnds(), stamps: map[civil.Date][2]string{}, branch: map[string]float64{}}
	copy(e.products[:], Products())
	for d := cfg.First(); !d.After(cfg.Until); d++ {
		s := d.String()
		e.stamps[d] = [2]string{s + "T06:00:00Z", s + "T14:00:00Z"}
	}
	for i, b := range Branches() {
		e.branch[b] = (float64(hash(cfg.Seed, tagBranch, i)>>11)/(1<<53) - 0.5) * 0.4
	}
	m0 := cfg.First().MonthIndex()
	e.stressLo = m0 + cfg.Months*2/5
	e.stressHi = m0 + cfg.Months*13/20
	return e
}

// ref returns the reference of transaction seq of loan id: unique in the
// book, as a payment channel's reference is, short, and in the order the
// generator writes them (fixed-width base 36), so the reference index is
// built from presorted keys.
func ref(id, seq int64) string {
	var b [12]byte
	b[0] = 'P'
	put := func(at, width int, v int64) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v%36]
			v /= 36
		}
	}
	put(1, 8, id)  // 36^8 ≈ 2.8e12 loans
	put(9, 3, seq) // 36^3 = 46,656 transactions per loan
	return string(b[:])
}

// stamp returns the posted_at text of a posting on d: withholding runs in
// the early-morning batch, everything else in the afternoon.
func (e *env) stamp(d civil.Date, batch bool) string {
	s, ok := e.stamps[d]
	if !ok {
		s = [2]string{d.String() + "T06:00:00Z", d.String() + "T14:00:00Z"}
	}
	if batch {
		return s[0]
	}
	return s[1]
}

// stress returns the logit shift of the economy in the month of d: a
// downturn through the middle of the history and the Spring Festival in
// February.
func (e *env) stress(d civil.Date) float64 {
	m := d.MonthIndex()
	x := 0.0
	if m >= e.stressLo && m < e.stressHi {
		x += 0.35
	}
	if d.Month() == 2 {
		x += 0.15
	}
	return x
}

// view lays out the original schedule up to Until without generating the
// whole of a 30-year mortgage: installments before the last are the same
// whatever the number of due dates, given the regular payment.
func (g *loanGen) view() {
	l := &g.l
	g.dues, g.totals, g.prin, g.paidOn = g.dues[:0], g.totals[:0], g.prin[:0], g.paidOn[:0]
	if l.Method == schedule.Bullet {
		inst, _ := schedule.Generate(l.Terms())
		g.last = len(inst)
		for _, in := range inst {
			if !in.DueDate.After(g.cfg.Until) {
				g.add(in)
			}
		}
		return
	}
	day := l.Disbursed.Day()
	k := 0
	for k < l.Term && !l.Disbursed.AddMonthsClamped(k+1, day).After(g.cfg.Until) {
		k++
	}
	g.last = l.Term
	m := min(k+1, l.Term)
	dues := schedule.DueDates(l.Disbursed, m)
	var inst []schedule.Installment
	if m == l.Term {
		inst = schedule.Build(l.Method, l.Principal, l.Rate, dues, 0)
		g.last = len(inst)
	} else {
		var per money.Amount
		switch l.Method {
		case schedule.EqualInstallment:
			per = schedule.AnnuityPayment(l.Principal, l.Rate, l.Term)
		case schedule.EqualPrincipal:
			per = money.Amount(money.MulDiv(int64(l.Principal), 1, int64(l.Term), money.HalfUp))
		}
		inst = schedule.Build(l.Method, l.Principal, l.Rate, dues, per)
	}
	for _, in := range inst[:min(k, len(inst))] {
		g.add(in)
	}
}

func (g *loanGen) add(in schedule.Installment) {
	g.dues = append(g.dues, in.DueDate)
	g.totals = append(g.totals, in.Principal+in.Interest)
	g.prin = append(g.prin, in.Principal)
	g.paidOn = append(g.paidOn, 0)
}

func (g *loanGen) post(kind servicing.TxKind, d civil.Date, amount money.Amount, channel string) {
	seq := int64(len(g.txs) + 1)
	t := servicing.Tx{Seq: seq, LoanID: g.l.ID, Kind: kind, ValueDate: d, Amount: amount, Channel: channel}
	if kind == servicing.Repayment || kind == servicing.Recovery {
		t.Reference = ref(g.l.ID, seq)
	}
	g.txs = append(g.txs, t)
	// Withholding posts the same morning; a few transfers and counter
	// payments are keyed in days later, back-dated to when the money came.
	posted, batch := d, channel == "withholding"
	if !batch && kind == servicing.Repayment && g.r.chance(0.12) {
		posted = min(d.AddDays(g.r.between(1, 5)), g.cfg.Until)
	}
	g.posted = append(g.posted, g.env.stamp(posted, batch))
}

func (g *loanGen) dirty(d civil.Date) {
	if g.firstDirty == 0 || d.Before(g.firstDirty) {
		g.firstDirty = d
	}
}

func (g *loanGen) replay(d civil.Date) servicing.State {
	return servicing.Replay(*g.p, g.l, g.txs, d)
}

// allDue returns what clears every amount due as of the end of d.
func allDue(s *servicing.State) money.Amount {
	return s.OverduePrincipal + s.OverdueInterest + s.DueToday + s.PenaltyDue + s.CompoundDue + s.FeesDue - s.Credit
}

// oldestDue returns what clears the oldest open installment due by d.
func oldestDue(s *servicing.State, d civil.Date) money.Amount {
	for i := range s.Installments {
		in := &s.Installments[i]
		if in.Closed || in.DueDate.After(d) {
			continue
		}
		if x := in.PrincipalDue() + in.InterestDue() + in.PenaltyDue() + in.CompoundDue(); x > 0 {
			return x
		}
	}
	return 0
}

var (
	cureBase = [...]float64{0, 0.22, 0.15, 0.10, 0.06, 0.04, 0.03}
	stayBase = [...]float64{0, 0.13, 0.12, 0.10, 0.08, 0.06, 0.05}
)

// lateChannel returns the channel of a payment made outside withholding.
func (g *loanGen) lateChannel() string {
	return [...]string{"app", "app", "transfer", "transfer", "counter"}[g.r.IntN(5)]
}

// payDate returns a day within days after d, before next and not after
// Until; ok is false when there is none.
func (g *loanGen) payDate(d, next civil.Date, lo, hi int) (civil.Date, bool) {
	p := d.AddDays(g.r.between(lo, hi))
	if !p.Before(next) {
		p = next.AddDays(-1)
	}
	if p.After(g.cfg.Until) || p.Before(d) {
		return 0, false
	}
	return p, true
}

// simulate generates the loan's transactions up to Until.
func (g *loanGen) simulate() {
	g.txs, g.posted = g.txs[:0], g.posted[:0]
	g.firstDirty, g.payoff, g.reshaped = 0, 0, false
	g.post(servicing.Disbursement, g.l.Disbursed, g.l.Principal, "disbursement")
	g.view()
	n := 0 // installments in arrears after the last due date
	status := servicing.StatusActive
	var writtenOff money.Amount
	prev := g.l.Disbursed
	for k := 0; k < len(g.dues); k++ {
		d := g.dues[k]
		next := d.AddMonthsClamped(1, d.Day())
		if k+1 < len(g.dues) {
			next = g.dues[k+1]
		}
		mob := d.MonthIndex() - g.l.Disbursed.MonthIndex()
		switch status {
		case servicing.StatusWrittenOff:
			if g.r.chance(0.06) {
				if p, ok := g.payDate(d, next, 0, 25); ok {
					st := g.replay(p)
					left := writtenOff - st.Recovered
					if amount := money.Amount(int64(left) * int64(g.r.between(5, 30)) / 100 / 100 * 100); amount > 0 {
						g.post(servicing.Recovery, p, amount, "collection")
					}
				}
			}
			prev = d
			continue
		case servicing.StatusSettled:
			return
		}
		stress := g.env.stress(d)
		if n == 0 {
			// Value dates never go backwards: the payoff falls after the
			// last payment, before this due date.
			after := max(prev, g.txs[len(g.txs)-1].ValueDate)
			if g.r.chance(payoffRate[g.kind]) && d.Sub(after) > 2 {
				p := after.AddDays(1 + g.r.IntN(d.Sub(after)-1))
				st := g.replay(p)
				g.post(servicing.Repayment, p, st.Payoff(), g.lateChannel())
				if g.payoff == 0 {
					g.payoff = p
				}
				status = servicing.StatusSettled
				return
			}
			season := 0.0
			switch {
			case mob <= 1:
				season = 0.45 // first-payment default
			case mob <= 3:
				season = 0.15
			}
			if g.r.chance(sigmoid(missLogit[g.kind] + 0.85*g.risk + season + stress)) {
				g.dirty(d)
				n = 1
				if g.r.chance(0.3) {
					part := money.Amount(int64(g.totals[k]) * int64(g.r.between(10, 70)) / 100 / 100 * 100)
					if part > 0 {
						g.post(servicing.Repayment, d, part, g.lateChannel())
					}
				}
				// Reminders work on many: they clear the arrears before
				// the next installment falls due.
				if g.r.chance(min(0.35*math.Exp(-0.3*(g.risk-1)), 0.8)) {
					if p, ok := g.payDate(d, next, 5, 25); ok {
						st := g.replay(p)
						g.post(servicing.Repayment, p, allDue(&st), g.lateChannel())
						n = 0
					}
				}
				prev = d
				continue
			}
			if g.r.chance(0.04 + 0.03*sigmoid(g.risk)) {
				if p, ok := g.payDate(d, next, 1, 1+g.r.IntN(2)+g.r.IntN(6)); ok {
					st := g.replay(p)
					g.post(servicing.Repayment, p, allDue(&st), g.lateChannel())
					g.paidOn[k] = p
				} else {
					g.dirty(d)
					n = 1
				}
				prev = d
				continue
			}
			channel := "withholding"
			if g.r.chance(0.25) {
				channel = g.lateChannel()
			}
			g.post(servicing.Repayment, d, g.totals[k], channel)
			g.paidOn[k] = d
			prev = d
			continue
		}

		// In arrears: one more installment has fallen due.
		g.dirty(d)
		adj := math.Exp(-0.3 * (g.risk - 1))
		if stress > 0.3 {
			adj *= 0.85
		}
		idx := min(n, len(cureBase)-1)
		cure, stay := min(cureBase[idx]*adj, 0.9), min(stayBase[idx]*adj, 0.5)
		switch x := g.r.Float64(); {
		case n >= 7 && g.r.chance(0.3):
			p, ok := g.payDate(d, next, 0, 10)
			if !ok {
				n++
				break
			}
			g.post(servicing.WriteOff, p, 0, "")
			st := g.replay(p)
			writtenOff = st.WrittenOff
			status = servicing.StatusWrittenOff
		case n >= 2 && n <= 4 && g.r.chance(restructureP[g.kind]):
			p, ok := g.payDate(d, next, 0, 10)
			if !ok {
				n++
				break
			}
			st := g.replay(p)
			rest := 0
			for i := range st.Installments {
				if in := &st.Installments[i]; !in.Closed && in.DueDate.After(p) {
					rest++
				}
			}
			g.txs = append(g.txs, servicing.Tx{Seq: int64(len(g.txs) + 1), LoanID: g.l.ID, Kind: servicing.Restructure, ValueDate: p,
				NewRate: g.l.Rate, NewTerm: min(max(rest, 6)+12, schedule.MaxTerm), NewMethod: schedule.EqualInstallment})
			g.posted = append(g.posted, g.env.stamp(p, false))
			g.reshape(p)
			g.risk += 0.5
			n = 0
			k = -1
		case x < cure:
			if p, ok := g.payDate(d, next, 0, 12); ok {
				st := g.replay(p)
				g.post(servicing.Repayment, p, allDue(&st), g.lateChannel())
				n = 0
			} else {
				n++
			}
		case x < cure+stay:
			if p, ok := g.payDate(d, next, 0, 12); ok {
				st := g.replay(p)
				if amount := oldestDue(&st, p); amount > 0 {
					g.post(servicing.Repayment, p, amount, g.lateChannel())
				}
			} else {
				n++
			}
		default:
			n++
			if g.r.chance(0.25) {
				if p, ok := g.payDate(d, next, 0, 20); ok {
					st := g.replay(p)
					part := money.Amount(int64(oldestDue(&st, p)) * int64(g.r.between(10, 60)) / 100 / 100 * 100)
					if part > 0 {
						g.post(servicing.Repayment, p, part, g.lateChannel())
					}
				}
			}
		}
		prev = d
		if k < 0 {
			prev = g.txs[len(g.txs)-1].ValueDate
		}
	}
}

// reshape replaces the borrower's view of the schedule by the one a
// restructuring on p laid out.
func (g *loanGen) reshape(p civil.Date) {
	st := g.replay(p)
	g.reshaped = true
	g.dues, g.totals, g.prin, g.paidOn = g.dues[:0], g.totals[:0], g.prin[:0], g.paidOn[:0]
	for i := range st.Installments {
		in := &st.Installments[i]
		if in.Closed || !in.DueDate.After(p) || in.DueDate.After(g.cfg.Until) {
			continue
		}
		g.dues = append(g.dues, in.DueDate)
		g.totals = append(g.totals, in.Principal+in.Interest)
		g.prin = append(g.prin, in.Principal)
		g.paidOn = append(g.paidOn, 0)
	}
}
