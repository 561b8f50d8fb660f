package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"daihou/audit"
	"daihou/auth"
	"daihou/classification"
	"daihou/collection"
	"daihou/loanview"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
)

// storeLoans walks the store's list as ctx sees it, f's filters applied.
func storeLoans(t *testing.T, db *store.DB, ctx context.Context, f store.LoanFilter) []int64 {
	t.Helper()
	f.Limit = 1000
	var out []int64
	for {
		rows, more, err := db.ListLoans(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, r.ID)
		}
		if !more {
			return out
		}
		f.After = rows[len(rows)-1].ID
	}
}

var (
	loanLink = regexp.MustCompile(`<td><a href="/console/loans/(\d+)">`)
	nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
)

// consoleLoans walks the console's loan list from path, page by page
// through its next links, and returns the loans in the order shown.
func consoleLoans(t *testing.T, br *browser, path string) []int64 {
	t.Helper()
	var out []int64
	for pages := 0; path != ""; pages++ {
		if pages > 1000 {
			t.Fatal("the loan list's next links do not end")
		}
		body := br.page(path)
		for _, m := range loanLink.FindAllStringSubmatch(body, -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			out = append(out, id)
		}
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return out
}

// assignSome assigns n loans of the book to the user to and returns them.
func assignSome(t *testing.T, b *consoleBook, to, kind string, skip, n int) []int64 {
	t.Helper()
	all := storeLoans(t, b.db, b.as["risk"], store.LoanFilter{})
	var out []int64
	for _, id := range all[skip : skip+n] {
		if err := b.db.Assign(b.as["mgr"], id, to, kind); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// exportCSV downloads a table of a page as CSV.
func exportCSV(t *testing.T, br *browser, path, table string) [][]string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	res, body := br.get(path + sep + "export=csv&table=" + table)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export %s of %s: %d %s %.300s", table, path, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

var errorMessage = regexp.MustCompile(`id="error-message">([^<]*)<`)

// The list shows a collector exactly the loans assigned to them and a
// branch user exactly their branch's, as the store lists them; a loan
// outside the scope is not found, on the page and on the API alike, in
// the words used for a loan that does not exist.
func TestConsoleLoanScope(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	mine := assignSome(t, b, "col", store.AssignCollection, 10, 3)
	theirs := assignSome(t, b, "col2", store.AssignCollection, 20, 1)[0]

	col := b.login(t, "col")
	if got, want := consoleLoans(t, col, "/console/loans"), storeLoans(t, b.db, b.as["col"], store.LoanFilter{}); !slices.Equal(got, want) || !slices.Equal(got, mine) {
		t.Errorf("the collector's list: %v; the store lists %v, and %v were assigned", got, want, mine)
	}

	br := b.login(t, "branch")
	got := consoleLoans(t, br, "/console/loans")
	want := storeLoans(t, b.db, b.as["branch"], store.LoanFilter{})
	if !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("the branch user's list: %d loans, the store's %d", len(got), len(want))
	}
	if bj := storeLoans(t, b.db, b.as["risk"], store.LoanFilter{Branch: "BJ01"}); !slices.Equal(got, bj) {
		t.Errorf("the branch user's list holds %d loans, and BJ01 has %d", len(got), len(bj))
	}
	for _, row := range exportCSV(t, br, "/console/loans", "loans")[1:] {
		if row[4] != "BJ01" {
			t.Errorf("the branch user's export holds a loan of branch %q: %v", row[4], row)
		}
	}

	tok, _, err := b.db.StartSession(b.as["col"], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ghost := "999999999"
	res, body := col.get("/console/loans/" + ghost)
	if res.StatusCode != 404 {
		t.Fatalf("a loan that does not exist: %d", res.StatusCode)
	}
	none := errorMessage.FindStringSubmatch(body)
	for _, ref := range []string{strconv.FormatInt(theirs, 10), strconv.FormatInt(mine[0]+100, 10)} {
		res, body := col.get("/console/loans/" + ref)
		if res.StatusCode != 404 {
			t.Errorf("GET /console/loans/%s, outside the collector's scope: %d, want 404", ref, res.StatusCode)
			continue
		}
		m := errorMessage.FindStringSubmatch(body)
		if m == nil || none == nil || strings.ReplaceAll(m[1], ref, "ID") != strings.ReplaceAll(none[1], ghost, "ID") {
			t.Errorf("GET /console/loans/%s says %q and a loan that does not exist %q: a collector can tell them apart", ref, m, none)
		}
		if r := do(t, "GET", b.base+"/api/v1/loans/"+ref, tok, ""); r.status != 404 {
			t.Errorf("GET /api/v1/loans/%s as the collector: %s, want 404 as on the console", ref, r)
		}
		if res, _ := col.get("/console/loans/" + ref + "?export=csv&table=schedule"); res.StatusCode != 404 {
			t.Errorf("the schedule export of loan %s outside the scope: %d, want 404", ref, res.StatusCode)
		}
	}
	if r := do(t, "GET", b.base+fmt.Sprintf("/api/v1/loans/%d", mine[0]), tok, ""); r.status != 200 {
		t.Errorf("the collector's own loan on the API: %s", r)
	}
	col.page(fmt.Sprintf("/console/loans/%d", mine[0]))
}

var (
	piiCell   = regexp.MustCompile(`class="(pii-[a-z]+)">([^<]*)<`)
	maskedID  = regexp.MustCompile(`^\d{3}\*{11}[\dX]{4}$`)
	maskedTel = regexp.MustCompile(`^1\d{2}\*{4}\d{4}$`)
)

// pii reads the borrower's fields off a 360° page.
func piiOf(body string) map[string]string {
	out := map[string]string{}
	for _, m := range piiCell.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// A collector sees the borrower's ID number and phone masked and the
// name they speak to plain (pii.DefaultPolicy); an auditor sees all three
// masked; the list and its CSV export hold the masked phone, never the
// plain one.
func TestConsoleLoanMasking(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	loan := assignSome(t, b, "col", store.AssignCollection, 5, 1)[0]
	l, err := b.db.Loan(storetest.Ctx(), loan)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := b.db.Borrower(storetest.Ctx(), l.BorrowerID)
	if err != nil || plain.IDNumber == "" || plain.Phone == "" || plain.Name == "" {
		t.Fatalf("borrower of loan %d: %+v, %v; want one with personal data", loan, plain, err)
	}
	path := fmt.Sprintf("/console/loans/%d", loan)
	for _, c := range []struct {
		who      string
		nameSeen bool
	}{{"col", true}, {"aud", false}, {"risk", false}, {"mgr", false}} {
		body := b.login(t, c.who).page(path)
		got := piiOf(body)
		if !maskedID.MatchString(got["pii-id"]) || !maskedTel.MatchString(got["pii-phone"]) {
			t.Errorf("%s sees ID number %q and phone %q; want them masked (110***********1234, 138****5678)", c.who, got["pii-id"], got["pii-phone"])
		}
		if (got["pii-name"] == plain.Name) != c.nameSeen || got["pii-name"] == "" {
			t.Errorf("%s sees the name as %q (plain %q); plain to them: %v", c.who, got["pii-name"], plain.Name, c.nameSeen)
		}
		if strings.Contains(body, plain.IDNumber) || strings.Contains(body, plain.Phone) {
			t.Errorf("%s's page holds the plain ID number or phone", c.who)
		}
		if strings.Contains(body, `id="reveal"`) {
			t.Errorf("%s, who may not reveal, is offered the reveal form", c.who)
		}
	}
	col := b.login(t, "col")
	list := col.page("/console/loans")
	recs := exportCSV(t, col, "/console/loans", "loans")
	if len(recs) != 2 || recs[1][0] != l.ExternalID {
		t.Fatalf("the collector's export: %v, want the one loan %s", recs, l.ExternalID)
	}
	if !maskedTel.MatchString(recs[1][2]) || recs[1][2] != loanview.Mask(plain, auth.Actor{}, nil).Phone {
		t.Errorf("the export's phone %q, want it masked as %q", recs[1][2], loanview.Mask(plain, auth.Actor{}, nil).Phone)
	}
	for _, s := range []string{list, strings.Join(recs[1], ",")} {
		if strings.Contains(s, plain.Phone) || strings.Contains(s, plain.IDNumber) {
			t.Errorf("the collector's list or export holds plain personal data")
		}
	}
}

// A role that may reveal (legal, on its case) sees the plain values on
// the answer, and the reveal is in the loan's audit trail; a reveal needs
// a reason; a role that may not (a collector) is refused with 403 and
// nothing is recorded.
func TestConsoleLoanReveal(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	loan := assignSome(t, b, "col", store.AssignCollection, 7, 1)[0]
	if err := b.db.Assign(b.as["mgr"], loan, "legal", store.AssignLegal); err != nil {
		t.Fatal(err)
	}
	l, _ := b.db.Loan(storetest.Ctx(), loan)
	plain, err := b.db.Borrower(storetest.Ctx(), l.BorrowerID)
	if err != nil {
		t.Fatal(err)
	}
	reveals := func() int {
		es, err := b.db.AuditEntries(b.as["aud"], audit.LoanObject(loan), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range es {
			if e.Action == string(auth.RevealPersonalData) {
				n++
			}
		}
		return n
	}
	path := fmt.Sprintf("/console/loans/%d", loan)

	col := b.login(t, "col")
	col.page(path)
	res, body := col.post(path+"/reveal", url.Values{"reason": {"the borrower asked for a callback"}})
	if res.StatusCode != http.StatusForbidden || strings.Contains(body, plain.Phone) || strings.Contains(body, plain.IDNumber) {
		t.Errorf("a collector's reveal: %d, plain values shown: %v; want 403 and nothing", res.StatusCode, strings.Contains(body, plain.Phone))
	}
	if n := reveals(); n != 0 {
		t.Errorf("after the collector's refused reveal the trail holds %d reveals", n)
	}

	legal := b.login(t, "legal")
	body = legal.page(path)
	if !strings.Contains(body, `id="reveal"`) {
		t.Errorf("legal, who may reveal on its case, is not offered the form")
	}
	if res, _ := legal.post(path+"/reveal", url.Values{"reason": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a reveal without a reason: %d, want 422", res.StatusCode)
	}
	if res, _ := legal.post(path+"/reveal", url.Values{"reason": {"x"}, "csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a reveal with a forged CSRF token: %d, want 403", res.StatusCode)
	}
	if n := reveals(); n != 0 {
		t.Errorf("after the refused reveals the trail holds %d reveals", n)
	}
	res, body = legal.post(path+"/reveal", url.Values{"reason": {"filing the suit (起诉材料)"}})
	if res.StatusCode != 200 {
		t.Fatalf("legal's reveal: %d %.300s", res.StatusCode, body)
	}
	got := piiOf(body)
	if got["pii-id"] != plain.IDNumber || got["pii-phone"] != plain.Phone || got["pii-name"] != plain.Name {
		t.Errorf("legal's reveal shows %v, want the plain values %q %q %q", got, plain.Name, plain.IDNumber, plain.Phone)
	}
	if n := reveals(); n != 1 {
		t.Errorf("after one reveal the trail holds %d reveals", n)
	}
	if body := legal.page(path); strings.Contains(body, plain.IDNumber) {
		t.Errorf("the 360° page shows the plain ID number again after the reveal")
	}
}

// The 360° page shows the store's figures for the loan: its outstanding,
// its payoff and every installment of its schedule.
func TestConsoleLoanShowMatchesStore(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	ids := storeLoans(t, b.db, b.as["risk"], store.LoanFilter{MinDPD: 1})
	if len(ids) == 0 {
		t.Fatal("the generated book has no overdue loan")
	}
	risk := b.login(t, "risk")
	aud := b.login(t, "aud")
	for _, id := range []int64{ids[0], ids[len(ids)/2]} {
		v, err := loanview.Build(b.as["risk"], b.db, strconv.FormatInt(id, 10), 0)
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/console/loans/%d", id)
		body := risk.page(path)
		for k, want := range map[string]string{"outstanding": v.State.PrincipalOutstanding.Grouped(), "payoff": v.Payoff.Grouped()} {
			if !strings.Contains(body, `id="kpi-`+k+`">`+want+`<`) {
				t.Errorf("loan %d: the page's %s is not the store's %s", id, k, want)
			}
		}
		recs := exportCSV(t, risk, path, "schedule")
		if len(recs)-1 != len(v.Installments) {
			t.Fatalf("loan %d: the schedule shows %d installments, the store has %d", id, len(recs)-1, len(v.Installments))
		}
		for i, in := range v.Installments {
			if row := recs[i+1]; row[0] != strconv.Itoa(in.N) || row[1] != in.DueDate.String() || row[2] != in.Principal.String() || row[4] != in.PaidPrincipal.String() {
				t.Errorf("loan %d installment %d: %v, the store's %+v", id, in.N, row, in.InstallmentState)
			}
		}
		if txs := exportCSV(t, risk, path, "transactions"); len(txs)-1 != len(v.Transactions) {
			t.Errorf("loan %d: %d transactions shown, the store has %d", id, len(txs)-1, len(v.Transactions))
		}
		if strings.Contains(body, `id="table-audit"`) {
			t.Errorf("a risk officer, who may not read the audit trail, is shown it")
		}
		if body := aud.page(path); !strings.Contains(body, `id="table-audit"`) {
			t.Errorf("the auditor is not shown the loan's audit trail")
		}
	}
}

// A search by loan id, loan number, ID number or phone finds the loan;
// the ID number and phone match exactly, through their keyed hashes.
func TestConsoleLoanSearch(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	ctx := storetest.Ctx()
	id := storeLoans(t, b.db, b.as["risk"], store.LoanFilter{})[42]
	l, _ := b.db.Loan(ctx, id)
	bo, _ := b.db.Borrower(ctx, l.BorrowerID)
	var same []int64
	for _, x := range storeLoans(t, b.db, b.as["risk"], store.LoanFilter{}) {
		if o, _ := b.db.Loan(ctx, x); o.BorrowerID == l.BorrowerID {
			same = append(same, x)
		}
	}
	risk := b.login(t, "risk")
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{strconv.FormatInt(id, 10), []int64{id}},
		{l.ExternalID, []int64{id}},
		{" " + l.ExternalID + " ", []int64{id}},
		{bo.IDNumber, same},
		{bo.Phone, same},
		{bo.Phone[:10], nil},
		{"no such loan", nil},
	} {
		if got := consoleLoans(t, risk, "/console/loans?q="+url.QueryEscape(c.q)); !slices.Equal(got, c.want) {
			t.Errorf("search %q: %v, want %v", c.q, got, c.want)
		}
	}
	// The export of a search holds what the search found, not the book.
	for _, q := range []string{l.ExternalID, bo.IDNumber} {
		recs := exportCSV(t, risk, "/console/loans?q="+url.QueryEscape(q), "loans")
		var got []string
		for _, r := range recs[1:] {
			got = append(got, r[0])
		}
		if len(got) == 0 || len(got) > len(same) || !slices.Contains(got, l.ExternalID) {
			t.Errorf("the export of search %q: %v", q, got)
		}
	}
	// A collector's search finds nothing outside their queue.
	if got := consoleLoans(t, b.login(t, "col"), "/console/loans?q="+url.QueryEscape(l.ExternalID)); len(got) != 0 {
		t.Errorf("the collector's search for a loan outside the queue: %v", got)
	}
}

// SQL metacharacters and oversized values in the search box and every
// filter are a clear message or no rows, never a 500, and the book is
// as it was.
func TestConsoleLoanHostileInput(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	count := func() int64 {
		n, err := b.db.CountLoans(storetest.Ctx(), 0, 1<<62)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	risk := b.login(t, "risk")
	for _, p := range []string{"q", "product", "branch", "bucket", "class", "officer", "cursor"} {
		for _, h := range hostile {
			res, body := risk.get("/console/loans?" + p + "=" + url.QueryEscape(h))
			switch res.StatusCode {
			case 200:
				if loanLink.MatchString(body) {
					t.Errorf("%s=%.40q lists loans", p, h)
				}
			case 422:
				if !strings.Contains(body, `role="alert"`) {
					t.Errorf("%s=%.40q: 422 with no message", p, h)
				}
			default:
				t.Errorf("%s=%.40q: %d", p, h, res.StatusCode)
			}
		}
	}
	for _, h := range hostile[:8] {
		if res, _ := risk.get("/console/loans/" + url.PathEscape(h)); res.StatusCode != 404 {
			t.Errorf("GET /console/loans/%.40q: %d, want 404", h, res.StatusCode)
		}
	}
	if after := count(); after != before {
		t.Errorf("the book held %d loans and holds %d", before, after)
	}
}

// Walking the next links shows every loan of a filtered list once, in the
// store's order, and the export streams all of them, beyond the page.
func TestConsoleLoanPaging(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	risk := b.login(t, "risk")
	// The product with the most loans pages several times over in any
	// book the harness builds (a branch may hold too few under the race
	// detector's smaller book).
	big, most := "", 0
	for _, p := range synth.Products() {
		if n := len(storeLoans(t, b.db, b.as["risk"], store.LoanFilter{Product: p.Code})); n > most {
			big, most = p.Code, n
		}
	}
	for _, q := range []string{"?product=" + url.QueryEscape(big), "?branch=BJ01", "?bucket=M1&class=special-mention", "?class=substandard"} {
		f := store.LoanFilter{}
		v, _ := url.ParseQuery(q[1:])
		f.Product, f.Branch, f.Bucket = v.Get("product"), v.Get("branch"), v.Get("bucket")
		if c := v.Get("class"); c != "" {
			f.Class, _ = classification.Parse(c)
		}
		want := storeLoans(t, b.db, b.as["risk"], f)
		got := consoleLoans(t, risk, "/console/loans"+q)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d loans shown, the store lists %d", q, len(got), len(want))
		}
		if v.Get("product") != "" && len(want) <= 2*50 {
			t.Errorf("%s: %d loans, too few to page through", q, len(want))
		}
		if recs := exportCSV(t, risk, "/console/loans"+q, "loans"); len(recs)-1 != len(want) {
			t.Errorf("%s: the export holds %d loans, the list %d", q, len(recs)-1, len(want))
		}
	}
}

// Both languages render the list and the 360° page with no message
// missing.
func TestConsoleLoanLanguages(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	loan := assignSome(t, b, "col", store.AssignCollection, 3, 1)[0]
	for _, c := range []struct{ lang, list, show string }{{"", "贷款查询", "贷款全景"}, {"en", "Loans", "Loan 360°"}} {
		if err := b.db.SetLanguage(b.as["col"], c.lang); err != nil {
			t.Fatal(err)
		}
		col := b.login(t, "col")
		if body := col.page("/console/loans"); !strings.Contains(body, "<h1>"+c.list+"</h1>") {
			t.Errorf("lang %q: the list's title is not %q", c.lang, c.list)
		}
		if body := col.page(fmt.Sprintf("/console/loans/%d", loan)); !strings.Contains(body, "<h1>"+c.show) {
			t.Errorf("lang %q: the 360° page's title is not %q", c.lang, c.show)
		}
	}
}

// The 360° page's work blocks hold what the store has on the loan: its
// tasks, and a contact recorded on one of them, in the user's words.
func TestConsoleLoanShowsWork(t *testing.T) {
	t.Parallel()
	b := newConsoleBook(t, nil)
	tasks, err := b.db.Tasks(b.as["risk"], store.TaskFilter{State: "open", Limit: 1})
	if err != nil || len(tasks) == 0 {
		t.Fatalf("the generated book has no open task: %v", err)
	}
	tk := tasks[0]
	at := time.Date(2026, 3, 27, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if _, err := b.db.RecordOutcome(b.as["risk"], tk.ID, store.Outcome{Outcome: collection.Done, Channel: "letter", At: at, Note: "reminder posted"}); err != nil {
		t.Fatal(err)
	}
	onLoan, err := b.db.Tasks(b.as["risk"], store.TaskFilter{Loan: tk.LoanID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	risk := b.login(t, "risk")
	path := fmt.Sprintf("/console/loans/%d", tk.LoanID)
	if got := exportCSV(t, risk, path, "tasks"); len(got)-1 != len(onLoan) {
		t.Errorf("the tasks block holds %d tasks, the store %d", len(got)-1, len(onLoan))
	}
	cs := exportCSV(t, risk, path, "contacts")
	if len(cs) != 2 || cs[1][1] != "信函" || cs[1][3] != "risk" || cs[1][6] != "reminder posted" {
		t.Errorf("the contacts block: %v, want the one letter risk recorded", cs)
	}
}
