package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// This file holds the typed Temporal side of an adapter: starting and
// attaching to workflows through package temporalrun.

func (a *adapter[In, Out, S]) definition() temporalrun.Definition { return a.remote }

// checkMap applies the limits of temporalrun's StartMap, so that they are
// reported before the server is dialed.
func (a *adapter[In, Out, S]) checkMap(items, concurrency int) error {
	return a.remote.CheckMap(items, concurrency)
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
		return runJob(h, items.inputs, false), nil
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

// attach returns a job for an existing workflow after checking that it
// started with the inputs of items. Both sides are compared as the JSON that
// json.Marshal makes of the typed values, so formatting differences in the
// user's JSON do not count.
func (a *adapter[In, Out, S]) attach(
	ctx context.Context, c client.Client, workflowID, runID string, items Items, isMap bool,
) (Job, error) {
	values, err := a.remote.StartedInputs(ctx, c, workflowID, runID)
	if err != nil {
		return nil, err
	}
	inputs, err := encodeInputs(values)
	if err != nil {
		return nil, err
	}
	if !slices.EqualFunc(inputs, items.inputs, sameJSON) {
		return nil, &ReusedIDError{WorkflowID: workflowID}
	}
	if isMap {
		return mapJob(temporalrun.AttachMap(a.remote, c, workflowID, runID), inputs, true), nil
	}
	return runJob(temporalrun.AttachRun(a.remote, c, workflowID, runID), inputs, true), nil
}

// encodeInputs returns the JSON of each input, to echo in the results.
func encodeInputs[In any](values []In) ([]json.RawMessage, error) {
	inputs := make([]json.RawMessage, len(values))
	for i, v := range values {
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode input %d: %w", i, err)
		}
		inputs[i] = data
	}
	return inputs, nil
}

func sameJSON(a, b json.RawMessage) bool { return bytes.Equal(a, b) }
