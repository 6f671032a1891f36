package middleware_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// newTracerProvider returns a tracer provider that records every span.
func newTracerProvider(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	recorder := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	return provider, recorder
}

func tracedPipeline[S any](
	t *testing.T, opts middleware.OpenTelemetryOptions, stages ...pipeline.Stage,
) *pipeline.Pipeline[int, int, S] {
	t.Helper()
	return newPipeline[int, int](t, pipeline.Options[S]{
		Middleware: []pipeline.Middleware[S]{middleware.OpenTelemetry[S](opts)},
	}, stages...)
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name())
	}
	return names
}

func spanAttributes(span sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	attrs := map[attribute.Key]attribute.Value{}
	for _, kv := range span.Attributes() {
		attrs[kv.Key] = kv.Value
	}
	return attrs
}

func countEvents(span sdktrace.ReadOnlySpan, name string) int {
	var n int
	for _, e := range span.Events() {
		if e.Name == name {
			n++
		}
	}
	return n
}

func TestOpenTelemetrySuccess(t *testing.T) {
	provider, recorder := newTracerProvider(t)
	p := tracedPipeline[runState](t, middleware.OpenTelemetryOptions{TracerProvider: provider},
		pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}))

	out, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	require.Equal(t, 4, out)

	spans := recorder.Ended()
	require.Equal(t, []string{"pipeline.stage.add_one", "pipeline.stage.double"}, spanNames(spans))
	attrs := spanAttributes(spans[0])
	assert.Equal(t, "add_one", attrs[middleware.AttrStageName].AsString())
	assert.Equal(t, "int", attrs[middleware.AttrInputType].AsString())
	assert.Equal(t, "int", attrs[middleware.AttrOutputType].AsString())
	assert.NotContains(t, attrs, middleware.AttrError)
	assert.NotContains(t, attrs, middleware.AttrErrorType)
	assert.Equal(t, codes.Unset, spans[0].Status().Code, "status stays Unset on success")
	assert.Empty(t, spans[0].Events())
	assert.Equal(t, trace.SpanKindInternal, spans[0].SpanKind())
	assert.Equal(t, "async_pipeline", spans[0].InstrumentationScope().Name)
}

func TestOpenTelemetryFailure(t *testing.T) {
	tests := []struct {
		name        string
		withMessage bool
	}{
		{name: "leaves the message out by default"},
		{name: "adds the message when allowed", withMessage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			provider, recorder := newTracerProvider(t)
			p := tracedPipeline[runState](t, middleware.OpenTelemetryOptions{
				TracerProvider: provider, RecordErrorMessage: tt.withMessage,
			}, pipeline.NewStage("fail", failing(errBoom), pipeline.StageOptions{}))

			_, err := p.Run(t.Context(), 1, nil)
			var stageErr *pipeline.StageError
			require.ErrorAs(t, err, &stageErr)
			require.ErrorIs(t, err, errBoom)

			spans := recorder.Ended()
			require.Len(t, spans, 1)
			span := spans[0]
			assert.Equal(t, 1, countEvents(span, "exception"), "error recorded once")
			assert.Equal(t, codes.Error, span.Status().Code)
			assert.Equal(t, err.Error(), span.Status().Description)
			attrs := spanAttributes(span)
			assert.True(t, attrs[middleware.AttrError].AsBool())
			assert.Equal(t, "*pipeline.StageError", attrs[middleware.AttrErrorType].AsString())
			assert.NotContains(t, attrs, middleware.AttrOutputType)
			if !tt.withMessage {
				assert.NotContains(t, attrs, middleware.AttrErrorMessage)
				return
			}
			assert.Equal(t, err.Error(), attrs[middleware.AttrErrorMessage].AsString())
		})
	}
}

// countingProvider counts the calls of Tracer by tracer name.
type countingProvider struct {
	*sdktrace.TracerProvider
	mu    sync.Mutex
	calls map[string]int
}

func (p *countingProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	p.mu.Lock()
	p.calls[name]++
	p.mu.Unlock()
	return p.TracerProvider.Tracer(name, opts...)
}

func TestOpenTelemetryNames(t *testing.T) {
	sdkProvider, recorder := newTracerProvider(t)
	provider := &countingProvider{TracerProvider: sdkProvider, calls: map[string]int{}}
	p := tracedPipeline[runState](t, middleware.OpenTelemetryOptions{
		TracerProvider: provider, TracerName: "custom", SpanPrefix: "app.pipe",
	}, pipeline.NewStage("x", addOne, pipeline.StageOptions{}))

	for range 3 {
		_, err := p.Run(t.Context(), 1, nil)
		require.NoError(t, err)
	}

	assert.Equal(t, map[string]int{"custom": 1}, provider.calls, "tracer obtained once")
	spans := recorder.Ended()
	require.Equal(t, []string{"app.pipe.x", "app.pipe.x", "app.pipe.x"}, spanNames(spans))
	for _, s := range spans {
		assert.Equal(t, "custom", s.InstrumentationScope().Name)
	}
}

func TestOpenTelemetryGlobalProvider(t *testing.T) {
	provider, recorder := newTracerProvider(t)
	previous := otel.GetTracerProvider()
	otel.SetTracerProvider(provider)
	t.Cleanup(func() { otel.SetTracerProvider(previous) })

	p := tracedPipeline[runState](t, middleware.OpenTelemetryOptions{},
		pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))
	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)

	require.Equal(t, []string{"pipeline.stage.add_one"}, spanNames(recorder.Ended()))
}

