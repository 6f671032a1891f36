package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/async-pipeline/async-pipeline-go/worker"
)

// envClient is a client.Client that runs each workflow to its end in a new
// test workflow environment of go.temporal.io/sdk/testsuite, with both
// workflows of a runner registered and the pipeline interceptor installed.
// It lets the benchmark's rounds run without a Temporal service. Only the
// methods that the benchmark calls are implemented.
//
// The environment records no history, so GetWorkflowHistory returns one
// ActivityTaskScheduled event per activity that the workflow started, with
// the activity options it passed. Event counts are therefore activity
// counts, not real history lengths.
type envClient struct {
	client.Client // nil: other methods panic

	t      *testing.T
	runner *runner
	// beforeRun, when set, is called before each workflow runs, with its
	// workflow type.
	beforeRun func(workflowType string)

	mu       sync.Mutex
	events   map[string][]*historypb.HistoryEvent // by workflow ID
	attempts map[string]int                       // by workflow ID
}

func newEnvClient(t *testing.T) *envClient {
	return &envClient{t: t, events: map[string][]*historypb.HistoryEvent{},
		attempts: map[string]int{}}
}

func (c *envClient) ExecuteWorkflow(
	_ context.Context, opts client.StartWorkflowOptions, workflowType any, args ...any,
) (client.WorkflowRun, error) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	recorder := &scheduleRecorder{record: func(activityType string, o workflow.ActivityOptions) {
		c.record(opts.ID, activityType, o)
	}}
	env.SetWorkerOptions(sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{
		recorder, worker.Interceptor(c.runner.ours)}})
	require.NoError(c.t, worker.Register(env, c.runner.ours))
	c.runner.handWritten.register(env)
	env.SetStartWorkflowOptions(opts)
	env.SetOnActivityStartedListener(
		func(*activity.Info, context.Context, converter.EncodedValues) {
			c.mu.Lock()
			c.attempts[opts.ID]++
			c.mu.Unlock()
		})

	name := workflowType.(string)
	if c.beforeRun != nil {
		c.beforeRun(name)
	}
	env.ExecuteWorkflow(name, args...)
	return &envRun{env: env, id: opts.ID}, nil
}

// record stores a scheduled event for an activity that workflow id starts
// with opts.
func (c *envClient) record(id, activityType string, opts workflow.ActivityOptions) {
	attrs := &historypb.ActivityTaskScheduledEventAttributes{
		ActivityType:           &commonpb.ActivityType{Name: activityType},
		ScheduleToCloseTimeout: durationpb.New(opts.ScheduleToCloseTimeout),
		ScheduleToStartTimeout: durationpb.New(opts.ScheduleToStartTimeout),
		StartToCloseTimeout:    durationpb.New(opts.StartToCloseTimeout),
		HeartbeatTimeout:       durationpb.New(opts.HeartbeatTimeout),
	}
	if p := opts.RetryPolicy; p != nil {
		attrs.RetryPolicy = &commonpb.RetryPolicy{
			InitialInterval:        durationpb.New(p.InitialInterval),
			BackoffCoefficient:     p.BackoffCoefficient,
			MaximumInterval:        durationpb.New(p.MaximumInterval),
			MaximumAttempts:        p.MaximumAttempts,
			NonRetryableErrorTypes: p.NonRetryableErrorTypes,
		}
	}
	event := &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
		Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{
			ActivityTaskScheduledEventAttributes: attrs},
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events[id] = append(c.events[id], event)
}

// attemptCount returns how many activity attempts workflow id started.
func (c *envClient) attemptCount(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts[id]
}

func (c *envClient) GetWorkflowHistory(
	_ context.Context, workflowID, _ string, _ bool, _ enumspb.HistoryEventFilterType,
) client.HistoryEventIterator {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &eventIterator{events: c.events[workflowID]}
}

// eventIterator is a client.HistoryEventIterator over a slice.
type eventIterator struct {
	events []*historypb.HistoryEvent
}

func (it *eventIterator) HasNext() bool { return len(it.events) > 0 }

func (it *eventIterator) Next() (*historypb.HistoryEvent, error) {
	if len(it.events) == 0 {
		return nil, fmt.Errorf("no more events")
	}
	event := it.events[0]
	it.events = it.events[1:]
	return event, nil
}

// envRun is a finished workflow of an envClient.
type envRun struct {
	env *testsuite.TestWorkflowEnvironment
	id  string
}

func (r *envRun) GetID() string                  { return r.id }
func (r *envRun) GetRunID() string               { return r.id + "-run" }
func (r *envRun) GetFirstExecutionRunID() string { return r.GetRunID() }

func (r *envRun) Get(_ context.Context, valuePtr any) error {
	if err := r.env.GetWorkflowError(); err != nil {
		return err
	}
	return r.env.GetWorkflowResult(valuePtr)
}

func (r *envRun) GetWithOptions(
	ctx context.Context, valuePtr any, _ client.WorkflowRunGetOptions,
) error {
	return r.Get(ctx, valuePtr)
}

// scheduleRecorder is a worker interceptor that passes the type and the
// options of every activity a workflow starts to record.
type scheduleRecorder struct {
	interceptor.WorkerInterceptorBase
	record func(activityType string, opts workflow.ActivityOptions)
}

func (r *scheduleRecorder) InterceptWorkflow(
	_ workflow.Context, next interceptor.WorkflowInboundInterceptor,
) interceptor.WorkflowInboundInterceptor {
	return &recorderInbound{
		WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next},
		record:                         r.record,
	}
}

type recorderInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	record func(activityType string, opts workflow.ActivityOptions)
}

func (i *recorderInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&recorderOutbound{
		WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{
			Next: outbound},
		record: i.record,
	})
}

type recorderOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	record func(activityType string, opts workflow.ActivityOptions)
}

func (o *recorderOutbound) ExecuteActivity(
	ctx workflow.Context, activityType string, args ...any,
) workflow.Future {
	o.record(activityType, workflow.GetActivityOptions(ctx))
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}
