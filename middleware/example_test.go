package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// State is the run state of the examples. Embedding Timings lets the Timing
// middleware store durations in it.
type State struct {
	middleware.Timings `json:"timings,omitempty"`
}

func ExampleLogging() {
	// Leave out the time and the duration so that the output is stable.
	handler := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	})
	logging := middleware.Logging[State](middleware.LoggingOptions{
		Logger: slog.New(handler), IncludeValues: true,
	})
	p, err := pipeline.New[int, int]("example", pipeline.Options[State]{
		Middleware: []pipeline.Middleware[State]{logging},
	}, pipeline.NewStage("add_one", func(_ context.Context, v int) (int, error) {
		return v + 1, nil
	}, pipeline.StageOptions{}))
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = p.Run(context.Background(), 5, nil)
	fmt.Println("error:", err)
	// Output:
	// level=INFO msg="stage started" stage=add_one input=5
	// level=INFO msg="stage finished" stage=add_one output=6
	// error: <nil>
}

func ExampleTiming() {
	double := func(_ context.Context, v int) (int, error) { return v * 2, nil }
	p, err := pipeline.New[int, int]("example", pipeline.Options[State]{
		Middleware: []pipeline.Middleware[State]{middleware.Timing[State]()},
	}, pipeline.NewStage("double", double, pipeline.StageOptions{}),
		pipeline.NewStage("double_again", double, pipeline.StageOptions{}))
	if err != nil {
		fmt.Println(err)
		return
	}

	var state State
	for range 2 {
		if _, err := p.Run(context.Background(), 1, &state); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, stage := range slices.Sorted(maps.Keys(state.Timings)) {
		fmt.Printf("%s: %d calls\n", stage, len(state.Timings[stage]))
	}
	// Output:
	// double: 2 calls
	// double_again: 2 calls
}

func ExampleRetry() {
	calls := 0
	flaky := func(_ context.Context, v int) (int, error) {
		calls++
		if calls < 3 {
			return 0, errors.New("temporary failure")
		}
		return v + 1, nil
	}
	retry, err := middleware.Retry[State](middleware.RetryOptions{
		Policy: pipeline.RetryPolicy{Retries: 3, Delay: time.Millisecond},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := pipeline.New[int, int]("example", pipeline.Options[State]{
		Middleware: []pipeline.Middleware[State]{retry},
	}, pipeline.NewStage("flaky", flaky, pipeline.StageOptions{}))
	if err != nil {
		fmt.Println(err)
		return
	}

	out, err := p.Run(context.Background(), 1, nil)
	fmt.Println(out, err, calls)
	// Output: 2 <nil> 3
}

func ExampleTimeout() {
	timeout, err := middleware.Timeout[State](10 * time.Millisecond)
	if err != nil {
		fmt.Println(err)
		return
	}
	slow := func(ctx context.Context, v int) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	p, err := pipeline.New[int, int]("example", pipeline.Options[State]{
		Middleware: []pipeline.Middleware[State]{timeout},
	}, pipeline.NewStage("slow", slow, pipeline.StageOptions{}))
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = p.Run(context.Background(), 1, nil)
	var stageErr *pipeline.StageError
	if errors.As(err, &stageErr) {
		fmt.Println("stage:", stageErr.Stage)
	}
	fmt.Println("timed out:", errors.Is(err, pipeline.ErrTimeout))
	// Output:
	// stage: slow
	// timed out: true
}

func ExampleOpenTelemetry() {
	recorder := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	defer func() { _ = provider.Shutdown(context.Background()) }()

	tracing := middleware.OpenTelemetry[State](middleware.OpenTelemetryOptions{
		TracerProvider: provider,
	})
	addOne := func(_ context.Context, v int) (int, error) { return v + 1, nil }
	p, err := pipeline.New[int, int]("example", pipeline.Options[State]{
		Middleware: []pipeline.Middleware[State]{tracing},
	}, pipeline.NewStage("parse", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("store", addOne, pipeline.StageOptions{}))
	if err != nil {
		fmt.Println(err)
		return
	}

	if _, err := p.Run(context.Background(), 1, nil); err != nil {
		fmt.Println(err)
		return
	}
	for _, span := range recorder.Ended() {
		fmt.Println(span.Name())
	}
	// Output:
	// pipeline.stage.parse
	// pipeline.stage.store
}
