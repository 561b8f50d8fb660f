package report

import (
	"slices"
	"sort"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/compliance"
	"daihou/eod"
	"daihou/money"
	"daihou/servicing"
)

// Figures are the collection KPIs (催收考核指标) of a period [From, To] of
// business dates, inclusive, as exact counts and sums of rows of the
// collection tables, with every ratio derived from two of them. Each count below
// names the rows it counts, so that anyone can reconcile a figure with one
// SQL COUNT or SUM:
//
// Contacts (table contacts, rows with business BETWEEN From AND To):
//
//   - contacts: every row.
//   - attempts: rows whose channel is call, ai-voice, dialer or visit —
//     the attempts to reach someone (texts, e-mail and letters reach no
//     one and are not attempts).
//   - connected: attempts with connected = 1; rpc: attempts with rpc = 1
//     (right-party contact: the debtor reached).
//   - complaints: rows with outcome 'complaint', any channel.
//   - rated, satisfaction_sum: rows with satisfaction > 0, and the sum of
//     their satisfaction (1–5).
//   - cost: SUM(cost) of every row, fen.
//
// Promises to pay (table promises):
//
//   - promises_made, promised: rows with made in the period, and SUM(amount).
//   - promises_kept, promises_broken, kept_amount: rows with settled in the
//     period and state 'kept' (resp. 'broken'), and SUM(amount) of the kept.
//
// Collection episodes (table collection_episodes):
//
//   - episodes: the episodes active in the period, started <= To AND
//     (ended = 0 OR ended >= From); entered: those with started >= From.
//   - ended, cured, settled, written_off: active episodes with ended in
//     the period (ended >= From AND ended <= To), all, and by outcome.
//   - cure_days: SUM(ended − started + 1) over the cured ones.
//   - rolled_forward: active episodes with max_bucket > entry_bucket.
//   - collected: SUM(collected) of the active episodes, fen — what was
//     repaid over each whole episode to date (or to its end), as close of
//     business last recorded it, not only within the period.
//
// The ratios, each with its numerator and denominator (null when the
// denominator is 0):
//
//   - contact rate 接通率 = connected / attempts
//   - right-party-contact rate 有效联系率 = rpc / attempts
//   - promise rate 承诺率 = promises_made / rpc
//   - promise-kept rate 承诺兑现率 = promises_kept / (promises_kept + promises_broken)
//   - cure rate 治愈率 = cured / episodes
//   - collection success rate 催回率 = (cured + settled) / ended
//   - average collection cycle 平均催收周期 = cure_days / cured, days
//   - roll-forward rate 恶化率 = rolled_forward / episodes
//   - cost per unit collected 单位催回成本 = cost / collected (fen per fen)
//   - complaint rate 投诉率 = complaints / rpc
//   - satisfaction 满意度 = satisfaction_sum / rated
//
// Every row counts in the line "all" and in one or more lines of each
// dimension (CollectionDimensions):
//
//   - collector: a contact by contacts.by_name, a promise by
//     promises.by_name, an episode under each person assigned one of its
//     tasks (tasks.assignee of the tasks with tasks.loan_id = the loan and
//     tasks.episode = started) — so an episode two collectors worked
//     counts for both, and the lines of a dimension need not add up to
//     "all";
//   - team: a contact or a promise by the team of its task (tasks.team of
//     contacts.task_id, promises.task_id), an episode under each team of
//     its tasks;
//   - arm and bucket: an episode by its arm and entry bucket (M0 … M7+); a
//     contact by the episode of its loan that spans its business date
//     (started <= business AND (ended = 0 OR ended >= business)), a
//     promise by the one that spans the day it was made;
//   - channel: a contact by its channel, a promise by the channel of the
//     contact that took it, an episode under each channel of the contacts
//     on its loan within the episode and the period — so the channel's
//     cost per unit collected is the cost of its contacts over what the
//     episodes it worked collected.
//
// A row with nothing to count under is in the line "(none)": contacts
// outside any episode (care calls, inspections), episodes no person
// worked, and so on.
type Figures struct {
	Contacts        int64        `json:"contacts"`
	Attempts        int64        `json:"attempts"`
	Connected       int64        `json:"connected"`
	RPC             int64        `json:"rpc"`
	Complaints      int64        `json:"complaints"`
	Rated           int64        `json:"rated"`
	SatisfactionSum int64        `json:"satisfaction_sum"`
	Cost            money.Amount `json:"cost"`
	PromisesMade    int64        `json:"promises_made"`
	Promised        money.Amount `json:"promised"`
	PromisesKept    int64        `json:"promises_kept"`
	PromisesBroken  int64        `json:"promises_broken"`
	KeptAmount      money.Amount `json:"kept_amount"`
	Episodes        int64        `json:"episodes"`
	Entered         int64        `json:"entered"`
	Ended           int64        `json:"ended"`
	Cured           int64        `json:"cured"`
	Settled         int64        `json:"settled"`
	WrittenOff      int64        `json:"written_off"`
	CureDays        int64        `json:"cure_days"`
	RolledForward   int64        `json:"rolled_forward"`
	Collected       money.Amount `json:"collected"`
}

