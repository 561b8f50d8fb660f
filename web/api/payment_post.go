package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"daihou"
	"daihou/civil"
	"daihou/inputtext"
	"daihou/loanview"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
)

// PaymentRequest is the body of a repayment. Amounts are decimal strings
// in major units, as every answer gives them: "1066.19".
type PaymentRequest struct {
	Amount    string `json:"amount"`
	ValueDate string `json:"value_date,omitempty"` // YYYY-MM-DD; default the business date
	Channel   string `json:"channel,omitempty"`
}

// PostPayment answers POST /api/v1/loans/{id}/payments: one repayment,
// whose Idempotency-Key header is its reference. A first posting answers
// 201; the same payment again answers 200 with the stored transaction and
// posts nothing; the key reused for a different payment answers 409.
func (a *API) PostPayment(w http.ResponseWriter, r *http.Request) {
	var req PaymentRequest
	key, err := decodePosting(r, &req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	amount, err := ParseAmount(req.Amount)
	if err != nil {
		a.fail(w, r, daihou.Invalid("amount", "%v", err))
		return
	}
	if err := CheckChannel(req.Channel); err != nil {
		a.fail(w, r, err)
		return
	}
	t := servicing.Tx{Kind: servicing.Repayment, Amount: amount, Channel: req.Channel, Reference: key}
	a.post(w, r, t, req.ValueDate)
}

// MaxAmount bounds an amount sent over the API or typed in the console: a
// trillion yuan.
const MaxAmount = money.Amount(1e14)

// ParseAmount reads an amount: a decimal string in major units with at
// most two decimals, positive and at most MaxAmount.
func ParseAmount(s string) (money.Amount, error) {
	a, err := money.ParseAmount(s)
	if err != nil || a <= 0 || a > MaxAmount {
		return 0, fmt.Errorf("amount: want a positive decimal string in yuan with at most two decimals, e.g. \"1066.19\", up to %s; not %q", MaxAmount, inputtext.Clip(s, 32))
	}
	return a, nil
}

// post posts t to the loan in the path, valued on valueDate (default the
// business date, which the posting reads in its transaction), and answers
// it.
func (a *API) post(w http.ResponseWriter, r *http.Request, t servicing.Tx, valueDate string) {
	ctx := r.Context()
	ref := r.PathValue("id")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		// The posting checks the actor's scope itself, in its own
		// transaction: a loan outside it is not found, like one that
		// does not exist.
		t.LoanID = id
	} else {
		l, err := loanview.Find(ctx, a.DB, ref)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		t.LoanID = l.ID
	}
	if valueDate != "" {
		var err error
		if t.ValueDate, err = civil.Parse(valueDate); err != nil {
			a.fail(w, r, daihou.Invalid("value_date", "value_date: want a date YYYY-MM-DD, not %q", inputtext.Clip(valueDate, 32)))
			return
		}
	}
	posted, dup, err := a.DB.PostShared(ctx, t)
	if errors.Is(err, store.ErrLoanNotFound) {
		err = loanview.NotFound(ref) // as every loan route says it
	}
	if err != nil {
		a.count(t.Kind, "rejected", 1)
		a.fail(w, r, err)
		return
	}
	if dup {
		a.count(t.Kind, "duplicate", 1)
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, http.StatusOK, posted)
		return
	}
	a.count(t.Kind, "posted", 1)
	writeJSON(w, http.StatusCreated, posted)
}

func (a *API) count(kind servicing.TxKind, outcome string, n int) {
	if a.Posted != nil && n > 0 {
		a.Posted(string(kind), outcome, n)
	}
}

// decodePosting reads a posting's body into v and returns its
// Idempotency-Key.
func decodePosting(r *http.Request, v any) (string, error) {
	key, err := idempotencyKey(r)
	if err != nil {
		return "", err
	}
	return key, decode(r, v)
}

// idempotencyKey returns the request's Idempotency-Key: required, 1 to 64
// printable characters without spaces. It becomes the transaction's
// reference, the ledger's idempotency key.
func idempotencyKey(r *http.Request) (string, error) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		return "", daihou.Invalid("Idempotency-Key", "the Idempotency-Key header is required: a unique key per payment (e.g. the bank's transaction number), so that a retried request posts once")
	}
	if !SaneReference(k) {
		return "", daihou.Invalid("Idempotency-Key", "Idempotency-Key: want 1 to 64 printable ASCII characters without spaces")
	}
	return k, nil
}

// SaneReference reports whether k may be a posting's reference, the
// ledger's idempotency key: 1 to 64 printable ASCII characters without
// spaces.
func SaneReference(k string) bool {
	return k != "" && len(k) <= 64 && strings.IndexFunc(k, func(c rune) bool { return c > unicode.MaxASCII || !unicode.IsPrint(c) || c == ' ' }) < 0
}

// CheckChannel bounds a payment channel's name.
func CheckChannel(c string) error {
	if len(c) > 32 || strings.IndexFunc(c, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return daihou.Invalid("channel", "channel: at most 32 printable characters")
	}
	return nil
}
