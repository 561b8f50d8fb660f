// Package portfolio trains the behaviour score (行为评分卡 B-card) on the
// lender's own servicing ledger (贷后台账): every loan active and under 90
// days past due on an observation date, its behaviour features then — the
// ledger's, and what the data sources had said about its borrower by that
// date (外部数据: bureau 征信, courts, social security 社保, bank statements
// 银行流水 …) — and whether it reached 90+ DPD (or was written off, 核销)
// within a horizon after it. It fits the model through the generic
// trainer, measures it out of time (跨时间验证) on a later observation date
// when asked — with and without the signal features, so the lender sees
// what its data sources add — and registers it, as the champion (冠军模型)
// if asked.
//
// It is plain Go: the ledger, the signals and the model registry come in
// through the small Store interface declared here, which the SQL store
// satisfies through a thin adapter, so the command line and the web
// console train the same way.
package portfolio
