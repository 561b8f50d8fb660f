package report

import (
	"slices"
	"sort"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/money"
)

// StrategyReport compares the champion and challenger arms of each
// collection strategy (冠军/挑战者策略) over a period: per strategy and per
// segment its episodes entered, the episodes of each arm, their cure and
// roll-forward rates with 95 % Wilson intervals, what they collected and
// what their contacts cost, and the difference of the rates, challenger
// minus champion, with Newcombe's interval and a two-proportion z-test, so
// that a risk officer can tell a real difference from noise.
//
// Because a loan's arm is a stable hash of its id (collection.ArmOf), the
// arms are like populations and the comparison of a whole strategy (the
// segment "(all)") is a randomised one. Within a segment the comparison
// holds for loans that entered it, which each arm's own conditions decide.
type StrategyReport struct {
	From        civil.Date   `json:"from"`
	To          civil.Date   `json:"to"`
	Confidence  float64      `json:"confidence"`
	Comparisons []Comparison `json:"comparisons"`
}

// AllSegments is the segment of a strategy's whole-arm comparison.
const AllSegments = "(all)"

// Comparison is one strategy segment's arms side by side. Segment is the
// segment's name, "champion / challenger" when the arms name the paired
// segments differently, or "(all)".
type Comparison struct {
	Strategy    string     `json:"strategy"`
	Segment     string     `json:"segment"`
	Champion    ArmResult  `json:"champion"`
	Challenger  ArmResult  `json:"challenger"`
	Cure        Difference `json:"cure_difference"`
	RollForward Difference `json:"roll_forward_difference"`
}

// ArmResult is one arm of a segment in the period. The counts are as in
// Figures: episodes active in the period (started <= To AND (ended = 0 OR
// ended >= From)) whose strategy, arm and segment are these; cured those
// ended cured in the period; rolled_forward those with max_bucket >
// entry_bucket; collected SUM(collected) of them; cost, complaints and
// rpc of the contacts on their loans within them in the period.
type ArmResult struct {
	Arm              string       `json:"arm"`
	Segment          string       `json:"segment"`
	Episodes         int64        `json:"episodes"`
	Cured            int64        `json:"cured"`
	RolledForward    int64        `json:"rolled_forward"`
	Collected        money.Amount `json:"collected"`
	Cost             money.Amount `json:"cost"`
	RPC              int64        `json:"rpc"`
	Complaints       int64        `json:"complaints"`
	CureRate         Ratio        `json:"cure_rate"`
	CureCI           *Interval    `json:"cure_ci"`
	RollForwardRate  Ratio        `json:"roll_forward_rate"`
	RollForwardCI    *Interval    `json:"roll_forward_ci"`
	CostPerCollected Ratio        `json:"cost_per_collected"`
	ComplaintRate    Ratio        `json:"complaint_rate"`
}

// Interval is a confidence interval; nil where there is nothing to bound.
type Interval struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// The verdicts of a difference.
const (
	ChallengerBetter = "challenger better"
	ChampionBetter   = "champion better"
	NotSignificant   = "not significant"
	NoVerdict        = "n/a" // an arm has no episodes
)

// Difference is challenger minus champion of a rate: the estimate, its
// Newcombe hybrid score interval (method 10 of Newcombe 1998) and the
// pooled two-proportion z-test. Significant is whether the interval
// excludes 0; Verdict says which arm is better ("not significant" when the
// interval contains 0, "n/a" when an arm has no episodes). For a cure
// rate higher is better, for a roll-forward rate lower.
type Difference struct {
	Estimate    *float64  `json:"estimate"`
	CI          *Interval `json:"ci"`
	Z           *float64  `json:"z"`
	PValue      *float64  `json:"p_value"`
	Significant bool      `json:"significant"`
	Verdict     string    `json:"verdict"`
}

type armCounts struct {
	episodes, cured, rolled, rpc, complaints int64
	collected, cost                          money.Amount
}

func (a *armCounts) add(o armCounts) {
	a.episodes += o.episodes
	a.cured += o.cured
	a.rolled += o.rolled
	a.rpc += o.rpc
	a.complaints += o.complaints
	a.collected += o.collected
	a.cost += o.cost
}

