package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/eod"
	"daihou/store"
)

func (m *Main) runEOD(ctx context.Context, args []string) error {
	fs := m.newFlagSet("eod [--date DATE] [--full] [--db PATH] [--json]", `Close of business (日终批处理): advance the business date to DATE, closing every
day in between one by one (catch-up), and re-derive each loan whose state can
change that day — installments falling due, overdue loans accruing penalty
and days past due, written-off and restructured loans, and loans with new
payments or decisions — then update the daily portfolio, roll-rate and
vintage aggregates. --full re-derives every loan (after a rule change).

Work is committed in chunks with a checkpoint: interrupt it at any point and
run it again to resume; the result is the same as an uninterrupted run.
Closing the last closed date again only picks up what was posted since.
Payments may be posted while it runs; none is lost or applied twice.

With no --date it closes the day after the last closed date.`)
	db := m.dbFlag(fs)
	date := fs.String("date", "", "business date to close through (default: the day after the last closed date)")
	full := fs.Bool("full", false, "re-derive every loan and rebuild the aggregates")
	chunk := fs.Int("chunk", 20000, "loans per committed chunk")
	asJSON := fs.Bool("json", false, "print the summaries as JSON")
	if err := fs.Parse(reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("eod takes no arguments (did you mean --date %s?)", fs.Arg(0))
	}
	s, err := store.Open(ctx, db())
	if err != nil {
		return err
	}
	defer s.Close()
	var target civil.Date
	if *date != "" {
		if target, err = civil.Parse(*date); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--date: %v", err)
		}
	} else {
		last, err := s.LastClose(ctx)
		if err != nil {
			return err
		}
		if last == 0 {
			if target, err = s.BusinessDate(ctx); err != nil {
				return err
			}
		} else {
			target = last.AddDays(1)
		}
	}
	began := time.Now()
	sums, err := s.CloseOfBusiness(ctx, target, store.EODOptions{Full: *full, ChunkSize: *chunk, Progress: m.eodProgress()})
	if err != nil {
		if len(sums) > 0 {
			m.printEOD(sums, time.Since(began))
		}
		if errors.Is(err, context.Canceled) {
			return daihou.Errorf(daihou.ECONFLICT, "close of business interrupted; run it again to resume from its checkpoint")
		}
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, struct {
			Dates        []eod.Summary `json:"dates"`
			Seconds      float64       `json:"seconds"`
			PeakMemoryMB int64         `json:"peak_memory_mib,omitempty"`
		}{sums, time.Since(began).Seconds(), peakMemoryMB()})
	}
	m.printEOD(sums, time.Since(began))
	return nil
}

// eodProgress draws a progress bar per business date on a terminal.
func (m *Main) eodProgress() func(civil.Date, int64, int64) {
	if !isTerminal(m.Stderr) {
		return nil
	}
	var cur civil.Date
	var total int64
	var bar func(int)
	return func(d civil.Date, done, n int64) {
		if d != cur || n != total {
			cur, total = d, n
			bar = m.progress(int(n), "close of business "+d.String())
		}
		bar(int(done))
	}
}

func (m *Main) printEOD(sums []eod.Summary, took time.Duration) {
	if len(sums) == 0 {
		fmt.Fprintln(m.Stdout, "Nothing to close.")
		return
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "date\tmode\tselected\ttouched\tchanged\tnew events\tnewly overdue\tcured\trolled deeper\tclass worse\tclass better\tsettled\twritten off\tseconds\t")
	var touched int64
	for _, s := range sums {
		mode := s.Mode
		if s.Resumed {
			mode += " (resumed)"
		}
		fmt.Fprintf(tw, "%v\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t\n", s.Date, mode, group(s.Candidates), group(s.Touched), group(s.Changed), group(s.NewEvents),
			group(s.NewlyOverdue), group(s.Cured), group(s.RolledDeeper), group(s.ClassWorse), group(s.ClassBetter), group(s.Settled), group(s.WrittenOff), s.Duration.Seconds())
		touched += s.Touched
	}
	tw.Flush()
	last := sums[len(sums)-1]
	fmt.Fprintf(m.Stdout, "\nClosed through %v: %d date(s), %s loans re-derived in %.1fs (%s loans/s)", last.Date, len(sums), group(touched), took.Seconds(), group(int64(float64(touched)/max(took.Seconds(), 1e-9))))
	if mb := peakMemoryMB(); mb > 0 {
		fmt.Fprintf(m.Stdout, ", peak memory %d MiB", mb)
	}
	fmt.Fprintln(m.Stdout)
	if last.CellsHealed > 0 {
		fmt.Fprintf(m.Stdout, "The full run corrected %d aggregate cells.\n", last.CellsHealed)
	}
	if last.Pending > 0 {
		fmt.Fprintf(m.Stdout, "%d loans with events are not yet disbursed on %v and wait for their date.\n", last.Pending, last.Date)
	}
	fmt.Fprintln(m.Stdout, "Early-warning rules, SOP timelines and collection tasks are not part of close of business yet.")
}
