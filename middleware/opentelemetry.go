package middleware

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Span attribute keys set by [OpenTelemetry]. Keys under the
// "async_pipeline." prefix are reserved: attributes from the run state never
// replace them.
const (
	AttrStageName    attribute.Key = "async_pipeline.stage.name"    // the stage name
	AttrInputType    attribute.Key = "async_pipeline.input.type"    // Go type of the input
	AttrOutputType   attribute.Key = "async_pipeline.output.type"   // Go type of the output
	AttrError        attribute.Key = "async_pipeline.error"         // true on failure
	AttrErrorType    attribute.Key = "async_pipeline.error.type"    // Go type of the error
	AttrErrorMessage attribute.Key = "async_pipeline.error.message" // the error text
)

const reservedPrefix = "async_pipeline."

// TraceAttributer is a run state that adds attributes to the spans of
// [OpenTelemetry]. Either S or *S may implement it.
type TraceAttributer interface {
	// TraceAttributes returns the attributes to set on a stage span. Values
	// of type string, bool, int, int64 and float64 are used and others are
	// skipped, as are empty keys and keys under "async_pipeline.".
	TraceAttributes() map[string]any
}

// OpenTelemetryOptions configures [OpenTelemetry]. The zero value traces
// through the global tracer provider with the default names.
type OpenTelemetryOptions struct {
	// TracerProvider creates the tracer. Default: [otel.GetTracerProvider],
	// read when [OpenTelemetry] is called.
	TracerProvider trace.TracerProvider
	// TracerName is the instrumentation scope name of the tracer.
	// Default: "async_pipeline".
	TracerName string
	// SpanPrefix starts every span name, which is SpanPrefix + "." + stage.
	// Default: "pipeline.stage".
	SpanPrefix string
	// RecordErrorMessage adds the error text as the attribute
	// async_pipeline.error.message. Off by default, because error texts may
	// contain personal data. Even when it is off, the error text appears in
	// the status description and in the exception.message attribute that the
	// OpenTelemetry SDK (v1.47.0) adds to the exception event.
	RecordErrorMessage bool
}

// OpenTelemetry returns a middleware that wraps each stage call in a span
// named "<SpanPrefix>.<stage>" and makes it the current span of the context
// passed on, so spans started inside become its children. The tracer is
// obtained once, here.
//
// The span gets the stage name and the Go type of the input and, on success,
// of the output. On failure the middleware records the error once as an
// exception event, sets the status to Error with the error text and sets
// async_pipeline.error and async_pipeline.error.type. On success the status
// is left Unset, because the OpenTelemetry trace API specification (section
// "Set Status") tells instrumentation libraries to leave it Unset unless
// there is an error.
//
// When the run state implements [TraceAttributer], its attributes are added
// when the span starts. Under [pipeline.Pipeline.Map] every item gets its
// own span for each stage. The middleware is safe for concurrent use.
func OpenTelemetry[S any](opts OpenTelemetryOptions) pipeline.Middleware[S] {
	tracer := newTracer(opts)
	prefix := opts.SpanPrefix
	if prefix == "" {
		prefix = "pipeline.stage"
	}
	return func(
		ctx context.Context, stage string, input any, state *S, next pipeline.Handler[S],
	) (any, error) {
		attrs := append(stateAttributes(state),
			AttrStageName.String(stage), AttrInputType.String(typeName(input)))
		ctx, span := tracer.Start(ctx, prefix+"."+stage,
			trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
		defer span.End()

		out, err := next(ctx, input, state)
		if err != nil {
			recordFailure(span, err, opts.RecordErrorMessage)
			return out, err
		}
		span.SetAttributes(AttrOutputType.String(typeName(out)))
		return out, nil
	}
}

func newTracer(opts OpenTelemetryOptions) trace.Tracer {
	provider, name := opts.TracerProvider, opts.TracerName
	if provider == nil {
		provider = otel.GetTracerProvider()
	}
	if name == "" {
		name = "async_pipeline"
	}
	return provider.Tracer(name)
}

func recordFailure(span trace.Span, err error, withMessage bool) {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(
		AttrError.Bool(true), AttrErrorType.String(typeName(err)))
	if withMessage {
		span.SetAttributes(AttrErrorMessage.String(err.Error()))
	}
}

// typeName returns the Go type of v as fmt's %T prints it, such as "int" or
// "*pipeline.StageError".
func typeName(v any) string { return fmt.Sprintf("%T", v) }

// stateAttributes converts the attributes of a state that implements
// [TraceAttributer], in key order.
func stateAttributes[S any](state *S) []attribute.KeyValue {
	if state == nil {
		return nil
	}
	source, ok := any(state).(TraceAttributer)
	if !ok {
		source, ok = any(*state).(TraceAttributer)
	}
	if !ok || isNilPointer(source) {
		return nil
	}
	values := source.TraceAttributes()
	var attrs []attribute.KeyValue
	for _, key := range slices.Sorted(maps.Keys(values)) {
		if kv, ok := userAttribute(key, values[key]); ok {
			attrs = append(attrs, kv)
		}
	}
	return attrs
}

// isNilPointer reports whether v is a nil pointer, such as the zero value of
// a state type *T, whose TraceAttributes method could panic.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// userAttribute converts one state attribute, reporting false for a value
// of an unsupported type and for an empty or reserved key.
func userAttribute(key string, value any) (attribute.KeyValue, bool) {
	if key == "" || strings.HasPrefix(key, reservedPrefix) {
		return attribute.KeyValue{}, false
	}
	switch v := value.(type) {
	case string:
		return attribute.String(key, v), true
	case bool:
		return attribute.Bool(key, v), true
	case int:
		return attribute.Int(key, v), true
	case int64:
		return attribute.Int64(key, v), true
	case float64:
		return attribute.Float64(key, v), true
	}
	return attribute.KeyValue{}, false
}
