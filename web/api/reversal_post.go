package api

import (
	"net/http"

	"daihou"
	"daihou/servicing"
)

// ReversalRequest is the body of a reversal.
type ReversalRequest struct {
	// Reverses is the seq of the repayment or recovery to reverse.
	Reverses  int64  `json:"reverses"`
	ValueDate string `json:"value_date,omitempty"`
}

// PostReversal answers POST /api/v1/loans/{id}/reversals: reverses one
// repayment or recovery of the loan, once per Idempotency-Key.
func (a *API) PostReversal(w http.ResponseWriter, r *http.Request) {
	var req ReversalRequest
	key, err := decodePosting(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Reverses <= 0 {
		a.fail(w, r, daihou.Invalid("reverses", "reverses: want the seq (a positive number) of the repayment or recovery to reverse; see GET /api/v1/loans/{id}/transactions"))
		return
	}
	a.post(w, r, servicing.Tx{Kind: servicing.Reversal, Reverses: req.Reverses, Reference: key}, req.ValueDate)
}
