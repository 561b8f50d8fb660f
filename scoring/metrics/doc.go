// Package metrics measures how well scores separate good from bad
// customers and how stable they are: AUC (ROC 曲线下面积), KS (区分度 KS
// 值), Gini (基尼系数 = 2·AUC − 1), PSI (群体稳定性指数, the population
// stability index between two score distributions) and calibration by
// score band (分数段校准: observed bad rate against predicted PD).
//
// Every function takes a risk value where larger means more likely bad (a
// PD, or minus a points score) and a label per row, 1 for bad and 0 for
// good. The functions are pure.
package metrics
