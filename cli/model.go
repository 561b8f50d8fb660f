package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/scoring"
	"daihou/scoring/artefact"
	"daihou/scoring/behaviour"
	"daihou/scoring/dataset"
	"daihou/scoring/gbdt"
	"daihou/scoring/portfolio"
	"daihou/scoring/scorecard"
	"daihou/scoring/stream"
	"daihou/scoring/trainer"
)

// modelCommands are the subcommands of `daihou model`, each with its own
// flag set.
var modelCommands = []struct {
	name, summary string
	run           func(m *Main, ctx context.Context, args []string) error
}{
	{"train", "fit a scorecard or boosted trees on a CSV and save the model", (*Main).runModelTrain},
	{"eval", "measure a model on a labelled CSV or the book: AUC, KS, Gini, calibration", (*Main).runModelEval},
	{"score", "score every row of a CSV: score, PD and reason codes", (*Main).runModelScore},
	{"table", "print a scorecard's points table", (*Main).runModelTable},
	{"list", "list the models registered in the database", (*Main).runModelList},
	{"champion", "make a registered model the champion of its segment", (*Main).runModelChampion},
}

// modelShownIssues is how many rejected rows are listed before a count.
const modelShownIssues = 20

func (m *Main) runModel(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := m.Stderr
		if len(args) > 0 {
			w = m.Stdout
		}
		fmt.Fprintln(w, "Usage: daihou model SUBCOMMAND [flags]\n\nSubcommands:")
		for _, c := range modelCommands {
			fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
		}
		fmt.Fprintln(w, "\nRun 'daihou model SUBCOMMAND -h' for its flags.")
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return flag.ErrHelp
	}
	for _, c := range modelCommands {
		if c.name == args[0] {
			return c.run(m, ctx, args[1:])
		}
	}
	return usagef("unknown subcommand %q (want train, eval, score or table)", args[0])
}

