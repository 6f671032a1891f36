package catalog

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Start starts items as a Temporal workflow through c: a pipeline workflow
// for a single run, a Map workflow for a Map. Settings and limits are
// checked first, as [Entry.CheckStart] does, so nothing starts on bad
// input.
//
// With opts.WorkflowID set, a workflow that already has that ID, running
// or closed, is attached to instead of started again. A workflow of
// another pipeline or kind under that ID is an error matching
// [ErrWorkflowMismatch], and one started with other inputs, compared as
// canonical JSON, is a [*ReusedIDError] matching [ErrInputMismatch].
//
// A namespace that the server does not have is a [*NamespaceError]
// matching [ErrClientConfig].
func (e *Entry) Start(ctx context.Context, c client.Client, items Items, opts JobOptions) (Job, error) {
	if err := e.CheckStart(items, opts); err != nil {
		return nil, err
	}
	job, err := e.start(ctx, c, items, opts)
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		return nil, &NamespaceError{Namespace: notFound.Namespace, Err: err}
	}
	return job, err
}

// start starts or attaches to the workflow of items, as [Entry.Start]
// describes, after the checks.
func (e *Entry) start(ctx context.Context, c client.Client, items Items, opts JobOptions) (Job, error) {
	if opts.WorkflowID == "" {
		opts.WorkflowID = newWorkflowID(e.name, opts.Map)
		return e.impl.start(ctx, c, items, opts)
	}
	if job, err := e.attach(ctx, c, items, opts); job != nil || err != nil {
		return job, err
	}
	job, err := e.impl.start(ctx, c, items, opts)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return e.attach(ctx, c, items, opts) // started by someone else since the check
	}
	return job, err
}

// CheckStart reports whether [Entry.Start] accepts items and opts, without
// dialing the server: what [Entry.Check] checks, and that a Map fits the
// limits of one Temporal workflow run. A Map over the limits is an error
// matching [temporalrun.ErrConcurrencyTooHigh] or [temporalrun.ErrMapTooLarge].
func (e *Entry) CheckStart(items Items, opts JobOptions) error {
	if err := e.Check(items, opts); err != nil {
		return err
	}
	if !opts.Map {
		return nil
	}
	return e.impl.checkMap(items.Len(), opts.Concurrency)
}

// Definition returns the pipeline as a Temporal worker registers it.
func (e *Entry) Definition() temporalrun.Definition { return e.impl.definition() }

// attach returns a job for the workflow opts.WorkflowID, or a nil job
// when no workflow has that ID.
func (e *Entry) attach(
	ctx context.Context, c client.Client, items Items, opts JobOptions,
) (Job, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, opts.WorkflowID, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe workflow %s: %w", opts.WorkflowID, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	want := e.impl.definition().WorkflowName()
	if opts.Map {
		want = e.impl.definition().MapWorkflowName()
	}
	if got := info.GetType().GetName(); got != want {
		return nil, fmt.Errorf("%w: workflow %s is of type %q, not %q; choose another ID",
			ErrWorkflowMismatch, opts.WorkflowID, got, want)
	}
	return e.impl.attach(ctx, c, opts.WorkflowID, info.GetExecution().GetRunId(), items,
		opts.Map)
}

// startOptions returns the options of a new workflow. A workflow ID chosen
// by the caller must not be reused, even after its workflow closed, so that
// a repeated start reports the first workflow instead of running again.
func startOptions(opts JobOptions) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                                       opts.WorkflowID,
		TaskQueue:                                opts.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
}

// newWorkflowID returns "<pipeline>-run-<random>" or "<pipeline>-map-<random>".
func newWorkflowID(pipelineName string, isMap bool) string {
	kind := "run"
	if isMap {
		kind = "map"
	}
	return pipelineName + "-" + kind + "-" + strings.ToLower(rand.Text())
}
