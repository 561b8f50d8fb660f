package api

import (
	"net/http"
	"strconv"

	"daihou"
	"daihou/classification"
	"daihou/inputtext"
	"daihou/servicing"
	"daihou/store"
)

// LoanPage is one page of a loan list.
type LoanPage struct {
	Loans []store.LoanRow `json:"loans"`
	// NextCursor, when not empty, fetches the next page (?cursor=…).
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListLoans answers GET /api/v1/loans: the loans the actor may read, in id
// order, filtered by status, class, product, branch and DPD range, a page
// at a time.
func (a *API) ListLoans(w http.ResponseWriter, r *http.Request) {
	f, err := loanFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, more, err := a.DB.ListLoans(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page := LoanPage{Loans: rows}
	if page.Loans == nil {
		page.Loans = []store.LoanRow{}
	}
	if more {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, page)
}

func loanFilter(r *http.Request) (store.LoanFilter, error) {
	q := r.URL.Query()
	f := store.LoanFilter{Product: q.Get("product"), Branch: q.Get("branch")}
	if len(f.Product) > 32 || len(f.Branch) > 64 {
		return f, daihou.Invalid("product", "product and branch: at most 32 and 64 characters")
	}
	if s := q.Get("status"); s != "" {
		f.Status = servicing.Status(s)
		switch f.Status {
		case servicing.StatusActive, servicing.StatusSettled, servicing.StatusWrittenOff:
		default:
			return f, daihou.Invalid("status", "status: want active, settled or written-off, not %q", inputtext.Clip(s, 32))
		}
	}
	if s := q.Get("class"); s != "" {
		c, err := classification.Parse(s)
		if err != nil {
			return f, daihou.Invalid("class", "class: want normal, special-mention, substandard, doubtful or loss (or 正常, 关注, 次级, 可疑, 损失), not %q", inputtext.Clip(s, 32))
		}
		f.Class = c
	}
	var err error
	var v int64
	if v, err = queryInt(r, "min_dpd", 0, 0, 100000); err != nil {
		return f, err
	}
	f.MinDPD = int(v)
	if v, err = queryInt(r, "max_dpd", 0, 0, 100000); err != nil {
		return f, err
	}
	f.MaxDPD = int(v)
	if v, err = queryInt(r, "limit", 100, 1, 1000); err != nil {
		return f, err
	}
	f.Limit = int(v)
	if f.After, err = queryInt(r, "cursor", 0, 0, 1<<62); err != nil {
		return f, daihou.Invalid("cursor", "cursor: pass back the next_cursor of the previous page")
	}
	return f, nil
}
