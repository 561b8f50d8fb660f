package warning_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"daihou/civil"
	"daihou/classification"
	"daihou/loanstate"
	"daihou/money"
	"daihou/servicing"
	"daihou/signal"
	"daihou/warning"
)

// benchRules are the default rules and nine more over the rest of the
// variables: twenty, the target's count.
func benchRules() []warning.Rule {
	rules := warning.Defaults()
	extra := []string{
		`dpd >= 30 && class_rank >= 2`,
		`overdue > 500000 && months_on_book < 6`,
		`bucket == "M2" && restructured`,
		`product == "consumer" && inquiries_3m > 5`,
		`custom[?"churn"].orValue(0) > 3`,
		`region in ["north", "east"] && court_cases > 1`,
		`scored && pd > 0.2 && stage >= 2`,
		`utility_arrears > 50000 || tax_arrears > 100000`,
		`business_anomaly && outstanding > 10000000`,
	}
	for i, e := range extra {
		rules = append(rules, warning.Rule{Code: fmt.Sprintf("extra_%d", i), Version: 1, Name: "extra", Expr: e,
			Severity: warning.Yellow, Cooldown: 30, Owner: "risk-officer", Enabled: true})
	}
	return rules
}

// benchInputs returns n loans as close of business sees them on a normal
// day: most current and quiet, some past due, a few with signals that set
// rules off.
func benchInputs(n int) []warning.Input {
	rng := rand.New(rand.NewPCG(1, 2))
	date := civil.MustParse("2026-06-30")
	products := []string{"consumer", "sme", "mortgage"}
	regions := []string{"north", "south", "east", "west"}
	ins := make([]warning.Input, n)
	for i := range ins {
		l := &servicing.Loan{ID: int64(i + 1), BorrowerID: int64(i + 1), Product: products[rng.IntN(3)], Region: regions[rng.IntN(4)],
			Branch: "b" + fmt.Sprint(rng.IntN(20)), Principal: money.Amount(rng.IntN(50_000_000)), Disbursed: date.AddDays(-rng.IntN(900))}
		s := &loanstate.Snapshot{LoanID: l.ID, BorrowerID: l.BorrowerID, AsOf: date, Status: servicing.StatusActive,
			PrincipalOutstanding: l.Principal / 2, Class: classification.Normal, Stage: 1}
		if rng.IntN(10) == 0 { // past due
			s.DPD = 1 + rng.IntN(200)
			s.OverduePrincipal = money.Amount(rng.IntN(2_000_000))
			s.Class = classification.Floor(s.DPD)
			s.Stage = 2
		}
		s.MaxDPD = s.DPD
		s.Bucket = servicing.BucketOf(s.DPD)
		if rng.IntN(2) == 0 {
			s.ModelID, s.InitialScore, s.Score = 1, 600+rng.IntN(100), 550+rng.IntN(150)
			s.PD = money.Rate(rng.Int64N(money.RateScale / 3))
		}
		// Signals: a borrower has a handful of inquiries and open loans,
		// pays social security and earns a steady inflow; now and then
		// one of them turns.
		prev := int64(1_000_000 + rng.IntN(5_000_000))
		f := &signal.Facts{Any: true, Inquiries1M: int64(rng.IntN(3)), OpenLoans: int64(rng.IntN(4)),
			SocialKnown: true, StatementKnown: true, InflowPrev3M: prev, Inflow3M: prev * int64(70+rng.IntN(60)) / 100}
		f.Inquiries3M = f.Inquiries1M + int64(rng.IntN(4))
		f.Inquiries6M = f.Inquiries3M + int64(rng.IntN(4))
		switch rng.IntN(100) {
		case 0:
			f.CourtCases, f.CourtNew3M = 1, 1
		case 1:
			f.SocialGap = 3
		case 2:
			f.Inflow3M = prev / 3
		case 3:
			f.Inquiries1M, f.Inquiries3M = 5, 9
		case 4:
			f.OverdueElsewhere = 250_000
		}
		if rng.IntN(20) == 0 {
			f.Custom = map[string]int64{"churn": int64(rng.IntN(6))}
		}
		var pf warning.PaymentFacts
		if s.DPD > 0 && rng.IntN(4) == 0 {
			pf.PartialPayments = 1 + rng.IntN(2)
		}
		ins[i] = warning.Input{Date: date, Loan: l, Snapshot: s, Facts: f, Payments: pf}
	}
	return ins
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEvaluate measures close of business's decision: twenty rules
// over a realistic mix of loans, each loan with no warning open so that
// every rule is evaluated. It reports the CPU time of one rule evaluation,
// the loans × rules per second that makes over all CPUs, and the seconds
// 10,000,000 loans × 20 rules would take (the target: under 60).
func BenchmarkEvaluate(b *testing.B) {
	set, err := warning.CompileSet(benchRules())
	if err != nil {
		b.Fatal(err)
	}
	rules := len(set.Rules())
	ins := benchInputs(1 << 14)
	workers := runtime.GOMAXPROCS(0)
	cpu0 := cpuTime()
	b.ResetTimer()
	var raised int
	var mu sync.Mutex
	for b.Loop() {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := 0
				for i := w; i < len(ins); i += workers {
					hits, _ := set.Decide(&ins[i], nil)
					n += len(hits)
				}
				mu.Lock()
				raised += n
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	// CPU time, not wall time, per evaluation: the machine is shared, and
	// what another process takes of it is not the rules' cost.
	cpu := (cpuTime() - cpu0).Seconds()
	evals := float64(b.N) * float64(len(ins)) * float64(rules)
	perEval := cpu / evals
	b.ReportMetric(perEval*1e9, "ns/rule/cpu")
	b.ReportMetric(float64(workers)/perEval, "rule-evals/s")
	b.ReportMetric(10e6*20*perEval/float64(workers), "s/10M×20")
	b.ReportMetric(float64(raised)/float64(b.N)/float64(len(ins)), "hits/loan")
}
