package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// This file holds the typed Temporal side of an adapter: starting and
// attaching to workflows through package temporalrun.

func (a *adapter[In, Out, S]) definition() temporalrun.Definition { return a.remote }

// checkMap applies the limits that temporalrun's StartMap applies, so that
// they are reported before the server is dialed.
func (a *adapter[In, Out, S]) checkMap(items, concurrency int) error {
	if concurrency > a.maxConcurrency {
		return &temporalrun.LimitError{Value: concurrency, Max: a.maxConcurrency,
			Fix: "lower the concurrency", Err: temporalrun.ErrConcurrencyTooHigh}
	}
	if maxItems := a.remote.MaxMapItems(concurrency); items > maxItems {
		return fmt.Errorf("%w: %d items, at most %d at concurrency %d: "+
			"split the items into batches", temporalrun.ErrMapTooLarge, items, maxItems,
			concurrency)
	}
	return nil
}

func (a *adapter[In, Out, S]) start(
	ctx context.Context, c client.Client, items Items, opts JobOptions,
) (Job, error) {
	values := items.values.([]In)
	if !opts.Map {
		h, err := a.remote.Start(ctx, c, startOptions(opts), values[0], nil)
		if err != nil {
			return nil, err
		}
		return runJob(h, items.inputs), nil
	}
	h, err := a.remote.StartMap(ctx, c, startOptions(opts), values, temporalrun.MapOptions[S]{
		Concurrency: opts.Concurrency,
		Settled:     !opts.FailFast,
	})
	if err != nil {
		return nil, err
	}
	return mapJob(h, items.inputs, false), nil
}

func (a *adapter[In, Out, S]) attach(
	ctx context.Context, c client.Client, workflowID, runID string, isMap bool,
) (Job, error) {
	inputs, err := startInputs(ctx, c, workflowID, runID, isMap)
	if err != nil {
		return nil, err
	}
	if isMap {
		return mapJob(temporalrun.AttachMap(a.remote, c, workflowID, runID), inputs, true), nil
	}
	return attachedRunJob[Out](c.GetWorkflow(ctx, workflowID, runID), inputs), nil
}

// attachedRunJob returns the job of a pipeline workflow started earlier.
//
// NOTE: temporalrun has no handle for such a workflow, so this decodes its
// result by the JSON field name "output" and its failure with
// [temporalrun.DecodeError].
func attachedRunJob[Out any](run client.WorkflowRun, inputs []json.RawMessage) *remoteJob {
	return &remoteJob{id: run.GetID(), runID: run.GetRunID(), attached: true, total: 1,
		progress: func(context.Context) (Progress, error) { return Progress{Total: 1}, nil },
		wait: func(ctx context.Context) ([]Result, error) {
			var res struct {
				Output json.RawMessage `json:"output"`
			}
			var out Out
			err := run.Get(ctx, &res)
			if err == nil {
				err = decodeOutput(res.Output, &out)
			} else {
				err = temporalrun.DecodeError(err, nil)
			}
			return runResults(inputs, out, err)
		},
	}
}

func decodeOutput(data json.RawMessage, out any) error {
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode the workflow output: %w", err)
	}
	return nil
}

// runResults returns the result of a single run, or err when the run
// failed outside its stages.
func runResults(inputs []json.RawMessage, out any, err error) ([]Result, error) {
	var se *pipeline.StageError
	if err != nil && !errors.As(err, &se) {
		return nil, err
	}
	return []Result{newResult(0, inputAt(inputs, 0), out, err)}, nil
}

// startInputs reads the inputs that a workflow started with from the first
// event of its history.
//
// NOTE: this decodes temporalrun's workflow request by its JSON field names,
// "input" for a single run and "items" for a Map, because temporalrun does
// not export the request types.
func startInputs(
	ctx context.Context, c client.Client, workflowID, runID string, isMap bool,
) ([]json.RawMessage, error) {
	events := c.GetWorkflowHistory(ctx, workflowID, runID, false,
		enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !events.HasNext() {
		return nil, fmt.Errorf("read the history of workflow %s: no events", workflowID)
	}
	first, err := events.Next()
	if err != nil {
		return nil, fmt.Errorf("read the history of workflow %s: %w", workflowID, err)
	}
	var req struct {
		Input json.RawMessage   `json:"input"`
		Items []json.RawMessage `json:"items"`
	}
	payloads := first.GetWorkflowExecutionStartedEventAttributes().GetInput()
	if err := converter.GetDefaultDataConverter().FromPayloads(payloads, &req); err != nil {
		return nil, fmt.Errorf("decode the input of workflow %s: %w", workflowID, err)
	}
	if isMap {
		return req.Items, nil
	}
	return []json.RawMessage{req.Input}, nil
}
