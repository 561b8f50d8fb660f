package api

import (
	"net/http"

	"daihou"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/loanview"
)

// view builds the view of the loan in the path ({id}: a loan id or the
// lender's loan number) as of ?as_of (default the business date), masked
// for the actor; a loan outside the actor's scope is not found.
func (a *API) view(r *http.Request) (*loanview.View, error) {
	var asOf civil.Date
	if s := r.URL.Query().Get("as_of"); s != "" {
		d, err := civil.Parse(s)
		if err != nil {
			return nil, daihou.Invalid("as_of", "as_of: want a date YYYY-MM-DD, not %q", inputtext.Clip(s, 32))
		}
		asOf = d
	}
	return loanview.Build(r.Context(), a.DB, r.PathValue("id"), asOf)
}

// GetLoan answers GET /api/v1/loans/{id}: the loan's contract, borrower
// (masked), state, payoff amount, schedule, transactions, and class and
// score history.
func (a *API) GetLoan(w http.ResponseWriter, r *http.Request) {
	v, err := a.view(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Lists are [] rather than null, as the document says.
	v.Installments, v.Transactions, v.Allocations = nonNil(v.Installments), nonNil(v.Transactions), nonNil(v.Allocations)
	v.ClassHistory, v.Scores = nonNil(v.ClassHistory), nonNil(v.Scores)
	writeJSON(w, http.StatusOK, v)
}

// GetSchedule answers GET /api/v1/loans/{id}/schedule.
func (a *API) GetSchedule(w http.ResponseWriter, r *http.Request) {
	v, err := a.view(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if v.Installments == nil {
		v.Installments = []loanview.Installment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"loan_id": v.Loan.ID, "as_of": v.AsOf, "installments": v.Installments})
}

// GetTransactions answers GET /api/v1/loans/{id}/transactions: the
// loan's ledger with what each transaction applied.
func (a *API) GetTransactions(w http.ResponseWriter, r *http.Request) {
	v, err := a.view(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"loan_id": v.Loan.ID, "transactions": nonNil(v.Transactions), "allocations": nonNil(v.Allocations)})
}

// GetHistory answers GET /api/v1/loans/{id}/history: the state now, and
// the class and score history with their causes.
func (a *API) GetHistory(w http.ResponseWriter, r *http.Request) {
	v, err := a.view(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"loan_id": v.Loan.ID, "state": v.State, "class_history": nonNil(v.ClassHistory), "score_history": nonNil(v.Scores)})
}

// nonNil gives an empty list rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
