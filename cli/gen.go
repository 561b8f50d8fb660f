package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/eod"
	"daihou/money"
	"daihou/store"
	"daihou/synth"
)

func (m *Main) runGen(ctx context.Context, args []string) error {
	fs := m.newFlagSet("gen --loans N --months M --seed S [--until DATE] [--db PATH] [--json]", `Generate a synthetic bank portfolio (模拟数据) into an empty database, for demos
and benchmarks: borrowers (age, region, income band, occupation, industry and
a latent risk), consumer instalment, small-business and mortgage loans with
all four repayment methods disbursed over the M months before DATE, and their
payment behaviour — on time, late, missed and cured, partial, rolled deeper,
restructured, written off and recovered, paid off early, some posted days
after their value date. The same seed gives the same portfolio.

History ends at DATE (default today) and the business date is left there:
'daihou eod' with no --date then closes the next day. The month-end
portfolio, roll-rate and vintage aggregates of the history are written as
well, so 'daihou report' has a past to show.

Example: daihou gen --loans 1000000 --months 12 --seed 1 --db bank.db`)
	b := m.bookFlags(fs)
	db := b.db
	loans := fs.Int("loans", 100000, "number of loans")
	months := fs.Int("months", 12, "months of history: loans are disbursed over the months before --until")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same portfolio")
	until := fs.String("until", "", "last day of history and the business date afterwards (default today)")
	workers := fs.Int("workers", 0, "generating goroutines (default: one per CPU)")
	signals := fs.Bool("signals", false, "generate each borrower's data-source records too (bureau, statements, social security, courts …), driven by the same latent risk")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("gen takes no arguments")
	}
	cfg := synth.Config{Seed: *seed, Loans: *loans, Months: *months, Until: civil.FromTime(now())}
	if *until != "" {
		d, err := civil.Parse(*until)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "--until: %v", err)
		}
		cfg.Until = d
	}
	if err := cfg.Validate(); err != nil {
		return daihou.Errorf(daihou.EINVALID, "%v", err)
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := m.generate(ctx, s, cfg, *workers, *signals, "generating loans")
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, res)
	}
	fmt.Fprintf(m.Stdout, "Generated %s loans (%s borrowers, %s transactions) disbursed %v … %v into %s\n",
		group(res.Loans), group(res.Borrowers), group(res.Transactions), cfg.First(), cfg.Until, db())
	fmt.Fprintf(m.Stdout, "History: month-end aggregates for %d month ends and %v; business date %v\n", res.MonthEnds, cfg.Until, cfg.Until)
	fmt.Fprintf(m.Stdout, "Took %.1fs (generate and write %.1fs, indexes and aggregates %.1fs): %s loans/s", res.Seconds, res.WriteSeconds, res.FinishSeconds, group(int64(res.LoansPerSecond)))
	if res.PeakMemoryMB > 0 {
		fmt.Fprintf(m.Stdout, ", peak memory %d MiB", res.PeakMemoryMB)
	}
	fmt.Fprintln(m.Stdout)
	fmt.Fprintf(m.Stdout, "\nNext:  daihou report --db %s    daihou eod --db %s\n", db(), db())
	return nil
}

// genResult is what gen reports.
type genResult struct {
	Seed           uint64     `json:"seed"`
	Loans          int64      `json:"loans"`
	Borrowers      int64      `json:"borrowers"`
	Transactions   int64      `json:"transactions"`
	MonthEnds      int        `json:"month_ends"`
	Until          civil.Date `json:"until"`
	Seconds        float64    `json:"seconds"`
	WriteSeconds   float64    `json:"write_seconds"`
	FinishSeconds  float64    `json:"finish_seconds"`
	LoansPerSecond float64    `json:"loans_per_second"`
	PeakMemoryMB   int64      `json:"peak_memory_mib,omitempty"`
}

// generate generates cfg into s with a progress bar on a terminal.
func (m *Main) generate(ctx context.Context, s *store.DB, cfg synth.Config, workers int, signals bool, what string) (genResult, error) {
	began := time.Now()
	res := genResult{Seed: cfg.Seed, Until: cfg.Until}
	g, err := s.NewGenLoader(ctx, synth.Products())
	if err != nil {
		return res, err
	}
	progress := m.progress(cfg.Loans, what)
	done := 0
	h, err := synth.Generate(ctx, cfg, synth.Options{Workers: workers, Signals: signals}, func(b *synth.Batch) error {
		if err := g.Write(ctx, b); err != nil {
			return err
		}
		done += len(b.Loans)
		progress(done)
		return nil
	})
	if err != nil {
		g.Close()
		return res, err
	}
	wrote := time.Now()
	var step func(string)
	if isTerminal(m.Stderr) {
		step = func(s string) { fmt.Fprintf(m.Stderr, "\r\033[K%s …", s) }
	}
	if err := g.Finish(ctx, store.GenInfo{Seed: cfg.Seed, Loans: cfg.Loans, Months: cfg.Months, Until: cfg.Until}, h, step); err != nil {
		return res, err
	}
	if step != nil {
		step("borrower contagion")
	}
	// The generator derives loan by loan; borrower contagion needs the
	// borrower's loans together, which a close of the final date gives.
	if _, err := (&eod.Runner{Store: s}).Close(ctx, cfg.Until, false); err != nil {
		return res, err
	}
	if step != nil {
		fmt.Fprint(m.Stderr, "\r\033[K")
	}
	res.Loans, res.Borrowers, res.Transactions, res.MonthEnds = h.Loans, h.Borrowers, h.Txs, len(h.Dates)-1
	res.Seconds = time.Since(began).Seconds()
	res.WriteSeconds = wrote.Sub(began).Seconds()
	res.FinishSeconds = time.Since(wrote).Seconds()
	res.LoansPerSecond = float64(res.Loans) / res.Seconds
	res.PeakMemoryMB = peakMemoryMB()
	return res, nil
}

// peakMemoryMB returns the process's peak resident memory in MiB (Linux),
// or 0 where the system does not say.
func peakMemoryMB() int64 {
	if runtime.GOOS != "linux" {
		return 0
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// group formats n with thousands separators.
func group(n int64) string { return money.Group(n) }
