package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/eod"
	"daihou/scoring/artefact"
	"daihou/store"
)

// modelsView is what the model-monitoring page shows.
type modelsView struct {
	Champion *store.ModelVersion // nil without one
	// Training is the champion's training record (rows, bads, AUC, KS on
	// the training rows); nil without a champion.
	Training *artefact.Training
	Months   int // months of monitoring kept for the champion
	Last     *eod.Monitoring
	// LastPopulation is Last's population, as the template's counts
	// take it.
	LastPopulation int64
	// Calibrated is the month (YYYY-MM) the calibration table is of: the
	// latest whose back-test had enough bads to measure; "" when none had.
	Calibrated string
	// Horizon is the champion's horizon and MinBads the fewest bads a
	// back-test is measured with, for the help text.
	Horizon, MinBads int
}

// modelMetrics are the figures training registers with a model (the
// metrics JSON of 'daihou model train --portfolio'); a model registered
// otherwise may have none of them.
type modelMetrics struct {
	TrainAUC *float64 `json:"train_auc"`
	TrainKS  *float64 `json:"train_ks"`
	Rows     *int64   `json:"rows"`
	Bads     *int64   `json:"bads"`
	OOTAsOf  string   `json:"oot_as_of"`
	OOTAUC   *float64 `json:"oot_auc"`
	OOTKS    *float64 `json:"oot_ks"`
	OOTRows  *int64   `json:"oot_rows"`
	OOTPSI   *float64 `json:"oot_psi"`
}

// discrimination is one measurement of a model's power, on a date.
type discrimination struct {
	model   string
	on      string // message key: training or out of time
	asOf    civil.Date
	rows    *int64
	auc, ks float64
}

