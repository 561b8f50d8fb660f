// Package trainer is the generic model trainer (通用建模流程) behind
// `daihou model train`: from a dataset read from any CSV with a binary
// target it prepares the features (dropping constant and identifier-like
// columns, ordering categories by bad rate), fits the requested kind —
// the champion scorecard (评分卡) or the challenger gradient-boosted trees
// — measures it on the training rows, and returns the model artefact with
// a report of every decision made on the way. The portfolio training of
// DESIGN §5 will build its dataset from the ledger and call the same Train.
//
// Evaluate measures a model on a labelled dataset: AUC, KS, Gini,
// calibration by score band and the PSI against the training scores.
package trainer
