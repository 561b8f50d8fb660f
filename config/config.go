// Package config is daihou's configuration: one table of options, each
// with its default, its help and its validation, stored in the database
// (settings) so that every process of a book works by the same rules. The
// command line reads and writes them with 'daihou config'.
package config

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"daihou/compliance"
	"daihou/money"
)

// Option is one configuration option.
type Option struct {
	Key     string
	Default string
	Help    string
	// Check validates a value; the error says what is allowed.
	Check func(string) error
	// Setting is the settings key the value is kept under, when it is not
	// "config." + Key: an option that names a setting the store already
	// read before the option existed (see SettingKey).
	Setting string
}

// SettingKey returns the settings key o's value is kept under.
func (o Option) SettingKey() string {
	if o.Setting != "" {
		return o.Setting
	}
	return "config." + o.Key
}

// Keys of the options.
const (
	Contagion    = "classification.contagion"
	MaxRate      = "rate.max"
	Jurisdiction = "collection.jurisdiction"
	LPR          = "rate.lpr"
	CapMultiple  = "rate.cap-multiple"
	Regions      = "org.regions"
)

// MaxCapMultiple is the highest multiple of the LPR rate.cap-multiple
// takes: the legal line is 4 (LPRMultiple); a book may set a stricter
// one, or a looser one for a jurisdiction whose line is drawn elsewhere,
// but not one so loose that the check means nothing.
const MaxCapMultiple = 10

// Options lists every option, by key.
var Options = []Option{
	{
		Key:     Contagion,
		Default: "0.10",
		Help:    "borrower contagion (债务人风险传染): when more than this share of a borrower's exposure is non-performing, all of the borrower's loans are at least 次级; 'off' disables it",
		Check: func(v string) error {
			if v == "off" {
				return nil
			}
			return fraction(v)
		},
	},
	{
		Key:     MaxRate,
		Default: "0.36",
		Help:    "the highest annual rate daihou accepts, for a loan's contract rate, a restructuring's new rate and the loan calculator alike",
		Check: func(v string) error {
			r, err := money.ParseRate(v)
			if err != nil {
				return err
			}
			if r <= 0 || r > 10*money.RateScale {
				return fmt.Errorf("%s is out of range: want a fraction above 0 and at most 10 (1000%%), e.g. 0.24", v)
			}
			return nil
		},
	},
	{
		Key:     Jurisdiction,
		Default: "CN",
		Help:    "the collection compliance profile (催收合规) every contact attempt is checked against: CN (China: the China Banking Association consumer-loan collection guideline and GB/T 45251-2025, no contact 22:00–08:00, at most 3 connected calls a day) or US (Regulation F: 08:00–21:00, at most 7 calls in 7 days)",
		Check: func(v string) error {
			_, err := compliance.ProfileOf(v)
			return err
		},
		// The guard has read this settings key since before it was an
		// option (store/task.go); keeping it keeps books that set it.
		Setting: Jurisdiction,
	},
	{
		Key:     LPR,
		Default: "0.03",
		Help:    "the one-year Loan Prime Rate (一年期贷款市场报价利率, LPR) as a fraction, published monthly by the National Interbank Funding Center; the legal interest cap is rate.cap-multiple times it",
		Check: func(v string) error {
			r, err := money.ParseRate(v)
			if err != nil {
				return err
			}
			if r <= 0 || r >= money.RateScale {
				return fmt.Errorf("%s is out of range: want a fraction above 0 and below 1, e.g. 0.03 for 3 %%", v)
			}
			return nil
		},
	},
	{
		Key:     CapMultiple,
		Default: "4",
		Help:    "the private-lending interest cap (民间借贷利率上限) as a multiple of rate.lpr: interest, penalty interest (罚息) and the all-in annual cost (综合年化成本) above it are reported (《民法典》 art. 680; the Supreme People's Court private-lending provisions set 4 times the one-year LPR)",
		Check: func(v string) error {
			_, err := multiple(v)
			return err
		},
	},
	{
		Key:     Regions,
		Default: "",
		Help:    "the bank's regions (区域/分行) and their branches, for the dashboards' region filter: NAME=BRANCH,BRANCH;NAME=BRANCH, e.g. 北京=BJ01,BJ02;上海=SH01,SH02; each branch in at most one region; empty for none",
		Check: func(v string) error {
			_, err := ParseRegions(v)
			return err
		},
	},
}

