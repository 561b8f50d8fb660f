package synth

import (
	"context"
	"math"
	"strconv"
	"time"

	"daihou/civil"
	"daihou/loanstate"
	"daihou/servicing"
	"daihou/signal"
)

// External data (多维数据采集): each borrower's records from every data
// source over the history, drawn from the same hidden truth as their
// payments.
//
// The truth has two parts. The borrower's latent risk sets the baseline:
// how many inquiries and loans elsewhere they carry, how often a utility
// bill or a tax filing slips, how likely a court case is. The loan's
// simulated trajectory sets the precursor: a loan whose arrears reach 30
// days past due starts, weeks to months before the due date that began
// those arrears (the lead, 20–150 days), an episode of distress that the
// bureau shows first (inquiries, new loans elsewhere, then overdue
// elsewhere), then the bank statements (salary late, smaller, then gone;
// inflow falls; money borrowed elsewhere comes in), then social security
// (contributions unpaid, then stopped). Distress holds while the arrears
// last and fades once they are cleared. Not every defaulter shows it —
// some are silent in every source, and each source misses some — and
// borrowers who never default have false alarms: an episode of distress
// that passes, at a rate rising with their latent risk.
//
// Coverage is what a lender really gets: bureau reports for about 85 % of
// borrowers, monthly; bank statements for about a third; social security
// for about 55 % (by occupation: most employees, few farmers, no students);
// utilities for 40 %; tax filings and business-registration events only for
// the self-employed and business owners; e-commerce, transport and the
// lender's own app feed for some. Court events are rare and concentrated on
// the riskiest borrowers and on loans that went 90 days past due. Every loan
// has one identity check (公安户籍) at disbursement.
//
// A borrower's recurring feeds are drawn with their first loan, from its
// trajectory, and run from its disbursement to Until; each later loan of the
// same borrower adds its own identity check and the court events of its own
// arrears. Records are never dated before the loan's disbursement or after
// Until. A record's id is "<loan external id>-<source>-<YYYYMM>-<n>", unique
// within its source.

// tagSignal seeds the stream of a loan's external records.
const tagSignal = 0x7369676e // "sign"

