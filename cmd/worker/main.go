// Command worker runs a Temporal worker that serves every built-in
// pipeline: both workflows of each pipeline (a single run and a Map) and
// one activity per stage, on one task queue.
//
// Usage:
//
//	worker [-task-queue NAME] [-log-format text|json] [-log-level LEVEL]
//
// The Temporal connection is configured like the Temporal CLI's:
// TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE,
// TEMPORAL_PROFILE and the temporal.toml config file. The worker logs to
// stderr through log/slog and stops cleanly on SIGINT or SIGTERM, letting
// running activities finish.
//
// The exit status is 0 after a clean stop, 1 when the worker fails, and 2
// for bad usage or an unreachable or misconfigured server.
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

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(report(os.Stderr, err))
}

// usageError is bad usage: exit status 2. printed is true when the flag
// package already printed the error and the usage.
type usageError struct {
	err     error
	printed bool
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// report prints err on one line of stderr unless it was already printed, and
// returns the exit status for it.
func report(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var usage *usageError
	if !errors.As(err, &usage) || !usage.printed {
		fmt.Fprintf(stderr, "worker: %v\n", err)
	}
	return exitStatus(err)
}

// exitStatus returns 2 for bad usage and an unreachable or misconfigured
// server, and 1 for every other error.
func exitStatus(err error) int {
	var usage *usageError
	switch {
	case errors.As(err, &usage), errors.Is(err, catalog.ErrConnect),
		errors.Is(err, catalog.ErrClientConfig):
		return 2
	}
	return 1
}
