// Package report turns the daily portfolio aggregates that close of
// business writes into the figures a bank's post-loan team reads
// (贷后报表): balances by delinquency bucket, five-tier class (五级分类) and
// IFRS 9 stage, the NPL ratio (不良贷款率), expected credit loss and
// provision coverage (拨备覆盖率), roll-rate (迁徙率) matrices month over
// month, cure rates, and vintage curves (账龄分析); and the collection KPIs
// (催收考核) of a period from the rows of the collection tables — contact,
// promise, cure and roll-forward rates, collection cycle and cost, per
// collector, team, arm, bucket and channel — with the champion/challenger
// comparison and its confidence intervals. It is pure: the store reads
// the cells and rows, this package computes, the CLI and the console print.
package report
