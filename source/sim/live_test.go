package sim_test

import (
	"bytes"
	"testing"

	"daihou/civil"
	"daihou/money"
	datasource "daihou/source"
	"daihou/source/sim"
)

// Every record Daily makes passes its source's checks and yields signals;
// the same day and loans give the same records; ids are unique within a
// source; and the court files more often on riskier arrears deeper in.
func TestDailyRecordsAreValidAndDeterministic(t *testing.T) {
	var loans []sim.Arrears
	for id := int64(1); id <= 4000; id++ {
		loans = append(loans, sim.Arrears{LoanRef: "LN" + string(rune('A'+id%26)) + itoa(id), BorrowerRef: "BR" + itoa(id), BorrowerID: id,
			DPD: []int{1, 5, 30, 60, 90}[id%5], Outstanding: money.Amount(100_000 + id*997)})
	}
	d := civil.MustParse("2026-11-20")
	recs := sim.Daily(9, d, loans)
	again := sim.Daily(9, d, loans)
	if len(recs) != len(again) {
		t.Fatalf("%d records, then %d", len(recs), len(again))
	}
	seen := map[string]bool{}
	bySource := map[string]int{}
	for i := range recs {
		r := &recs[i]
		if r.ID != again[i].ID || !bytes.Equal(sim.AppendLine(nil, r), sim.AppendLine(nil, &again[i])) {
			t.Fatalf("record %d differs between two calls: %+v, %+v", i, *r, again[i])
		}
		if seen[r.Source+r.ID] {
			t.Errorf("id %s of %s twice", r.ID, r.Source)
		}
		seen[r.Source+r.ID] = true
		bySource[r.Source]++
		if r.Date != d {
			t.Errorf("%s dated %v, want %v", r.ID, r.Date, d)
		}
		a, err := datasource.Lookup(r.Source)
		if err != nil {
			t.Fatal(err)
		}
		if err := datasource.Check(a, r); err != nil {
			t.Errorf("%s: %v", r.ID, err)
			continue
		}
		if sigs, err := a.Signals(r); err != nil || len(sigs) == 0 {
			t.Errorf("%s: signals %v, %v", r.ID, sigs, err)
		}
	}
	// A fifth of the loans are on their first day past due, 40 % of them
	// get a credit report; a fifth each reach 30, 60 and 90 days, of
	// which 3 %, 6 % and 10 % (at risk 0) see a case filed.
	if n := bySource["bureau"]; n < 200 || n > 450 {
		t.Errorf("%d bureau reports of 800 loans on their first day past due, want about 320", n)
	}
	if n := bySource["court"]; n < 20 || n > 250 {
		t.Errorf("%d court filings of 2,400 loans 30, 60 or 90 days past due, want about 150", n)
	}
	if other := sim.Daily(9, d.AddDays(1), loans); len(other) > 0 && other[0].ID == recs[0].ID {
		t.Errorf("the next day repeats the record id %s", recs[0].ID)
	}
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}
