package temporalrun

import (
	"encoding/json"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// This file is workflow code: it must stay deterministic, so it reads no
// clock, iterates over no map, starts no goroutine and does no I/O. Values
// and run states pass through it as JSON text and are never decoded here.

// Application error types of failed workflows, as the Temporal UI shows them.
const (
	stageErrorType   = "StageError"
	mapErrorType     = "MapError"
	invalidInputType = "InvalidRequest"
)

// runWorkflow is the workflow of a pipeline: the stages in order, each as
// an activity.
func (p *Pipeline[In, Out, S]) runWorkflow(
	ctx workflow.Context, req runRequest,
) (runResult, error) {
	res, failure := p.runStages(ctx, req)
	if failure != nil {
		msg := failure.stageError(nil).Error()
		return runResult{}, endWorkflow(ctx, msg, stageErrorType, workflowFailure{Stage: failure},
			failure.Error.permanent())
	}
	return res, nil
}

// runStages runs every stage as an activity, passing each output and the
// run state on to the next, and returns the last output and the run state
// or the failure of a stage.
func (p *Pipeline[In, Out, S]) runStages(
	ctx workflow.Context, req runRequest,
) (runResult, *stageFailure) {
	value, state := req.Input, req.State
	for i := range p.stages {
		st := &p.stages[i]
		actx := workflow.WithActivityOptions(ctx, st.options)
		var res runResult
		stageReq := runRequest{Input: value, State: state}
		err := workflow.ExecuteActivity(actx, st.activityName, stageReq).Get(actx, &res)
		if err != nil {
			return runResult{}, failureOf(st, err, state)
		}
		value, state = res.Output, res.State
	}
	return runResult{Output: value, State: state}, nil
}

// failureOf describes the failure of st's activity. A failed attempt
// reports its own details. Any other failure, such as a cancellation or a
// timeout enforced by the Temporal service, is described from the SDK
// error. It gets the state the stage started from, and Attempts 0 unless
// the service reports that all attempts were made.
func failureOf(st *stageSpec, err error, state json.RawMessage) *stageFailure {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.HasDetails() {
		var f stageFailure
		if app.Details(&f) == nil && f.Stage == st.name {
			return &f
		}
	}
	f := &stageFailure{Stage: st.name, Error: sdkRemoteError(err), State: state}
	var act *temporal.ActivityError
	if errors.As(err, &act) && act.RetryState() == enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		f.Attempts = st.maxAttempts
	}
	return f
}

// sdkRemoteError describes an error that the SDK made, such as a timeout or
// a cancellation, by the innermost cause of the activity error.
func sdkRemoteError(err error) RemoteError {
	cause := err
	var act *temporal.ActivityError
	if errors.As(err, &act) && act.Unwrap() != nil {
		cause = act.Unwrap()
	}

	// %T prints the SDK's internal package for these types, so they are
	// named by their exported aliases.
	r := RemoteError{Type: fmt.Sprintf("%T", cause), Message: cause.Error()}

	var timeoutErr *temporal.TimeoutError
	var canceledErr *temporal.CanceledError
	var panicErr *temporal.PanicError
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(cause, &timeoutErr):
		r.Type = "*temporal.TimeoutError"
		r.Matches = []string{"context.DeadlineExceeded", "pipeline.ErrTimeout"}
	case errors.As(cause, &canceledErr):
		r.Type = "*temporal.CanceledError"
		r.Matches = []string{"context.Canceled"}
	case errors.As(cause, &panicErr):
		r.Type = "*temporal.PanicError"
		r.Matches = []string{"pipeline.ErrPanic"}
		r.Stack = panicErr.StackTrace()
	case errors.As(cause, &appErr) && appErr.Type() == activityNotRegisteredType:
		r.Type = activityNotRegisteredType
		r.Message += ": a worker polling the activity's task queue does not register " +
			"this pipeline. Every worker polling a task queue must register the same " +
			"pipelines, so give each set of pipelines its own task queue"
	}
	return r
}

// activityNotRegisteredType is the application error type of the failure
// that an SDK worker reports for an activity type it does not register.
const activityNotRegisteredType = "ActivityNotRegisteredError"

// endWorkflow returns the error that ends a workflow with details: a
// cancellation when the workflow was cancelled, else a failure. The
// service accepts a cancellation only after a cancel request.
func endWorkflow(
	ctx workflow.Context, msg, errType string, details workflowFailure, nonRetryable bool,
) error {
	if ctx.Err() != nil {
		workflow.GetLogger(ctx).Debug("Workflow cancelled", "Error", msg)
		return temporal.NewCanceledErrorWithOptions(temporal.CanceledErrorOptions{
			Message: msg, Details: []any{details}})
	}
	workflow.GetLogger(ctx).Debug("Workflow failed", "Error", msg)
	return temporal.NewApplicationErrorWithOptions(msg, errType, temporal.ApplicationErrorOptions{
		NonRetryable: nonRetryable, Details: []any{details}})
}

// stageError rebuilds the error that Run returns for f. cause, when set, is
// the SDK error that the client decoded f from.
func (f *stageFailure) stageError(cause error) error {
	remote := f.Error
	remote.cause = cause
	if f.Stage == "" {
		return &remote // an item that never started: the cancellation itself
	}
	return &pipeline.StageError{Stage: f.Stage, Attempts: f.Attempts, Err: &remote}
}
