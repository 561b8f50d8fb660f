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
	e := newEngine(p, l)
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
	return e.finish(asOf)
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
	p        Product
	l        Loan
	s        State
	now      civil.Date // accrued to the end of this day
	penRate  money.Rate
	basis    int64
	first    int // index of the first installment that may still be open
	feesPaid money.Amount
	feesWaiv money.Amount
	fees     money.Amount
}

func newEngine(p Product, l Loan) *engine {
	sched, err := schedule.Generate(l.Terms())
	if err != nil {
		// A stored loan has validated terms; an invalid one replays as empty
		// rather than panicking inside a batch over millions of loans.
		sched = nil
	}
	e := &engine{p: p, l: l, now: l.Disbursed, penRate: p.penaltyRate(l.Rate), basis: p.DayCount.Days()}
	e.s = State{LoanID: l.ID, Status: StatusActive, Rate: l.Rate}
	e.s.Installments = make([]InstallmentState, len(sched), len(sched)+1)
	for i, in := range sched {
		e.s.Installments[i] = InstallmentState{N: in.N, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest}
	}
	return e
}

// advance accrues penalty to the end of day `to`, applying held credit on
// every due date passed on the way.
func (e *engine) advance(to civil.Date) {
	if !to.After(e.now) {
		return
	}
	if e.s.Credit > 0 && e.s.Status == StatusActive {
		for i := e.first; i < len(e.s.Installments); i++ {
			d := e.s.Installments[i].DueDate
			if d.After(to) {
				break
			}
			if d.After(e.now) && !e.s.Installments[i].Closed {
				e.accrue(d)
				e.useCredit(d)
				if e.s.Credit == 0 {
					break
				}
			}
		}
	}
	e.trackDPD(e.now, to.AddDays(-1))
	e.accrue(to)
}

// accrue adds fen-days of overdue principal and interest for the days in
// (now, to] to every overdue installment, after its grace period.
func (e *engine) accrue(to civil.Date) {
	if !to.After(e.now) {
		return
	}
	if e.s.Status == StatusActive {
		grace := e.p.GraceDays
		for i := e.first; i < len(e.s.Installments); i++ {
			in := &e.s.Installments[i]
			if !in.DueDate.Before(to) {
				break
			}
			if in.Closed {
				continue
			}
			from := max(in.accruedTo, in.DueDate.AddDays(grace), e.now)
			if days := to.Sub(from); days > 0 {
				in.penaltyFenDays += int64(in.PrincipalDue()) * int64(days)
				if e.p.Compound {
					in.compoundFenDays += int64(in.InterestDue()) * int64(days)
				}
				in.accruedTo = to
				e.price(in)
			}
		}
	}
	e.now = to
}

// price turns an installment's exact fen-days into penalty, rounded once.
func (e *engine) price(in *InstallmentState) {
	den := e.basis * money.RateScale
	in.Penalty = money.Amount(
		money.MulDiv(in.penaltyFenDays, int64(e.penRate), den, money.HalfUp) +
			money.MulDiv(in.compoundFenDays, int64(e.penRate), den, money.HalfUp))
}

// trackDPD records the DPD at the end of the days from..to, over which
// nothing happens, in MaxDPD and in each month's maximum. With nothing
// happening DPD only grows, so a month's maximum is its value on the
// month's last day in the span.
func (e *engine) trackDPD(from, to civil.Date) {
	if e.s.Status != StatusActive || to.Before(from) {
		return
	}
	for d := from; !d.After(to); {
		y, m, _ := d.YMD()
		end := min(civil.New(y, m+1, 0), to)
		dpd, _ := e.dpd(end)
		e.recordDPD(end, dpd)
		d = end.AddDays(1)
	}
}

func (e *engine) recordDPD(d civil.Date, dpd int) {
	if dpd > e.s.MaxDPD {
		e.s.MaxDPD = dpd
	}
	k := d.MonthIndex() - e.l.Disbursed.MonthIndex()
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

func (e *engine) dpd(d civil.Date) (int, civil.Date) {
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if !in.DueDate.Before(d) {
			break
		}
		if in.Closed {
			continue
		}
		if in.PrincipalDue()+in.InterestDue() > e.p.Tolerance {
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
		e.writeOff(t.ValueDate)
	case Restructure:
		e.restructure(t)
	case FeeCharge:
		e.fees += t.Amount
		if e.s.Status == StatusSettled {
			e.s.Status = StatusActive
			e.s.SettledDate = 0
		}
	}
}

// pay allocates up to amount to what is due on date, by the product's
// waterfall, oldest installment first, and returns what is left.
func (e *engine) pay(a *Allocation, amount money.Amount, date civil.Date) money.Amount {
	left := amount
	payFees := func() {
		x := money.Min(left, e.fees-e.feesPaid-e.feesWaiv)
		e.feesPaid += x
		a.Fee += x
		left -= x
	}
	order := e.p.Allocation
	if len(order) == 0 {
		order = DefaultAllocation
	}
	if order[0] == Fee {
		payFees()
	}
	for i := e.first; i < len(e.s.Installments) && left > 0; i++ {
		in := &e.s.Installments[i]
		if in.DueDate.After(date) {
			break
		}
		if in.Closed {
			continue
		}
		for _, c := range order {
			switch c {
			case Penalty:
				x := money.Min(left, in.PenaltyDue())
				in.PaidPenalty += x
				a.Penalty += x
				left -= x
			case Interest:
				x := money.Min(left, in.InterestDue())
				in.PaidInterest += x
				a.Interest += x
				left -= x
			case Principal:
				x := money.Min(left, in.PrincipalDue())
				in.PaidPrincipal += x
				a.Principal += x
				left -= x
			}
		}
	}
	if order[0] != Fee {
		payFees()
	}
	e.closePaid(date)
	return left
}

// closePaid stamps fully paid installments and moves e.first past the
// leading run of finished ones, so later passes skip them.
func (e *engine) closePaid(date civil.Date) {
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if !in.Closed && in.open() {
			break
		}
		if in.PaidOn == 0 && !in.Closed {
			in.PaidOn = date
		}
		e.first = i + 1
	}
	e.checkSettled(date)
}