func TestOpenTelemetryCurrentSpan(t *testing.T) {
	provider, recorder := newTracerProvider(t)
	tracer := provider.Tracer("handler")
	handler := func(ctx context.Context, v int) (int, error) {
		_, child := tracer.Start(ctx, "inside")
		child.End()
		return v, nil
	}
	p := tracedPipeline[runState](t, middleware.OpenTelemetryOptions{TracerProvider: provider},
		pipeline.NewStage("outer", handler, pipeline.StageOptions{}))

	ctx, root := tracer.Start(t.Context(), "root")
	_, err := p.Run(ctx, 1, nil)
	root.End()
	require.NoError(t, err)

	spans := recorder.Ended()
	require.Equal(t, []string{"inside", "pipeline.stage.outer", "root"}, spanNames(spans))
	inside, stage := spans[0], spans[1]
	assert.Equal(t, stage.SpanContext().SpanID(), inside.Parent().SpanID(),
		"a span started by the handler is a child of the stage span")
	assert.Equal(t, root.SpanContext().SpanID(), stage.Parent().SpanID(),
		"the stage span is a child of the caller's span")
}

// pointerAttrState implements TraceAttributer through its pointer.
type pointerAttrState struct {
	Attrs map[string]any `json:"attrs"`
}

func (s *pointerAttrState) TraceAttributes() map[string]any { return s.Attrs }

// valueAttrState implements TraceAttributer on its value.
type valueAttrState struct {
	Attrs map[string]any `json:"attrs"`
}

func (s valueAttrState) TraceAttributes() map[string]any { return s.Attrs }

// userAttributes is a mix of supported, unsupported and reserved values.
func userAttributes() map[string]any {
	return map[string]any{
		"user.name":                 "ada",
		"user.admin":                true,
		"user.visits":               3,
		"user.id":                   int64(1 << 40),
		"user.score":                0.5,
		"user.tags":                 []string{"a"},
		"user.nested":               map[string]any{"a": 1},
		"user.small":                uint8(1),
		"user.nil":                  nil,
		"":                          "empty key",
		"async_pipeline.stage.name": "overwritten",
		"async_pipeline.custom":     "reserved",
	}
}

// requireUserAttributes checks that the span of stage "x" has the supported
// attributes of userAttributes and none of the skipped ones.
func requireUserAttributes(t *testing.T, span sdktrace.ReadOnlySpan) {
	t.Helper()
	attrs := spanAttributes(span)
	assert.Equal(t, "ada", attrs["user.name"].AsString())
	assert.True(t, attrs["user.admin"].AsBool())
	assert.Equal(t, int64(3), attrs["user.visits"].AsInt64())
	assert.Equal(t, int64(1<<40), attrs["user.id"].AsInt64())
	assert.InDelta(t, 0.5, attrs["user.score"].AsFloat64(), 0)
	for _, key := range []attribute.Key{"user.tags", "user.nested", "user.small", "user.nil", ""} {
		assert.NotContains(t, attrs, key)
	}
	assert.Equal(t, "x", attrs[middleware.AttrStageName].AsString())
	assert.NotContains(t, attrs, attribute.Key("async_pipeline.custom"))
}

func TestOpenTelemetryStateAttributes(t *testing.T) {
	t.Run("pointer receiver", func(t *testing.T) {
		provider, recorder := newTracerProvider(t)
		p := tracedPipeline[pointerAttrState](t,
			middleware.OpenTelemetryOptions{TracerProvider: provider},
			pipeline.NewStage("x", addOne, pipeline.StageOptions{}))

		_, err := p.Run(t.Context(), 1, &pointerAttrState{Attrs: userAttributes()})
		require.NoError(t, err)

		require.Len(t, recorder.Ended(), 1)
		requireUserAttributes(t, recorder.Ended()[0])
	})
	t.Run("value receiver", func(t *testing.T) {
		provider, recorder := newTracerProvider(t)
		p := tracedPipeline[valueAttrState](t,
			middleware.OpenTelemetryOptions{TracerProvider: provider},
			pipeline.NewStage("x", addOne, pipeline.StageOptions{}))

		_, err := p.Run(t.Context(), 1, &valueAttrState{Attrs: userAttributes()})
		require.NoError(t, err)

		require.Len(t, recorder.Ended(), 1)
		requireUserAttributes(t, recorder.Ended()[0])
	})
	t.Run("nil pointer state", func(t *testing.T) {
		provider, recorder := newTracerProvider(t)
		p := tracedPipeline[*pointerAttrState](t,
			middleware.OpenTelemetryOptions{TracerProvider: provider},
			pipeline.NewStage("x", addOne, pipeline.StageOptions{}))

		_, err := p.Run(t.Context(), 1, nil)
		require.NoError(t, err)

		require.Len(t, recorder.Ended(), 1)
		assert.Len(t, recorder.Ended()[0].Attributes(), 3, "only the built-in attributes")
	})
}

func TestOpenTelemetryUnderMap(t *testing.T) {
	provider, recorder := newTracerProvider(t)
	p := tracedPipeline[runState](t, middleware.OpenTelemetryOptions{TracerProvider: provider},
		pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}))

	outs, err := p.Map(t.Context(), []int{1, 2, 3}, 2, nil)
	require.NoError(t, err)
	require.Equal(t, []int{4, 6, 8}, outs)

	spans := recorder.Ended()
	require.Len(t, spans, 6)
	perName := map[string]int{}
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		perName[s.Name()]++
		ids[s.SpanContext().SpanID()] = true
		assert.Equal(t, "int", spanAttributes(s)[middleware.AttrInputType].AsString())
	}
	assert.Equal(t, map[string]int{"pipeline.stage.add_one": 3, "pipeline.stage.double": 3},
		perName)
	assert.Len(t, ids, 6, "every span is its own")
}
