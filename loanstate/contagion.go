package loanstate

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
)

// Contagion is the debtor-level rule of the five-tier classification
// (债务人维度的风险传染): when more than Threshold of a borrower's exposure is
// non-performing (次级 or worse on the loans' own), every loan of the
// borrower is at least 次级. Exposure is principal outstanding, so settled
// and written-off loans weigh nothing. The rule reads the loans' own
// classes, never the classes contagion gave them, so it cannot feed itself.
type Contagion struct {
	// Threshold is the non-performing share of the borrower's exposure
	// beyond which the borrower's loans are all non-performing: "more
	// than", so a share exactly at the threshold does not spread.
	Threshold money.Rate
	// Off disables the rule.
	Off bool
}

// DefaultContagion is the default rule: more than 10 % non-performing.
var DefaultContagion = Contagion{Threshold: money.MustParseRate("0.10")}

// Exposure is a borrower's loan as contagion sees it: its cached own class
// and balance, whether it is active (contagion touches active loans only)
// and whether contagion raised it.
type Exposure struct {
	LoanID      int64
	BorrowerID  int64
	OwnClass    classification.Class
	Outstanding money.Amount
	Active      bool
	Contagion   bool
}

// exposureOf returns the exposure of a derived snapshot.
func exposureOf(s *Snapshot) Exposure {
	return Exposure{LoanID: s.LoanID, BorrowerID: s.BorrowerID, OwnClass: s.OwnClass, Outstanding: s.PrincipalOutstanding,
		Active: s.Status == servicing.StatusActive, Contagion: s.Contagion}
}

// spreads reports whether a borrower with exposures es is contagious, and
// the cause to record. The cause names the non-performing loans, not the
// balances: it changes only when a loan's own class crosses into or out of
// non-performing, which is when the borrower's other loans are derived
// again.
func (c Contagion) spreads(es []Exposure) (bool, string) {
	if c.Off || len(es) < 2 {
		return false, ""
	}
	var total, npl money.Amount
	var ids []int64
	for _, e := range es {
		total += e.Outstanding
		if e.OwnClass.NonPerforming() {
			npl += e.Outstanding
			ids = append(ids, e.LoanID)
		}
	}
	if npl == 0 {
		return false, ""
	}
	// npl / total > threshold, exactly: npl · scale > threshold · total.
	lhs := new(big.Int).Mul(big.NewInt(int64(npl)), big.NewInt(money.RateScale))
	rhs := new(big.Int).Mul(big.NewInt(int64(c.Threshold)), big.NewInt(int64(total)))
	if lhs.Cmp(rhs) <= 0 {
		return false, ""
	}
	slices.Sort(ids)
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = strconv.FormatInt(id, 10)
	}
	return true, fmt.Sprintf("borrower contagion: more than %s of the borrower's exposure is non-performing (loan %s)", percent(c.Threshold), strings.Join(names, ", "))
}

// apply raises the class of derived loans whose borrower is contagious, and
// returns the loans of others to derive again: those whose contagion this
// derivation turns on or off, and all of a borrower's when one of its
// derived loans crossed into or out of non-performing (the cause names
// them). others may hold the cached exposure of derived loans too: it is
// how a crossing is seen; a loan in others more than once counts once.
func (c Contagion) apply(in []Input, out []Derived, others []Exposure) []int64 {
	groups := map[int64][]int{} // borrower → indexes into out
	for i := range out {
		if out[i].OK && in[i].Loan.BorrowerID != 0 {
			b := in[i].Loan.BorrowerID
			groups[b] = append(groups[b], i)
		}
	}
	derived := make(map[int64]bool, len(out))
	for i := range out {
		if out[i].OK {
			derived[out[i].Snapshot.LoanID] = true
		}
	}
	byBorrower := map[int64][]Exposure{}
	before := map[int64]bool{} // derived loans' own non-performing flag as cached
	seen := make(map[int64]bool, len(others))
	for _, e := range others {
		// A loan given twice weighs once: counted twice, a small
		// non-performing balance would pass the threshold.
		if seen[e.LoanID] {
			continue
		}
		seen[e.LoanID] = true
		if derived[e.LoanID] {
			before[e.LoanID] = e.OwnClass.NonPerforming()
			continue
		}
		byBorrower[e.BorrowerID] = append(byBorrower[e.BorrowerID], e)
	}
	var marks []int64
	for b, idx := range groups {
		rest := byBorrower[b]
		if len(idx)+len(rest) < 2 {
			continue
		}
		es := slices.Clone(rest)
		for _, i := range idx {
			es = append(es, exposureOf(&out[i].Snapshot))
		}
		on, cause := c.spreads(es)
		crossed := false
		for _, i := range idx {
			s := &out[i].Snapshot
			if was, ok := before[s.LoanID]; ok && was != s.OwnClass.NonPerforming() || !ok && s.OwnClass.NonPerforming() {
				crossed = true
			}
		}
		for _, i := range idx {
			s := &out[i].Snapshot
			if !on || s.OwnClass.NonPerforming() || s.Status != servicing.StatusActive {
				continue
			}
			ci := out[i].class
			ci.BorrowerNPL, ci.ContagionCause = true, cause
			r := classification.Classify(ci)
			s.Class, s.ClassCause, s.Contagion = r.Class, r.Cause, true
		}
		for _, e := range rest {
			if want := on && e.Active && !e.OwnClass.NonPerforming(); want != e.Contagion || crossed {
				marks = append(marks, e.LoanID)
			}
		}
	}
	slices.Sort(marks)
	return marks
}

// percent formats a rate as a percentage without trailing zeros: 10%, 12.5%.
func percent(r money.Rate) string {
	s := strconv.FormatFloat(float64(r)/money.RateScale*100, 'f', -1, 64)
	return s + "%"
}
