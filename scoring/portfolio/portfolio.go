package portfolio

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/scoring/dataset"
	"daihou/scoring/trainer"
	"daihou/servicing"
	"daihou/signal"
)

// Target and IDColumn name the columns of the portfolio training table
// besides the behaviour features (behaviour.AllNames).
const (
	Target   = "bad_90dpd"
	IDColumn = "loan_id"
)

// Ledger is the part of storage the training table is built from.
type Ledger interface {
	// BusinessDate returns the date the book has been closed to.
	BusinessDate(ctx context.Context) (civil.Date, error)
	// EachLoan calls fn for every loan with its product and its
	// transactions in posting order, stopping at fn's first error, which
	// it returns.
	EachLoan(ctx context.Context, fn func(l servicing.Loan, p servicing.Product, txs []servicing.Tx) error) error
	// BorrowerSignals returns the signals of each of borrowers known by
	// asOf (every one when asOf is zero), in signal.Less order; a borrower
	// with none has no entry.
	BorrowerSignals(ctx context.Context, borrowers []int64, asOf civil.Date) (map[int64][]signal.Signal, error)
}

// Registration is a model version in the registry.
type Registration struct {
	ID       int64      // assigned by the registry
	Segment  string     // "all" or a product code
	Version  int        // 1, 2, … within the segment, assigned by the registry
	Kind     string     // scorecard or gbdt
	AsOf     civil.Date // observation date of the training data
	Horizon  int        // months
	Metrics  string     // JSON
	Artefact []byte     // the model file
	Champion bool
}

// Registry stores model versions.
type Registry interface {
	// RegisterModel stores a new version and returns it with its ID and
	// Version filled in.
	RegisterModel(ctx context.Context, r Registration) (Registration, error)
	// SetChampion makes model id the champion of its segment; it returns
	// an error with code daihou.ENOTFOUND when there is no such model.
	SetChampion(ctx context.Context, id int64) error
}

// Store is what Train needs from storage.
type Store interface {
	Ledger
	Registry
}

// ParseHorizon parses "6m", "6" or "12m" as a number of months (1 to 36).
func ParseHorizon(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "m"))
	if err != nil || n < 1 || n > 36 {
		return 0, daihou.Errorf(daihou.EINVALID, "--horizon %q: want a number of months from 1 to 36, e.g. 6m", s)
	}
	return n, nil
}

// WriteCSV writes the training table of the loans eligible on asOf — a
// header, then one row per loan: its external id, behaviour.AllNames (the
// ledger's features, then what the borrower's signals say as of asOf), and
// Target — and returns how many rows it wrote. It refuses an observation
// date whose horizon ends after the business date, since the outcome of
// those loans is not known yet.
func WriteCSV(ctx context.Context, l Ledger, asOf civil.Date, horizon int, w io.Writer) (int, error) {
	st, err := writeTable(ctx, l, asOf, horizon, w)
	return st.rows, err
}

// tableStats counts a training table's rows, and those whose borrower some
// source has reported on by the observation date.
type tableStats struct{ rows, signalled int }

// signalBatch is how many loans' rows wait for one read of their
// borrowers' signals.
const signalBatch = 4096

