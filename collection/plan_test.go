package collection_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/classification"
	"daihou/collection"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/warning"
)

func input(loanID int64, disbursed, date civil.Date, dpd int, work warning.Work) *collection.Input {
	l := &servicing.Loan{ID: loanID, Disbursed: disbursed, Product: "P"}
	s := &loanstate.Snapshot{LoanID: loanID, AsOf: date, Status: servicing.StatusActive, DPD: dpd, Class: classification.Normal, PrincipalOutstanding: 1000000}
	if dpd > 0 {
		s.Class, s.Bucket = classification.SpecialMention, servicing.BucketOf(dpd)
	}
	return &collection.Input{Rule: warning.Input{Date: date, Loan: l, Snapshot: s, Work: &work}}
}

func origins(ws []collection.Want) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Origin+"@"+w.Anchor.String())
	}
	return out
}

func TestSOPRevisitWindowAndWake(t *testing.T) {
	sop, err := collection.CompileSOP(collection.DefaultSOP())
	if err != nil {
		t.Fatal(err)
	}
	disb := civil.New(2026, 1, 10)
	tests := []struct {
		day      int
		want     bool
		wantWake civil.Date
	}{
		{29, false, disb.AddDays(30)},
		{30, true, disb.AddDays(60)},
		{35, true, disb.AddDays(60)}, // the revisit's SLA is 5 days: still made
		{36, false, disb.AddDays(60)},
	}
	for _, tt := range tests {
		in := input(1, disb, disb.AddDays(tt.day), 0, warning.Work{Willingness: -1})
		wants, wake := sop.Plan(in)
		got := slices.Contains(origins(wants), "sop:revisit-30@"+disb.String())
		if got != tt.want || wake != tt.wantWake {
			t.Errorf("day %d: revisit %v wake %s, want %v wake %s (%v)", tt.day, got, wake, tt.want, tt.wantWake, origins(wants))
		}
	}
}

func TestSOPPreliminaryOnlyWhenNeeded(t *testing.T) {
	sop, _ := collection.CompileSOP(collection.DefaultSOP())
	disb := civil.New(2026, 1, 10)
	quiet := input(1, disb, disb.AddDays(90), 0, warning.Work{Willingness: -1})
	late := input(1, disb, disb.AddDays(90), 4, warning.Work{Willingness: -1})
	has := func(in *collection.Input) bool {
		w, _ := sop.Plan(in)
		return slices.Contains(origins(w), "sop:preliminary-90@"+disb.String())
	}
	if has(quiet) || !has(late) {
		t.Errorf("preliminary collection on day 90: current loan %v (want false), 4 DPD %v (want true)", has(quiet), has(late))
	}
}

func TestInspectionsComeOftenerWithRisk(t *testing.T) {
	sop, _ := collection.CompileSOP(collection.DefaultSOP())
	disb := civil.New(2026, 1, 10)
	for _, tt := range []struct {
		level warning.Severity
		every int
	}{{0, 180}, {warning.Yellow, 90}, {warning.Orange, 30}, {warning.Red, 15}} {
		in := input(1, disb, disb.AddDays(5), 0, warning.Work{Willingness: -1, WarningLevel: tt.level})
		_, wake := sop.Plan(in)
		if want := disb.AddDays(tt.every); wake != min(want, disb.AddDays(30)) {
			t.Errorf("level %v: wake %s, want %s", tt.level, wake, min(want, disb.AddDays(30)))
		}
		in.Rule.Date = disb.AddDays(tt.every)
		in.Rule.Snapshot.AsOf = in.Rule.Date
		wants, _ := sop.Plan(in)
		if !slices.Contains(origins(wants), "inspection@"+in.Rule.Date.String()) {
			t.Errorf("level %v: no inspection on day %d: %v", tt.level, tt.every, origins(wants))
		}
		in.Tasks = []collection.Task{{Kind: collection.Inspection, Origin: "inspection", Anchor: in.Rule.Date}}
		in.Rule.Date = in.Rule.Date.AddDays(tt.every - 1)
		if wants, _ := sop.Plan(in); slices.ContainsFunc(wants, func(w collection.Want) bool { return w.Kind == collection.Inspection }) {
			t.Errorf("level %v: a second inspection a day early", tt.level)
		}
	}
}

