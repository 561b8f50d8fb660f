// Package binning does supervised optimal binning (最优分箱) for
// scorecards: it cuts a feature into bins whose weight of evidence (WOE
// 证据权重, ln(share of goods / share of bads)) is monotone in the feature
// where the data allow, and reports each bin's information value (IV 信息
// 值).
//
// A numeric feature starts from fine quantile bins (细分箱), then pool-
// adjacent-violators merging enforces a monotone bad rate in whichever
// direction keeps more IV — except where the data insist on a reversal
// (a z statistic above 4 between the two sides, as with a repayment-status
// code where "paid in full" is riskier than "revolving"); Config.Strict
// forbids even those. Then bins too small to trust are merged into their
// closest neighbour, and the pair of neighbours whose union loses the
// least IV is merged until at most MaxBins remain. Categories are
// ordered by bad rate after rare ones are pooled into an "other" bin that
// also receives categories never seen in training. Missing values always
// get their own bin, outside the monotone order, because why a value is
// missing is usually unrelated to its size.
package binning
