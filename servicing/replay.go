package servicing

import (
	"slices"

	"daihou/civil"
	"daihou/money"
	"daihou/schedule"
)

// Replay derives the loan's state at the end of asOf from its contract and
// transactions. Transactions with a value date after asOf are ignored; a
// repayment or recovery reversed by a reversal dated on or before asOf is
// treated as never having happened, so penalty re-accrues over the whole
// period it had covered. txs need not be sorted.
func Replay(p Product, l Loan, txs []Tx, asOf civil.Date) State {
	return ReplayWith(nil, p, l, txs, asOf)
}

// Scratch holds the buffers a replay works in. A batch that replays many
// loans and reads each State before the next replay passes one Scratch to
// every ReplayWith of a goroutine, and allocates almost nothing per loan.
type Scratch struct {
	sched   schedule.Builder
	inst    []InstallmentState
	alloc   []Allocation
	applied []applied
	months  []int32
}

// ReplayWith is Replay working in sc's buffers (none when sc is nil): the
// State's slices are sc's, valid until sc's next replay.
func ReplayWith(sc *Scratch, p Product, l Loan, txs []Tx, asOf civil.Date) State {
	var e engine
	e.init(sc, p, l, len(txs), asOf)
	sorted := txs
	if !slices.IsSortedFunc(txs, txOrder) {
		sorted = slices.Clone(txs)
		slices.SortFunc(sorted, txOrder)
	}
	var reversed map[int64]bool
	for _, t := range sorted {
		if t.Kind == Reversal && !t.ValueDate.After(asOf) {
			if reversed == nil {
				reversed = map[int64]bool{}
			}
			reversed[t.Reverses] = true
		}
	}
	for _, t := range sorted {
		if t.ValueDate.After(asOf) {
			break
		}
		if t.Kind == Reversal || t.Kind == Disbursement || reversed[t.Seq] {
			continue
		}
		e.advance(t.ValueDate)
		e.apply(t)
	}
	e.advance(asOf)
	st := e.finish(asOf)
	if sc != nil { // keep what grew for the next replay
		sc.inst, sc.alloc, sc.applied, sc.months = st.Installments, st.Allocations, st.applied, st.MonthlyMaxDPD
	}
	return st
}

