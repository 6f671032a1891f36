package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// config holds the command-line settings.
type config struct {
	dir         string
	concurrency int
	rounds      int
	warmup      int
	runTimeout  time.Duration
}

const usageHeader = `Usage: bench [flags]

Runs the fileinfo pipeline over every regular file under -dir on Temporal,
alternately through the temporalrun Map workflow and through a hand-written
workflow that does the same work, checks that both return the same records
and prints the median wall time, items/s, the ratio of the two, and history
events per item. Workers for both run in this process.

Temporal settings: TEMPORAL_ADDRESS (default 127.0.0.1:7233),
TEMPORAL_NAMESPACE, TEMPORAL_PROFILE and the temporal.toml config file, as
for the Temporal CLI.

Exit status: 0 success, 1 failure or outputs that differ, 2 bad usage.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.dir, "dir", "",
		"`directory` whose regular files are inventoried (default $(go env GOROOT)/src/crypto)")
	fs.IntVar(&cfg.concurrency, "concurrency", 8, "`items` that each workflow runs at once")
	fs.IntVar(&cfg.rounds, "rounds", 3, "measured `runs` of each workflow")
	fs.IntVar(&cfg.warmup, "warmup", 1,
		"unmeasured `runs` of each workflow first, to fill the page cache and connections")
	fs.DurationVar(&cfg.runTimeout, "run-timeout", 30*time.Minute,
		"maximum `duration` of one workflow run (its execution timeout)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, &usageError{err: err, shown: true}
	}
	if fs.NArg() > 0 {
		return cfg, &usageError{err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return cfg, cfg.check()
}

func (cfg config) check() error {
	switch {
	case cfg.concurrency < 1 || cfg.concurrency > temporalrun.DefaultMaxConcurrency:
		return &usageError{err: fmt.Errorf("-concurrency must be between 1 and %d, got %d",
			temporalrun.DefaultMaxConcurrency, cfg.concurrency)}
	case cfg.rounds < 1:
		return &usageError{err: fmt.Errorf("-rounds must be at least 1, got %d", cfg.rounds)}
	case cfg.warmup < 0:
		return &usageError{err: fmt.Errorf("-warmup must not be negative, got %d", cfg.warmup)}
	case cfg.runTimeout <= 0:
		return &usageError{err: fmt.Errorf("-run-timeout must be positive, got %v",
			cfg.runTimeout)}
	}
	return nil
}

// defaultDir returns the crypto sources of the Go installation that the go
// command on PATH reports.
func defaultDir(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("run go env GOROOT for the default -dir: %w", err)
	}
	goroot := strings.TrimSpace(string(out))
	if goroot == "" {
		return "", errors.New("go env GOROOT printed nothing, so pass -dir")
	}
	return filepath.Join(goroot, "src", "crypto"), nil
}

// usageError is bad usage: exit status 2. shown is true when the flag
// package already printed the error and the usage.
type usageError struct {
	err   error
	shown bool
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }
