package cli

import (
	"context"
	"fmt"
	"os"

	"daihou"
	"daihou/civil"
	"daihou/config"
	"daihou/money"
	"daihou/schedule"
	"daihou/store"
)

func (m *Main) runSchedule(ctx context.Context, args []string) error {
	fs := m.newFlagSet("schedule --principal AMOUNT --rate RATE --term MONTHS [flags]", `Loan calculator: print the repayment schedule (还款计划) of a loan.

Example:
  daihou schedule --principal 1000000 --rate 0.049 --term 360 --method equal-installment --start 2026-01-15`)
	principal := fs.String("principal", "", "principal in major units, e.g. 1000000 or 5000.50")
	rate := fs.String("rate", "", "annual contract rate as a decimal fraction, e.g. 0.049 for 4.9 %")
	term := fs.Int("term", 0, "number of monthly periods")
	method := fs.String("method", string(schedule.EqualInstallment), "equal-installment (等额本息), equal-principal (等额本金), interest-only (先息后本) or bullet (到期一次还本付息)")
	start := fs.String("start", "", "disbursement date YYYY-MM-DD (default today)")
	maxRate := fs.String("max-rate", "", "the highest rate accepted (default: the book's rate.max if --db or $DAIHOU_DB names one, else "+mustDefault(config.MaxRate)+")")
	db := m.dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *principal == "" || *rate == "" || *term == 0 {
		fs.Usage()
		return usagef("--principal, --rate and --term are required")
	}
	var t schedule.Terms
	var err error
	if t.Principal, err = money.ParseAmount(*principal); err != nil {
		return daihou.Errorf(daihou.EINVALID, "--principal: %w", err)
	}
	if t.Rate, err = money.ParseRate(*rate); err != nil {
		return daihou.Errorf(daihou.EINVALID, "--rate: %w", err)
	}
	limit, err := m.rateLimit(ctx, *maxRate, db)
	if err != nil {
		return err
	}
	if err := config.CheckRate("--rate", t.Rate, limit); err != nil {
		return daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	if t.Method, err = schedule.ParseMethod(*method); err != nil {
		return daihou.Errorf(daihou.EINVALID, "--method: %w", err)
	}
	t.Term = *term
	t.Start = civil.FromTime(now())
	if *start != "" {
		if t.Start, err = civil.Parse(*start); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--start: %w", err)
		}
	}
	rows, err := schedule.Generate(t)
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	if *asJSON {
		type row struct {
			N         int          `json:"n"`
			DueDate   civil.Date   `json:"due_date"`
			Principal money.Amount `json:"principal"`
			Interest  money.Amount `json:"interest"`
			Total     money.Amount `json:"total"`
		}
		out := struct {
			Installments []row `json:"installments"`
		}{}
		for _, r := range rows {
			out.Installments = append(out.Installments, row{r.N, r.DueDate, r.Principal, r.Interest, r.Total()})
		}
		return writeJSON(m.Stdout, out)
	}
	var sumP, sumI money.Amount
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "n\tdue date\tprincipal\tinterest\ttotal\tbalance\t")
	balance := t.Principal
	for _, r := range rows {
		balance -= r.Principal
		sumP += r.Principal
		sumI += r.Interest
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", r.N, r.DueDate, r.Principal.Grouped(), r.Interest.Grouped(), r.Total().Grouped(), balance.Grouped())
	}
	fmt.Fprintf(tw, "total\t\t%s\t%s\t%s\t\t\n", sumP.Grouped(), sumI.Grouped(), (sumP + sumI).Grouped())
	return tw.Flush()
}

// rateLimit is the rate limit the calculator applies: --max-rate, else the
// book's rate.max when a database is named and exists, else the default —
// the one rule imports and restructurings follow too.
func (m *Main) rateLimit(ctx context.Context, flagValue string, db func() string) (money.Rate, error) {
	if flagValue != "" {
		if err := config.Check(config.MaxRate, flagValue); err != nil {
			return 0, usagef("--max-rate: %v", err)
		}
		return config.Rate(config.MaxRate, flagValue)
	}
	dsn := db()
	if store.IsPostgres(dsn) || fileExists(dsn) {
		s, err := store.OpenReadOnly(ctx, dsn)
		if err == nil {
			defer s.Close()
			v, err := s.Option(ctx, config.MaxRate)
			if err != nil {
				return 0, err
			}
			return config.Rate(config.MaxRate, v)
		}
	}
	return config.Rate(config.MaxRate, "")
}

func mustDefault(key string) string {
	o, err := config.Lookup(key)
	if err != nil {
		panic(err)
	}
	return o.Default
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
