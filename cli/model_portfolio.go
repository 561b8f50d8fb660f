package cli

import (
	"context"
	"fmt"
	"strconv"

	"daihou/civil"
	"daihou/scoring/portfolio"
	"daihou/store"
)

// ledgerStore adapts the SQL store to portfolio.Store: the registry's
// record is the store's ModelVersion under another name.
type ledgerStore struct{ *store.DB }

var _ portfolio.Store = ledgerStore{}

func (s ledgerStore) RegisterModel(ctx context.Context, r portfolio.Registration) (portfolio.Registration, error) {
	mv, err := s.DB.RegisterModel(ctx, store.ModelVersion{Segment: r.Segment, Kind: r.Kind, AsOf: r.AsOf, Horizon: r.Horizon, Metrics: r.Metrics, Artefact: r.Artefact, Champion: r.Champion})
	return portfolio.Registration{ID: mv.ID, Segment: mv.Segment, Version: mv.Version, Kind: mv.Kind, AsOf: mv.AsOf, Horizon: mv.Horizon, Metrics: mv.Metrics, Artefact: mv.Artefact, Champion: mv.Champion}, err
}

// printPortfolioTrain prints what a portfolio training made.
func (m *Main) printPortfolioTrain(res *portfolio.Result, asOf, ootAsOf civil.Date, horizon int, out string) {
	label := fmt.Sprintf("portfolio as of %v, %d-month horizon", asOf, horizon)
	m.printModelTrainSummary(label, out, res.Artefact, res.Report)
	if res.OOT != nil {
		fmt.Fprintf(m.Stdout, "Out of time (as of %v): AUC %.4f  KS %.4f  on %d loans (%d bad), PSI vs training %.4f\n", ootAsOf, res.OOT.AUC, res.OOT.KS, res.OOT.Rows, res.OOT.Bads, res.OOT.PSI)
	}
	role := ""
	if res.Model.Champion {
		role = ", now the champion"
	}
	fmt.Fprintf(m.Stdout, "Registered as model %d (segment all, version %d%s).\n", res.Model.ID, res.Model.Version, role)
}

func (m *Main) runModelList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model list [--json]", "List the models registered in the database, newest first, with their metrics.")
	db := m.dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
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
	if err := fs.Parse(reorder(fs, args)); err != nil {
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
