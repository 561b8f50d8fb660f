package eod

import (
	"daihou/civil"
	"daihou/classification"
	"daihou/scoring/metrics"
)

// MinBads is the fewest bads a month's back-test needs before AUC and KS
// are kept: with fewer, one loan more or less moves them by more than any
// drift worth reporting, so the month shows none rather than noise.
const MinBads = 30

// Outcome is one loan of a back-test: the champion's latest score of it as
// of the start (the month end Horizon months back), its class then, and
// the worst class it moved into after the start, by the end.
//
// A loan is in the population (Observed) when it was scored then and was
// performing (正常 or 关注): not already non-performing, not written off
// (核销 is class 损失). It is bad when, within the window, it moved into a
// non-performing class (次级, 可疑 or 损失). This is the outcome the book
// records exactly and by date: every change of class is kept in
// classification_history under the close that made it, while days past
// due are kept only as today's figure and the lifetime maximum. It
// contains the 90+ DPD or write-off target of `daihou model eval
// --portfolio` (behaviour.Bad): the regulatory floor makes a loan over 90
// DPD substandard at least (classification.Floor) and a write-off is
// 损失; it also counts loans made non-performing by restructuring,
// contagion or an approved override, which a risk officer sees as bad too.
// That target needs a replay of each loan's ledger, which a month-end
// close cannot afford over the whole book.
type Outcome struct {
	LoanID     int64
	Score, PD  float64 // as of the start
	ClassThen  classification.Class
	WorstAfter classification.Class // 0 when the class did not change
}

// Observed reports whether o belongs to the back-test population.
func (o Outcome) Observed() bool {
	return o.ClassThen >= classification.Normal && !o.ClassThen.NonPerforming()
}

// Bad reports whether o became non-performing within the window.
func (o Outcome) Bad() bool { return o.WorstAfter.NonPerforming() }

// BacktestStart returns the month end horizon months before the month end
// end: the date whose scores a back-test at end judges.
func BacktestStart(end civil.Date, horizon int) civil.Date {
	first := end.AddDays(1) // the first of the next month
	return first.AddMonthsClamped(-horizon, 1).AddDays(-1)
}

// Band is one score band of a month's calibration (分数段校准).
type Band struct {
	Band    int     // index of the training score band (metrics.BinIndex of the edges)
	Low     float64 // lowest score seen in the band
	High    float64 // highest
	Loans   int
	Bads    int
	MeanPD  float64 // predicted at the start
	BadRate float64 // observed by the end
}

// Backtest fills m's back-test from outs (any order, any loans: those not
// Observed are left out) with the training score edges of the model: the
// population and its bads, the bands, and AUC and KS when there are at
// least MinBads bads and a good. PD is the risk ranked, so that AUC means
// what it means at training.
func Backtest(m *Monitoring, outs []Outcome, edges []float64) {
	var score, pd []float64
	var bad []uint8
	for _, o := range outs {
		if !o.Observed() {
			continue
		}
		score = append(score, o.Score)
		pd = append(pd, o.PD)
		b := uint8(0)
		if o.Bad() {
			b = 1
		}
		bad = append(bad, b)
	}
	m.Observed, m.Bads, m.Measured, m.AUC, m.KS, m.Bands = len(score), 0, false, 0, 0, nil
	for _, b := range bad {
		m.Bads += int(b)
	}
	for _, b := range metrics.Calibration(score, pd, bad, edges) {
		m.Bands = append(m.Bands, Band{Band: metrics.BinIndex(edges, b.Low), Low: b.Low, High: b.High, Loans: b.Count, Bads: b.Bads, MeanPD: b.MeanPD, BadRate: b.BadRate})
	}
	if m.Bads < MinBads || m.Bads == m.Observed {
		return
	}
	d, err := metrics.Discriminate(pd, bad)
	if err != nil {
		return // both classes are present, so only a NaN PD gets here: no measure
	}
	m.Measured, m.AUC, m.KS = true, d.AUC, d.KS
}
