// Command daihou is the post-loan management system: servicing ledger,
// close-of-business batch, scoring, warnings, collections and console in
// one binary. Run `daihou help` for the subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"daihou/cli"
)

func main() {
	// The batch paths (gen, import, close of business) allocate short-lived
	// rows by the million; the collector's default target made it run often
	// enough to cost a third of their throughput. Memory stays bounded by
	// the chunk sizes. GOGC set in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// DAIHOU_CPUPROFILE=FILE profiles any command, for finding where a
	// batch spends its time on a real book (go tool pprof FILE).
	if path := os.Getenv("DAIHOU_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "daihou:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	code := cli.New().Run(ctx, os.Args[1:])
	stop()
	if code != 0 {
		pprof.StopCPUProfile()
		os.Exit(code)
	}
}
