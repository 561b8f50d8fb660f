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
// Penalty interest accrues day by day on overdue principal at the product's
// penalty rate, and compound interest (复利) on overdue interest when the
// product says so, after a grace period (宽限期). Accrual is kept exactly as
// fen-days and rounded once when it is read, so the amount owed never
// depends on how many events split the period.
package servicing
