package temporalrun_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// events records what happened, in order, from any goroutine.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(event string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, event)
}

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// shiftMiddleware adds 10 to the input and 100 to the output, and records
// its calls.
func shiftMiddleware(ev *events) pipeline.Middleware[runState] {
	return func(ctx context.Context, stage string, input any, s *runState,
		next pipeline.Handler[runState]) (any, error) {
		ev.add("middleware in")
		out, err := next(ctx, input.(int)+10, s)
		ev.add("middleware out")
		if err != nil {
			return nil, err
		}
		return out.(int) + 100, nil
	}
}

func TestMiddlewareWrapsEachAttempt(t *testing.T) {
	t.Parallel()
	flaky := pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1}}
	var local events
	p := newPipeline(t, "middleware", pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{shiftMiddleware(&local)},
	}, flakyStage(&calls{}, "flaky", 1, flaky))
	want, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	require.Equal(t, 112, want, "in-process output")
	require.Len(t, local.all(), 2, "in-process: one middleware call around both attempts")

	tests := []struct {
		name      string
		intercept bool
	}{
		{name: "under the interceptor", intercept: true},
		{name: "without the interceptor", intercept: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var remote events
			tp := newTemporal(t, newPipeline(t, "middleware", pipeline.Options[runState]{
				Middleware: []pipeline.Middleware[runState]{shiftMiddleware(&remote)},
			}, flakyStage(&calls{}, "flaky", 1, flaky)), temporalrun.Options{})
			c := newEnvClient(t, tp)
			if !tt.intercept {
				c.interceptors = nil
			}
			got, err := tp.Run(t.Context(), c, client.StartWorkflowOptions{}, 1, nil)
			require.NoError(t, err)
			require.Equal(t, want, got, "output")
			require.Equal(t, []string{"middleware in", "middleware out",
				"middleware in", "middleware out"}, remote.all(), "one middleware call per attempt")
		})
	}
}

// recordingInterceptor records when an activity passes through it.
type recordingInterceptor struct {
	interceptor.WorkerInterceptorBase
	name string
	ev   *events
}

func (r *recordingInterceptor) InterceptActivity(
	_ context.Context, next interceptor.ActivityInboundInterceptor,
) interceptor.ActivityInboundInterceptor {
	return &recordingInbound{ActivityInboundInterceptorBase: interceptor.
		ActivityInboundInterceptorBase{Next: next}, name: r.name, ev: r.ev}
}

type recordingInbound struct {
	interceptor.ActivityInboundInterceptorBase
	name string
	ev   *events
}

func (r *recordingInbound) ExecuteActivity(
	ctx context.Context, in *interceptor.ExecuteActivityInput,
) (any, error) {
	r.ev.add(r.name + " in")
	defer r.ev.add(r.name + " out")
	return r.Next.ExecuteActivity(ctx, in)
}

func TestInterceptorOrder(t *testing.T) {
	t.Parallel()
	var ev events
	tp := newTemporal(t, newPipeline(t, "order", pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{shiftMiddleware(&ev)},
		BeforeStage: func(context.Context, string, any, *runState) error {
			ev.add("before hook")
			return nil
		},
		AfterStage: func(context.Context, string, any, any, error, *runState) error {
			ev.add("after hook")
			return nil
		},
	}, pipeline.NewStage("echo", func(_ context.Context, v int) (int, error) {
		ev.add("handler")
		return v, nil
	}, pipeline.StageOptions{})), temporalrun.Options{})
	c := newEnvClient(t, tp)
	c.interceptors = []interceptor.WorkerInterceptor{
		&recordingInterceptor{name: "outer", ev: &ev},
		worker.Interceptor(tp),
		worker.Interceptor(tp), // a second copy passes through
		&recordingInterceptor{name: "inner", ev: &ev},
	}

	got, err := tp.Run(t.Context(), c, client.StartWorkflowOptions{}, 1, nil)
	require.NoError(t, err)
	require.Equal(t, 111, got)
	require.Equal(t, []string{"outer in", "before hook", "middleware in", "inner in", "handler",
		"inner out", "middleware out", "after hook", "outer out"}, ev.all())
}
