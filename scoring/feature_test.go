package scoring

import (
	"errors"
	"math"
	"testing"
)

func TestIsMissing(t *testing.T) {
	for _, s := range []string{"", " ", "NA", "na", "N/A", "NaN", "null", "NULL", " NA "} {
		if !IsMissing(s) {
			t.Errorf("IsMissing(%q): got false, want true", s)
		}
	}
	for _, s := range []string{"0", "NAN1", "none", "-", "A"} {
		if IsMissing(s) {
			t.Errorf("IsMissing(%q): got true, want false", s)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		missing bool
		err     bool
	}{
		{in: "12.5", want: 12.5},
		{in: " -3 ", want: -3},
		{in: "1e3", want: 1000},
		{in: "", missing: true},
		{in: "NA", missing: true},
		{in: "abc", err: true},
		{in: "Inf", err: true},
		{in: "1,000", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNumber(tt.in)
			switch {
			case tt.err:
				if !errors.Is(err, ErrNotNumber) {
					t.Errorf("got %v, %v; want ErrNotNumber", got, err)
				}
			case tt.missing:
				if err != nil || !math.IsNaN(got) {
					t.Errorf("got %v, %v; want NaN", got, err)
				}
			default:
				if err != nil || got != tt.want {
					t.Errorf("got %v, %v; want %v", got, err, tt.want)
				}
			}
		})
	}
}

func TestEncoder(t *testing.T) {
	enc := NewEncoder([]Feature{
		{Name: "balance", Type: Numeric},
		{Name: "grade", Type: Categorical, Categories: []string{"A", "B", "C"}},
	})
	tests := []struct {
		name    string
		row     map[string]string
		want    [2]float64 // NaN compared by IsNaN
		wantErr bool
	}{
		{"known values", map[string]string{"balance": "100", "grade": "B"}, [2]float64{100, 1}, false},
		{"missing both", map[string]string{"balance": "NA", "grade": ""}, [2]float64{math.NaN(), math.NaN()}, false},
		{"absent columns are missing", map[string]string{"other": "x"}, [2]float64{math.NaN(), math.NaN()}, false},
		{"unseen category", map[string]string{"balance": "1", "grade": "Z"}, [2]float64{1, Unseen}, false},
		{"text in numeric", map[string]string{"balance": "lots", "grade": "A"}, [2]float64{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float64, 2)
			err := enc.Row(tt.row, dst)
			if tt.wantErr {
				if err == nil {
					t.Fatal("got no error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for j := range dst {
				w := tt.want[j]
				if !(dst[j] == w || math.IsNaN(w) && math.IsNaN(dst[j])) {
					t.Errorf("feature %d: got %v, want %v", j, dst[j], w)
				}
			}
		})
	}
	if err := enc.Row(map[string]string{}, make([]float64, 1)); err == nil {
		t.Error("Row with a short dst: got no error")
	}
}
