// Package eod is the domain of close of business (日终批处理, "EOD"): which
// loans a business day can change, what each loan contributes to the daily
// portfolio aggregates, and how those aggregates move. It does no I/O; the
// store runs the batch (chunked, check-pointed, resumable) on top of it.
//
// Incremental by design. A loan's cached snapshot (loanstate.Snapshot) can
// change from one business date to the next without any new event only when
// Volatile says so: an installment falls due, it is overdue (penalty 罚息
// accrues, DPD grows), it is written off (核销; DPD keeps counting), or it
// is a restructured loan (重组) whose observation period can end. Every other
// loan keeps its snapshot, whose as_of then stays at the date it was last
// derived: a snapshot is valid through the business date, and
// loanstate.Derive as of the business date equals it in every field but
// AsOf. Loans with new events (payments, reversals, approvals) are marked by
// database triggers and processed as well.
//
// Aggregates are maintained by difference. Each loan's Record is what the
// last close of business counted for it; when a loan is re-derived, its old
// Record is subtracted from the day's cells and its new one added, so a day
// costs in proportion to the loans it touches, not to the book. The cells:
//
//   - portfolio: count, outstanding principal, overdue, ECL, written off and
//     recovered by product × branch × status × bucket × five-tier class
//     (五级分类) × IFRS 9 stage;
//   - roll (迁徙率, flow): loans active at the previous month end by their
//     state then and now, so the cells on a month end are that month's roll
//     matrix and in between they are the month to date;
//   - vintage (账龄分析): per product and disbursement month, loans ever and
//     currently 30+ and 90+ days past due, read on month ends as curves by
//     months on book.
//
// ECL (expected credit loss 预期信用损失) = PD × LGD × EAD with the product's
// LGD and a placeholder PD by stage and bucket (see PD) until the behaviour
// score supplies calibrated PDs.
package eod
