// Package collection is the half of the post-loan loop that acts (分类处置
// / 催收): SOP timelines (SOP 时间线) that turn dates into tasks — the phone
// revisit (电话回访) on day 30, the credit-report comparison (征信比对) on
// day 60, the start of preliminary collection on day 90, periodic post-loan
// inspections (贷后检查) that come more often as risk rises; collection
// strategies that segment the loans past due and give each segment an
// ordered plan of actions — the two-track "AI + 人工" default sends
// low-risk loans to automated channels (SMS, AI voice) and high-risk ones,
// or those the AI voice found unwilling to pay, to people — with a
// champion and a challenger arm split by a stable hash of the loan; tasks
// and their assignment (by dedicated officer, 贷后管家; by capacity-weighted
// hashing; by skill and region); promises to pay (承诺还款) settled in the
// order they were made; and collection episodes, from the first day past
// due to the cure, settlement or write-off that ends them.
//
// Everything here is pure: close of business (package eod) reads a chunk
// of loans, calls Plan and Settle, and the store commits what they return.
// Conditions are CEL over the warning variables (warning.Vars), so a SOP
// step, a strategy segment and a warning rule read the loan the same way.
package collection