func (a armCounts) result(arm, segment string, z float64) ArmResult {
	r := ArmResult{Arm: arm, Segment: segment, Episodes: a.episodes, Cured: a.cured, RolledForward: a.rolled, Collected: a.collected,
		Cost: a.cost, RPC: a.rpc, Complaints: a.complaints,
		CureRate: NewRatio(a.cured, a.episodes), RollForwardRate: NewRatio(a.rolled, a.episodes),
		CostPerCollected: NewRatio(int64(a.cost), int64(a.collected)), ComplaintRate: NewRatio(a.complaints, a.rpc)}
	if lo, hi, ok := Wilson(a.cured, a.episodes, z); ok {
		r.CureCI = &Interval{lo, hi}
	}
	if lo, hi, ok := Wilson(a.rolled, a.episodes, z); ok {
		r.RollForwardCI = &Interval{lo, hi}
	}
	return r
}

// difference compares the challenger's x2/n2 with the champion's x1/n1;
// higherBetter says which way is better.
func difference(x1, n1, x2, n2 int64, z float64, higherBetter bool) Difference {
	d := Difference{Verdict: NoVerdict}
	est, lo, hi, ok := Newcombe(x2, n2, x1, n1, z)
	if !ok {
		return d
	}
	d.Estimate, d.CI = &est, &Interval{lo, hi}
	if zs, p, ok := TwoProportionZ(x2, n2, x1, n1); ok {
		d.Z, d.PValue = &zs, &p
	}
	d.Significant = lo > 0 || hi < 0
	switch {
	case !d.Significant:
		d.Verdict = NotSignificant
	case (est > 0) == higherBetter:
		d.Verdict = ChallengerBetter
	default:
		d.Verdict = ChampionBetter
	}
	return d
}

