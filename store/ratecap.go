package store

import (
	"context"
	"slices"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/compliance"
	"daihou/config"
	"daihou/money"
	"daihou/schedule"
)

// The book against the legal rate cap (compliance.CheckCap). A book can
// hold ten million loans and a handful of offenders, so the query does
// the comparisons SQL can do exactly and returns only the loans that fail
// one of them, or whose fees might lift their cost over the cap:
//
//   - the rate: the contract rate, or a restructuring's new rate when
//     higher (loans.rate and transactions.new_rate, integers in 1e-10),
//     above the cap;
//   - the penalty: the product's penalty_rate above the cap, or, when the
//     product sets none, 1.5 × the rate above it — rounded half-up as
//     servicing rounds it, which for integers is 3 × rate > 2 × cap;
//   - the fees, net of those waived: the cost adds fees × 365 ÷ the
//     principal-days the schedule lends, and those are at least
//     compliance.MinPrincipalDaysPerMonth × principal × term. A loan whose
//     fees do not reach (cap − rate) × principal × term × 14 ÷ (365 × 1e10)
//     cannot be over; the query computes that bound in 64-bit integers,
//     dividing early (by 1e7, then by 26,072 ≥ 365e10 ÷ 14 ÷ 1e7) so that
//     it rounds down, passing a few more loans than it must and none
//     fewer, and never overflows (rate, cap ≤ 1e11, term ≤ 480,
//     principal ≤ 1e12).
//
// Each loan returned is then checked exactly, its schedule laid out when
// it has fees; the report keeps the first limit offenders and counts all.
// The fees and restructurings come from one pass over the transactions of
// those kinds, aggregated per loan.

// RateCapLoan is a loan whose terms exceed the legal cap.
type RateCapLoan struct {
	ID      int64
	Number  string
	Product string
	// Fees is what the loan has been charged in fees, net of waivers.
	Fees money.Amount
	// Check is the loan's rates against the cap and what exceeds it.
	Check compliance.CapCheck
}

// RateCapProduct counts one product's loans over the cap: all of them,
// and those whose interest, penalty or all-in cost is over (a loan may
// count under more than one).
type RateCapProduct struct {
	Product  string
	Loans    int
	Interest int
	Penalty  int
	Cost     int
}

// RateCapReport is the book, as its ledger stands, against the legal
// cap.
type RateCapReport struct {
	// Cap is the cap held against: rate.cap-multiple × rate.lpr.
	Cap compliance.Cap
	// Loans are the first offenders by loan id, at most the limit asked.
	Loans []RateCapLoan
	// Total counts every offender, listed or not.
	Total int
	// Products counts the offenders by product, in product order.
	Products []RateCapProduct
}

// MaxRateCapLimit is the most loans RateCapReport lists.
const MaxRateCapLimit = 10_000

