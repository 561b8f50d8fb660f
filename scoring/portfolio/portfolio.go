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
)

// Target and IDColumn name the columns of the portfolio training table
// besides the behaviour features.
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
// header, then one row per loan: its external id, behaviour.Names, and
// Target — and returns how many rows it wrote. It refuses an observation
// date whose horizon ends after the business date, since the outcome of
// those loans is not known yet.
func WriteCSV(ctx context.Context, l Ledger, asOf civil.Date, horizon int, w io.Writer) (int, error) {
	business, err := l.BusinessDate(ctx)
	if err != nil {
		return 0, err
	}
	end := asOf.AddMonthsClamped(horizon, asOf.Day())
	if end.After(business) {
		return 0, daihou.Errorf(daihou.EINVALID, "as-of %v plus a %d-month horizon ends %v, after the business date %v: choose an earlier --as-of", asOf, horizon, end, business)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{IDColumn}, behaviour.Names...), Target)); err != nil {
		return 0, err
	}
	eligible := 0
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
		eligible++
		return cw.Write(append(append([]string{l.ExternalID}, behaviour.Row(l, &at)...), bad))
	})
	if err != nil {
		return eligible, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return eligible, err
	}
	if eligible == 0 {
		return 0, daihou.Errorf(daihou.EINVALID, "no loans were active and under 90 DPD on %v", asOf)
	}
	return eligible, nil
}

// Dataset builds the training table of asOf (see WriteCSV) and reads it
// through the same reader the generic trainer uses on a CSV, so both
// paths share every rule about columns, types and missing values.
func Dataset(ctx context.Context, l Ledger, asOf civil.Date, horizon int) (*dataset.Dataset, error) {
	var buf bytes.Buffer
	if _, err := WriteCSV(ctx, l, asOf, horizon, &buf); err != nil {
		return nil, err
	}
	return dataset.Read(&buf, dataset.Options{Target: Target, Exclude: []string{IDColumn}})
}

// Options says what Train trains.
type Options struct {
	AsOf     civil.Date      // observation date of the training table
	OOTAsOf  civil.Date      // a later observation date to evaluate on; zero for none
	Horizon  int             // months in which 90+ DPD counts as bad
	Train    trainer.Options // Target and IDColumn are set by Train
	Champion bool            // make the new model its segment's champion
}

// Result is what Train made.
type Result struct {
	Artefact *artefact.Artefact
	Report   *trainer.Report
	OOT      *trainer.Evaluation // nil without an out-of-time date
	Model    Registration        // as registered
}

// Train trains on the ledger as of opts.AsOf, evaluates out of time at
// opts.OOTAsOf when given, and registers the model in segment "all" (as
// champion if asked). Errors about the data have code daihou.EINVALID.
func Train(ctx context.Context, s Store, opts Options) (*Result, error) {
	ds, err := Dataset(ctx, s, opts.AsOf, opts.Horizon)
	if err != nil {
		return nil, err
	}
	topts := opts.Train
	topts.Target, topts.IDColumn = Target, IDColumn
	res := &Result{}
	res.Artefact, res.Report, err = trainer.Train(ctx, ds, topts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, daihou.Errorf(daihou.EINVALID, "portfolio as of %v: %v", opts.AsOf, err)
	}
	metrics := map[string]any{"train_auc": res.Report.Train.AUC, "train_ks": res.Report.Train.KS, "rows": res.Report.Rows, "bads": res.Report.Bads}
	if opts.OOTAsOf != 0 {
		later, err := Dataset(ctx, s, opts.OOTAsOf, opts.Horizon)
		if err != nil {
			return nil, err
		}
		if res.OOT, err = trainer.Evaluate(res.Artefact, later); err != nil {
			return nil, err
		}
		metrics["oot_brier"] = res.OOT.Brier
		metrics["oot_as_of"], metrics["oot_auc"], metrics["oot_ks"], metrics["oot_rows"], metrics["oot_psi"] = opts.OOTAsOf.String(), res.OOT.AUC, res.OOT.KS, res.OOT.Rows, res.OOT.PSI
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