func (i *InstallmentState) open() bool {
	return i.PrincipalDue() > 0 || i.InterestDue() > 0 || i.PenaltyDue() > 0
}

func (e *engine) checkSettled(date civil.Date) {
	if e.s.Status != StatusActive {
		return
	}
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if !in.Closed && in.open() {
			return
		}
	}
	if e.fees-e.feesPaid-e.feesWaiv > 0 {
		return
	}
	e.s.Status = StatusSettled
	e.s.SettledDate = date
}

func (e *engine) repay(t Tx) {
	a := Allocation{Seq: t.Seq, Date: t.ValueDate, Amount: t.Amount}
	left := e.pay(&a, t.Amount, t.ValueDate)
	if left > 0 && e.s.Status == StatusActive && e.p.Prepayment != HoldCredit {
		prepaid := e.prepay(left, t.ValueDate)
		a.Prepaid = prepaid
		left -= prepaid
	}
	a.Credit = left
	e.s.Credit += left
	e.s.Allocations = append(e.s.Allocations, a)
}

// useCredit applies held credit to what falls due on date.
func (e *engine) useCredit(date civil.Date) {
	a := Allocation{Date: date}
	left := e.pay(&a, e.s.Credit, date)
	used := e.s.Credit - left
	if used == 0 {
		return
	}
	a.Credit = -used
	e.s.Credit = left
	e.s.Allocations = append(e.s.Allocations, a)
}

// prepay repays principal not yet due and re-lays the rest of the
// schedule by the product's rule; it returns the principal prepaid.
func (e *engine) prepay(amount money.Amount, date civil.Date) money.Amount {
	var future money.Amount
	start := -1
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if in.Closed || !in.DueDate.After(date) {
			continue
		}
		if start < 0 {
			start = i
		}
		future += in.PrincipalDue()
	}
	if start < 0 || future == 0 {
		return 0
	}
	x := money.Min(amount, future)
	e.s.PrepaidPrincipal += x
	balance := future - x
	old := e.s.Installments[start:]
	dues := make([]civil.Date, len(old))
	var oldInterest money.Amount
	for i := range old {
		dues[i] = old[i].DueDate
		oldInterest += old[i].InterestDue()
	}
	n0 := old[0].N
	var rebuilt []schedule.Installment
	switch {
	case balance == 0:
	case e.l.Method == schedule.Bullet || (len(e.s.Installments) == 1):
		// One remaining installment: keep its date, scale its interest.
		interest := money.Amount(money.MulDiv(int64(oldInterest), int64(balance), int64(future), money.HalfUp))
		rebuilt = []schedule.Installment{{N: 1, DueDate: dues[len(dues)-1], Principal: balance, Interest: interest}}
	case e.p.Prepayment == ReduceTerm && e.l.Method == schedule.EqualInstallment:
		rebuilt = schedule.Build(schedule.EqualInstallment, balance, e.s.Rate, dues, old[0].Principal+old[0].Interest)
	case e.p.Prepayment == ReduceTerm && e.l.Method == schedule.EqualPrincipal:
		rebuilt = schedule.Build(schedule.EqualPrincipal, balance, e.s.Rate, dues, old[0].Principal)
	default:
		rebuilt = schedule.Build(e.l.Method, balance, e.s.Rate, dues, 0)
	}
	e.s.Installments = e.s.Installments[:start]
	for i, in := range rebuilt {
		e.s.Installments = append(e.s.Installments, InstallmentState{N: n0 + i, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest})
	}
	e.closePaid(date)
	return x
}

func (e *engine) recover(t Tx) {
	a := Allocation{Seq: t.Seq, Date: t.ValueDate, Amount: t.Amount}
	x := money.Min(t.Amount, e.s.WrittenOff-e.s.Recovered)
	e.s.Recovered += x
	a.Recovery = x
	a.Credit = t.Amount - x
	e.s.Credit += a.Credit
	e.s.Allocations = append(e.s.Allocations, a)
}

