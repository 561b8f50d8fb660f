package warning

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/servicing"
)

// Milestones are the first dates a loan went bad, each zero while it has
// not: 30+ and 90+ days past due, and 次级 substandard or worse.
type Milestones struct {
	DPD30, DPD90 civil.Date
	Substandard  civil.Date
}

// MilestonesOf returns the milestones of a loan from its state replayed as
// of a date and its class changes (in any order).
//
// The days past due come from the state's own record: after the first
// restructuring its delinquency spells, exactly; before it (or for a loan
// never restructured) its installments, each counting from its due date
// until the day its last fen was paid (PaidOn), the restructuring that
// carried it, or for good. That record is the history as the replay on
// st.AsOf tells it — a reversal dated later rewrites it — and it counts an
// installment past due until every fen of it is paid, where DPD forgives
// what is within the product's tolerance: on a product with one, a
// milestone can come out earlier than close of business saw it.
func MilestonesOf(st *servicing.State, classes []loanstate.ClassChange) Milestones {
	m := Milestones{DPD30: firstDPD(st, 30), DPD90: firstDPD(st, 90)}
	for _, c := range classes {
		if c.To.NonPerforming() && (m.Substandard == 0 || c.AsOf.Before(m.Substandard)) {
			m.Substandard = c.AsOf
		}
	}
	return m
}

// firstDPD returns the first day st's history ended n or more days past
// due, zero for none.
func firstDPD(st *servicing.State, n int) civil.Date {
	var first civil.Date
	lower := func(d civil.Date) {
		if !d.After(st.AsOf) && (first == 0 || d < first) {
			first = d
		}
	}
	// From the end of the first restructuring's day on, the spells say it
	// exactly: DPD on day d of a spell is d − Since.
	for _, sp := range st.Delinquency {
		if d := max(sp.From, sp.Since.AddDays(n)); !d.After(sp.To) {
			lower(d)
		}
	}
	end := st.AsOf.AddDays(1) // installments tell the days before this
	if len(st.Restructurings) > 0 {
		end = st.Restructurings[0].Date
	}
	// An installment counts on day d when it fell due before d and is
	// still unpaid at its end (a restructuring closes those it carries).
	// Those of a restructured schedule all fall due after the first
	// restructuring, so they count on no day before end.
	for i := range st.Installments {
		in := &st.Installments[i]
		unpaid := end // exclusive
		if !in.Closed && in.PaidOn != 0 {
			unpaid = min(unpaid, in.PaidOn)
		}
		if d := in.DueDate.AddDays(n); d.Before(unpaid) {
			lower(d)
		}
	}
	// Today's DPD counts from the oldest unpaid due date, which was
	// unpaid every day since: this covers a written-off loan too, whose
	// replay records no spell after the write-off.
	if st.DPD >= n && st.OldestUnpaidDue != 0 {
		lower(st.OldestUnpaidDue.AddDays(n))
	}
	return first
}

// Ratio is a share with its numerator and denominator.
type Ratio struct{ Num, Den int }

// Rate returns Num/Den, 0 when Den is 0.
func (r Ratio) Rate() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String returns the ratio as "3/10 (30.0%)".
func (r Ratio) String() string {
	if r.Den == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", r.Num, r.Den, 100*r.Rate())
}

// The windows Judge counts in, in days.
const (
	// EarlyDays is how long before a loan went bad a warning must have
	// been raised to have identified it early.
	EarlyDays = 30
	// HitDays is how long after a warning the loan is watched for going bad.
	HitDays = 90
)

// Stat is the numbers of one rule, or of the whole set.
type Stat struct {
	Rule string // "" for the whole set
	// Warnings is the number raised in [From, To], Loans the loans they
	// were raised on.
	Warnings, Loans int
	// Early90 is the early-identification rate (提前识别率): of the loans
	// whose 90+ milestone falls in [From, To], those with a warning raised
	// at least EarlyDays before it (any time before). EarlyNPL is the same
	// for 次级 substandard or worse.
	Early90, EarlyNPL Ratio
	// Hit30 and Hit90 are hit rates (命中率): of the loans whose first
	// warning in [From, To], on day W, found them not yet at the milestone
	// and whose HitDays after W have passed by AsOf, those that reached it
	// in (W, W+HitDays]. A loan already 30+ (90+) when warned tells nothing
	// about prediction and is left out; so is one whose outcome is not yet
	// known.
	Hit30, Hit90 Ratio
}

// Report is what Judge finds.
type Report struct {
	From, To, AsOf civil.Date
	Set            Stat
	Rules          []Stat // by rule code
}

