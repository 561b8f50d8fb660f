// Package loanview builds the view of one loan that people read (贷款详情):
// its contract, borrower, state with the cause of its class, the payoff
// amount, the schedule with what was paid against each installment, the
// transactions and what each applied, and the class and score history. The
// command line prints it; the web console renders it.
package loanview

import (
	"context"
	"strconv"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/loanstate"
	"daihou/money"
	"daihou/pii"
	"daihou/scoring/behaviour"
	"daihou/servicing"
)

// Store is what a loan view reads.
type Store interface {
	Loan(ctx context.Context, id int64) (servicing.Loan, error)
	LoanByExternalID(ctx context.Context, ext string) (servicing.Loan, error)
	Borrower(ctx context.Context, id int64) (servicing.Borrower, error)
	Products(ctx context.Context) (map[string]servicing.Product, error)
	Transactions(ctx context.Context, loanID int64) ([]servicing.Tx, error)
	Snapshot(ctx context.Context, loanID int64) (loanstate.Snapshot, error)
	BusinessDate(ctx context.Context) (civil.Date, error)
	ClassHistory(ctx context.Context, loanID int64) ([]loanstate.ClassChange, error)
	ScoreHistory(ctx context.Context, loanID int64) ([]loanstate.ScoreChange, error)
	// Authorize says whether the actor in ctx may take action on the loan:
	// ENOTFOUND for one outside the actor's scope.
	Authorize(ctx context.Context, action auth.Action, id int64) error
}

// View is one loan as of a date.
type View struct {
	Loan     servicing.Loan     `json:"loan"`
	Borrower servicing.Borrower `json:"borrower"`
	AsOf     civil.Date         `json:"as_of"`
	Business civil.Date         `json:"business_date"`
	// Disbursed is false when AsOf is before the disbursement: the loan
	// has no state yet.
	Disbursed    bool                         `json:"disbursed"`
	State        loanstate.Snapshot           `json:"state"`
	Payoff       money.Amount                 `json:"payoff"`
	Installments []Installment                `json:"installments"`
	Transactions []servicing.Tx               `json:"transactions"`
	Allocations  []servicing.Allocation       `json:"allocations"`
	ClassHistory []loanstate.ClassChange      `json:"class_history"`
	Scores       []loanstate.ScoreChange      `json:"score_history"`
	raw          []servicing.InstallmentState // for Status
}

// Installment is one installment of the schedule with a word for where it
// stands.
type Installment struct {
	servicing.InstallmentState
	Status string `json:"status"`
}

// Find returns the loan named by ref, a loan id or the lender's loan
// number, if the actor in ctx may read it. A loan outside the actor's
// scope is not found, with the same error as one that does not exist, so
// that nobody learns which loans exist outside their queue.
func Find(ctx context.Context, st Store, ref string) (servicing.Loan, error) {
	notFound := NotFound(ref)
	l, err := find(ctx, st, ref)
	if daihou.ErrorCode(err) == daihou.ENOTFOUND {
		return l, notFound
	}
	if err != nil {
		return l, err
	}
	if err := st.Authorize(ctx, auth.ReadLoan, l.ID); err != nil {
		if daihou.ErrorCode(err) == daihou.ENOTFOUND {
			return servicing.Loan{}, notFound
		}
		return servicing.Loan{}, err
	}
	return l, nil
}

// NotFound is the one answer for a loan named by ref that does not exist
// or is outside the actor's scope.
func NotFound(ref string) error {
	return daihou.Errorf(daihou.ENOTFOUND, "no loan with id or loan number %q you may see", clip(ref))
}

func find(ctx context.Context, st Store, ref string) (servicing.Loan, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		l, err := st.Loan(ctx, id)
		if daihou.ErrorCode(err) != daihou.ENOTFOUND {
			return l, err
		}
	}
	return st.LoanByExternalID(ctx, ref)
}

// clip keeps an error message short when ref is long or hostile.
func clip(ref string) string {
	const max = 64
	if len(ref) <= max {
		return ref
	}
	return strings.ToValidUTF8(ref[:max], "") + "…"
}

