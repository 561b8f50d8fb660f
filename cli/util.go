package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"daihou/imports"
	"daihou/loanview"
	"daihou/store"
)

func sortRejects(r []imports.Reject) {
	sort.SliceStable(r, func(i, j int) bool { return r[i].Line < r[j].Line })
}

// readLines returns the text of the wanted 1-based physical lines of path.
func readLines(path string, want map[int]bool) (map[int]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := make(map[int]string, len(want))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		if want[n] {
			out[n] = sc.Text()
		}
	}
	return out, sc.Err()
}

// idArg reads the one id argument of a command on a thing with a numeric
// id (task, case, proposal, warning), pointing to the list that shows them.
func idArg(fs *flag.FlagSet, what, list string) (int64, error) {
	if fs.NArg() > 1 {
		// Most often a value given to a switch (--recording REC-1 on
		// 'task check', where --recording takes none) left over.
		fs.Usage()
		return 0, usagef("want one %s id, not %d arguments (%s): a switch such as --json takes no value", what, fs.NArg(), strings.Join(fs.Args(), " "))
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 0, usagef("want one %s id ('daihou %s' shows them)", what, list)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a %s id: 'daihou %s' shows them", fs.Arg(0), what, list)
	}
	return id, nil
}

// checkLimit checks a list's --limit.
func checkLimit(limit int) error {
	if limit < 1 || limit > 10000 {
		return usagef("--limit: want 1 to 10000")
	}
	return nil
}

// loanFilter is the id of the loan a list's --loan names (its id or the
// lender's loan number), 0 for no --loan.
func loanFilter(ctx context.Context, s *store.DB, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	l, err := loanview.Find(ctx, s, ref)
	if err != nil {
		return 0, err
	}
	return l.ID, nil
}

// listEnd ends a list: saying so when it is empty, and when it stopped at
// --limit, so that a cut list is not taken for the whole.
func (m *Main) listEnd(n, limit int, none string) {
	if n == 0 {
		fmt.Fprintln(m.Stdout, none)
	} else if n == limit {
		fmt.Fprintf(m.Stdout, "the first %d: narrow the list, or raise --limit\n", limit)
	}
}
