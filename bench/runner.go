package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// runner starts both workflows on the same paths through one client. Each
// workflow has its own task queue and its own worker in this process, and
// both workers use the zero sdkworker.Options.
type runner struct {
	client      client.Client
	ours        *temporalrun.Pipeline[string, fileinfo.Record, fileinfo.State]
	handWritten *handWritten
	paths       []string
	concurrency int
	runTimeout  time.Duration

	// tag makes the task queues and workflow IDs of one benchmark unique,
	// so that workflows left over from an interrupted one never reach
	// these workers.
	tag string
}

// runOutcome is one finished workflow run.
type runOutcome struct {
	workflowID string
	runID      string
	wall       time.Duration // from the start request until the result arrived
	results    []itemResult
}

// newRunner prepares both workflows. It rejects more paths than one Map
// workflow run can hold at this concurrency.
func newRunner(c client.Client, paths []string, cfg config, tag string) (*runner, error) {
	p, err := fileinfo.New()
	if err != nil {
		return nil, fmt.Errorf("build the fileinfo pipeline: %w", err)
	}
	ours, err := temporalrun.New(p, temporalrun.Options{})
	if err != nil {
		return nil, fmt.Errorf("prepare the fileinfo pipeline for Temporal: %w", err)
	}
	if limit := ours.MaxMapItems(cfg.concurrency); len(paths) > limit {
		return nil, fmt.Errorf("%d files is more than the %d that one Map workflow run "+
			"holds at concurrency %d; pass a smaller -dir", len(paths), limit, cfg.concurrency)
	}
	return &runner{client: c, ours: ours, handWritten: newHandWritten(p), paths: paths,
		concurrency: cfg.concurrency, runTimeout: cfg.runTimeout, tag: tag}, nil
}

func (r *runner) oursQueue() string        { return "bench-ours-" + r.tag }
func (r *runner) handWrittenQueue() string { return "bench-handwritten-" + r.tag }

// startWorkers starts one worker per workflow and returns a function that
// stops both.
func (r *runner) startWorkers() (stop func(), err error) {
	ours, err := worker.New(r.client, r.oursQueue(), sdkworker.Options{}, r.ours)
	if err != nil {
		return nil, fmt.Errorf("create the worker for ours: %w", err)
	}
	handWritten := sdkworker.New(r.client, r.handWrittenQueue(), sdkworker.Options{})
	r.handWritten.register(handWritten)

	if err := ours.Start(); err != nil {
		return nil, fmt.Errorf("start the worker for ours: %w", err)
	}
	if err := handWritten.Start(); err != nil {
		ours.Stop()
		return nil, fmt.Errorf("start the worker for the hand-written workflow: %w", err)
	}
	return func() {
		ours.Stop()
		handWritten.Stop()
	}, nil
}

func (r *runner) startOptions(id, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue,
		WorkflowExecutionTimeout: r.runTimeout}
}

// runOurs runs the temporalrun Map workflow in settled mode, where a failed
// item does not stop the others, as in the hand-written workflow.
func (r *runner) runOurs(ctx context.Context, id string) (runOutcome, error) {
	start := time.Now()
	h, err := r.ours.StartMap(ctx, r.client, r.startOptions(id, r.oursQueue()), r.paths,
		temporalrun.MapOptions[fileinfo.State]{Concurrency: r.concurrency, Settled: true})
	if err != nil {
		return runOutcome{}, fmt.Errorf("start workflow %s: %w", id, err)
	}
	items, err := h.Get(ctx)
	wall := time.Since(start)
	if err != nil {
		return runOutcome{}, fmt.Errorf("run workflow %s: %w", id, err)
	}

	results := make([]itemResult, len(items))
	for i, item := range items {
		results[i].Record = item.Value
		if item.Err != nil {
			results[i] = itemResult{Error: item.Err.Error()}
		}
	}
	return runOutcome{workflowID: h.ID(), runID: h.RunID(), wall: wall, results: results}, nil
}

// runHandWritten runs the hand-written workflow.
func (r *runner) runHandWritten(ctx context.Context, id string) (runOutcome, error) {
	start := time.Now()
	run, err := r.client.ExecuteWorkflow(ctx, r.startOptions(id, r.handWrittenQueue()),
		handWrittenWorkflowName, handWrittenRequest{Paths: r.paths, Concurrency: r.concurrency})
	if err != nil {
		return runOutcome{}, fmt.Errorf("start workflow %s: %w", id, err)
	}
	var results []itemResult
	err = run.Get(ctx, &results)
	wall := time.Since(start)
	if err != nil {
		return runOutcome{}, fmt.Errorf("run workflow %s: %w", id, err)
	}
	return runOutcome{workflowID: run.GetID(), runID: run.GetRunID(), wall: wall,
		results: results}, nil
}