func (m *Main) runModelTrain(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model train --data FILE.csv --target COLUMN --out MODEL.json [flags]\n       daihou model train --portfolio --as-of DATE [--horizon 6m] [--oot-as-of DATE] [--champion] [--signals=false] [--json]", `
Fit a behaviour-scoring model on any CSV with a 0/1 target column (1 = bad)
and write it as a versioned JSON artefact. Column types are inferred: a
column is numeric when its values parse as numbers. Rows with the wrong
number of fields, text in a numeric column or a target other than 0/1 are
reported by line and skipped.

  --kind scorecard  the champion: monotone WOE binning, IV selection,
                    logistic regression, points (default)
  --kind gbdt       the challenger: histogram gradient-boosted trees

With --portfolio the table comes from the servicing ledger: every loan
active and under 90 DPD on --as-of, its behaviour features then (DPD
history, payments against dues, months on book, utilisation …), and
whether it reached 90+ DPD within --horizon. What the data sources said
about each borrower by --as-of (bureau inquiries and loans elsewhere, court
cases, social security, bank statements …) are features too, unless
--signals=false or no source has reported on any of the loans. With
--oot-as-of the same trainer is fitted a second time without those
features, to show what they add out of time. The model is registered in
the database (and written to --out if given).

Examples:
  daihou model train --data loans.csv --target default_next_month \
      --exclude ID --kind scorecard --out model.json
  daihou model train --portfolio --as-of 2025-06-30 --horizon 6m \
      --oot-as-of 2025-12-31 --champion`)
	data := fs.String("data", "", "training CSV with a header row")
	target := fs.String("target", "", "name of the 0/1 target column (1 = bad)")
	exclude := fs.String("exclude", "", "comma-separated columns that are not features (ids, dates)")
	kind := fs.String("kind", string(scoring.KindScorecard), "model kind: scorecard or gbdt")
	out := fs.String("out", "", "where to write the model artefact (JSON)")
	id := fs.String("id", "", "id column to carry into score output (default: the first excluded column, else ID/id if present)")
	minIV := fs.Float64("min-iv", 0, "scorecard: drop features with IV below this (default 0.002; negative keeps all)")
	dropWrongSign := fs.Bool("drop-wrong-sign", false, "scorecard: drop features whose coefficient runs against their WOE")
	basePoints := fs.Float64("base-points", 600, "points at the base odds")
	baseOdds := fs.Float64("base-odds", 50, "good:bad odds that score the base points")
	pdo := fs.Float64("pdo", 20, "points to double the odds")
	reasons := fs.Int("reasons", 4, "reason codes per scored row")
	seed := fs.Uint64("seed", 0, "gbdt: seed for the tuner's folds and every subsample")
	budget := fs.Duration("budget", 5*time.Second, "gbdt: fit time to plan the search for depth, leaf size, learning rate and rounds (on 2 cores); 0 fits the defaults untuned")
	portfolio := fs.Bool("portfolio", false, "train on the servicing ledger instead of a CSV: behaviour features as of --as-of, target 90+ DPD within --horizon")
	asOf := fs.String("as-of", "", "--portfolio: the observation date")
	horizon := fs.String("horizon", "6m", "--portfolio: months after the observation date in which 90+ DPD counts as bad")
	ootAsOf := fs.String("oot-as-of", "", "--portfolio: a later observation date to measure out-of-time AUC on")
	champion := fs.Bool("champion", false, "--portfolio: make the new model the champion its segment scores with")
	signals := fs.Bool("signals", true, "--portfolio: train on the external-signal features too, when the book has signals")
	asJSON := fs.Bool("json", false, "--portfolio: print the result as JSON")
	b := m.bookFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("train: unexpected argument %q", fs.Arg(0))
	}
	if *portfolio {
		return m.runPortfolioTrain(ctx, b, portfolioTrainFlags{asOf: *asOf, ootAsOf: *ootAsOf, horizon: *horizon, kind: *kind, reasons: *reasons, seed: *seed,
			budget: tuneBudget(*budget), champion: *champion, signals: *signals, asJSON: *asJSON, out: *out,
			scale: scoring.Scaling{BasePoints: *basePoints, BaseOdds: *baseOdds, PDO: *pdo}, scorecard: scorecard.Config{MinIV: *minIV, DropWrongSign: *dropWrongSign}})
	}
	if *asJSON {
		return usagef("train: --json goes with --portfolio")
	}
	switch {
	case *data == "":
		return usagef("train: --data is required")
	case *target == "":
		return usagef("train: --target is required")
	case *out == "":
		return usagef("train: --out is required")
	}
	k, err := scoring.ParseKind(*kind)
	if err != nil {
		return usagef("train: %v", err)
	}
	if *reasons < 0 {
		return usagef("train: --reasons must not be negative")
	}
	scale := scoring.Scaling{BasePoints: *basePoints, BaseOdds: *baseOdds, PDO: *pdo}
	if err := scale.Validate(); err != nil {
		return usagef("train: %v", err)
	}
	excluded := modelSplitList(*exclude)

	ds, err := modelTrainingSet(*data, *target, excluded)
	if err != nil {
		return err
	}
	idCol := *id
	if idCol == "" {
		idCol = modelIDColumn(ds.Header, excluded)
	} else if !slices.Contains(ds.Header, idCol) {
		return daihou.Errorf(daihou.EINVALID, "%s: no column %q to use as the id", *data, idCol)
	}
	opts := trainer.Options{
		Kind:      k,
		Target:    *target,
		IDColumn:  idCol,
		Scaling:   scale,
		Reasons:   *reasons,
		Scorecard: scorecard.Config{MinIV: *minIV, DropWrongSign: *dropWrongSign},
		GBDT:      gbdt.Config{Seed: *seed},
		Budget:    tuneBudget(*budget),
	}
	if *reasons == 0 {
		opts.Reasons = -1 // to the trainer, 0 means its default
	}
	a, rep, err := trainer.Train(ctx, ds, opts)
	if err != nil {
		if errors.Is(err, trainer.ErrData) {
			return daihou.Errorf(daihou.EINVALID, "%s: %v", *data, err)
		}
		return err
	}
	if err := a.Save(*out); err != nil {
		return fmt.Errorf("writing the model: %w", err)
	}
	m.printModelTrainSummary(*data, *out, a, rep)
	if sc, ok := a.Raw().(*scorecard.Model); ok {
		fmt.Fprintln(m.Stdout)
		return sc.WriteTable(m.Stdout)
	}
	return nil
}

// modelTrainingSet returns the table to train on: today the CSV named by
// --data. This is the hook for portfolio training (DESIGN §5): a
// --portfolio flag will build the same *dataset.Dataset — behaviour
// features and observed defaults per loan — from the servicing ledger, and
// everything after this call (the trainer, the artefact, the summary)
// stays as it is. The flag is not offered yet because the ledger it reads
// does not exist.
func modelTrainingSet(data, target string, excluded []string) (*dataset.Dataset, error) {
	return modelReadData(data, dataset.Options{Target: target, Exclude: excluded})
}

func (m *Main) printModelTrainSummary(data, out string, a *artefact.Artefact, rep *trainer.Report) {
	w := m.Stdout
	fmt.Fprintf(w, "Trained %s on %s: %d rows used (%d bad, %.1f%%), %d rejected.\n",
		rep.Kind, data, rep.Rows, rep.Bads, 100*float64(rep.Bads)/float64(max(rep.Rows, 1)), len(rep.Rejected))
	m.printModelIssues(w, "Rejected rows:", rep.Rejected)
	if len(rep.Notes) > 0 {
		fmt.Fprintln(w, "Notes:")
		for _, n := range rep.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w, "Features (* = in the model):")
	width := 0
	for _, c := range rep.Candidates {
		width = max(width, len(c.Feature))
	}
	for _, c := range rep.Candidates {
		mark := " "
		if c.Selected {
			mark = "*"
		}
		fmt.Fprintf(w, "  %s %-*s  %-11s  IV %6.4f  %s\n", mark, width, c.Feature, c.Type, c.IV, c.Note)
	}
	t := rep.Train
	fmt.Fprintf(w, "Training metrics: AUC %.4f  KS %.4f  Gini %.4f\n", t.AUC, t.KS, t.Gini)
	if g := rep.GBDT; g != nil && a.GBDT != nil {
		if t := a.GBDT.Tuning; t != nil && len(t.Trials) > 0 {
			fmt.Fprintf(w, "Tuned by %d-fold cross-validation on the training rows (%d settings tried, budget %gs):\n", t.Folds, len(t.Trials), t.BudgetSeconds)
			fmt.Fprintf(w, "    %5s  %8s  %5s  %5s  %9s  %6s  %8s  %6s\n", "depth", "min leaf", "rate", "L2", "colsample", "rounds", "log-loss", "AUC")
			for i, tr := range t.Trials {
				mark := " "
				if i == t.Chosen {
					mark = "*"
				}
				fmt.Fprintf(w, "  %s %5d  %8d  %5g  %5g  %9g  %6d  %8.4f  %6.4f\n", mark, tr.MaxDepth, tr.MinLeafRows, tr.LearningRate, tr.L2, tr.ColSample, tr.Rounds, tr.LogLoss, tr.AUC)
			}
			fmt.Fprintf(w, "Trees: %d, fitted on all %d rows with the chosen setting (*)\n", g.Trees, g.TrainRows)
		} else {
			fmt.Fprintf(w, "Trees: %d in %d bags (each stopped early on %d held-out rows; mean log-loss %.4f)\n",
				g.Trees, a.GBDT.Config.Bags, g.ValidationRows, g.ValidationLoss)
		}
	}
	if c := rep.Calibration; c != nil {
		fmt.Fprintf(w, "PD calibrated (Platt, on %d out-of-fold predictions): Brier %.5f before, %.5f after\n", c.Rows, c.BrierBefore, c.BrierAfter)
	}
	fmt.Fprintf(w, "Fit time: %v\n", rep.FitTime.Round(time.Millisecond))
	if out != "" {
		fmt.Fprintf(w, "Model written to %s (%s, %d features).\n", out, a.Kind, len(a.Features))
	}
}

func (m *Main) printModelIssues(w io.Writer, title string, issues []dataset.Issue) {
	if len(issues) == 0 {
		return
	}
	fmt.Fprintln(w, title)
	for i, is := range issues {
		if i == modelShownIssues {
			fmt.Fprintf(w, "  … and %d more\n", len(issues)-modelShownIssues)
			break
		}
		fmt.Fprintf(w, "  %s\n", is)
	}
}

func (m *Main) runModelEval(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model eval --model MODEL.json --data FILE.csv [--target COLUMN] [--json]\n       daihou model eval --model MODEL.json --portfolio --as-of DATE [--horizon 6m] [--json]", `
Measure a model on a labelled CSV, or with --portfolio on the book's own
history (the loans active and under 90 DPD on --as-of, bad when they
reached 90+ DPD within --horizon, as 'model train --portfolio' builds
them): AUC, KS, Gini, the population stability index (PSI) against the
training scores, the Brier score of the PD before calibration and after,
and calibration by score band (the training score deciles): rows, bads,
the observed bad rate, the mean predicted PD (calibrated) and the mean PD
before calibration per band.

Examples:
  daihou model eval --model model.json --data holdout.csv --target default_next_month
  daihou model eval --model gbdt.json --portfolio --as-of 2025-12-14 --horizon 6m`)
	model := fs.String("model", "", "model artefact written by 'model train'")
	data := fs.String("data", "", "labelled CSV to evaluate on")
	target := fs.String("target", "", "0/1 target column (default: the model's target)")
	inBook := fs.Bool("portfolio", false, "evaluate on the servicing ledger instead of a CSV: the loans of --as-of, bad when 90+ DPD within --horizon")
	asOf := fs.String("as-of", "", "--portfolio: the observation date")
	horizon := fs.String("horizon", "6m", "--portfolio: months after the observation date in which 90+ DPD counts as bad")
	asJSON := fs.Bool("json", false, "print one JSON object instead of tables")
	b := m.bookFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("eval: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *model == "":
		return usagef("eval: --model is required")
	case *inBook && (*data != "" || *target != ""):
		return usagef("eval: --portfolio reads the book; --data and --target go with a CSV")
	case *inBook && *asOf == "":
		return usagef("eval: --portfolio needs --as-of")
	case !*inBook && *data == "":
		return usagef("eval: --data (or --portfolio) is required")
	}
	a, err := modelLoad(*model)
	if err != nil {
		return err
	}
	var ds *dataset.Dataset
	source := *data
	if *inBook {
		d, err := civil.Parse(*asOf)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "--as-of: %w", err)
		}
		h, err := portfolio.ParseHorizon(*horizon)
		if err != nil {
			return err
		}
		s, ctx, err := m.openRead(ctx, b)
		if err != nil {
			return err
		}
		defer s.Close()
		// Reading the book's history to measure a model on it is what
		// training on it reads.
		if err := can(ctx, auth.TrainModel, auth.Book()); err != nil {
			return err
		}
		if ds, err = portfolio.Dataset(ctx, ledgerStore{s}, d, h); err != nil {
			return err
		}
		source = fmt.Sprintf("the portfolio as of %v (%d-month horizon)", d, h)
	} else {
		if *target == "" {
			*target = a.Target
		}
		if ds, err = modelReadData(*data, dataset.Options{Target: *target, Schema: a.Features}); err != nil {
			return err
		}
	}
	ev, err := trainer.Evaluate(a, ds)
	if err != nil {
		if errors.Is(err, trainer.ErrData) {
			return daihou.Errorf(daihou.EINVALID, "%s: %v", source, err)
		}
		return err
	}
	if *asJSON {
		if len(ds.Issues) > 0 {
			m.printModelIssues(m.Stderr, "Rejected rows:", ds.Issues)
		}
		return writeJSON(m.Stdout, modelEvalOut{Evaluation: ev, Calibration: a.Calibration})
	}
	w := m.Stdout
	fmt.Fprintf(w, "Model %s (%s) on %s: %d rows (%d bad, %.1f%%), %d rejected.\n",
		*model, a.Kind, source, ev.Rows, ev.Bads, 100*float64(ev.Bads)/float64(max(ev.Rows, 1)), ev.Rejected)
	m.printModelIssues(w, "Rejected rows:", ds.Issues)
	fmt.Fprintf(w, "AUC %.4f  KS %.4f  Gini %.4f  PSI vs training %.4f\n", ev.AUC, ev.KS, ev.Gini, ev.PSI)
	m.printCalibration(w, ev, a.Calibration)
	return nil
}

// modelEvalOut is model eval --json: the evaluation, and the calibration
// the model's PDs went through, if any.
type modelEvalOut struct {
	*trainer.Evaluation
	Calibration *scoring.Calibration `json:"calibration,omitempty"`
}

// printCalibration prints how well an evaluation's PDs match what
// happened: the Brier score before and after the model's calibration, and
// predicted against observed bad rates by score band, with a total.
func (m *Main) printCalibration(w io.Writer, ev *trainer.Evaluation, cal *scoring.Calibration) {
	rate := float64(ev.Bads) / float64(max(ev.Rows, 1))
	if cal != nil {
		fmt.Fprintf(w, "Brier score %.5f before calibration, %.5f after (Platt: log-odds %.4f + %.4f × the model's, fitted on %d out-of-fold predictions)\n",
			ev.BrierRaw, ev.Brier, cal.A, cal.B, cal.Rows)
	} else {
		fmt.Fprintf(w, "Brier score %.5f (the model has no calibration)\n", ev.Brier)
	}
	fmt.Fprintf(w, "Mean PD %.2f%% against an observed bad rate of %.2f%%\n\n", 100*ev.MeanPD, 100*rate)
	fmt.Fprintln(w, "Calibration by score band (the training score deciles; low score = high risk):")
	if cal != nil {
		fmt.Fprintf(w, "  %17s  %7s  %6s  %9s  %9s  %12s\n", "score", "rows", "bads", "observed", "predicted", "uncalibrated")
	} else {
		fmt.Fprintf(w, "  %17s  %7s  %6s  %9s  %9s\n", "score", "rows", "bads", "observed", "predicted")
	}
	var raw float64
	for _, b := range ev.Bands {
		fmt.Fprintf(w, "  %7.1f – %7.1f  %7d  %6d  %8.2f%%  %8.2f%%", b.Low, b.High, b.Count, b.Bads, 100*b.BadRate, 100*b.MeanPD)
		if cal != nil {
			fmt.Fprintf(w, "  %11.2f%%", 100*b.MeanRawPD)
			raw += b.MeanRawPD * float64(b.Count)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  %17s  %7d  %6d  %8.2f%%  %8.2f%%", "all", ev.Rows, ev.Bads, 100*rate, 100*ev.MeanPD)
	if cal != nil {
		fmt.Fprintf(w, "  %11.2f%%", 100*raw/float64(max(ev.Rows, 1)))
	}
	fmt.Fprintln(w)
}

func (m *Main) runModelScore(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model score --model MODEL.json --data FILE.csv [--out FILE.csv]", `
Score every row of a CSV and write CSV: the id column, score (points), PD
and the reason codes — the features that cost the customer most points,
or with --reason-text the sentences a customer or regulator reads. The
file is parsed and scored on every CPU at once and the output streamed in
file order, so memory does not grow with the file.
The id is --id, else the model's id column, else a column named ID/id,
else the first column. Rows that cannot be read are reported by line on
stderr and left out.

Example:
  daihou model score --model model.json --data loans.csv --out scores.csv`)
	model := fs.String("model", "", "model artefact written by 'model train'")
	data := fs.String("data", "", "CSV to score; needs the model's feature columns")
	out := fs.String("out", "", "output CSV (default: standard output)")
	id := fs.String("id", "", "id column to copy into the output")
	reasons := fs.Int("reasons", -1, "reason codes per row (default: the model's setting)")
	reasonText := fs.String("reason-text", "", "write reasons as sentences in this language (zh-CN or en) instead of codes")
	workers := fs.Int("workers", 0, "blocks parsed and scored at once (default: one per CPU)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("score: unexpected argument %q", fs.Arg(0))
	}
	if *model == "" || *data == "" {
		return usagef("score: --model and --data are required")
	}
	a, err := modelLoad(*model)
	if err != nil {
		return err
	}
	header, err := modelReadHeader(*data)
	if err != nil {
		return err
	}
	idCol := *id
	if idCol == "" {
		idCol = modelIDColumn(header, []string{a.IDColumn})
	}
	if idCol != "" && !slices.Contains(header, idCol) {
		return daihou.Errorf(daihou.EINVALID, "%s: no column %q to use as the id", *data, idCol)
	}
	if idCol == "" && len(header) > 0 {
		idCol = header[0]
	}
	n := a.Reasons
	if *reasons >= 0 {
		n = *reasons
	}
	opts := stream.Options{ID: idCol, Reasons: n, Workers: *workers}
	switch *reasonText {
	case "":
	case behaviour.LangZH, behaviour.LangEN:
		lang := *reasonText
		opts.ReasonText = func(code string) string { return behaviour.ReasonText(code, lang) }
	default:
		return usagef("score: --reason-text %q: want %s or %s", *reasonText, behaviour.LangZH, behaviour.LangEN)
	}
	in, err := os.Open(*data)
	if err != nil {
		return modelOpenError(*data, err)
	}
	defer in.Close()

	var w io.Writer = m.Stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return daihou.Errorf(daihou.EINVALID, "cannot create %s: %v", *out, err)
		}
		defer file.Close()
		w = file
	}
	// Blocks arrive a megabyte at a time; a buffer the same size saves a
	// write call per block on a pipe without holding more of the output.
	bw := bufio.NewWriterSize(w, 1<<20)
	sum, err := stream.Score(ctx, in, bw, a.Model(), opts)
	if err != nil {
		if errors.Is(err, dataset.ErrFile) {
			return daihou.Errorf(daihou.EINVALID, "%s: %v", *data, err)
		}
		return fmt.Errorf("scoring %s: %w", *data, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing scores: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("writing scores: %w", err)
		}
		fmt.Fprintf(m.Stderr, "Scored %d rows into %s.\n", sum.Rows, *out)
	}
	if len(sum.Issues) > 0 {
		m.printModelIssues(m.Stderr, fmt.Sprintf("%d row(s) not scored:", len(sum.Issues)), sum.Issues)
	}
	return nil
}

func (m *Main) runModelTable(ctx context.Context, args []string) error {
	fs := m.newFlagSet("model table --model MODEL.json", `
Print a scorecard's points table: every characteristic with its bins,
training rows, bad rate, WOE and points. A customer's score is the sum of
the points of their bin in each characteristic.

Example:
  daihou model table --model model.json`)
	model := fs.String("model", "", "scorecard artefact written by 'model train'")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("table: unexpected argument %q", fs.Arg(0))
	}
	if *model == "" {
		return usagef("table: --model is required")
	}
	a, err := modelLoad(*model)
	if err != nil {
		return err
	}
	sc, ok := a.Raw().(*scorecard.Model)
	if !ok {
		return daihou.Errorf(daihou.EINVALID, "%s is a %s model; only scorecards have a points table", *model, a.Kind)
	}
	return sc.WriteTable(m.Stdout)
}

// modelReadData reads a CSV dataset, mapping problems with the file to the
// application's error codes.
func modelReadData(path string, opts dataset.Options) (*dataset.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, modelOpenError(path, err)
	}
	defer f.Close()
	ds, err := dataset.Read(f, opts)
	if err != nil {
		if errors.Is(err, dataset.ErrFile) {
			return nil, daihou.Errorf(daihou.EINVALID, "%s: %v", path, err)
		}
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ds, nil
}

// modelReadHeader returns the column names of a CSV file.
func modelReadHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, modelOpenError(path, err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		return nil, daihou.Errorf(daihou.EINVALID, "%s: cannot read the header row: %v", path, err)
	}
	for i := range h {
		h[i] = strings.TrimSpace(strings.TrimPrefix(h[i], "\ufeff"))
	}
	return h, nil
}

func modelLoad(path string) (*artefact.Artefact, error) {
	a, err := artefact.Load(path)
	if err != nil {
		if errors.Is(err, artefact.ErrFormat) {
			return nil, daihou.Errorf(daihou.EINVALID, "%v", err)
		}
		return nil, modelOpenError(path, err)
	}
	return a, nil
}

func modelOpenError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return daihou.Errorf(daihou.ENOTFOUND, "%s: no such file", path)
	}
	return daihou.Errorf(daihou.EINVALID, "%s: %v", path, err)
}

// modelIDColumn picks the id to carry into score output: the first
// preferred column the header has, else a column named ID in any case.
func modelIDColumn(header, preferred []string) string {
	for _, p := range preferred {
		if p != "" && slices.Contains(header, p) {
			return p
		}
	}
	for _, h := range header {
		if strings.EqualFold(h, "id") {
			return h
		}
	}
	return ""
}

func modelSplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tuneBudget turns --budget into trainer.Options.Budget: 0 on the command
// line means no tuning, which the trainer spells negative.
func tuneBudget(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}
