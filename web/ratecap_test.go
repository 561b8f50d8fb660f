package web_test

import (
	"encoding/json"
	"testing"

	"daihou"
	"daihou/config"
	"daihou/store/storetest"
	"daihou/web/api"
)

// GET /api/v1/reports/rate-cap over HTTP: the book's five loans are at
// 12 %, the cap, and their product leaves the penalty rate to 1.5 × the
// contract rate, 18 %: each is over by its penalty, by 6 %. A higher LPR
// clears them; a collector may not read the report.
func TestRateCapReportAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		get := func(who, query string, want int) api.RateCapReport {
			t.Helper()
			r := do(t, "GET", b.base+"/api/v1/reports/rate-cap"+query, b.bearer[who], "")
			if r.status != want {
				t.Fatalf("GET rate-cap%s as %s: %s, want %d", query, who, r, want)
			}
			var rep api.RateCapReport
			if want == 200 {
				if err := json.Unmarshal(r.body, &rep); err != nil {
					t.Fatalf("%s: %v", r, err)
				}
			}
			return rep
		}
		rep := get("mgr", "", 200)
		if rep.Cap.Rate.String() != "0.12" || rep.Cap.LPR.String() != "0.03" || rep.Cap.Multiple != 4 {
			t.Errorf("got cap %+v, want 0.12 = 4 × 0.03", rep.Cap)
		}
		if rep.Total != 5 || len(rep.Loans) != 5 {
			t.Fatalf("got %d loans listed of %d, want 5 of 5", len(rep.Loans), rep.Total)
		}
		for _, l := range rep.Loans {
			if l.Rate.String() != "0.12" || l.PenaltyRate.String() != "0.18" || l.AnnualCost.String() != "0.12" || l.Fees != 0 ||
				len(l.Over) != 1 || l.Over[0] != (api.RateCapExcess{What: "penalty", Rate: l.PenaltyRate, By: l.PenaltyRate - rep.Cap.Rate}) {
				t.Errorf("loan %s: got %+v, want over by its 18 %% penalty only", l.Number, l)
			}
		}
		if len(rep.Products) != 1 || rep.Products[0] != (api.RateCapProduct{Product: "CL", Loans: 5, Penalty: 5}) {
			t.Errorf("got products %+v, want CL: 5 over by penalty", rep.Products)
		}
		if rep := get("aud", "?limit=2", 200); len(rep.Loans) != 2 || rep.Total != 5 || rep.Loans[0].Number != "TL0" {
			t.Errorf("limit=2: got %d loans of %d, first %+v; want TL0 and TL1 of 5", len(rep.Loans), rep.Total, rep.Loans)
		}
		for _, q := range []string{"?limit=-1", "?limit=10001", "?limit=x"} {
			problem(t, "limit "+q, do(t, "GET", b.base+"/api/v1/reports/rate-cap"+q, b.bearer["risk"], ""), 400, daihou.EINVALID)
		}
		for _, who := range []string{"col", "am", "core"} {
			problem(t, who, do(t, "GET", b.base+"/api/v1/reports/rate-cap", b.bearer[who], ""), 403, daihou.EUNAUTHORIZED)
		}
		// 4 × 4.5 % = 18 %: the penalty is at the cap, within it.
		if err := b.db.SetOption(b.as["admin"], config.LPR, "0.045"); err != nil {
			t.Fatal(err)
		}
		if rep := get("risk", "", 200); rep.Total != 0 || len(rep.Loans) != 0 || len(rep.Products) != 0 || rep.Cap.Rate.String() != "0.18" {
			t.Errorf("with rate.lpr 0.045: got %+v, want none over 0.18", rep)
		}
	})
}