// SignalRecords calls fn with every external-data record of the portfolio
// cfg describes whose date falls in [from, to] — the records Generate puts
// in Batch.Signals with Options.Signals — in loan order, not date order,
// from the calling goroutine. It stops at the first error fn returns.
func SignalRecords(ctx context.Context, cfg Config, from, to civil.Date, fn func(*signal.Record) error) error {
	_, err := Generate(ctx, cfg, Options{Signals: true}, func(b *Batch) error {
		for i := range b.Signals {
			r := &b.Signals[i]
			if r.Date.Before(from) || r.Date.After(to) {
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// observation is a loan's state at a month end (or at Until): what the
// precursor of its arrears is timed from.
type observation struct {
	asOf   civil.Date
	dpd    int
	oldest civil.Date // oldest unpaid due date
	status servicing.Status
}

// trouble is a loan's first arrears spell that reached 30 days past due,
// as the month-end states saw it.
type trouble struct {
	onset civil.Date // the due date the spell began with; zero for none
	d90   civil.Date // the day it reached 90 days past due; zero if it did not by Until
	end   civil.Date // the month end it was seen cleared; zero if not by Until
}

func troubleOf(obs []observation) trouble {
	var t trouble
	var start civil.Date
	run := false
	for _, o := range obs {
		if o.dpd <= 0 && o.status != servicing.StatusWrittenOff {
			if run && t.onset != 0 {
				t.end = o.asOf
				return t
			}
			run = false
			continue
		}
		if !run {
			run = true
			start = o.oldest
			if start == 0 {
				start = o.asOf.AddDays(-o.dpd)
			}
		}
		if t.onset == 0 && o.dpd >= 30 {
			t.onset = start
		}
		if t.onset != 0 && t.d90 == 0 && o.dpd >= 90 && o.oldest != 0 {
			t.d90 = o.oldest.AddDays(90)
		}
	}
	return t
}

// episode is a spell of financial distress: it ramps up from from to peak,
// holds at level until to and fades out by gone (zero to and gone: it
// holds to the end of history).
type episode struct {
	from, peak, to, gone civil.Date
	level                float64
}

// at returns the episode's intensity on d for a source that sees it with
// the given share of the lead: 1 sees the ramp from its start, 0.5 only
// its second half.
func (e *episode) at(d civil.Date, share float64) float64 {
	if e.level == 0 || d.Before(e.from) {
		return 0
	}
	from := e.peak.AddDays(-int(float64(e.peak.Sub(e.from)) * share))
	switch {
	case d.Before(from):
		return 0
	case d.Before(e.peak):
		return e.level * float64(d.Sub(from)+1) / float64(e.peak.Sub(from)+1)
	case e.to == 0 || d.Before(e.to):
		return e.level
	case d.Before(e.gone):
		return e.level * float64(e.gone.Sub(d)) / float64(e.gone.Sub(e.to))
	}
	return 0
}

// Sources that see a defaulter's distress, with the share of the lead
// each sees it over: the bureau first, statements next, social security
// last (a contribution is missed only once the job is gone).
const (
	seeBureau = iota
	seeStatement
	seeSocial
	seeOther
	seeSources
)

var leadShare = [seeSources]float64{1, 0.75, 0.5, 0.6}

// signalGen draws a worker's external-data records, reusing its buffers.
type signalGen struct {
	env   *env
	r     *stream
	obs   []observation
	out   []signal.Record
	cur   map[string]string // the fields of the record begun
	arena []byte            // the text of the loan's records
	pend  []pending
	hint  int // records a batch holds, roughly

	// The first day and the length of each month of the history and the
	// next, from month index m0.
	m0      int
	starts  []civil.Date
	lengths []int

	// The current loan's borrower and distress.
	l        *servicing.Loan
	borrower string
	trueEp   episode
	falseEp  episode
	sees     [seeSources]bool
}

// newSignalGen returns a generator whose batches hold about loans loans.
func newSignalGen(e *env, loans int) *signalGen {
	s := &signalGen{env: e, r: newStream(), hint: loans * 24}
	s.m0 = e.cfg.First().MonthIndex()
	for m := s.m0; m <= e.cfg.Until.MonthIndex()+1; m++ {
		y, mm := m/12, time.Month(m%12+1)
		s.starts = append(s.starts, civil.New(y, mm, 1))
		s.lengths = append(s.lengths, civil.DaysIn(y, mm))
	}
	return s
}

// observe records the loan's state at a month end or at Until, in date
// order.
func (s *signalGen) observe(st *loanstate.Snapshot) {
	s.obs = append(s.obs, observation{st.AsOf, st.DPD, st.OldestUnpaidDue, st.Status})
}

// stress returns the borrower's distress on d as source src sees it.
func (s *signalGen) stress(d civil.Date, src int) float64 {
	x := s.falseEp.at(d, leadShare[src])
	if s.sees[src] {
		x = max(x, s.trueEp.at(d, leadShare[src]))
	}
	return x
}

// loan appends the external records of loan i (its observations made) to
// out and returns it; primary says it is its borrower's first loan, which
// carries the borrower's recurring feeds.
func (s *signalGen) loan(out []signal.Record, i int, primary bool, bw *servicing.Borrower, prof *Profile, l *servicing.Loan) []signal.Record {
	r := s.r
	cfg := &s.env.cfg
	r.seed(cfg.Seed, tagSignal, i)
	if cap(out) == 0 {
		out = make([]signal.Record, 0, s.hint) // not grown loan by loan
	}
	s.out, s.l, s.borrower = out, l, bw.ExternalID
	t := troubleOf(s.obs)
	s.obs = s.obs[:0]

	// The precursor of the loan's arrears, and whether each source sees it.
	s.trueEp = episode{}
	if t.onset != 0 {
		lead := r.between(20, 150)
		level := 0.7
		if t.d90 != 0 {
			level = 1
		}
		s.trueEp = episode{from: t.onset.AddDays(-lead), peak: t.onset, level: level * (0.75 + 0.25*r.Float64())}
		if t.end != 0 {
			s.trueEp.to, s.trueEp.gone = t.end, t.end.AddDays(r.between(30, 90))
		}
		silent := r.chance(0.12)
		for k := range s.sees {
			s.sees[k] = !silent && r.chance(0.85)
		}
	} else {
		s.sees = [seeSources]bool{}
	}
	// A false alarm: distress that passes without arrears here.
	s.falseEp = episode{}
	if r.chance(0.04 + 0.18*sigmoid(1.5*(prof.LatentRisk-1))) {
		span := cfg.Until.Sub(l.Disbursed) + 90
		from := l.Disbursed.AddDays(-90 + r.IntN(span+1))
		peak := from.AddDays(r.between(30, 90))
		to := peak.AddDays(r.between(0, 60))
		s.falseEp = episode{from: from, peak: peak, to: to, gone: to.AddDays(r.between(30, 90)), level: 0.45 + 0.5*r.Float64()}
	}

	s.hukou(prof)
	s.court(t, prof, primary)
	if primary {
		income := incomeOf(r, prof)
		s.bureau(prof, income)
		s.statement(prof, income)
		s.social(prof, income)
		s.utility(prof)
		if prof.owner {
			s.tax(prof, income)
			s.business(prof, t)
		}
		s.ecommerce(prof)
		s.transport(prof)
		s.custom()
	}
	s.finish()
	return s.out
}

// incomeOf draws the borrower's monthly income in fen from their band.
func incomeOf(r *stream, prof *Profile) int64 {
	base := [...]float64{0, 4000, 8000, 15000, 30000, 60000}[prof.IncomeBand]
	return int64(base*math.Exp(r.NormFloat64()*0.25)) * 100
}

// A loan's records are built with one allocation for all their text: ids
// and values are appended to an arena and set, as substrings of one string,
// when the loan is done (finish). A record's field map is its only other
// allocation. At twenty records a loan this halves the cost of signals.

// pending is a text value waiting for the arena: the record's id (key "")
// or one of its fields.
type pending struct {
	rec  int
	key  string
	a, b int32
}

// begin starts a record of the current loan dated d, with room for size
// fields, and reports whether it did: not when d falls outside the loan's
// history. n numbers it within its source and month index m (the month it
// is about, which a late salary credit can leave).
func (s *signalGen) begin(source string, d civil.Date, m, n, size int) bool {
	if d.Before(s.l.Disbursed) || d.After(s.env.cfg.Until) {
		s.cur = nil
		return false
	}
	a := len(s.arena)
	b := append(s.arena, s.l.ExternalID...)
	b = append(b, '-')
	b = append(b, source...)
	b = append(b, '-')
	b = appendPad(b, m/12, 4)
	b = appendPad(b, m%12+1, 2)
	b = append(b, '-')
	s.arena = strconv.AppendInt(b, int64(n), 10)
	s.cur = make(map[string]string, size)
	s.out = append(s.out, signal.Record{Source: source, Borrower: s.borrower, Date: d, Fields: s.cur})
	s.pend = append(s.pend, pending{len(s.out) - 1, "", int32(a), int32(len(s.arena))})
	return true
}

// set sets a field of the record begun to a constant.
func (s *signalGen) set(key, v string) { s.cur[key] = v }

// later sets a field of the record begun to the arena's text from a.
func (s *signalGen) later(key string, a int) {
	s.pend = append(s.pend, pending{len(s.out) - 1, key, int32(a), int32(len(s.arena))})
}

func (s *signalGen) count(key string, v int) {
	if v < 100 {
		s.cur[key] = strconv.Itoa(v) // no allocation below 100
		return
	}
	a := len(s.arena)
	s.arena = strconv.AppendInt(s.arena, int64(v), 10)
	s.later(key, a)
}

// amount sets a field to fen in yuan with two decimals ("1234.50").
func (s *signalGen) amount(key string, fen int64) {
	if fen == 0 {
		s.cur[key] = "0.00"
		return
	}
	a := len(s.arena)
	s.arena = appendYuan(s.arena, fen)
	s.later(key, a)
}

// month sets a field to month index m as YYYY-MM.
func (s *signalGen) month(key string, m int) {
	a := len(s.arena)
	b := appendPad(s.arena, m/12, 4)
	b = append(b, '-')
	s.arena = appendPad(b, m%12+1, 2)
	s.later(key, a)
}

func (s *signalGen) text(key string, parts ...string) {
	a := len(s.arena)
	for _, p := range parts {
		s.arena = append(s.arena, p...)
	}
	s.later(key, a)
}

// finish sets the text of the loan's records.
func (s *signalGen) finish() {
	str := string(s.arena)
	for _, p := range s.pend {
		if p.key == "" {
			s.out[p.rec].ID = str[p.a:p.b]
		} else {
			s.out[p.rec].Fields[p.key] = str[p.a:p.b]
		}
	}
	s.arena, s.pend, s.cur = s.arena[:0], s.pend[:0], nil
}

// months calls fn for every calendar month from the loan's disbursement to
// Until, with the month's index, in order.
func (s *signalGen) months(fn func(m int)) {
	for m := s.l.Disbursed.MonthIndex(); m <= s.env.cfg.Until.MonthIndex(); m++ {
		fn(m)
	}
}

// dayOf returns day day of month index m (of the history or the month
// after it), clamped to the month's end.
func (s *signalGen) dayOf(m, day int) civil.Date {
	k := m - s.m0
	return s.starts[k].AddDays(min(day, s.lengths[k]) - 1)
}

func (s *signalGen) bureau(prof *Profile, income int64) {
	r := s.r
	if !r.chance(0.85) {
		return
	}
	open := min(poisson(r, 1.1*math.Exp(0.35*prof.Risk)), 12)
	per := int64(float64(income) * (1.5 + 3*r.Float64())) // a loan elsewhere's balance
	day := s.l.Disbursed.Day()
	overdue := 0
	for k, m := 0, s.l.Disbursed.MonthIndex(); m <= s.env.cfg.Until.MonthIndex(); k, m = k+1, m+1 {
		d := s.dayOf(m, day)
		x := s.stress(d, seeBureau)
		inq := poisson(r, 0.25*math.Exp(0.35*prof.LatentRisk)+3.2*x)
		if k == 0 {
			inq += 1 + poisson(r, 0.6) // the lender's own inquiry before paying out
		}
		if r.chance(0.025 + 0.3*x) {
			open++
		}
		if open > 0 && r.chance(0.05*(1-x)) {
			open--
		}
		switch {
		case overdue == 0 && r.chance(0.004*math.Exp(0.5*prof.LatentRisk)+max(x-0.35, 0)*1.1):
			overdue = 1 + poisson(r, 0.4*x)
		case overdue > 0 && r.chance(0.35*(1-x)):
			overdue--
		}
		open = max(open, overdue)
		bal := int64(open) * per * int64(100+30*x) / 100
		var due int64
		if overdue > 0 {
			due = int64(overdue) * per * int64(8+r.IntN(25)) / 100
		}
		if s.begin(signal.Bureau, d, m, 1, 5) {
			s.count("inquiries", inq)
			s.count("open_loans", open)
			s.amount("balance", bal)
			s.count("overdue_accounts", overdue)
			s.amount("overdue_amount", due)
		}
	}
}

var salaried = map[string]bool{"employee": true, "civil-servant": true, "retired": true}

var employers = []string{"华信科技有限公司", "中建三局", "国家电网", "顺丰速运", "美团", "招商局集团", "市第一人民医院", "区人民政府"}

func (s *signalGen) statement(prof *Profile, income int64) {
	r := s.r
	if !r.chance(0.35) {
		return
	}
	payday := r.between(1, 28)
	employer := employers[r.IntN(len(employers))]
	salary := salaried[prof.Occupation]
	s.months(func(m int) {
		n := 0
		add := func(d civil.Date, dir string, amount int64, category, counterparty string) {
			if amount <= 0 {
				return
			}
			n++
			if s.begin(signal.Statement, d, m, n, 4) {
				s.set("direction", dir)
				s.amount("amount", amount)
				s.set("category", category)
				if counterparty != "" {
					s.set("counterparty", counterparty)
				}
			}
		}
		d := s.dayOf(m, payday)
		x := s.stress(d, seeStatement)
		if salary {
			// Salary comes late and short, then stops.
			if !r.chance(0.9 * x * x) {
				late := 0
				if x > 0.1 {
					late = r.IntN(1 + int(12*x))
				}
				add(d.AddDays(late), "in", int64(float64(income)*(0.97+0.06*r.Float64())*(1-0.4*x*r.Float64())), "salary", employer)
			}
		} else {
			// Business and casual income: lumpy, falling with distress.
			add(s.dayOf(m, r.between(1, 28)), "in", int64(float64(income)*(0.4+0.9*r.Float64())*(1-0.7*x)), "transfer", "")
		}
		if r.chance(0.012 + 0.45*x) {
			add(s.dayOf(m, r.between(1, 28)), "in", int64(r.between(30, 300))*10000, "loan", "消费金融")
		}
		add(s.dayOf(m, r.between(1, 28)), "out", int64(float64(income)*(0.3+0.5*r.Float64())), "consumption", "")
		if r.chance(0.4) {
			add(s.dayOf(m, r.between(1, 28)), "out", int64(float64(income)*(0.05+0.3*r.Float64())), "other", "")
		}
	})
}

// socialCover is the share of each occupation that pays social security
// where the lender can see it.
var socialCover = map[string]float64{"employee": 0.80, "civil-servant": 0.95, "self-employed": 0.30, "business-owner": 0.45, "freelancer": 0.25, "farmer": 0.10, "retired": 0.15}

func (s *signalGen) social(prof *Profile, income int64) {
	r := s.r
	if !r.chance(socialCover[prof.Occupation]) {
		return
	}
	base := min(max(income, 400000), 3500000) / 100 * 100
	stopped := false
	s.months(func(m int) {
		d := s.dayOf(m, 31)
		x := s.stress(d, seeSocial)
		status := "paid"
		switch {
		case stopped && x > 0.2:
			status = "stopped"
		case r.chance(0.85 * x * x):
			status, stopped = "unpaid", true
			if x > 0.6 && r.chance(0.5) {
				status = "stopped"
			}
		case r.chance(0.006):
			status = "unpaid"
		default:
			stopped = false
		}
		if s.begin(signal.Social, d, m, 1, 3) {
			s.month("month", m)
			s.set("status", status)
			if status == "paid" {
				s.amount("base", base)
			}
		}
	})
}

func (s *signalGen) utility(prof *Profile) {
	r := s.r
	if !r.chance(0.40) {
		return
	}
	kind := [...]string{"electricity", "electricity", "electricity", "water", "water", "gas"}[r.IntN(6)]
	bill := int64(8000 * math.Exp(r.NormFloat64()*0.5))
	day := r.between(1, 28)
	var arrears int64
	s.months(func(m int) {
		d := s.dayOf(m, day)
		x := s.stress(d, seeOther)
		late := r.chance(0.02*math.Exp(0.4*prof.LatentRisk) + 0.6*x)
		if late {
			arrears += bill
		} else {
			arrears = 0
		}
		if s.begin(signal.Utility, d, m, 1, 3) {
			s.set("utility", kind)
			if late {
				s.set("status", "arrears")
				s.amount("arrears", arrears)
			} else {
				s.set("status", "on_time")
			}
		}
	})
}

func (s *signalGen) tax(prof *Profile, income int64) {
	r := s.r
	if !r.chance(0.7) {
		return
	}
	quarterly := prof.Occupation == "self-employed" // 小规模纳税人 file by quarter
	due := income / 10
	if quarterly {
		due *= 3
	}
	var arrears int64
	s.months(func(m int) {
		if quarterly && m%3 != 2 {
			return
		}
		d := s.dayOf(m+1, 15) // the filing deadline
		x := s.stress(d, seeOther)
		status := "filed"
		switch {
		case r.chance(0.01 + 0.35*x):
			status = "unpaid"
			arrears += due
		case r.chance(0.03 + 0.4*x):
			status = "late"
		default:
			arrears = 0
		}
		if s.begin(signal.Tax, d, m, 1, 3) {
			s.month("period", m)
			s.set("status", status)
			s.amount("arrears", arrears)
		}
	})
}

func (s *signalGen) business(prof *Profile, t trouble) {
	r := s.r
	if !r.chance(0.9) {
		return
	}
	n := 0
	event := func(d civil.Date, e string) {
		n++
		if s.begin(signal.Business, d, d.MonthIndex(), n, 1) {
			s.set("event", e)
		}
	}
	listed := false
	s.months(func(m int) {
		d := s.dayOf(m, r.between(1, 28))
		x := s.stress(d, seeOther)
		switch {
		case !listed && r.chance(0.002*math.Exp(0.5*prof.Risk)+0.08*x):
			listed = true
			event(d, "abnormal_listed")
		case listed && x < 0.5 && r.chance(0.25):
			listed = false
			event(d, "abnormal_removed")
		case r.chance(0.002 + 0.01*x):
			event(d, "penalty")
		}
	})
	if t.d90 != 0 && r.chance(0.15) {
		event(t.d90.AddDays(r.between(30, 180)), "deregistered")
	}
}

// courts are the abbreviations of the regions' courts, by region index.
var courts = []string{"京0105", "沪0115", "粤0106", "浙0106", "苏0102", "鲁0102", "川0104", "豫0102", "鄂0102", "辽0102", "黑0102", "桂0102"}

// CourtOf returns the abbreviation of the court of the borrower's region
// (京0105 …), as the generated court records name it: for a simulator that
// writes court records after the history.
func CourtOf(p Profile) string { return courts[p.region] }

// court draws the court events of the loan's own arrears and, on the
// borrower's first loan, of the rest of their life.
func (s *signalGen) court(t trouble, prof *Profile, primary bool) {
	r := s.r
	n := 0
	event := func(d civil.Date, e, year, no string, amount int64) {
		n++
		if s.begin(signal.Court, d, d.MonthIndex(), n, 3) {
			s.set("event", e)
			s.text("case_no", "(", year, ")", courts[prof.region], "执", no, "号") // (2026)京0105执1234号
			if amount > 0 {
				s.amount("amount", amount)
			}
		}
	}
	lawsuit := func(filed civil.Date, amount int64, listP, closeP float64) {
		if filed.After(s.env.cfg.Until) {
			return
		}
		year, no := strconv.Itoa(filed.Year()), strconv.Itoa(r.between(100, 9999))
		event(filed, "case_filed", year, no, amount)
		if r.chance(listP) {
			listed := filed.AddDays(r.between(60, 240))
			event(listed, "listed", year, no, 0)
			if r.chance(0.2) {
				event(listed.AddDays(r.between(60, 300)), "delisted", year, no, 0)
			}
		} else if r.chance(closeP) {
			event(filed.AddDays(r.between(45, 300)), "case_closed", year, no, 0)
		}
	}
	switch {
	case t.d90 != 0:
		if r.chance(0.08) { // another creditor sues first
			lawsuit(t.onset.AddDays(-r.between(5, 60)), int64(float64(s.l.Principal)*(0.2+r.Float64())), 0.3, 0.3)
		}
		if r.chance(0.35) {
			lawsuit(t.d90.AddDays(r.between(0, 150)), int64(s.l.Principal)*int64(r.between(40, 100))/100, 0.4, 0.25)
		}
	case t.onset != 0:
		if r.chance(0.05) {
			lawsuit(t.onset.AddDays(r.between(30, 150)), int64(float64(s.l.Principal)*(0.1+0.5*r.Float64())), 0.1, 0.6)
		}
	}
	if primary && r.chance(0.004*math.Exp(0.7*prof.LatentRisk)) {
		span := s.env.cfg.Until.Sub(s.l.Disbursed)
		lawsuit(s.l.Disbursed.AddDays(r.IntN(span+1)), int64(5000000*math.Exp(r.NormFloat64())), 0.15, 0.6)
	}
}

func (s *signalGen) hukou(prof *Profile) {
	r := s.r
	if !r.chance(0.97) {
		return
	}
	result := "match"
	switch x := r.Float64(); {
	case x < 0.0002:
		result = "deceased"
	case x < 0.0002+0.003*math.Exp(0.5*prof.LatentRisk):
		result = "mismatch"
	}
	if s.begin(signal.Hukou, s.l.Disbursed, s.l.Disbursed.MonthIndex(), 1, 1) {
		s.set("result", result)
	}
}

func (s *signalGen) ecommerce(prof *Profile) {
	r := s.r
	cover := 0.3
	if prof.Age < 35 {
		cover = 0.45
	}
	if !r.chance(cover) {
		return
	}
	rate := 2 + float64(prof.IncomeBand)
	avg := 6000 * float64(prof.IncomeBand) * math.Exp(r.NormFloat64()*0.3)
	s.months(func(m int) {
		d := s.dayOf(m, 31)
		x := s.stress(d, seeOther)
		orders := poisson(r, rate*(1-0.5*x))
		spend := int64(float64(orders) * avg * (0.6 + 0.8*r.Float64()))
		if s.begin(signal.Ecommerce, d, m, 1, 2) {
			s.count("orders", orders)
			s.amount("spend", spend)
		}
	})
}

func (s *signalGen) transport(prof *Profile) {
	r := s.r
	if !r.chance(0.2) {
		return
	}
	air := 0.05 + 0.1*float64(prof.IncomeBand)
	s.months(func(m int) {
		d := s.dayOf(m, 31)
		x := s.stress(d, seeOther)
		trips := poisson(r, 3*(1-0.5*x))
		if trips == 0 {
			return
		}
		mode := "road"
		switch y := r.Float64(); {
		case y < air*(1-x):
			mode = "air"
		case y < 0.6:
			mode = "rail"
		}
		if s.begin(signal.Transport, d, m, 1, 2) {
			s.count("trips", trips)
			s.set("mode", mode)
		}
	})
}

// custom is the lender's own feed: logins to its app, which rise when a
// borrower starts juggling repayments.
func (s *signalGen) custom() {
	r := s.r
	if !r.chance(0.25) {
		return
	}
	s.months(func(m int) {
		d := s.dayOf(m, 31)
		x := s.stress(d, seeOther)
		logins := poisson(r, 2+10*x)
		if s.begin(signal.Custom, d, m, 1, 2) {
			s.set("measure", "app_logins")
			s.count("value", logins)
		}
	})
}

// poisson draws a Poisson count with mean lambda (Knuth's method: the
// means here are small).
func poisson(r *stream, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	limit, p, k := math.Exp(-min(lambda, 30)), 1.0, 0
	for {
		p *= r.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}

// appendYuan appends fen ≥ 0 as yuan with two decimals ("1234.50").
func appendYuan(b []byte, fen int64) []byte {
	b = strconv.AppendInt(b, fen/100, 10)
	return append(b, '.', byte('0'+fen%100/10), byte('0'+fen%10))
}

func appendPad(b []byte, v, width int) []byte {
	for k := width - 1; k >= 0; k-- {
		d := v
		for range k {
			d /= 10
		}
		b = append(b, byte('0'+d%10))
	}
	return b
}