// Add adds the figures of o to f: the figures of two periods, or of two
// groups of rows, that share no row.
func (f *Figures) Add(o Figures) {
	f.Contacts += o.Contacts
	f.Attempts += o.Attempts
	f.Connected += o.Connected
	f.RPC += o.RPC
	f.Complaints += o.Complaints
	f.Rated += o.Rated
	f.SatisfactionSum += o.SatisfactionSum
	f.Cost += o.Cost
	f.PromisesMade += o.PromisesMade
	f.Promised += o.Promised
	f.PromisesKept += o.PromisesKept
	f.PromisesBroken += o.PromisesBroken
	f.KeptAmount += o.KeptAmount
	f.Episodes += o.Episodes
	f.Entered += o.Entered
	f.Ended += o.Ended
	f.Cured += o.Cured
	f.Settled += o.Settled
	f.WrittenOff += o.WrittenOff
	f.CureDays += o.CureDays
	f.RolledForward += o.RolledForward
	f.Collected += o.Collected
}

// Ratio is a derived figure with the two figures it comes from: Value is
// Num / Den, null when Den is 0 ("n/a"). Num and Den are counts, or fen
// for a ratio of money.
type Ratio struct {
	Num   int64    `json:"num"`
	Den   int64    `json:"den"`
	Value *float64 `json:"value"`
}

// NewRatio returns num / den.
func NewRatio(num, den int64) Ratio {
	r := Ratio{Num: num, Den: den}
	if den != 0 {
		v := float64(num) / float64(den)
		r.Value = &v
	}
	return r
}

// KPIs are the ratios of a line, each from its Figures.
type KPIs struct {
	ContactRate      Ratio `json:"contact_rate"`
	RPCRate          Ratio `json:"rpc_rate"`
	PromiseRate      Ratio `json:"promise_rate"`
	PromiseKeptRate  Ratio `json:"promise_kept_rate"`
	CureRate         Ratio `json:"cure_rate"`
	SuccessRate      Ratio `json:"success_rate"`
	CycleDays        Ratio `json:"avg_cycle_days"`
	RollForwardRate  Ratio `json:"roll_forward_rate"`
	CostPerCollected Ratio `json:"cost_per_collected"`
	ComplaintRate    Ratio `json:"complaint_rate"`
	Satisfaction     Ratio `json:"satisfaction"`
}

// KPIs derives the ratios of f.
func (f Figures) KPIs() KPIs {
	return KPIs{
		ContactRate:      NewRatio(f.Connected, f.Attempts),
		RPCRate:          NewRatio(f.RPC, f.Attempts),
		PromiseRate:      NewRatio(f.PromisesMade, f.RPC),
		PromiseKeptRate:  NewRatio(f.PromisesKept, f.PromisesKept+f.PromisesBroken),
		CureRate:         NewRatio(f.Cured, f.Episodes),
		SuccessRate:      NewRatio(f.Cured+f.Settled, f.Ended),
		CycleDays:        NewRatio(f.CureDays, f.Cured),
		RollForwardRate:  NewRatio(f.RolledForward, f.Episodes),
		CostPerCollected: NewRatio(int64(f.Cost), int64(f.Collected)),
		ComplaintRate:    NewRatio(f.Complaints, f.RPC),
		Satisfaction:     NewRatio(f.SatisfactionSum, f.Rated),
	}
}

