// Package logit fits L2-regularised logistic regression (逻辑回归) by
// Newton's method (iteratively reweighted least squares). Scorecards have
// tens of features, not thousands, so the exact Hessian is cheap, converges
// in a handful of steps and — unlike stochastic solvers — gives the same
// coefficients on every run, which model validation (模型验证) requires.
package logit
