package temporalrun_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// envClient is a client.Client whose ExecuteWorkflow runs the workflow to
// its end in a new test workflow environment, with the activities of defs
// registered through worker.Register and the interceptors installed
// through SetWorkerOptions. It lets tests go through the client API of
// package temporalrun without a Temporal service. Only the methods that
// package uses are implemented.
type envClient struct {
	client.Client // nil: other methods panic

	t            *testing.T
	defs         []temporalrun.Definition
	interceptors []interceptor.WorkerInterceptor
	setup        func(env *testsuite.TestWorkflowEnvironment) // called before each run

	mu     sync.Mutex
	runs   map[string]*envRun
	last   *testsuite.TestWorkflowEnvironment
	starts int
}

// newEnvClient returns an envClient for defs with the pipeline interceptor
// installed.
func newEnvClient(t *testing.T, defs ...temporalrun.Definition) *envClient {
	return &envClient{t: t, defs: defs, runs: map[string]*envRun{},
		interceptors: []interceptor.WorkerInterceptor{worker.Interceptor(defs...)}}
}

// newTestEnv returns a test workflow environment with defs registered and
// interceptors installed, logging nothing.
func newTestEnv(
	t *testing.T, interceptors []interceptor.WorkerInterceptor, defs ...temporalrun.Definition,
) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(sdkworker.Options{Interceptors: interceptors})
	require.NoError(t, worker.Register(env, defs...))
	return env
}

func (c *envClient) ExecuteWorkflow(
	_ context.Context, opts client.StartWorkflowOptions, workflow any, args ...any,
) (client.WorkflowRun, error) {
	env := newTestEnv(c.t, c.interceptors, c.defs...)
	c.mu.Lock()
	c.starts++
	if opts.ID == "" {
		opts.ID = fmt.Sprintf("workflow-%d", c.starts)
	}
	c.mu.Unlock()
	env.SetStartWorkflowOptions(opts)
	if c.setup != nil {
		c.setup(env)
	}

	env.ExecuteWorkflow(workflow.(string), args...)
	run := &envRun{env: env, id: opts.ID, taskQueue: opts.TaskQueue}
	c.mu.Lock()
	c.runs[opts.ID] = run
	c.last = env
	c.mu.Unlock()
	return run, nil
}

func (c *envClient) GetWorkflow(_ context.Context, workflowID, _ string) client.WorkflowRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	if run := c.runs[workflowID]; run != nil {
		return run
	}
	return nil
}

func (c *envClient) QueryWorkflow(
	_ context.Context, workflowID, _ string, queryType string, args ...any,
) (converter.EncodedValue, error) {
	c.mu.Lock()
	run := c.runs[workflowID]
	c.mu.Unlock()
	if run == nil {
		return nil, fmt.Errorf("workflow %q not found", workflowID)
	}
	return run.env.QueryWorkflow(queryType, args...)
}

// startCount returns how many workflows were started.
func (c *envClient) startCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.starts
}

// envRun is a finished workflow of an envClient.
type envRun struct {
	env       *testsuite.TestWorkflowEnvironment
	id        string
	taskQueue string
}

func (r *envRun) GetID() string    { return r.id }
func (r *envRun) GetRunID() string { return r.id + "-run" }

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
