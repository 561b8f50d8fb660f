// Package schedule computes repayment schedules (还款计划) for the four
// repayment methods daihou supports: 等额本息 equal installment (annuity),
// 等额本金 equal principal, 先息后本 interest-only with principal at
// maturity, and 到期一次还本付息 bullet.
//
// A schedule is a pure function of the loan's terms. Interest per monthly
// period is the opening balance × annual rate / 12 (the Chinese bank
// convention), rounded half-up to the fen once per installment; a bullet's
// is principal × rate × term / 12, rounded once. A schedule has exactly
// Term installments (a bullet one), however small the loan: the regular
// principal part is min(round(P/n), floor(P/(n−1))) so that no earlier
// installment exhausts the balance, and the last installment absorbs every
// rounding remainder so that the principal parts sum exactly to the
// principal. Terms are refused above MaxPrincipal, MaxRate and MaxTerm,
// ceilings chosen so that the ledger's exact penalty arithmetic cannot
// overflow (see MaxPrincipal).
package schedule
