// Package corpus builds the data sets the model benchmark runs on
// (bench/models.sh): besides the Taiwan credit-card data, tables made to
// stress what a lender's own data has and Taiwan lacks — missing values
// that carry signal, string categories of high cardinality, a few thousand
// rows only, strong interactions, heavy class imbalance, and a population
// that has moved between the training and the test date. Each is split
// into a training and a test fold once, and every model — daihou's and its
// peers' — reads the same two files.
//
// Synthetic sets come with each row's true probability of default, so a
// test can compare a model with the best any model could do.
package corpus

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"daihou/civil"
	"daihou/scoring"
	"daihou/scoring/portfolio"
	"daihou/scoring/portfolio/portfoliotest"
	"daihou/synth"
)

// Set is one benchmark data set: CSV text with a header, split in two.
type Set struct {
	Name    string
	About   string   // what it stresses
	Target  string   // the 0/1 target column
	Exclude []string // columns that are not features (ids)
	Train   string   // CSV of the training fold
	Test    string   // CSV of the test fold
	// TestPD is the true probability of default of each test row, for
	// synthetic sets; nil for real data and the ledger set.
	TestPD []float64
}

// table accumulates rows of a synthetic set and splits them by the
// benchmark protocol: row i is in the test fold when i%5 == 4.
type table struct {
	header      []string
	train, test strings.Builder
	testPD      []float64
	rows        int
}

func newTable(header ...string) *table {
	t := &table{header: header}
	h := strings.Join(header, ",") + "\n"
	t.train.WriteString(h)
	t.test.WriteString(h)
	return t
}

// add writes one row (values in header order, the target last) drawn
// with probability of default pd.
func (t *table) add(rng *rand.Rand, pd float64, values ...string) {
	bad := "0"
	if rng.Float64() < pd {
		bad = "1"
	}
	line := strings.Join(append(values, bad), ",") + "\n"
	if t.rows%5 == 4 {
		t.test.WriteString(line)
		t.testPD = append(t.testPD, pd)
	} else {
		t.train.WriteString(line)
	}
	t.rows++
}

func (t *table) set(name, about string) Set {
	return Set{Name: name, About: about, Target: "bad", Exclude: []string{"id"}, Train: t.train.String(), Test: t.test.String(), TestPD: t.testPD}
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// maybe returns s, or "" (missing) with probability p.
func maybe(rng *rand.Rand, p float64, s string) string {
	if rng.Float64() < p {
		return ""
	}
	return s
}

// Missing is a home-equity style book of a few thousand loans: numeric
// columns missing for 2–25 % of rows — most of all the debt-to-income
// ratio, missing mostly for the riskiest applicants — and two string
// categories.
func Missing(seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 11))
	t := newTable("id", "loan", "mortdue", "value", "reason", "job", "yoj", "derog", "delinq", "clage", "ninq", "clno", "debtinc", "bad")
	jobs := []string{"Other", "ProfExe", "Office", "Mgr", "Self", "Sales"}
	jobRisk := []float64{0.3, -0.3, -0.5, 0.1, 0.5, 0.9}
	for i := range 6000 {
		z := rng.NormFloat64() // latent risk
		loan := math.Round(math.Exp(9.7 + 0.5*rng.NormFloat64()))
		value := math.Round(loan * (1.5 + 3*rng.Float64()))
		mortdue := math.Round(value * (0.2 + 0.6*rng.Float64()))
		job := rng.IntN(len(jobs))
		reason := "DebtCon"
		if rng.Float64() < 0.3 {
			reason = "HomeImp"
		}
		derog := float64(poisson(rng, 0.25*math.Exp(0.8*z)))
		delinq := float64(poisson(rng, 0.4*math.Exp(0.9*z)))
		clage := math.Max(0, 180-40*z+70*rng.NormFloat64())
		ninq := float64(poisson(rng, 1.1*math.Exp(0.4*z)))
		clno := math.Round(math.Max(0, 21+10*rng.NormFloat64()))
		debtinc := 34 + 4*z + 7*rng.NormFloat64()
		yoj := math.Round(math.Max(0, 8-2*z+7*rng.NormFloat64()))
		logit := -2.2 + 0.9*derog + 0.75*delinq - 0.006*clage + 0.15*ninq + jobRisk[job] + 0.4*z
		if clno < 5 || clno > 45 {
			logit += 0.8
		}
		if debtinc > 45 {
			logit += 2.0 // a sharp threshold: the trees' kind of signal
		}
		// Missing debt-to-income is the strongest signal of all: lenders
		// leave it blank when the applicant would not document income.
		missDI := rng.Float64() < 0.12+0.25*scoring.Sigmoid(2*z)
		if missDI {
			logit += 1.6
		}
		missVal := rng.Float64() < 0.02
		if missVal {
			logit += 2.5 // no valuation: the file was never complete
		}
		row := []string{
			strconv.Itoa(i), num(loan), maybe(rng, 0.09, num(mortdue)), "", maybe(rng, 0.04, reason), maybe(rng, 0.05, jobs[job]),
			maybe(rng, 0.09, num(yoj)), maybe(rng, 0.12, num(derog)), maybe(rng, 0.10, num(delinq)),
			maybe(rng, 0.05, strconv.FormatFloat(clage, 'f', 1, 64)), maybe(rng, 0.09, num(ninq)), maybe(rng, 0.04, num(clno)), "",
		}
		if !missVal {
			row[3] = num(value)
		}
		if !missDI {
			row[12] = strconv.FormatFloat(debtinc, 'f', 2, 64)
		}
		t.add(rng, scoring.Sigmoid(logit), row...)
	}
	return t.set("missing", "6,000 loans; informative missing values in most columns; string categories")
}

