package temporalrun

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"go.temporal.io/sdk/client"
)

// RunHandle is a pipeline workflow started by [Pipeline.Start]. It is safe
// for concurrent use; the zero value is not usable.
type RunHandle[Out, S any] struct {
	run   client.WorkflowRun
	state json.RawMessage // the run state the workflow started with
}

// ID returns the workflow ID.
func (h *RunHandle[Out, S]) ID() string { return h.run.GetID() }

// RunID returns the ID of the workflow run.
func (h *RunHandle[Out, S]) RunID() string { return h.run.GetRunID() }

// Get waits for the run to end and returns the pipeline output and the
// final run state. A failed stage comes back as a [*pipeline.StageError]
// (see [DecodeError]) together with the run state as of the failure. When
// the failure carries no run state, as for a terminated workflow, the state
// is the one the run started with. When ctx is done first, Get returns an
// error that matches ctx's error with [errors.Is], and the workflow keeps
// running.
func (h *RunHandle[Out, S]) Get(ctx context.Context) (Out, S, error) {
	var out Out
	var res runResult
	if err := h.run.Get(ctx, &res); err != nil {
		if ctxErr := ctxDoneError(ctx, "wait for workflow "+strconv.Quote(h.ID()), err); ctxErr != nil {
			return out, h.failureState(nil), ctxErr
		}
		return out, h.failureState(err), DecodeError(err, nil)
	}

	var state S
	if err := decodeJSON(res.State, &state); err != nil {
		return out, state, fmt.Errorf("temporalrun: decode run state: %w", err)
	}
	if err := decodeJSON(res.Output, &out); err != nil {
		return out, state, fmt.Errorf("temporalrun: decode output: %w", err)
	}
	return out, state, nil
}

// ctxDoneError returns an error matching ctx's error when op failed with
// err after ctx ended, and nil otherwise. The SDK reports a done ctx as a
// *serviceerror.DeadlineExceeded or *serviceerror.Canceled, which
// [errors.Is] does not match with the context errors. The returned error
// wraps err too.
func ctxDoneError(ctx context.Context, op string, err error) error {
	ctxErr := ctx.Err()
	if err == nil || ctxErr == nil {
		return nil
	}
	return fmt.Errorf("temporalrun: %s: %w (service error: %w)", op, ctxErr, err)
}

// failureState returns the run state that a failed run ended with.
func (h *RunHandle[Out, S]) failureState(err error) S {
	var state S
	data := h.state
	details, ok := decodeFailure(err)
	if ok && details.Stage != nil && len(details.Stage.State) > 0 {
		data = details.Stage.State
	}
	_ = decodeJSON(data, &state) // both were encoded from an S
	return state
}

// Start starts a workflow that runs the pipeline on input, with *state as
// the initial run state (the zero value of S when state is nil), and
// returns without waiting. An empty opts.TaskQueue means
// [DefaultTaskQueue]; an empty opts.ID lets the client choose one. The
// input and the state are sent as JSON, so they must be encodable.
func (p *Pipeline[In, Out, S]) Start(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions, input In, state *S,
) (*RunHandle[Out, S], error) {
	if c == nil {
		return nil, ErrNilClient
	}
	req, err := encodeRun(input, state)
	if err != nil {
		return nil, err
	}
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	run, err := c.ExecuteWorkflow(ctx, opts, p.WorkflowName(), req)
	if err != nil {
		return nil, fmt.Errorf("temporalrun: start workflow %q: %w", p.WorkflowName(), err)
	}
	return &RunHandle[Out, S]{run: run, state: req.State}, nil
}

// Run starts a workflow like [Pipeline.Start], waits for it like
// [RunHandle.Get] and writes the final run state into *state when state is
// not nil, on failure too. When ctx is done before the run ends, Run
// returns an error that matches ctx's error with [errors.Is], and the
// workflow keeps running: cancel it with the client to stop it.
func (p *Pipeline[In, Out, S]) Run(
	ctx context.Context, c client.Client, opts client.StartWorkflowOptions, input In, state *S,
) (Out, error) {
	h, err := p.Start(ctx, c, opts, input, state)
	if err != nil {
		var zero Out
		return zero, err
	}
	out, final, err := h.Get(ctx)
	if state != nil {
		*state = final
	}
	return out, err
}

func encodeRun[In, S any](input In, state *S) (runRequest, error) {
	if state == nil {
		state = new(S)
	}
	in, err := json.Marshal(input)
	if err != nil {
		return runRequest{}, fmt.Errorf("temporalrun: encode input: %w", err)
	}
	st, err := json.Marshal(state)
	if err != nil {
		return runRequest{}, fmt.Errorf("temporalrun: encode run state: %w", err)
	}
	return runRequest{Input: in, State: st}, nil
}