func txOrder(a, b Tx) int {
	if a.ValueDate != b.ValueDate {
		return int(a.ValueDate - b.ValueDate)
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// engine is the replay machine: the current schedule plus running totals.
type engine struct {
	p       Product
	l       Loan
	s       State
	now     civil.Date // accrued to the end of this day
	penRate money.Rate
	basis   int64
	order   []Component
	// first is the index of the first installment that may still be open:
	// those before it are closed, or paid and due.
	first int
	// principal is Σ PrincipalDue of the open installments, kept as they
	// change so that the payoff needs no pass over a long schedule.
	principal                  money.Amount
	fees, feesPaid, feesWaived money.Amount
	// The schedule in force: the contract's or the latest restructuring's.
	method     schedule.Method
	term       int
	start      civil.Date // disbursement or restructuring date
	schedStart int        // index of its first installment
	// yesterdayDPD is the DPD at the end of the day before now, the "DPD
	// just before" a restructuring on now.
	yesterdayDPD int
	// The calendar month last recorded, as its index in the loan's life
	// and its first and last days: DPD tracking asks about the same month
	// again and again, and a date's month costs a calendar conversion.
	monthK                int
	monthFirst, monthLast civil.Date
	disbursedMonth        int
}

// init sets the engine up at the disbursement with the contract's
// schedule, sized for ntx transactions and a replay to asOf.
func (e *engine) init(sc *Scratch, p Product, l Loan, ntx int, asOf civil.Date) {
	var sched []schedule.Installment
	var err error
	if sc != nil {
		sched, err = sc.sched.Generate(l.Terms())
	} else {
		sched, err = schedule.Generate(l.Terms())
	}
	if err != nil {
		// A stored loan has validated terms; an invalid one replays as empty
		// rather than panicking inside a batch over millions of loans.
		sched = nil
	}
	order := p.Allocation
	if len(order) == 0 {
		order = DefaultAllocation
	}
	*e = engine{p: p, l: l, now: l.Disbursed, penRate: p.penaltyRate(l.Rate), basis: p.DayCount.Days(), order: order,
		method: l.Method, term: l.Term, start: l.Disbursed}
	e.s = State{LoanID: l.ID, Status: StatusActive, Rate: l.Rate}
	if sc != nil && cap(sc.inst) >= len(sched)+1 {
		e.s.Installments = sc.inst[:len(sched)]
		clear(e.s.Installments)
	} else {
		e.s.Installments = make([]InstallmentState, len(sched), len(sched)+1)
	}
	for i, in := range sched {
		e.s.Installments[i] = InstallmentState{N: in.N, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest}
		e.principal += in.Principal
	}
	switch {
	case ntx > 0 && sc != nil:
		e.s.Allocations, e.s.applied = sc.alloc[:0], sc.applied[:0]
	case ntx > 0:
		e.s.Allocations = make([]Allocation, 0, ntx)
		e.s.applied = make([]applied, 0, ntx)
	}
	e.disbursedMonth = l.Disbursed.MonthIndex()
	e.monthFirst, e.monthLast = 1, 0 // no month cached yet
	// Room for every month to asOf, unless asOf is absurdly far off.
	if months := asOf.MonthIndex() - e.disbursedMonth + 1; months > 0 && months <= 12*(schedule.MaxTerm/12+10) {
		if sc != nil && cap(sc.months) >= months {
			e.s.MonthlyMaxDPD = sc.months[:0]
		} else {
			e.s.MonthlyMaxDPD = make([]int32, 0, months)
		}
	}
}

// advance moves the engine to the end of day `to`, applying held credit on
// every due date passed on the way.
func (e *engine) advance(to civil.Date) {
	if !to.After(e.now) {
		return
	}
	for i := e.first; e.s.Credit > 0 && e.s.Status == StatusActive && i < len(e.s.Installments); i++ {
		d := e.s.Installments[i].DueDate
		if d.After(to) {
			break
		}
		if d.After(e.now) && !e.s.Installments[i].Closed {
			e.step(d)
			e.applyCredit(d)
		}
	}
	e.step(to)
}

// step moves the engine to the end of day `to` over days on which nothing
// is posted: it records the DPD of the days now..to−1 and accrues the days
// now+1..to.
func (e *engine) step(to civil.Date) {
	if !to.After(e.now) {
		return
	}
	e.trackDPD(e.now, to.AddDays(-1))
	e.accrue(to)
}

// accrue adds the fen-days of the days in (now, to] to every overdue
// installment, minding the grace period.
func (e *engine) accrue(to civil.Date) {
	if e.s.Status == StatusActive {
		for i := e.first; i < len(e.s.Installments); i++ {
			in := &e.s.Installments[i]
			if !in.DueDate.Before(to) {
				break
			}
			if !in.Closed {
				e.accrueOne(in, to)
			}
		}
	}
	e.now = to
}

// accrueOne accrues the days (now, to] on one installment due before to.
// Under GraceFromDue the days of grace accrue aside until the grace period
// ends: owed then if the installment is still unpaid, forgiven if not.
func (e *engine) accrueOne(in *InstallmentState, to civil.Date) {
	principal, interest := int64(in.PrincipalDue()), int64(0)
	if e.p.Compound {
		interest = int64(in.InterestDue())
	}
	from := max(e.now, in.DueDate) // the days (from, to] are overdue
	graceEnd := in.DueDate.AddDays(e.p.GraceDays)
	if e.p.GraceMode == GraceFromDue {
		if from.Before(graceEnd) {
			g := min(to, graceEnd)
			days := int64(g.Sub(from))
			in.pendingPenalty += principal * days
			in.pendingCompound += interest * days
			from = g
		}
		if from == graceEnd && to.After(graceEnd) {
			// Nothing is posted between now and to, so these balances
			// are the ones at the end of the grace period.
			if in.PrincipalDue()+in.InterestDue() > 0 {
				in.penaltyFenDays += in.pendingPenalty
				in.compoundFenDays += in.pendingCompound
			}
			in.pendingPenalty, in.pendingCompound = 0, 0
		}
	} else {
		from = max(from, graceEnd)
	}
	// Past the grace period there is always a day to add (to > from), and
	// only then can the rounded amounts change.
	if days := int64(to.Sub(from)); days > 0 {
		in.penaltyFenDays += principal * days
		in.compoundFenDays += interest * days
		e.price(in)
	}
}

// price turns an installment's exact fen-days into penalty and compound
// interest, each rounded once.
func (e *engine) price(in *InstallmentState) {
	den := e.basis * money.RateScale
	in.Penalty = money.Amount(money.MulDiv(in.penaltyFenDays, int64(e.penRate), den, money.HalfUp))
	in.Compound = money.Amount(money.MulDiv(in.compoundFenDays, int64(e.penRate), den, money.HalfUp))
}

// trackDPD records the DPD at the end of the days from..to, over which
// nothing happens, in MaxDPD, in each month's maximum and, for a
// restructured loan, in its delinquency spells. With nothing happening
// DPD only grows, so a month's maximum is its value on the month's last day
// in the span, and the day DPD counts from changes at most once: from
// none to the first installment falling due unpaid.
func (e *engine) trackDPD(from, to civil.Date) {
	if e.s.Status != StatusActive || to.Before(from) {
		e.yesterdayDPD = 0
		return
	}
	dpd, since := 0, civil.Date(0)
	for d := from; !d.After(to); {
		end := min(e.month(d), to)
		dpd, since = e.dpd(end)
		e.recordDPD(end, dpd)
		d = end.AddDays(1)
	}
	e.yesterdayDPD = dpd
	if e.s.Restructured && dpd > 0 {
		start := from
		if _, s0 := e.dpd(from); s0 == 0 {
			start = since.AddDays(1)
		}
		e.recordSpell(start, to, since)
	}
}

// month makes d's month the cached one and returns its last day.
func (e *engine) month(d civil.Date) civil.Date {
	if d.Before(e.monthFirst) || d.After(e.monthLast) {
		y, m, _ := d.YMD()
		e.monthFirst, e.monthLast = civil.New(y, m, 1), civil.New(y, m+1, 0)
		e.monthK = y*12 + int(m) - 1 - e.disbursedMonth
	}
	return e.monthLast
}

func (e *engine) recordDPD(d civil.Date, dpd int) {
	if dpd > e.s.MaxDPD {
		e.s.MaxDPD = dpd
	}
	e.month(d)
	k := e.monthK
	if k < 0 {
		return
	}
	for len(e.s.MonthlyMaxDPD) <= k {
		e.s.MonthlyMaxDPD = append(e.s.MonthlyMaxDPD, 0)
	}
	if int32(dpd) > e.s.MonthlyMaxDPD[k] {
		e.s.MonthlyMaxDPD[k] = int32(dpd)
	}
}

func (e *engine) recordSpell(from, to, since civil.Date) {
	if n := len(e.s.Delinquency); n > 0 {
		if last := &e.s.Delinquency[n-1]; last.Since == since && last.To == from.AddDays(-1) {
			last.To = to
			return
		}
	}
	e.s.Delinquency = append(e.s.Delinquency, DelinquencySpell{From: from, To: to, Since: since})
}

// dpd returns the DPD at the end of d and the due date it counts from.
func (e *engine) dpd(d civil.Date) (int, civil.Date) {
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if !in.DueDate.Before(d) {
			break
		}
		if !in.Closed && in.PrincipalDue()+in.InterestDue() > e.p.Tolerance {
			return d.Sub(in.DueDate), in.DueDate
		}
	}
	return 0, 0
}

func (e *engine) apply(t Tx) {
	switch t.Kind {
	case Repayment:
		if e.s.Status == StatusWrittenOff {
			e.recover(t)
			return
		}
		e.repay(t)
	case Recovery:
		e.recover(t)
	case Waiver:
		e.waive(t)
	case WriteOff:
		e.writeOff(t)
	case Restructure:
		e.restructure(t)
	case FeeCharge:
		e.charge(t)
	default:
		e.record(t.Seq, Parts{})
	}
}

func (e *engine) record(seq int64, p Parts) {
	e.s.applied = append(e.s.applied, applied{seq, p})
}

func (e *engine) feesDue() money.Amount { return e.fees - e.feesPaid - e.feesWaived }

// pay allocates up to amount to what is due on date, by the product's
// waterfall, oldest installment first, and returns what is left. Fees go
// before every installment when the waterfall lists them first, after
// every installment otherwise.
func (e *engine) pay(a *Parts, amount money.Amount, date civil.Date) money.Amount {
	left := amount
	feesFirst := e.order[0] == Fee
	if feesFirst {
		left = e.payFees(a, left)
	}
	for i := e.first; i < len(e.s.Installments) && left > 0; i++ {
		in := &e.s.Installments[i]
		if in.DueDate.After(date) {
			break
		}
		if in.Closed || !in.owes() {
			continue
		}
		for _, c := range e.order {
			switch c {
			case Penalty:
				x := money.Min(left, in.PenaltyDue())
				in.PaidPenalty += x
				a.Penalty += x
				left -= x
				x = money.Min(left, in.CompoundDue())
				in.PaidCompound += x
				a.Compound += x
				left -= x
			case Interest:
				x := money.Min(left, in.InterestDue())
				in.PaidInterest += x
				a.Interest += x
				left -= x
			case Principal:
				x := money.Min(left, in.PrincipalDue())
				in.PaidPrincipal += x
				e.principal -= x
				a.Principal += x
				left -= x
			}
		}
		e.cleared(in, date)
	}
	if !feesFirst {
		left = e.payFees(a, left)
	}
	e.closePaid(date)
	return left
}

func (e *engine) payFees(a *Parts, left money.Amount) money.Amount {
	x := money.Min(left, e.feesDue())
	e.feesPaid += x
	a.Fee += x
	return left - x
}

// cleared stamps an installment a posting just touched, if that posting
// paid or waived its last fen.
func (e *engine) cleared(in *InstallmentState, date civil.Date) {
	if !in.owes() {
		in.clearedOn = date
	}
}

// closePaid moves e.first past the leading run of installments that are
// finished by date, so later passes skip them, and settles the loan when
// nothing is left.
func (e *engine) closePaid(date civil.Date) {
	for e.first < len(e.s.Installments) {
		in := &e.s.Installments[e.first]
		if !in.Closed && (in.owes() || in.DueDate.After(date)) {
			break
		}
		e.first++
	}
	if e.s.Status != StatusActive || e.feesDue() > 0 {
		return
	}
	for i := e.first; i < len(e.s.Installments); i++ {
		if in := &e.s.Installments[i]; !in.Closed && in.owes() {
			return
		}
	}
	e.settleOn(date)
}

// settleOn marks the loan settled on date. Installments not yet due owe
// nothing by then and leave the schedule.
func (e *engine) settleOn(date civil.Date) {
	e.s.Status = StatusSettled
	e.s.SettledDate = date
	n := len(e.s.Installments)
	for n > e.first && e.s.Installments[n-1].DueDate.After(date) {
		n--
	}
	e.s.Installments = e.s.Installments[:n]
	e.first = min(e.first, n)
}

// owed returns what settles the loan on date (before credit), the
// principal not yet due, and the interest accrued on it to date.
func (e *engine) owed(date civil.Date) (total, future, accrued money.Amount) {
	total = e.feesDue()
	future = e.principal
	for i := e.first; i < len(e.s.Installments) && !e.s.Installments[i].DueDate.After(date); i++ {
		in := &e.s.Installments[i]
		if in.Closed {
			continue
		}
		total += in.PrincipalDue() + in.InterestDue() + in.PenaltyDue() + in.CompoundDue()
		future -= in.PrincipalDue()
	}
	// Penalty accrues only on installments already due, so the ones not
	// yet due add their principal alone.
	accrued = e.accrued(future, date.Sub(e.periodStart(date)))
	return total + future + accrued, future, accrued
}

// periodStart returns the start of the period in progress on date: the
// last due date of the schedule in force on or before date, or the
// schedule's start when none has come yet. Installments before e.first
// are due by now, so the search starts just before it.
func (e *engine) periodStart(date civil.Date) civil.Date {
	prev := e.start
	for i := max(e.first-1, e.schedStart); i < len(e.s.Installments) && !e.s.Installments[i].DueDate.After(date); i++ {
		prev = e.s.Installments[i].DueDate
	}
	return prev
}

// accrued returns the interest on principal x over days of the period in
// progress, round(x × rate × days / basis), capped at what the period's
// installment charges on x for the whole period.
func (e *engine) accrued(x money.Amount, days int) money.Amount {
	if x <= 0 || days <= 0 || e.s.Rate == 0 {
		return 0
	}
	daily := money.Amount(money.MulDiv(int64(x), int64(e.s.Rate)*int64(days), e.basis*money.RateScale, money.HalfUp))
	return money.Min(daily, schedule.PeriodInterest(x, e.s.Rate, e.periodMonths()))
}

func (e *engine) periodMonths() int {
	if e.method == schedule.Bullet {
		return e.term
	}
	return 1
}

// prepayable returns the largest principal x ≤ future for which x and the
// interest accrued on it over days fit in amount. x + accrued(x) only grows
// with x, and accrued is the lesser of a daily and a whole-period charge,
// so x is the larger of the two answers each rate gives on its own.
func (e *engine) prepayable(amount, future money.Amount, days int) money.Amount {
	months := e.periodMonths()
	best := money.Amount(0)
	for _, c := range [2]struct{ num, den int64 }{
		{int64(e.s.Rate) * int64(days), e.basis * money.RateScale},
		{int64(e.s.Rate) * int64(months), 12 * money.RateScale},
	} {
		f := func(x money.Amount) money.Amount {
			return x + money.Amount(money.MulDiv(int64(x), c.num, c.den, money.HalfUp))
		}
		x := money.Amount(money.MulDiv(int64(amount), c.den, c.den+c.num, money.Down))
		for x > 0 && f(x) > amount {
			x--
		}
		for f(x+1) <= amount {
			x++
		}
		best = max(best, x)
	}
	return money.Min(best, future)
}

func (e *engine) repay(t Tx) {
	a := Allocation{Seq: t.Seq, Date: t.ValueDate, Amount: t.Amount}
	owed, _, _ := e.owed(t.ValueDate)
	switch {
	case e.s.Status != StatusActive:
		a.Credit = t.Amount
		e.s.Credit += t.Amount
	case t.Amount+e.s.Credit >= owed:
		e.settle(&a.Parts, t.Amount, t.ValueDate)
	default:
		left := e.pay(&a.Parts, t.Amount, t.ValueDate)
		if left > 0 && e.p.Prepayment != HoldCredit && e.s.Status == StatusActive {
			left = e.prepay(&a.Parts, left, t.ValueDate)
		}
		a.Credit += left
		e.s.Credit += left
	}
	e.s.Allocations = append(e.s.Allocations, a)
	e.record(t.Seq, a.Parts)
}

// settle pays everything owed on date from amount and the credit held —
// what is due, the principal not yet due and the interest accrued on it —
// and keeps the excess as credit (提前结清).
func (e *engine) settle(a *Parts, amount money.Amount, date civil.Date) {
	owed, future, accrued := e.owed(date)
	e.pay(a, owed-future-accrued, date)
	a.Prepaid += future
	a.Interest += accrued
	e.s.PrepaidPrincipal += future
	e.s.PrepaidInterest += accrued
	e.principal = 0
	a.Credit += amount - owed
	e.s.Credit += amount - owed
	e.settleOn(date)
}

// applyCredit applies held credit on date: it settles the loan when it
// covers the payoff, and otherwise pays what is due by the waterfall.
func (e *engine) applyCredit(date civil.Date) {
	if e.s.Credit <= 0 || e.s.Status != StatusActive {
		return
	}
	a := Allocation{Date: date}
	if owed, _, _ := e.owed(date); e.s.Credit >= owed {
		e.settle(&a.Parts, 0, date)
	} else {
		left := e.pay(&a.Parts, e.s.Credit, date)
		used := e.s.Credit - left
		if used == 0 {
			return
		}
		a.Credit = -used
		e.s.Credit = left
	}
	e.s.Allocations = append(e.s.Allocations, a)
}

// prepay repays principal not yet due from amount, first charging the
// interest accrued on it to date, re-lays the rest of the schedule by the
// product's rule, and returns what is left: a few fen at most.
func (e *engine) prepay(a *Parts, amount money.Amount, date civil.Date) money.Amount {
	_, future, _ := e.owed(date)
	if future <= 0 {
		return amount
	}
	days := date.Sub(e.periodStart(date))
	x := e.prepayable(amount, future, days)
	if x <= 0 {
		return amount
	}
	interest := e.accrued(x, days)
	a.Prepaid += x
	a.Interest += interest
	e.s.PrepaidPrincipal += x
	e.s.PrepaidInterest += interest
	e.principal -= x
	start := e.first
	for start < len(e.s.Installments) && !e.s.Installments[start].DueDate.After(date) {
		start++
	}
	e.relay(start, future-x, date)
	return amount - x - interest
}

// relay replaces the installments from start, all not yet due, by a
// schedule for balance over the same due dates, laid out by the method in
// force and the product's prepayment rule. Each keeps charging its whole
// period's interest on the reduced balance, which was outstanding all of
// it.
func (e *engine) relay(start int, balance money.Amount, date civil.Date) {
	old := e.s.Installments[start:]
	dues := make([]civil.Date, len(old))
	for i := range old {
		dues[i] = old[i].DueDate
	}
	n0, rate := old[0].N, e.s.Rate
	var rebuilt []schedule.Installment
	switch {
	case balance <= 0:
	case e.method == schedule.Bullet:
		rebuilt = []schedule.Installment{{DueDate: dues[len(dues)-1], Principal: balance, Interest: schedule.PeriodInterest(balance, rate, e.term)}}
	case e.p.Prepayment == ReduceTerm && e.method == schedule.EqualInstallment:
		rebuilt = schedule.Build(e.method, balance, rate, dues, old[0].Principal+old[0].Interest)
	case e.p.Prepayment == ReduceTerm && e.method == schedule.EqualPrincipal:
		rebuilt = schedule.Build(e.method, balance, rate, dues, old[0].Principal)
	default:
		rebuilt = schedule.Build(e.method, balance, rate, dues, 0)
	}
	e.s.Installments = e.s.Installments[:start]
	for i, in := range rebuilt {
		e.s.Installments = append(e.s.Installments, InstallmentState{N: n0 + i, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest})
	}
	e.closePaid(date)
}

func (e *engine) recover(t Tx) {
	a := Allocation{Seq: t.Seq, Date: t.ValueDate, Amount: t.Amount}
	x := money.Min(t.Amount, e.s.WrittenOff-e.s.Recovered)
	e.s.Recovered += x
	a.Recovery = x
	a.Credit = t.Amount - x
	e.s.Credit += a.Credit
	e.s.Allocations = append(e.s.Allocations, a)
	e.record(t.Seq, a.Parts)
}

// charge books a fee. A fee on a settled loan reopens it; credit held
// pays it at once.
func (e *engine) charge(t Tx) {
	if e.s.Status == StatusWrittenOff {
		e.record(t.Seq, Parts{})
		return
	}
	e.fees += t.Amount
	if e.s.Status == StatusSettled {
		e.s.Status = StatusActive
		e.s.SettledDate = 0
	}
	e.record(t.Seq, Parts{Fee: t.Amount})
	e.applyCredit(t.ValueDate)
}

// waive forgives up to t.Amount of one component of what is due on the
// value date, oldest installment first.
func (e *engine) waive(t Tx) {
	var w Parts
	if e.s.Status != StatusActive {
		e.record(t.Seq, w)
		return
	}
	left := t.Amount
	if t.Component == Fee {
		w.Fee = money.Min(left, e.feesDue())
		e.feesWaived += w.Fee
	}
	for i := e.first; i < len(e.s.Installments) && left > 0 && t.Component != Fee; i++ {
		in := &e.s.Installments[i]
		if in.DueDate.After(t.ValueDate) {
			break
		}
		if in.Closed {
			continue
		}
		var x money.Amount
		switch t.Component {
		case Penalty:
			x = money.Min(left, in.PenaltyDue())
			in.WaivedPenalty += x
			w.Penalty += x
		case Compound:
			x = money.Min(left, in.CompoundDue())
			in.WaivedCompound += x
			w.Compound += x
		case Interest:
			x = money.Min(left, in.InterestDue())
			in.WaivedInterest += x
			w.Interest += x
		case Principal:
			x = money.Min(left, in.PrincipalDue())
			in.WaivedPrincipal += x
			e.principal -= x
			w.Principal += x
		}
		if x > 0 {
			left -= x
			e.cleared(in, t.ValueDate)
		}
	}
	e.record(t.Seq, w)
	e.closePaid(t.ValueDate)
}

// writeOff applies credit held — to what is due by the waterfall, then to
// principal not yet due, oldest installment first — and writes off all
// that is left: fees, penalty, compound interest, interest due and every
// unpaid principal. Interest not yet due is not written off: it was never
// owed. If the credit leaves nothing, the loan is settled instead.
func (e *engine) writeOff(t Tx) {
	date := t.ValueDate
	if e.s.Status != StatusActive {
		e.record(t.Seq, Parts{})
		return
	}
	if e.s.Credit > 0 {
		a := Allocation{Date: date}
		left := e.pay(&a.Parts, e.s.Credit, date)
		for i := e.first; i < len(e.s.Installments) && left > 0; i++ {
			in := &e.s.Installments[i]
			if in.Closed || !in.DueDate.After(date) {
				continue
			}
			x := money.Min(left, in.PrincipalDue())
			in.PaidPrincipal += x
			e.principal -= x
			a.Principal += x
			left -= x
			if x > 0 {
				e.cleared(in, date)
			}
		}
		if used := e.s.Credit - left; used > 0 {
			a.Credit = -used
			e.s.Credit = left
			e.s.Allocations = append(e.s.Allocations, a)
		}
		e.closePaid(date)
	}
	var w Parts
	if e.s.Status == StatusActive {
		w.Fee = e.feesDue()
		for i := e.first; i < len(e.s.Installments); i++ {
			in := &e.s.Installments[i]
			if in.Closed {
				continue
			}
			w.Penalty += in.PenaltyDue()
			w.Compound += in.CompoundDue()
			w.Principal += in.PrincipalDue()
			if !in.DueDate.After(date) {
				w.Interest += in.InterestDue()
			}
		}
		if w.Sum() == 0 {
			e.settleOn(date)
		} else {
			e.s.WrittenOffParts = w
			e.s.WrittenOff = w.Sum()
			e.s.WrittenOffDate = date
			e.s.Status = StatusWrittenOff
		}
	}
	e.record(t.Seq, w)
}

// restructure carries everything owed into a new schedule from its value
// date: outstanding principal, interest due, penalty and compound interest
// are capitalised; interest not yet due is dropped, as the new schedule
// charges its own. Fees stay fees. Installments already paid stay as they
// were; every other installment of the old schedule is closed.
func (e *engine) restructure(t Tx) {
	date := t.ValueDate
	var c Parts
	if e.s.Status != StatusActive {
		e.record(t.Seq, c)
		return
	}
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if !carried(in, date) {
			continue
		}
		c.Principal += in.PrincipalDue()
		c.Penalty += in.PenaltyDue()
		c.Compound += in.CompoundDue()
		if !in.DueDate.After(date) {
			c.Interest += in.InterestDue()
		}
	}
	capital := c.Sum()
	sched, err := schedule.Generate(schedule.Terms{Principal: capital, Rate: t.NewRate, Term: t.NewTerm, Method: t.NewMethod, Start: date})
	if capital <= 0 || err != nil {
		// Check refuses such a restructuring before it is stored.
		e.record(t.Seq, Parts{})
		return
	}
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if !carried(in, date) {
			continue
		}
		in.MovedPrincipal += in.PrincipalDue()
		in.MovedPenalty += in.PenaltyDue()
		in.MovedCompound += in.CompoundDue()
		if in.DueDate.After(date) {
			in.Interest -= in.InterestDue() // not yet due: cancelled
		} else {
			in.MovedInterest += in.InterestDue()
		}
		in.pendingPenalty, in.pendingCompound = 0, 0
		in.Closed = true
	}
	n := 0
	if k := len(e.s.Installments); k > 0 {
		n = e.s.Installments[k-1].N
	}
	e.first, e.schedStart = len(e.s.Installments), len(e.s.Installments)
	for _, in := range sched {
		e.s.Installments = append(e.s.Installments, InstallmentState{N: n + in.N, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest})
	}
	e.principal = capital
	e.method, e.term, e.start = t.NewMethod, t.NewTerm, date
	e.s.Rate = t.NewRate
	e.penRate = e.p.penaltyRate(t.NewRate)
	r := Restructuring{Seq: t.Seq, Date: date, DPDBefore: e.yesterdayDPD, FirstDue: sched[0].DueDate}
	if len(sched) > 1 {
		r.SecondDue = sched[1].DueDate
	}
	e.s.Restructured = true
	e.s.RestructureDate = date
	e.s.ObservationStart = r.FirstDue
	e.s.Restructurings = append(e.s.Restructurings, r)
	e.record(t.Seq, c)
}

