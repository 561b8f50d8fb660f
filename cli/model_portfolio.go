package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/scoring"
	"daihou/scoring/gbdt"
	"daihou/scoring/portfolio"
	"daihou/scoring/scorecard"
	"daihou/scoring/trainer"
	"daihou/store"
)

// ledgerStore adapts the SQL store to portfolio.Store: the registry's
// record is the store's ModelVersion under another name; the ledger and
// the borrowers' signals (BorrowerSignals) are the store's own methods.
type ledgerStore struct{ *store.DB }

var _ portfolio.Store = ledgerStore{}

func (s ledgerStore) RegisterModel(ctx context.Context, r portfolio.Registration) (portfolio.Registration, error) {
	mv, err := s.DB.RegisterModel(ctx, store.ModelVersion{Segment: r.Segment, Kind: r.Kind, AsOf: r.AsOf, Horizon: r.Horizon, Metrics: r.Metrics, Artefact: r.Artefact, Champion: r.Champion})
	return portfolio.Registration{ID: mv.ID, Segment: mv.Segment, Version: mv.Version, Kind: mv.Kind, AsOf: mv.AsOf, Horizon: mv.Horizon, Metrics: mv.Metrics, Artefact: mv.Artefact, Champion: mv.Champion}, err
}

// printPortfolioTrain prints what a portfolio training made; signals is
// whether the signal features were asked for.
func (m *Main) printPortfolioTrain(res *portfolio.Result, asOf, ootAsOf civil.Date, horizon int, signals bool, out string) {
	label := fmt.Sprintf("portfolio as of %v, %d-month horizon", asOf, horizon)
	m.printModelTrainSummary(label, out, res.Artefact, res.Report)
	switch {
	case res.Signals:
		fmt.Fprintf(m.Stdout, "Trained with the external-signal features as the data sources knew them on %v.\n", asOf)
	case signals:
		fmt.Fprintf(m.Stdout, "No data source had reported on any of these loans' borrowers by %v: trained on the ledger features alone.\n", asOf)
	}
	if res.OOT != nil {
		o := res.OOT
		fmt.Fprintf(m.Stdout, "Out of time (as of %v): AUC %.4f  KS %.4f  on %d loans (%d bad), PSI vs training %.4f\n", ootAsOf, o.AUC, o.KS, o.Rows, o.Bads, o.PSI)
		if w := res.OOTWithoutSignals; w != nil {
			fmt.Fprintf(m.Stdout, "  without the signal features (same trainer, ledger alone): AUC %.4f  KS %.4f; the signals add %+.4f AUC, %+.4f KS\n", w.AUC, w.KS, o.AUC-w.AUC, o.KS-w.KS)
		}
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

// portfolioTrainOut is model train --portfolio --json.
type portfolioTrainOut struct {
	ModelID  int64      `json:"model_id"`
	Segment  string     `json:"segment"`
	Version  int        `json:"version"`
	Kind     string     `json:"kind"`
	Champion bool       `json:"champion"`
	AsOf     civil.Date `json:"as_of"`
	Horizon  int        `json:"horizon_months"`
	Rows     int        `json:"rows"`
	Bads     int        `json:"bads"`
	TrainAUC float64    `json:"train_auc"`
	TrainKS  float64    `json:"train_ks"`
	// Signals is whether the model has the external-signal features.
	Signals  bool                `json:"signals"`
	Features []string            `json:"features"` // the model's
	Out      string              `json:"out,omitempty"`
	OOTAsOf  civil.Date          `json:"oot_as_of,omitempty"`
	OOT      *trainer.Evaluation `json:"oot,omitempty"`
	// OOTWithoutSignals is the same trainer fitted on the ledger alone,
	// evaluated on the same out-of-time loans.
	OOTWithoutSignals *trainer.Evaluation `json:"oot_without_signals,omitempty"`
}

func portfolioTrainJSON(res *portfolio.Result, asOf, ootAsOf civil.Date, horizon int, out string) portfolioTrainOut {
	o := portfolioTrainOut{
		ModelID: res.Model.ID, Segment: res.Model.Segment, Version: res.Model.Version, Kind: res.Model.Kind, Champion: res.Model.Champion,
		AsOf: asOf, Horizon: horizon, Rows: res.Report.Rows, Bads: res.Report.Bads, TrainAUC: res.Report.Train.AUC, TrainKS: res.Report.Train.KS,
		Signals: res.Signals, Features: []string{}, Out: out, OOT: res.OOT, OOTWithoutSignals: res.OOTWithoutSignals,
	}
	if res.OOT != nil {
		o.OOTAsOf = ootAsOf
	}
	for _, f := range res.Artefact.Model().Features() {
		o.Features = append(o.Features, f.Name)
	}
	return o
}

// portfolioTrainFlags are the flags of model train --portfolio, as given.
type portfolioTrainFlags struct {
	asOf, ootAsOf, horizon, kind string
	reasons                      int
	seed                         uint64
	budget                       time.Duration
	champion, signals, asJSON    bool
	out                          string
	scale                        scoring.Scaling
	scorecard                    scorecard.Config
}

func (m *Main) runPortfolioTrain(ctx context.Context, b *book, f portfolioTrainFlags) error {
	if f.asOf == "" {
		return usagef("train --portfolio: --as-of is required")
	}
	d, err := civil.Parse(f.asOf)
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "--as-of: %w", err)
	}
	var oot civil.Date
	if f.ootAsOf != "" {
		if oot, err = civil.Parse(f.ootAsOf); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--oot-as-of: %w", err)
		}
	}
	h, err := portfolio.ParseHorizon(f.horizon)
	if err != nil {
		return err
	}
	k, err := scoring.ParseKind(f.kind)
	if err != nil {
		return usagef("train: %v", err)
	}
	if err := f.scale.Validate(); err != nil {
		return usagef("train: %v", err)
	}
	opts := trainer.Options{Kind: k, Scaling: f.scale, Reasons: f.reasons, Scorecard: f.scorecard, GBDT: gbdt.Config{Seed: f.seed}, Budget: f.budget}
	if f.reasons == 0 {
		opts.Reasons = -1
	}
	s, ctx, err := m.openFor(ctx, b, auth.TrainModel, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := portfolio.Train(ctx, ledgerStore{s}, portfolio.Options{AsOf: d, OOTAsOf: oot, Horizon: h, Train: opts, Champion: f.champion, Signals: f.signals})
	if err != nil {
		return err
	}
	if f.out != "" {
		if err := res.Artefact.Save(f.out); err != nil {
			return fmt.Errorf("writing the model: %w", err)
		}
	}
	if f.asJSON {
		return writeJSON(m.Stdout, portfolioTrainJSON(res, d, oot, h, f.out))
	}
	m.printPortfolioTrain(res, d, oot, h, f.signals, f.out)
	return nil
}

func (m *Main) runModelList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model list [--json]", "List the models registered in the database, newest first, with their metrics.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, ctx, err := m.openFor(ctx, b, auth.ReadModels, auth.Book())
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
