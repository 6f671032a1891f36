package main

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Names under which the hand-written workflow and its activities are
// registered, apart from the names that temporalrun gives the pipeline.
const (
	handWrittenWorkflowName = "handwritten-fileinfo"
	handWrittenActivityName = "handwritten-fileinfo."
)

// permanentErrorType is the application error type of a stage error that
// is not retried.
const permanentErrorType = "PermanentError"

// handWrittenRequest is the input of the hand-written workflow.
type handWrittenRequest struct {
	Paths       []string `json:"paths"`
	Concurrency int      `json:"concurrency"`
}

// itemResult is the outcome of one file in either workflow: the record, or
// the message of the error that failed it.
type itemResult struct {
	Record fileinfo.Record `json:"record"`
	Error  string          `json:"error,omitempty"`
}

// handWritten is the fileinfo Map written directly against the Temporal
// SDK: the baseline that the temporalrun Map workflow is measured against.
// Its activities call the fileinfo stage handlers through
// [pipeline.Pipeline.RunHandler], so only the orchestration differs.
type handWritten struct {
	pipeline *pipeline.Pipeline[string, fileinfo.Record, fileinfo.State]
	stages   []string
	options  []workflow.ActivityOptions // options[i] is for stages[i]
}

// newHandWritten prepares the hand-written workflow for p, with the
// activity options that temporalrun derives from each stage's options.
func newHandWritten(p *pipeline.Pipeline[string, fileinfo.Record, fileinfo.State]) *handWritten {
	h := &handWritten{pipeline: p}
	for _, st := range p.Stages() {
		h.stages = append(h.stages, st.Name())
		h.options = append(h.options, activityOptions(st.Options()))
	}
	return h
}

// activityOptions builds the start-to-close timeout and the retry policy
// that temporalrun.New gives a stage with these options and no
// temporalrun.StageOptions: the stage timeout plus
// [temporalrun.StartToCloseGrace], and 1+Retries attempts with the stage's
// delays. The benchmark checks the result against the activity options in
// the recorded histories of both workflows.
func activityOptions(so pipeline.StageOptions) workflow.ActivityOptions {
	startToClose := temporalrun.DefaultStartToClose
	if so.Timeout > 0 {
		startToClose = so.Timeout + temporalrun.StartToCloseGrace
	}
	coefficient := 1.0
	if so.Retry.Backoff == pipeline.BackoffExponential && so.Retry.Delay > 0 {
		coefficient = 2
	}
	initial := max(so.Retry.BaseDelay(1), temporalrun.MinRetryInterval)
	return workflow.ActivityOptions{
		StartToCloseTimeout: startToClose,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    initial,
			BackoffCoefficient: coefficient,
			MaximumInterval:    max(so.Retry.BaseDelay(max(so.Retry.Retries, 1)), initial),
			MaximumAttempts:    int32(so.Retry.Retries + 1),
		},
	}
}

// register registers the workflow and one activity per stage on r.
func (h *handWritten) register(r sdkworker.Registry) {
	r.RegisterWorkflowWithOptions(h.runWorkflow,
		workflow.RegisterOptions{Name: handWrittenWorkflowName})
	for _, stage := range h.stages {
		name := handWrittenActivityName + stage
		if stage == fileinfo.StageStat {
			r.RegisterActivityWithOptions(h.statActivity, activity.RegisterOptions{Name: name})
			continue
		}
		r.RegisterActivityWithOptions(h.recordActivity(stage),
			activity.RegisterOptions{Name: name})
	}
}

// runWorkflow runs every path through the stages in its own coroutine, at
// most req.Concurrency paths at once, and returns one result per path in
// input order. A failed path does not stop the others.
func (h *handWritten) runWorkflow(
	ctx workflow.Context, req handWrittenRequest,
) ([]itemResult, error) {
	results := make([]itemResult, len(req.Paths))
	sem := workflow.NewSemaphore(ctx, int64(req.Concurrency))
	wg := workflow.NewWaitGroup(ctx)
	for i, path := range req.Paths {
		if err := sem.Acquire(ctx, 1); err != nil {
			return nil, fmt.Errorf("acquire a slot for item %d: %w", i, err)
		}
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			results[i] = h.runItem(ctx, path)
		})
	}
	wg.Wait(ctx)
	return results, nil
}

// runItem runs the stages on one path, one activity per stage, each
// stage's record going into the next.
func (h *handWritten) runItem(ctx workflow.Context, path string) itemResult {
	var input any = path
	var rec fileinfo.Record
	for i, stage := range h.stages {
		actx := workflow.WithActivityOptions(ctx, h.options[i])
		err := workflow.ExecuteActivity(actx, handWrittenActivityName+stage, input).Get(actx, &rec)
		if err != nil {
			return itemResult{Error: fmt.Sprintf("stage %s: %v", stage, err)}
		}
		input = rec
	}
	return itemResult{Record: rec}
}

// statActivity is the activity of the stat stage, which takes a path.
func (h *handWritten) statActivity(ctx context.Context, path string) (fileinfo.Record, error) {
	return h.callStage(ctx, fileinfo.StageStat, path)
}

// recordActivity returns the activity of a stage that takes the record of
// the stage before it.
func (h *handWritten) recordActivity(
	stage string,
) func(context.Context, fileinfo.Record) (fileinfo.Record, error) {
	return func(ctx context.Context, rec fileinfo.Record) (fileinfo.Record, error) {
		return h.callStage(ctx, stage, rec)
	}
}

// callStage makes one attempt of a stage: one handler call, bounded by the
// stage timeout. An error marked with [pipeline.Permanent] is returned as a
// non-retryable application error, as temporalrun does, so that Temporal
// retries only the other errors.
func (h *handWritten) callStage(
	ctx context.Context, stage string, input any,
) (fileinfo.Record, error) {
	out, err := h.pipeline.RunHandler(ctx, stage, input, &fileinfo.State{})
	if errors.Is(err, pipeline.ErrPermanent) {
		return fileinfo.Record{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("stage %s: %v", stage, err), permanentErrorType, nil)
	}
	if err != nil {
		return fileinfo.Record{}, fmt.Errorf("stage %s: %w", stage, err)
	}
	rec, ok := out.(fileinfo.Record)
	if !ok {
		return fileinfo.Record{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("stage %s returned %T, expected fileinfo.Record", stage, out),
			permanentErrorType, nil)
	}
	return rec, nil
}
