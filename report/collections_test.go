package report_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/collection"
	"daihou/eod"
	"daihou/report"
	"daihou/servicing"
)

var mustDate = civil.MustParse

// collectionRows is a small month of collection work, March 2026, whose
// every figure is counted by hand in the tests below.
//
// Episodes: E1 loan 1 (champion/auto, M1, 02-20 → cured 03-10, collected
// 1,000.00), E2 loan 2 (challenger/auto-voice-first, M1 → M2, open since
// 03-05, 200.00), E3 loan 3 (champion/auto, cured 02-25: not active in
// March, there for the promise made in it), E4 loan 4 (champion/person,
// 03-10 → settled 03-20, 5,000.00), E5 loan 5 (champion/late, M3 → M4,
// 01-15 → written off 03-25, nothing collected).
func collectionRows() *report.CollectionRows {
	ep := func(loan int64, started, ended, outcome, arm, seg string, entry, worst servicing.Bucket, collected string) collection.Episode {
		e := collection.Episode{LoanID: loan, Started: mustDate(started), Outcome: outcome, Strategy: "two-track", Arm: arm, Segment: seg,
			EntryBucket: entry, MaxBucket: worst, Collected: amt(collected)}
		if ended != "" {
			e.Ended = mustDate(ended)
		}
		return e
	}
	return &report.CollectionRows{
		From: mustDate("2026-03-01"), To: mustDate("2026-03-31"),
		Episodes: []collection.Episode{
			ep(1, "2026-02-20", "2026-03-10", collection.Cured, collection.Champion, "auto", servicing.M1, servicing.M1, "1000"),
			ep(2, "2026-03-05", "", "", collection.Challenger, "auto-voice-first", servicing.M1, servicing.M2, "200"),
			ep(3, "2026-01-10", "2026-02-25", collection.Cured, collection.Champion, "auto", servicing.M1, servicing.M1, "50"),
			ep(4, "2026-03-10", "2026-03-20", collection.Settled, collection.Champion, "person", servicing.M1, servicing.M1, "5000"),
			ep(5, "2026-01-15", "2026-03-25", collection.WrittenOff, collection.Champion, "late", servicing.M3, servicing.M4, "0"),
		},
		Workers: []report.EpisodeWorker{
			{LoanID: 1, Started: mustDate("2026-02-20"), Assignee: "alice", Team: "A"},
			{LoanID: 2, Started: mustDate("2026-03-05"), Assignee: "bob", Team: "B"},
			{LoanID: 4, Started: mustDate("2026-03-10"), Assignee: "alice", Team: "A"},
			{LoanID: 3, Started: mustDate("2026-01-10"), Assignee: "bob", Team: "B"},
		},
		Contacts: []report.Contact{
			{ID: 1, LoanID: 1, Business: mustDate("2026-03-02"), Channel: "call", By: "alice", Team: "A", Connected: true, RPC: true, Outcome: collection.Promise, Cost: amt("2.00"), Satisfaction: 4},
			{ID: 2, LoanID: 1, Business: mustDate("2026-03-03"), Channel: "sms", By: "channel:sms", Outcome: collection.Delivered, Cost: amt("0.05")},
			{ID: 3, LoanID: 2, Business: mustDate("2026-03-06"), Channel: "ai-voice", By: "channel:ai-voice", Connected: true, RPC: true, Outcome: collection.Refused, Cost: amt("0.50")},
			{ID: 4, LoanID: 2, Business: mustDate("2026-03-07"), Channel: "call", By: "bob", Team: "B", Outcome: collection.NoAnswer, Cost: amt("1.00")},
			{ID: 5, LoanID: 4, Business: mustDate("2026-03-12"), Channel: "call", By: "alice", Team: "A", Connected: true, RPC: true, Outcome: collection.Complaint, Cost: amt("2.00"), Satisfaction: 1},
			{ID: 6, LoanID: 9, Business: mustDate("2026-03-15"), Channel: "call", By: "carol", Team: "A", Connected: true, Outcome: collection.WrongNumber, Cost: amt("1.00")},
			{ID: 7, LoanID: 1, Business: mustDate("2026-02-28"), Channel: "call", By: "alice", Team: "A", Connected: true, RPC: true, Outcome: collection.Refused, Cost: amt("9.00")}, // February
		},
		Promises: []report.Promise{
			{ID: 1, LoanID: 1, Made: mustDate("2026-03-02"), Due: mustDate("2026-03-08"), Settled: mustDate("2026-03-07"), Amount: amt("500"), Paid: amt("500"), State: collection.PromiseKept, By: "alice", Team: "A", Channel: "call"},
			{ID: 2, LoanID: 3, Made: mustDate("2026-02-20"), Due: mustDate("2026-03-01"), Settled: mustDate("2026-03-02"), Amount: amt("300"), State: collection.PromiseBroken, By: "bob", Team: "B", Channel: "call"},
			{ID: 3, LoanID: 2, Made: mustDate("2026-03-06"), Due: mustDate("2026-03-20"), Amount: amt("100"), State: collection.PromiseOpen, By: "channel:ai-voice", Channel: "ai-voice"},
			{ID: 4, LoanID: 1, Made: mustDate("2026-02-21"), Due: mustDate("2026-02-27"), Settled: mustDate("2026-02-28"), Amount: amt("700"), State: collection.PromiseBroken, By: "alice", Team: "A", Channel: "call"}, // February
		},
	}
}

