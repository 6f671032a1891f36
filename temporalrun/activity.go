package temporalrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// This file is the worker side of a stage: one activity execution makes one
// attempt. The before hook runs on the first attempt and the after hook on
// the attempt that ends the stage. Temporal's retry policy starts the
// attempts in between.

// activityFunc returns the activity of one stage. Under the interceptor of
// package worker it makes only the handler call, because the interceptor
// runs hooks and middleware around the rest of the chain.
func (p *Pipeline[In, Out, S]) activityFunc(
	st *stageSpec,
) func(context.Context, runRequest) (runResult, error) {
	return func(ctx context.Context, req runRequest) (runResult, error) {
		if call, ok := ctx.Value(handlerCallKey{}).(*handlerCall[S]); ok && call.stage == st.name {
			call.run(ctx, p.p.RunHandler)
			return runResult{}, call.err
		}
		return p.runAttempt(ctx, st, req, nil)
	}
}

// runAttempt makes one attempt of st: hooks, then the middleware around
// inner, or around the handler call when inner is nil.
func (p *Pipeline[In, Out, S]) runAttempt(
	ctx context.Context, st *stageSpec, req runRequest, inner pipeline.Handler[S],
) (runResult, error) {
	attempt := max(int(activity.GetInfo(ctx).Attempt), 1)
	input, stateJSON, state, err := p.decodeAttempt(ctx, st, req, attempt)
	if err != nil {
		return runResult{}, p.attemptError(ctx, st, attempt, err, stateJSON, false)
	}
	if attempt == 1 {
		p.p.RunBeforeHook(ctx, st.name, input, state)
	}

	stop := startHeartbeats(ctx, st.heartbeat, heartbeatDetails{State: stateJSON})
	defer stop() // also when a middleware panics
	out, output, err := p.callStage(ctx, st, input, state, attempt, inner)
	stop() // before confirmRetry records the new state as heartbeat details

	// Encode the run state before the after hook, so that the hook receives a
	// state that cannot be encoded as the stage's failure. The failure
	// then carries the state the attempt started from.
	newState, encErr := json.Marshal(state)
	if encErr != nil {
		out, err = nil, encodeFailure(st.name, attempt, "run state", encErr, err)
		newState = stateJSON
	}
	retry := err != nil && attempt < st.maxAttempts && st.retry.Retryable(ctx, attemptCause(err))
	if retry {
		retry, err = confirmRetry(ctx, err, newState)
	}
	if !retry {
		p.p.RunAfterHook(ctx, st.name, input, out, err, state)
	}
	if !retry && encErr == nil {
		newState = p.encodeHookState(ctx, st, state, newState)
	}
	if err != nil {
		return runResult{}, p.attemptError(ctx, st, attempt, err, newState, retry)
	}
	return runResult{Output: output, State: newState}, nil
}

// confirmRetry records newState as heartbeat details for the next attempt
// and returns whether to retry, with the attempt's error. An attempt learns
// of a cancellation of its workflow only from a heartbeat response. Unless
// the handler ran longer than the heartbeat interval, this heartbeat is the
// attempt's first, which the SDK sends at once, cancelling ctx on that
// response. A cancelled attempt is not retried and its error matches ctx's
// error, so that the after hook runs with the outcome of the stage.
func confirmRetry(ctx context.Context, err error, newState json.RawMessage) (bool, error) {
	activity.RecordHeartbeat(ctx, heartbeatDetails{State: newState})
	ctxErr := ctx.Err()
	if ctxErr == nil {
		return true, err
	}
	var se *pipeline.StageError
	if errors.As(err, &se) {
		wrapped := *se
		wrapped.Err = fmt.Errorf("%w: %w", ctxErr, se.Err)
		return false, &wrapped
	}
	return false, fmt.Errorf("%w: %w", ctxErr, err)
}

// encodeHookState returns the run state after the after hook, or before
// when the hook's writes made it impossible to encode. The stage outcome
// was already reported to the hook, so the hook's writes are dropped
// rather than failing the stage.
func (p *Pipeline[In, Out, S]) encodeHookState(
	ctx context.Context, st *stageSpec, state *S, before json.RawMessage,
) json.RawMessage {
	after, err := json.Marshal(state)
	if err != nil {
		activity.GetLogger(ctx).Error("After hook left a run state that cannot be encoded, "+
			"dropping its writes", "Stage", st.name, "Error", err)
		return before
	}
	return after
}

