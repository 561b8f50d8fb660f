package artefact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"daihou/scoring"
	"daihou/scoring/gbdt"
	"daihou/scoring/metrics"
	"daihou/scoring/scorecard"
)

// FormatVersion is the artefact format this daihou writes and the newest
// it reads. Bump it when a change would make an older daihou misread a
// file; adding an optional field does not need a bump.
const FormatVersion = 1

// ErrFormat is wrapped by every error about a malformed artefact.
var ErrFormat = errors.New("not a usable model artefact")

// Artefact is a fitted model with everything needed to score, review and
// monitor it.
type Artefact struct {
	FormatVersion int               `json:"format_version"`      // see FormatVersion
	Kind          scoring.Kind      `json:"kind"`                // scorecard or gbdt
	Target        string            `json:"target"`              // the column the model predicts
	IDColumn      string            `json:"id_column,omitempty"` // carried into score output
	Features      []scoring.Feature `json:"features"`            // the model's inputs, in encoding order
	Scaling       scoring.Scaling   `json:"scaling"`             // the points scale
	Reasons       int               `json:"reasons"`             // reason codes per scored row
	Scorecard     *scorecard.Params `json:"scorecard,omitempty"` // set when Kind is scorecard
	GBDT          *gbdt.Params      `json:"gbdt,omitempty"`      // set when Kind is gbdt
	// Calibration maps the model's log-odds to the PD it reports, when
	// training fitted one; without it the PD is the model's own.
	Calibration *scoring.Calibration `json:"calibration,omitempty"`
	Training    Training             `json:"training"` // what fitting measured

	raw   scoring.Model // as fitted
	model scoring.Model // raw with its calibration
}

// Training records what happened when the model was fitted.
type Training struct {
	Rows       int                    `json:"rows"`          // training rows used
	Bads       int                    `json:"bads"`          // of which target 1
	Rejected   int                    `json:"rejected_rows"` // rows the reader skipped
	Metrics    metrics.Discrimination `json:"metrics"`       // on the training rows
	FitSeconds float64                `json:"fit_seconds"`   // feature preparation and fitting
	// ScoreEdges and ScoreShares are the training score distribution by
	// decile, kept so that any later population can be compared with it
	// (PSI) without the training data.
	ScoreEdges  []float64        `json:"score_edges"`
	ScoreShares []float64        `json:"score_shares"`         // len(ScoreEdges)+1 shares
	Candidates  []CandidateEntry `json:"candidates,omitempty"` // every input column
	Notes       []string         `json:"notes,omitempty"`      // decisions about columns
}

// CandidateEntry is what training made of one input column.
type CandidateEntry struct {
	Feature  string  `json:"feature"`        // column name
	Type     string  `json:"type"`           // numeric or categorical
	IV       float64 `json:"iv"`             // information value of its binning
	Selected bool    `json:"selected"`       // whether the model uses it
	Note     string  `json:"note,omitempty"` // why not, or a warning
}

// New wraps a fitted model. Training details are filled in by the caller.
func New(m scoring.Model, target string) (*Artefact, error) {
	a := &Artefact{
		FormatVersion: FormatVersion,
		Kind:          m.Kind(),
		Target:        target,
		Features:      m.Features(),
		Scaling:       m.Scaling(),
		Reasons:       4,
		raw:           m,
		model:         m,
	}
	switch t := m.(type) {
	case *scorecard.Model:
		p := t.Params()
		a.Scorecard = &p
	case *gbdt.Model:
		p := t.Params()
		a.GBDT = &p
	default:
		return nil, fmt.Errorf("artefact: cannot store a %T", m)
	}
	return a, nil
}

// Model returns the scoring model, its PD calibrated when the artefact
// has a calibration: what close of business and ECL use.
func (a *Artefact) Model() scoring.Model { return a.model }

// Raw returns the model as fitted, without calibration: a
// *scorecard.Model or a *gbdt.Model.
func (a *Artefact) Raw() scoring.Model { return a.raw }

// SetCalibration makes c the artefact's calibration (nil for none).
func (a *Artefact) SetCalibration(c *scoring.Calibration) error {
	if c != nil {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	a.Calibration = c
	a.model = a.raw
	if c != nil {
		a.model = scoring.Calibrated{Model: a.raw, Cal: c}
	}
	return nil
}

// Read decodes and checks an artefact and builds its model.
func Read(r io.Reader) (*Artefact, error) {
	dec := json.NewDecoder(r)
	var a Artefact
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	switch {
	case a.FormatVersion == 0:
		return nil, fmt.Errorf("%w: no format_version", ErrFormat)
	case a.FormatVersion > FormatVersion:
		return nil, fmt.Errorf("%w: format_version %d is newer than this daihou reads (%d); upgrade daihou", ErrFormat, a.FormatVersion, FormatVersion)
	}
	seen := map[string]bool{}
	for _, f := range a.Features {
		if f.Name == "" || seen[f.Name] {
			return nil, fmt.Errorf("%w: feature names must be unique and non-empty", ErrFormat)
		}
		seen[f.Name] = true
		if f.Type != scoring.Numeric && f.Type != scoring.Categorical {
			return nil, fmt.Errorf("%w: feature %s has unknown type %q", ErrFormat, f.Name, f.Type)
		}
	}
	var err error
	switch a.Kind {
	case scoring.KindScorecard:
		if a.Scorecard == nil {
			return nil, fmt.Errorf("%w: kind scorecard without scorecard parameters", ErrFormat)
		}
		a.raw, err = scorecard.New(a.Features, a.Scaling, *a.Scorecard)
	case scoring.KindGBDT:
		if a.GBDT == nil {
			return nil, fmt.Errorf("%w: kind gbdt without gbdt parameters", ErrFormat)
		}
		a.raw, err = gbdt.New(a.Features, a.Scaling, *a.GBDT)
	default:
		return nil, fmt.Errorf("%w: unknown kind %q", ErrFormat, a.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if err := a.SetCalibration(a.Calibration); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if a.Reasons < 0 {
		a.Reasons = 0
	}
	return &a, nil
}

// Write encodes the artefact as indented JSON with arrays of numbers kept
// on one line, so that a scorecard reads top to bottom and a forest of
// trees does not run to a hundred thousand lines.
func (a *Artefact) Write(w io.Writer) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("artefact: %w", err)
	}
	var buf bytes.Buffer
	if err := pretty(&buf, raw); err != nil {
		return fmt.Errorf("artefact: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Load reads the artefact at path.
func Load(path string) (*Artefact, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Save writes the artefact to path through a temporary file and a rename,
// so that a crash never leaves a half-written model where a good one was.
func (a *Artefact) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private; a model is not a secret and the
	// scoring service may run as another user.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := a.Write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
