package cli

import (
	"bufio"
	"os"
	"sort"

	"daihou/imports"
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