func TestStrategyTwoTrack(t *testing.T) {
	st, err := collection.CompileStrategy(collection.DefaultStrategy())
	if err != nil {
		t.Fatal(err)
	}
	disb := civil.New(2025, 6, 1)
	first := civil.New(2026, 3, 2) // first day past due
	// A champion loan (the arm is a hash: find one of each).
	var champ, chall int64
	for id := int64(1); champ == 0 || chall == 0; id++ {
		if collection.ArmOf(id, st.Code, st.Split) == collection.Champion {
			champ = max(champ, id)
		} else {
			chall = max(chall, id)
		}
	}
	plan := func(id int64, dpd int, w warning.Work) (string, []string) {
		in := input(id, disb, first.AddDays(dpd-1), dpd, w)
		_, seg, wants := st.Plan(in)
		return seg, origins(wants)
	}
	low := warning.Work{Willingness: -1}
	if seg, got := plan(champ, 1, low); seg != "auto" || !slices.Equal(got, []string{"strategy:auto:0@" + first.String()}) {
		t.Errorf("champion DPD 1: %s %v, want auto SMS anchored on %s", seg, got, first)
	}
	if seg, got := plan(champ, 3, low); seg != "auto" || !slices.Contains(got, "strategy:auto:1@"+first.AddDays(2).String()) {
		t.Errorf("champion DPD 3: %s %v, want the AI-voice call", seg, got)
	}
	if seg, got := plan(chall, 1, low); seg != "auto-voice-first" || !slices.Equal(got, []string{"strategy:auto-voice-first:0@" + first.String()}) {
		t.Errorf("challenger DPD 1: %s %v, want the AI-voice call first", seg, got)
	}
	// A low willingness from the AI voice sends the loan to a person.
	unwilling := warning.Work{Willingness: 25}
	if seg, got := plan(champ, 4, unwilling); seg != "person" || !slices.Contains(got, "strategy:person:0@"+first.AddDays(3).String()) {
		t.Errorf("unwilling DPD 4: %s %v, want a person's call", seg, got)
	}
	// Every 3 days a call: DPD 7 is an occurrence (1, 4, 7), DPD 8 is the
	// SLA's grace of that one.
	if _, got := plan(champ, 8, unwilling); !slices.Contains(got, "strategy:person:0@"+first.AddDays(6).String()) {
		t.Errorf("DPD 8: %v, want the DPD-7 call still", got)
	}
	if seg, got := plan(champ, 91, low); seg != "late" || !slices.Contains(got, "strategy:late:0@"+first.AddDays(90).String()) {
		t.Errorf("DPD 91: %s %v, want the legal letter", seg, got)
	}
	if _, _, w := st.Plan(input(champ, disb, first, 0, low)); len(w) != 0 {
		t.Errorf("a current loan got %v", origins(w))
	}
}

func TestArmSplitIsStableAndProportional(t *testing.T) {
	n, chall := 20000, 0
	for id := int64(1); id <= int64(n); id++ {
		a := collection.ArmOf(id, "two-track", 20)
		if a != collection.ArmOf(id, "two-track", 20) {
			t.Fatal("arm not stable")
		}
		if a == collection.Challenger {
			chall++
		}
	}
	// 20 % of 20,000 is 4,000 ± 3σ (σ = √(n·p·q) ≈ 57).
	if math.Abs(float64(chall)-4000) > 170 {
		t.Errorf("challenger %d of %d, want about 4000", chall, n)
	}
}

