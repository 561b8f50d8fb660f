package source

import (
	"errors"
	"slices"
	"strings"

	"daihou"
)

// all is every built-in source, in the order the README documents them:
// the credit bureau first, then public records, then the borrower's own
// accounts and activity, then the lender's own feed.
var all = []Adapter{
	bureau{}, court{}, hukou{}, social{}, utility{}, statement{},
	tax{}, business{}, ecommerce{}, transport{}, custom{},
}

// All returns every built-in source's adapter, always in the same order.
// The slice is the caller's own.
func All() []Adapter { return slices.Clone(all) }

// ErrUnknownSource is wrapped by Lookup's error for a name that is no
// source.
var ErrUnknownSource = errors.New("unknown source")

// Lookup returns the adapter of the named source (signal.Bureau …). A
// name that is no source is an error with code ENOTFOUND wrapping
// ErrUnknownSource, naming the sources there are.
func Lookup(name string) (Adapter, error) {
	for _, a := range all {
		if a.Name() == name {
			return a, nil
		}
	}
	return nil, daihou.Errorf(daihou.ENOTFOUND, "%w %s: the sources are %s", ErrUnknownSource, quote(name), strings.Join(names(), ", "))
}

func names() []string {
	out := make([]string, len(all))
	for i, a := range all {
		out[i] = a.Name()
	}
	return out
}
