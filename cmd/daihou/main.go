// Command daihou is the post-loan management system: servicing ledger,
// close-of-business batch, scoring, warnings, collections and console in
// one binary. Run `daihou help` for the subcommands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"daihou/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.New().Run(ctx, os.Args[1:]))
}
