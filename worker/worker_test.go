package worker_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// newDefinition returns a pipeline named name with stages "a" and "b" that
// add one each, and a middleware that doubles each stage's output.
func newDefinition(t *testing.T, name string) *temporalrun.Pipeline[int, int, struct{}] {
	t.Helper()
	add := func(_ context.Context, v int) (int, error) { return v + 1, nil }
	double := func(ctx context.Context, stage string, in any, s *struct{},
		next pipeline.Handler[struct{}]) (any, error) {
		out, err := next(ctx, in, s)
		if err != nil {
			return nil, err
		}
		return 2 * out.(int), nil
	}
	p, err := pipeline.New[int, int](name, pipeline.Options[struct{}]{
		Middleware: []pipeline.Middleware[struct{}]{double},
	}, pipeline.NewStage("a", add, pipeline.StageOptions{}),
		pipeline.NewStage("b", add, pipeline.StageOptions{}))
	require.NoError(t, err)
	tp, err := temporalrun.New(p, temporalrun.Options{})
	require.NoError(t, err)
	return tp
}

func quietSuite() *testsuite.WorkflowTestSuite {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	return &suite
}

func TestRegisterServesWorkflows(t *testing.T) {
	t.Parallel()
	orders, invoices := newDefinition(t, "orders"), newDefinition(t, "invoices")
	env := quietSuite().NewTestWorkflowEnvironment()
	env.SetWorkerOptions(sdkworker.Options{
		Interceptors: []interceptor.WorkerInterceptor{worker.Interceptor(orders, invoices)}})
	require.NoError(t, worker.Register(env, orders, invoices))

	env.ExecuteWorkflow(invoices.WorkflowName(), map[string]any{"input": 1})
	require.NoError(t, env.GetWorkflowError())
	var res struct{ Output int }
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, 10, res.Output, "(((1+1)*2)+1)*2")
}

func TestRegisterRejects(t *testing.T) {
	t.Parallel()
	orders := newDefinition(t, "orders")
	clash := newDefinition(t, "orders")
	// Pipeline "x" with stage "y.z" and pipeline "x.y" with stage "z" would
	// both register activity "x.y.z".
	dotted := func(name, stage string) temporalrun.Definition {
		p, err := pipeline.New[int, int](name, pipeline.Options[struct{}]{},
			pipeline.NewStage(stage, func(_ context.Context, v int) (int, error) { return v, nil },
				pipeline.StageOptions{}))
		require.NoError(t, err)
		tp, err := temporalrun.New(p, temporalrun.Options{})
		require.NoError(t, err)
		return tp
	}
	tests := []struct {
		name    string
		defs    []temporalrun.Definition
		wantErr error
	}{
		{name: "no definitions", defs: nil, wantErr: worker.ErrNoPipelines},
		{name: "nil definition", defs: []temporalrun.Definition{orders, nil},
			wantErr: worker.ErrNilDefinition},
		{name: "nil pipeline pointer",
			defs:    []temporalrun.Definition{orders, (*temporalrun.Pipeline[int, int, struct{}])(nil)},
			wantErr: worker.ErrNilDefinition},
		{name: "same pipeline name", defs: []temporalrun.Definition{orders, clash},
			wantErr: worker.ErrDuplicateName},
		{name: "same activity type", defs: []temporalrun.Definition{dotted("x", "y.z"),
			dotted("x.y", "z")}, wantErr: worker.ErrDuplicateName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := quietSuite().NewTestWorkflowEnvironment()
			require.ErrorIs(t, worker.Register(env, tt.defs...), tt.wantErr)
			require.ErrorIs(t, worker.RegisterWorkflows(sdkworker.NewWorkflowReplayer(),
				tt.defs...), tt.wantErr)
		})
	}
}

func TestRegisterWorkflowsOnReplayer(t *testing.T) {
	t.Parallel()
	require.NoError(t, worker.RegisterWorkflows(sdkworker.NewWorkflowReplayer(),
		newDefinition(t, "orders"), newDefinition(t, "invoices")))
}

func TestInterceptorRunsMiddleware(t *testing.T) {
	t.Parallel()
	orders := newDefinition(t, "orders")
	tests := []struct {
		name         string
		interceptors []interceptor.WorkerInterceptor
		activity     string
		want         int
	}{
		{name: "stage activity under the interceptor", activity: orders.ActivityName("a"),
			interceptors: []interceptor.WorkerInterceptor{worker.Interceptor(orders)}, want: 4},
		{name: "stage activity without the interceptor", activity: orders.ActivityName("a"),
			want: 4},
		{name: "other activity passes through", activity: "other",
			interceptors: []interceptor.WorkerInterceptor{worker.Interceptor(orders)}, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := quietSuite().NewTestActivityEnvironment()
			env.SetWorkerOptions(sdkworker.Options{Interceptors: tt.interceptors})
			orders.RegisterActivities(env)
			env.RegisterActivityWithOptions(func(_ context.Context, req struct{ Input int }) (
				struct{ Output int }, error) {
				return struct{ Output int }{req.Input}, nil
			}, activity.RegisterOptions{Name: "other"})

			value, err := env.ExecuteActivity(tt.activity, map[string]any{"input": 1})
			require.NoError(t, err)
			var res struct{ Output int }
			require.NoError(t, value.Get(&res))
			require.Equal(t, tt.want, res.Output)
		})
	}
}

func TestNewRejectsNilClient(t *testing.T) {
	t.Parallel()
	_, err := worker.New(nil, "", sdkworker.Options{}, newDefinition(t, "orders"))
	require.ErrorIs(t, err, worker.ErrNilClient)
}

func TestNewRejectsDuplicates(t *testing.T) {
	t.Parallel()
	c, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:7333"})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	_, err = worker.New(c, "", sdkworker.Options{}, newDefinition(t, "orders"),
		newDefinition(t, "orders"))
	require.ErrorIs(t, err, worker.ErrDuplicateName)
}

func TestNewRejectsNoPipelines(t *testing.T) {
	t.Parallel()
	c, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:7333"})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	_, err = worker.New(c, "", sdkworker.Options{})
	require.ErrorIs(t, err, worker.ErrNoPipelines)
}
