package catalog

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// remoteJob is a workflow on Temporal, seen through a temporalrun handle.
type remoteJob struct {
	id, runID string
	attached  bool
	total     int
	progress  func(ctx context.Context) (Progress, error)
	wait      func(ctx context.Context) ([]Result, error)
}

func (j *remoteJob) WorkflowID() string { return j.id }
func (j *remoteJob) RunID() string      { return j.runID }
func (j *remoteJob) Attached() bool     { return j.attached }
func (j *remoteJob) Total() int         { return j.total }

func (j *remoteJob) Progress(ctx context.Context) (Progress, error) { return j.progress(ctx) }

func (j *remoteJob) Wait(ctx context.Context) ([]Result, error) { return j.wait(ctx) }

func runJob[Out, S any](
	h *temporalrun.RunHandle[Out, S], inputs []json.RawMessage, attached bool,
) *remoteJob {
	return &remoteJob{id: h.ID(), runID: h.RunID(), attached: attached, total: 1,
		progress: func(context.Context) (Progress, error) { return Progress{Total: 1}, nil },
		wait: func(ctx context.Context) ([]Result, error) {
			out, state, err := h.Get(ctx)
			return runResults(inputs, out, state, err)
		},
	}
}

// runResults returns the result of a single run, or err when the run
// failed outside its stages.
func runResults[S any](inputs []json.RawMessage, out any, state S, err error) ([]Result, error) {
	var se *pipeline.StageError
	if err != nil && !errors.As(err, &se) {
		return nil, err
	}
	return []Result{withState(newResult(0, inputAt(inputs, 0), out, err), state)}, nil
}

func mapJob[Out, S any](
	h *temporalrun.MapHandle[Out, S], inputs []json.RawMessage, attached bool,
) *remoteJob {
	return &remoteJob{id: h.ID(), runID: h.RunID(), attached: attached, total: len(inputs),
		progress: func(ctx context.Context) (Progress, error) {
			p, err := h.Progress(ctx)
			return Progress{Total: p.Total, Done: p.Done, Failed: p.Failed}, err
		},
		wait: func(ctx context.Context) ([]Result, error) {
			items, err := h.Get(ctx)
			return mapResults(items, err, inputs)
		},
	}
}

// mapResults converts the outcome of a Map workflow: one result per item,
// or for a failed fail-fast Map one per item that failed on its own.
func mapResults[Out, S any](
	items []pipeline.ItemResult[Out, S], err error, inputs []json.RawMessage,
) ([]Result, error) {
	var failed *pipeline.MapError
	if errors.As(err, &failed) {
		results := make([]Result, len(failed.Items))
		for i, item := range failed.Items {
			results[i] = newResult(item.Index, inputAt(inputs, item.Index), nil, item.Err)
		}
		return results, nil
	}
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(items))
	for i, item := range items {
		results[i] = withState(newResult(i, inputAt(inputs, i), item.Value, item.Err), item.State)
	}
	return results, nil
}

// inputAt returns inputs[i], or nil, which encodes as null, when the
// workflow returned more items than it was given.
func inputAt(inputs []json.RawMessage, i int) json.RawMessage {
	if i < len(inputs) {
		return inputs[i]
	}
	return nil
}
