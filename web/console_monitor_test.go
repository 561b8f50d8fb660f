package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"daihou/auth"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/money"
	"daihou/scoring/artefact"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
	"daihou/web"
)

// monitorFrom and monitorTo are the period the monitoring tests look at:
// the generated book's last month and the closes after it.
var monitorFrom, monitorTo = civil.MustParse("2026-03-01"), civil.MustParse("2026-04-03")

// newMonitorBook is the console book with a champion model and a week of
// closes of business after the generated history, in which collectors
// work their calls (no answer, promises, refusals) and half the promised
// loans pay: so that the dashboards have monitoring, warnings, contacts,
// promises and cures to show.
func newMonitorBook(t *testing.T) *consoleBook {
	t.Helper()
	b := newConsoleBook(t, nil)
	db := b.db
	storetest.ChampionAs(t, db, b.as["risk"])
	for i, name := range []string{"col", "col2"} {
		if err := db.PutCollector(b.as["admin"], store.Collector{Name: name, Capacity: 100, Team: fmt.Sprintf("T%d", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	cst := time.FixedZone("CST", 8*3600)
	var clock time.Time
	db.Now = func() time.Time { return clock }
	defer func() { db.Now = time.Now }()
	runner := &eod.Runner{Store: db}
	type due struct {
		loan   int64
		amount money.Amount
		on     civil.Date
	}
	var owed []due
	core, err := auth.NewToken("core-banking", []auth.Role{auth.Integration}, auth.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	bank := auth.NewContext(context.Background(), core)
	n := 0
	for d := storetest.GenConfig.Until.AddDays(1); !d.After(monitorTo); d = d.AddDays(1) {
		y, m, dd := d.YMD()
		clock = time.Date(y, m, dd, 23, 0, 0, 0, cst)
		if _, err := runner.Close(storetest.EOD(), d, false); err != nil {
			t.Fatalf("close of %v: %v", d, err)
		}
		clock = time.Date(y, m, dd, 23, 0, 0, 0, cst).Add(11 * time.Hour) // the next morning
		next := d.AddDays(1)
		var keep []due
		for _, o := range owed {
			if o.on.After(next) {
				keep = append(keep, o)
				continue
			}
			_, _, err := db.Post(bank, servicing.Tx{LoanID: o.loan, Kind: servicing.Repayment, ValueDate: o.on, Amount: o.amount, Channel: "counter", Reference: fmt.Sprintf("PTP-%d-%v", o.loan, o.on)})
			if err != nil && !strings.Contains(err.Error(), "exceeds") && !strings.Contains(err.Error(), "settled") {
				t.Fatalf("payment on loan %d: %v", o.loan, err)
			}
		}
		owed = keep
		for _, name := range []string{"col", "col2"} {
			tasks, err := db.Tasks(b.as[name], store.TaskFilter{Mine: true, State: "open", Limit: 40})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range tasks {
				o := store.Outcome{Outcome: collection.Done, Cost: 150, Recording: fmt.Sprintf("rec-%d-%v", tk.ID, d)}
				if tk.Kind.ContactChannel() == "call" {
					switch n++; n % 4 {
					case 0:
						o.Outcome = collection.NoAnswer
					case 1, 2:
						snap, err := db.Snapshot(b.as[name], tk.LoanID)
						if err != nil {
							t.Fatal(err)
						}
						owe := snap.OverduePrincipal + snap.OverdueInterest + snap.PenaltyDue
						if owe <= 0 {
							owe = 100_00
						}
						o.Outcome, o.PromiseAmount, o.PromiseDate, o.Satisfaction = collection.Promise, owe, next, 4
						if n%4 == 1 {
							owed = append(owed, due{tk.LoanID, owe, next})
						}
					case 3:
						o.Outcome = collection.Refused
					}
				}
				if _, err := db.RecordOutcome(b.as[name], tk.ID, o); err != nil && !strings.Contains(err.Error(), "compliance guard") {
					t.Fatalf("task %d (%s) %s: %v", tk.ID, tk.Kind, o.Outcome, err)
				}
			}
		}
	}
	return b
}

// TestConsoleMonitor: each dashboard shows the store's and the report's
// figures for its period; a bad filter is refused with a message the user
// can act on and no harm; a role that may not read reports sees neither
// the pages nor their menu entries; both languages render; an export has
// the numbers shown.
func TestConsoleMonitor(t *testing.T) {
	b := newMonitorBook(t)
	mgr := b.as["mgr"]
	period := "?from=" + monitorFrom.String() + "&to=" + monitorTo.String()

	t.Run("models", func(t *testing.T) {
		champ, err := b.db.Champion(mgr, "all")
		if err != nil {
			t.Fatal(err)
		}
		mon, err := b.db.ModelMonitoring(mgr, champ.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mon) == 0 {
			t.Fatal("the month-end close kept no monitoring: nothing to compare")
		}
		br := b.login(t, "mgr")
		body := br.page("/console/models")
		if want := fmt.Sprintf("#%d all v%d", champ.ID, champ.Version); !strings.Contains(body, want) {
			t.Errorf("the page does not name the champion %q", want)
		}
		if want := strconv.FormatFloat(mon[len(mon)-1].PSI, 'f', 4, 64); !strings.Contains(body, want) {
			t.Errorf("the page does not show the latest PSI %s", want)
		}
		// The monitoring table as a spreadsheet: a row per month, the
		// store's numbers.
		rows := xlsxRows(t, br, "/console/models?export=xlsx&table=monitoring")
		if len(rows) != len(mon)+1 {
			t.Fatalf("monitoring export has %d rows, want a heading and %d months", len(rows), len(mon))
		}
		for i, m := range mon {
			r := rows[i+1]
			if want := fmt.Sprintf("%04d-%02d", m.Month/12, m.Month%12+1); r[0] != want {
				t.Errorf("row %d month %q, want %q", i, r[0], want)
			}
			if got := mustFloat(t, r[1]); got != float64(m.Population) {
				t.Errorf("%s population %v, want %d", r[0], got, m.Population)
			}
			if got := mustFloat(t, r[2]); !near(got, m.PSI) {
				t.Errorf("%s PSI %v, want %v", r[0], got, m.PSI)
			}
			if got := mustFloat(t, r[3]); !near(got, m.MeanPD) {
				t.Errorf("%s mean PD %v, want %v", r[0], got, m.MeanPD)
			}
		}
		art, err := artefact.Read(bytes.NewReader(champ.Artefact))
		if err != nil {
			t.Fatal(err)
		}
		// The champion's power at training, from its artefact (it was
		// registered without metrics).
		power := xlsxRows(t, br, "/console/models?export=xlsx&table=power")
		if len(power) != 2 {
			t.Fatalf("power export has %d rows, want a heading and the training measurement", len(power))
		}
		if m := art.Training.Metrics; !near(mustFloat(t, power[1][4]), m.AUC) || !near(mustFloat(t, power[1][5]), m.KS) || !near(mustFloat(t, power[1][6]), 2*m.AUC-1) {
			t.Errorf("power row %v, want AUC %v KS %v Gini %v", power[1], m.AUC, m.KS, 2*m.AUC-1)
		}
		shares := art.Training.ScoreShares
		bands := xlsxRows(t, br, "/console/models?export=xlsx&table=bands")
		if len(shares) == 0 || len(bands) != len(shares)+1 {
			t.Fatalf("bands export has %d rows, want a heading and the %d training bands", len(bands), len(shares))
		}
		for k, share := range shares {
			if got := mustFloat(t, bands[k+1][2]); !near(got, share) {
				t.Errorf("band %d training share %v, want %v", k+1, got, share)
			}
		}
	})

	t.Run("warnings", func(t *testing.T) {
		rep, err := b.db.WarningReport(mgr, monitorFrom, monitorTo)
		if err != nil {
			t.Fatal(err)
		}
		ws, err := b.db.Warnings(mgr, store.WarningFilter{From: monitorFrom, To: monitorTo, Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Set.Warnings == 0 || len(ws) != rep.Set.Warnings {
			t.Fatalf("the period has %d warnings and the report %d: want some, the same", len(ws), rep.Set.Warnings)
		}
		br := b.login(t, "mgr")
		br.page("/console/warnings" + period)
		rules := csvRows(t, br, "/console/warnings"+period+"&export=csv&table=rules")
		if len(rules) != len(rep.Rules)+2 {
			t.Fatalf("rules export has %d rows, want a heading, %d rules and the total", len(rules), len(rep.Rules))
		}
		resolved := map[string]int{}
		for _, w := range ws {
			if !w.State.Open() {
				resolved[w.Rule]++
			}
		}
		for i, st := range rep.Rules {
			r := rules[i+1]
			if r[0] != st.Rule || mustInt(t, r[1]) != st.Warnings || mustInt(t, r[2]) != st.Loans {
				t.Errorf("rule row %v, want %s with %d warnings on %d loans", r, st.Rule, st.Warnings, st.Loans)
			}
			if mustInt(t, r[6]) != resolved[st.Rule] {
				t.Errorf("rule %s resolved %s, want %d", st.Rule, r[6], resolved[st.Rule])
			}
			for j, ratio := range []struct{ num, den int }{{st.Early90.Num, st.Early90.Den}, {st.EarlyNPL.Num, st.EarlyNPL.Den}, {st.Hit30.Num, st.Hit30.Den}, {st.Hit90.Num, st.Hit90.Den}} {
				if want := fmt.Sprintf("(%d/%d)", ratio.num, ratio.den); !strings.HasSuffix(r[7+j], want) {
					t.Errorf("rule %s column %d %q, want the counts %s", st.Rule, 7+j, r[7+j], want)
				}
			}
		}
		if total := rules[len(rules)-1]; mustInt(t, total[1]) != rep.Set.Warnings {
			t.Errorf("total row %v, want %d warnings", total, rep.Set.Warnings)
		}
		// The volume by day adds up to the same warnings, each on its day.
		perDay := map[string]int{}
		for _, w := range ws {
			perDay[w.Raised.String()]++
		}
		vol := csvRows(t, br, "/console/warnings"+period+"&export=csv&table=volume")
		if len(vol) != monitorTo.Sub(monitorFrom)+2 {
			t.Errorf("volume export has %d rows, want a heading and a row per day", len(vol))
		}
		for _, r := range vol[1:] {
			if got := mustInt(t, r[len(r)-1]); got != perDay[r[0]] {
				t.Errorf("%s: %d warnings, want %d", r[0], got, perDay[r[0]])
			}
		}
	})

	t.Run("collections", func(t *testing.T) {
		rep, err := b.db.CollectionReport(mgr, monitorFrom, monitorTo, "collector")
		if err != nil {
			t.Fatal(err)
		}
		strat, err := b.db.StrategyReport(mgr, monitorFrom, monitorTo)
		if err != nil {
			t.Fatal(err)
		}
		f := rep.Total.Figures
		if f.Attempts == 0 || f.PromisesMade == 0 {
			t.Fatalf("the closes left %d attempts and %d promises: nothing to compare", f.Attempts, f.PromisesMade)
		}
		br := b.login(t, "mgr")
		br.page("/console/collections" + period + "&by=collector")
		funnel := csvRows(t, br, "/console/collections"+period+"&export=csv&table=funnel")
		want := []int64{f.Attempts, f.Connected, f.RPC, f.PromisesMade, f.PromisesKept, f.Cured}
		if len(funnel) != len(want)+1 {
			t.Fatalf("funnel export has %d rows, want %d stages", len(funnel)-1, len(want))
		}
		for i, w := range want {
			if got := mustInt(t, funnel[i+1][1]); int64(got) != w {
				t.Errorf("funnel stage %s: %d, want %d", funnel[i+1][0], got, w)
			}
		}
		lines := csvRows(t, br, "/console/collections"+period+"&by=collector&export=csv&table=lines")
		got := map[string][]string{}
		for _, r := range lines[1:] {
			got[r[0]] = r
		}
		n := 0
		for _, ln := range rep.Lines {
			if ln.Dimension != "collector" {
				continue
			}
			n++
			r := got[ln.Key]
			if r == nil {
				t.Errorf("no line for collector %q", ln.Key)
				continue
			}
			if int64(mustInt(t, r[1])) != ln.Figures.Attempts || int64(mustInt(t, r[4])) != ln.Figures.PromisesMade || int64(mustInt(t, r[8])) != ln.Figures.Cured {
				t.Errorf("collector %s line %v, want attempts %d promises %d cured %d", ln.Key, r, ln.Figures.Attempts, ln.Figures.PromisesMade, ln.Figures.Cured)
			}
			if r[14] != ln.Figures.Collected.String() {
				t.Errorf("collector %s collected %s, want %s", ln.Key, r[14], ln.Figures.Collected)
			}
		}
		if n == 0 || len(lines)-1 != n {
			t.Errorf("lines export has %d lines, want the report's %d", len(lines)-1, n)
		}
		arms := csvRows(t, br, "/console/collections"+period+"&export=csv&table=arms")
		if len(arms)-1 != 2*len(strat.Comparisons) {
			t.Fatalf("arms export has %d rows, want 2 × %d comparisons", len(arms)-1, len(strat.Comparisons))
		}
		for i, c := range strat.Comparisons {
			champ, chall := arms[1+2*i], arms[2+2*i]
			if int64(mustInt(t, champ[3])) != c.Champion.Episodes || int64(mustInt(t, chall[3])) != c.Challenger.Episodes {
				t.Errorf("%s %s episodes %s / %s, want %d / %d", c.Strategy, c.Segment, champ[3], chall[3], c.Champion.Episodes, c.Challenger.Episodes)
			}
		}
		trend := csvRows(t, br, "/console/collections"+period+"&export=csv&table=trend")
		if len(trend)-1 != len(rep.Trend) {
			t.Fatalf("trend export has %d days, want %d", len(trend)-1, len(rep.Trend))
		}
		for i, p := range rep.Trend {
			if r := trend[i+1]; r[0] != p.Date.String() || int64(mustInt(t, r[1])) != p.Figures.Attempts {
				t.Errorf("trend row %v, want %v with %d attempts", r, p.Date, p.Figures.Attempts)
			}
		}
		// Another dimension: the teams.
		teams := csvRows(t, br, "/console/collections"+period+"&by=team&export=csv&table=lines")
		trep, err := b.db.CollectionReport(mgr, monitorFrom, monitorTo, "team")
		if err != nil {
			t.Fatal(err)
		}
		if len(teams)-1 != len(trep.Lines) {
			t.Errorf("team lines %d, want %d", len(teams)-1, len(trep.Lines))
		}
	})

	t.Run("bad filters", func(t *testing.T) {
		br := b.login(t, "mgr")
		before, err := b.db.CollectionReport(mgr, monitorFrom, monitorTo, "")
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, path, want string
		}{
			{"no such day", "/console/warnings?from=2026-02-30", "“2026-02-30”不是有效日期"},
			{"not a date", "/console/collections?to=yesterday", "“yesterday”不是有效日期"},
			{"to before from", "/console/warnings?from=2026-03-20&to=2026-03-01", "早于起始日期"},
			{"too long", "/console/collections?from=2000-01-01&to=2026-03-01", "最长 3660 天"},
			{"no such dimension", "/console/collections?by=region", "维度“region”不存在"},
			{"quote in a date", "/console/warnings?from=" + url.QueryEscape("2026-03-01' OR '1'='1"), "不是有效日期"},
			{"statement in a date", "/console/collections?to=" + url.QueryEscape("2026-03-31; DROP TABLE contacts;--"), "不是有效日期"},
			{"statement in the dimension", "/console/collections?by=" + url.QueryEscape("collector'; DELETE FROM promises;--"), "不存在"},
			{"quote in a date on models", "/console/models?from=" + url.QueryEscape("' UNION SELECT 1--"), ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, body := br.get(c.path)
				if c.want == "" {
					if res.StatusCode != 200 {
						t.Errorf("%s: %d, want the page (it has no filter)", c.path, res.StatusCode)
					}
					return
				}
				if res.StatusCode != 422 {
					t.Errorf("%s: %d, want 422", c.path, res.StatusCode)
				}
				if !strings.Contains(body, `class="flash error"`) || !strings.Contains(body, c.want) {
					t.Errorf("%s: the page does not say %q", c.path, c.want)
				}
				if !strings.Contains(body, `<form method="get" class="filters"`) {
					t.Errorf("%s: the page has no filter form to correct the value", c.path)
				}
			})
		}
		after, err := b.db.CollectionReport(mgr, monitorFrom, monitorTo, "")
		if err != nil {
			t.Fatal(err)
		}
		if after.Total.Figures != before.Total.Figures {
			t.Errorf("the filters changed the book: %+v, was %+v", after.Total.Figures, before.Total.Figures)
		}
	})

	t.Run("no report.read", func(t *testing.T) {
		for _, name := range []string{"col", "am", "legal"} {
			br := b.login(t, name)
			for _, p := range []string{"/console/models", "/console/warnings", "/console/collections"} {
				res, body := br.get(p)
				if res.StatusCode != 403 {
					t.Errorf("%s GET %s: %d, want 403", name, p, res.StatusCode)
				}
				for _, link := range []string{`href="/console/models"`, `href="/console/warnings"`, `href="/console/collections"`} {
					if strings.Contains(body, link) {
						t.Errorf("%s's menu has %s", name, link)
					}
				}
			}
			res, _ := br.get("/console/collections?export=xlsx&table=funnel")
			if res.StatusCode != 403 {
				t.Errorf("%s export: %d, want 403", name, res.StatusCode)
			}
		}
		for _, name := range []string{"mgr", "risk", "aud"} {
			body := b.login(t, name).page("/console/models")
			for _, link := range []string{`href="/console/models"`, `href="/console/warnings"`, `href="/console/collections"`} {
				if !strings.Contains(body, link) {
					t.Errorf("%s's menu lacks %s", name, link)
				}
			}
		}
	})

	t.Run("languages", func(t *testing.T) {
		br := b.login(t, "mgr")
		zh := map[string]string{"/console/models": "模型监控", "/console/warnings" + period: "提前识别率", "/console/collections" + period: "催收漏斗"}
		for p, w := range zh {
			if body := br.page(p); !strings.Contains(body, w) {
				t.Errorf("%s in zh-CN does not say %s", p, w)
			}
		}
		if err := b.db.SetLanguage(b.as["mgr"], "en"); err != nil {
			t.Fatal(err)
		}
		defer b.db.SetLanguage(b.as["mgr"], "zh-CN")
		en := map[string]string{"/console/models": "Model monitoring", "/console/warnings" + period: "Early identification (90+)", "/console/collections" + period: "Collection funnel"}
		for p, w := range en {
			body := br.page(p)
			if !strings.Contains(body, w) {
				t.Errorf("%s in English does not say %s", p, w)
			}
			if strings.Contains(body, "催收漏斗") || strings.Contains(body, "提前识别率") {
				t.Errorf("%s in English shows Chinese text", p)
			}
		}
		res, body := br.get("/console/warnings?from=31.03.2026")
		if res.StatusCode != 422 || !strings.Contains(body, "is not a date: write it as YYYY-MM-DD") {
			t.Errorf("a bad date in English: %d, without the message", res.StatusCode)
		}
	})
}

// xlsxRows downloads an xlsx export and returns its first sheet's rows
// (numbers as excelize formats them raw).
func xlsxRows(t *testing.T, br *browser, path string) [][]string {
	t.Helper()
	res, body := br.get(path)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.300s", path, res.StatusCode, body)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s does not open as xlsx: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// csvRows downloads a CSV export and returns its records.
func csvRows(t *testing.T, br *browser, path string) [][]string {
	t.Helper()
	res, body := br.get(path)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.300s", path, res.StatusCode, body)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix([]byte(body), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Fatalf("%q is not a number: %v", s, err)
	}
	return f
}

// mustInt reads a count as the console shows it ("1,234").
func mustInt(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("%q is not a count: %v", s, err)
	}
	return n
}

func near(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

// TestConsoleMonitorBacktest: on a book closed across month ends with a
// champion of a three-month horizon, the page's back-test table is the
// stored back-test month by month — AUC and KS where measured, none and a
// reason where not — and its calibration table is the stored bands of the
// latest measured month.
func TestConsoleMonitorBacktest(t *testing.T) {
	if storetest.RaceDetector {
		// Four month-end closes take minutes under the race detector; the
		// page's handler is exercised there by TestConsoleMonitor.
		t.Skip("the back-test page test runs in the ordinary test run, not under the race detector")
	}
	// The book has no payments after it was generated, so a short horizon
	// already sees enough loans turn non-performing and still has goods.
	cfg := synth.Config{Seed: 11, Loans: 1200, Months: 12, Until: civil.MustParse("2026-01-29")}
	db := storetest.OpenPath(t, storetest.Gen(t, cfg))
	b := &consoleBook{db: db, as: storetest.Users(t, db, "risk=risk-officer", "mgr=manager")}
	h, err := auth.HashPassword(consolePassword, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	for name := range b.as {
		if _, err := db.UpdateUser(b.as["admin"], name, store.UserChange{PasswordHash: &h}); err != nil {
			t.Fatal(err)
		}
	}
	runner := &eod.Runner{Store: db}
	if _, err := runner.Close(storetest.EOD(), cfg.Until, false); err != nil {
		t.Fatal(err)
	}
	champ := storetest.ChampionHorizon(t, db, b.as["risk"], 3)
	// A full close scores every loan with the champion; the month end
	// three months on back-tests those scores, the ones between have none
	// to (a shorter horizon sees fewer than eod.MinBads bads here).
	for i, d := range []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"} {
		began := time.Now()
		if _, err := runner.Close(storetest.EOD(), civil.MustParse(d), i == 0); err != nil {
			t.Fatalf("close of %s: %v", d, err)
		}
		t.Logf("close of %s took %v", d, time.Since(began))
	}
	b.srv = web.New(db, nil)
	b.base = start(t, b.srv)
	mgr := b.as["mgr"]
	mon, err := db.ModelMonitoring(mgr, champ.ID)
	if err != nil {
		t.Fatal(err)
	}
	measured, unmeasured := -1, 0
	for i, m := range mon {
		if m.Measured {
			measured = i
		} else {
			unmeasured++
		}
	}
	if measured < 0 || unmeasured == 0 {
		t.Fatalf("monitoring %+v: the test needs a measured month and one not measured", mon)
	}

	br := b.login(t, "mgr")
	rows := xlsxRows(t, br, "/console/models?export=xlsx&table=backtest")
	if len(rows) != len(mon)+1 {
		t.Fatalf("back-test export has %d rows, want a heading and %d months", len(rows), len(mon))
	}
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	for i, m := range mon {
		r := rows[i+1]
		label := fmt.Sprintf("%04d-%02d", m.Month/12, m.Month%12+1)
		if cell(r, 0) != label {
			t.Errorf("row %d month %q, want %q", i, cell(r, 0), label)
		}
		if m.Horizon == 0 {
			if cell(r, 1) != "—" || cell(r, 4) != "—" || cell(r, 5) != "—" || !strings.Contains(cell(r, 6), "3") {
				t.Errorf("%s without a back-test: row %v, want dashes and why (no scores 3 months back)", label, r)
			}
			continue
		}
		if mustInt(t, cell(r, 1)) != m.Horizon || mustInt(t, cell(r, 2)) != m.Observed || mustInt(t, cell(r, 3)) != m.Bads {
			t.Errorf("%s row %v, want horizon %d observed %d bads %d", label, r, m.Horizon, m.Observed, m.Bads)
		}
		if m.Measured {
			if !near(mustFloat(t, cell(r, 4)), m.AUC) || !near(mustFloat(t, cell(r, 5)), m.KS) || cell(r, 6) != "" {
				t.Errorf("%s row %v, want AUC %v KS %v and no note", label, r, m.AUC, m.KS)
			}
		} else if cell(r, 4) != "—" || cell(r, 5) != "—" || cell(r, 6) == "" {
			t.Errorf("%s row %v: not measured, want dashes and why", label, r)
		}
	}

	last := mon[measured]
	bands, err := db.ModelMonitoringBands(mgr, champ.ID, last.Month)
	if err != nil {
		t.Fatal(err)
	}
	if len(bands) == 0 {
		t.Fatal("the measured month has no bands")
	}
	calib := xlsxRows(t, br, "/console/models?export=xlsx&table=calibration")
	if len(calib) != len(bands)+1 {
		t.Fatalf("calibration export has %d rows, want a heading and %d bands", len(calib), len(bands))
	}
	for k, bd := range bands {
		r := calib[k+1]
		if mustInt(t, r[0]) != bd.Band+1 || mustInt(t, r[2]) != bd.Loans || mustInt(t, r[3]) != bd.Bads ||
			!near(mustFloat(t, r[4]), bd.MeanPD) || !near(mustFloat(t, r[5]), bd.BadRate) {
			t.Errorf("calibration row %v, want band %d loans %d bads %d mean PD %v bad rate %v", r, bd.Band+1, bd.Loans, bd.Bads, bd.MeanPD, bd.BadRate)
		}
	}
	label := fmt.Sprintf("%04d-%02d", last.Month/12, last.Month%12+1)
	body := br.page("/console/models")
	for _, want := range []string{"分数段校准", label + " 回测", "转入不良"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if strings.Contains(body, "不按月保存") {
		t.Error("the page still says calibration is not kept")
	}
	if err := db.SetLanguage(mgr, "en"); err != nil {
		t.Fatal(err)
	}
	body = br.page("/console/models")
	for _, want := range []string{"Calibration by score band", "The back-test of " + label, "non-performing"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English page does not say %q", want)
		}
	}
}