func (e *engine) waive(t Tx) {
	left := t.Amount
	if t.Component == Fee {
		x := money.Min(left, e.fees-e.feesPaid-e.feesWaiv)
		e.feesWaiv += x
		e.closePaid(t.ValueDate)
		return
	}
	for i := e.first; i < len(e.s.Installments) && left > 0; i++ {
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
		case Interest:
			x = money.Min(left, in.InterestDue())
			in.WaivedInterest += x
		case Principal:
			x = money.Min(left, in.PrincipalDue())
			in.WaivedPrincipal += x
		}
		left -= x
	}
	e.closePaid(t.ValueDate)
}

func (e *engine) writeOff(date civil.Date) {
	if e.s.Status != StatusActive {
		return
	}
	var total money.Amount
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		if in.Closed {
			continue
		}
		total += in.PrincipalDue() + in.PenaltyDue()
		if !in.DueDate.After(date) {
			total += in.InterestDue()
		}
	}
	total += e.fees - e.feesPaid - e.feesWaiv
	e.s.WrittenOff = total
	e.s.WrittenOffDate = date
	e.s.Status = StatusWrittenOff
}

// restructure carries everything owed into a new schedule from date:
// outstanding principal, overdue interest and penalty are capitalised;
// interest not yet due is dropped, as the new schedule charges its own.
func (e *engine) restructure(t Tx) {
	if e.s.Status != StatusActive {
		return
	}
	var capital money.Amount
	n := 0
	for i := e.first; i < len(e.s.Installments); i++ {
		in := &e.s.Installments[i]
		n = in.N
		if in.Closed {
			continue
		}
		principal, penalty, interest := in.PrincipalDue(), in.PenaltyDue(), in.InterestDue()
		in.MovedPrincipal += principal
		in.MovedPenalty += penalty
		capital += principal + penalty
		if in.DueDate.After(t.ValueDate) {
			in.Interest -= interest // not yet due: cancelled
		} else {
			in.MovedInterest += interest
			capital += interest
		}
		in.Closed = true
	}
	e.first = len(e.s.Installments)
	if capital <= 0 {
		e.checkSettled(t.ValueDate)
		return
	}
	sched, err := schedule.Generate(schedule.Terms{Principal: capital, Rate: t.NewRate, Term: t.NewTerm, Method: t.NewMethod, Start: t.ValueDate})
	if err != nil {
		return // Check refuses such a transaction before it is stored
	}
	for _, in := range sched {
		e.s.Installments = append(e.s.Installments, InstallmentState{N: n + in.N, DueDate: in.DueDate, Principal: in.Principal, Interest: in.Interest})
	}
	e.s.Rate = t.NewRate
	e.penRate = e.p.penaltyRate(t.NewRate)
	e.s.Restructured = true
	e.s.RestructureDate = t.ValueDate
	e.s.ObservationStart = sched[0].DueDate
}

// finish totals the state at the end of asOf.
func (e *engine) finish(asOf civil.Date) State {
	s := e.s
	s.AsOf = asOf
	s.FeesDue = e.fees - e.feesPaid - e.feesWaiv
	s.PaidFees = e.feesPaid
	for i := range s.Installments {
		in := &s.Installments[i]
		s.PaidPrincipal += in.PaidPrincipal
		s.PaidInterest += in.PaidInterest
		s.PaidPenalty += in.PaidPenalty
		if in.Closed {
			continue
		}
		s.PrincipalOutstanding += in.PrincipalDue()
		s.PenaltyDue += in.PenaltyDue()
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
	if s.Status == StatusWrittenOff {
		s.PrincipalOutstanding, s.OverduePrincipal, s.OverdueInterest, s.PenaltyDue, s.FeesDue, s.DueToday = 0, 0, 0, 0, 0, 0
		s.NextDueDate, s.NextDueAmount = 0, 0
	}
	if s.Status != StatusSettled {
		s.DPD, s.OldestUnpaidDue = e.dpd(asOf)
		if s.Status == StatusWrittenOff {
			// DPD keeps counting from the oldest unpaid installment at write-off.
			s.DPD, s.OldestUnpaidDue = e.dpdAt(asOf)
		}
	}
	if s.Status == StatusActive {
		e.recordDPD(asOf, s.DPD)
		s.MaxDPD, s.MonthlyMaxDPD = e.s.MaxDPD, e.s.MonthlyMaxDPD
	}
	if s.DPD > s.MaxDPD {
		s.MaxDPD = s.DPD
	}
	return s
}

func (e *engine) dpdAt(d civil.Date) (int, civil.Date) {
	for i := range e.s.Installments {
		in := &e.s.Installments[i]
		if !in.DueDate.Before(d) {
			break
		}
		if in.PrincipalDue()+in.InterestDue() > e.p.Tolerance {
			return d.Sub(in.DueDate), in.DueDate
		}
	}
	return 0, 0
}
