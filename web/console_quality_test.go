package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"daihou/classification"
	"daihou/config"
	"daihou/eod"
	"daihou/money"
	"daihou/report"
	"daihou/servicing"
	"daihou/store/storetest"
)

// qualityKPI returns the text of the overview's KPI id.
func qualityKPI(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="kpi-` + regexp.QuoteMeta(id) + `"><span>[^<]*</span><b>([^<]*)</b>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page has no KPI %s", id)
	}
	return html.UnescapeString(m[1])
}

func qualityPct(f float64) string { return strconv.FormatFloat(f*100, 'f', 2, 64) + "%" }

// qualityOutstanding sums the active balance of the portfolio cells keep keeps.
func qualityOutstanding(a *eod.Aggregates, keep func(eod.PortfolioKey) bool) money.Amount {
	var sum money.Amount
	for k, c := range a.Portfolio {
		if k.Status == servicing.StatusActive && keep(k) {
			sum += c.Outstanding
		}
	}
	return sum
}

// qualityXLSX downloads table id of path as xlsx and returns its rows.
func qualityXLSX(t *testing.T, br *browser, path, id string) [][]string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	res, body := br.get(path + sep + "export=xlsx&table=" + id)
	if res.StatusCode != 200 {
		t.Fatalf("export %s of %s: %d %.300s", id, path, res.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("the xlsx of %s does not open: %v", id, err)
	}
	defer f.Close()
	rows, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func qualityNum(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

// The overview shows the report's figures of the last close; a product,
// branch or region filter shows the sum of its cells; an unknown value is
// named with what exists; SQL in a filter is only text.
func TestConsoleOverviewFigures(t *testing.T) {
	b := newConsoleBook(t, nil)
	ctx := context.Background()
	d, err := b.db.LastClose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Read(ctx, b.db, d)
	if err != nil {
		t.Fatal(err)
	}
	at, err := b.db.Aggregates(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	br := b.login(t, "mgr")
	body := br.page("/console/")
	for id, want := range map[string]string{
		"outstanding": rep.Portfolio.Outstanding.Grouped(),
		"npl":         qualityPct(rep.Portfolio.NPLRatio),
		"coverage":    qualityPct(rep.Portfolio.Coverage),
		"m1":          qualityPct(rep.Portfolio.PastDueRatio),
	} {
		if got := qualityKPI(t, body, id); got != want {
			t.Errorf("overview %s: got %s, want %s (report.Read)", id, got, want)
		}
	}
	for _, id := range []string{"chart-trend_ratios", "chart-classes", "chart-buckets", "table-warnings", "table-trend"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("the overview has no %s", id)
		}
	}

	t.Run("product", func(t *testing.T) {
		for _, p := range rep.Products {
			want := qualityOutstanding(at, func(k eod.PortfolioKey) bool { return k.Product == p.Product })
			body := br.page("/console/?product=" + url.QueryEscape(p.Product))
			if got := qualityKPI(t, body, "outstanding"); got != want.Grouped() {
				t.Errorf("product %s: outstanding %s, want the sum of its cells %s", p.Product, got, want.Grouped())
			}
		}
	})
	t.Run("region", func(t *testing.T) {
		v, err := b.db.Option(ctx, config.Regions)
		if err != nil {
			t.Fatal(err)
		}
		regions, err := config.ParseRegions(v)
		if err != nil || len(regions) < 2 {
			t.Fatalf("gen set org.regions to %q (%v), want the generator's regions", v, err)
		}
		for _, rg := range regions[:3] {
			in := map[string]bool{}
			var sum money.Amount
			for _, br1 := range rg.Branches {
				in[br1] = true
				body := br.page("/console/?branch=" + url.QueryEscape(br1))
				a, _ := money.ParseAmount(strings.ReplaceAll(qualityKPI(t, body, "outstanding"), ",", ""))
				sum += a
			}
			want := qualityOutstanding(at, func(k eod.PortfolioKey) bool { return in[k.Branch] })
			body := br.page("/console/?region=" + url.QueryEscape(rg.Name))
			if got := qualityKPI(t, body, "outstanding"); got != want.Grouped() || sum != want {
				t.Errorf("region %s: outstanding %s, its branches' pages sum to %s, its cells to %s", rg.Name, got, sum.Grouped(), want.Grouped())
			}
		}
	})
	t.Run("branch outside region", func(t *testing.T) {
		body := br.page("/console/?region=" + url.QueryEscape("北京") + "&branch=SH01")
		if got := qualityKPI(t, body, "outstanding"); got != "0.00" || qualityKPI(t, body, "warnings") != "0" {
			t.Errorf("北京's branch SH01 (a Shanghai branch): outstanding %s, warnings %s; want none", got, qualityKPI(t, body, "warnings"))
		}
	})
	t.Run("officer", func(t *testing.T) {
		codes, err := b.db.Officers(b.as["mgr"], "", 1)
		if err != nil || len(codes) != 1 {
			t.Fatalf("officers: %v %v", codes, err)
		}
		recs, err := b.db.Records(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		// An independent reading: a copy of the same generated book.
		raw, err := sql.Open("sqlite", "file:"+storetest.Gen(t, storetest.GenConfig))
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.QueryContext(ctx, `SELECT id FROM loans WHERE officer = ?`, codes[0])
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		var want money.Amount
		for _, id := range ids {
			if r := recs[id]; r.Status == servicing.StatusActive {
				want += r.Outstanding
			}
		}
		body := br.page("/console/?officer=" + url.QueryEscape(codes[0]))
		if got := qualityKPI(t, body, "outstanding"); got != want.Grouped() {
			t.Errorf("officer %s: outstanding %s, want %s from their %d loans", codes[0], got, want.Grouped(), len(ids))
		}
		if strings.Contains(body, `id="chart-trend_ratios"`) {
			t.Errorf("an officer's overview draws trends, which are not kept per officer")
		}
	})
	t.Run("unknown", func(t *testing.T) {
		res, body := br.get("/console/?product=NO-SUCH-PRODUCT")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "NO-SUCH-PRODUCT") || !strings.Contains(body, rep.Products[0].Product) {
			t.Errorf("unknown product: %d, want 422 naming it and the products (%s); %.400s", res.StatusCode, rep.Products[0].Product, qualityFlash(body))
		}
		if got := qualityKPI(t, body, "outstanding"); got != rep.Portfolio.Outstanding.Grouped() {
			t.Errorf("with an unknown product the overview shows %s, want the whole book %s", got, rep.Portfolio.Outstanding.Grouped())
		}
	})
	t.Run("sql", func(t *testing.T) {
		before, err := b.db.Records(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/console/", "/console/quality", "/console/reports/five-tier"} {
			for _, field := range []string{"product", "branch", "region", "officer", "month"} {
				for _, evil := range []string{`' OR '1'='1`, `x'; DROP TABLE loans; --`, `%`, `BJ01-0_`, `<script>alert(1)</script>`} {
					// The overview has no month; the monthly pages no officer.
					ignored := (field == "month" && path == "/console/") || (field == "officer" && path != "/console/")
					res, body := br.get(path + "?" + field + "=" + url.QueryEscape(evil))
					if want := map[bool]int{false: http.StatusUnprocessableEntity, true: http.StatusOK}[ignored]; res.StatusCode != want {
						t.Errorf("%s %s=%q: %d, want %d", path, field, evil, res.StatusCode, want)
					}
					if strings.Contains(body, "<script>alert") {
						t.Errorf("%s %s=%q echoes markup unescaped", path, field, evil)
					}
				}
			}
		}
		after, err := b.db.Records(ctx, nil)
		if err != nil || len(after) != len(before) {
			t.Errorf("loans after the filters: %d (%v), before %d", len(after), err, len(before))
		}
		codes, _ := b.db.Officers(b.as["mgr"], "", 1)
		br.page("/console/?officer=" + url.QueryEscape(codes[0])) // the loans table is still there
	})
}

func qualityFlash(body string) string {
	if m := regexp.MustCompile(`(?s)<p class="flash error"[^>]*>(.*?)</p>`).FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return "(no message)"
}

// The regulator's sheet: the classes sum to the total, NPL is 次级 + 可疑 +
// 损失, the xlsx export holds the page's numbers and they are the
// report's.
func TestConsoleFiveTierSheet(t *testing.T) {
	b := newConsoleBook(t, nil)
	ctx := context.Background()
	d, _ := b.db.LastClose(ctx)
	rep, err := report.Read(ctx, b.db, d)
	if err != nil {
		t.Fatal(err)
	}
	br := b.login(t, "risk")
	body := br.page("/console/reports/five-tier")
	for _, want := range []string{"正常", "关注", "次级", "可疑", "损失", "不良贷款合计", "合计", qualityPct(rep.Portfolio.NPLRatio), qualityPct(rep.Portfolio.Coverage)} {
		if !strings.Contains(body, want) {
			t.Errorf("the five-tier sheet lacks %q", want)
		}
	}
	rows := qualityXLSX(t, br, "/console/reports/five-tier", "five-tier")
	if len(rows) != 8 {
		t.Fatalf("the xlsx has %d rows, want a heading, 5 classes, NPL and total: %v", len(rows), rows)
	}
	var loans, bal, ecl [8]float64
	for i := 1; i < 8; i++ {
		loans[i], bal[i], ecl[i] = qualityNum(t, rows[i][1]), qualityNum(t, rows[i][2]), qualityNum(t, rows[i][4])
	}
	near := func(a, b float64) bool { return a-b < 0.005 && b-a < 0.005 }
	var sl, sb, se float64
	for i := 1; i <= 5; i++ {
		sl, sb, se = sl+loans[i], sb+bal[i], se+ecl[i]
		line := rep.Classes[i-1]
		if int64(loans[i]) != line.Loans || !near(bal[i], qualityNum(t, line.Outstanding.String())) {
			t.Errorf("xlsx %s: %v loans %.2f, the report %d %s", rows[i][0], loans[i], bal[i], line.Loans, line.Outstanding)
		}
	}
	if sl != loans[7] || !near(sb, bal[7]) || !near(se, ecl[7]) {
		t.Errorf("classes sum to %v loans %.2f balance %.2f ECL, the total row says %v %.2f %.2f", sl, sb, se, loans[7], bal[7], ecl[7])
	}
	if loans[6] != loans[3]+loans[4]+loans[5] || !near(bal[6], bal[3]+bal[4]+bal[5]) || !near(bal[6], qualityNum(t, rep.Portfolio.NPLBalance.String())) {
		t.Errorf("NPL row %v %.2f, want 次级+可疑+损失 %v %.2f (report %s)", loans[6], bal[6], loans[3]+loans[4]+loans[5], bal[3]+bal[4]+bal[5], rep.Portfolio.NPLBalance)
	}
	if !near(bal[7], qualityNum(t, rep.Portfolio.Outstanding.String())) || !near(ecl[7], qualityNum(t, rep.Portfolio.ECL.String())) {
		t.Errorf("total %.2f ECL %.2f, the report %s %s", bal[7], ecl[7], rep.Portfolio.Outstanding, rep.Portfolio.ECL)
	}
	// The page shows what the file holds.
	for i := 1; i < 8; i++ {
		if !strings.Contains(body, money.Amount(int64(bal[i]*100+0.5)).Grouped()) {
			t.Errorf("the page does not show %s's balance %.2f", rows[i][0], bal[i])
		}
	}
	ratios := qualityXLSX(t, br, "/console/reports/five-tier", "ratios")
	if len(ratios) != 3 || !near(qualityNum(t, ratios[1][1]), rep.Portfolio.NPLRatio) || !near(qualityNum(t, ratios[2][1]), rep.Portfolio.Coverage) {
		t.Errorf("ratios xlsx %v, want NPL %v coverage %v", ratios, rep.Portfolio.NPLRatio, rep.Portfolio.Coverage)
	}
}

// The migration matrix of a month: each row's loans are the loans active
// in that class at the previous month end, by the aggregates of that
// date; the page speaks both languages; a collector may not read it.
func TestConsoleQuality(t *testing.T) {
	b := newConsoleBook(t, nil)
	ctx := context.Background()
	ends, err := b.db.MonthEnds(ctx)
	if err != nil || len(ends) < 2 {
		t.Fatalf("month ends %v %v", ends, err)
	}
	br := b.login(t, "mgr")
	for _, i := range []int{len(ends) - 1, len(ends) - 4} {
		cur, prev := ends[i], ends[i-1]
		month := report.MonthName(cur.MonthIndex())
		pa, err := b.db.Aggregates(ctx, prev)
		if err != nil {
			t.Fatal(err)
		}
		want := map[classification.Class]int64{}
		for k, c := range pa.Portfolio {
			if k.Status == servicing.StatusActive {
				want[k.Class] += c.Loans
			}
		}
		body := br.page("/console/quality?month=" + month)
		if !strings.Contains(body, `value="`+month+`" selected`) {
			t.Errorf("the month select does not show %s", month)
		}
		rows := qualityXLSX(t, br, "/console/quality?month="+month, "migration-loans")
		if len(rows) != 6 {
			t.Fatalf("migration matrix of %s: %d rows %v", month, len(rows), rows)
		}
		var moved int64
		for c := classification.Normal; c <= classification.Loss; c++ {
			row := rows[c]
			total := int64(qualityNum(t, row[len(row)-1]))
			var sum int64
			for _, x := range row[1 : len(row)-1] {
				sum += int64(qualityNum(t, x))
			}
			if total != want[c] || sum != total {
				t.Errorf("%s %s: row total %d (cells sum to %d), want %d loans in the class at %v", month, row[0], total, sum, want[c], prev)
			}
			moved += sum - int64(qualityNum(t, row[c]))
		}
		if moved == 0 {
			t.Errorf("%s: no loan left its class, settled or was written off: the matrix is only a diagonal", month)
		}
	}
	// The roll rates and vintage curves are the report's of the month end.
	last := ends[len(ends)-1]
	rep, err := report.Read(ctx, b.db, last)
	if err != nil {
		t.Fatal(err)
	}
	roll := qualityXLSX(t, br, "/console/quality", "roll")
	if rep.Roll == nil || len(roll) != len(rep.Roll.Rows)+1 {
		t.Fatalf("roll table %v, the report's %+v", roll, rep.Roll)
	}
	for i, x := range rep.Roll.Rows {
		if roll[i+1][0] != x.From || int64(qualityNum(t, roll[i+1][1])) != x.Loans || qualityNum(t, roll[i+1][3])-x.Roll > 1e-9 || x.Roll-qualityNum(t, roll[i+1][3]) > 1e-9 {
			t.Errorf("roll row %v, the report's %+v", roll[i+1], x)
		}
	}
	v30 := qualityXLSX(t, br, "/console/quality", "vintage30")
	if len(v30) != len(rep.Vintages)+1 {
		t.Fatalf("vintage table has %d rows, the report %d vintages", len(v30)-1, len(rep.Vintages))
	}
	for i, v := range rep.Vintages {
		row := v30[len(rep.Vintages)-i] // oldest first on the page, newest first in the report
		if row[0] != v.Vintage {
			t.Fatalf("vintage row %v, want %s", row, v.Vintage)
		}
		for m, e := range v.Ever30 {
			if e != nil && (3+m >= len(row) || qualityNum(t, row[3+m])-*e > 1e-9 || *e-qualityNum(t, row[3+m]) > 1e-9) {
				t.Errorf("vintage %s MOB %d: %v, the report %v", v.Vintage, m+1, row, *e)
			}
		}
	}
	body := br.page("/console/quality")
	for _, id := range []string{"chart-roll-trend", "chart-vintage30", "chart-vintage90", "chart-by-product", "chart-by-region", "chart-by-branch", "chart-stages", "table-roll", "table-stages"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("the asset-quality page has no %s", id)
		}
	}
	if !strings.Contains(br.page("/console/quality?branch=BJ01"), "只按产品") {
		t.Errorf("a branch filter does not say that roll rates and vintages are by product only")
	}
	if !strings.Contains(body, `href="/console/reports/five-tier"`) {
		t.Errorf("the menu has no five-tier sheet for a manager")
	}

	t.Run("english", func(t *testing.T) {
		res, _ := br.post("/console/lang", url.Values{"lang": {"en"}, "back": {"/console/quality"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to English: %d", res.StatusCode)
		}
		for path, want := range map[string]string{"/console/": "Overview", "/console/quality": "Migration matrix", "/console/reports/five-tier": "Non-performing total"} {
			if body := br.page(path); !strings.Contains(body, want) || strings.Contains(body, "不良贷款合计") {
				t.Errorf("%s in English lacks %q", path, want)
			}
		}
	})
	t.Run("collector", func(t *testing.T) {
		col := b.login(t, "col")
		// Home sends a collector to their own first page, not the figures.
		if res, _ := col.get("/console/"); res.StatusCode != http.StatusSeeOther || strings.Contains(res.Header.Get("Location"), "quality") || strings.Contains(res.Header.Get("Location"), "reports") {
			t.Errorf("a collector GET /console/: %d %s, want a redirect away from the dashboards", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := col.get("/console/?export=xlsx&table=classes"); res.StatusCode == http.StatusOK {
			t.Errorf("a collector exported the overview's five-tier table")
		}
		for _, path := range []string{"/console/quality", "/console/quality?export=xlsx&table=migration-loans", "/console/reports/five-tier", "/console/reports/five-tier?export=xlsx&table=five-tier"} {
			if res, _ := col.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("a collector GET %s: %d, want 403", path, res.StatusCode)
			}
		}
		_, body := col.get("/console/quality")
		if strings.Contains(body, `href="/console/quality"`) || strings.Contains(body, `href="/console/reports/five-tier"`) {
			t.Errorf("a collector's menu offers the dashboards")
		}
	})
}