// encodeFailure returns the stage error of an attempt whose run state or
// output (what) could not be encoded. An error that the attempt returned
// already (prior, or nil) is kept in the message.
func encodeFailure(stage string, attempt int, what string, err, prior error) error {
	encErr := &EncodeError{Value: what, Err: err}
	if prior != nil {
		encErr.Err = fmt.Errorf("%w (the attempt failed too: %v)", err, attemptCause(prior))
	}
	return &pipeline.StageError{Stage: stage, Attempts: attempt, Err: pipeline.Permanent(encErr)}
}

// callStage runs the middleware and the handler call and encodes the output.
func (p *Pipeline[In, Out, S]) callStage(
	ctx context.Context, st *stageSpec, input any, state *S, attempt int, inner pipeline.Handler[S],
) (any, json.RawMessage, error) {
	var out any
	var err error
	if inner != nil {
		out, err = p.p.RunMiddleware(ctx, st.name, input, state, attempt, inner)
	} else {
		out, err = p.p.RunAttempt(ctx, st.name, input, state, attempt)
	}
	if err != nil {
		return nil, nil, err
	}
	output, err := json.Marshal(out)
	if err != nil {
		return nil, nil, encodeFailure(st.name, attempt, "output", err, nil)
	}
	return out, output, nil
}

// decodeAttempt decodes the stage input and the run state. A retry starts
// from the state that the failed attempt recorded in its last heartbeat, so
// that writes made by earlier attempts are kept, as they are in-process.
func (p *Pipeline[In, Out, S]) decodeAttempt(
	ctx context.Context, st *stageSpec, req runRequest, attempt int,
) (input any, stateJSON json.RawMessage, state *S, err error) {
	stateJSON = req.State
	if attempt > 1 && activity.HasHeartbeatDetails(ctx) {
		var hb heartbeatDetails
		if activity.GetHeartbeatDetails(ctx, &hb) == nil && len(hb.State) > 0 {
			stateJSON = hb.State
		}
	}
	state = new(S)
	if err := decodeJSON(stateJSON, state); err != nil {
		return nil, stateJSON, state, fmt.Errorf("%w: run state: %w", ErrInvalidRequest, err)
	}
	in := reflect.New(st.input)
	if err := decodeJSON(req.Input, in.Interface()); err != nil {
		return nil, stateJSON, state, fmt.Errorf("%w: input of stage %q: %w",
			ErrInvalidRequest, st.name, err)
	}
	return in.Elem().Interface(), stateJSON, state, nil
}

// decodeJSON decodes data into v, leaving v unchanged when data is empty.
func decodeJSON(data json.RawMessage, v any) error {
	if len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, v)
}

// attemptError turns a failed attempt into the application error that the
// activity returns. Its details carry the stage failure, the run state
// included. When the stage will be retried, the error's next retry delay is
// the delay that the in-process retry loop would wait, jitter included.
func (p *Pipeline[In, Out, S]) attemptError(
	ctx context.Context, st *stageSpec, attempt int, err error, state json.RawMessage, retry bool,
) error {
	var se *pipeline.StageError
	if !errors.As(err, &se) {
		se = &pipeline.StageError{Stage: st.name, Attempts: attempt, Err: err}
	}
	f := stageFailure{Stage: st.name, Attempts: attempt, Error: newRemoteError(se.Err),
		State: state}
	opts := temporal.ApplicationErrorOptions{NonRetryable: !retry, Details: []any{f}}
	if retry {
		opts.NextRetryDelay = clampInterval(st.retry.NextDelay(attempt))
		activity.GetLogger(ctx).Debug("Stage attempt failed, retrying",
			"Stage", st.name, "Attempt", attempt, "Delay", opts.NextRetryDelay, "Error", se.Err)
	}
	return temporal.NewApplicationErrorWithOptions(se.Error(), f.Error.Type, opts)
}

// attemptCause returns the error of the attempt inside a stage error.
func attemptCause(err error) error {
	var se *pipeline.StageError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// startHeartbeats heartbeats every interval until stop is first called, so
// that a cancellation reaches the activity and a heartbeat timeout does not
// expire while the handler runs. Each heartbeat carries the state the
// attempt started from.
func startHeartbeats(
	ctx context.Context, every time.Duration, details heartbeatDetails,
) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				activity.RecordHeartbeat(ctx, details)
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}
