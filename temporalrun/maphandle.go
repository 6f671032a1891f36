package temporalrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// MapOptions configures [Pipeline.StartMap]. The zero value runs a
// fail-fast Map at [DefaultMapConcurrency] from the zero run state.
type MapOptions[S any] struct {
	// Concurrency is how many items run at once. Zero means
	// [DefaultMapConcurrency], lowered to [Options.MaxConcurrency] when
	// that is smaller. Negative values and values above MaxConcurrency
	// are rejected.
	Concurrency int
	// Settled runs every item to the end and returns one result per item,
	// as [pipeline.Pipeline.MapSettled] does. By default the Map fails
	// fast, as [pipeline.Pipeline.Map] does.
	Settled bool
	// State is the run state that every item starts from, each on its own
	// copy. Default: the zero value of S. *State is never modified.
	State *S
}

// MapHandle is a Map workflow started by [Pipeline.StartMap] or found by
// [AttachMap]. It is safe for concurrent use; the zero value is not usable.
type MapHandle[Out, S any] struct {
	c   client.Client
	run client.WorkflowRun
}

// ID returns the workflow ID.
func (h *MapHandle[Out, S]) ID() string { return h.run.GetID() }

// RunID returns the ID of the workflow run.
func (h *MapHandle[Out, S]) RunID() string { return h.run.GetRunID() }

// Progress asks the workflow how far the Map has come, through the
// [ProgressQuery]. It works during the run and after it ends.
func (h *MapHandle[Out, S]) Progress(ctx context.Context) (Progress, error) {
	var progress Progress
	value, err := h.c.QueryWorkflow(ctx, h.ID(), h.RunID(), ProgressQuery)
	if err != nil {
		return progress, fmt.Errorf("temporalrun: query progress of %q: %w", h.ID(), err)
	}
	if err := value.Get(&progress); err != nil {
		return progress, fmt.Errorf("temporalrun: decode progress of %q: %w", h.ID(), err)
	}
	return progress, nil
}

// Get waits for the Map to end. A settled Map returns one result per item,
// in input order, each with its output and final run state or its error (a
// [*pipeline.StageError]); a cancelled settled Map too, with items not
// started holding an error that matches [context.Canceled]. A fail-fast Map
// returns the results of all items, or a [*pipeline.MapError] listing the
// items that failed on their own, as [pipeline.Pipeline.Map] does. Other
// errors are described on [DecodeError]. When ctx is done first, Get
// returns ctx's error and the workflow keeps running.
func (h *MapHandle[Out, S]) Get(ctx context.Context) ([]pipeline.ItemResult[Out, S], error) {
	var res mapResult
	if err := h.run.Get(ctx, &res); err != nil {
		details, ok := decodeFailure(err)
		if !ok || details.Map == nil || !details.Map.Settled {
			return nil, DecodeError(err, nil)
		}
		return itemResults[Out, S](details.Map, err), nil
	}
	return itemResults[Out, S](&res, nil), nil
}

// itemResults decodes the outcome of every item. cause, when set, is the
// SDK error that the outcomes were decoded from.
func itemResults[Out, S any](res *mapResult, cause error) []pipeline.ItemResult[Out, S] {
	results := make([]pipeline.ItemResult[Out, S], len(res.Items))
	for i, item := range res.Items {
		r := &results[i]
		if item.Failure != nil {
			r.Err = decodeState(item.Failure.stageError(cause), item.Failure.State, &r.State)
			continue
		}
		r.Err = errors.Join(decodeJSON(item.State, &r.State), decodeJSON(item.Output, &r.Value))
		if r.Err != nil {
			r.Err = fmt.Errorf("temporalrun: decode item %d: %w", i, r.Err)
		}
	}
	return results
}

// AttachMap returns a handle to a Map workflow of p started earlier, by its
// workflow ID and run ID (empty for the latest run).
func AttachMap[In, Out, S any](p *Pipeline[In, Out, S], c client.Client, workflowID, runID string) *MapHandle[Out, S] {
	return &MapHandle[Out, S]{c: c, run: c.GetWorkflow(context.Background(), workflowID, runID)}
}