// Models answers GET /console/models: the champion and its challengers,
// the power each showed when trained and out of time (AUC, KS, Gini), the
// champion's population stability (PSI), population and mean PD month by
// month as close of business keeps them, and the training score bands
// PSI is measured against.
func (c *Console) Models(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	l := s.Locale
	models, err := c.DB.Models(ctx)
	if err != nil {
		return nil, err
	}
	var v modelsView
	var art *artefact.Artefact
	champ, err := c.DB.Champion(ctx, "all")
	switch {
	case err == nil:
		v.Champion = &champ
		if art, err = artefact.Read(bytes.NewReader(champ.Artefact)); err != nil {
			return nil, fmt.Errorf("champion model %d: %w", champ.ID, err)
		}
		v.Training = &art.Training
	case daihou.ErrorCode(err) != daihou.ENOTFOUND:
		return nil, err
	}

	list := &Table{ID: "models", Title: l.T("monitor.models.list"), Columns: []Column{
		{Label: l.T("monitor.col.model")}, {Label: l.T("monitor.col.segment")}, {Label: l.T("monitor.col.kind")}, {Label: l.T("monitor.col.role")},
		{Label: l.T("monitor.col.trained_as_of")}, {Label: l.T("monitor.col.horizon"), Num: true}, {Label: l.T("monitor.col.registered")},
		{Label: l.T("monitor.col.train_auc"), Num: true}, {Label: l.T("monitor.col.train_ks"), Num: true},
		{Label: l.T("monitor.col.oot_auc"), Num: true}, {Label: l.T("monitor.col.oot_ks"), Num: true}, {Label: l.T("monitor.col.oot_psi"), Num: true}}}
	var disc []discrimination
	for _, m := range models {
		var mm modelMetrics
		if m.Metrics != "" {
			if err := json.Unmarshal([]byte(m.Metrics), &mm); err != nil {
				return nil, fmt.Errorf("model %d metrics: %w", m.ID, err)
			}
		}
		if m.Champion && art != nil && mm.TrainAUC == nil {
			// Registered without its training figures: the artefact
			// keeps them.
			auc, ks, rows := art.Training.Metrics.AUC, art.Training.Metrics.KS, int64(art.Training.Metrics.Rows)
			mm.TrainAUC, mm.TrainKS, mm.Rows = &auc, &ks, &rows
		}
		name := modelName(m)
		role := l.T("monitor.role.challenger")
		if m.Champion {
			role = l.T("monitor.role.champion")
		}
		list.Rows = append(list.Rows, []Cell{TextCell(name), TextCell(m.Segment), TextCell(m.Kind), {Text: role, Class: roleClass(m.Champion)},
			TextCell(l.Date(m.AsOf)), IntCell(l, int64(m.Horizon)), TextCell(m.CreatedAt),
			numCell(mm.TrainAUC), numCell(mm.TrainKS), numCell(mm.OOTAUC), numCell(mm.OOTKS), numCell(mm.OOTPSI)})
		if mm.TrainAUC != nil && mm.TrainKS != nil {
			disc = append(disc, discrimination{model: name, on: "monitor.on.training", asOf: m.AsOf, rows: mm.Rows, auc: *mm.TrainAUC, ks: *mm.TrainKS})
		}
		if d, err := civil.Parse(mm.OOTAsOf); err == nil && mm.OOTAUC != nil && mm.OOTKS != nil {
			disc = append(disc, discrimination{model: name, on: "monitor.on.oot", asOf: d, rows: mm.OOTRows, auc: *mm.OOTAUC, ks: *mm.OOTKS})
		}
	}
	sort.SliceStable(disc, func(i, j int) bool { return disc[i].asOf < disc[j].asOf })
	power := &Table{ID: "power", Title: l.T("monitor.models.power"), Columns: []Column{
		{Label: l.T("monitor.col.model")}, {Label: l.T("monitor.col.measured_on")}, {Label: l.T("monitor.col.as_of")}, {Label: l.T("monitor.col.rows"), Num: true},
		{Label: "AUC", Num: true}, {Label: "KS", Num: true}, {Label: "Gini", Num: true}}}
	var dates []string
	seen := map[string]bool{}
	named := map[string]bool{}
	var order []string // the models, in the order first measured
	for _, d := range disc {
		rows := Cell{Text: "—", Class: "num"}
		if d.rows != nil {
			rows = IntCell(l, *d.rows)
		}
		power.Rows = append(power.Rows, []Cell{TextCell(d.model), TextCell(l.T(d.on)), TextCell(l.Date(d.asOf)), rows,
			fixedCell(d.auc), fixedCell(d.ks), fixedCell(2*d.auc - 1)})
		if !seen[d.asOf.String()] {
			seen[d.asOf.String()] = true
			dates = append(dates, d.asOf.String())
		}
		if !named[d.model] {
			named[d.model] = true
			order = append(order, d.model)
		}
	}
	var lines []any
	for _, name := range order {
		auc, ks := make([]any, len(dates)), make([]any, len(dates))
		for _, d := range disc {
			if d.model != name {
				continue
			}
			for i, x := range dates {
				if x == d.asOf.String() {
					auc[i], ks[i] = d.auc, d.ks
				}
			}
		}
		lines = append(lines,
			map[string]any{"name": name + " AUC", "type": "line", "data": auc, "connectNulls": true},
			map[string]any{"name": name + " KS", "type": "line", "data": ks, "connectNulls": true, "lineStyle": map[string]any{"type": "dashed"}})
	}

	months := &Table{ID: "monitoring", Title: l.T("monitor.models.monitoring"), Columns: []Column{
		{Label: l.T("monitor.col.month")}, {Label: l.T("monitor.col.population"), Num: true}, {Label: "PSI", Num: true}, {Label: l.T("monitor.col.mean_pd"), Num: true}}}
	back := &Table{ID: "backtest", Title: l.T("monitor.models.backtest"), Columns: []Column{
		{Label: l.T("monitor.col.month")}, {Label: l.T("monitor.col.horizon"), Num: true}, {Label: l.T("monitor.col.observed"), Num: true},
		{Label: l.T("monitor.col.bads"), Num: true}, {Label: "AUC", Num: true}, {Label: "KS", Num: true}, {Label: l.T("monitor.col.note")}}}
	calib := &Table{ID: "calibration", Title: l.T("monitor.models.calibration"), Columns: []Column{
		{Label: l.T("monitor.col.band"), Num: true}, {Label: l.T("monitor.col.scores_seen")}, {Label: l.T("monitor.col.loans"), Num: true},
		{Label: l.T("monitor.col.bads"), Num: true}, {Label: l.T("monitor.col.mean_pd"), Num: true}, {Label: l.T("monitor.col.bad_rate"), Num: true}}}
	var labels []string
	var psi, pop, meanPD, backAUC, backKS []any
	var calibNames []string
	var calibRate, calibPD []any
	v.MinBads = eod.MinBads
	if v.Champion != nil {
		v.Horizon = v.Champion.Horizon
		mon, err := c.DB.ModelMonitoring(ctx, v.Champion.ID)
		if err != nil {
			return nil, err
		}
		v.Months = len(mon)
		if len(mon) > 0 {
			v.Last = &mon[len(mon)-1]
			v.LastPopulation = int64(v.Last.Population)
		}
		for _, m := range mon {
			label := monthLabel(m.Month)
			labels = append(labels, label)
			psi, pop, meanPD = append(psi, m.PSI), append(pop, m.Population), append(meanPD, m.MeanPD)
			months.Rows = append(months.Rows, []Cell{TextCell(label), IntCell(l, int64(m.Population)), fixedCell(m.PSI), PctCell(l, m.MeanPD)})
			back.Rows = append(back.Rows, backtestRow(l, m, v.Champion.Horizon, label))
			if m.Measured {
				backAUC, backKS = append(backAUC, m.AUC), append(backKS, m.KS)
			} else {
				// A gap in the line, not a zero: the month was not measured.
				backAUC, backKS = append(backAUC, nil), append(backKS, nil)
			}
		}
		for i := len(mon) - 1; i >= 0; i-- {
			if !mon[i].Measured {
				continue
			}
			bs, err := c.DB.ModelMonitoringBands(ctx, v.Champion.ID, mon[i].Month)
			if err != nil {
				return nil, err
			}
			v.Calibrated = monthLabel(mon[i].Month)
			for _, b := range bs {
				name := strconv.Itoa(b.Band + 1)
				calibNames = append(calibNames, name)
				calibRate, calibPD = append(calibRate, b.BadRate), append(calibPD, b.MeanPD)
				calib.Rows = append(calib.Rows, []Cell{IntCell(l, int64(b.Band+1)),
					TextCell(strconv.FormatFloat(b.Low, 'f', 0, 64) + " – " + strconv.FormatFloat(b.High, 'f', 0, 64)),
					IntCell(l, int64(b.Loans)), IntCell(l, int64(b.Bads)), PctCell(l, b.MeanPD), PctCell(l, b.BadRate)})
			}
			break
		}
	}
	backSeries := []any{
		map[string]any{"name": "AUC", "type": "line", "data": backAUC},
		map[string]any{"name": "KS", "type": "line", "data": backKS, "lineStyle": map[string]any{"type": "dashed"}},
	}
	if v.Training != nil {
		// The training figures as level lines, so that a month's drift
		// from them reads off the chart.
		mark := func(name string, f float64) map[string]any {
			return map[string]any{"silent": true, "symbol": "none", "data": []any{map[string]any{"yAxis": f, "name": name}},
				"label": map[string]any{"formatter": name}}
		}
		backSeries[0].(map[string]any)["markLine"] = mark(l.T("monitor.col.train_auc"), v.Training.Metrics.AUC)
		backSeries[1].(map[string]any)["markLine"] = mark(l.T("monitor.col.train_ks"), v.Training.Metrics.KS)
	}

	bands := &Table{ID: "bands", Title: l.T("monitor.models.bands"), Columns: []Column{
		{Label: l.T("monitor.col.band"), Num: true}, {Label: l.T("monitor.col.score_range")}, {Label: l.T("monitor.col.training_share"), Num: true}}}
	var bandNames []string
	var shares []any
	if v.Training != nil {
		edges := v.Training.ScoreEdges
		for k, share := range v.Training.ScoreShares {
			var rng string
			switch {
			case len(edges) == 0:
				rng = "—"
			case k == 0:
				rng = "< " + strconv.FormatFloat(edges[0], 'f', 0, 64)
			case k == len(edges):
				rng = "≥ " + strconv.FormatFloat(edges[k-1], 'f', 0, 64)
			default:
				rng = strconv.FormatFloat(edges[k-1], 'f', 0, 64) + " – " + strconv.FormatFloat(edges[k], 'f', 0, 64)
			}
			bandNames = append(bandNames, strconv.Itoa(k+1))
			shares = append(shares, share)
			bands.Rows = append(bands.Rows, []Cell{IntCell(l, int64(k+1)), TextCell(rng), PctCell(l, share)})
		}
	}

	return &Page{Name: "models", Title: "monitor.models.title", Data: v,
		Tables: []*Table{list, power, back, calib, months, bands},
		Charts: []Chart{
			{ID: "power", Option: lineOption(dates, lines, map[string]any{"type": "value", "min": 0, "max": 1})},
			{ID: "backtest", Option: lineOption(labels, backSeries, map[string]any{"type": "value", "min": 0, "max": 1})},
			{ID: "calibration", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "axis"},
				"legend":  map[string]any{"data": []string{l.T("monitor.col.bad_rate"), l.T("monitor.col.mean_pd")}},
				"xAxis":   map[string]any{"type": "category", "name": l.T("monitor.col.band"), "data": calibNames},
				"yAxis":   map[string]any{"type": "value"},
				"series": []any{
					map[string]any{"name": l.T("monitor.col.bad_rate"), "type": "bar", "data": calibRate},
					map[string]any{"name": l.T("monitor.col.mean_pd"), "type": "line", "data": calibPD},
				}}},
			{ID: "psi", Option: lineOption(labels, []any{map[string]any{"name": "PSI", "type": "line", "data": psi,
				"markLine": map[string]any{"silent": true, "symbol": "none", "data": []any{map[string]any{"yAxis": 0.1}, map[string]any{"yAxis": 0.25}}}}},
				map[string]any{"type": "value"})},
			{ID: "population", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "axis"},
				"legend":  map[string]any{"data": []string{l.T("monitor.col.population"), l.T("monitor.col.mean_pd")}},
				"xAxis":   map[string]any{"type": "category", "data": labels},
				"yAxis":   []any{map[string]any{"type": "value"}, map[string]any{"type": "value"}},
				"series": []any{
					map[string]any{"name": l.T("monitor.col.population"), "type": "bar", "data": pop},
					map[string]any{"name": l.T("monitor.col.mean_pd"), "type": "line", "yAxisIndex": 1, "data": meanPD},
				}}},
			{ID: "bands", Option: map[string]any{
				"tooltip": map[string]any{"trigger": "axis"},
				"xAxis":   map[string]any{"type": "category", "data": bandNames},
				"yAxis":   map[string]any{"type": "value"},
				"series":  []any{map[string]any{"name": l.T("monitor.col.training_share"), "type": "bar", "data": shares}}}},
		}}, nil
}

