package web_test

import (
	"fmt"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/eod"
	"daihou/servicing"
	"daihou/store/storetest"
	"daihou/web"
)

// /metrics reports the book's last close of business, which other
// processes ran, as the run recorded it.
func TestMetricsReportTheLastCloseOfBusiness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		base := start(t, web.New(db, nil))
		if _, metrics := get(t, base+"/metrics"); strings.Contains(metrics, "daihou_eod_last_date_seconds ") {
			t.Errorf("a book never closed reports a close of business:\n%s", grep(metrics, "daihou_eod"))
		}
		storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 6, "")
		d := civil.MustParse("2026-01-10")
		sums, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), d, false)
		if err != nil {
			t.Fatal(err)
		}
		_, metrics := get(t, base+"/metrics")
		for _, want := range []string{
			fmt.Sprintf("daihou_eod_last_date_seconds %g", float64(d.Time().Unix())),
			fmt.Sprintf("daihou_eod_last_loans %d", sums[0].Touched),
			"daihou_eod_last_duration_seconds ",
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %q:\n%s", want, grep(metrics, "daihou_eod"))
			}
		}
	})
}

// grep returns the lines of text that contain s.
func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
