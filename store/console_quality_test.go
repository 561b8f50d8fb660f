package store_test

import (
	"slices"
	"testing"

	"daihou"
	"daihou/civil"
	"daihou/config"
	"daihou/eod"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
	"daihou/warning"
)

// The dashboards' live figures agree with what they count, on both
// backends: an officer's cells with their loans' records, open warnings
// with the warning list, due tasks with the task list; generation sets
// the regions; the migration cells gen writes are those a rebuild from
// the records gives; a collector reads none of it.
func TestDashboardFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := storetest.OpenPath(t, genAuditBook(t, backend))
		as := storetest.Users(t, db, "risk=risk-officer", "col=collector")
		ctx := as["risk"]
		d, err := db.LastClose(ctx)
		if err != nil {
			t.Fatal(err)
		}

		rs, err := db.Regions(ctx)
		if err != nil || len(rs) != len(synth.Regions()) {
			t.Fatalf("regions after gen: %v %v, want the generator's %d", rs, err, len(synth.Regions()))
		}

		codes, err := db.Officers(ctx, "", 5)
		if err != nil || len(codes) == 0 || !slices.IsSorted(codes) || len(slices.Compact(slices.Clone(codes))) != len(codes) {
			t.Fatalf("officers %v %v: want distinct codes in order", codes, err)
		}
		if got, _ := db.Officers(ctx, codes[1], 1); len(got) != 1 || got[0] != codes[1] {
			t.Errorf("Officers(%q, 1) = %v", codes[1], got)
		}
		if got, _ := db.Officers(ctx, "' OR 1=1 --", 1); len(got) != 1 || got[0] == "' OR 1=1 --" {
			t.Errorf("Officers of an SQL fragment = %v, want the first code after it", got)
		}
		recs, err := db.Records(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want eod.PortfolioCell
		for id, r := range recs {
			l, err := db.Loan(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if l.Officer == codes[0] {
				want.Loans++
				want.Outstanding += r.Outstanding
				want.ECL += r.ECL
			}
		}
		cells, err := db.OfficerPortfolio(ctx, codes[0])
		if err != nil {
			t.Fatal(err)
		}
		var got eod.PortfolioCell
		for _, c := range cells {
			got.Loans += c.Loans
			got.Outstanding += c.Outstanding
			got.ECL += c.ECL
		}
		if got != want {
			t.Errorf("officer %s: cells %+v, their records %+v", codes[0], got, want)
		}

		open, err := db.Warnings(ctx, store.WarningFilter{State: "open", Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		byLevel := map[warning.Severity]int64{}
		for _, w := range open {
			byLevel[w.Severity]++
		}
		if counted, err := db.OpenWarnings(ctx, store.DashboardFilter{}); err != nil || !mapsEqual(counted, byLevel) {
			t.Errorf("open warnings %v (%v), the list has %v", counted, err, byLevel)
		}
		tasks, err := db.Tasks(ctx, store.TaskFilter{State: "open", Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		var today, late int64
		for _, x := range tasks {
			switch {
			case x.Due == d:
				today++
			case x.Due.Before(d):
				late++
			}
		}
		if gt, gl, err := db.TasksDue(ctx, store.DashboardFilter{}, d); err != nil || gt != today || gl != late {
			t.Errorf("tasks due %d, late %d (%v); the list has %d and %d", gt, gl, err, today, late)
		}
		if n, _, _ := db.TasksDue(ctx, store.DashboardFilter{Product: "x' OR '1'='1", Branches: []string{"'; --"}, Officer: "%"}, d); n != 0 {
			t.Errorf("tasks of a filter no loan matches: %d", n)
		}
		if ws, _ := db.OpenWarnings(ctx, store.DashboardFilter{Branches: []string{}}); len(ws) != 0 {
			t.Errorf("open warnings of no branch: %v, want none", ws)
		}

		ends, err := db.MonthEnds(ctx)
		if err != nil || len(ends) == 0 {
			t.Fatalf("month ends %v %v", ends, err)
		}
		for _, md := range []civil.Date{ends[len(ends)-1], d} {
			kept, err := db.Aggregates(ctx, md)
			if err != nil {
				t.Fatal(err)
			}
			if md == d {
				rebuilt, err := db.RebuildAggregates(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				if !mapsEqual(kept.Migration, rebuilt.Migration) {
					t.Errorf("%v: the migration cells kept differ from a rebuild from the records", d)
				}
			}
			// Every loan active at the month before sits in one row.
			var rows, active int64
			for _, c := range kept.Migration {
				rows += c.Loans
			}
			prev := slices.IndexFunc(ends, func(e civil.Date) bool { return e.MonthIndex() == md.MonthIndex()-1 })
			if prev < 0 {
				continue
			}
			pa, err := db.Aggregates(ctx, ends[prev])
			if err != nil {
				t.Fatal(err)
			}
			for k, c := range pa.Portfolio {
				if k.Status == servicing.StatusActive {
					active += c.Loans
				}
			}
			if rows != active || rows == 0 {
				t.Errorf("%v: the migration rows hold %d loans, %d were active at %v", md, rows, active, ends[prev])
			}
		}

		for name, call := range map[string]func() error{
			"warnings": func() error { _, err := db.OpenWarnings(as["col"], store.DashboardFilter{}); return err },
			"tasks":    func() error { _, _, err := db.TasksDue(as["col"], store.DashboardFilter{}, d); return err },
			"officer":  func() error { _, err := db.OfficerPortfolio(as["col"], codes[0]); return err },
			"officers": func() error { _, err := db.Officers(as["col"], "", 3); return err },
		} {
			if err := call(); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
				t.Errorf("a collector's %s: %v, want EUNAUTHORIZED", name, err)
			}
		}
	})
}

// The regions option: each branch in one region, named errors otherwise.
func TestRegionsOption(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
	}{
		{"empty", "", true},
		{"two", "北京=BJ01,BJ02;上海=SH01", true},
		{"spaces", " 北京 = BJ01 , BJ02 ; ", true},
		{"branch twice", "北京=BJ01;上海=BJ01", false},
		{"region twice", "北京=BJ01;北京=BJ02", false},
		{"no branches", "北京=", false},
		{"no name", "=BJ01", false},
		{"no equals", "BJ01,BJ02", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := config.Check(config.Regions, tc.value)
			if (err == nil) != tc.ok {
				t.Errorf("Check(%q) = %v, want ok %v", tc.value, err, tc.ok)
			}
			if tc.ok {
				rs, _ := config.ParseRegions(tc.value)
				if again, _ := config.ParseRegions(config.FormatRegions(rs)); !slices.EqualFunc(rs, again, func(a, b config.Region) bool {
					return a.Name == b.Name && slices.Equal(a.Branches, b.Branches)
				}) {
					t.Errorf("FormatRegions does not round-trip %q", tc.value)
				}
			}
		})
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
