// Command bench measures what running the fileinfo pipeline through
// package temporalrun costs compared with a Temporal workflow written by
// hand for the same work.
//
// Usage:
//
//	bench [-dir DIR] [-concurrency N] [-rounds R] [-warmup W] [-run-timeout D]
//
// It lists every regular file under DIR (default: the crypto sources of the
// Go installation) and, against one Temporal server, runs two workflows on
// that list, back to back, R rounds each, after W unmeasured rounds:
//
//   - ours: the settled Map workflow of the fileinfo pipeline, started with
//     temporalrun's StartMap and served by a worker from worker.New;
//   - hand-written: a workflow that starts a coroutine per file with
//     workflow.Go, bounds them with workflow.NewSemaphore and runs one
//     activity per stage. Its activities call the fileinfo stage handlers
//     through pipeline.Pipeline.RunHandler and use the same timeouts and
//     retry policy, so only the orchestration differs.
//
// Each workflow has its own task queue and its own worker in this process.
// Every round checks that both return the same records and that the
// service recorded the same activity options for both. The table on stdout
// gives the median wall time, items per second, the ratio ours/hand-written
// and history events per item, counted from the histories of the finished
// runs.
//
// The Temporal connection is configured like the Temporal CLI's:
// TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE,
// TEMPORAL_PROFILE and the temporal.toml config file. Progress is logged to
// stderr.
//
// The exit status is 0 on success, 1 when a run fails or the two
// workflows return different records, and 2 for bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

// defaultAddress is the Temporal frontend used when neither
// TEMPORAL_ADDRESS nor a config profile names one.
const defaultAddress = "127.0.0.1:7233"

// dialTimeout bounds the wait for the Temporal server to respond.
const dialTimeout = 10 * time.Second

// Sentinel errors of the benchmark.
var (
	// errOutputsDiffer means the two workflows returned different records.
	errOutputsDiffer = errors.New("outputs differ")
	// errSettingsDiffer means the two workflows scheduled a stage's
	// activities with different timeouts or retry policies.
	errSettingsDiffer = errors.New("activity settings differ")
	// errNoFiles means the directory has no regular file to inventory.
	errNoFiles = errors.New("no regular files to inventory")
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(report(os.Stderr, err))
}

// run lists the files, connects to Temporal, starts both workers, runs the
// rounds and prints the table.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	paths, err := listFiles(ctx, &cfg)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	c, err := dial(ctx, stderr)
	if err != nil {
		return err
	}
	defer c.Close()

	tag := time.Now().Format("20060102T150405") + "-" + strconv.Itoa(os.Getpid())
	r, err := newRunner(c, paths, cfg, tag)
	if err != nil {
		return err
	}
	stopWorkers, err := r.startWorkers()
	if err != nil {
		return err
	}
	defer stopWorkers()

	logger.Info("benchmark started", "dir", cfg.dir, "items", len(paths),
		"concurrency", cfg.concurrency, "rounds", cfg.rounds, "warmup", cfg.warmup,
		"tag", tag)
	s, err := r.measure(ctx, cfg.warmup, cfg.rounds, logger)
	if err != nil {
		return err
	}
	return s.print(stdout)
}

// listFiles fills in the default directory and lists its regular files.
func listFiles(ctx context.Context, cfg *config) ([]string, error) {
	if cfg.dir == "" {
		dir, err := defaultDir(ctx)
		if err != nil {
			return nil, err
		}
		cfg.dir = dir
	}
	paths, err := fileinfo.ListFiles(cfg.dir)
	if err != nil {
		return nil, fmt.Errorf("list the files to inventory: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w under %s; pass a -dir that contains files",
			errNoFiles, cfg.dir)
	}
	return paths, nil
}

// dial connects to the Temporal server that the environment names and
// waits until it responds. The SDK's own logs of warning level and above go
// to stderr.
func dial(ctx context.Context, stderr io.Writer) (client.Client, error) {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return nil, fmt.Errorf("load the Temporal client settings: %w", err)
	}
	if opts.HostPort == "" {
		opts.HostPort = defaultAddress
	}
	opts.Logger = sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(stderr,
		&slog.HandlerOptions{Level: slog.LevelWarn})))

	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	c, err := client.DialContext(dctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (start a server with "+
			"scripts/temporal-server.sh start): %w", opts.HostPort, err)
	}
	return c, nil
}

// report prints err on one line of stderr unless the flag package already
// showed it, and returns the exit status for it.
func report(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var usage *usageError
	if !errors.As(err, &usage) || !usage.shown {
		fmt.Fprintf(stderr, "bench: %v\n", err)
	}
	if usage != nil {
		return 2
	}
	return 1
}
