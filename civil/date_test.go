package civil_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"daihou/civil"
)

func TestParseAndString(t *testing.T) {
	for _, s := range []string{"1970-01-01", "2024-02-29", "2026-12-31", "2100-03-01"} {
		d, err := civil.Parse(s)
		if err != nil || d.String() != s {
			t.Errorf("Parse(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"2026-02-29", "2026-13-01", "2026-1-1", "20260101", "2026-00-10", "abcd-ef-gh"} {
		if _, err := civil.Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", s)
		}
	}
}

func TestAddMonthsClamped(t *testing.T) {
	for _, tt := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-01-31", 2, "2026-03-31"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-03-31", -1, "2026-02-28"},
	} {
		d := civil.MustParse(tt.from)
		if got := d.AddMonthsClamped(tt.n, d.Day()).String(); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestSubAndMonthIndex(t *testing.T) {
	if got := civil.MustParse("2028-03-01").Sub(civil.MustParse("2028-01-15")); got != 46 {
		t.Errorf("days 2028-01-15 → 2028-03-01 = %d, want 46", got)
	}
	if got := civil.New(2026, time.March, 5).MonthIndex() - civil.New(2025, time.November, 30).MonthIndex(); got != 4 {
		t.Errorf("month index difference = %d, want 4", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-01-15", "2024-02-29", "0000-00-00", "9999-12-31"} {
		f.Add(s)
	}
	layout := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := civil.Parse(s)
		// A date in the right layout is never told to use the layout: its
		// error names the year, month or day instead.
		if err != nil && layout.MatchString(s) == strings.Contains(err.Error(), "want YYYY-MM-DD") {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, d.String())
		}
	})
}

// Property: the integer calendar agrees with the time package on every day
// from 1600 to 2400.
func TestCalendarMatchesTimePackage(t *testing.T) {
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 292_200; i++ {
		tm := start.AddDate(0, 0, i)
		d := civil.FromTime(tm)
		if int64(d) != tm.Unix()/86400 {
			t.Fatalf("%v: day number %d, want %d", tm, d, tm.Unix()/86400)
		}
		y, m, dd := d.YMD()
		if y != tm.Year() || m != tm.Month() || dd != tm.Day() {
			t.Fatalf("%v: YMD %d-%d-%d", tm, y, m, dd)
		}
	}
	if got := civil.New(2026, 14, 31); got.String() != "2027-03-03" {
		t.Errorf("New(2026, 14, 31) = %v, want 2027-03-03 (normalised like time.Date)", got)
	}
	if got := civil.New(2026, 0, 1); got.String() != "2025-12-01" {
		t.Errorf("New(2026, 0, 1) = %v, want 2025-12-01", got)
	}
}

func BenchmarkAddMonthsClamped(b *testing.B) {
	d := civil.MustParse("2026-01-31")
	for b.Loop() {
		d.AddMonthsClamped(13, 31)
	}
}

// Parse errors say what to fix: the layout, the month, or how many days the
// month has, and every one of them is ErrInvalidDate.
func TestParseErrorsSayWhatIsWrong(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"layout", "2026/02/03", `invalid date: want YYYY-MM-DD: "2026/02/03"`},
		{"letters", "abcd-ef-gh", `invalid date: want YYYY-MM-DD: "abcd-ef-gh"`},
		{"30 February", "2026-02-30", `invalid date: February 2026 has 28 days: "2026-02-30"`},
		{"29 February, not a leap year", "2100-02-29", `invalid date: February 2100 has 28 days: "2100-02-29"`},
		{"31 April", "2026-04-31", `invalid date: April 2026 has 30 days: "2026-04-31"`},
		{"day zero", "2026-01-00", `invalid date: January 2026 has 31 days: "2026-01-00"`},
		{"month 13", "2026-13-01", `invalid date: month 13 is not 1 to 12: "2026-13-01"`},
		{"month zero", "2026-00-10", `invalid date: month 0 is not 1 to 12: "2026-00-10"`},
		{"before 1900", "1899-12-31", `invalid date: year 1899 is before 1900: "1899-12-31"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := civil.Parse(tt.in)
			if !errors.Is(err, civil.ErrInvalidDate) {
				t.Fatalf("Parse(%q) error %v, want ErrInvalidDate", tt.in, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}
