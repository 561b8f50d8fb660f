package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"daihou/compliance"
	"daihou/money"
)

// Every default passes its own check, and every option has its help.
func TestDefaultsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range Options {
		if seen[o.Key] {
			t.Errorf("%s is listed twice", o.Key)
		}
		seen[o.Key] = true
		if err := Check(o.Key, o.Default); err != nil {
			t.Errorf("%s: the default %q is refused: %v", o.Key, o.Default, err)
		}
		if o.Help == "" {
			t.Errorf("%s has no help", o.Key)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{Contagion, "off", true},
		{Contagion, "0.10", true},
		{Contagion, "1.1", false},
		{MaxRate, "0.24", true},
		{MaxRate, "0", false},
		{Jurisdiction, "CN", true},
		{Jurisdiction, "US", true},
		{Jurisdiction, "us", true}, // as compliance.ProfileOf reads it
		{Jurisdiction, "UK", false},
		{Jurisdiction, "", false},
		{LPR, "0.03", true},
		{LPR, "0.0345", true},
		{LPR, "0.0000000001", true},
		{LPR, "0.9999999999", true},
		{LPR, "0", false},
		{LPR, "1", false},
		{LPR, "-0.03", false},
		{LPR, "3%", false},
		{LPR, "", false},
		{CapMultiple, "4", true},
		{CapMultiple, "1", true},
		{CapMultiple, "10", true},
		{CapMultiple, "0", false},
		{CapMultiple, "11", false},
		{CapMultiple, "4.5", false},
		{CapMultiple, "-4", false},
		{CapMultiple, "four", false},
		{CapMultiple, "", false},
	} {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			err := Check(c.key, c.value)
			if got := err == nil; got != c.ok {
				t.Errorf("got %v, want ok %v", err, c.ok)
			}
		})
	}
	if err := Check("rate.nope", "1"); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown key: got %v, want ErrUnknown", err)
	}
}

// The defaults are the law's figures as package compliance holds them.
func TestRateCapDefaults(t *testing.T) {
	got, err := RateCap("", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := compliance.RateCap(compliance.DefaultLPR, compliance.LPRMultiple); got != want {
		t.Errorf("got default cap %+v, want %+v", got, want)
	}
	if got.Rate() != money.MustParseRate("0.12") {
		t.Errorf("got default cap rate %s, want 0.12", got.Rate())
	}
	got, err = RateCap("0.0345", "3")
	if err != nil || got.Rate() != money.MustParseRate("0.1035") {
		t.Errorf("got %+v (%s), %v, want 3 × 0.0345 = 0.1035", got, got.Rate(), err)
	}
	for _, bad := range [][2]string{{"0", "4"}, {"1.5", "4"}, {"0.03", "0"}, {"0.03", "x"}} {
		if _, err := RateCap(bad[0], bad[1]); err == nil {
			t.Errorf("RateCap(%q, %q): got nil, want an error", bad[0], bad[1])
		}
	}
}

// Options keep their values under config.KEY, but for the jurisdiction,
// which the compliance guard read before it was an option.
func TestSettingKey(t *testing.T) {
	for key, want := range map[string]string{
		MaxRate:      "config.rate.max",
		LPR:          "config.rate.lpr",
		CapMultiple:  "config.rate.cap-multiple",
		Jurisdiction: "collection.jurisdiction",
	} {
		o, err := Lookup(key)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.SettingKey(); got != want {
			t.Errorf("%s: got setting %q, want %q", key, got, want)
		}
	}
}

// Whatever org.regions holds, ParseRegions refuses it or gives regions
// with a name and branches, no branch in two, that FormatRegions writes
// back to a value read the same.
func FuzzParseRegions(f *testing.F) {
	for _, s := range []string{"", ";", "北京=BJ01,BJ02;上海=SH01", " a = b , c ; d=e", "a=", "=b", "a=b;a=c", "a=b;c=b", "a=b=c", "a=b,,c;;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		rs, err := ParseRegions(v)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		owner := map[string]bool{}
		for _, r := range rs {
			if r.Name == "" || len(r.Branches) == 0 {
				t.Fatalf("%q: region %+v", v, r)
			}
			for _, b := range r.Branches {
				if b == "" || owner[b] {
					t.Fatalf("%q: branch %q empty or in two regions", v, b)
				}
				owner[b] = true
			}
		}
		back, err := ParseRegions(FormatRegions(rs))
		if err != nil || !reflect.DeepEqual(back, rs) {
			t.Fatalf("%q: %+v written as %q reads back as %+v, %v", v, rs, FormatRegions(rs), back, err)
		}
	})
}

// Check of any value for any setting answers without panicking; a
// refusal names the setting, and a rate cap made of accepted values is
// made.
func FuzzCheck(f *testing.F) {
	for i, o := range Options {
		f.Add(uint8(i), o.Default)
		f.Add(uint8(i), "")
		f.Add(uint8(i), "-1")
		f.Add(uint8(i), "1e9")
	}
	f.Fuzz(func(t *testing.T, which uint8, v string) {
		o := Options[int(which)%len(Options)]
		err := Check(o.Key, v)
		if err != nil {
			if !strings.HasPrefix(err.Error(), o.Key+": ") {
				t.Fatalf("%s=%q: %q does not name the setting", o.Key, v, err)
			}
			return
		}
		switch o.Key {
		case LPR:
			_, err = RateCap(v, "")
		case CapMultiple:
			_, err = RateCap("", v)
		}
		if err != nil {
			t.Fatalf("%s=%q accepted, but the rate cap refuses it: %v", o.Key, v, err)
		}
	})
}
