package legal_test

import (
	"errors"
	"strings"
	"testing"

	"daihou"
	"daihou/legal"
)

func TestCheckMove(t *testing.T) {
	for _, c := range []struct {
		name     string
		kind     legal.Kind
		from, to legal.Stage
		code     string // "" allowed
		says     string
	}{
		{"next", legal.Litigation, legal.Filed, legal.Accepted, "", ""},
		{"skip preservation", legal.Litigation, legal.Accepted, legal.Judgment, "", ""},
		{"close at once", legal.Litigation, legal.Filed, legal.Closed, "", ""},
		{"agency works", legal.Agency, legal.Placed, legal.Working, "", ""},
		{"agency returns", legal.Agency, legal.Working, legal.Returned, "", ""},
		{"back", legal.Litigation, legal.Judgment, legal.Accepted, daihou.ECONFLICT, "enforcement, closed"},
		{"same", legal.Agency, legal.Working, legal.Working, daihou.ECONFLICT, "returned, closed"},
		{"after closed", legal.Litigation, legal.Closed, legal.Enforcement, daihou.ECONFLICT, "closed case"},
		{"unknown", legal.Litigation, legal.Filed, "appeal", daihou.EINVALID, "filed, accepted"},
		{"other kind's stage", legal.Agency, legal.Placed, legal.Judgment, daihou.EINVALID, "placed, working, returned, closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := legal.CheckMove(c.kind, c.from, c.to)
			if got := daihou.ErrorCode(err); got != c.code {
				t.Fatalf("CheckMove(%s, %s → %s) = %v, want code %q", c.kind, c.from, c.to, err, c.code)
			}
			if err != nil && !strings.Contains(err.Error(), c.says) {
				t.Errorf("message %q does not name %q", err, c.says)
			}
			if c.code == daihou.ECONFLICT && !errors.Is(err, legal.ErrBadMove) || c.code == daihou.EINVALID && !errors.Is(err, legal.ErrUnknownStage) {
				t.Errorf("%v: not the sentinel of its code", err)
			}
		})
	}
}

func TestFirstAndNext(t *testing.T) {
	if got, want := legal.First(legal.Litigation), legal.Filed; got != want {
		t.Errorf("First(litigation) = %s, want %s", got, want)
	}
	if got, want := legal.First(legal.Agency), legal.Placed; got != want {
		t.Errorf("First(agency) = %s, want %s", got, want)
	}
	if n := legal.Next(legal.Agency, legal.Closed); len(n) != 0 {
		t.Errorf("Next(agency, closed) = %v, want none", n)
	}
	if _, err := legal.ParseKind("委外"); err != nil {
		t.Error(err)
	}
	if _, err := legal.ParseKind("arbitration"); daihou.ErrorCode(err) != daihou.EINVALID {
		t.Errorf("ParseKind(arbitration) = %v, want EINVALID", err)
	}
}
