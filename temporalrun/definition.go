package temporalrun

import (
	"context"

	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
)

// Definition is the part of a pipeline that a Temporal worker needs: the
// names of its workflows and activities, their registration, and the
// activity interceptor that runs stage middleware. Only [*Pipeline] implements it;
// package worker takes Definitions so that pipelines of different types can
// share one worker.
type Definition interface {
	// Name returns the pipeline name.
	Name() string
	// WorkflowName returns the workflow type that runs the pipeline once:
	// the pipeline name.
	WorkflowName() string
	// MapWorkflowName returns the workflow type that runs the pipeline on
	// many items: "<pipeline>.map".
	MapWorkflowName() string
	// ActivityName returns the activity type of a stage:
	// "<pipeline>.<stage>".
	ActivityName(stage string) string
	// StageNames returns the stage names in the order the stages run.
	StageNames() []string

	// RegisterWorkflows registers both workflows under their names, on a
	// worker or on a workflow replayer.
	RegisterWorkflows(r sdkworker.WorkflowRegistry)
	// RegisterActivities registers one activity per stage under its name.
	RegisterActivities(r sdkworker.ActivityRegistry)

	// InterceptActivity runs one attempt of a stage activity, with the
	// stage's hooks and middleware around next, the rest of the activity
	// interceptor chain. The activity type in ctx must be one of
	// ActivityName's results.
	InterceptActivity(
		ctx context.Context,
		in *interceptor.ExecuteActivityInput,
		next interceptor.ActivityInboundInterceptor,
	) (any, error)

	definition() // only this package implements Definition
}
