package classification_test

import (
	"strings"
	"testing"

	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

func TestFloor(t *testing.T) {
	tests := []struct {
		dpd  int
		want classification.Class
	}{
		{0, classification.Normal},
		{1, classification.SpecialMention},
		{90, classification.SpecialMention},
		{91, classification.Substandard},
		{270, classification.Substandard},
		{271, classification.Doubtful},
		{360, classification.Doubtful},
		{361, classification.Loss},
	}
	for _, tt := range tests {
		if got := classification.Floor(tt.dpd); got != tt.want {
			t.Errorf("Floor(%d) = %v, want %v", tt.dpd, got, tt.want)
		}
		got := classification.Classify(classification.Input{DPD: tt.dpd}).Class
		if got != tt.want {
			t.Errorf("Classify(DPD %d) = %v, want %v", tt.dpd, got, tt.want)
		}
	}
}

func TestOverrideOnlyAboveFloor(t *testing.T) {
	tests := []struct {
		name     string
		dpd      int
		override classification.Class
		want     classification.Class
	}{
		{"raises normal to doubtful", 0, classification.Doubtful, classification.Doubtful},
		{"cannot lower substandard to normal", 120, classification.Normal, classification.Substandard},
		{"floor wins once it passes the override", 400, classification.Doubtful, classification.Loss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classification.Classify(classification.Input{DPD: tt.dpd, Override: tt.override, OverrideReason: "r"})
			if got.Class != tt.want {
				t.Errorf("got %v (%s), want %v", got.Class, got.Cause, tt.want)
			}
		})
	}
}

func TestRestructuredObservation(t *testing.T) {
	start := civil.MustParse("2026-03-10")
	in := classification.Input{Restructured: true, ObservationStart: start}
	for _, tt := range []struct {
		asOf string
		want classification.Class
	}{
		{"2026-03-10", classification.SpecialMention},
		{"2027-03-09", classification.SpecialMention},
		{"2027-03-10", classification.Normal},
	} {
		in.AsOf = civil.MustParse(tt.asOf)
		if got := classification.Classify(in).Class; got != tt.want {
			t.Errorf("as of %s: %v, want %v", tt.asOf, got, tt.want)
		}
	}
}

func TestContagionAndWriteOff(t *testing.T) {
	if got := classification.Classify(classification.Input{BorrowerNPL: true}).Class; got != classification.Substandard {
		t.Errorf("contagion: %v, want substandard", got)
	}
	if got := classification.Classify(classification.Input{WrittenOff: true}).Class; got != classification.Loss {
		t.Errorf("written off: %v, want loss", got)
	}
}