// backtestRow is a month's back-test, with why it has no AUC or KS when
// it has none: too few bads (eod.MinBads), no good loan to rank the bads
// against, or no scores of the model horizon months before the month.
func backtestRow(l *Locale, m eod.Monitoring, horizon int, label string) []Cell {
	none := Cell{Text: "—", Class: "num"}
	if m.Horizon == 0 {
		return []Cell{TextCell(label), none, none, none, none, none, TextCell(l.T("monitor.backtest.no_scores", horizon))}
	}
	row := []Cell{TextCell(label), IntCell(l, int64(m.Horizon)), IntCell(l, int64(m.Observed)), IntCell(l, int64(m.Bads))}
	switch {
	case m.Measured:
		return append(row, fixedCell(m.AUC), fixedCell(m.KS), TextCell(""))
	case m.Bads < eod.MinBads:
		return append(row, none, none, TextCell(l.T("monitor.backtest.few_bads", eod.MinBads)))
	default:
		return append(row, none, none, TextCell(l.T("monitor.backtest.no_goods")))
	}
}

// lineOption is a line chart of series over the categories x.
func lineOption(x []string, series []any, yAxis map[string]any) map[string]any {
	return map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"type": "scroll"},
		"xAxis":   map[string]any{"type": "category", "data": x},
		"yAxis":   yAxis,
		"series":  series,
	}
}

func modelName(m store.ModelVersion) string {
	return fmt.Sprintf("#%d %s v%d", m.ID, m.Segment, m.Version)
}

func roleClass(champion bool) string {
	if champion {
		return "tag good"
	}
	return "tag"
}

// monthLabel is a civil.Date.MonthIndex as YYYY-MM.
func monthLabel(i int) string { return fmt.Sprintf("%04d-%02d", i/12, i%12+1) }

// fixedCell is a measure such as AUC, KS or PSI, shown to four places.
func fixedCell(f float64) Cell {
	return Cell{Text: strconv.FormatFloat(f, 'f', 4, 64), Value: f, Format: "0.0000", Class: "num"}
}

// numCell is a measure that may be missing.
func numCell(f *float64) Cell {
	if f == nil {
		return Cell{Text: "—", Class: "num"}
	}
	return fixedCell(*f)
}
