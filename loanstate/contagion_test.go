package loanstate_test

import (
	"slices"
	"strings"
	"testing"

	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
)

var asOf = civil.MustParse("2026-06-30")

// overdueBullet is a bullet loan of principal that fell due dpd days before
// asOf, unpaid: its exposure is principal, its own class by DPD.
func overdueBullet(id int64, principal string, dpd int) loanstate.Input {
	due := asOf.AddDays(-dpd)
	start := due.AddMonthsClamped(-6, due.Day())
	return loanstate.Input{Product: servicing.DefaultProduct("P"), Loan: servicing.Loan{ID: id, BorrowerID: 1, Principal: money.MustParseAmount(principal),
		Rate: 0, Term: 6, Method: schedule.Bullet, Disbursed: start}}
}

// current is a loan of principal disbursed a week before asOf.
func current(id int64, principal string) loanstate.Input {
	return loanstate.Input{Product: servicing.DefaultProduct("P"), Loan: servicing.Loan{ID: id, BorrowerID: 1, Principal: money.MustParseAmount(principal),
		Rate: money.MustParseRate("0.12"), Term: 12, Method: schedule.EqualInstallment, Disbursed: asOf.AddDays(-7)}}
}

// Borrower contagion at the default threshold, both sides: more than 10 %
// of the borrower's exposure non-performing makes every loan of the
// borrower at least 次级; 10 % exactly does not.
func TestContagionThreshold(t *testing.T) {
	for _, tt := range []struct {
		name     string
		bad      string // principal of the loan 102 days past due (次级)
		good     string
		contagio bool
	}{
		{"the issue's case: 12,000.00 of 112,000.00 is 10.7 %", "12000", "100000", true},
		{"9.9 %", "11000", "100000", false},
		{"exactly 10 %: not more than", "10000", "90000", false},
		{"a fen over 10 %", "10000.01", "90000", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := loanstate.Deriver{Contagion: loanstate.DefaultContagion}
			got, marks := d.Derive(asOf, []loanstate.Input{overdueBullet(1, tt.bad, 102), current(2, tt.good)}, nil)
			bad, good := got[0].Snapshot, got[1].Snapshot
			if bad.Class != classification.Substandard || bad.Contagion {
				t.Fatalf("the overdue loan: %v contagion %v, want 次级 on its own DPD", bad.Class.Chinese(), bad.Contagion)
			}
			want := classification.Normal
			if tt.contagio {
				want = classification.Substandard
			}
			if good.Class != want || good.OwnClass != classification.Normal || good.Contagion != tt.contagio {
				t.Errorf("the current loan: class %v own %v contagion %v (%s), want %v", good.Class.Chinese(), good.OwnClass.Chinese(), good.Contagion, good.ClassCause, want.Chinese())
			}
			if tt.contagio {
				if !strings.Contains(good.ClassCause, "borrower contagion") || !strings.Contains(good.ClassCause, "loan 1") {
					t.Errorf("cause %q: want it to name contagion and the non-performing loan", good.ClassCause)
				}
				if good.Stage != 3 {
					t.Errorf("stage %d, want 3 for a non-performing class", good.Stage)
				}
			}
			if len(marks) != 0 {
				t.Errorf("marks %v: both loans were derived together", marks)
			}
			off := loanstate.Deriver{Contagion: loanstate.Contagion{Off: true}}
			if got, _ := off.Derive(asOf, []loanstate.Input{overdueBullet(1, tt.bad, 102), current(2, tt.good)}, nil); got[1].Snapshot.Class != classification.Normal {
				t.Errorf("contagion off: class %v, want 正常", got[1].Snapshot.Class.Chinese())
			}
		})
	}
}

// A borrower's other loans seen through their cached exposure: deriving the
// loan that turns non-performing marks its siblings to be derived again,
// and deriving a sibling on its own applies the contagion from the cached
// exposure.
func TestContagionAcrossDerivations(t *testing.T) {
	d := loanstate.Deriver{Contagion: loanstate.DefaultContagion}
	goodCached := loanstate.Exposure{LoanID: 2, BorrowerID: 1, OwnClass: classification.Normal, Outstanding: money.MustParseAmount("100000"), Active: true}
	badBefore := loanstate.Exposure{LoanID: 1, BorrowerID: 1, OwnClass: classification.SpecialMention, Outstanding: money.MustParseAmount("12000"), Active: true}
	_, marks := d.Derive(asOf, []loanstate.Input{overdueBullet(1, "12000", 102)}, []loanstate.Exposure{badBefore, goodCached})
	if !slices.Equal(marks, []int64{2}) {
		t.Errorf("loan 1 crossed into 次级: marks %v, want its sibling 2", marks)
	}
	badNow := badBefore
	badNow.OwnClass = classification.Substandard
	got, marks := d.Derive(asOf, []loanstate.Input{current(2, "100000")}, []loanstate.Exposure{badNow, goodCached})
	if s := got[0].Snapshot; s.Class != classification.Substandard || !s.Contagion {
		t.Errorf("sibling derived alone: %v contagion %v, want 次级 by contagion", s.Class.Chinese(), s.Contagion)
	}
	if len(marks) != 0 {
		t.Errorf("marks %v: nothing crossed", marks)
	}
	// A settled sibling is not contagious and never wanted.
	settled := loanstate.Exposure{LoanID: 3, BorrowerID: 1, OwnClass: classification.Normal, Active: false}
	_, marks = d.Derive(asOf, []loanstate.Input{overdueBullet(1, "12000", 102)}, []loanstate.Exposure{badNow, goodCached, settled})
	if slices.Contains(marks, 3) {
		t.Errorf("marks %v: a settled loan is never marked for contagion", marks)
	}
}

// A loan given twice among the other exposures (a chunk read in parts,
// each part reading its borrowers' loans) weighs once. The borrower of a
// 1,000,000-loan book: 4,502.68 non-performing of 59,173.43 is 7.6 %, no
// contagion; counted twice it would be 9,005.36 of 63,676.11, 14.1 %.
func TestContagionCountsALoanOnce(t *testing.T) {
	d := loanstate.Deriver{Contagion: loanstate.DefaultContagion}
	ins := []loanstate.Input{current(1, "36315.27"), current(2, "18355.48")}
	npl := func(amount string) loanstate.Exposure {
		return loanstate.Exposure{LoanID: 3, BorrowerID: 1, OwnClass: classification.Doubtful, Outstanding: money.MustParseAmount(amount), Active: true}
	}
	for _, times := range []int{1, 2, 3} {
		others := slices.Repeat([]loanstate.Exposure{npl("4502.68")}, times)
		got, _ := d.Derive(asOf, ins, others)
		for _, g := range got {
			if s := g.Snapshot; s.Contagion || s.Class != classification.Normal {
				t.Errorf("7.6%% non-performing, the loan given %d times: loan %d is %s (%s), want 正常 without contagion", times, s.LoanID, s.Class.Chinese(), s.ClassCause)
			}
		}
		// 7,000.00 of 61,670.75 is 11.4 %: contagion, naming loan 3 once.
		got, _ = d.Derive(asOf, ins, slices.Repeat([]loanstate.Exposure{npl("7000")}, times))
		for _, g := range got {
			if s := g.Snapshot; !s.Contagion || !strings.HasSuffix(s.ClassCause, "(loan 3)") {
				t.Errorf("11.4%% non-performing, the loan given %d times: loan %d contagion %v, cause %q, want contagion naming loan 3 once", times, s.LoanID, s.Contagion, s.ClassCause)
			}
		}
	}
}
