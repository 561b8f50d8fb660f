package scoring

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FeatureType says how a feature's raw values are read.
type FeatureType string

// The two feature types. A column is numeric when its values parse as
// numbers; anything else is categorical.
const (
	Numeric     FeatureType = "numeric"
	Categorical FeatureType = "categorical"
)

// Unseen is the encoded value of a categorical value that was not among the
// training categories. It is negative so that it can never collide with a
// category index; models decide what it means (the scorecard's "other" bin,
// the trees' missing branch).
const Unseen = -1.0

// Feature describes one model input. Categorical features list their
// training categories; a category is encoded as its index in Categories,
// so the order is part of the model (the trainer orders them by training
// bad rate, which lets tree splits on the index group similar categories).
type Feature struct {
	Name       string      `json:"name"`                 // the column name in data files
	Type       FeatureType `json:"type"`                 // numeric or categorical
	Categories []string    `json:"categories,omitempty"` // categorical: code i is Categories[i]
}

// Errors returned when a raw value cannot be encoded.
var (
	ErrNotNumber     = errors.New("not a number")
	ErrUnknownColumn = errors.New("unknown feature")
)

// IsMissing reports whether a raw cell means "no value". Data from bank
// systems and spreadsheets spell missing many ways; these are the common
// ones, compared without case after trimming spaces.
func IsMissing(s string) bool {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 0:
		return true
	case 2, 3, 4:
		switch strings.ToUpper(s) {
		case "NA", "N/A", "NAN", "NULL":
			return true
		}
	}
	return false
}

// ParseNumber parses a raw cell as a finite number. Missing cells give NaN
// and no error. Infinities are rejected: no balance or count is infinite,
// and letting one through would poison every sum downstream.
func ParseNumber(s string) (float64, error) {
	if IsMissing(s) {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
	}
	return v, nil
}

// Encoder turns raw values into the float64 encoding models score: numbers
// as themselves, categories as their index, missing as NaN and unknown
// categories as Unseen. Build one per model and reuse it; it is safe for
// concurrent use once built.
type Encoder struct {
	features []Feature
	byName   map[string]int
	cats     []map[string]float64
}

// NewEncoder returns an Encoder for features.
func NewEncoder(features []Feature) *Encoder {
	e := &Encoder{
		features: features,
		byName:   make(map[string]int, len(features)),
		cats:     make([]map[string]float64, len(features)),
	}
	for j, f := range features {
		e.byName[f.Name] = j
		if f.Type == Categorical {
			m := make(map[string]float64, len(f.Categories))
			for k, c := range f.Categories {
				m[c] = float64(k)
			}
			e.cats[j] = m
		}
	}
	return e
}

// Features returns the features the encoder was built for.
func (e *Encoder) Features() []Feature { return e.features }

// Index returns the position of the named feature, or -1.
func (e *Encoder) Index(name string) int {
	if j, ok := e.byName[name]; ok {
		return j
	}
	return -1
}

// Value encodes the raw string s for feature j. It returns an error
// wrapping ErrNotNumber when a numeric feature gets text.
func (e *Encoder) Value(j int, s string) (float64, error) {
	if e.features[j].Type == Numeric {
		return ParseNumber(s)
	}
	if IsMissing(s) {
		return math.NaN(), nil
	}
	if v, ok := e.cats[j][strings.TrimSpace(s)]; ok {
		return v, nil
	}
	return Unseen, nil
}

// Row encodes a row given by feature name into dst, which must have one
// slot per feature. Features absent from row are missing; names in row
// that are not features are ignored, so a caller can pass a whole record.
func (e *Encoder) Row(row map[string]string, dst []float64) error {
	if len(dst) != len(e.features) {
		return fmt.Errorf("encode: dst has %d slots, model has %d features", len(dst), len(e.features))
	}
	for j, f := range e.features {
		s, ok := row[f.Name]
		if !ok {
			dst[j] = math.NaN()
			continue
		}
		v, err := e.Value(j, s)
		if err != nil {
			return fmt.Errorf("feature %s: %w", f.Name, err)
		}
		dst[j] = v
	}
	return nil
}
