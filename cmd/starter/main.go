// Command starter runs a built-in pipeline on one input or on many, as a
// durable Temporal workflow or, with -local, in this process.
//
// Usage:
//
//	starter run [flags] [JSON]
//	starter map [flags] -items FILE | -dir DIR
//	starter list
//
// Results are written as JSON Lines, one object per item in input order:
// {"index":0,"input":...,"output":...} for an item that succeeded and
// {"index":0,"input":...,"error":{"stage":...,"attempts":...,"type":...,
// "message":...}} for one that failed. For a pipeline with a run state, such
// as wordfreq, each object also has "state" with the item's final run
// state, except a failed item of a fail-fast Map. Progress and a summary go
// to stderr.
//
// The Temporal connection is configured like the Temporal CLI's:
// TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE,
// TEMPORAL_PROFILE and the temporal.toml config file.
//
// The exit status is 0 on success, 1 when the run or an item failed, and 2
// for bad usage, bad input or an unreachable server. Bad input is rejected
// before the server is dialed, so it never starts a workflow.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(report(os.Stderr, err))
}

const usage = `Usage:
  starter run [flags] [JSON]     run a pipeline on one input: JSON, or stdin without it
  starter map [flags]            run a pipeline on many inputs: -items FILE or -dir DIR
  starter list                   list the built-in pipelines and their input types

Run "starter run -h" or "starter map -h" for the flags.

Temporal settings: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE,
TEMPORAL_PROFILE and the temporal.toml config file, as for the Temporal CLI.

Exit status: 0 success, 1 the run or an item failed, 2 bad usage, bad input or
no Temporal server.
`

// run runs the subcommand named by args[0].
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &usageError{err: errors.New("missing subcommand"), printed: true}
	}
	switch args[0] {
	case "run", "map":
		return runJob(ctx, args[0], args[1:], stdin, stdout, stderr)
	case "list":
		return listPipelines(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return &usageError{err: fmt.Errorf("unknown subcommand %q; want run, map or list", args[0])}
}

// usageError is bad usage: exit status 2. printed is true when the flag
// package already printed the error and the usage.
type usageError struct {
	err     error
	printed bool
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// report prints err on one line of stderr unless it was already printed, and
// returns the exit status for it.
func report(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := exitStatus(err)
	var usage *usageError
	if !errors.As(err, &usage) || !usage.printed {
		fmt.Fprintf(stderr, "starter: %v\n", err)
	}
	return code
}
