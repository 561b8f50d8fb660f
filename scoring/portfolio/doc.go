// Package portfolio trains the behaviour score (行为评分卡 B-card) on the
// lender's own servicing ledger (贷后台账): every loan active and under 90
// days past due on an observation date, its behaviour features then, and
// whether it reached 90+ DPD (or was written off, 核销) within a horizon
// after it. It fits the model through the generic trainer, measures it out
// of time (跨时间验证) on a later observation date when asked, and
// registers it, as the champion (冠军模型) if asked.
//
// It is plain Go: the ledger and the model registry come in through the
// small Store interface declared here, which the SQL store satisfies
// through a thin adapter, so the command line and the web console train
// the same way.
package portfolio
