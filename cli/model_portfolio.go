package cli

import (
	"context"
	"fmt"
	"strconv"

	"daihou/auth"
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
		o := res.OOT
		fmt.Fprintf(m.Stdout, "Out of time (as of %v): AUC %.4f  KS %.4f  on %d loans (%d bad), PSI vs training %.4f\n", ootAsOf, o.AUC, o.KS, o.Rows, o.Bads, o.PSI)
		fmt.Fprintf(m.Stdout, "  Brier %.5f calibrated, %.5f uncalibrated; mean PD %.2f%% against a bad rate of %.2f%%\n", o.Brier, o.BrierRaw, 100*o.MeanPD, 100*float64(o.Bads)/float64(max(o.Rows, 1)))
		fmt.Fprintf(m.Stdout, "  %17s  %7s  %6s  %8s  %8s  %8s\n", "score", "loans", "bads", "bad rate", "mean PD", "raw PD")
		for _, b := range o.Bands {
			fmt.Fprintf(m.Stdout, "  %7.1f – %7.1f  %7d  %6d  %7.2f%%  %7.2f%%  %7.2f%%\n", b.Low, b.High, b.Count, b.Bads, 100*b.BadRate, 100*b.MeanPD, 100*b.MeanRawPD)
		}
	}
	role := ""
	if res.Model.Champion {
		role = ", now the champion"
	}
	fmt.Fprintf(m.Stdout, "Registered as model %d (segment all, version %d%s).\n", res.Model.ID, res.Model.Version, role)
}

func (m *Main) runModelList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model list [--json]", "List the models registered in the database, newest first, with their metrics.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := can(ctx, auth.ReadModels, auth.Book()); err != nil {
		return err
	}
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
	b := m.bookFlags(fs)
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
	s, ctx, err := m.open(ctx, b)
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
