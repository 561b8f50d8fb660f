package api

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/servicing"
	"daihou/store"
)

// BulkPayment is one repayment of a bulk request.
type BulkPayment struct {
	Loan      string `json:"loan"` // the lender's loan number
	ValueDate string `json:"value_date"`
	Amount    string `json:"amount"` // decimal in major units: "1066.19"
	Reference string `json:"reference"`
	Channel   string `json:"channel,omitempty"`
}

// BulkRequest is the body of a bulk posting.
type BulkRequest struct {
	// Name names the batch in the audit trail (e.g. the file it came from).
	Name     string        `json:"name,omitempty"`
	Payments []BulkPayment `json:"payments"`
}

// BulkRejected is a payment of a bulk request that was not posted.
type BulkRejected struct {
	Index  int    `json:"index"` // 0-based, in the request's list
	Reason string `json:"reason"`
}

// BulkResult is what a bulk posting did.
type BulkResult struct {
	Posted     int            `json:"posted"`
	Duplicates int            `json:"duplicates"`
	Rejected   []BulkRejected `json:"rejected"`
}

// maxBulk bounds the payments of one bulk request.
const maxBulk = 100000

// PostPayments answers POST /api/v1/payments/bulk: many repayments, each
// with its own reference (its idempotency key), posted like an import —
// each bad payment rejected with its index and reason, every good one
// posted, re-delivery posting nothing twice — and recorded in the audit
// trail as one batch with the SHA-256 of the body.
func (a *API) PostPayments(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req BulkRequest
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.Payments) == 0 || len(req.Payments) > maxBulk {
		a.fail(w, r, daihou.Invalid("payments", "payments: want 1 to %d payments, not %d", maxBulk, len(req.Payments)))
		return
	}
	if len(req.Name) > 200 {
		a.fail(w, r, daihou.Invalid("name", "name: at most 200 bytes"))
		return
	}
	res := BulkResult{Rejected: []BulkRejected{}}
	var pays []store.Payment
	for i, p := range req.Payments {
		sp, err := bulkPayment(p)
		if err != nil {
			res.Rejected = append(res.Rejected, BulkRejected{i, err.Error()})
			continue
		}
		sp.Line = i + 1 // Line is 1-based; the answer gives the 0-based index
		pays = append(pays, sp)
	}
	name := req.Name
	if name == "" {
		name = "api bulk payments"
	}
	src := store.Source{Name: name, Digest: audit.Hash(sha256.Sum256(body)), Rows: len(req.Payments), Rejected: len(res.Rejected)}
	got, err := a.DB.ImportPayments(r.Context(), src, pays, nil)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res.Posted, res.Duplicates = got.Posted, got.Duplicates
	for _, rj := range got.Rejects {
		res.Rejected = append(res.Rejected, BulkRejected{rj.Line - 1, rj.Reason})
	}
	a.count(servicing.Repayment, "posted", got.Posted)
	a.count(servicing.Repayment, "duplicate", got.Duplicates)
	a.count(servicing.Repayment, "rejected", len(res.Rejected))
	writeJSON(w, http.StatusOK, res)
}

// bulkPayment checks one payment of a bulk request.
func bulkPayment(p BulkPayment) (store.Payment, error) {
	var out store.Payment
	var errs []string
	if p.Loan == "" || len(p.Loan) > 64 {
		errs = append(errs, "loan: want the loan number (1 to 64 characters)")
	}
	d, err := civil.Parse(p.ValueDate)
	if err != nil {
		errs = append(errs, fmt.Sprintf("value_date: want YYYY-MM-DD, not %q", inputtext.Clip(p.ValueDate, 32)))
	}
	amount, err := ParseAmount(p.Amount)
	if err != nil {
		errs = append(errs, err.Error())
	}
	if p.Reference == "" || len(p.Reference) > 64 {
		errs = append(errs, "reference: want the payment's unique reference (1 to 64 characters)")
	}
	if err := CheckChannel(p.Channel); err != nil {
		errs = append(errs, daihou.ErrorMessage(err))
	}
	if len(errs) > 0 {
		return out, errors.New(strings.Join(errs, "; "))
	}
	return store.Payment{LoanRef: p.Loan, ValueDate: d, Amount: amount, Channel: p.Channel, Reference: p.Reference}, nil
}
