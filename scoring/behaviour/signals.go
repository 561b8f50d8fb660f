package behaviour

import (
	"strconv"

	"daihou/signal"
)

// SignalNames are the external-signal feature columns, in order: what the
// credit bureau (征信), the courts, social security (社保), bank statements
// (银行流水), utilities, tax and business registration said about the
// borrower as of the observation date (signal.Summarise). Amounts are in
// thousands of yuan, like principal_k.
var SignalNames = []string{
	"inquiries_1m", "inquiries_3m", "inquiries_6m",
	"open_loans_elsewhere", "balance_elsewhere_k", "overdue_elsewhere_k",
	"court_cases", "court_new_3m", "dishonest",
	"social_gap_months",
	"inflow_drop_pct", "salary_months_6m",
	"utility_arrears_k", "tax_arrears_k", "business_anomaly",
}

// AllNames are Names followed by SignalNames: the columns of a row that is
// Row followed by SignalRow, the portfolio training table's features.
var AllNames = append(append([]string(nil), Names...), SignalNames...)

// na is a missing value: the scorecard gives it a bin of its own, the
// trees their missing branch. A source that has not reported on the
// borrower is not the same as one that reported nothing wrong.
const na = "NA"

// SignalRow returns the external-signal features of facts f, aligned with
// SignalNames; f nil means nothing is known about the borrower. A feature
// is "NA" when its source has not reported on the borrower:
//
//   - nil facts, or facts of a borrower no source has reported on
//     (f.Any false): every feature;
//   - the bureau features unless the bureau reports (BureauKnown);
//   - social_gap_months unless social security reports (SocialKnown);
//   - the statement features unless statements report (StatementKnown),
//     and inflow_drop_pct also when there is no earlier inflow to compare
//     with.
//
// Court, utility, tax and business-registration facts are lists a
// borrower is on or not (a case, arrears, an anomaly); for a borrower some
// source has reported on, not being on them reads 0.
func SignalRow(f *signal.Facts) []string {
	row := make([]string, len(SignalNames))
	if f == nil || !f.Any {
		for i := range row {
			row[i] = na
		}
		return row
	}
	bureau := f.BureauKnown
	count := func(known bool, v int64) string {
		if !known {
			return na
		}
		return strconv.FormatInt(v, 10)
	}
	thousands := func(known bool, fen int64) string {
		if !known {
			return na
		}
		return strconv.FormatFloat(float64(fen)/100_000, 'f', 2, 64)
	}
	drop := na
	if f.StatementKnown && f.InflowPrev3M > 0 {
		drop = strconv.FormatInt(f.InflowDrop(), 10)
	}
	return append(row[:0],
		count(bureau, f.Inquiries1M),
		count(bureau, f.Inquiries3M),
		count(bureau, f.Inquiries6M),
		count(bureau, f.OpenLoans),
		thousands(bureau, f.BalanceElsewhere),
		thousands(bureau, f.OverdueElsewhere),
		count(true, f.CourtCases),
		count(true, f.CourtNew3M),
		boolText(f.Dishonest),
		count(f.SocialKnown, f.SocialGap),
		drop,
		count(f.StatementKnown, f.SalaryMonths),
		thousands(true, f.Arrears),
		thousands(true, f.TaxArrears),
		boolText(f.BusinessAnomaly),
	)
}