// Judge computes the numbers of a rule set's warnings against the loans'
// milestones: per rule and for the whole set, the volume in [from, to],
// the early-identification rates and the hit rates, with outcomes counted
// as known by asOf (a milestone after asOf is not yet known). It is pure;
// the warnings may reach outside [from, to] (a warning before from still
// identifies a loan early).
func Judge(warnings []Warning, milestones map[int64]Milestones, from, to, asOf civil.Date) Report {
	rep := Report{From: from, To: to, AsOf: asOf}
	in := func(d civil.Date) bool { return d != 0 && !d.Before(from) && !d.After(to) }
	known := func(d civil.Date) civil.Date {
		if d.After(asOf) {
			return 0
		}
		return d
	}
	// The loans that went bad in the window, sorted for a stable order.
	var bad90, badNPL []int64
	for id, m := range milestones {
		if in(known(m.DPD90)) {
			bad90 = append(bad90, id)
		}
		if in(known(m.Substandard)) {
			badNPL = append(badNPL, id)
		}
	}
	stat := func(rule string, ws []*Warning) Stat {
		s := Stat{Rule: rule}
		earliest := map[int64]civil.Date{} // loan → first warning, any time
		first := map[int64]civil.Date{}    // loan → first warning in [from, to]
		for _, w := range ws {
			if e, ok := earliest[w.LoanID]; !ok || w.Raised.Before(e) {
				earliest[w.LoanID] = w.Raised
			}
			if !in(w.Raised) {
				continue
			}
			s.Warnings++
			if f, ok := first[w.LoanID]; !ok || w.Raised.Before(f) {
				first[w.LoanID] = w.Raised
			}
		}
		s.Loans = len(first)
		early := func(ids []int64, at func(Milestones) civil.Date) Ratio {
			r := Ratio{Den: len(ids)}
			for _, id := range ids {
				if e, ok := earliest[id]; ok && !e.After(at(milestones[id]).AddDays(-EarlyDays)) {
					r.Num++
				}
			}
			return r
		}
		s.Early90 = early(bad90, func(m Milestones) civil.Date { return m.DPD90 })
		s.EarlyNPL = early(badNPL, func(m Milestones) civil.Date { return m.Substandard })
		hit := func(at func(Milestones) civil.Date) Ratio {
			var r Ratio
			for id, w := range first {
				m := known(at(milestones[id]))
				if m != 0 && !m.After(w) || w.AddDays(HitDays).After(asOf) {
					continue // bad already, or not yet known
				}
				r.Den++
				if m != 0 && !m.After(w.AddDays(HitDays)) {
					r.Num++
				}
			}
			return r
		}
		s.Hit30 = hit(func(m Milestones) civil.Date { return m.DPD30 })
		s.Hit90 = hit(func(m Milestones) civil.Date { return m.DPD90 })
		return s
	}
	all := make([]*Warning, len(warnings))
	byRule := map[string][]*Warning{}
	for i := range warnings {
		w := &warnings[i]
		all[i] = w
		byRule[w.Rule] = append(byRule[w.Rule], w)
	}
	rep.Set = stat("", all)
	for _, code := range slices.Sorted(maps.Keys(byRule)) {
		rep.Rules = append(rep.Rules, stat(code, byRule[code]))
	}
	return rep
}

// Random returns the baseline a rule set must beat: for every date and
// rule, as many warnings as warnings has, each copied onto a loan drawn at
// random from loans (distinct within a date and rule while loans has
// enough), deterministic for a seed; the copies have new IDs from 1, no
// borrower and the reason "random baseline". Judge of the baseline against
// the same milestones is what chance alone would score.
func Random(warnings []Warning, loans []int64, seed uint64) []Warning {
	if len(loans) == 0 {
		return nil
	}
	ws := slices.Clone(warnings)
	slices.SortStableFunc(ws, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Raised, b.Raised), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.LoanID, b.LoanID), cmp.Compare(a.ID, b.ID))
	})
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var taken map[int64]bool
	for i := range ws {
		if i == 0 || ws[i].Raised != ws[i-1].Raised || ws[i].Rule != ws[i-1].Rule {
			taken = map[int64]bool{}
		}
		id := loans[rng.IntN(len(loans))]
		for len(taken) < len(loans) && taken[id] {
			id = loans[rng.IntN(len(loans))]
		}
		taken[id] = true
		ws[i].ID, ws[i].LoanID, ws[i].BorrowerID = int64(i+1), id, 0
		ws[i].Reason = "random baseline"
	}
	return ws
}
