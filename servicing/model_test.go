package servicing_test

// A second, deliberately simple ledger: the reference model that
// TestReplayMatchesModel holds Replay to. It walks the calendar one day at
// a time from disbursement, recomputes what it needs from the installments
// every time, and does its arithmetic in math/big, so that it shares no
// shortcut with Replay: it is written from the ledger rules in DESIGN §3
// and the servicing package documentation, not from replay.go.

import (
	"math/big"
	"slices"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

type mInst struct {
	n                            int
	due                          civil.Date
	principal, interest          money.Amount
	paidP, paidI, paidPen, paidC money.Amount
	wavP, wavI, wavPen, wavC     money.Amount
	movP, movI, movPen, movC     money.Amount
	penFD, compFD                int64 // fen-days owed
	pendPen, pendComp            int64 // fen-days of grace, under GraceFromDue
	closed                       bool
	gen                          int        // which schedule laid it out: 0 the contract, k the k-th restructuring
	penRate                      money.Rate // the penalty rate of that schedule
	paidOn                       civil.Date
}

func (i *mInst) dueP() money.Amount { return i.principal - i.paidP - i.wavP - i.movP }
func (i *mInst) dueI() money.Amount { return i.interest - i.paidI - i.wavI - i.movI }

type model struct {
	p servicing.Product
	l servicing.Loan

	insts                      []mInst
	fees, feesPaid, feesWaived money.Amount
	credit                     money.Amount
	status                     servicing.Status
	settledOn                  civil.Date

	rate, penRate money.Rate
	method        schedule.Method
	term, gen     int
	start         civil.Date

	allocations      []servicing.Allocation
	applied          map[int64]servicing.Parts
	prepaidP         money.Amount
	prepaidI         money.Amount
	writtenOff       servicing.Parts
	writtenOffOn     civil.Date
	recovered        money.Amount
	restructurings   []servicing.Restructuring
	restructuredOn   civil.Date
	eodDPD           map[civil.Date]int // end-of-day DPD of every day the loan ended active
	monthly          []int32
	maxDPD           int
	spells           []servicing.DelinquencySpell
	everRestructured bool
}

// roundHalfUp returns the product of the factors divided by den, rounded
// half up; every factor is non-negative.
func roundHalfUp(den int64, factors ...int64) int64 {
	num := big.NewInt(1)
	for _, f := range factors {
		num.Mul(num, big.NewInt(f))
	}
	d := big.NewInt(den)
	num.Mul(num, big.NewInt(2)).Add(num, d)
	return num.Quo(num, d.Mul(d, big.NewInt(2))).Int64()
}

func (m *model) basis() int64 {
	if m.p.DayCount == servicing.ACT365 {
		return 365
	}
	return 360
}

func (m *model) order() []servicing.Component {
	if len(m.p.Allocation) == 0 {
		return servicing.DefaultAllocation
	}
	return m.p.Allocation
}

func (m *model) penaltyRate(r money.Rate) money.Rate {
	if m.p.PenaltyRate > 0 {
		return m.p.PenaltyRate
	}
	return money.Rate(roundHalfUp(2, int64(r), 3))
}

func (m *model) penalty(in *mInst) money.Amount {
	return money.Amount(roundHalfUp(m.basis()*money.RateScale, in.penFD, int64(in.penRate)))
}

func (m *model) compound(in *mInst) money.Amount {
	return money.Amount(roundHalfUp(m.basis()*money.RateScale, in.compFD, int64(in.penRate)))
}

func (m *model) duePen(in *mInst) money.Amount {
	return m.penalty(in) - in.paidPen - in.wavPen - in.movPen
}
func (m *model) dueC(in *mInst) money.Amount { return m.compound(in) - in.paidC - in.wavC - in.movC }

func (m *model) owesAnything(in *mInst) bool {
	return in.dueP() > 0 || in.dueI() > 0 || m.duePen(in) > 0 || m.dueC(in) > 0
}

func (m *model) feesDue() money.Amount { return m.fees - m.feesPaid - m.feesWaived }

// lay appends a new schedule's installments.
func (m *model) lay(sched []schedule.Installment, nBefore int) {
	for _, in := range sched {
		m.insts = append(m.insts, mInst{n: nBefore + in.N, due: in.DueDate, principal: in.Principal, interest: in.Interest, gen: m.gen, penRate: m.penRate})
	}
}

func runModel(p servicing.Product, l servicing.Loan, txs []servicing.Tx, asOf civil.Date) *model {
	m := &model{p: p, l: l, status: servicing.StatusActive, rate: l.Rate, method: l.Method, term: l.Term, start: l.Disbursed,
		applied: map[int64]servicing.Parts{}, eodDPD: map[civil.Date]int{}}
	m.penRate = m.penaltyRate(l.Rate)
	if sched, err := schedule.Generate(l.Terms()); err == nil {
		m.lay(sched, 0)
	}
	reversed := map[int64]bool{}
	for _, t := range txs {
		if t.Kind == servicing.Reversal && !t.ValueDate.After(asOf) {
			reversed[t.Reverses] = true
		}
	}
	sorted := slices.Clone(txs)
	slices.SortStableFunc(sorted, func(a, b servicing.Tx) int {
		if a.ValueDate != b.ValueDate {
			return int(a.ValueDate - b.ValueDate)
		}
		return int(a.Seq - b.Seq)
	})
	for d := l.Disbursed; !d.After(asOf); d = d.AddDays(1) {
		if d != l.Disbursed {
			m.accrueDay(d)
			if m.isDueDate(d) {
				m.useCredit(d)
			}
		}
		for _, t := range sorted {
			if t.ValueDate != d || t.Kind == servicing.Reversal || t.Kind == servicing.Disbursement || reversed[t.Seq] {
				continue
			}
			m.post(t)
		}
		m.endOfDay(d)
	}
	return m
}

// accrueDay accrues day d on what was overdue at the end of the day before.
func (m *model) accrueDay(d civil.Date) {
	if m.status != servicing.StatusActive {
		return
	}
	for i := range m.insts {
		in := &m.insts[i]
		if in.closed || !in.due.Before(d) {
			continue
		}
		pen := int64(in.dueP())
		var comp int64
		if m.p.Compound {
			comp = int64(in.dueI())
		}
		lastGrace := in.due.AddDays(m.p.GraceDays)
		if m.p.GraceMode == servicing.GraceFromDue {
			if !d.After(lastGrace) {
				in.pendPen += pen
				in.pendComp += comp
				continue
			}
			if d == lastGrace.AddDays(1) {
				// The grace period is over: still unpaid, penalty runs
				// from the due date; paid, nothing was owed.
				if in.dueP()+in.dueI() > 0 {
					in.penFD += in.pendPen
					in.compFD += in.pendComp
				}
				in.pendPen, in.pendComp = 0, 0
			}
		} else if !d.After(lastGrace) {
			continue
		}
		in.penFD += pen
		in.compFD += comp
	}
}

func (m *model) isDueDate(d civil.Date) bool {
	for i := range m.insts {
		if !m.insts[i].closed && m.insts[i].due == d {
			return true
		}
	}
	return false
}

// periodStart is the last due date of the schedule in force on or before
// d, or the day that schedule started.
func (m *model) periodStart(d civil.Date) civil.Date {
	s := m.start
	for i := range m.insts {
		if in := &m.insts[i]; in.gen == m.gen && !in.due.After(d) && in.due.After(s) {
			s = in.due
		}
	}
	return s
}

func (m *model) accrued(x money.Amount, d civil.Date) money.Amount {
	days := int64(d.Sub(m.periodStart(d)))
	if x <= 0 || days <= 0 {
		return 0
	}
	months := int64(1)
	if m.method == schedule.Bullet {
		months = int64(m.term)
	}
	daily := roundHalfUp(m.basis()*money.RateScale, int64(x), int64(m.rate), days)
	whole := roundHalfUp(12*money.RateScale, int64(x), int64(m.rate), months)
	return money.Amount(min(daily, whole))
}

func (m *model) futurePrincipal(d civil.Date) money.Amount {
	var f money.Amount
	for i := range m.insts {
		if in := &m.insts[i]; !in.closed && in.due.After(d) {
			f += in.dueP()
		}
	}
	return f
}

// payoff is everything owed on d before credit.
func (m *model) payoff(d civil.Date) money.Amount {
	total := m.feesDue()
	for i := range m.insts {
		in := &m.insts[i]
		if in.closed {
			continue
		}
		total += in.dueP() + m.duePen(in) + m.dueC(in)
		if !in.due.After(d) {
			total += in.dueI()
		}
	}
	return total + m.accrued(m.futurePrincipal(d), d)
}

func (m *model) post(t servicing.Tx) {
	d := t.ValueDate
	switch t.Kind {
	case servicing.Repayment:
		if m.status == servicing.StatusWrittenOff {
			m.recovery(t)
			return
		}
		a := servicing.Allocation{Seq: t.Seq, Date: d, Amount: t.Amount}
		switch {
		case m.status == servicing.StatusSettled:
			a.Credit = t.Amount
			m.credit += t.Amount
		case t.Amount+m.credit >= m.payoff(d):
			m.settle(&a.Parts, t.Amount, d)
		default:
			left := m.waterfall(&a.Parts, t.Amount, d)
			if left > 0 && m.p.Prepayment != servicing.HoldCredit {
				left = m.prepay(&a.Parts, left, d)
			}
			a.Credit += left
			m.credit += left
			m.settleIfNothingOwed(d)
		}
		m.allocations = append(m.allocations, a)
		m.applied[t.Seq] = a.Parts
	case servicing.Recovery:
		m.recovery(t)
	case servicing.FeeCharge:
		if m.status == servicing.StatusWrittenOff {
			m.applied[t.Seq] = servicing.Parts{}
			return
		}
		m.fees += t.Amount
		if m.status == servicing.StatusSettled {
			m.status, m.settledOn = servicing.StatusActive, 0
		}
		m.applied[t.Seq] = servicing.Parts{Fee: t.Amount}
		m.useCredit(d)
	case servicing.Waiver:
		m.applied[t.Seq] = m.waive(t)
	case servicing.WriteOff:
		m.applied[t.Seq] = m.writeOff(d)
	case servicing.Restructure:
		m.applied[t.Seq] = m.restructure(t)
	default:
		m.applied[t.Seq] = servicing.Parts{}
	}
}

func (m *model) recovery(t servicing.Tx) {
	a := servicing.Allocation{Seq: t.Seq, Date: t.ValueDate, Amount: t.Amount}
	a.Recovery = min(t.Amount, m.writtenOff.Sum()-m.recovered)
	a.Credit = t.Amount - a.Recovery
	m.recovered += a.Recovery
	m.credit += a.Credit
	m.allocations = append(m.allocations, a)
	m.applied[t.Seq] = a.Parts
}

// waterfall pays what is due on d, oldest installment first, in the
// product's order (fees before all installments when listed first, after
// them otherwise), and returns what is left.
func (m *model) waterfall(a *servicing.Parts, amount money.Amount, d civil.Date) money.Amount {
	left := amount
	fees := func() {
		x := min(left, m.feesDue())
		m.feesPaid += x
		a.Fee += x
		left -= x
	}
	order := m.order()
	if order[0] == servicing.Fee {
		fees()
	}
	for i := range m.insts {
		in := &m.insts[i]
		if in.closed || in.due.After(d) {
			continue
		}
		for _, c := range order {
			steps := []servicing.Component{c}
			if c == servicing.Penalty {
				steps = append(steps, servicing.Compound)
			}
			for _, c := range steps {
				if c != servicing.Fee {
					due, paid := m.counter(in, c, false)
					x := min(left, due)
					*paid += x
					addPart(a, c, x)
					left -= x
				}
			}
		}
	}
	if order[0] != servicing.Fee {
		fees()
	}
	return left
}

// settle pays everything owed on d from amount and the credit held.
func (m *model) settle(a *servicing.Parts, amount money.Amount, d civil.Date) {
	owed := m.payoff(d)
	future := m.futurePrincipal(d)
	accrued := m.accrued(future, d)
	a.Fee += m.feesDue()
	m.feesPaid += m.feesDue()
	for i := range m.insts {
		in := &m.insts[i]
		if in.closed || in.due.After(d) {
			continue
		}
		a.Penalty += m.duePen(in)
		in.paidPen += m.duePen(in)
		a.Compound += m.dueC(in)
		in.paidC += m.dueC(in)
		a.Interest += in.dueI()
		in.paidI += in.dueI()
		a.Principal += in.dueP()
		in.paidP += in.dueP()
	}
	a.Prepaid += future
	a.Interest += accrued
	m.prepaidP += future
	m.prepaidI += accrued
	a.Credit += amount - owed
	m.credit += amount - owed
	m.markSettled(d)
}

func (m *model) markSettled(d civil.Date) {
	m.status, m.settledOn = servicing.StatusSettled, d
	var kept []mInst
	for _, in := range m.insts {
		if in.closed || !in.due.After(d) {
			kept = append(kept, in)
		}
	}
	m.insts = kept
}

func (m *model) settleIfNothingOwed(d civil.Date) {
	if m.status != servicing.StatusActive || m.feesDue() > 0 {
		return
	}
	for i := range m.insts {
		if !m.insts[i].closed && m.owesAnything(&m.insts[i]) {
			return
		}
	}
	m.markSettled(d)
}

// useCredit applies credit held on d: to settle, when it covers the
// payoff, else to what is due.
func (m *model) useCredit(d civil.Date) {
	if m.credit <= 0 || m.status != servicing.StatusActive {
		return
	}
	a := servicing.Allocation{Date: d}
	if m.credit >= m.payoff(d) {
		m.settle(&a.Parts, 0, d)
	} else {
		left := m.waterfall(&a.Parts, m.credit, d)
		if left == m.credit {
			return
		}
		a.Credit = left - m.credit
		m.credit = left
		m.settleIfNothingOwed(d)
	}
	m.allocations = append(m.allocations, a)
}

// prepay finds by bisection the largest principal x not yet due with
// x + interest to date on x within amount.
func (m *model) prepay(a *servicing.Parts, amount money.Amount, d civil.Date) money.Amount {
	future := m.futurePrincipal(d)
	lo, hi := money.Amount(0), min(amount, future)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if mid+m.accrued(mid, d) <= amount {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	x := lo
	if x == 0 {
		return amount
	}
	interest := m.accrued(x, d)
	a.Prepaid += x
	a.Interest += interest
	m.prepaidP += x
	m.prepaidI += interest
	// Re-lay what is not yet due.
	var dues []civil.Date
	var next mInst
	k := -1
	for i := range m.insts {
		if in := &m.insts[i]; !in.closed && in.due.After(d) {
			if k < 0 {
				k, next = i, *in
			}
			dues = append(dues, in.due)
		}
	}
	balance := future - x
	var laid []schedule.Installment
	switch {
	case balance == 0:
	case m.method == schedule.Bullet:
		laid = []schedule.Installment{{N: 1, DueDate: dues[len(dues)-1], Principal: balance,
			Interest: money.Amount(roundHalfUp(12*money.RateScale, int64(balance), int64(m.rate), int64(m.term)))}}
	case m.p.Prepayment == servicing.ReduceTerm && m.method == schedule.EqualInstallment:
		laid = schedule.Build(m.method, balance, m.rate, dues, next.principal+next.interest)
	case m.p.Prepayment == servicing.ReduceTerm && m.method == schedule.EqualPrincipal:
		laid = schedule.Build(m.method, balance, m.rate, dues, next.principal)
	default:
		laid = schedule.Build(m.method, balance, m.rate, dues, 0)
	}
	m.insts = m.insts[:k]
	m.lay(laid, next.n-1)
	return amount - x - interest
}

func (m *model) waive(t servicing.Tx) servicing.Parts {
	var w servicing.Parts
	if m.status != servicing.StatusActive {
		return w
	}
	left := t.Amount
	switch t.Component {
	case servicing.Fee:
		w.Fee = min(left, m.feesDue())
		m.feesWaived += w.Fee
	case servicing.Penalty, servicing.Compound, servicing.Interest, servicing.Principal:
		for i := range m.insts {
			in := &m.insts[i]
			if in.closed || in.due.After(t.ValueDate) {
				continue
			}
			due, waived := m.counter(in, t.Component, true)
			x := min(left, due)
			*waived += x
			addPart(&w, t.Component, x)
			left -= x
		}
	}
	m.settleIfNothingOwed(t.ValueDate)
	return w
}

func (m *model) writeOff(d civil.Date) servicing.Parts {
	if m.status != servicing.StatusActive {
		return servicing.Parts{}
	}
	if m.credit > 0 {
		a := servicing.Allocation{Date: d}
		left := m.waterfall(&a.Parts, m.credit, d)
		for i := range m.insts {
			in := &m.insts[i]
			if !in.closed && in.due.After(d) {
				x := min(left, in.dueP())
				in.paidP += x
				a.Principal += x
				left -= x
			}
		}
		if left != m.credit {
			a.Credit = left - m.credit
			m.credit = left
			m.allocations = append(m.allocations, a)
		}
		m.settleIfNothingOwed(d)
		if m.status != servicing.StatusActive {
			return servicing.Parts{}
		}
	}
	w := servicing.Parts{Fee: m.feesDue()}
	for i := range m.insts {
		in := &m.insts[i]
		if in.closed {
			continue
		}
		w.Penalty += m.duePen(in)
		w.Compound += m.dueC(in)
		w.Principal += in.dueP()
		if !in.due.After(d) {
			w.Interest += in.dueI()
		}
	}
	if w.Sum() == 0 {
		m.markSettled(d)
		return w
	}
	m.status, m.writtenOff, m.writtenOffOn = servicing.StatusWrittenOff, w, d
	return w
}

func (m *model) restructure(t servicing.Tx) servicing.Parts {
	d := t.ValueDate
	var c servicing.Parts
	if m.status != servicing.StatusActive {
		return c
	}
	carried := func(in *mInst) bool { return !in.closed && (m.owesAnything(in) || in.due.After(d)) }
	for i := range m.insts {
		if in := &m.insts[i]; carried(in) {
			c.Principal += in.dueP()
			c.Penalty += m.duePen(in)
			c.Compound += m.dueC(in)
			if !in.due.After(d) {
				c.Interest += in.dueI()
			}
		}
	}
	sched, err := schedule.Generate(schedule.Terms{Principal: c.Sum(), Rate: t.NewRate, Term: t.NewTerm, Method: t.NewMethod, Start: d})
	if c.Sum() == 0 || err != nil {
		return servicing.Parts{}
	}
	for i := range m.insts {
		in := &m.insts[i]
		if !carried(in) {
			continue
		}
		pen, comp := m.duePen(in), m.dueC(in)
		in.movP += in.dueP()
		in.movPen += pen
		in.movC += comp
		if in.due.After(d) {
			in.interest = in.paidI + in.wavI + in.movI // interest not yet due is cancelled
		} else {
			in.movI += in.dueI()
		}
		in.pendPen, in.pendComp = 0, 0
		in.closed = true
	}
	r := servicing.Restructuring{Seq: t.Seq, Date: d, DPDBefore: m.eodDPD[d.AddDays(-1)], FirstDue: sched[0].DueDate}
	if len(sched) > 1 {
		r.SecondDue = sched[1].DueDate
	}
	m.restructurings = append(m.restructurings, r)
	m.everRestructured, m.restructuredOn = true, d
	m.gen++
	m.rate, m.penRate, m.method, m.term, m.start = t.NewRate, m.penaltyRate(t.NewRate), t.NewMethod, t.NewTerm, d
	m.lay(sched, m.insts[len(m.insts)-1].n)
	return c
}

// dueBy is what of component c falls due on or before d.
func (m *model) dueBy(c servicing.Component, d civil.Date) money.Amount {
	if c == servicing.Fee {
		return m.feesDue()
	}
	var due money.Amount
	for i := range m.insts {
		if in := &m.insts[i]; !in.closed && !in.due.After(d) {
			x, _ := m.counter(in, c, false)
			due += x
		}
	}
	return due
}

// counter returns what is due of component c (not the fee) on an
// installment and the counter that paying it, or waiving it, moves.
func (m *model) counter(in *mInst, c servicing.Component, waive bool) (money.Amount, *money.Amount) {
	pick := func(paid, waived *money.Amount) *money.Amount {
		if waive {
			return waived
		}
		return paid
	}
	switch c {
	case servicing.Penalty:
		return m.duePen(in), pick(&in.paidPen, &in.wavPen)
	case servicing.Compound:
		return m.dueC(in), pick(&in.paidC, &in.wavC)
	case servicing.Interest:
		return in.dueI(), pick(&in.paidI, &in.wavI)
	default:
		return in.dueP(), pick(&in.paidP, &in.wavP)
	}
}

func addPart(p *servicing.Parts, c servicing.Component, x money.Amount) {
	switch c {
	case servicing.Penalty:
		p.Penalty += x
	case servicing.Compound:
		p.Compound += x
	case servicing.Interest:
		p.Interest += x
	case servicing.Principal:
		p.Principal += x
	}
}

// dpd is the days past due at the end of d and the due date it counts from.
func (m *model) dpd(d civil.Date) (int, civil.Date) {
	var oldest civil.Date
	for i := range m.insts {
		in := &m.insts[i]
		if !in.closed && in.due.Before(d) && in.dueP()+in.dueI() > m.p.Tolerance && (oldest == 0 || in.due.Before(oldest)) {
			oldest = in.due
		}
	}
	if oldest == 0 {
		return 0, 0
	}
	return d.Sub(oldest), oldest
}

func (m *model) endOfDay(d civil.Date) {
	for i := range m.insts {
		in := &m.insts[i]
		if !in.closed && in.paidOn == 0 && !in.due.After(d) && !m.owesAnything(in) {
			in.paidOn = d
		}
	}
	if m.status != servicing.StatusActive {
		return
	}
	dpd, since := m.dpd(d)
	m.eodDPD[d] = dpd
	m.maxDPD = max(m.maxDPD, dpd)
	k := d.MonthIndex() - m.l.Disbursed.MonthIndex()
	for len(m.monthly) <= k {
		m.monthly = append(m.monthly, 0)
	}
	m.monthly[k] = max(m.monthly[k], int32(dpd))
	if m.everRestructured && dpd > 0 {
		if n := len(m.spells); n > 0 && m.spells[n-1].Since == since && m.spells[n-1].To == d.AddDays(-1) {
			m.spells[n-1].To = d
		} else {
			m.spells = append(m.spells, servicing.DelinquencySpell{From: d, To: d, Since: since})
		}
	}
}

// state is what the model says Replay should return as of asOf.
func (m *model) state(asOf civil.Date) servicing.State {
	s := servicing.State{LoanID: m.l.ID, AsOf: asOf, Status: m.status, Allocations: m.allocations, Credit: m.credit,
		MonthlyMaxDPD: m.monthly, MaxDPD: m.maxDPD, PrepaidPrincipal: m.prepaidP, PrepaidInterest: m.prepaidI,
		WrittenOffDate: m.writtenOffOn, WrittenOff: m.writtenOff.Sum(), WrittenOffParts: m.writtenOff, Recovered: m.recovered,
		Restructured: m.everRestructured, RestructureDate: m.restructuredOn, Rate: m.rate, Restructurings: m.restructurings,
		Delinquency: m.spells, SettledDate: m.settledOn, PaidFees: m.feesPaid}
	if len(m.restructurings) > 0 {
		s.ObservationStart = m.restructurings[len(m.restructurings)-1].FirstDue
	}
	for i := range m.insts {
		in := &m.insts[i]
		st := servicing.InstallmentState{N: in.n, DueDate: in.due, Principal: in.principal, Interest: in.interest,
			PaidPrincipal: in.paidP, PaidInterest: in.paidI, PaidPenalty: in.paidPen, PaidCompound: in.paidC,
			WaivedPrincipal: in.wavP, WaivedInterest: in.wavI, WaivedPenalty: in.wavPen, WaivedCompound: in.wavC,
			MovedPrincipal: in.movP, MovedInterest: in.movI, MovedPenalty: in.movPen, MovedCompound: in.movC,
			Penalty: m.penalty(in), Compound: m.compound(in), PaidOn: in.paidOn, Closed: in.closed}
		if in.closed {
			st.PaidOn = 0
		}
		s.Installments = append(s.Installments, st)
		s.PaidPrincipal += in.paidP
		s.PaidInterest += in.paidI
		s.PaidPenalty += in.paidPen
		s.PaidCompound += in.paidC
		if in.closed {
			continue
		}
		s.PrincipalOutstanding += in.dueP()
		s.PenaltyDue += m.duePen(in)
		s.CompoundDue += m.dueC(in)
		if in.due.Before(asOf) {
			s.OverduePrincipal += in.dueP()
			s.OverdueInterest += in.dueI()
		}
		if in.due == asOf {
			s.DueToday += in.dueP() + in.dueI()
		}
		if s.NextDueDate == 0 && !in.due.Before(asOf) && in.dueP()+in.dueI() > 0 {
			s.NextDueDate, s.NextDueAmount = in.due, in.dueP()+in.dueI()
		}
	}
	s.PaidPrincipal += m.prepaidP
	s.PaidInterest += m.prepaidI
	s.FeesDue = m.feesDue()
	switch m.status {
	case servicing.StatusActive:
		s.AccruedInterest = m.accrued(m.futurePrincipal(asOf), asOf)
		s.DPD, s.OldestUnpaidDue = m.dpd(asOf)
	case servicing.StatusWrittenOff:
		s.PrincipalOutstanding, s.OverduePrincipal, s.OverdueInterest, s.DueToday = 0, 0, 0, 0
		s.PenaltyDue, s.CompoundDue, s.FeesDue, s.NextDueDate, s.NextDueAmount = 0, 0, 0, 0, 0
		s.DPD, s.OldestUnpaidDue = m.dpd(asOf)
	}
	s.MaxDPD = max(s.MaxDPD, s.DPD)
	return s
}
