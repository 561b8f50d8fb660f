// Package config is daihou's configuration: one table of options, each
// with its default, its help and its validation, stored in the database
// (settings) so that every process of a book works by the same rules. The
// command line reads and writes them with 'daihou config'.
package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"daihou/money"
)

// Option is one configuration option.
type Option struct {
	Key     string
	Default string
	Help    string
	// Check validates a value; the error says what is allowed.
	Check func(string) error
}

// Keys of the options.
const (
	Contagion = "classification.contagion"
	MaxRate   = "rate.max"
)

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
