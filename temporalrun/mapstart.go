package temporalrun

import (
	"context"
	"encoding/json"
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

// StartMap checks the Map against the limits of one workflow run, then
// starts a workflow that runs the pipeline on every item and returns
// without waiting. It rejects, before starting anything, a concurrency
// below 1 ([pipeline.ErrInvalidConcurrency]) or above the cap
// ([ErrConcurrencyTooHigh]) and a Map whose projected history does not fit
// ([ErrMapTooLarge]; split the items into batches of at most
// [Pipeline.MaxMapItems]). An empty opts.TaskQueue means
// [DefaultTaskQueue].
func (p *Pipeline[In, Out, S]) StartMap(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions,
	items []In, mo MapOptions[S],
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
	if err := p.CheckMap(len(items), req.Concurrency); err != nil {
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
// concurrency items at once, and waits for the outputs, in input order.
// Like [pipeline.Pipeline.Map] it fails fast and reports failed items in a
// [*pipeline.MapError] of stage errors. Every item starts from
// its own copy of *state, which is never modified. Empty input returns an
// empty slice without starting a workflow. The limits are those of
// [Pipeline.StartMap], but a concurrency of 0 is rejected, as in-process.
func (p *Pipeline[In, Out, S]) Map(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions,
	items []In, concurrency int, state *S,
) ([]Out, error) {
	mo := MapOptions[S]{Concurrency: concurrency, State: state}
	results, err := p.waitMap(ctx, c, opts, items, mo)
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
	if err := p.CheckMap(len(items), mo.Concurrency); err != nil {
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