// Strategies compares the arms of the strategies of rows' episodes over
// rows.From … rows.To at 95 %. defs are the strategies as defined (the
// one in force), used to pair a champion segment with the challenger
// segment in the same place when their names differ ("auto" against
// "auto-voice-first"); segments with the same name are always paired, and
// a segment only one arm has is compared with nothing.
func Strategies(rows *CollectionRows, defs []collection.Strategy) (StrategyReport, error) {
	if rows.To.Before(rows.From) {
		return StrategyReport{}, daihou.Invalid("to", "to: %v is before from (%v)", rows.To, rows.From)
	}
	from, to, z := rows.From, rows.To, Z95
	type key struct{ strategy, arm, segment string }
	counts := map[key]*armCounts{}
	get := func(e *collection.Episode) *armCounts {
		k := key{orNone(e.Strategy), e.Arm, orNone(e.Segment)}
		c := counts[k]
		if c == nil {
			c = &armCounts{}
			counts[k] = c
		}
		return c
	}
	idx := newEpisodeIndex(rows.Episodes)
	for i := range rows.Episodes {
		e := &rows.Episodes[i]
		if !active(e, from, to) {
			continue
		}
		c := get(e)
		c.episodes++
		if e.Ended != 0 && within(e.Ended, from, to) && e.Outcome == collection.Cured {
			c.cured++
		}
		if e.MaxBucket > e.EntryBucket {
			c.rolled++
		}
		c.collected += e.Collected
	}
	for i := range rows.Contacts {
		ct := &rows.Contacts[i]
		if !within(ct.Business, from, to) {
			continue
		}
		e := idx.on(ct.LoanID, ct.Business)
		if e == nil || !active(e, from, to) {
			continue
		}
		c := get(e)
		c.cost += ct.Cost
		if ct.Attempt() && ct.RPC {
			c.rpc++
		}
		if ct.Outcome == collection.Complaint {
			c.complaints++
		}
	}
	// The segments each arm of each strategy has.
	seen := map[string][2][]string{}
	for k := range counts {
		s := seen[k.strategy]
		switch k.arm {
		case collection.Champion:
			s[0] = append(s[0], k.segment)
		case collection.Challenger:
			s[1] = append(s[1], k.segment)
		default:
			continue
		}
		seen[k.strategy] = s
	}
	codes := make([]string, 0, len(seen))
	for c := range seen {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	rep := StrategyReport{From: from, To: to, Confidence: 0.95, Comparisons: []Comparison{}}
	for _, code := range codes {
		var def *collection.Strategy
		for i := range defs {
			if defs[i].Code == code {
				def = &defs[i]
			}
		}
		s := seen[code]
		pairs := pairSegments(def, s[0], s[1])
		var all [2]armCounts
		var rowsOf []Comparison
		for _, p := range pairs {
			var champ, chall armCounts
			if c := counts[key{code, collection.Champion, p[0]}]; p[0] != "" && c != nil {
				champ = *c
			}
			if c := counts[key{code, collection.Challenger, p[1]}]; p[1] != "" && c != nil {
				chall = *c
			}
			all[0].add(champ)
			all[1].add(chall)
			label := p[0]
			switch {
			case p[0] == "":
				label = p[1]
			case p[1] != "" && p[1] != p[0]:
				label = p[0] + " / " + p[1]
			}
			rowsOf = append(rowsOf, compare(code, label, p[0], p[1], champ, chall, z))
		}
		rep.Comparisons = append(rep.Comparisons, compare(code, AllSegments, AllSegments, AllSegments, all[0], all[1], z))
		rep.Comparisons = append(rep.Comparisons, rowsOf...)
	}
	return rep, nil
}

func compare(code, label, champSeg, challSeg string, champ, chall armCounts, z float64) Comparison {
	return Comparison{Strategy: code, Segment: label,
		Champion:    champ.result(collection.Champion, champSeg, z),
		Challenger:  chall.result(collection.Challenger, challSeg, z),
		Cure:        difference(champ.cured, champ.episodes, chall.cured, chall.episodes, z, true),
		RollForward: difference(champ.rolled, champ.episodes, chall.rolled, chall.episodes, z, false),
	}
}

// pairSegments pairs the champion's segments with the challenger's: the
// same name first; then, when the strategy's definition is known, a
// champion segment with the challenger segment at the same place in it; a
// segment left over is paired with "" (none). Segments come in the order
// of the definition, then by name.
func pairSegments(def *collection.Strategy, champ, chall []string) [][2]string {
	var champDef, challDef []collection.Segment
	if def != nil {
		champDef, challDef = def.Champion, def.Challenger
	}
	order := func(segs []collection.Segment, have []string) []string {
		var out []string
		for _, s := range segs {
			if slices.Contains(have, s.Name) && !slices.Contains(out, s.Name) {
				out = append(out, s.Name)
			}
		}
		rest := slices.Clone(have)
		sort.Strings(rest)
		for _, s := range rest {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	a, b := order(champDef, champ), order(challDef, chall)
	pairedA, pairedB := map[string]bool{}, map[string]bool{}
	var pairs [][2]string
	for _, s := range a {
		if slices.Contains(b, s) {
			pairs = append(pairs, [2]string{s, s})
			pairedA[s], pairedB[s] = true, true
		}
	}
	for i := 0; i < min(len(champDef), len(challDef)); i++ {
		x, y := champDef[i].Name, challDef[i].Name
		if slices.Contains(a, x) && slices.Contains(b, y) && !pairedA[x] && !pairedB[y] {
			pairs = append(pairs, [2]string{x, y})
			pairedA[x], pairedB[y] = true, true
		}
	}
	for _, s := range a {
		if !pairedA[s] {
			pairs = append(pairs, [2]string{s, ""})
		}
	}
	for _, s := range b {
		if !pairedB[s] {
			pairs = append(pairs, [2]string{"", s})
		}
	}
	rank := func(p [2]string) int {
		if p[0] != "" {
			return slices.Index(a, p[0])
		}
		return len(a) + slices.Index(b, p[1])
	}
	sort.SliceStable(pairs, func(i, j int) bool { return rank(pairs[i]) < rank(pairs[j]) })
	return pairs
}