// StartMap checks the Map against the limits of one workflow run, then
// starts a workflow that runs the pipeline on every item and returns
// without waiting. It rejects, before starting anything, a concurrency
// below 1 ([pipeline.ErrInvalidConcurrency]) or above the cap
// ([ErrConcurrencyTooHigh]) and a Map whose projected history does not fit
// ([ErrMapTooLarge]; split the items into batches of at most
// [Pipeline.MaxMapItems]). An empty opts.TaskQueue means
// [DefaultTaskQueue].
func (p *Pipeline[In, Out, S]) StartMap(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions, items []In, mo MapOptions[S],
) (*MapHandle[Out, S], error) {
	if c == nil {
		return nil, ErrNilClient
	}
	req, err := p.encodeMap(items, mo)
	if err != nil {
		return nil, err
	}
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	run, err := c.ExecuteWorkflow(ctx, opts, p.MapWorkflowName(), req)
	if err != nil {
		return nil, fmt.Errorf("temporalrun: start workflow %q: %w", p.MapWorkflowName(), err)
	}
	return &MapHandle[Out, S]{c: c, run: run}, nil
}

// encodeMap checks the Map and encodes its request.
func (p *Pipeline[In, Out, S]) encodeMap(items []In, mo MapOptions[S]) (mapRequest, error) {
	req := mapRequest{Concurrency: mo.Concurrency, Settled: mo.Settled,
		Items: make([]json.RawMessage, len(items))}
	if req.Concurrency == 0 {
		req.Concurrency = min(DefaultMapConcurrency, p.maxConcurrency)
	}
	if err := p.checkMap(len(items), req.Concurrency); err != nil {
		return mapRequest{}, err
	}
	for i, item := range items {
		data, err := json.Marshal(item)
		if err != nil {
			return mapRequest{}, fmt.Errorf("temporalrun: encode item %d: %w", i, err)
		}
		req.Items[i] = data
	}
	state, err := json.Marshal(mo.State)
	if mo.State == nil {
		state, err = json.Marshal(new(S))
	}
	if err != nil {
		return mapRequest{}, fmt.Errorf("temporalrun: encode run state: %w", err)
	}
	req.State = state
	return req, nil
}

// Map runs the pipeline on every item in a Map workflow, at most
// concurrency items at once, waits, and returns the outputs in input
// order, as [pipeline.Pipeline.Map] does: fail-fast, with a
// [*pipeline.MapError] of stage errors on failure. Every item starts from
// its own copy of *state, which is never modified. Empty input returns an
// empty slice without starting a workflow. The limits are those of
// [Pipeline.StartMap], but a concurrency of 0 is rejected, as in-process.
func (p *Pipeline[In, Out, S]) Map(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions,
	items []In, concurrency int, state *S,
) ([]Out, error) {
	results, err := p.waitMap(ctx, c, opts, items, MapOptions[S]{Concurrency: concurrency, State: state})
	if err != nil {
		return nil, err
	}
	outs := make([]Out, len(results))
	for i, r := range results {
		outs[i] = r.Value
	}
	return outs, nil
}

// MapSettled runs the pipeline on every item like [Pipeline.Map] but never
// stops early: it returns one result per item, as
// [pipeline.Pipeline.MapSettled] does. Its error is for invalid arguments,
// a workflow that could not start, and ctx ending before the Map.
func (p *Pipeline[In, Out, S]) MapSettled(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions,
	items []In, concurrency int, state *S,
) ([]pipeline.ItemResult[Out, S], error) {
	return p.waitMap(ctx, c, opts, items,
		MapOptions[S]{Concurrency: concurrency, Settled: true, State: state})
}

func (p *Pipeline[In, Out, S]) waitMap(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions,
	items []In, mo MapOptions[S],
) ([]pipeline.ItemResult[Out, S], error) {
	if err := p.checkMap(len(items), mo.Concurrency); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return []pipeline.ItemResult[Out, S]{}, nil
	}
	h, err := p.StartMap(ctx, c, opts, items, mo)
	if err != nil {
		return nil, err
	}
	return h.Get(ctx)
}