// The dimensions of the collection KPIs (collection_daily.dimension).
const (
	DimAll       = "all"
	DimCollector = "collector"
	DimTeam      = "team"
	DimArm       = "arm"
	DimBucket    = "bucket"
	DimChannel   = "channel"
)

// CollectionDimensions are the dimensions, "all" first.
var CollectionDimensions = []string{DimAll, DimCollector, DimTeam, DimArm, DimBucket, DimChannel}

// NoKey is the key of the rows a dimension has nothing to count under.
const NoKey = "(none)"

// ParseDimension checks a --by or by= value: one of the dimensions other
// than "all", or "" for none.
func ParseDimension(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || (s != DimAll && slices.Contains(CollectionDimensions, s)) {
		return s, nil
	}
	return "", daihou.Invalid("by", "by %q: want collector, team, arm, bucket or channel", clipText(s))
}

func clipText(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// Contact is a row of contacts, with the team of its task.
type Contact struct {
	ID           int64
	LoanID       int64
	TaskID       int64
	Business     civil.Date
	Channel      string
	Party        string
	By           string // contacts.by_name
	Team         string // tasks.team of contacts.task_id, "" none
	Connected    bool
	RPC          bool
	Outcome      collection.Outcome
	Cost         money.Amount
	Satisfaction int
}

// Attempt reports whether c is an attempt to reach someone: a call, an
// AI-voice call, a dialer's call or a visit.
func (c *Contact) Attempt() bool {
	switch c.Channel {
	case compliance.Call, compliance.AIVoice, compliance.Dialer, compliance.Visit:
		return true
	}
	return false
}

// Promise is a row of promises, with the team of its task and the
// channel of the contact that took it.
type Promise struct {
	ID      int64
	LoanID  int64
	Made    civil.Date
	Due     civil.Date
	Settled civil.Date
	Amount  money.Amount
	Paid    money.Amount
	State   string
	By      string // promises.by_name
	Team    string // tasks.team of promises.task_id, "" none
	Channel string // contacts.channel of promises.contact_id, "" none
}

// EpisodeWorker is a person or team given a task of an episode: the
// distinct (tasks.loan_id, tasks.episode, tasks.assignee, tasks.team) of
// the tasks of the episodes with an assignee or a team.
type EpisodeWorker struct {
	LoanID   int64
	Started  civil.Date // tasks.episode: the start of the episode
	Assignee string
	Team     string
}

// WriteOff is a loan written off (核销) in the period: the value date of
// its write-off transaction and what the ledger wrote off (principal,
// interest due, penalties and fees outstanding then — loan_state.written_off;
// the transaction itself carries no amount).
type WriteOff struct {
	LoanID int64
	Date   civil.Date
	Amount money.Amount
}

// Recovery is a recovery transaction on a written-off loan, not reversed.
type Recovery struct {
	LoanID int64
	Seq    int64
	Date   civil.Date
	Amount money.Amount
}

// OfficerLoan is a loan with a dedicated officer (贷后管家: loans.officer
// not empty): when it was paid out, its contractual maturity (the last due
// date of its original schedule), the day it was settled and the day it
// was written off (zero: not).
type OfficerLoan struct {
	LoanID     int64
	Disbursed  civil.Date
	Maturity   civil.Date
	Settled    civil.Date
	WrittenOff civil.Date
}

// OfficerCounts are the dedicated-officer loans active at the start of a
// period and those of them that churned in it.
type OfficerCounts struct {
	Loans   int64
	Churned int64
}

// Add counts l in [from, to]: among the loans when it was on the book
// at the start of from — disbursed before from, neither settled nor
// written off before from — and among the churned when it was, moreover,
// settled in the period before its maturity.
func (c *OfficerCounts) Add(l OfficerLoan, from, to civil.Date) {
	if !l.Disbursed.Before(from) || (l.Settled != 0 && l.Settled.Before(from)) || (l.WrittenOff != 0 && l.WrittenOff.Before(from)) {
		return
	}
	c.Loans++
	if l.Settled != 0 && within(l.Settled, from, to) && l.Settled.Before(l.Maturity) {
		c.Churned++
	}
}

// BookRows are the book-wide inputs of the KPIs that are not about
// collection rows.
type BookRows struct {
	// At are the portfolio aggregates of AsOf, the last closed date on or
	// before To (nil: none).
	AsOf civil.Date
	At   *eod.Aggregates
	// Opening are the aggregates of OpeningDate, the last closed date
	// before From (nil: none).
	OpeningDate civil.Date
	Opening     *eod.Aggregates
	WriteOffs   []WriteOff
	Recoveries  []Recovery
	// Officers counts the loans with a dedicated officer, each through
	// OfficerCounts.Add (the store streams them: there may be millions);
	// nil when not read.
	Officers *OfficerCounts
}

// BookFigures are the book-wide figures of a period:
//
//   - active_balance: SUM(outstanding) of agg_portfolio on as_of with
//     status 'active'; over90_balance: the same with bucket >= 4 (M4+,
//     more than 90 days past due).
//   - opening_past_due: SUM(outstanding) of agg_portfolio on opening_date
//     (the last close before From) with status 'active' and bucket >= 1:
//     the outstanding principal of the loans past due when the period
//     began.
//   - written_off_loans, written_off: the loans whose write-off
//     transaction has a value date in the period, and SUM(loan_state.
//     written_off) of them.
//   - recoveries, recovered: COUNT and SUM(amount) of the transactions of
//     kind 'recovery' with value_date in the period and no reversal
//     (transactions of kind 'reversal' with reverses = their seq).
//   - officer_loans: loans with an officer (loans.officer not empty) disbursed
//     before From and neither settled nor written off before From (active
//     at the start); officer_churned: those of them settled in the period
//     before their contractual maturity (settled early, 提前结清).
type BookFigures struct {
	AsOf           civil.Date   `json:"as_of,omitempty"`
	ActiveBalance  money.Amount `json:"active_balance"`
	Over90Balance  money.Amount `json:"over90_balance"`
	OpeningDate    civil.Date   `json:"opening_date,omitempty"`
	OpeningPastDue money.Amount `json:"opening_past_due"`
	WrittenOffN    int64        `json:"written_off_loans"`
	WrittenOff     money.Amount `json:"written_off"`
	Recoveries     int64        `json:"recoveries"`
	Recovered      money.Amount `json:"recovered"`
	OfficerLoans   *int64       `json:"officer_loans,omitempty"`
	OfficerChurned *int64       `json:"officer_churned,omitempty"`
}

// BookKPIs are the book-wide figures with their ratios:
//
//   - 90+ DPD share = over90_balance / active_balance (balances, fen)
//   - overdue-to-write-off ratio 核销率 = written_off / opening_past_due
//     (fen): what was written off in the period against what was past due
//     when it began
//   - officer churn 客户流失率 = officer_churned / officer_loans
type BookKPIs struct {
	BookFigures
	Over90Share   Ratio  `json:"over90_share"`
	WriteOffRatio Ratio  `json:"write_off_ratio"`
	OfficerChurn  *Ratio `json:"officer_churn,omitempty"`
}

// CollectionRows are what the collection KPIs of [From, To] are computed
// from, as the store reads them.
type CollectionRows struct {
	From, To civil.Date
	// Contacts are the contacts with a business date in the period.
	Contacts []Contact
	// Promises are the promises made or settled in the period.
	Promises []Promise
	// Episodes are the episodes active in the period and any others that
	// span the day a promise was made (for its arm and bucket); only the
	// active ones are counted.
	Episodes []collection.Episode
	Workers  []EpisodeWorker
	// Book, when not nil, adds the book-wide figures.
	Book *BookRows
	// Daily are the stored daily figures of the dates of the period
	// (collection_daily), for the trend.
	Daily []DailyFigures
}

// DailyFigures are one line of collection_daily: a date's figures under
// a dimension and key, as close of business computed them.
type DailyFigures struct {
	Date      civil.Date
	Dimension string
	Key       string
	Figures   Figures
}

// CollectionLine is one line of a collection report: a key of a
// dimension, its figures and its ratios.
type CollectionLine struct {
	Dimension string  `json:"dimension"`
	Key       string  `json:"key"`
	Figures   Figures `json:"figures"`
	KPIs      KPIs    `json:"kpis"`
}

// TrendPoint is one date's figures (dimension "all") as close of business
// stored them.
type TrendPoint struct {
	Date    civil.Date `json:"date"`
	Figures Figures    `json:"figures"`
	KPIs    KPIs       `json:"kpis"`
}

// CollectionReport is the collection KPIs of a period: the totals, the
// lines of one dimension (every dimension when By is ""), the book-wide
// figures and the daily trend.
type CollectionReport struct {
	From  civil.Date       `json:"from"`
	To    civil.Date       `json:"to"`
	By    string           `json:"by,omitempty"`
	Total CollectionLine   `json:"total"`
	Lines []CollectionLine `json:"lines"`
	Book  *BookKPIs        `json:"book,omitempty"`
	Trend []TrendPoint     `json:"trend"`
}

// FigureSet is the figures of every key of every dimension.
type FigureSet map[string]map[string]*Figures

func (s FigureSet) at(dim, key string) *Figures {
	m := s[dim]
	if m == nil {
		m = map[string]*Figures{}
		s[dim] = m
	}
	f := m[key]
	if f == nil {
		f = &Figures{}
		m[key] = f
	}
	return f
}

// episodeIndex finds a loan's episode on a date.
type episodeIndex map[int64][]*collection.Episode

func newEpisodeIndex(eps []collection.Episode) episodeIndex {
	idx := episodeIndex{}
	for i := range eps {
		e := &eps[i]
		idx[e.LoanID] = append(idx[e.LoanID], e)
	}
	for _, es := range idx {
		sort.Slice(es, func(i, j int) bool { return es[i].Started < es[j].Started })
	}
	return idx
}

// on returns the loan's episode that spans d: the latest started on or
// before d that had not ended before d.
func (idx episodeIndex) on(loan int64, d civil.Date) *collection.Episode {
	es := idx[loan]
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.Started.After(d) {
			continue
		}
		if e.Ended == 0 || !e.Ended.Before(d) {
			return e
		}
		return nil
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return NoKey
	}
	return s
}