func ratioIs(t *testing.T, name string, r report.Ratio, num, den int64) {
	t.Helper()
	if r.Num != num || r.Den != den {
		t.Errorf("%s = %d/%d, want %d/%d", name, r.Num, r.Den, num, den)
		return
	}
	if den == 0 {
		if r.Value != nil {
			t.Errorf("%s = %v with a zero denominator, want null", name, *r.Value)
		}
		return
	}
	if r.Value == nil || !near(*r.Value, float64(num)/float64(den)) {
		t.Errorf("%s value %v, want %d/%d", name, r.Value, num, den)
	}
}

func TestCollectionTotalsByHand(t *testing.T) {
	r, err := report.Collections(collectionRows(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := report.Figures{
		// Contacts 1–6 (7 is February); attempts are the calls and the
		// AI-voice call, not the text.
		Contacts: 6, Attempts: 5, Connected: 4, RPC: 3, Complaints: 1, Rated: 2, SatisfactionSum: 5, Cost: amt("6.55"),
		// Promises 1 and 3 made in March, 1 kept and 2 broken in March.
		PromisesMade: 2, Promised: amt("600"), PromisesKept: 1, PromisesBroken: 1, KeptAmount: amt("500"),
		// E1, E2, E4, E5 active; E2 and E4 entered; E1 cured in 19 days
		// (02-20 … 03-10), E4 settled, E5 written off; E2 and E5 rolled.
		Episodes: 4, Entered: 2, Ended: 3, Cured: 1, Settled: 1, WrittenOff: 1, CureDays: 19, RolledForward: 2, Collected: amt("6200"),
	}
	if diff := cmp.Diff(want, r.Total.Figures); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	k := r.Total.KPIs
	ratioIs(t, "contact rate", k.ContactRate, 4, 5)
	ratioIs(t, "RPC rate", k.RPCRate, 3, 5)
	ratioIs(t, "promise rate", k.PromiseRate, 2, 3)
	ratioIs(t, "promise-kept rate", k.PromiseKeptRate, 1, 2)
	ratioIs(t, "cure rate", k.CureRate, 1, 4)
	ratioIs(t, "success rate", k.SuccessRate, 2, 3)
	ratioIs(t, "cycle", k.CycleDays, 19, 1)
	ratioIs(t, "roll-forward rate", k.RollForwardRate, 2, 4)
	ratioIs(t, "cost per collected", k.CostPerCollected, 655, 620000)
	ratioIs(t, "complaint rate", k.ComplaintRate, 1, 3)
	ratioIs(t, "satisfaction", k.Satisfaction, 5, 2)
	// Every dimension's lines, since by is "".
	dims := map[string]bool{}
	for _, l := range r.Lines {
		dims[l.Dimension] = true
	}
	if len(dims) != 5 || dims[report.DimAll] {
		t.Errorf("dimensions %v, want the five breakdowns", dims)
	}
}

func lineOf(t *testing.T, r report.CollectionReport, key string) report.CollectionLine {
	t.Helper()
	for _, l := range r.Lines {
		if l.Key == key {
			return l
		}
	}
	t.Fatalf("no line %q in %s", key, r.By)
	return report.CollectionLine{}
}

func TestCollectionBreakdownsByHand(t *testing.T) {
	rows := collectionRows()
	by := func(dim string) report.CollectionReport {
		r, err := report.Collections(rows, dim)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range r.Lines {
			if l.Dimension != dim {
				t.Fatalf("by %s: a %s line", dim, l.Dimension)
			}
		}
		return r
	}
	t.Run("collector", func(t *testing.T) {
		r := by(report.DimCollector)
		// alice: contacts 1 and 5, promise 1, episodes E1 and E4.
		a := lineOf(t, r, "alice").Figures
		if a.Attempts != 2 || a.RPC != 2 || a.Complaints != 1 || a.Cost != amt("4") || a.PromisesMade != 1 || a.PromisesKept != 1 ||
			a.Episodes != 2 || a.Cured != 1 || a.Settled != 1 || a.Collected != amt("6000") {
			t.Errorf("alice %+v", a)
		}
		ratioIs(t, "alice cost per collected", lineOf(t, r, "alice").KPIs.CostPerCollected, 400, 600000)
		// bob: contact 4, the broken promise 2, episode E2.
		b := lineOf(t, r, "bob").Figures
		if b.Attempts != 1 || b.Connected != 0 || b.PromisesBroken != 1 || b.Episodes != 1 || b.RolledForward != 1 {
			t.Errorf("bob %+v", b)
		}
		ratioIs(t, "bob contact rate", lineOf(t, r, "bob").KPIs.ContactRate, 0, 1)
		ratioIs(t, "bob promise rate", lineOf(t, r, "bob").KPIs.PromiseRate, 0, 0)
		// No person worked E5.
		if n := lineOf(t, r, report.NoKey).Figures; n.Episodes != 1 || n.WrittenOff != 1 || n.Contacts != 0 {
			t.Errorf("(none) %+v", n)
		}
		if r.Lines[len(r.Lines)-1].Key != report.NoKey {
			t.Errorf("(none) is not last: %v", r.Lines)
		}
	})
	t.Run("channel", func(t *testing.T) {
		r := by(report.DimChannel)
		call := lineOf(t, r, "call")
		// Calls 1, 4, 5, 6 cost 6.00 and reached the loans of E1, E2, E4.
		if f := call.Figures; f.Attempts != 4 || f.Cost != amt("6") || f.Episodes != 3 || f.Collected != amt("6200") || f.PromisesMade != 1 || f.PromisesKept != 1 || f.PromisesBroken != 1 {
			t.Errorf("call %+v", f)
		}
		ratioIs(t, "call cost per collected", call.KPIs.CostPerCollected, 600, 620000)
		sms := lineOf(t, r, "sms")
		ratioIs(t, "sms cost per collected", sms.KPIs.CostPerCollected, 5, 100000)
		ratioIs(t, "sms contact rate", sms.KPIs.ContactRate, 0, 0)
		voice := lineOf(t, r, "ai-voice")
		ratioIs(t, "ai-voice cost per collected", voice.KPIs.CostPerCollected, 50, 20000)
		ratioIs(t, "ai-voice promise rate", voice.KPIs.PromiseRate, 1, 1)
		if n := lineOf(t, r, report.NoKey).Figures; n.Episodes != 1 || n.Contacts != 0 {
			t.Errorf("(none) %+v", n)
		}
	})
	t.Run("arm", func(t *testing.T) {
		r := by(report.DimArm)
		c := lineOf(t, r, collection.Champion)
		// Contacts 1, 2, 5 fall in E1 and E4; promise 2 in E3.
		if f := c.Figures; f.Contacts != 3 || f.Attempts != 2 || f.Episodes != 3 || f.Cured != 1 || f.RolledForward != 1 || f.PromisesMade != 1 || f.PromisesBroken != 1 || f.PromisesKept != 1 {
			t.Errorf("champion %+v", f)
		}
		ratioIs(t, "champion cure rate", c.KPIs.CureRate, 1, 3)
		ch := lineOf(t, r, collection.Challenger)
		if f := ch.Figures; f.Contacts != 2 || f.Connected != 1 || f.Episodes != 1 || f.PromisesMade != 1 || f.RolledForward != 1 {
			t.Errorf("challenger %+v", f)
		}
		// The wrong number on loan 9 was in no episode.
		if n := lineOf(t, r, report.NoKey).Figures; n.Contacts != 1 || n.Episodes != 0 {
			t.Errorf("(none) %+v", n)
		}
	})
	t.Run("bucket", func(t *testing.T) {
		r := by(report.DimBucket)
		if keys := []string{r.Lines[0].Key, r.Lines[1].Key, r.Lines[2].Key}; !cmp.Equal(keys, []string{"M1", "M3", report.NoKey}) {
			t.Errorf("bucket keys %v", keys)
		}
		m1 := lineOf(t, r, "M1")
		ratioIs(t, "M1 cure rate", m1.KPIs.CureRate, 1, 3)
		ratioIs(t, "M3 cure rate", lineOf(t, r, "M3").KPIs.CureRate, 0, 1)
	})
	t.Run("team", func(t *testing.T) {
		r := by(report.DimTeam)
		a := lineOf(t, r, "A").Figures
		// Team A: contacts 1, 5, 6 (carol), promise 1, episodes E1 and E4.
		if a.Contacts != 3 || a.Connected != 3 || a.RPC != 2 || a.Episodes != 2 || a.PromisesMade != 1 {
			t.Errorf("team A %+v", a)
		}
	})
	if _, err := report.Collections(rows, "region"); daihou.ErrorCode(err) != daihou.EINVALID || !strings.Contains(err.Error(), "collector") {
		t.Errorf("by region: %v, want EINVALID naming the dimensions", err)
	}
}

func TestCollectionsEmptyIsNotANumber(t *testing.T) {
	r, err := report.Collections(&report.CollectionRows{From: mustDate("2026-03-01"), To: mustDate("2026-03-01")}, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r.Total.KPIs)
	if strings.Contains(string(b), "NaN") || strings.Count(string(b), `"value":null`) != 11 {
		t.Errorf("empty KPIs %s, want every value null", b)
	}
	if _, err := report.Collections(&report.CollectionRows{From: mustDate("2026-03-02"), To: mustDate("2026-03-01")}, ""); daihou.ErrorCode(err) != daihou.EINVALID {
		t.Errorf("to before from: %v", err)
	}
}

func officerCounts(from, to civil.Date, loans []report.OfficerLoan) *report.OfficerCounts {
	var c report.OfficerCounts
	for _, l := range loans {
		c.Add(l, from, to)
	}
	return &c
}

func TestBookFiguresByHand(t *testing.T) {
	cell := func(a *eod.Aggregates, status servicing.Status, b servicing.Bucket, outstanding string) {
		a.Portfolio[eod.PortfolioKey{Product: "CL", Branch: "BJ01", Status: status, Bucket: b, Class: classification.Normal, Stage: 1}] = eod.PortfolioCell{Loans: 1, Outstanding: amt(outstanding)}
	}
	at, opening := eod.NewAggregates(), eod.NewAggregates()
	cell(at, servicing.StatusActive, servicing.M0, "800000")
	cell(at, servicing.StatusActive, servicing.M1, "100000")
	cell(at, servicing.StatusActive, servicing.M4, "50000")
	cell(at, servicing.StatusActive, servicing.M7, "50000")
	cell(at, servicing.StatusWrittenOff, servicing.M7, "70000") // not active
	cell(opening, servicing.StatusActive, servicing.M0, "900000")
	cell(opening, servicing.StatusActive, servicing.M1, "60000")
	cell(opening, servicing.StatusActive, servicing.M2, "40000")
	rows := collectionRows()
	rows.Book = &report.BookRows{
		AsOf: mustDate("2026-03-31"), At: at, OpeningDate: mustDate("2026-02-28"), Opening: opening,
		WriteOffs: []report.WriteOff{{LoanID: 5, Date: mustDate("2026-03-25"), Amount: amt("30000")}, {LoanID: 6, Date: mustDate("2026-02-27"), Amount: amt("9999")}},
		Recoveries: []report.Recovery{{LoanID: 7, Seq: 9, Date: mustDate("2026-03-05"), Amount: amt("1000")}, {LoanID: 7, Seq: 10, Date: mustDate("2026-03-31"), Amount: amt("500")},
			{LoanID: 8, Seq: 4, Date: mustDate("2026-04-01"), Amount: amt("1")}},
		Officers: officerCounts(mustDate("2026-03-01"), mustDate("2026-03-31"), []report.OfficerLoan{
			{LoanID: 11, Disbursed: mustDate("2025-06-01"), Maturity: mustDate("2026-06-01"), Settled: mustDate("2026-03-15")}, // churned
			{LoanID: 12, Disbursed: mustDate("2025-03-01"), Maturity: mustDate("2026-03-01"), Settled: mustDate("2026-03-01")}, // at maturity
			{LoanID: 13, Disbursed: mustDate("2026-03-05"), Maturity: mustDate("2027-03-05")},                                  // not yet on book
			{LoanID: 14, Disbursed: mustDate("2025-01-01"), Maturity: mustDate("2026-01-01"), Settled: mustDate("2026-02-15")}, // gone before
			{LoanID: 15, Disbursed: mustDate("2025-01-01"), Maturity: mustDate("2026-01-01"), WrittenOff: mustDate("2026-02-20")},
			{LoanID: 16, Disbursed: mustDate("2025-05-01"), Maturity: mustDate("2026-05-01")},
		}),
	}
	r, err := report.Collections(rows, "")
	if err != nil {
		t.Fatal(err)
	}
	b := r.Book
	if b == nil {
		t.Fatal("no book figures")
	}
	if b.ActiveBalance != amt("1000000") || b.Over90Balance != amt("100000") || b.OpeningPastDue != amt("100000") ||
		b.WrittenOffN != 1 || b.WrittenOff != amt("30000") || b.Recoveries != 2 || b.Recovered != amt("1500") {
		t.Errorf("book %+v", b.BookFigures)
	}
	ratioIs(t, "90+ share", b.Over90Share, 10000000, 100000000)
	ratioIs(t, "write-off ratio", b.WriteOffRatio, 3000000, 10000000)
	if b.OfficerChurn == nil {
		t.Fatal("no officer churn")
	}
	ratioIs(t, "officer churn", *b.OfficerChurn, 1, 3)
	// Without the officers' loans there is no churn, not a zero one.
	rows.Book.Officers = nil
	if r, _ := report.Collections(rows, ""); r.Book.OfficerChurn != nil {
		t.Errorf("churn %+v without officers' loans", r.Book.OfficerChurn)
	}
}

func TestCollectionTrendFromDaily(t *testing.T) {
	rows := collectionRows()
	rows.Daily = []report.DailyFigures{
		{Date: mustDate("2026-03-02"), Dimension: report.DimAll, Key: report.DimAll, Figures: report.Figures{Attempts: 2, Connected: 1}},
		{Date: mustDate("2026-03-01"), Dimension: report.DimAll, Key: report.DimAll, Figures: report.Figures{Attempts: 4, Connected: 1}},
		{Date: mustDate("2026-03-01"), Dimension: report.DimCollector, Key: "alice", Figures: report.Figures{Attempts: 4}},
		{Date: mustDate("2026-04-01"), Dimension: report.DimAll, Key: report.DimAll},
	}
	r, _ := report.Collections(rows, report.DimArm)
	if len(r.Trend) != 2 || r.Trend[0].Date != mustDate("2026-03-01") {
		t.Fatalf("trend %+v", r.Trend)
	}
	ratioIs(t, "03-01 contact rate", r.Trend[0].KPIs.ContactRate, 1, 4)
}

func TestStrategiesByHand(t *testing.T) {
	rep, err := report.Strategies(collectionRows(), []collection.Strategy{collection.DefaultStrategy()})
	if err != nil {
		t.Fatal(err)
	}
	var segs []string
	for _, c := range rep.Comparisons {
		segs = append(segs, c.Segment)
	}
	// The champion's late and person have no challenger episodes; auto
	// pairs with auto-voice-first, third in both arms of the definition.
	if want := []string{report.AllSegments, "late", "person", "auto / auto-voice-first"}; !cmp.Equal(segs, want) {
		t.Fatalf("segments %q, want %q", segs, want)
	}
	all := rep.Comparisons[0]
	if all.Champion.Episodes != 3 || all.Champion.Cured != 1 || all.Challenger.Episodes != 1 || all.Challenger.RolledForward != 1 {
		t.Errorf("all: champion %+v challenger %+v", all.Champion, all.Challenger)
	}
	// Champion contacts 1, 2, 5 cost 4.05 over 6,000.00 collected; the
	// complaint was on loan 4 (person).
	if all.Champion.Cost != amt("4.05") || all.Champion.Complaints != 1 || all.Champion.RPC != 2 {
		t.Errorf("champion cost %v complaints %d rpc %d", all.Champion.Cost, all.Champion.Complaints, all.Champion.RPC)
	}
	ratioIs(t, "champion cost per collected", all.Champion.CostPerCollected, 405, 600000)
	// 0/1 against 1/3: the Newcombe interval of −1/3 is wide and holds 0.
	if d := all.Cure; d.Estimate == nil || !near(*d.Estimate, -1.0/3) || d.Significant || d.Verdict != report.NotSignificant {
		t.Errorf("cure difference %+v", d)
	}
	lo, hi, _ := report.Wilson(1, 3, report.Z95)
	if ci := all.Champion.CureCI; ci == nil || ci.Lower != lo || ci.Upper != hi {
		t.Errorf("champion cure CI %+v, want %v–%v", ci, lo, hi)
	}
	late := rep.Comparisons[1]
	if late.Challenger.Episodes != 0 || late.Challenger.CureCI != nil || late.Cure.Verdict != report.NoVerdict || late.Cure.Estimate != nil {
		t.Errorf("late has no challenger, got %+v %+v", late.Challenger, late.Cure)
	}
	auto := rep.Comparisons[3]
	if auto.Champion.Segment != "auto" || auto.Challenger.Segment != "auto-voice-first" || auto.Champion.Episodes != 1 || auto.Challenger.Episodes != 1 {
		t.Errorf("auto %+v", auto)
	}
	// Without the definition the differently named segments stay apart.
	rep, _ = report.Strategies(collectionRows(), nil)
	if n := len(rep.Comparisons); n != 5 {
		t.Errorf("%d comparisons without the definition, want all + 4 one-sided", n)
	}
}

// A difference large enough to be real, and one that is not.
func TestStrategyVerdicts(t *testing.T) {
	arms := func(champCured, champN, challCured, challN int) *report.CollectionRows {
		rows := &report.CollectionRows{From: mustDate("2026-03-01"), To: mustDate("2026-03-31")}
		id := int64(0)
		add := func(arm string, cured, n int) {
			for i := 0; i < n; i++ {
				id++
				e := collection.Episode{LoanID: id, Started: mustDate("2026-03-01"), Strategy: "s", Arm: arm, Segment: "x", EntryBucket: 1, MaxBucket: 1}
				if i < cured {
					e.Ended, e.Outcome = mustDate("2026-03-09"), collection.Cured
				} else if i < cured+n/10 {
					e.MaxBucket = 2
				}
				rows.Episodes = append(rows.Episodes, e)
			}
		}
		add(collection.Champion, champCured, champN)
		add(collection.Challenger, challCured, challN)
		return rows
	}
	rep, _ := report.Strategies(arms(300, 1000, 360, 1000), nil)
	c := rep.Comparisons[0]
	if c.Cure.Verdict != report.ChallengerBetter || !c.Cure.Significant || c.Cure.CI.Lower <= 0 || *c.Cure.PValue > 0.01 {
		t.Errorf("300/1000 against 360/1000: %+v (CI %+v)", c.Cure, c.Cure.CI)
	}
	// Roll-forward: 100/1000 each, not significant either way.
	if c.RollForward.Verdict != report.NotSignificant {
		t.Errorf("roll forward %+v", c.RollForward)
	}
	rep, _ = report.Strategies(arms(30, 100, 33, 100), nil)
	if c := rep.Comparisons[0]; c.Cure.Verdict != report.NotSignificant || c.Cure.CI.Lower > 0 || c.Cure.CI.Upper < 0 {
		t.Errorf("30/100 against 33/100: %+v", c.Cure)
	}
	rep, _ = report.Strategies(arms(400, 1000, 300, 1000), nil)
	if c := rep.Comparisons[0]; c.Cure.Verdict != report.ChampionBetter {
		t.Errorf("400/1000 against 300/1000: %+v", c.Cure)
	}
}
