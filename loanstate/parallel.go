package loanstate

import (
	"runtime"
	"sync"
)

// parallel calls fn(i) for every i in [0, n) on all CPUs. Derivation is
// pure, so the only shared thing is the output, written at distinct
// indexes.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	if workers == 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
