// Package servicing is the servicing ledger's arithmetic (贷后台账): products,
// loans, the append-only transactions posted against them, and the
// derivation of a loan's state as of any date by replaying those
// transactions over its schedule.
//
// Nothing here does I/O. The store persists loans and transactions and
// caches the derived State; the cache is only ever a copy of Replay's
// answer, so a back-dated payment (value date in the past) or a reversal
// re-derives penalty interest (罚息), days past due (DPD), bucket and
// everything downstream simply by replaying again.
//
// The rules Replay applies, day by day, are these.
//
// Penalty interest accrues on each installment's overdue principal and,
// when the product says so, compound interest (复利) on its overdue
// interest, both at the penalty rate (the product's, or the contract rate ×
// 1.5) and the product's day count. A day counts on what was overdue at
// the end of the day before, so a payment on the due date owes none. Each
// is kept exactly as fen-days and rounded once when read, so the amount
// owed never depends on how many events split the period; they are two
// charges, shown and paid apart. The grace period (宽限期) never changes
// DPD. Under GraceAfter penalty accrues only for the days after due +
// GraceDays; under GraceFromDue an installment whose principal and
// interest are paid by the end of due + GraceDays owes none, and one still
// unpaid then owes it from the due date.
//
// A repayment is allocated by the product's waterfall (penalty, then
// compound interest, of each installment at the penalty step), oldest
// installment first, over what is due on its value date. A payment that
// with the credit held covers the payoff — all unpaid principal, interest
// due, interest accrued since the last due date on principal not yet due,
// penalty, compound interest and fees — settles the loan that day
// (提前结清), whatever the prepayment rule, and the excess is credit.
// Otherwise what is left after the waterfall is held as credit or, under a
// reduce rule, prepays principal: the largest x whose interest to date
// round(x × rate × days / basis) — days since the last due date, or the
// schedule's start, capped at what the period's installment would charge
// on x — fits in what is left; the rest of the schedule is re-laid on the
// reduced balance by the method and term in force, each installment
// charging its whole period. Credit is applied on each due date, and when
// a fee is charged, and settles the loan when it covers the payoff.
//
// A waiver (减免) forgives what is due on or before its value date, one
// component at a time. A restructuring (重组) capitalises principal,
// interest due, penalty and compound interest into a new schedule from its
// value date, whose method, term and rate then govern every re-laying; the
// ledger records the restructuring's date, the DPD the day before, the new
// first two due dates and, from then on, the loan's delinquency spells, for
// classification's observation period. A write-off (核销) applies credit
// first, then writes off fees, penalty, compound interest, interest due and
// all principal; DPD keeps counting from the oldest installment unpaid.
// State.Applied says what each transaction applied, which the store keeps
// on its row, and Check refuses an amount a transaction would not use.
package servicing