func writeTable(ctx context.Context, l Ledger, asOf civil.Date, horizon int, w io.Writer) (tableStats, error) {
	var st tableStats
	business, err := l.BusinessDate(ctx)
	if err != nil {
		return st, err
	}
	end := asOf.AddMonthsClamped(horizon, asOf.Day())
	if end.After(business) {
		return st, daihou.Errorf(daihou.EINVALID, "as-of %v plus a %d-month horizon ends %v, after the business date %v: choose an earlier --as-of", asOf, horizon, end, business)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{IDColumn}, behaviour.AllNames...), Target)); err != nil {
		return st, err
	}
	// Rows wait in a batch for their borrowers' signals, read once per
	// batch rather than once per loan.
	type pending struct {
		borrower int64
		row      []string // id and ledger features
		bad      string
	}
	var batch []pending
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids := make([]int64, len(batch))
		for i, p := range batch {
			ids[i] = p.borrower
		}
		sigs, err := l.BorrowerSignals(ctx, ids, asOf)
		if err != nil {
			return err
		}
		type known struct {
			row []string
			any bool
		}
		rows := make(map[int64]known, len(sigs))
		for _, p := range batch {
			k, ok := rows[p.borrower]
			if !ok {
				// Summarise keeps only what was known on asOf: the table
				// sees no signal from after its observation date.
				f := signal.Summarise(sigs[p.borrower], asOf)
				k = known{behaviour.SignalRow(&f), f.Any}
				rows[p.borrower] = k
			}
			if k.any {
				st.signalled++
			}
			if err := cw.Write(append(append(p.row, k.row...), p.bad)); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err = l.EachLoan(ctx, func(l servicing.Loan, p servicing.Product, txs []servicing.Tx) error {
		if l.Disbursed.After(asOf) {
			return nil
		}
		at := servicing.Replay(p, l, txs, asOf)
		if !behaviour.Eligible(&at) {
			return nil
		}
		later := servicing.Replay(p, l, txs, end)
		bad := "0"
		if behaviour.Bad(&later, l.Disbursed, asOf) {
			bad = "1"
		}
		st.rows++
		batch = append(batch, pending{borrower: l.BorrowerID, row: append([]string{l.ExternalID}, behaviour.Row(l, &at)...), bad: bad})
		if len(batch) == signalBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return st, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return st, err
	}
	if st.rows == 0 {
		return st, daihou.Errorf(daihou.EINVALID, "no loans were active and under 90 DPD on %v", asOf)
	}
	return st, nil
}

// Dataset builds the training table of asOf (see WriteCSV) and reads it
// through the same reader the generic trainer uses on a CSV, so both
// paths share every rule about columns, types and missing values.
func Dataset(ctx context.Context, l Ledger, asOf civil.Date, horizon int) (*dataset.Dataset, error) {
	t, err := buildTable(ctx, l, asOf, horizon)
	if err != nil {
		return nil, err
	}
	return t.dataset(true)
}

// table is a training table as written, to be read with or without the
// signal features: the ledger is replayed once for both.
type table struct {
	csv   []byte
	stats tableStats
}

func buildTable(ctx context.Context, l Ledger, asOf civil.Date, horizon int) (*table, error) {
	var buf bytes.Buffer
	st, err := writeTable(ctx, l, asOf, horizon, &buf)
	if err != nil {
		return nil, err
	}
	return &table{csv: buf.Bytes(), stats: st}, nil
}

func (t *table) dataset(signals bool) (*dataset.Dataset, error) {
	exclude := []string{IDColumn}
	if !signals {
		exclude = append(exclude, behaviour.SignalNames...)
	}
	return dataset.Read(bytes.NewReader(t.csv), dataset.Options{Target: Target, Exclude: exclude})
}

// Options says what Train trains.
type Options struct {
	AsOf     civil.Date      // observation date of the training table
	OOTAsOf  civil.Date      // a later observation date to evaluate on; zero for none
	Horizon  int             // months in which 90+ DPD counts as bad
	Train    trainer.Options // Target and IDColumn are set by Train
	Champion bool            // make the new model its segment's champion
	// Signals trains on the external-signal features (behaviour.SignalNames)
	// as well as the ledger's. When no loan of the training table has a
	// signal known on AsOf they are left out, as if Signals were false: a
	// book without data sources trains exactly as it did before them. The
	// command line sets it unless told not to.
	Signals bool
}

// Result is what Train made.
type Result struct {
	Artefact *artefact.Artefact
	Report   *trainer.Report
	// Signals is whether the model was trained with the signal features:
	// asked for, and some loan of the training table had a signal.
	Signals bool
	OOT     *trainer.Evaluation // nil without an out-of-time date
	// OOTWithoutSignals is the out-of-time evaluation of the same trainer
	// fitted again on the ledger features alone, so a risk officer sees
	// what the signals add (OOT.AUC − OOTWithoutSignals.AUC). It is nil
	// without an out-of-time date or when Signals is false; that second
	// model is not registered.
	OOTWithoutSignals *trainer.Evaluation
	Model             Registration // as registered
}

// Train trains on the ledger as of opts.AsOf, evaluates out of time at
// opts.OOTAsOf when given, and registers the model in segment "all" (as
// champion if asked). Errors about the data have code daihou.EINVALID.
func Train(ctx context.Context, s Store, opts Options) (*Result, error) {
	tab, err := buildTable(ctx, s, opts.AsOf, opts.Horizon)
	if err != nil {
		return nil, err
	}
	res := &Result{Signals: opts.Signals && tab.stats.signalled > 0}
	ds, err := tab.dataset(res.Signals)
	if err != nil {
		return nil, err
	}
	topts := opts.Train
	topts.Target, topts.IDColumn = Target, IDColumn
	if res.Artefact, res.Report, err = fit(ctx, ds, topts, opts.AsOf); err != nil {
		return nil, err
	}
	metrics := map[string]any{"train_auc": res.Report.Train.AUC, "train_ks": res.Report.Train.KS, "rows": res.Report.Rows, "bads": res.Report.Bads, "signals": res.Signals}
	if opts.OOTAsOf != 0 {
		ltab, err := buildTable(ctx, s, opts.OOTAsOf, opts.Horizon)
		if err != nil {
			return nil, err
		}
		// Every column: each model reads the features it has.
		later, err := ltab.dataset(true)
		if err != nil {
			return nil, err
		}
		if res.OOT, err = trainer.Evaluate(res.Artefact, later); err != nil {
			return nil, err
		}
		metrics["oot_brier"] = res.OOT.Brier
		metrics["oot_as_of"], metrics["oot_auc"], metrics["oot_ks"], metrics["oot_rows"], metrics["oot_psi"] = opts.OOTAsOf.String(), res.OOT.AUC, res.OOT.KS, res.OOT.Rows, res.OOT.PSI
		if res.Signals {
			plain, err := tab.dataset(false)
			if err != nil {
				return nil, err
			}
			a, _, err := fit(ctx, plain, topts, opts.AsOf)
			if err != nil {
				return nil, err
			}
			if res.OOTWithoutSignals, err = trainer.Evaluate(a, later); err != nil {
				return nil, err
			}
			metrics["oot_auc_without_signals"], metrics["oot_ks_without_signals"] = res.OOTWithoutSignals.AUC, res.OOTWithoutSignals.KS
		}
	}
	var art bytes.Buffer
	if err := res.Artefact.Write(&art); err != nil {
		return nil, err
	}
	mj, err := json.Marshal(metrics)
	if err != nil {
		return nil, err
	}
	res.Model, err = s.RegisterModel(ctx, Registration{Segment: "all", Kind: string(res.Artefact.Kind), AsOf: opts.AsOf, Horizon: opts.Horizon, Metrics: string(mj), Artefact: art.Bytes()})
	if err != nil {
		return nil, err
	}
	if opts.Champion {
		if err := s.SetChampion(ctx, res.Model.ID); err != nil {
			return nil, err
		}
		res.Model.Champion = true
	}
	return res, nil
}

// fit trains on the table of asOf; errors about the data get code
// daihou.EINVALID, a cancelled context stays as it is.
func fit(ctx context.Context, ds *dataset.Dataset, opts trainer.Options, asOf civil.Date) (*artefact.Artefact, *trainer.Report, error) {
	a, rep, err := trainer.Train(ctx, ds, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, daihou.Errorf(daihou.EINVALID, "portfolio as of %v: %v", asOf, err)
	}
	return a, rep, nil
}
