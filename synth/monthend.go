package synth

import (
	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/servicing"
)

// monthEndState returns the loan's snapshot at the end of month end e, as
// far as the aggregates need it. While the history up to e is clean —
// every installment due by e cleared exactly, on time or late, nothing
// missed, partial or restructured — the state follows from the schedule:
// current, principal outstanding is what is not yet due, and the highest
// DPD is that of the latest payment. Otherwise the loan is replayed.
func (g *loanGen) monthEndState(e civil.Date) loanstate.Snapshot {
	if g.firstDirty != 0 && !e.Before(g.firstDirty) || g.reshaped {
		return g.replayed(e)
	}
	s := loanstate.Snapshot{LoanID: g.l.ID, BorrowerID: g.l.BorrowerID, AsOf: e, Status: servicing.StatusActive, Class: classification.Normal, OwnClass: classification.Normal, ClassCause: "DPD 0", Stage: 1}
	if g.payoff != 0 && !g.payoff.After(e) {
		s.Status, s.ClassCause = servicing.StatusSettled, "settled"
	}
	outstanding := g.l.Principal
	paid := 0
	for k, due := range g.dues {
		if due.After(e) {
			break
		}
		p := g.paidOn[k]
		if p == 0 || p.After(e) {
			if s.Status == servicing.StatusSettled {
				break
			}
			return g.replayed(e)
		}
		outstanding -= g.prin[k]
		paid++
		if late := p.Sub(due) - 1; late > s.MaxDPD {
			s.MaxDPD = late
		}
	}
	if s.Status == servicing.StatusSettled {
		return s
	}
	if paid == g.last {
		s.Status, s.ClassCause = servicing.StatusSettled, "settled"
		return s
	}
	s.PrincipalOutstanding = outstanding
	return s
}

func (g *loanGen) replayed(e civil.Date) loanstate.Snapshot {
	st := g.replay(e)
	return loanstate.FromState(&st, loanstate.Input{Product: *g.p, Loan: g.l, Txs: g.txs})
}
