package temporalrun

import (
	"go.temporal.io/sdk/activity"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Pipeline runs a [pipeline.Pipeline] as Temporal workflows: one workflow
// per run, one Map workflow per Map, one activity per stage. Build it with
// [New], register it on a worker with package worker, and start runs with
// [Pipeline.Start], [Pipeline.Run], [Pipeline.StartMap], [Pipeline.Map]
// or [Pipeline.MapSettled]. A Pipeline is immutable and safe for concurrent
// use; the zero value is not usable.
type Pipeline[In, Out, S any] struct {
	p              *pipeline.Pipeline[In, Out, S]
	stages         []stageSpec
	byActivity     map[string]int // activity name to index in stages
	maxConcurrency int
}

// New prepares p to run on Temporal with opts. It reports invalid options as
// a [*pipeline.ConfigError] naming the field. The checks reject:
//   - a negative timeout;
//   - a stage name in opts.Stages that p does not have
//     ([pipeline.ErrUnknownStage]);
//   - a StageOptions.StartToCloseTimeout at or below the stage's own Timeout
//     ([pipeline.ErrInvalidTimeout]);
//   - a MaxConcurrency that is negative or above [MaxConcurrencyLimit].
func New[In, Out, S any](
	p *pipeline.Pipeline[In, Out, S], opts Options,
) (*Pipeline[In, Out, S], error) {
	if p == nil {
		return nil, &pipeline.ConfigError{Field: "pipeline", Err: ErrNilPipeline}
	}
	if err := opts.validate(p); err != nil {
		return nil, err
	}
	stages := p.Stages()
	tp := &Pipeline[In, Out, S]{
		p:              p,
		stages:         make([]stageSpec, len(stages)),
		byActivity:     make(map[string]int, len(stages)),
		maxConcurrency: opts.MaxConcurrency,
	}
	if tp.maxConcurrency == 0 {
		tp.maxConcurrency = DefaultMaxConcurrency
	}
	for i, st := range stages {
		tp.stages[i] = newStageSpec(p.Name(), st, opts.Stages[st.Name()], opts)
		tp.byActivity[tp.stages[i].activityName] = i
	}
	return tp, nil
}

// Pipeline returns the in-process pipeline that p runs.
func (p *Pipeline[In, Out, S]) Pipeline() *pipeline.Pipeline[In, Out, S] { return p.p }

// Name returns the pipeline name.
func (p *Pipeline[In, Out, S]) Name() string { return p.p.Name() }

// WorkflowName returns the workflow type that runs the pipeline once: the
// pipeline name. Renaming the pipeline breaks workflows already running
// under the old name, because no worker serves it any more.
func (p *Pipeline[In, Out, S]) WorkflowName() string { return p.p.Name() }

// MapWorkflowName returns the workflow type of [Pipeline.StartMap]:
// "<pipeline>.map".
func (p *Pipeline[In, Out, S]) MapWorkflowName() string { return p.p.Name() + ".map" }

// ActivityName returns the activity type of a stage: "<pipeline>.<stage>".
// Renaming a stage breaks workflows already running, because their history
// names the old activity type.
func (p *Pipeline[In, Out, S]) ActivityName(stage string) string {
	return activityName(p.p.Name(), stage)
}

func activityName(pipelineName, stage string) string { return pipelineName + "." + stage }

// StageNames returns the stage names in the order the stages run.
func (p *Pipeline[In, Out, S]) StageNames() []string {
	names := make([]string, len(p.stages))
	for i := range p.stages {
		names[i] = p.stages[i].name
	}
	return names
}

// RegisterWorkflows registers the pipeline workflow and the Map workflow
// under their names, on a worker or a workflow replayer.
func (p *Pipeline[In, Out, S]) RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(p.runWorkflow,
		workflow.RegisterOptions{Name: p.WorkflowName()})
	r.RegisterWorkflowWithOptions(p.mapWorkflow,
		workflow.RegisterOptions{Name: p.MapWorkflowName()})
}

// RegisterActivities registers one activity per stage under its
// [Pipeline.ActivityName].
func (p *Pipeline[In, Out, S]) RegisterActivities(r sdkworker.ActivityRegistry) {
	for i := range p.stages {
		r.RegisterActivityWithOptions(p.activityFunc(&p.stages[i]),
			activity.RegisterOptions{Name: p.stages[i].activityName})
	}
}

func (p *Pipeline[In, Out, S]) definition() {}