// carried reports whether a restructuring on date carries the installment
// into the new schedule: every open one but those already paid.
func carried(in *InstallmentState, date civil.Date) bool {
	return !in.Closed && (in.owes() || in.DueDate.After(date))
}

// finish totals the state at the end of asOf.
func (e *engine) finish(asOf civil.Date) State {
	s := e.s
	s.AsOf = asOf
	s.FeesDue = e.feesDue()
	s.PaidFees = e.feesPaid
	for i := range s.Installments {
		in := &s.Installments[i]
		s.PaidPrincipal += in.PaidPrincipal
		s.PaidInterest += in.PaidInterest
		s.PaidPenalty += in.PaidPenalty
		s.PaidCompound += in.PaidCompound
		in.PaidOn = 0
		if in.Closed {
			continue
		}
		if !in.owes() && !in.DueDate.After(asOf) {
			in.PaidOn = max(in.DueDate, in.clearedOn)
		}
		s.PrincipalOutstanding += in.PrincipalDue()
		s.PenaltyDue += in.PenaltyDue()
		s.CompoundDue += in.CompoundDue()
		switch {
		case in.DueDate.Before(asOf):
			s.OverduePrincipal += in.PrincipalDue()
			s.OverdueInterest += in.InterestDue()
		case in.DueDate == asOf:
			s.DueToday += in.PrincipalDue() + in.InterestDue()
		}
		if s.NextDueDate == 0 && !in.DueDate.Before(asOf) && in.PrincipalDue()+in.InterestDue() > 0 {
			s.NextDueDate = in.DueDate
			s.NextDueAmount = in.PrincipalDue() + in.InterestDue()
		}
	}
	s.PaidPrincipal += s.PrepaidPrincipal
	s.PaidInterest += s.PrepaidInterest
	switch s.Status {
	case StatusActive:
		_, _, s.AccruedInterest = e.owed(asOf)
		s.DPD, s.OldestUnpaidDue = e.dpd(asOf)
		e.recordDPD(asOf, s.DPD)
		if s.Restructured && s.DPD > 0 {
			e.recordSpell(asOf, asOf, s.OldestUnpaidDue)
		}
		s.MaxDPD, s.MonthlyMaxDPD, s.Delinquency = e.s.MaxDPD, e.s.MonthlyMaxDPD, e.s.Delinquency
	case StatusWrittenOff:
		s.PrincipalOutstanding, s.OverduePrincipal, s.OverdueInterest, s.PenaltyDue, s.CompoundDue, s.FeesDue, s.DueToday = 0, 0, 0, 0, 0, 0, 0
		s.NextDueDate, s.NextDueAmount = 0, 0
		// DPD keeps counting from the oldest installment unpaid at write-off.
		s.DPD, s.OldestUnpaidDue = e.dpd(asOf)
	}
	s.MaxDPD = max(s.MaxDPD, s.DPD)
	return s
}
