package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"daihou"
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/synth"
)

func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.newFlagSet("demo [--db PATH] [--loans N]", `Build a realistic synthetic portfolio in an embedded database and print its
state: products, loans disbursed over the last two years, their repayment
behaviour (on time, late, missed, caught up), and the resulting days past
due, buckets, five-tier classes and IFRS 9 stages. Running it again rebuilds
the demo database; it never touches a database it did not create.`)
	db := m.dbFlag(fs)
	n := fs.Int("loans", 2000, "number of loans to generate")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := db()
	if err := resetDemoDB(ctx, path); err != nil {
		return err
	}
	began := time.Now()
	s, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetSetting(ctx, "demo", "1"); err != nil {
		return err
	}
	until := civil.FromTime(now())
	if err := s.SetBusinessDate(ctx, until); err != nil {
		return err
	}
	prods := map[string]servicing.Product{}
	for _, p := range synth.Products() {
		if err := s.PutProduct(ctx, p); err != nil {
			return err
		}
		prods[p.Code] = p
	}
	gen := synth.Loans(*seed, *n, until.AddDays(-730), until.AddDays(-1))
	in := make([]store.NewLoan, len(gen))
	for i, g := range gen {
		in[i] = store.NewLoan{Line: i + 1, Borrower: g.Borrower, Loan: g.Loan}
	}
	ids, rejects, err := s.AddLoans(ctx, in)
	if err != nil {
		return err
	}
	if len(rejects) > 0 {
		return daihou.Errorf(daihou.EINTERNAL, "demo generator produced invalid loans: %v", rejects[0])
	}
	var pays []store.Payment
	for i := range gen {
		gen[i].Loan.ID = ids[i]
		l := gen[i].Loan
		p := prods[l.Product]
		if l.Method == "" {
			l.Method = p.Method
		}
		gen[i].Loan = l
		for _, t := range synth.Payments(*seed, gen[i], p, until) {
			pays = append(pays, store.Payment{Line: len(pays) + 1, LoanRef: l.ExternalID, ValueDate: t.ValueDate, Amount: t.Amount, Channel: t.Channel, Reference: t.Reference})
		}
	}
	res, err := s.ImportPayments(ctx, pays, m.progress(len(pays), "posting payments"))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "daihou demo — %s\n", path)
	fmt.Fprintf(m.Stdout, "%d loans, %d repayments posted (%d refused), business date %v, built in %.1fs\n\n", len(ids), res.Posted, len(res.Rejects), until, time.Since(began).Seconds())
	rows, err := s.Portfolio(ctx)
	if err != nil {
		return err
	}
	printPortfolio(m, rows)
	fmt.Fprintf(m.Stdout, "\nLook at a loan:   go run ./cmd/daihou loan show %s --db %s\n", worstLoan(ctx, s, ids), path)
	fmt.Fprintf(m.Stdout, "Loan calculator:  go run ./cmd/daihou schedule --principal 1000000 --rate 0.049 --term 360\n")
	return nil
}

// resetDemoDB removes a previous demo database at path, and refuses to
// touch any other existing database.
func resetDemoDB(ctx context.Context, path string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	s, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	v, err := s.Setting(ctx, "demo")
	s.Close()
	if err != nil {
		return err
	}
	if v != "1" {
		return daihou.Errorf(daihou.ECONFLICT, "%s is not a demo database; pass --db with a new path", path)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

func worstLoan(ctx context.Context, s *store.DB, ids []int64) string {
	best, bestDPD := "", -1
	for _, id := range ids {
		snap, err := s.Snapshot(ctx, id)
		if err == nil && snap.Status == servicing.StatusActive && snap.DPD > bestDPD && snap.DPD < 120 {
			l, _ := s.Loan(ctx, id)
			best, bestDPD = l.ExternalID, snap.DPD
		}
	}
	return best
}

func printPortfolio(m *Main, rows []store.PortfolioRow) {
	byBucket := map[servicing.Bucket][2]int64{}
	byClass := map[classification.Class][2]int64{}
	byStage := map[int][2]int64{}
	var total, npl money.Amount
	var count int
	for _, r := range rows {
		add := func(v [2]int64) [2]int64 { return [2]int64{v[0] + int64(r.Loans), v[1] + int64(r.Outstanding)} }
		byBucket[r.Bucket] = add(byBucket[r.Bucket])
		byClass[r.Class] = add(byClass[r.Class])
		byStage[r.Stage] = add(byStage[r.Stage])
		total += r.Outstanding
		count += r.Loans
		if r.Class.NonPerforming() {
			npl += r.Outstanding
		}
	}
	pct := func(a int64) string {
		if total == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f%%", 100*float64(a)/float64(total))
	}
	fmt.Fprintf(m.Stdout, "Active loans %d, outstanding principal %s, NPL ratio (不良贷款率) %s\n\n", count, total.Grouped(), pct(int64(npl)))
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "bucket\tloans\toutstanding\tshare\t")
	var buckets []servicing.Bucket
	for b := range byBucket {
		buckets = append(buckets, b)
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i] < buckets[j] })
	for _, b := range buckets {
		v := byBucket[b]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", b, v[0], money.Amount(v[1]).Grouped(), pct(v[1]))
	}
	tw.Flush()
	fmt.Fprintln(m.Stdout)
	tw = table(m.Stdout)
	fmt.Fprintln(tw, "five-tier class\tloans\toutstanding\tshare\t")
	for c := classification.Normal; c <= classification.Loss; c++ {
		v := byClass[c]
		fmt.Fprintf(tw, "%s %s\t%d\t%s\t%s\t\n", c.Chinese(), c, v[0], money.Amount(v[1]).Grouped(), pct(v[1]))
	}
	tw.Flush()
	fmt.Fprintln(m.Stdout)
	tw = table(m.Stdout)
	fmt.Fprintln(tw, "IFRS 9 stage\tloans\toutstanding\tshare\t")
	for st := 1; st <= 3; st++ {
		v := byStage[st]
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t\n", st, v[0], money.Amount(v[1]).Grouped(), pct(v[1]))
	}
	tw.Flush()
}
