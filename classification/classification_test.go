package classification_test

import (
	"testing"

	"daihou/civil"
	"daihou/classification"
)

func TestFloor(t *testing.T) {
	tests := []struct {
		dpd  int
		want classification.Class
	}{
		{0, classification.Normal},
		{1, classification.SpecialMention},
		{90, classification.SpecialMention},
		{91, classification.Substandard},
		{270, classification.Substandard},
		{271, classification.Doubtful},
		{360, classification.Doubtful},
		{361, classification.Loss},
	}
	for _, tt := range tests {
		if got := classification.Floor(tt.dpd); got != tt.want {
			t.Errorf("Floor(%d) = %v, want %v", tt.dpd, got, tt.want)
		}
		got := classification.Classify(classification.Input{DPD: tt.dpd}).Class
		if got != tt.want {
			t.Errorf("Classify(DPD %d) = %v, want %v", tt.dpd, got, tt.want)
		}
	}
}

func TestOverrideOnlyAboveFloor(t *testing.T) {
	tests := []struct {
		name     string
		dpd      int
		override classification.Class
		want     classification.Class
	}{
		{"raises normal to doubtful", 0, classification.Doubtful, classification.Doubtful},
		{"cannot lower substandard to normal", 120, classification.Normal, classification.Substandard},
		{"floor wins once it passes the override", 400, classification.Doubtful, classification.Loss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classification.Classify(classification.Input{DPD: tt.dpd, Override: tt.override, OverrideReason: "r"})
			if got.Class != tt.want {
				t.Errorf("got %v (%s), want %v", got.Class, got.Cause, tt.want)
			}
		})
	}
}

func TestRestructuredObservation(t *testing.T) {
	start := civil.MustParse("2026-03-10")
	in := classification.Input{Restructured: true, ObservationStart: start}
	for _, tt := range []struct {
		asOf string
		want classification.Class
	}{
		{"2026-03-10", classification.SpecialMention},
		{"2027-03-09", classification.SpecialMention},
		{"2027-03-10", classification.Normal},
	} {
		in.AsOf = civil.MustParse(tt.asOf)
		if got := classification.Classify(in).Class; got != tt.want {
			t.Errorf("as of %s: %v, want %v", tt.asOf, got, tt.want)
		}
	}
}

func TestContagionAndWriteOff(t *testing.T) {
	if got := classification.Classify(classification.Input{BorrowerNPL: true}).Class; got != classification.Substandard {
		t.Errorf("contagion: %v, want substandard", got)
	}
	if got := classification.Classify(classification.Input{WrittenOff: true}).Class; got != classification.Loss {
		t.Errorf("written off: %v, want loss", got)
	}
}

func TestStage(t *testing.T) {
	tests := []struct {
		dpd   int
		class classification.Class
		drop  bool
		want  int
	}{
		{0, classification.Normal, false, 1},
		{30, classification.Normal, false, 1},
		{31, classification.Normal, false, 2},
		{0, classification.SpecialMention, false, 2},
		{0, classification.Normal, true, 2},
		{91, classification.SpecialMention, false, 3},
		{0, classification.Substandard, false, 3},
	}
	for _, tt := range tests {
		if got := classification.Stage(tt.dpd, tt.class, tt.drop); got != tt.want {
			t.Errorf("Stage(%d, %v, %v) = %d, want %d", tt.dpd, tt.class, tt.drop, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	for c := classification.Normal; c <= classification.Loss; c++ {
		for _, s := range []string{c.String(), c.Chinese()} {
			got, err := classification.Parse(s)
			if err != nil || got != c {
				t.Errorf("Parse(%q) = %v, %v", s, got, err)
			}
		}
	}
	if _, err := classification.Parse("bad"); err == nil {
		t.Error("Parse(bad) succeeded")
	}
}

func TestScoreDeteriorated(t *testing.T) {
	tests := []struct {
		name             string
		initial, current int
		want             bool
	}{
		{"no earlier score", 0, 500, false},
		{"39 points down with PDO 20: odds × 3.9", 640, 601, false},
		{"40 points down: odds × 4", 640, 600, true},
		{"improved", 600, 650, false},
	}
	for _, tt := range tests {
		if got := classification.ScoreDeteriorated(tt.initial, tt.current, 20); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