// Region is one region of org.regions: a name and its branch codes.
type Region struct {
	Name     string
	Branches []string
}

// ParseRegions parses a value of org.regions, in its order; "" is none.
// A region named twice, a branch in two regions or a region without
// branches is an error that names them.
func ParseRegions(v string) ([]Region, error) {
	var out []Region
	seen := map[string]bool{}
	owner := map[string]string{}
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, list, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("%q: want NAME=BRANCH,BRANCH (regions separated by ';'), e.g. 北京=BJ01,BJ02;上海=SH01", part)
		}
		if seen[name] {
			return nil, fmt.Errorf("region %q is named twice", name)
		}
		seen[name] = true
		r := Region{Name: name}
		for _, b := range strings.Split(list, ",") {
			b = strings.TrimSpace(b)
			if b == "" {
				continue
			}
			if o, dup := owner[b]; dup {
				return nil, fmt.Errorf("branch %q is in two regions, %q and %q: a branch belongs to one region", b, o, name)
			}
			owner[b] = name
			r.Branches = append(r.Branches, b)
		}
		if len(r.Branches) == 0 {
			return nil, fmt.Errorf("region %q has no branches", name)
		}
		out = append(out, r)
	}
	return out, nil
}

// FormatRegions is the inverse of ParseRegions.
func FormatRegions(rs []Region) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Name + "=" + strings.Join(r.Branches, ",")
	}
	return strings.Join(parts, ";")
}

// multiple parses a value of rate.cap-multiple.
func multiple(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > MaxCapMultiple {
		return 0, fmt.Errorf("%q is out of range: want a whole number from 1 to %d, e.g. 4", v, MaxCapMultiple)
	}
	return n, nil
}

// RateCap returns the legal rate cap of the values of rate.lpr and
// rate.cap-multiple, each its default when empty; a value its option's
// check refuses is an error.
func RateCap(lpr, multipleValue string) (compliance.Cap, error) {
	if lpr == "" {
		lpr = mustLookup(LPR).Default
	}
	if multipleValue == "" {
		multipleValue = mustLookup(CapMultiple).Default
	}
	if err := Check(LPR, lpr); err != nil {
		return compliance.Cap{}, err
	}
	n, err := multiple(multipleValue)
	if err != nil {
		return compliance.Cap{}, fmt.Errorf("%s: %w", CapMultiple, err)
	}
	return compliance.RateCap(money.MustParseRate(lpr), n), nil
}

func mustLookup(key string) Option {
	o, err := Lookup(key)
	if err != nil {
		panic("config: " + err.Error())
	}
	return o
}

func fraction(v string) error {
	r, err := money.ParseRate(v)
	if err != nil {
		return err
	}
	if r < 0 || r > money.RateScale {
		return fmt.Errorf("%s is out of range: want a fraction from 0 to 1, e.g. 0.10", v)
	}
	return nil
}

// ErrUnknown is returned by Lookup and Check for a key not in Options.
var ErrUnknown = errors.New("unknown configuration option")

// Lookup returns the option named key.
func Lookup(key string) (Option, error) {
	for _, o := range Options {
		if o.Key == key {
			return o, nil
		}
	}
	keys := make([]string, len(Options))
	for i, o := range Options {
		keys[i] = o.Key
	}
	sort.Strings(keys)
	return Option{}, fmt.Errorf("%w %q (known: %s)", ErrUnknown, key, strings.Join(keys, ", "))
}

// Check validates value for key.
func Check(key, value string) error {
	o, err := Lookup(key)
	if err != nil {
		return err
	}
	if err := o.Check(value); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// Rate returns the rate of an option value, the default when the value is
// empty.
func Rate(key, value string) (money.Rate, error) {
	o, err := Lookup(key)
	if err != nil {
		return 0, err
	}
	if value == "" {
		value = o.Default
	}
	return money.ParseRate(value)
}

// ErrRateTooHigh is returned by CheckRate for a rate above the limit.
var ErrRateTooHigh = errors.New("rate above the configured limit")

// CheckRate refuses a rate above max (rate.max), the one limit every path
// that takes a rate uses.
func CheckRate(what string, r, max money.Rate) error {
	if r < 0 {
		return fmt.Errorf("%s %v is negative", what, r)
	}
	if r > max {
		return fmt.Errorf("%w: %s %v is above %v; raise the limit with 'daihou config set %s %v' if it is right", ErrRateTooHigh, what, r, max, MaxRate, r)
	}
	return nil
}
