package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

// runJob runs the run or map subcommand: it checks every flag and input,
// then starts the job in-process or on Temporal and reports its results.
func runJob(
	ctx context.Context, subcommand string, args []string,
	stdin io.Reader, stdout, stderr io.Writer,
) error {
	f, err := parseJobFlags(subcommand, args, stderr)
	if err != nil {
		return err
	}
	entry, items, err := loadInputs(f, stdin)
	if err != nil {
		return err
	}
	out, err := openResults(f.out, stdout)
	if err != nil {
		return err
	}
	defer out.discard()

	started := time.Now()
	job, where, closeClient, err := startJob(ctx, f, entry, items, stderr)
	if err != nil {
		return err
	}
	defer closeClient()

	rep := &reporter{flags: f, entry: entry, job: job, where: where, started: started,
		stderr: stderr}
	if !f.wait && job.WorkflowID() == "" {
		fmt.Fprintf(stderr, "%s %s: 0 items, no workflow started\n", f.subcommand, entry.Name())
		return nil
	}
	if !f.wait {
		fmt.Fprintln(stdout, job.WorkflowID())
		rep.startedLine()
		return nil
	}
	return rep.finish(ctx, out)
}

// loadInputs looks up the pipeline and decodes the inputs.
func loadInputs(f *jobFlags, stdin io.Reader) (*catalog.Entry, catalog.Items, error) {
	cat, err := catalog.Builtin()
	if err != nil {
		return nil, catalog.Items{}, fmt.Errorf("load the built-in pipelines: %w", err)
	}
	entry, err := cat.Lookup(f.pipeline)
	if err != nil {
		return nil, catalog.Items{}, err
	}
	items, err := readItems(f, entry, stdin)
	if err != nil {
		return nil, catalog.Items{}, err
	}
	check := entry.CheckStart
	if f.local {
		check = entry.Check
	}
	if err := check(items, f.jobOptions()); err != nil {
		return nil, catalog.Items{}, &usageError{err: err}
	}
	return entry, items, nil
}

func (f *jobFlags) jobOptions() catalog.JobOptions {
	return catalog.JobOptions{
		Map:         f.subcommand == "map",
		Concurrency: f.concurrency,
		FailFast:    f.failFast,
		TaskQueue:   f.taskQueue,
		WorkflowID:  f.workflowID,
	}
}

// server describes the Temporal service of a job: its namespace and Web UI
// address, both empty for an in-process job.
type server struct {
	namespace string
	webUI     string
}

// startJob starts the job in-process, or dials Temporal and starts or
// attaches to its workflow. A Map of 0 items runs in-process even without
// -local, so it needs no server. The returned function closes the client.
func startJob(
	ctx context.Context, f *jobFlags, entry *catalog.Entry, items catalog.Items,
	stderr io.Writer,
) (catalog.Job, server, func(), error) {
	if f.local || items.Len() == 0 {
		// An empty Map finishes at once in-process, without a workflow.
		job, err := entry.RunLocal(ctx, items, f.jobOptions())
		return job, server{}, func() {}, err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts, err := catalog.ClientOptions(logger)
	if err != nil {
		return nil, server{}, nil, err
	}
	c, err := catalog.Connect(ctx, opts, f.connectTimeout)
	if err != nil {
		return nil, server{}, nil, err
	}
	job, err := entry.Start(ctx, c, items, f.jobOptions())
	if err != nil {
		c.Close()
		return nil, server{}, nil, err
	}
	return job, newServer(f, opts), c.Close, nil
}

func newServer(f *jobFlags, opts client.Options) server {
	webUI := f.webUI
	if webUI == "" {
		webUI = catalog.WebUIAddress(opts.HostPort)
	}
	return server{namespace: opts.Namespace, webUI: webUI}
}
