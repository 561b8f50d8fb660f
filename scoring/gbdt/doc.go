// Package gbdt is the challenger model (挑战者模型): gradient-boosted
// decision trees (梯度提升树) on the same encoded features as the
// scorecard, fitted the way LightGBM and scikit-learn's
// HistGradientBoosting fit them. Each feature is cut into at most 255
// quantile bins (one of them for missing values), trees grow best-first
// on gradient/Hessian histograms of the logistic loss, with shrinkage,
// depth and leaf limits, a minimum leaf size, L2 on leaf values, and row
// and feature subsampling drawn from a seeded generator so that the same
// data and seed always give the same model. Boosting stops early when the
// loss on a validation split carved from the training rows stops falling.
// A few such fits ("bags"), each with its own validation split, are
// averaged, which takes out most of the noise early stopping on a tenth of
// the rows puts into the tree count.
//
// Histograms are built by goroutines in parallel across features, and the
// bags themselves run in parallel; neither changes the model. The model
// scores raw (unbinned) encoded values, walks a compact node array and
// turns the log-odds into a score on the champion's points scale, so a
// challenger score can be read next to the champion's. A batch is scored
// tree by tree over blocks of rows, eight rows down a tree at once, and a
// large batch on every core. Reason codes (扣分原因) come
// from per-feature contributions along each tree path (Saabas' method):
// the features that pushed the log-odds of default up the most.
package gbdt