// active reports whether e is active in [from, to].
func active(e *collection.Episode, from, to civil.Date) bool {
	return !e.Started.After(to) && (e.Ended == 0 || !e.Ended.Before(from))
}

func within(d, from, to civil.Date) bool { return !d.Before(from) && !d.After(to) }

// CollectionFigures computes the figures of rows under every key of every
// dimension: what close of business stores per date in collection_daily
// and what a report's lines are made of. Rows outside the period are not
// counted.
func CollectionFigures(rows *CollectionRows) FigureSet {
	from, to := rows.From, rows.To
	set := FigureSet{}
	set.at(DimAll, DimAll)
	idx := newEpisodeIndex(rows.Episodes)
	armBucket := func(e *collection.Episode) (string, string) {
		if e == nil {
			return NoKey, NoKey
		}
		return orNone(e.Arm), e.EntryBucket.String()
	}
	// channels[e] are the channels of the contacts within episode e.
	channels := map[*collection.Episode][]string{}
	for i := range rows.Contacts {
		c := &rows.Contacts[i]
		if !within(c.Business, from, to) {
			continue
		}
		e := idx.on(c.LoanID, c.Business)
		if e != nil && !slices.Contains(channels[e], c.Channel) {
			channels[e] = append(channels[e], c.Channel)
		}
		arm, bucket := armBucket(e)
		for _, k := range [...][2]string{{DimAll, DimAll}, {DimCollector, orNone(c.By)}, {DimTeam, orNone(c.Team)},
			{DimArm, arm}, {DimBucket, bucket}, {DimChannel, orNone(c.Channel)}} {
			addContact(set.at(k[0], k[1]), c)
		}
	}
	for i := range rows.Promises {
		p := &rows.Promises[i]
		made, settled := within(p.Made, from, to), p.Settled != 0 && within(p.Settled, from, to)
		if !made && !settled {
			continue
		}
		arm, bucket := armBucket(idx.on(p.LoanID, p.Made))
		for _, k := range [...][2]string{{DimAll, DimAll}, {DimCollector, orNone(p.By)}, {DimTeam, orNone(p.Team)},
			{DimArm, arm}, {DimBucket, bucket}, {DimChannel, orNone(p.Channel)}} {
			f := set.at(k[0], k[1])
			if made {
				f.PromisesMade++
				f.Promised += p.Amount
			}
			if settled {
				switch p.State {
				case collection.PromiseKept:
					f.PromisesKept++
					f.KeptAmount += p.Amount
				case collection.PromiseBroken:
					f.PromisesBroken++
				}
			}
		}
	}
	type epKey struct {
		loan    int64
		started civil.Date
	}
	workers := map[epKey][2][]string{}
	for _, w := range rows.Workers {
		k := epKey{w.LoanID, w.Started}
		v := workers[k]
		if w.Assignee != "" && !slices.Contains(v[0], w.Assignee) {
			v[0] = append(v[0], w.Assignee)
		}
		if w.Team != "" && !slices.Contains(v[1], w.Team) {
			v[1] = append(v[1], w.Team)
		}
		workers[k] = v
	}
	for i := range rows.Episodes {
		e := &rows.Episodes[i]
		if !active(e, from, to) {
			continue
		}
		w := workers[epKey{e.LoanID, e.Started}]
		keys := [][2]string{{DimAll, DimAll}, {DimArm, orNone(e.Arm)}, {DimBucket, e.EntryBucket.String()}}
		for _, by := range [...]struct {
			dim   string
			names []string
		}{{DimCollector, w[0]}, {DimTeam, w[1]}, {DimChannel, channels[e]}} {
			dim, names := by.dim, by.names
			if len(names) == 0 {
				keys = append(keys, [2]string{dim, NoKey})
			}
			for _, n := range names {
				keys = append(keys, [2]string{dim, n})
			}
		}
		for _, k := range keys {
			addEpisode(set.at(k[0], k[1]), e, from, to)
		}
	}
	return set
}