// HighCardinality has a merchant code of 1,500 values and a branch of 300,
// both with their own risk, beside a few numeric columns.
func HighCardinality(seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 12))
	const merchants, branches = 1500, 300
	mRisk := make([]float64, merchants)
	for k := range mRisk {
		mRisk[k] = 0.9 * rng.NormFloat64()
	}
	bRisk := make([]float64, branches)
	for k := range bRisk {
		bRisk[k] = 0.6 * rng.NormFloat64()
	}
	t := newTable("id", "merchant", "branch", "amount", "tenure", "utilisation", "bad")
	for i := range 20000 {
		// Merchants follow a power law: a few are common, most are rare.
		m := int(float64(merchants) * math.Pow(rng.Float64(), 2.5))
		b := rng.IntN(branches)
		amount := math.Exp(8 + rng.NormFloat64())
		tenure := rng.IntN(120)
		util := rng.Float64()
		logit := -2.3 + mRisk[m] + bRisk[b] + 1.2*util - 0.01*float64(tenure) + 0.15*math.Log(amount/3000)
		t.add(rng, scoring.Sigmoid(logit), strconv.Itoa(i), fmt.Sprintf("M%04d", m), fmt.Sprintf("BR-%03d", b),
			strconv.FormatFloat(amount, 'f', 2, 64), strconv.Itoa(tenure), strconv.FormatFloat(util, 'f', 3, 64))
	}
	return t.set("highcard", "20,000 loans; merchant code with 1,500 values, branch with 300")
}

// Small is a book of 2,000 loans with ten features of moderate signal.
func Small(seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 13))
	h := []string{"id"}
	for k := range 10 {
		h = append(h, fmt.Sprintf("x%d", k))
	}
	t := newTable(append(h, "bad")...)
	w := []float64{0.8, -0.6, 0.5, 0.4, -0.3, 0.25, 0, 0, 0.2, -0.15}
	for i := range 2000 {
		row := []string{strconv.Itoa(i)}
		logit := -1.4
		for k := range 10 {
			x := rng.NormFloat64()
			logit += w[k] * x
			if k == 0 {
				logit += 0.3 * x * x // mild curvature
			}
			row = append(row, strconv.FormatFloat(x, 'f', 3, 64))
		}
		t.add(rng, scoring.Sigmoid(logit), row...)
	}
	return t.set("small", "2,000 loans; ten features of moderate signal")
}