func TestAssignWeightsCapacityAndMovesOnlyTheLeaver(t *testing.T) {
	members := []collection.Member{
		{Name: "ann", Roles: []string{"collector"}, Capacity: 100},
		{Name: "bob", Roles: []string{"collector"}, Capacity: 300},
		{Name: "cy", Roles: []string{"collector"}, Capacity: 100, Skills: []collection.Kind{collection.Visit}},
	}
	date := civil.New(2026, 3, 1)
	r := collection.NewRoster(members, nil)
	call := collection.Task{Kind: collection.Call}
	count := map[string]int{}
	before := map[int64]string{}
	for id := int64(1); id <= 20000; id++ {
		a := r.Assign(&call, &servicing.Loan{ID: id}, date)
		count[a]++
		before[id] = a
	}
	// cy takes only visits; ann:bob = 1:3 of 20,000 → 5,000 : 15,000.
	if count["cy"] != 0 || math.Abs(float64(count["ann"])-5000) > 250 {
		t.Errorf("shares %v, want ann ≈ 5000, bob ≈ 15000, cy 0", count)
	}
	members[0].AbsentFrom, members[0].AbsentUntil = date, date.AddDays(7)
	r = collection.NewRoster(members, nil)
	for id := int64(1); id <= 20000; id++ {
		a := r.Assign(&call, &servicing.Loan{ID: id}, date)
		if a == "ann" || (before[id] != "ann" && a != before[id]) {
			t.Fatalf("loan %d: %s → %s while ann is away", id, before[id], a)
		}
	}
	if r.Available("ann", date) || !r.Available("ann", date.AddDays(8)) {
		t.Error("ann's absence: want unavailable through it, available after")
	}
}

func TestAssignDedicatedOfficerAndRegion(t *testing.T) {
	date := civil.New(2026, 3, 1)
	r := collection.NewRoster([]collection.Member{
		{Name: "lin", Officer: "O7", Roles: []string{"account-manager"}, Capacity: 100},
		{Name: "wu", Roles: []string{"account-manager"}, Capacity: 100},
		{Name: "zhao", Roles: []string{"collector"}, Capacity: 100, Regions: []string{"GD"}},
		{Name: "qian", Roles: []string{"collector"}, Capacity: 1000, Regions: []string{"BJ"}},
	}, []string{"acme"})
	revisit := collection.Task{Kind: collection.Revisit}
	for id := int64(1); id < 50; id++ {
		if a := r.Assign(&revisit, &servicing.Loan{ID: id, Officer: "O7"}, date); a != "lin" {
			t.Fatalf("loan %d of officer O7: revisit goes to %q, want its dedicated officer lin", id, a)
		}
	}
	call := collection.Task{Kind: collection.Call}
	for id := int64(1); id < 50; id++ {
		if a := r.Assign(&call, &servicing.Loan{ID: id, Region: "GD"}, date); a != "zhao" {
			t.Fatalf("loan %d in GD: call goes to %q, want zhao who covers GD", id, a)
		}
	}
	out := collection.Task{Kind: collection.Outsource}
	if a := r.Assign(&out, &servicing.Loan{ID: 5}, date); !strings.HasPrefix(a, collection.AgencyPrefix) {
		t.Errorf("outsourcing goes to %q, want an agency", a)
	}
}

func TestPreferKeepsTheQueueHolder(t *testing.T) {
	date := civil.New(2026, 3, 1)
	members := []collection.Member{
		{Name: "full", Roles: []string{"collector"}, Capacity: 0},
		{Name: "free", Roles: []string{"collector"}, Capacity: 100},
		{Name: "away", Roles: []string{"collector"}, Capacity: 100, AbsentFrom: date, AbsentUntil: date.AddDays(3)},
	}
	r := collection.NewRoster(members, nil)
	call := collection.Task{Kind: collection.Call}
	for _, tt := range []struct {
		holders []string
		want    string
	}{
		{[]string{"full"}, "full"}, // a full queue keeps its loans
		{[]string{"away", "full"}, "full"},
		{[]string{"away"}, ""},
		{nil, ""},
	} {
		if got := r.Prefer(tt.holders, &call, date); got != tt.want {
			t.Errorf("Prefer(%v): %q, want %q", tt.holders, got, tt.want)
		}
	}
	for id := int64(1); id < 200; id++ {
		if a := r.Assign(&call, &servicing.Loan{ID: id}, date); a != "free" {
			t.Fatalf("new loan %d goes to %q, want free: a full queue and an absent collector take none", id, a)
		}
	}
}
