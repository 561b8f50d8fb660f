package store_test

import (
	"testing"

	"daihou/civil"
	"daihou/eod"
	"daihou/store/storetest"
)

// The dashboards' cached portfolio cells follow close of business: a date
// asked for before it is closed has none, and has the close's cells as soon
// as it is closed; an earlier date's cells stay what the aggregates hold.
func TestPortfolioCellsFollowTheClose(t *testing.T) {
	db := storetest.OpenPath(t, storetest.Gen(t, storetest.GenConfig))
	ctx := storetest.Ctx()
	last := storetest.GenConfig.Until
	next := last.AddDays(1)
	before, err := db.PortfolioCells(ctx, []civil.Date{last, next})
	if err != nil {
		t.Fatal(err)
	}
	if len(before[last]) == 0 || len(before[next]) != 0 {
		t.Fatalf("before the close of %v: %d cells on %v, %d on %v", next, len(before[last]), last, len(before[next]), next)
	}
	if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), next, false); err != nil {
		t.Fatal(err)
	}
	after, err := db.PortfolioCells(ctx, []civil.Date{last, next})
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.Aggregates(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(after[next]) == 0 || len(after[next]) != len(want.Portfolio) {
		t.Fatalf("after the close of %v the cache has %d cells for it, the aggregates %d", next, len(after[next]), len(want.Portfolio))
	}
	for k, c := range want.Portfolio {
		if after[next][k] != c {
			t.Errorf("cell %+v: cached %+v, aggregates %+v", k, after[next][k], c)
		}
	}
	prev, err := db.Aggregates(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if len(after[last]) != len(prev.Portfolio) {
		t.Errorf("%v: %d cached cells, %d in the aggregates", last, len(after[last]), len(prev.Portfolio))
	}
}