// Mask returns b as actor may see it under policy: each personal field
// plain or masked.
func Mask(b servicing.Borrower, actor auth.Actor, policy pii.Policy) servicing.Borrower {
	roles := actor.Roles()
	b.Name = policy.Show(roles, pii.Name, b.Name)
	b.IDNumber = policy.Show(roles, pii.IDNumber, b.IDNumber)
	b.Phone = policy.Show(roles, pii.Phone, b.Phone)
	b.Address = policy.Show(roles, pii.Address, b.Address)
	return b
}

// Build returns the view of the loan named by ref as of asOf (zero: the
// business date), with the borrower's personal data masked as the actor in
// ctx may see it (pii.DefaultPolicy). On the business date the state is the cached snapshot,
// which carries what no replay can recompute — an approved override, the
// borrower's contagion, the behaviour score; on another date it is the
// loan's own ledger replayed as of then, given everything known now.
func Build(ctx context.Context, st Store, ref string, asOf civil.Date) (*View, error) {
	l, err := Find(ctx, st, ref)
	if err != nil {
		return nil, err
	}
	v := &View{Loan: l}
	if v.Business, err = st.BusinessDate(ctx); err != nil {
		return nil, err
	}
	v.AsOf = asOf
	if v.AsOf == 0 {
		v.AsOf = v.Business
	}
	if v.Borrower, err = st.Borrower(ctx, l.BorrowerID); err != nil {
		return nil, err
	}
	v.Borrower = Mask(v.Borrower, auth.FromContext(ctx), pii.DefaultPolicy())
	if v.Transactions, err = st.Transactions(ctx, l.ID); err != nil {
		return nil, err
	}
	if v.ClassHistory, err = st.ClassHistory(ctx, l.ID); err != nil {
		return nil, err
	}
	if v.Scores, err = st.ScoreHistory(ctx, l.ID); err != nil {
		return nil, err
	}
	if v.AsOf.Before(l.Disbursed) {
		return v, nil
	}
	prods, err := st.Products(ctx)
	if err != nil {
		return nil, err
	}
	d := loanstate.Deriver{KeepState: true, Contagion: loanstate.Contagion{Off: true}}
	got, _ := d.Derive(v.AsOf, []loanstate.Input{{Product: prods[l.Product], Loan: l, Txs: v.Transactions}}, nil)
	v.Disbursed = got[0].OK
	v.State = got[0].Snapshot
	s := got[0].State
	if v.AsOf == v.Business {
		cached, err := st.Snapshot(ctx, l.ID)
		switch {
		case err == nil:
			v.State = cached
		case daihou.ErrorCode(err) != daihou.ENOTFOUND:
			return nil, err
		}
	}
	v.Payoff = s.Payoff()
	v.Allocations = s.Allocations
	v.raw = s.Installments
	for _, in := range s.Installments {
		v.Installments = append(v.Installments, Installment{InstallmentState: in, Status: status(&in, v.AsOf)})
	}
	return v, nil
}

// status says where an installment stands on asOf.
func status(in *servicing.InstallmentState, asOf civil.Date) string {
	open := in.PrincipalDue() + in.InterestDue() + in.PenaltyDue()
	switch {
	case in.Closed:
		return "restructured"
	case open == 0 && in.PaidOn != 0:
		return "paid " + in.PaidOn.String()
	case open == 0 && in.Principal+in.Interest == 0:
		return "nothing due"
	case open == 0 && in.WaivedPrincipal+in.WaivedInterest+in.WaivedPenalty > 0:
		return "waived"
	case open == 0:
		return "paid"
	case in.DueDate.Before(asOf):
		return "overdue " + strconv.Itoa(asOf.Sub(in.DueDate)) + "d"
	case in.DueDate == asOf:
		return "due today"
	}
	return ""
}

// PDHorizon names the horizon of a snapshot's PD: 12 months in IFRS 9
// stage 1, the remaining life in stage 2, and certain in stage 3.
func PDHorizon(stage int) string {
	switch stage {
	case 1:
		return "12-month"
	case 2:
		return "lifetime"
	}
	return "credit-impaired"
}

// Reasons returns the reason codes of a score (comma-separated, worst
// first) as sentences in lang (zh-CN or en).
func Reasons(codes, lang string) []string {
	if codes == "" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(codes, ",") {
		out = append(out, behaviour.ReasonText(c, lang))
	}
	return out
}
