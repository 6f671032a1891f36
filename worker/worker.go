package worker

import (
	"errors"
	"fmt"
	"reflect"
	"slices"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Sentinel errors of this package. Match them with [errors.Is].
var (
	// ErrNilClient means New was given a nil client.
	ErrNilClient = errors.New("worker: client must not be nil")
	// ErrNilDefinition means a nil pipeline definition was passed.
	ErrNilDefinition = errors.New("worker: pipeline definition must not be nil")
	// ErrDuplicateName means two pipelines would register the same
	// workflow or activity type on one worker.
	ErrDuplicateName = errors.New("worker: duplicate workflow or activity type")
	// ErrNoPipelines means no pipeline definition was passed, so the
	// worker would serve nothing.
	ErrNoPipelines = errors.New("worker: no pipeline definitions to register")
)

// New returns a Temporal worker for taskQueue ([temporalrun.DefaultTaskQueue]
// when empty) that serves the workflows and activities of defs. It rejects
// what [Register] rejects. Unless opts.Interceptors already contains an
// interceptor made by [Interceptor], New appends Interceptor(defs...), so
// that it runs inside the interceptors already listed. The caller starts
// and stops the worker.
//
// Every worker that polls a task queue must register the same pipelines.
// The Temporal service dispatches each workflow and activity task to any
// poller of the queue, so a worker that lacks a pipeline fails its tasks:
// an activity fails with "unable to find activityType", which is retried
// only while the stage has retries left. Give each deployment of a set of
// pipelines its own task queue rather than sharing
// [temporalrun.DefaultTaskQueue] with other workers.
func New(
	c client.Client, taskQueue string, opts sdkworker.Options, defs ...temporalrun.Definition,
) (sdkworker.Worker, error) {
	if c == nil {
		return nil, ErrNilClient
	}
	if err := checkDefinitions(defs); err != nil {
		return nil, err
	}
	if taskQueue == "" {
		taskQueue = temporalrun.DefaultTaskQueue
	}
	w := sdkworker.New(c, taskQueue, withInterceptor(opts, defs))
	register(w, defs)
	return w, nil
}

// withInterceptor returns opts with Interceptor(defs...) appended to its
// interceptors, unless one made by Interceptor is there already.
func withInterceptor(opts sdkworker.Options, defs []temporalrun.Definition) sdkworker.Options {
	if !slices.ContainsFunc(opts.Interceptors, isPipelineInterceptor) {
		opts.Interceptors = append(slices.Clip(opts.Interceptors), Interceptor(defs...))
	}
	return opts
}

// Register registers the workflows and activities of defs on r: a worker,
// or a test workflow environment of go.temporal.io/sdk/testsuite. It rejects
// an empty defs ([ErrNoPipelines]), nil definitions and names that two
// definitions share. For stage
// middleware to run around the activity interceptors, also install
// [Interceptor] on the worker; without it, each activity runs the
// middleware itself.
func Register(r sdkworker.Registry, defs ...temporalrun.Definition) error {
	if err := checkDefinitions(defs); err != nil {
		return err
	}
	register(r, defs)
	return nil
}

// RegisterWorkflows registers only the workflows of defs, on a workflow
// replayer for example. It rejects what [Register] rejects.
func RegisterWorkflows(r sdkworker.WorkflowRegistry, defs ...temporalrun.Definition) error {
	if err := checkDefinitions(defs); err != nil {
		return err
	}
	for _, def := range defs {
		def.RegisterWorkflows(r)
	}
	return nil
}

func register(r sdkworker.Registry, defs []temporalrun.Definition) {
	for _, def := range defs {
		def.RegisterWorkflows(r)
		def.RegisterActivities(r)
	}
}

// checkDefinitions rejects an empty list, nil definitions and workflow or
// activity types that two definitions share, because the SDK panics on a second
// registration of a name.
func checkDefinitions(defs []temporalrun.Definition) error {
	if len(defs) == 0 {
		return ErrNoPipelines
	}
	workflows := map[string]bool{}
	activities := map[string]bool{}
	for i, def := range defs {
		if isNil(def) {
			return fmt.Errorf("%w: definition %d", ErrNilDefinition, i)
		}
		for _, name := range []string{def.WorkflowName(), def.MapWorkflowName()} {
			if workflows[name] {
				return fmt.Errorf("%w: workflow %q: rename one of the pipelines",
					ErrDuplicateName, name)
			}
			workflows[name] = true
		}
		for _, stage := range def.StageNames() {
			name := def.ActivityName(stage)
			if activities[name] {
				return fmt.Errorf("%w: activity %q: rename one of the pipelines or stages",
					ErrDuplicateName, name)
			}
			activities[name] = true
		}
	}
	return nil
}

// isNil reports whether def is nil or a nil pointer, such as the
// *temporalrun.Pipeline that a failed temporalrun.New returns.
func isNil(def temporalrun.Definition) bool {
	if def == nil {
		return true
	}
	v := reflect.ValueOf(def)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
