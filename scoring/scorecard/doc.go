// Package scorecard is the champion model: a points scorecard (评分卡)
// built the way credit-risk teams build one by hand. Each feature
// (characteristic 变量) is binned into attributes (属性/分箱) with monotone
// weight of evidence (WOE 证据权重); features below a minimum information
// value (IV 信息值) are dropped; an L2-regularised logistic regression on
// the WOE values weighs them; and the weights are turned into points per
// attribute on the configured scale (base points 基础分, base odds, PDO
// 翻倍分). A customer's score is the sum of their attributes' points, so
// the printed table is the whole model: anyone can score a customer with
// a pencil, and the reason codes (扣分原因) fall out of it — the features
// where the customer's attribute scores furthest below that feature's best
// attribute.
package scorecard
