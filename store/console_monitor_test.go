package store_test

import (
	"testing"

	"daihou"
	"daihou/civil"
	"daihou/eod"
	"daihou/store"
	"daihou/store/storetest"
)

// The warning counts add up to the warnings themselves: every warning
// raised in the period once, under its own day, rule, severity and state;
// none outside it; only for those who may read reports.
func TestWarningCountsAddUp(t *testing.T) {
	db := storetest.OpenPath(t, storetest.Gen(t, storetest.GenConfig))
	for d := storetest.GenConfig.Until.AddDays(1); !d.After(civil.MustParse("2026-03-31")); d = d.AddDays(1) {
		if _, err := (&eod.Runner{Store: db}).Close(storetest.EOD(), d, false); err != nil {
			t.Fatal(err)
		}
	}
	as := storetest.Users(t, db, "mgr=manager", "col=collector")
	from, to := civil.MustParse("2026-03-28"), civil.MustParse("2026-03-31")
	got, err := db.WarningCounts(as["mgr"], from, to)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := db.Warnings(as["mgr"], store.WarningFilter{From: from, To: to, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) == 0 {
		t.Fatal("the closes raised no warning: nothing to count")
	}
	type key struct{ day, rule, sev, state string }
	want := map[key]int64{}
	for _, w := range ws {
		want[key{w.Raised.String(), w.Rule, w.Severity.String(), w.State.String()}]++
	}
	var total int64
	for _, c := range got {
		k := key{c.Raised.String(), c.Rule, c.Severity.String(), c.State.String()}
		if c.Count != want[k] {
			t.Errorf("%v: %d warnings, want %d", k, c.Count, want[k])
		}
		if c.Raised.Before(from) || c.Raised.After(to) {
			t.Errorf("%v is outside %v … %v", k, from, to)
		}
		total += c.Count
	}
	if total != int64(len(ws)) {
		t.Errorf("counts add up to %d, want %d warnings", total, len(ws))
	}
	if _, err := db.WarningCounts(as["col"], from, to); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
		t.Errorf("a collector's counts: %v, want EUNAUTHORIZED", err)
	}
	if _, err := db.WarningCounts(as["mgr"], to, from); daihou.ErrorCode(err) != daihou.EINVALID {
		t.Errorf("to before from: %v, want EINVALID", err)
	}
}
