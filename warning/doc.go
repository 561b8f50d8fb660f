// Package warning is early warning (风险预警): rules that are data, not
// code, evaluated by close of business over every awake loan, the life
// cycle of the warnings they raise, and the numbers a rule set is judged by.
//
// A Rule is a CEL expression (cel.dev/cel-go) over flat, typed variables —
// loan state, behaviour score and the borrower's signals (Vars lists them
// all) — with a severity (红 red, 橙 orange, 黄 yellow), a cooldown in days,
// the role that handles it and a version. Compile checks an expression once
// (a bad one is refused with its line:column and reason, and the names it
// uses that are not variables); a Set of compiled rules then decides for
// one loan at a time, fast enough for ten million loans a night: values are
// read lazily from the loan into a per-evaluation array, never a map.
//
// Set.Decide is the whole of close of business's decision for a loan: the
// rules that are true, less those with a warning still open
// (de-duplication, 去重) and those within their cooldown (冷却期) of the
// last warning raised, and the date the loan must be looked at again for a
// rule held by a cooldown. It is pure; the store keeps the warnings and
// their Past.
//
// A rule set is judged by numbers (Judge): the early-identification rate
// (提前识别率: the share of loans that went 90+ days past due, or 次级
// substandard or worse, with a warning at least 30 days before), the hit
// rate (命中率: the share of warned loans that went bad within 90 days), the
// volume, and the same numbers for warnings put on random loans (Random),
// the baseline a rule must beat. Backtest replays history — state as of any
// date is a replay, signals are dated — to give a draft rule's warnings as
// close of business would have raised them.
package warning