func TestStage(t *testing.T) {
	tests := []struct {
		dpd   int
		class classification.Class
		drop  bool
		want  int
	}{
		{0, classification.Normal, false, 1},
		{30, classification.Normal, false, 1},
		{31, classification.Normal, false, 2},
		{0, classification.SpecialMention, false, 2},
		{0, classification.Normal, true, 2},
		{91, classification.SpecialMention, false, 3},
		{0, classification.Substandard, false, 3},
	}
	for _, tt := range tests {
		if got := classification.Stage(tt.dpd, tt.class, tt.drop); got != tt.want {
			t.Errorf("Stage(%d, %v, %v) = %d, want %d", tt.dpd, tt.class, tt.drop, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	for c := classification.Normal; c <= classification.Loss; c++ {
		for _, s := range []string{c.String(), c.Chinese()} {
			got, err := classification.Parse(s)
			if err != nil || got != c {
				t.Errorf("Parse(%q) = %v, %v", s, got, err)
			}
		}
	}
	if _, err := classification.Parse("bad"); err == nil {
		t.Error("Parse(bad) succeeded")
	}
}

func TestScoreDeteriorated(t *testing.T) {
	tests := []struct {
		name             string
		initial, current int
		want             bool
	}{
		{"no earlier score", 0, 500, false},
		{"39 points down with PDO 20: odds × 3.9", 640, 601, false},
		{"40 points down: odds × 4", 640, 600, true},
		{"improved", 600, 650, false},
	}
	for _, tt := range tests {
		if got := classification.ScoreDeteriorated(tt.initial, tt.current, 20); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The restructuring hold of the 2023 rules at each of its boundaries. The
// loan is restructured on 2026-03-01 into a monthly schedule first due
// 2026-04-01, second due 2026-05-01, so its observation runs from the
// restructuring to 2027-03-31 and ends on 2027-04-01 (a year after the
// first due date, later than the second).
func TestRestructuringHold(t *testing.T) {
	d := civil.MustParse
	first := classification.Restructuring{Date: d("2026-03-01"), FirstDue: d("2026-04-01"), SecondDue: d("2026-05-01")}
	with := func(dpdBefore int) classification.Restructuring { r := first; r.DPDBefore = dpdBefore; return r }
	tests := []struct {
		name  string
		asOf  string
		dpd   int
		rs    []classification.Restructuring
		spell []classification.Spell
		want  classification.Class
		end   string // ObservationEnd; "" for none
		cause string // a part of the cause, when it matters
	}{
		{"normal before: at least 关注", "2026-06-01", 0, []classification.Restructuring{with(0)}, nil, classification.SpecialMention, "2027-04-01", "restructured 2026-03-01 from 正常; held at 关注 in observation until 2027-04-01"},
		{"DPD 90 before: 关注", "2026-06-01", 0, []classification.Restructuring{with(90)}, nil, classification.SpecialMention, "2027-04-01", "from 关注"},
		{"DPD 91 before: held at 次级", "2026-06-01", 0, []classification.Restructuring{with(91)}, nil, classification.Substandard, "2027-04-01", "restructured 2026-03-01 from 次级; held at 次级 in observation until 2027-04-01"},
		{"DPD 300 before: held at 可疑", "2026-06-01", 0, []classification.Restructuring{with(300)}, nil, classification.Doubtful, "2027-04-01", ""},
		{"held on the restructuring day", "2026-03-01", 0, []classification.Restructuring{with(120)}, nil, classification.Substandard, "2027-04-01", ""},
		{"not yet restructured the day before", "2026-02-28", 120, []classification.Restructuring{with(120)}, nil, classification.Substandard, "", "DPD 120"},
		{"the day before observation ends", "2027-03-31", 0, []classification.Restructuring{with(120)}, nil, classification.Substandard, "2027-04-01", ""},
		{"the day observation ends", "2027-04-01", 0, []classification.Restructuring{with(120)}, nil, classification.Normal, "", ""},
		{"the DPD floor above the hold", "2026-08-15", 200, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2026-04-02"), To: d("2026-08-15"), Since: d("2026-04-01")}}, classification.Substandard, "2027-08-15", "DPD 200"},
		{"30 days past due in observation: no trigger", "2026-06-10", 0, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2026-05-02"), To: d("2026-05-31"), Since: d("2026-05-01")}}, classification.SpecialMention, "2027-04-01", ""},
		// DPD 31 on 2026-06-01: at least 次级, observation restarts from
		// that day and ends a year later.
		{"31 days past due in observation: 次级, restarted", "2026-06-10", 0, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2026-05-02"), To: d("2026-06-01"), Since: d("2026-05-01")}}, classification.Substandard, "2027-06-01",
			"restructured 2026-03-01 from 正常; over 30 days past due on 2026-06-01 in observation; held at 次级 in observation until 2027-06-01"},
		{"restarted: the day before it ends", "2027-05-31", 0, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2026-05-02"), To: d("2026-06-01"), Since: d("2026-05-01")}}, classification.Substandard, "2027-06-01", ""},
		{"restarted: the day it ends", "2027-06-01", 0, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2026-05-02"), To: d("2026-06-01"), Since: d("2026-05-01")}}, classification.Normal, "", ""},
		// A second trigger restarts again: the spell moves on to the next
		// installment (partial payment) and stays over 30 days to 2026-08-20.
		{"restarted twice", "2027-07-01", 0, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2026-05-02"), To: d("2026-06-10"), Since: d("2026-05-01")}, {From: d("2026-06-11"), To: d("2026-08-20"), Since: d("2026-06-01")}},
			classification.Substandard, "2027-08-20", ""},
		{"over 30 days past due after observation: no trigger", "2027-06-01", 45, []classification.Restructuring{with(0)},
			[]classification.Spell{{From: d("2027-04-18"), To: d("2027-06-01"), Since: d("2027-04-17")}}, classification.SpecialMention, "", "DPD 45"},
		{"restructured again in observation: 可疑", "2026-10-15", 0,
			[]classification.Restructuring{with(0), {Date: d("2026-09-01"), FirstDue: d("2026-10-01"), SecondDue: d("2026-11-01")}}, nil, classification.Doubtful, "2027-10-01",
			"restructured 2026-09-01 from 关注, again within the observation of the restructuring of 2026-03-01 (再次重组); held at 可疑 in observation until 2027-10-01"},
		{"restructured again the day observation ends: not 再次重组, held at the class before", "2027-04-15", 0,
			[]classification.Restructuring{with(120), {Date: d("2027-04-01"), FirstDue: d("2027-05-01"), SecondDue: d("2027-06-01")}}, nil, classification.Substandard, "2028-05-01", "restructured 2027-04-01 from 次级;"},
		{"restructured again after observation: the class before is the floor", "2027-05-15", 0,
			[]classification.Restructuring{with(120), {Date: d("2027-05-01"), DPDBefore: 10, FirstDue: d("2027-06-01"), SecondDue: d("2027-07-01")}}, nil, classification.SpecialMention, "2028-06-01", "from 关注"},
		{"a bullet restructuring: a year from its one due date", "2027-06-30", 0,
			[]classification.Restructuring{{Date: d("2026-03-01"), DPDBefore: 95, FirstDue: d("2026-07-01")}}, nil, classification.Substandard, "2027-07-01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classification.Classify(classification.Input{AsOf: d(tt.asOf), DPD: tt.dpd, Restructured: true, Restructurings: tt.rs, Delinquency: tt.spell})
			if got.Class != tt.want {
				t.Errorf("class %v (%s), want %v", got.Class.Chinese(), got.Cause, tt.want.Chinese())
			}
			var end civil.Date
			if tt.end != "" {
				end = d(tt.end)
			}
			if got.ObservationEnd != end {
				t.Errorf("observation end %v, want %v", got.ObservationEnd, end)
			}
			if !strings.Contains(got.Cause, tt.cause) {
				t.Errorf("cause %q, want it to contain %q", got.Cause, tt.cause)
			}
		})
	}
}

// End to end through the ledger: a loan 120 days past due (次级) that is
// restructured stays 次级 in observation instead of becoming 关注. The
// leap loan's first installment fell due on 2028-01-15; restructured on
// 2028-05-14, it was 119 days past due at the end of the day before.
func TestRestructuredSubstandardLoanStays(t *testing.T) {
	p := servicing.DefaultProduct("TEST")
	l := servicing.Loan{ID: 1, Principal: money.MustParseAmount("3000"), Rate: money.MustParseRate("0.12"), Term: 3, Method: schedule.EqualPrincipal, Disbursed: civil.MustParse("2027-12-15")}
	txs := []servicing.Tx{{Seq: 1, Kind: servicing.Restructure, ValueDate: civil.MustParse("2028-05-14"), NewRate: money.MustParseRate("0.06"), NewTerm: 24, NewMethod: schedule.EqualInstallment}}
	snap, st := derive(p, l, txs, civil.MustParse("2028-07-01"))
	if len(st.Restructurings) != 1 || st.Restructurings[0].DPDBefore != 119 {
		t.Fatalf("restructurings %+v, want one with DPD 119 before", st.Restructurings)
	}
	if snap.Class != classification.Substandard || !strings.Contains(snap.ClassCause, "from 次级") {
		t.Errorf("class %v (%s), want 次级 held from before the restructuring", snap.Class.Chinese(), snap.ClassCause)
	}
	// Paying every installment of the new schedule on time does not lift
	// the hold before the observation ends on 2029-06-14.
	for i, in := range st.Installments {
		if !in.Closed {
			txs = append(txs, servicing.Tx{Seq: int64(i + 2), Kind: servicing.Repayment, ValueDate: in.DueDate, Amount: in.Principal + in.Interest, Reference: "r"})
		}
	}
	for _, tt := range []struct {
		asOf string
		want classification.Class
	}{
		{"2029-06-13", classification.Substandard},
		{"2029-06-14", classification.Normal},
	} {
		snap, _ := derive(p, l, txs, civil.MustParse(tt.asOf))
		if snap.Class != tt.want {
			t.Errorf("as of %s: %v (%s), want %v", tt.asOf, snap.Class.Chinese(), snap.ClassCause, tt.want.Chinese())
		}
	}
}

// derive is the derivation of one loan on its own, with its state.
func derive(p servicing.Product, l servicing.Loan, txs []servicing.Tx, asOf civil.Date) (loanstate.Snapshot, *servicing.State) {
	d := loanstate.Deriver{KeepState: true}
	got, _ := d.Derive(asOf, []loanstate.Input{{Product: p, Loan: l, Txs: txs}}, nil)
	return got[0].Snapshot, got[0].State
}
