// Package scoring holds what every behaviour-scoring model (行为评分卡
// B-card) in daihou shares, with no I/O: the feature specification and its
// encoding of raw values, the points scale (评分刻度: base points, base odds,
// PDO), the result of scoring one customer (score, probability of default
// 违约概率 PD, and reason codes 扣分原因) and the Model interface that
// the champion scorecard (评分卡) and the challenger gradient-boosted trees
// both satisfy, so that champion/challenger (冠军/挑战者) is a configuration
// switch — which artefact to load — rather than two code paths.
//
// Callers score in one of two ways. A Scorer takes a row by feature name,
// as strings or parsed values, and is what an API handler uses for one
// loan. The batch path is Model.ScoreColumns on pre-encoded columns (see
// Encoder), which allocates nothing per row; the close-of-business run
// (日终批处理) scores millions of loans through it.
//
// Subpackages each do one job: dataset reads CSV into typed columns,
// binning finds monotone weight-of-evidence (WOE 证据权重) bins, logit fits
// the regularised logistic regression, scorecard and gbdt are the two model
// kinds, metrics computes AUC, KS, Gini, PSI and calibration, artefact
// saves and loads the versioned JSON model file, and trainer ties them into
// the generic trainer used by `daihou model train`.
package scoring