func addContact(f *Figures, c *Contact) {
	f.Contacts++
	if c.Attempt() {
		f.Attempts++
		if c.Connected {
			f.Connected++
		}
		if c.RPC {
			f.RPC++
		}
	}
	if c.Outcome == collection.Complaint {
		f.Complaints++
	}
	if c.Satisfaction > 0 {
		f.Rated++
		f.SatisfactionSum += int64(c.Satisfaction)
	}
	f.Cost += c.Cost
}

func addEpisode(f *Figures, e *collection.Episode, from, to civil.Date) {
	f.Episodes++
	if !e.Started.Before(from) {
		f.Entered++
	}
	if e.Ended != 0 && within(e.Ended, from, to) {
		f.Ended++
		switch e.Outcome {
		case collection.Cured:
			f.Cured++
			f.CureDays += int64(e.Ended.Sub(e.Started) + 1)
		case collection.Settled:
			f.Settled++
		case collection.WrittenOff:
			f.WrittenOff++
		}
	}
	if e.MaxBucket > e.EntryBucket {
		f.RolledForward++
	}
	f.Collected += e.Collected
}

// BookFiguresOf computes the book-wide figures of [from, to] from b.
func BookFiguresOf(b *BookRows, from, to civil.Date) BookFigures {
	var out BookFigures
	if b.At != nil {
		out.AsOf = b.AsOf
		for k, c := range b.At.Portfolio {
			if k.Status != servicing.StatusActive {
				continue
			}
			out.ActiveBalance += c.Outstanding
			if k.Bucket >= servicing.M4 {
				out.Over90Balance += c.Outstanding
			}
		}
	}
	if b.Opening != nil {
		out.OpeningDate = b.OpeningDate
		for k, c := range b.Opening.Portfolio {
			if k.Status == servicing.StatusActive && k.Bucket >= servicing.M1 {
				out.OpeningPastDue += c.Outstanding
			}
		}
	}
	for _, w := range b.WriteOffs {
		if within(w.Date, from, to) {
			out.WrittenOffN++
			out.WrittenOff += w.Amount
		}
	}
	for _, r := range b.Recoveries {
		if within(r.Date, from, to) {
			out.Recoveries++
			out.Recovered += r.Amount
		}
	}
	if c := b.Officers; c != nil {
		loans, churned := c.Loans, c.Churned
		out.OfficerLoans, out.OfficerChurned = &loans, &churned
	}
	return out
}

