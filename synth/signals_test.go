package synth_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"testing"

	"daihou/civil"
	"daihou/servicing"
	"daihou/signal"
	"daihou/synth"
)

// signalDigest hashes every external record a generation emits, in order.
func signalDigest(t *testing.T, cfg synth.Config, opt synth.Options) (string, int) {
	t.Helper()
	h := sha256.New()
	n := 0
	opt.Signals = true
	_, err := synth.Generate(context.Background(), cfg, opt, func(b *synth.Batch) error {
		for i := range b.Signals {
			r := &b.Signals[i]
			keys := make([]string, 0, len(r.Fields))
			for k := range r.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(h, "%s %s %s %v", r.Source, r.ID, r.Borrower, r.Date)
			for _, k := range keys {
				fmt.Fprintf(h, " %s=%s", k, r.Fields[k])
			}
			fmt.Fprintln(h)
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), n
}

// Signals are as deterministic as the rest: the same seed gives the same
// records whatever the workers and batch sizes, and turning them on
// changes nothing else a generation emits.
func TestSignalsDeterministic(t *testing.T) {
	cfg := synth.Config{Seed: 42, Loans: 3000, Months: 12, Until: civil.MustParse("2026-05-20")}
	a, n := signalDigest(t, cfg, synth.Options{Workers: 1, BatchSize: 1000})
	b, _ := signalDigest(t, cfg, synth.Options{Workers: 4, BatchSize: 77})
	if a != b {
		t.Fatal("the same seed generated different signals with different workers and batch sizes")
	}
	if n < cfg.Loans*5 {
		t.Fatalf("%d records for %d loans", n, cfg.Loans)
	}
	without, _ := digest(t, cfg, synth.Options{})
	with, _ := digest(t, cfg, synth.Options{Signals: true})
	if with != without {
		t.Fatal("generating signals changed the portfolio")
	}
	cfg.Seed = 43
	if c, _ := signalDigest(t, cfg, synth.Options{}); c == a {
		t.Error("another seed generated the same signals")
	}

	// SignalRecords serves the same records, cut to its dates.
	from, to := civil.MustParse("2026-01-01"), civil.MustParse("2026-03-31")
	var want, got []string
	cfg.Seed = 42
	synth.Generate(context.Background(), cfg, synth.Options{Signals: true}, func(b *synth.Batch) error {
		for _, r := range b.Signals {
			if !r.Date.Before(from) && !r.Date.After(to) {
				want = append(want, r.Source+" "+r.ID)
			}
		}
		return nil
	})
	if err := synth.SignalRecords(context.Background(), cfg, from, to, func(r *signal.Record) error {
		got = append(got, r.Source+" "+r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("SignalRecords gave %d records, Generate %d in its dates", len(got), len(want))
	}
}

// field is one field of a source's record format, as the sources document it.
type field struct {
	re       *regexp.Regexp
	required bool
}

var (
	reInt    = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)
	reAmount = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$`)
	reMonth  = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	reText   = regexp.MustCompile(`^.{1,256}$`)
	enum     = func(v ...string) *regexp.Regexp { return regexp.MustCompile(`^(` + joinAlt(v) + `)$`) }
)

func joinAlt(v []string) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += "|"
		}
		s += x
	}
	return s
}

var formats = map[string]map[string]field{
	signal.Bureau: {"inquiries": {reInt, true}, "open_loans": {reInt, true}, "balance": {reAmount, true}, "overdue_accounts": {reInt, true}, "overdue_amount": {reAmount, true}},
	signal.Court:  {"event": {enum("case_filed", "case_closed", "listed", "delisted"), true}, "case_no": {reText, true}, "amount": {reAmount, false}},
	signal.Hukou:  {"result": {enum("match", "mismatch", "deceased"), true}},
	signal.Social: {"month": {reMonth, true}, "status": {enum("paid", "unpaid", "stopped"), true}, "base": {reAmount, false}},
	signal.Utility: {"utility": {enum("water", "electricity", "gas"), true}, "status": {enum("on_time", "arrears"), true},
		"arrears": {reAmount, false}},
	signal.Statement: {"direction": {enum("in", "out"), true}, "amount": {reAmount, true},
		"category": {enum("salary", "transfer", "loan", "consumption", "other"), true}, "counterparty": {reText, false}},
	signal.Tax:       {"period": {reMonth, true}, "status": {enum("filed", "late", "unpaid"), true}, "arrears": {reAmount, true}},
	signal.Business:  {"event": {enum("abnormal_listed", "abnormal_removed", "penalty", "deregistered"), true}},
	signal.Ecommerce: {"orders": {reInt, true}, "spend": {reAmount, true}},
	signal.Transport: {"trips": {reInt, true}, "mode": {enum("air", "rail", "road"), true}},
	signal.Custom:    {"measure": {regexp.MustCompile(`^[a-z0-9_]+$`), true}, "value": {reInt, true}},
}

// portfolio is one generation with signals, kept for the tests below.
type portfolio struct {
	cfg      synth.Config
	loans    []servicing.Loan
	profiles map[int64]synth.Profile // by borrower id
	external map[int64]string        // borrower id → external id
	primary  map[int64]int64         // borrower id → first loan id
	txs      map[int64][]servicing.Tx
	records  map[string][]signal.Record // by borrower external id
	count    int
}

func generate(t *testing.T, cfg synth.Config) *portfolio {
	t.Helper()
	p := &portfolio{cfg: cfg, profiles: map[int64]synth.Profile{}, external: map[int64]string{}, primary: map[int64]int64{},
		txs: map[int64][]servicing.Tx{}, records: map[string][]signal.Record{}}
	_, err := synth.Generate(context.Background(), cfg, synth.Options{Signals: true}, func(b *synth.Batch) error {
		for i, bw := range b.Borrowers {
			p.profiles[bw.ID] = b.Profiles[i]
			p.external[bw.ID] = bw.ExternalID
		}
		for _, l := range b.Loans {
			p.loans = append(p.loans, l)
			if _, ok := p.primary[l.BorrowerID]; !ok {
				p.primary[l.BorrowerID] = l.ID
			}
		}
		for _, tx := range b.Txs {
			p.txs[tx.LoanID] = append(p.txs[tx.LoanID], tx)
		}
		for _, r := range b.Signals {
			p.records[r.Borrower] = append(p.records[r.Borrower], r)
			p.count++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Every record is in its source's format, dated between its loan's
// disbursement and Until, with an id unique in its source.
func TestSignalRecordsWellFormed(t *testing.T) {
	cfg := synth.Config{Seed: 7, Loans: 4000, Months: 12, Until: civil.MustParse("2026-06-15")}
	p := generate(t, cfg)
	disbursed := map[string]civil.Date{}
	for _, l := range p.loans {
		disbursed[l.ExternalID] = l.Disbursed
	}
	seen := map[string]bool{}
	sources := map[string]int{}
	for _, rs := range p.records {
		for _, r := range rs {
			sources[r.Source]++
			if seen[r.Source+" "+r.ID] {
				t.Fatalf("%s record %s twice", r.Source, r.ID)
			}
			seen[r.Source+" "+r.ID] = true
			if r.Date.After(cfg.Until) {
				t.Fatalf("%s record %s dated %v, after Until %v", r.Source, r.ID, r.Date, cfg.Until)
			}
			if d := disbursed[r.ID[:12]]; d == 0 || r.Date.Before(d) {
				t.Fatalf("%s record %s dated %v, before its loan's disbursement %v", r.Source, r.ID, r.Date, d)
			}
			format := formats[r.Source]
			if format == nil {
				t.Fatalf("record %s of unknown source %q", r.ID, r.Source)
			}
			for name, f := range format {
				v, ok := r.Fields[name]
				if !ok && f.required || ok && !f.re.MatchString(v) {
					t.Fatalf("%s record %s: %s = %q (present %v)", r.Source, r.ID, name, v, ok)
				}
			}
			for name := range r.Fields {
				if _, ok := format[name]; !ok {
					t.Fatalf("%s record %s: unknown field %s", r.Source, r.ID, name)
				}
			}
			if r.Source == signal.Social && (r.Fields["status"] == "paid") != (r.Fields["base"] != "") {
				t.Fatalf("social record %s: status %s with base %q", r.ID, r.Fields["status"], r.Fields["base"])
			}
			if r.Source == signal.Statement && r.Fields["amount"] == "0.00" {
				t.Fatalf("statement record %s of zero", r.ID)
			}
		}
	}
	for name := range formats {
		if sources[name] == 0 {
			t.Errorf("no %s record generated", name)
		}
	}
	t.Logf("%d records for %d loans (%.1f a loan): %v", p.count, cfg.Loans, float64(p.count)/float64(cfg.Loans), sources)
}

// Each source covers the share of borrowers a lender really gets, the
// business sources only business people, and court cases the riskiest.
func TestSignalCoverage(t *testing.T) {
	cfg := synth.Config{Seed: 11, Loans: 20000, Months: 12, Until: civil.MustParse("2026-06-15")}
	p := generate(t, cfg)
	cut := cfg.Until.AddDays(-62) // borrowers with two months of history at least
	var borrowers, owners, others int
	has := map[string]int{}
	ownerHas := map[string]int{}
	loans := map[int64]servicing.Loan{}
	for _, l := range p.loans {
		loans[l.ID] = l
	}
	for id, first := range p.primary {
		if loans[first].Disbursed.After(cut) {
			continue
		}
		borrowers++
		prof := p.profiles[id]
		owner := prof.Occupation == "self-employed" || prof.Occupation == "business-owner"
		if owner {
			owners++
		} else {
			others++
		}
		got := map[string]bool{}
		for _, r := range p.records[p.external[id]] {
			got[r.Source] = true
		}
		for s := range got {
			has[s]++
			if owner {
				ownerHas[s]++
			}
		}
		if !owner && (got[signal.Tax] || got[signal.Business]) {
			t.Fatalf("borrower %d, %s, has tax or business records", id, prof.Occupation)
		}
	}
	share := func(s string) float64 { return float64(has[s]) / float64(borrowers) }
	for _, c := range []struct {
		source   string
		lo, hi   float64
		ofOwners bool
	}{
		{signal.Bureau, 0.82, 0.88, false},
		{signal.Statement, 0.32, 0.38, false},
		{signal.Social, 0.50, 0.60, false},
		{signal.Utility, 0.37, 0.43, false},
		{signal.Hukou, 0.95, 0.99, false},
		{signal.Ecommerce, 0.30, 0.45, false},
		{signal.Transport, 0.17, 0.23, false},
		{signal.Tax, 0.65, 0.75, true},
	} {
		got := share(c.source)
		if c.ofOwners {
			got = float64(ownerHas[c.source]) / float64(owners)
		}
		if got < c.lo || got > c.hi {
			t.Errorf("%s covers %.3f of borrowers, want %.2f–%.2f", c.source, got, c.lo, c.hi)
		}
	}
	if s := share(signal.Court); s > 0.03 || s == 0 {
		t.Errorf("court events for %.4f of borrowers: want rare", s)
	}
	t.Logf("%d borrowers (%d owners): %v", borrowers, owners, has)
}

// ninetyPlus returns the day loan l first reached 90 days past due, zero if
// it did not by Until: the maximum DPD so far only grows, so a binary
// search over replays finds it.
func ninetyPlus(p *portfolio, products map[string]servicing.Product, l servicing.Loan) civil.Date {
	txs := p.txs[l.ID]
	if servicing.Replay(products[l.Product], l, txs, p.cfg.Until).MaxDPD < 90 {
		return 0
	}
	lo, hi := l.Disbursed, p.cfg.Until
	for lo < hi {
		mid := lo + (hi-lo)/2
		if servicing.Replay(products[l.Product], l, txs, mid).MaxDPD >= 90 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// alarm returns the first day a borrower's raw records look like distress
// in the three sources that lead a default — the bureau (many inquiries,
// overdue elsewhere), bank statements (salary gone for a month, money
// borrowed elsewhere) and social security (a contribution unpaid) — zero
// for none.
func alarm(rs []signal.Record) civil.Date {
	var first civil.Date
	lower := func(d civil.Date) {
		if first == 0 || d < first {
			first = d
		}
	}
	var salaries []civil.Date
	for _, r := range rs {
		switch r.Source {
		case signal.Bureau:
			inq, _ := strconv.Atoi(r.Fields["inquiries"])
			if inq >= 4 || r.Fields["overdue_accounts"] != "0" {
				lower(r.Date)
			}
		case signal.Social:
			if r.Fields["status"] != "paid" {
				lower(r.Date)
			}
		case signal.Statement:
			if r.Fields["category"] == "loan" && r.Fields["direction"] == "in" {
				lower(r.Date)
			}
			if r.Fields["category"] == "salary" {
				salaries = append(salaries, r.Date)
			}
		}
	}
	slices.Sort(salaries)
	for k := 1; k < len(salaries); k++ {
		if salaries[k].Sub(salaries[k-1]) > 45 {
			lower(salaries[k-1].AddDays(45))
		}
	}
	return first
}

// A borrower heading for default shows it first in the bureau, the
// statements and social security: their first alarm comes weeks to months
// before the loan reaches 90 days past due, most defaulters have one, and
// good borrowers have far fewer — more of them the riskier they are.
func TestPrecursorsLeadDefault(t *testing.T) {
	cfg := synth.Config{Seed: 5, Loans: 20000, Months: 18, Until: civil.MustParse("2026-06-15")}
	p := generate(t, cfg)
	products := map[string]servicing.Product{}
	for _, pr := range synth.Products() {
		products[pr.Code] = pr
	}
	var leads []float64
	var defaulters, warned, covered int
	var good [2]struct{ n, alarmed int } // latent risk below / above 1
	for _, l := range p.loans {
		if p.primary[l.BorrowerID] != l.ID {
			continue
		}
		rs := p.records[p.external[l.BorrowerID]]
		d90 := ninetyPlus(p, products, l)
		first := alarm(rs)
		if d90 == 0 {
			if servicing.Replay(products[l.Product], l, p.txs[l.ID], cfg.Until).MaxDPD > 0 || cfg.Until.Sub(l.Disbursed) < 180 {
				continue
			}
			k := 0
			if p.profiles[l.BorrowerID].LatentRisk > 1 {
				k = 1
			}
			good[k].n++
			if first != 0 {
				good[k].alarmed++
			}
			continue
		}
		if d90.Sub(l.Disbursed) < 150 {
			continue // too early in its life for a lead to show after disbursement
		}
		defaulters++
		lead := slices.ContainsFunc(rs, func(r signal.Record) bool {
			return r.Source == signal.Bureau || r.Source == signal.Statement || r.Source == signal.Social
		})
		if !lead {
			continue
		}
		covered++
		if first != 0 && first.Before(d90) {
			warned++
			leads = append(leads, float64(d90.Sub(first)))
		}
	}
	if defaulters < 50 {
		t.Fatalf("only %d defaulters to judge by", defaulters)
	}
	slices.Sort(leads)
	var sum float64
	for _, x := range leads {
		sum += x
	}
	mean := sum / float64(len(leads))
	median := leads[len(leads)/2]
	hit := float64(warned) / float64(covered)
	rate := func(k int) float64 { return float64(good[k].alarmed) / float64(good[k].n) }
	t.Logf("%d defaulters, %d covered by a leading source, %d warned before 90+ (%.2f): lead mean %.0f days, median %.0f; good borrowers alarmed %.3f (latent < 1) %.3f (≥ 1)",
		defaulters, covered, warned, hit, mean, median, rate(0), rate(1))
	if mean < 60 || median < 45 {
		t.Errorf("precursors lead the 90+ date by %.0f days on average (median %.0f): want weeks to months", mean, median)
	}
	if hit < 0.6 || hit > 0.97 {
		t.Errorf("%.2f of covered defaulters warned before 90+: want most, not all", hit)
	}
	if !(rate(0) < rate(1)) || rate(1) > hit/2 || rate(0) == 0 {
		t.Errorf("false alarms %.3f (latent < 1) %.3f (≥ 1): want some, rising with risk, far below the defaulters' %.2f", rate(0), rate(1), hit)
	}
}

// BenchmarkGenerateSignals is BenchmarkGenerate with each borrower's
// external records generated too; the difference is their cost.
func BenchmarkGenerateSignals(b *testing.B) {
	cfg := synth.Config{Seed: 1, Loans: 20000, Months: 12, Until: civil.MustParse("2026-06-15")}
	records := 0
	for b.Loop() {
		records = 0
		if _, err := synth.Generate(context.Background(), cfg, synth.Options{Signals: true}, func(b *synth.Batch) error {
			records += len(b.Signals)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Loans*b.N)/b.Elapsed().Seconds(), "loans/s")
	b.ReportMetric(float64(records)/float64(cfg.Loans), "records/loan")
}
