package api

import (
	"net/http"
	"strconv"

	"daihou"
	"daihou/auth"
	"daihou/inputtext"
	"daihou/money"
	"daihou/store"
)

// RateCap is the legal cap a report held the book against: multiple ×
// the one-year LPR.
type RateCap struct {
	Rate     money.Rate `json:"rate"`
	LPR      money.Rate `json:"lpr"`
	Multiple int64      `json:"multiple"`
}

// RateCapExcess is one of a loan's rates above the cap: interest,
// penalty or cost, its value and by how much.
type RateCapExcess struct {
	What string     `json:"what"`
	Rate money.Rate `json:"rate"`
	By   money.Rate `json:"by"`
}

// RateCapLoan is a loan over the cap as JSON shows it.
type RateCapLoan struct {
	ID          int64           `json:"id"`
	Number      string          `json:"number"`
	Product     string          `json:"product"`
	Rate        money.Rate      `json:"rate"`
	PenaltyRate money.Rate      `json:"penalty_rate"`
	AnnualCost  money.Rate      `json:"annual_cost"`
	Fees        money.Amount    `json:"fees"`
	Over        []RateCapExcess `json:"over"`
}

// RateCapProduct counts a product's loans over the cap, and those over
// it by their interest, penalty and all-in cost.
type RateCapProduct struct {
	Product  string `json:"product"`
	Loans    int    `json:"loans"`
	Interest int    `json:"interest"`
	Penalty  int    `json:"penalty"`
	Cost     int    `json:"cost"`
}

// RateCapReport is the book against the legal cap as JSON shows it.
type RateCapReport struct {
	Cap      RateCap          `json:"cap"`
	Loans    []RateCapLoan    `json:"loans"`
	Total    int              `json:"total"`
	Products []RateCapProduct `json:"products"`
}

// RateCapReportOf returns r as JSON shows it.
func RateCapReportOf(r store.RateCapReport) RateCapReport {
	out := RateCapReport{
		Cap:      RateCap{Rate: r.Cap.Rate(), LPR: r.Cap.LPR, Multiple: r.Cap.Multiple},
		Loans:    make([]RateCapLoan, len(r.Loans)),
		Total:    r.Total,
		Products: make([]RateCapProduct, len(r.Products)),
	}
	for i, l := range r.Loans {
		c := l.Check
		over := make([]RateCapExcess, len(c.Over))
		for j, e := range c.Over {
			over[j] = RateCapExcess{What: e.What, Rate: e.Rate, By: e.By}
		}
		out.Loans[i] = RateCapLoan{ID: l.ID, Number: l.Number, Product: l.Product, Rate: c.Rate, PenaltyRate: c.Penalty, AnnualCost: c.Cost, Fees: l.Fees, Over: over}
	}
	for i, p := range r.Products {
		out.Products[i] = RateCapProduct(p)
	}
	return out
}

// DefaultRateCapLimit is how many loans the rate-cap report lists when
// the request names no limit.
const DefaultRateCapLimit = 100

// GetRateCapReport answers GET /api/v1/reports/rate-cap?limit=N (risk
// officer, manager, auditor): the loans whose contract rate, penalty rate
// (罚息) or all-in annual cost (综合年化成本) exceeds the legal cap
// (民间借贷利率上限, rate.cap-multiple × the one-year LPR rate.lpr), the
// first N by id with what exceeds and by how much, and the count of them
// all by product.
func (a *API) GetRateCapReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := can(ctx, auth.ReadReport, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	limit := DefaultRateCapLimit
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > store.MaxRateCapLimit {
			a.fail(w, r, daihou.Invalid("limit", "limit: want 0 to %d, not %q", store.MaxRateCapLimit, inputtext.Clip(s, 32)))
			return
		}
		limit = n
	}
	rep, err := a.DB.RateCapReport(ctx, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RateCapReportOf(rep))
}