// RateCapReport holds the loans the actor in ctx may report on against the
// configured legal cap (config.LPR × config.CapMultiple): it lists the
// first limit (0 to MaxRateCapLimit) whose contract rate, penalty rate or
// all-in annual cost exceeds the cap and counts them all by product. The
// actor must be allowed to read reports (EUNAUTHORIZED); a limit out of
// range is EINVALID.
func (db *DB) RateCapReport(ctx context.Context, limit int) (RateCapReport, error) {
	var rep RateCapReport
	actor := auth.FromContext(ctx)
	if err := auth.Can(actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return rep, err
	}
	if limit < 0 || limit > MaxRateCapLimit {
		return rep, daihou.Invalid("limit", "limit: want 0 to %d, not %d", MaxRateCapLimit, limit)
	}
	limitCap, err := rateCap(ctx, db.read)
	if err != nil {
		return rep, err
	}
	rep.Cap = limitCap
	c := int64(limitCap.Rate())
	scope, args := scopeWhere(auth.ScopeFor(actor, auth.ReadReport))
	args = append(args, c, c, 2*c, c)
	rows, err := db.read.QueryContext(ctx, `SELECT id, external_id, product, contract_rate, rate, penalty_rate, principal, term, method, disbursed, fees FROM (
	SELECT l.id, l.external_id, l.product, l.rate AS contract_rate,
		CASE WHEN x.top_rate > l.rate THEN x.top_rate ELSE l.rate END AS rate,
		p.penalty_rate, l.principal, l.term, l.method, l.disbursed, COALESCE(x.fees, 0) AS fees
	FROM loans l
	JOIN products p ON p.code = l.product
	LEFT JOIN (
		SELECT loan_id,
			CAST(SUM(CASE WHEN kind = 'fee' THEN amount WHEN kind = 'waiver' AND component = 'fee' THEN -amount ELSE 0 END) AS BIGINT) AS fees,
			MAX(CASE WHEN kind = 'restructure' THEN new_rate ELSE 0 END) AS top_rate
		FROM transactions WHERE kind IN ('fee', 'waiver', 'restructure') GROUP BY loan_id
	) x ON x.loan_id = l.id
	WHERE `+scope+`
) t
WHERE rate > ? OR penalty_rate > ? OR (penalty_rate = 0 AND 3 * rate > ?)
	OR (fees > 0 AND fees > (? - rate) * term / 10000000 * principal / 26072)
ORDER BY id`, args...)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	products := map[string]*RateCapProduct{}
	for rows.Next() {
		var l RateCapLoan
		var contract, rate, penalty, principal, disbursed, fees int64
		var term int
		var method string
		if err := rows.Scan(&l.ID, &l.Number, &l.Product, &contract, &rate, &penalty, &principal, &term, &method, &disbursed, &fees); err != nil {
			return rep, err
		}
		terms := compliance.LoanTerms{Rate: money.Rate(rate), PenaltyRate: money.Rate(penalty), FeesFen: max(fees, 0)}
		if terms.FeesFen > 0 {
			// The fees are annualised over the contract's own schedule.
			terms.PrincipalDays, _, err = compliance.CostBase(schedule.Terms{Principal: money.Amount(principal), Rate: money.Rate(contract),
				Term: term, Method: schedule.Method(method), Start: civil.Date(disbursed)})
			if err != nil {
				return rep, daihou.Errorf(daihou.EINTERNAL, "loan %s: %w", l.Number, err)
			}
		}
		if l.Check, err = compliance.CheckCap(terms, limitCap); err != nil {
			return rep, daihou.Errorf(daihou.EINTERNAL, "loan %s: %w", l.Number, err)
		}
		if l.Check.Within() {
			continue // its fees came near the cap, not over it
		}
		l.Fees = money.Amount(terms.FeesFen)
		rep.Total++
		p := products[l.Product]
		if p == nil {
			p = &RateCapProduct{Product: l.Product}
			products[l.Product] = p
		}
		p.Loans++
		for _, e := range l.Check.Over {
			switch e.What {
			case compliance.OverInterest:
				p.Interest++
			case compliance.OverPenalty:
				p.Penalty++
			case compliance.OverCost:
				p.Cost++
			}
		}
		if len(rep.Loans) < limit {
			rep.Loans = append(rep.Loans, l)
		}
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	for _, p := range products {
		rep.Products = append(rep.Products, *p)
	}
	slices.SortFunc(rep.Products, func(a, b RateCapProduct) int { return strings.Compare(a.Product, b.Product) })
	return rep, nil
}

// rateCap returns the book's legal rate cap: config.CapMultiple times
// config.LPR.
func rateCap(ctx context.Context, q querier) (compliance.Cap, error) {
	lpr, err := option(ctx, q, config.LPR)
	if err != nil {
		return compliance.Cap{}, err
	}
	n, err := option(ctx, q, config.CapMultiple)
	if err != nil {
		return compliance.Cap{}, err
	}
	c, err := config.RateCap(lpr, n)
	if err != nil {
		return compliance.Cap{}, daihou.Errorf(daihou.EINVALID, "the configured cap: %w; correct it with 'daihou config set'", err)
	}
	return c, nil
}