// KPIs derives the ratios of b.
func (b BookFigures) KPIs() BookKPIs {
	k := BookKPIs{BookFigures: b,
		Over90Share:   NewRatio(int64(b.Over90Balance), int64(b.ActiveBalance)),
		WriteOffRatio: NewRatio(int64(b.WrittenOff), int64(b.OpeningPastDue)),
	}
	if b.OfficerLoans != nil && b.OfficerChurned != nil {
		r := NewRatio(*b.OfficerChurned, *b.OfficerLoans)
		k.OfficerChurn = &r
	}
	return k
}

// Collections builds the collection report of rows.From … rows.To: the
// totals, the lines of dimension by (every dimension other than "all"
// when by is ""), the book-wide figures when rows.Book is set, and the
// trend of the daily figures stored for the period.
func Collections(rows *CollectionRows, by string) (CollectionReport, error) {
	by, err := ParseDimension(by)
	if err != nil {
		return CollectionReport{}, err
	}
	if rows.To.Before(rows.From) {
		return CollectionReport{}, daihou.Invalid("to", "to: %v is before from (%v)", rows.To, rows.From)
	}
	set := CollectionFigures(rows)
	r := CollectionReport{From: rows.From, To: rows.To, By: by, Lines: []CollectionLine{}, Trend: []TrendPoint{}}
	r.Total = line(DimAll, DimAll, *set[DimAll][DimAll])
	dims := CollectionDimensions[1:]
	if by != "" {
		dims = []string{by}
	}
	for _, dim := range dims {
		keys := make([]string, 0, len(set[dim]))
		for k := range set[dim] {
			keys = append(keys, k)
		}
		sortKeys(dim, keys)
		for _, k := range keys {
			r.Lines = append(r.Lines, line(dim, k, *set[dim][k]))
		}
	}
	if rows.Book != nil {
		b := BookFiguresOf(rows.Book, rows.From, rows.To).KPIs()
		r.Book = &b
	}
	for _, d := range rows.Daily {
		if d.Dimension == DimAll && within(d.Date, rows.From, rows.To) {
			r.Trend = append(r.Trend, TrendPoint{Date: d.Date, Figures: d.Figures, KPIs: d.Figures.KPIs()})
		}
	}
	sort.Slice(r.Trend, func(i, j int) bool { return r.Trend[i].Date < r.Trend[j].Date })
	return r, nil
}

func line(dim, key string, f Figures) CollectionLine {
	return CollectionLine{Dimension: dim, Key: key, Figures: f, KPIs: f.KPIs()}
}

// sortKeys orders a dimension's keys: buckets M0 … M7+, others by name,
// "(none)" last.
func sortKeys(dim string, keys []string) {
	rank := func(k string) int {
		if k == NoKey {
			return 100
		}
		if dim == DimBucket {
			if b, ok := servicing.ParseBucket(k); ok {
				return int(b)
			}
		}
		return 50
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}
