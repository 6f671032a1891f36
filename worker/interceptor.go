package worker

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Interceptor returns a worker interceptor that runs the hooks and the
// middleware of each stage of defs around the rest of the activity
// interceptor chain and the activity. Its place in
// sdkworker.Options.Interceptors decides what the middleware wraps: the
// interceptors listed before it (Temporal's OpenTelemetry tracing
// interceptor, say) wrap the middleware, and those after it are wrapped by
// the middleware. Activities of other pipelines pass through unchanged. The
// interceptor is safe for concurrent use.
func Interceptor(defs ...temporalrun.Definition) interceptor.WorkerInterceptor {
	byActivity := map[string]temporalrun.Definition{}
	for _, def := range defs {
		if def == nil {
			continue
		}
		for _, stage := range def.StageNames() {
			byActivity[def.ActivityName(stage)] = def
		}
	}
	return &pipelineInterceptor{byActivity: byActivity}
}

func isPipelineInterceptor(i interceptor.WorkerInterceptor) bool {
	_, ok := i.(*pipelineInterceptor)
	return ok
}

type pipelineInterceptor struct {
	interceptor.WorkerInterceptorBase
	byActivity map[string]temporalrun.Definition // read-only after Interceptor
}

func (w *pipelineInterceptor) InterceptActivity(
	ctx context.Context, next interceptor.ActivityInboundInterceptor,
) interceptor.ActivityInboundInterceptor {
	return &activityInbound{
		ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next},
		byActivity:                     w.byActivity,
	}
}

type activityInbound struct {
	interceptor.ActivityInboundInterceptorBase
	byActivity map[string]temporalrun.Definition
}

func (a *activityInbound) ExecuteActivity(
	ctx context.Context, in *interceptor.ExecuteActivityInput,
) (any, error) {
	def, ok := a.byActivity[activity.GetInfo(ctx).ActivityType.Name]
	if !ok {
		return a.Next.ExecuteActivity(ctx, in)
	}
	return def.InterceptActivity(ctx, in, a.Next)
}
