package temporalrun_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

func TestStageSpansUnderActivitySpans(t *testing.T) {
	t.Parallel()
	recorder := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	t.Cleanup(func() { require.NoError(t, provider.Shutdown(context.Background())) })
	tracing, err := temporalotel.NewTracingInterceptor(
		temporalotel.TracerOptions{Tracer: provider.Tracer("temporal")})
	require.NoError(t, err)

	retry := pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1}}
	tp := newTemporal(t, newPipeline(t, "traced", pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{middleware.OpenTelemetry[runState](
			middleware.OpenTelemetryOptions{TracerProvider: provider})},
	}, addStage(&calls{}, "add", 1, pipeline.StageOptions{}),
		flakyStage(&calls{}, "flaky", 1, retry)), temporalrun.Options{})
	c := newEnvClient(t, tp)
	c.interceptors = []interceptor.WorkerInterceptor{tracing, worker.Interceptor(tp)}

	out, err := tp.Run(t.Context(), c, client.StartWorkflowOptions{}, 1, nil)
	require.NoError(t, err)
	require.Equal(t, 3, out)

	byID := map[string]sdktrace.ReadOnlySpan{}
	for _, span := range recorder.Ended() {
		byID[span.SpanContext().SpanID().String()] = span
	}
	tests := []struct {
		stage      string
		attempts   int
		wantStatus []codes.Code // per attempt, in order
	}{
		{stage: "add", attempts: 1, wantStatus: []codes.Code{codes.Unset}},
		{stage: "flaky", attempts: 2, wantStatus: []codes.Code{codes.Error, codes.Unset}},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			var status []codes.Code
			activitySpans := map[string]bool{}
			for _, span := range recorder.Ended() {
				if span.Name() != "pipeline.stage."+tt.stage {
					continue
				}
				parent, ok := byID[span.Parent().SpanID().String()]
				require.True(t, ok, "stage span has a recorded parent")
				require.Equal(t, "RunActivity:"+tp.ActivityName(tt.stage), parent.Name())
				require.Equal(t, span.SpanContext().TraceID(), parent.SpanContext().TraceID())
				activitySpans[parent.SpanContext().SpanID().String()] = true
				status = append(status, span.Status().Code)
			}
			require.Len(t, status, tt.attempts, "one stage span per attempt")
			require.Len(t, activitySpans, tt.attempts, "each under its own activity span")
			require.ElementsMatch(t, tt.wantStatus, status)
		})
	}
}
