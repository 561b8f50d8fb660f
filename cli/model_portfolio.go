package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/scoring/dataset"
	"daihou/scoring/trainer"
	"daihou/servicing"
	"daihou/store"
)

// portfolioTarget names the portfolio model's target column.
const portfolioTarget = "bad_90dpd"

// parseHorizon parses "6m", "6" or "12m" as a number of months.
func parseHorizon(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "m"))
	if err != nil || n < 1 || n > 36 {
		return 0, daihou.Errorf(daihou.EINVALID, "--horizon %q: want a number of months from 1 to 36, e.g. 6m", s)
	}
	return n, nil
}

// portfolioSet is a portfolio training table: behaviour features of every
// loan eligible on asOf, and whether it went 90+ DPD within the horizon.
type portfolioSet struct {
	ds          *dataset.Dataset
	eligible    int
	skippedTail int // loans whose horizon is not yet fully observed
}

// portfolioDataset builds the training table from the ledger through the
// same reader the generic trainer uses on a CSV, so both paths share every
// rule about columns, types and missing values.
func portfolioDataset(ctx context.Context, s *store.DB, asOf civil.Date, horizon int) (*portfolioSet, error) {
	business, err := s.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	end := asOf.AddMonthsClamped(horizon, asOf.Day())
	if end.After(business) {
		return nil, daihou.Errorf(daihou.EINVALID, "as-of %v plus a %d-month horizon ends %v, after the business date %v: choose an earlier --as-of", asOf, horizon, end, business)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(append(append([]string{"loan_id"}, behaviour.Names...), portfolioTarget))
	set := &portfolioSet{}
	err = s.EachLoan(ctx, func(l servicing.Loan, p servicing.Product, txs []servicing.Tx) error {
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
		set.eligible++
		return w.Write(append(append([]string{l.ExternalID}, behaviour.Row(l, &at)...), bad))
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	if set.eligible == 0 {
		return nil, daihou.Errorf(daihou.EINVALID, "no loans were active and under 90 DPD on %v", asOf)
	}
	set.ds, err = dataset.Read(&buf, dataset.Options{Target: portfolioTarget, Exclude: []string{"loan_id"}})
	return set, err
}

// portfolioResult is what trainPortfolio made.
type portfolioResult struct {
	art *artefact.Artefact
	rep *trainer.Report
	oot *trainer.Evaluation // nil without an out-of-time date
	mv  store.ModelVersion
}

// trainPortfolio trains on the ledger as of asOf, evaluates out of time at
// ootAsOf when given, and registers the model (as champion if asked).
func trainPortfolio(ctx context.Context, s *store.DB, asOf, ootAsOf civil.Date, horizon int, opts trainer.Options, champion bool) (*portfolioResult, error) {
	set, err := portfolioDataset(ctx, s, asOf, horizon)
	if err != nil {
		return nil, err
	}
	opts.Target, opts.IDColumn = portfolioTarget, "loan_id"
	res := &portfolioResult{}
	res.art, res.rep, err = trainer.Train(ctx, set.ds, opts)
	if err != nil {
		return nil, daihou.Errorf(daihou.EINVALID, "portfolio as of %v: %v", asOf, err)
	}
	metrics := map[string]any{"train_auc": res.rep.Train.AUC, "train_ks": res.rep.Train.KS, "rows": res.rep.Rows, "bads": res.rep.Bads}
	if ootAsOf != 0 {
		later, err := portfolioDataset(ctx, s, ootAsOf, horizon)
		if err != nil {
			return nil, err
		}
		if res.oot, err = trainer.Evaluate(res.art, later.ds); err != nil {
			return nil, err
		}
		metrics["oot_as_of"], metrics["oot_auc"], metrics["oot_ks"], metrics["oot_rows"], metrics["oot_psi"] = ootAsOf.String(), res.oot.AUC, res.oot.KS, res.oot.Rows, res.oot.PSI
	}
	var art bytes.Buffer
	if err := res.art.Write(&art); err != nil {
		return nil, err
	}
	mj, _ := json.Marshal(metrics)
	res.mv, err = s.RegisterModel(ctx, store.ModelVersion{Segment: "all", Kind: string(res.art.Kind), AsOf: asOf, Horizon: horizon, Metrics: string(mj), Artefact: art.Bytes()})
	if err != nil {
		return nil, err
	}
	if champion {
		if err := s.SetChampion(ctx, res.mv.ID); err != nil {
			return nil, err
		}
		res.mv.Champion = true
	}
	return res, nil
}

// printPortfolioTrain prints what a portfolio training made.
func (m *Main) printPortfolioTrain(res *portfolioResult, asOf, ootAsOf civil.Date, horizon int, out string) {
	label := fmt.Sprintf("portfolio as of %v, %d-month horizon", asOf, horizon)
	m.printModelTrainSummary(label, out, res.art, res.rep)
	if res.oot != nil {
		fmt.Fprintf(m.Stdout, "Out of time (as of %v): AUC %.4f  KS %.4f  on %d loans (%d bad), PSI vs training %.4f\n", ootAsOf, res.oot.AUC, res.oot.KS, res.oot.Rows, res.oot.Bads, res.oot.PSI)
	}
	role := ""
	if res.mv.Champion {
		role = ", now the champion"
	}
	fmt.Fprintf(m.Stdout, "Registered as model %d (segment all, version %d%s).\n", res.mv.ID, res.mv.Version, role)
}

func (m *Main) runModelList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model list [--json]", "List the models registered in the database, newest first, with their metrics.")
	db := m.dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, db())
	if err != nil {
		return err
	}
	defer s.Close()
	models, err := s.Models(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, models)
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "id\tsegment\tversion\tkind\tas of\thorizon\tchampion\tmetrics\t")
	for _, mv := range models {
		champ := ""
		if mv.Champion {
			champ = "★"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%v\t%dm\t%s\t%s\t\n", mv.ID, mv.Segment, mv.Version, mv.Kind, mv.AsOf, mv.Horizon, champ, mv.Metrics)
	}
	return tw.Flush()
}

func (m *Main) runModelChampion(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model champion ID", "Make registered model ID the champion of its segment: the model close of business scores with.")
	db := m.dbFlag(fs)
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one model id")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return usagef("model id %q is not a number", fs.Arg(0))
	}
	s, err := store.Open(ctx, db())
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetChampion(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "model %d is now the champion of its segment\n", id)
	return nil
}