// Interactions is risk that no additive model sees: an exclusive-or of two
// features, a ratio of two others, and a segment that reverses one
// feature's effect.
func Interactions(seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 14))
	t := newTable("id", "a", "b", "income", "debt", "segment", "age", "noise1", "noise2", "bad")
	for i := range 15000 {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		income := math.Exp(10 + 0.6*rng.NormFloat64())
		debt := income * math.Exp(-1+0.8*rng.NormFloat64())
		seg := rng.IntN(3)
		age := 20 + rng.IntN(50)
		logit := -1.8
		if (a > 0.3) != (b > -0.2) {
			logit += 1.8
		}
		if debt/income > 0.6 {
			logit += 1.2
		}
		ageEffect := float64(age-45) / 15
		if seg == 2 {
			ageEffect = -ageEffect
		}
		logit += 0.7 * ageEffect
		t.add(rng, scoring.Sigmoid(logit), strconv.Itoa(i), strconv.FormatFloat(a, 'f', 3, 64), strconv.FormatFloat(b, 'f', 3, 64),
			strconv.FormatFloat(income, 'f', 0, 64), strconv.FormatFloat(debt, 'f', 0, 64), []string{"retail", "sme", "student"}[seg],
			strconv.Itoa(age), strconv.FormatFloat(rng.NormFloat64(), 'f', 3, 64), strconv.Itoa(rng.IntN(10)))
	}
	return t.set("interact", "15,000 loans; exclusive-or, ratio and segment-reversed effects")
}

// Imbalanced has a bad rate of about 1.5 %: most bank books look like it.
func Imbalanced(seed uint64) Set {
	rng := rand.New(rand.NewPCG(seed, 15))
	t := newTable("id", "dpd_max", "utilisation", "inquiries", "tenure", "income", "channel", "bad")
	for i := range 40000 {
		dpd := 0
		if rng.Float64() < 0.15 {
			dpd = 1 + rng.IntN(60)
		}
		util := rng.Float64()
		inq := poisson(rng, 1.5)
		tenure := rng.IntN(100)
		income := math.Exp(9 + 0.5*rng.NormFloat64())
		ch := rng.IntN(4)
		logit := -5.4 + 0.04*float64(dpd) + 1.5*util*util + 0.2*float64(inq) - 0.01*float64(tenure) - 0.3*math.Log(income/8000) + []float64{0, 0.3, 0.6, -0.2}[ch]
		t.add(rng, scoring.Sigmoid(logit), strconv.Itoa(i), strconv.Itoa(dpd), strconv.FormatFloat(util, 'f', 3, 64), strconv.Itoa(inq),
			strconv.Itoa(tenure), strconv.FormatFloat(income, 'f', 0, 64), []string{"branch", "online", "broker", "staff"}[ch])
	}
	return t.set("imbalance", "40,000 loans; 1.5 % bad")
}

// OutOfTime is the behaviour table of a generated book, trained on the
// loans observed at one month end and tested on those observed seven
// months later, after the population has moved on.
func OutOfTime(ctx context.Context, seed uint64, loans int) (Set, error) {
	book, err := portfoliotest.Generate(ctx, synth.Config{Seed: seed, Loans: loans, Months: 24, Until: civil.MustParse("2026-10-30")})
	if err != nil {
		return Set{}, err
	}
	var train, test strings.Builder
	if _, err := portfolio.WriteCSV(ctx, book, civil.MustParse("2025-09-30"), 6, &train); err != nil {
		return Set{}, err
	}
	if _, err := portfolio.WriteCSV(ctx, book, civil.MustParse("2026-04-30"), 6, &test); err != nil {
		return Set{}, err
	}
	return Set{Name: "oot", About: fmt.Sprintf("generated book of %d loans: train as of 2025-09-30, test as of 2026-04-30", loans),
		Target: portfolio.Target, Exclude: []string{portfolio.IDColumn}, Train: train.String(), Test: test.String()}, nil
}

// Synthetic returns every synthetic set, in the table's order.
func Synthetic(ctx context.Context, seed uint64) ([]Set, error) {
	oot, err := OutOfTime(ctx, seed, 20000)
	if err != nil {
		return nil, err
	}
	return []Set{Missing(seed), HighCardinality(seed), Small(seed), Interactions(seed), Imbalanced(seed), oot}, nil
}

// poisson draws a Poisson count with mean lambda (Knuth's method: the
// means here are small).
func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
