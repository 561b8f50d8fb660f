package store_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/compliance"
	"daihou/config"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// rateCapBook adds two products and loans on either side of the default
// cap, 12 %, and returns the loan ids by number. FIX sets its own penalty
// rate, at the cap; DEF leaves it to 1.5 × the contract rate.
func rateCapBook(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := storetest.Ctx()
	fixed := servicing.DefaultProduct("FIX")
	fixed.PenaltyRate = money.MustParseRate("0.12")
	def := servicing.DefaultProduct("DEF")
	for _, p := range []servicing.Product{fixed, def} {
		if _, err := db.PutProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	start := day("2026-01-10")
	if err := db.OpenBook(ctx, start); err != nil {
		t.Fatal(err)
	}
	loan := func(number, product, rate string, method schedule.Method, principal string) store.NewLoan {
		return store.NewLoan{
			Borrower: servicing.Borrower{ExternalID: "B-" + number, Name: "李四"},
			Loan: servicing.Loan{ExternalID: number, Product: product, Principal: money.MustParseAmount(principal), Rate: money.MustParseRate(rate),
				Term: 12, Method: method, Disbursed: start, Branch: "BJ01"},
		}
	}
	in := []store.NewLoan{
		loan("AT-CAP", "FIX", "0.12", schedule.EqualInstallment, "12000"),
		loan("OVER-1", "FIX", "0.1200000001", schedule.EqualInstallment, "12000"), // one unit over
		loan("LOW", "FIX", "0.0435", schedule.EqualInstallment, "12000"),
		// 10,000.00 for 365 days at 10 %: 200.00 of fees is 2 %, the cap.
		loan("FEES-AT-CAP", "FIX", "0.10", schedule.Bullet, "10000"),
		loan("FEES-OVER", "FIX", "0.10", schedule.Bullet, "10000"),
		loan("FEES-SMALL", "FIX", "0.11", schedule.EqualInstallment, "12000"),
		loan("PEN-AT-CAP", "DEF", "0.08", schedule.EqualInstallment, "12000"), // 1.5 × 8 % = 12 %
		loan("PEN-OVER-1", "DEF", "0.0800000001", schedule.EqualInstallment, "12000"),
		loan("PEN-OVER", "DEF", "0.10", schedule.EqualInstallment, "12000"), // 15 %
		loan("RESTRUCTURED", "FIX", "0.10", schedule.EqualInstallment, "12000"),
	}
	for i := range in {
		in[i].Line = i + 2
	}
	res, err := db.AddLoans(ctx, store.Source{Name: "ratecap", Rows: len(in)}, in)
	if err != nil || len(res.Rejects) > 0 {
		t.Fatalf("AddLoans: %v %v", err, res.Rejects)
	}
	ids := map[string]int64{}
	for i, l := range in {
		ids[l.Loan.ExternalID] = res.IDs[i]
	}
	post := func(tx servicing.Tx) {
		t.Helper()
		if _, _, err := db.Post(ctx, tx); err != nil {
			t.Fatalf("post %+v: %v", tx, err)
		}
	}
	fee := func(number, amount, ref string) {
		post(servicing.Tx{LoanID: ids[number], Kind: servicing.FeeCharge, ValueDate: start, Amount: money.MustParseAmount(amount), Reference: ref})
	}
	fee("FEES-AT-CAP", "200.00", "F1")
	// 250.00 charged, 49.99 waived: 200.01 net, 2.0001 %, so 12.0001 %.
	fee("FEES-OVER", "200.00", "F2")
	fee("FEES-OVER", "50.00", "F3")
	post(servicing.Tx{LoanID: ids["FEES-OVER"], Kind: servicing.Waiver, Component: servicing.Fee, ValueDate: start, Amount: money.MustParseAmount("49.99")})
	fee("FEES-SMALL", "1.00", "F4")
	post(servicing.Tx{LoanID: ids["RESTRUCTURED"], Kind: servicing.Restructure, ValueDate: start, NewRate: money.MustParseRate("0.13"), NewTerm: 12, NewMethod: schedule.EqualInstallment})
	return ids
}

// offenders returns the numbers of the loans a report lists.
func offenders(rep store.RateCapReport) []string {
	var out []string
	for _, l := range rep.Loans {
		out = append(out, l.Number)
	}
	return out
}

// The report lists exactly the loans over the cap, each with what
// exceeds it and by how much, counts them by product, and follows the
// configured LPR and multiple.
func TestRateCapReport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := rateCapBook(t, db)
		ctx := storetest.Ctx()
		rep, err := db.RateCapReport(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if want := compliance.RateCap(compliance.DefaultLPR, compliance.LPRMultiple); rep.Cap != want {
			t.Errorf("got cap %+v, want the default %+v", rep.Cap, want)
		}
		r := money.MustParseRate
		check := func(rate, penalty, cost string, over ...compliance.Excess) compliance.CapCheck {
			return compliance.CapCheck{Cap: rep.Cap, Rate: r(rate), Penalty: r(penalty), Cost: r(cost), Over: over}
		}
		want := []store.RateCapLoan{
			{ID: ids["OVER-1"], Number: "OVER-1", Product: "FIX", Check: check("0.1200000001", "0.12", "0.1200000001",
				compliance.Excess{What: compliance.OverInterest, Rate: r("0.1200000001"), By: r("0.0000000001")})},
			{ID: ids["FEES-OVER"], Number: "FEES-OVER", Product: "FIX", Fees: money.MustParseAmount("200.01"), Check: check("0.10", "0.12", "0.120001",
				compliance.Excess{What: compliance.OverCost, Rate: r("0.120001"), By: r("0.000001")})},
			{ID: ids["PEN-OVER-1"], Number: "PEN-OVER-1", Product: "DEF", Check: check("0.0800000001", "0.1200000002", "0.0800000001",
				compliance.Excess{What: compliance.OverPenalty, Rate: r("0.1200000002"), By: r("0.0000000002")})},
			{ID: ids["PEN-OVER"], Number: "PEN-OVER", Product: "DEF", Check: check("0.10", "0.15", "0.10",
				compliance.Excess{What: compliance.OverPenalty, Rate: r("0.15"), By: r("0.03")})},
			// The restructuring's 13 % is the rate in force.
			{ID: ids["RESTRUCTURED"], Number: "RESTRUCTURED", Product: "FIX", Check: check("0.13", "0.12", "0.13",
				compliance.Excess{What: compliance.OverInterest, Rate: r("0.13"), By: r("0.01")})},
		}
		slices.SortFunc(want, func(a, b store.RateCapLoan) int { return int(a.ID - b.ID) })
		if diff := cmp.Diff(want, rep.Loans); diff != "" {
			t.Errorf("offenders (-want +got):\n%s", diff)
		}
		if rep.Total != len(want) {
			t.Errorf("got total %d, want %d", rep.Total, len(want))
		}
		wantProducts := []store.RateCapProduct{
			{Product: "DEF", Loans: 2, Penalty: 2},
			{Product: "FIX", Loans: 3, Interest: 2, Cost: 1},
		}
		if diff := cmp.Diff(wantProducts, rep.Products); diff != "" {
			t.Errorf("by product (-want +got):\n%s", diff)
		}

		// A limit lists fewer and still counts all.
		rep2, err := db.RateCapReport(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := offenders(rep2); !slices.Equal(got, offenders(rep)[:2]) || rep2.Total != rep.Total || !cmp.Equal(rep2.Products, rep.Products) {
			t.Errorf("limit 2: got %v, total %d, %+v; want the first two of %v and the same counts", got, rep2.Total, rep2.Products, offenders(rep))
		}
		if _, err := db.RateCapReport(ctx, -1); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("limit -1: got %v, want EINVALID", err)
		}

		// A higher LPR raises the cap to 4 × 3.45 % = 13.8 %: only the
		// 15 % penalty is still over.
		if err := db.SetOption(ctx, config.LPR, "0.0345"); err != nil {
			t.Fatal(err)
		}
		rep, err = db.RateCapReport(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Cap.Rate(); got != r("0.138") {
			t.Errorf("with rate.lpr 0.0345: got cap %s, want 0.138", got)
		}
		if got, want := offenders(rep), []string{"PEN-OVER"}; !slices.Equal(got, want) {
			t.Errorf("with rate.lpr 0.0345: got %v, want %v", got, want)
		}
		// A lower one, 2.5 % × 4 = 10 %, brings in every loan of FIX, whose
		// penalty rate is 12 %, and of DEF those whose rate × 1.5 is
		// above 10 %.
		if err := db.SetOption(ctx, config.LPR, "0.025"); err != nil {
			t.Fatal(err)
		}
		rep, err = db.RateCapReport(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := offenders(rep), []string{"AT-CAP", "OVER-1", "LOW", "FEES-AT-CAP", "FEES-OVER", "FEES-SMALL", "PEN-AT-CAP", "PEN-OVER-1", "PEN-OVER", "RESTRUCTURED"}; !slices.Equal(got, want) {
			t.Errorf("with rate.lpr 0.025: got %v, want %v", got, want)
		}
		// And the multiple moves it too: 10 × 2.5 % = 25 %.
		if err := db.SetOption(ctx, config.CapMultiple, "10"); err != nil {
			t.Fatal(err)
		}
		if rep, err = db.RateCapReport(ctx, 100); err != nil || rep.Total != 0 || rep.Cap.Multiple != 10 {
			t.Errorf("with 10 × 2.5 %%: got %v (cap %+v), %v; want none over", offenders(rep), rep.Cap, err)
		}
	})
}

// Only readers of reports get it, and the book they may see.
func TestRateCapReportAccess(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		rateCapBook(t, db)
		as := storetest.Users(t, db, "boss=manager", "col=collector", "am=account-manager")
		for _, who := range []string{"col", "am"} {
			if _, err := db.RateCapReport(as[who], 10); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
				t.Errorf("%s: got %v, want EUNAUTHORIZED", who, err)
			}
		}
		rep, err := db.RateCapReport(as["boss"], 10)
		if err != nil || rep.Total != 5 {
			t.Errorf("manager: got %d, %v; want the 5 offenders", rep.Total, err)
		}
	})
}

// The jurisdiction is an option kept where the compliance guard reads it.
func TestConfigJurisdiction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ctx := storetest.Ctx()
		if v, err := db.Option(ctx, config.Jurisdiction); err != nil || v != "CN" {
			t.Errorf("default: got %q, %v; want CN", v, err)
		}
		if err := db.SetOption(ctx, config.Jurisdiction, "UK"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("UK: got %v, want EINVALID", err)
		}
		if err := db.SetOption(ctx, config.Jurisdiction, "US"); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Option(ctx, config.Jurisdiction); err != nil || v != "US" {
			t.Errorf("got %q, %v; want US", v, err)
		}
		if v, err := db.Setting(ctx, "collection.jurisdiction"); err != nil || v != "US" {
			t.Errorf("setting collection.jurisdiction: got %q, %v; want US", v, err)
		}
		if err := db.SetOption(ctx, config.LPR, "1"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("rate.lpr 1: got %v, want EINVALID", err)
		}
	})
}
