package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web/api"
)

// daihou report rate-cap and the options behind it, in process: FIX sets
// its penalty rate at 12 %, DEF leaves it to 1.5 × the contract rate; the
// cap is 4 × 3 % until rate.lpr says otherwise.
func TestReportRateCapCommand(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	db := storetest.OpenPath(t, dsn)
	ctx := storetest.Ctx()
	fixed := servicing.DefaultProduct("FIX")
	fixed.PenaltyRate = money.MustParseRate("0.12")
	for _, p := range []servicing.Product{fixed, servicing.DefaultProduct("DEF")} {
		if _, err := db.PutProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	start := civil.MustParse("2026-01-10")
	if err := db.OpenBook(ctx, start); err != nil {
		t.Fatal(err)
	}
	var in []store.NewLoan
	for i, l := range []struct{ number, product, rate string }{
		{"L-AT", "FIX", "0.12"},
		{"L-OVER", "FIX", "0.125"},
		{"L-PEN", "DEF", "0.10"},
		{"L-LOW", "DEF", "0.06"},
	} {
		in = append(in, store.NewLoan{Line: i + 2, Borrower: servicing.Borrower{ExternalID: "B" + l.number, Name: "王五"},
			Loan: servicing.Loan{ExternalID: l.number, Product: l.product, Principal: money.MustParseAmount("12000"), Rate: money.MustParseRate(l.rate),
				Term: 12, Disbursed: start, Branch: "BJ01"}})
	}
	if res, err := db.AddLoans(ctx, store.Source{Name: "cli", Rows: len(in)}, in); err != nil || len(res.Rejects) > 0 {
		t.Fatalf("AddLoans: %v %v", err, res.Rejects)
	}
	ok := func(args ...string) string {
		t.Helper()
		out, errs, code := run(t, dsn, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d %s", strings.Join(args, " "), code, errs)
		}
		return out
	}
	refused := func(want int, args ...string) string {
		t.Helper()
		out, errs, code := run(t, dsn, args...)
		if code != want {
			t.Errorf("%s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return errs
	}

	want := `Legal rate cap 12.00 % = 4 × LPR 3.00 %

2 loans exceed it

    loan  product     rate  penalty rate  annual cost  fees             exceeds
  L-OVER      FIX  12.50 %       12.00 %      12.50 %  0.00  interest by 0.50 %
   L-PEN      DEF  10.00 %       15.00 %      10.00 %  0.00   penalty by 3.00 %

  product  loans over  interest  penalty  annual cost
      DEF           1         0        1            0
      FIX           1         1        0            0
    total           2                                
`
	if got := ok("report", "rate-cap"); got != want {
		t.Errorf("report rate-cap:\n%s\nwant:\n%s", got, want)
	}
	out := ok("report", "rate-cap", "--json", "--limit", "1")
	var rep api.RateCapReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if rep.Total != 2 || len(rep.Loans) != 1 || rep.Loans[0].Number != "L-OVER" || rep.Cap.Rate.String() != "0.12" ||
		len(rep.Loans[0].Over) != 1 || rep.Loans[0].Over[0].What != "interest" || rep.Loans[0].Over[0].By.String() != "0.005" {
		t.Errorf("--json --limit 1: got %s", out)
	}
	refused(2, "report", "rate-cap", "--limit", "-1")
	refused(2, "report", "rate-cap", "extra")

	// The options: checked before they are stored, and the cap follows.
	if got := ok("config", "get", "collection.jurisdiction"); got != "CN\n" {
		t.Errorf("config get collection.jurisdiction: %q, want CN", got)
	}
	refused(2, "config", "set", "collection.jurisdiction", "UK")
	refused(2, "config", "set", "rate.lpr", "0")
	refused(2, "config", "set", "rate.cap-multiple", "11")
	ok("config", "set", "collection.jurisdiction", "US")
	ok("config", "set", "rate.lpr", "0.035")
	if got := ok("report", "rate-cap"); !strings.HasPrefix(got, "Legal rate cap 14.00 % = 4 × LPR 3.50 %\n") || !strings.Contains(got, "1 loan exceeds it") || !strings.Contains(got, "L-PEN") || strings.Contains(got, "L-OVER") {
		t.Errorf("with rate.lpr 0.035:\n%s", got)
	}
	ok("config", "set", "rate.cap-multiple", "5")
	if got := ok("report", "rate-cap"); !strings.Contains(got, "cap 17.50 % = 5 × LPR 3.50 %\n\nNo loan exceeds it.") {
		t.Errorf("with 5 × 3.5 %%:\n%s", got)
	}
	list := ok("config", "list")
	for _, s := range []string{"collection.jurisdiction = US  (default CN)", "rate.lpr = 0.035  (default 0.03)", "rate.cap-multiple = 5  (default 4)", "一年期贷款市场报价利率", "民间借贷利率上限"} {
		if !strings.Contains(list, s) {
			t.Errorf("config list does not show %q:\n%s", s, list)
		}
	}

	// Only readers of reports.
	storetest.Users(t, db, "dave=collector", "erin=auditor")
	refused(6, "report", "rate-cap", "--as", "dave")
	ok("report", "rate-cap", "--as", "erin")
}
