package temporalrun

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

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

// Progress queries the workflow with [ProgressQuery] for how far the Map
// has come. It works during the run and after it ends. When ctx is done
// first, Progress returns an error matching ctx's error.
func (h *MapHandle[Out, S]) Progress(ctx context.Context) (Progress, error) {
	var progress Progress
	value, err := h.c.QueryWorkflow(ctx, h.ID(), h.RunID(), ProgressQuery)
	if err != nil {
		op := "query progress of " + strconv.Quote(h.ID())
		if ctxErr := ctxDoneError(ctx, op, err); ctxErr != nil {
			return progress, ctxErr
		}
		return progress, fmt.Errorf("temporalrun: %s: %w", op, err)
	}
	if err := value.Get(&progress); err != nil {
		return progress, fmt.Errorf("temporalrun: decode progress of %q: %w", h.ID(), err)
	}
	return progress, nil
}

// Get waits for the Map to end and returns its results in input order.
//
// A settled Map returns one result per item, with its output and final run
// state or its error, a [*pipeline.StageError]. A cancelled settled Map
// returns results too, and the items it never started have an error that
// matches [context.Canceled]. A fail-fast Map returns the results of all
// items, or a [*pipeline.MapError] listing the items that failed on their
// own, as [pipeline.Pipeline.Map] does. [DecodeError] describes the other
// errors. When ctx is done first, Get returns an error that matches ctx's
// error with [errors.Is], and the workflow keeps running.
func (h *MapHandle[Out, S]) Get(ctx context.Context) ([]pipeline.ItemResult[Out, S], error) {
	var res mapResult
	if err := h.run.Get(ctx, &res); err != nil {
		op := "wait for workflow " + strconv.Quote(h.ID())
		if ctxErr := ctxDoneError(ctx, op, err); ctxErr != nil {
			return nil, ctxErr
		}
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
// workflow ID and run ID (empty for the latest run). c must not be nil.
func AttachMap[In, Out, S any](
	p *Pipeline[In, Out, S], c client.Client, workflowID, runID string,
) *MapHandle[Out, S] {
	return &MapHandle[Out, S]{c: c, run: c.GetWorkflow(context.Background(), workflowID, runID)}
}
