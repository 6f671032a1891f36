package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// config holds the command-line settings.
type config struct {
	taskQueue      string
	logFormat      string
	logLevel       slog.Level
	connectTimeout time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{}
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.taskQueue, "task-queue", temporalrun.DefaultTaskQueue,
		"Temporal task `queue` to poll")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log `format`: text or json")
	fs.TextVar(&cfg.logLevel, "log-level", slog.LevelInfo,
		"minimum log `level`: debug, info, warn or error")
	fs.DurationVar(&cfg.connectTimeout, "connect-timeout", catalog.DefaultConnectTimeout,
		"maximum `duration` to wait for the Temporal server to respond")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: worker [flags]\n\n"+
			"Runs a Temporal worker for every built-in pipeline until SIGINT or SIGTERM.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, &usageError{err: err, printed: true}
	}
	return cfg, cfg.check(fs.Args())
}

func (cfg config) check(args []string) error {
	switch {
	case len(args) > 0:
		return &usageError{err: fmt.Errorf("unexpected argument %q", args[0])}
	case cfg.logFormat != "text" && cfg.logFormat != "json":
		return &usageError{err: fmt.Errorf("-log-format must be text or json, got %q",
			cfg.logFormat)}
	case cfg.taskQueue == "":
		return &usageError{err: fmt.Errorf("-task-queue must not be empty")}
	case cfg.connectTimeout <= 0:
		return &usageError{err: fmt.Errorf("-connect-timeout must be positive, got %v",
			cfg.connectTimeout)}
	}
	return nil
}

func (cfg config) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// run connects to Temporal, registers every built-in pipeline on the task
// queue and serves it until ctx is done or the worker fails.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := cfg.logger(stderr)
	cat, err := catalog.Builtin()
	if err != nil {
		return fmt.Errorf("load the built-in pipelines: %w", err)
	}
	opts, err := catalog.ClientOptions(logger)
	if err != nil {
		return err
	}
	c, err := catalog.Connect(ctx, opts, cfg.connectTimeout)
	if err != nil {
		return err
	}
	defer c.Close()

	fatal := make(chan error, 1)
	w, err := worker.New(c, cfg.taskQueue, sdkworker.Options{
		OnFatalError: func(err error) { fatal <- err },
	}, cat.Definitions()...)
	if err != nil {
		return fmt.Errorf("create the worker: %w", err)
	}
	attrs := []any{slog.String("task_queue", cfg.taskQueue),
		slog.String("namespace", opts.Namespace), slog.String("address", opts.HostPort),
		slog.Any("pipelines", cat.Names())}
	return serve(ctx, w, fatal, logger.With(attrs...))
}

// serve starts w and stops it when ctx is done or the worker reports a
// fatal error.
func serve(ctx context.Context, w sdkworker.Worker, fatal <-chan error, logger *slog.Logger) error {
	if err := w.Start(); err != nil {
		return fmt.Errorf("start the worker: %w", err)
	}
	logger.Info("worker started")

	var err error
	select {
	case <-ctx.Done():
		logger.Info("worker stopping", slog.String("reason", context.Cause(ctx).Error()))
	case err = <-fatal:
		logger.Error("worker failed", slog.Any("error", err))
		err = fmt.Errorf("worker failed: %w", err)
	}
	w.Stop()
	logger.Info("worker stopped")
	return err
}
