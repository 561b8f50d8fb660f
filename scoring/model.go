package scoring

import (
	"fmt"
)

// Kind names a model family in the artefact and on the command line.
type Kind string

// The model kinds: the champion scorecard and the challenger trees.
const (
	KindScorecard Kind = "scorecard"
	KindGBDT      Kind = "gbdt"
)

// ParseKind checks a kind given by a person.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case KindScorecard, KindGBDT:
		return Kind(s), nil
	}
	return "", fmt.Errorf("unknown model kind %q (want %s or %s)", s, KindScorecard, KindGBDT)
}

// Reason is one reason code (扣分原因): a feature that cost the customer
// points. For a scorecard the loss is measured against the best bin of the
// feature; for trees it is the feature's contribution along the paths.
type Reason struct {
	Feature    string  `json:"feature"`       // the feature's name
	Bin        string  `json:"bin,omitempty"` // the customer's bin, scorecards only
	PointsLost float64 `json:"points_lost"`   // always positive
}

// InsertReason inserts r into reasons[:n], which is kept worst first
// (most points lost), and returns the new count: at most len(reasons), the
// least costly reason falling off the end. Earlier insertions win ties, so
// the order is stable.
func InsertReason(reasons []Reason, n int, r Reason) int {
	pos := n
	for pos > 0 && reasons[pos-1].PointsLost < r.PointsLost {
		pos--
	}
	if pos >= len(reasons) {
		return n
	}
	if n < len(reasons) {
		n++
	}
	copy(reasons[pos+1:n], reasons[pos:n-1])
	reasons[pos] = r
	return n
}

// Result is the outcome of scoring one customer.
type Result struct {
	Score   float64  `json:"score"`             // points on the model's Scaling
	PD      float64  `json:"pd"`                // probability of default
	Reasons []Reason `json:"reasons,omitempty"` // worst first
}

// Model is a fitted scoring model of either kind. Inputs are encoded rows
// (see Encoder): x[j] is the value of Features()[j]. Implementations are
// safe for concurrent use.
type Model interface {
	Kind() Kind
	Features() []Feature
	Scaling() Scaling

	// ScoreRow scores one encoded row. It writes reason codes, worst
	// first, into reasons (at most len(reasons) of them) and returns the
	// filled prefix in Result.Reasons, so a caller that reuses the buffer
	// scores without allocating. Pass nil for no reasons.
	ScoreRow(x []float64, reasons []Reason) Result

	// ScoreColumns scores a column-major batch, cols[j][i] being feature j
	// of row i, into score and pd (pd may be nil). It does not allocate;
	// it returns an error only when the slice shapes disagree.
	ScoreColumns(cols [][]float64, score, pd []float64) error
}

// ReasonBatcher is a Model that gives reason codes for a batch of rows
// faster than ScoreRow does row by row.
type ReasonBatcher interface {
	// ScoreColumnsReasons scores a column-major batch as ScoreColumns
	// does and writes row i's reason codes into reasons[i], re-slicing it
	// to the filled prefix. Score, PD and reasons are exactly what
	// ScoreRow gives each row.
	ScoreColumnsReasons(cols [][]float64, score, pd []float64, reasons [][]Reason) error
}

// ScoreReasons scores a column-major batch with reason codes, as
// ReasonBatcher describes, through the model's batch path if it has one
// and ScoreRow row by row if not.
func ScoreReasons(m Model, cols [][]float64, score, pd []float64, reasons [][]Reason) error {
	if err := CheckColumns(len(m.Features()), cols, score, pd); err != nil {
		return err
	}
	if len(reasons) != len(score) {
		return fmt.Errorf("score: %d reason buffers for %d rows", len(reasons), len(score))
	}
	if rb, ok := m.(ReasonBatcher); ok {
		return rb.ScoreColumnsReasons(cols, score, pd, reasons)
	}
	x := make([]float64, len(cols))
	for i := range score {
		for j, c := range cols {
			x[j] = c[i]
		}
		r := m.ScoreRow(x, reasons[i])
		score[i], reasons[i] = r.Score, r.Reasons
		if pd != nil {
			pd[i] = r.PD
		}
	}
	return nil
}

// CheckColumns validates the shapes given to Model.ScoreColumns, so that
// both kinds report a mismatch the same way.
func CheckColumns(nFeatures int, cols [][]float64, score, pd []float64) error {
	if len(cols) != nFeatures {
		return fmt.Errorf("score: got %d columns, model has %d features", len(cols), nFeatures)
	}
	for j, c := range cols {
		if len(c) != len(score) {
			return fmt.Errorf("score: column %d has %d rows, score has %d", j, len(c), len(score))
		}
	}
	if pd != nil && len(pd) != len(score) {
		return fmt.Errorf("score: pd has %d rows, score has %d", len(pd), len(score))
	}
	return nil
}

// Scorer scores rows given by feature name. It owns its buffers, so one
// Scorer must not be shared between goroutines; the Model behind it can be.
type Scorer struct {
	model   Model
	enc     *Encoder
	x       []float64
	reasons []Reason
}

// NewScorer returns a Scorer giving up to nReasons reason codes per row.
func NewScorer(m Model, nReasons int) *Scorer {
	if nReasons < 0 {
		nReasons = 0
	}
	return &Scorer{
		model:   m,
		enc:     NewEncoder(m.Features()),
		x:       make([]float64, len(m.Features())),
		reasons: make([]Reason, nReasons),
	}
}

// ScoreStrings scores a row of raw strings by feature name. The returned
// reasons are a fresh slice the caller may keep.
func (s *Scorer) ScoreStrings(row map[string]string) (Result, error) {
	if err := s.enc.Row(row, s.x); err != nil {
		return Result{}, err
	}
	return s.finish(), nil
}

func (s *Scorer) finish() Result {
	r := s.model.ScoreRow(s.x, s.reasons)
	r.Reasons = append([]Reason(nil), r.Reasons...)
	return r
}
